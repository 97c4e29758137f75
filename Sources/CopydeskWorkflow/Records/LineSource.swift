import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the lines of one input (a file or standard input), gzip-compressed or not, in chunks:
/// memory holds one chunk and the line being assembled, whatever the input's size. Compression
/// is recognised by its magic bytes, not the name (zlib's `gzread` reads plain input as it is,
/// and concatenated gzip members one after another).
public final class LineSource {
    public let path: String
    private var gz: gzFile?
    private var chunk: [UInt8]
    private var start = 0, end = 0
    private var eof = false
    /// A read error (the lines before it were handed out).
    public private(set) var error: String? = nil
    /// 1-based number of the last line handed out.
    public private(set) var lineNumber = 0

    /// Opens `path` ("-": standard input). Throws a message when it cannot be opened.
    public init(path: String, chunkSize: Int = 1 << 20) throws(FileError) {
        self.path = path
        chunk = [UInt8](repeating: 0, count: chunkSize)
        let fd: Int32 = path == "-" ? dup(0) : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, message: "cannot open: \(String(cString: strerror(errno)))") }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw FileError(path: path, message: "is a directory (records mode reads JSON Lines files)")
        }
        guard let g = gzdopen(fd, "rb") else {
            close(fd)
            throw FileError(path: path, message: "cannot open: out of memory")
        }
        gzbuffer(g, UInt32(max(chunkSize, 8192)))
        gz = g
    }

    deinit { if let gz { gzclose_r(gz) } }

    /// The next line without its line break (and without a `\r` before it); nil at the end or
    /// after a read error (see `error`).
    public func next() -> [UInt8]? {
        var line: [UInt8] = []
        var carried = false
        while true {
            if start < end {
                let found: Int? = chunk.withUnsafeBufferPointer { buf in
                    guard let p = memchr(buf.baseAddress! + start, 0x0A, end - start) else { return nil }
                    return buf.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
                }
                if let nl = found {
                    line += chunk[start..<nl]
                    start = nl + 1
                    lineNumber += 1
                    if line.last == 0x0D { line.removeLast() }
                    return line
                }
                line += chunk[start..<end]
                carried = true
                start = end
            }
            if eof { break }
            fill()
        }
        // The last line, without a final line break (not a line cut short by a read error).
        guard carried, error == nil else { return nil }
        lineNumber += 1
        if line.last == 0x0D { line.removeLast() }
        return line
    }

    private func fill() {
        guard let gz else { eof = true; return }
        let n = chunk.withUnsafeMutableBytes { gzread(gz, $0.baseAddress, UInt32($0.count)) }
        if n < 0 {
            var code: Int32 = 0
            let message = gzerror(gz, &code).map { String(cString: $0) } ?? "read error"
            error = code == Z_ERRNO ? String(cString: strerror(errno)) : "gzip: \(message)"
            eof = true
            start = 0; end = 0
            return
        }
        if n == 0 {
            // A truncated gzip stream reads as the end, with a pending error.
            var code: Int32 = 0
            let message = gzerror(gz, &code).map { String(cString: $0) } ?? ""
            if code != Z_OK && code != Z_STREAM_END { error = "gzip: \(message)" }
            eof = true
        }
        start = 0
        end = Int(n)
    }
}
