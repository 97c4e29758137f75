#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CopydeskCore

/// A file to lint, or a reason why a named path cannot be.
public enum InputItem: Sendable, Equatable {
    case file(String)
    case stdin
    case error(FileError)
}

/// Expands command-line paths into files: directories are walked recursively (hidden entries,
/// `.build` and symlinks inside them skipped, so no loops), named files are taken as they are.
public enum FileWalker {
    public static let skippedDirectories: Set<String> = [".build", "node_modules"]

    public static func expand(_ paths: [String]) -> [InputItem] {
        var items: [InputItem] = []
        for path in paths {
            if path == "-" { items.append(.stdin); continue }
            var st = stat()
            guard stat(path, &st) == 0 else {
                items.append(.error(FileError(path: path, message: errnoMessage(errno))))
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                walk(path, into: &items)
            } else {
                items.append(.file(path))
            }
        }
        return items
    }

    static func walk(_ dir: String, into items: inout [InputItem]) {
        guard let d = opendir(dir) else {
            items.append(.error(FileError(path: dir, message: "cannot read directory: \(errnoMessage(errno))")))
            return
        }
        var names: [String] = []
        let base = dir.hasSuffix("/") ? dir : dir + "/"
        while let entry = readdir(d) {
            let decoded = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { (String(validatingCString: $0), String(cString: $0)) }
            }
            guard let name = decoded.0 else {
                // A String cannot hold the raw bytes, so the file could not be opened by this name.
                if !decoded.1.hasPrefix(".") {
                    items.append(.error(FileError(path: base + decoded.1, message: "file name is not valid UTF-8; not linted")))
                }
                continue
            }
            if name == "." || name == ".." || name.hasPrefix(".") || skippedDirectories.contains(name) { continue }
            names.append(name)
        }
        closedir(d)
        names.sort()
        for name in names {
            let path = base + name
            var st = stat()
            guard lstat(path, &st) == 0 else {
                items.append(.error(FileError(path: path, message: errnoMessage(errno))))
                continue
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: walk(path, into: &items)
            case S_IFREG: items.append(.file(path))
            default: continue // symlinks, FIFOs, sockets, devices are only linted when named
            }
        }
    }

    /// Whether `path` names a directory (following symlinks).
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func errnoMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// Reads whole files as bytes.
///
/// Regular files are read whole. A named FIFO, socket or character device is read as a stream:
/// opening never blocks, and when no data (nor end of input) arrives for
/// `streamTimeout` seconds the input is reported instead of hanging the run. Any input larger
/// than `maxBytes` is reported, not read (so `/dev/zero` or an endless pipe cannot exhaust memory;
/// a NUL byte stops a stream early as binary).
public enum FileReader {
    public enum Outcome: Sendable {
        case bytes([UInt8])
        case binary
        case error(String)
    }

    /// Largest input read, in bytes (1 GiB).
    public static let maxBytes = 1 << 30
    /// Seconds a FIFO or device may stay silent before it is reported (COPYDESK_FIFO_TIMEOUT overrides, default 10).
    public static let streamTimeout: Double = {
        if let v = getenv("COPYDESK_FIFO_TIMEOUT"), let d = Double(String(cString: v)), d > 0 { return d }
        return 10
    }()

    /// Reads `path`; files holding a NUL byte are binary (skipped, like ripgrep and git).
    public static func read(_ path: String) -> Outcome {
        // O_NONBLOCK: opening a FIFO without a writer must not block.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return .error(FileWalker.errnoMessage(errno)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .error(FileWalker.errnoMessage(errno)) }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .error("is a directory")
        case S_IFREG:
            if Int(st.st_size) > maxBytes { return .error(tooLarge(Int(st.st_size))) }
            return readAll(fd, sizeHint: Int(st.st_size), regularFile: true)
        default:
            return readStream(fd, kind: kindName(st.st_mode & S_IFMT))
        }
    }

    public static func readStdin() -> Outcome { readAll(0, sizeHint: 0) }

    static func tooLarge(_ n: Int) -> String {
        "file is larger than the \(maxBytes >> 20) MiB limit (\(n >> 20) MiB); not read"
    }

    static func kindName(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: return "FIFO"
        case S_IFSOCK: return "socket"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        default: return "special file"
        }
    }

    /// Reads to the end. `regularFileSize` (from fstat) lets a regular file be read straight
    /// into an array of the right size, usually with one read(): for a regular file, a read that
    /// returns less than asked for has reached the end.
    static func readAll(_ fd: Int32, sizeHint: Int, regularFile: Bool = false) -> Outcome {
        var failure: Int32 = 0
        var atEnd = false
        let first = regularFile ? sizeHint + 1 : max(sizeHint + 1, 64 * 1024)
        var bytes = [UInt8](unsafeUninitializedCapacity: first) { buf, count in
            var filled = 0
            while filled < first {
                let n = Glibc.read(fd, buf.baseAddress! + filled, first - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { atEnd = true; break }
                if filled + n > maxBytes { failure = EFBIG; break }
                filled += n
                // (Linux returns at most about 2 GB per read: a shorter read of a huge file is not the end.)
                if regularFile && filled < first && n < 1 << 30 { atEnd = true; break }
            }
            count = filled
        }
        if failure == 0 && !atEnd {
            // Longer than stat said (or a pipe): read the rest in chunks.
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    // A non-blocking stream with nothing ready yet: wait for it, bounded.
                    if errno == EAGAIN { return readStream(fd, kind: "input", prefix: bytes) }
                    failure = errno
                    break
                }
                if n == 0 { break }
                if bytes.count + n > maxBytes { failure = EFBIG; break }
                bytes.append(contentsOf: chunk[0..<n])
            }
        }
        if failure == EFBIG { return .error(tooLarge(max(bytes.count, sizeHint))) }
        if failure == EAGAIN { return readStream(fd, kind: "input", prefix: bytes) }
        if failure != 0 { return .error(FileWalker.errnoMessage(failure)) }
        let hasNUL = bytes.withUnsafeBufferPointer { buf in
            buf.count > 0 && memchr(buf.baseAddress!, 0, buf.count) != nil
        }
        return hasNUL ? .binary : .bytes(bytes)
    }

    /// Reads a non-blocking stream to its end, waiting at most `streamTimeout` seconds for each chunk.
    static func readStream(_ fd: Int32, kind: String, prefix: [UInt8] = []) -> Outcome {
        var bytes = prefix
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let timeoutMs = Int32(min(streamTimeout * 1000, Double(Int32.max)))
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, timeoutMs)
            if ready < 0 {
                if errno == EINTR { continue }
                return .error(FileWalker.errnoMessage(errno))
            }
            if ready == 0 {
                let what = bytes.isEmpty ? "no input" : "no more input after \(bytes.count) bytes"
                return .error("\(kind): \(what) within \(formatSeconds(streamTimeout)) s (no writer?); not linted")
            }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .error(FileWalker.errnoMessage(errno))
            }
            if n == 0 { break }
            if chunk[0..<n].contains(0) { return .binary }
            if bytes.count + n > maxBytes { return .error("\(kind): more than the \(maxBytes >> 20) MiB limit; not linted") }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return .bytes(bytes)
    }

    static func formatSeconds(_ s: Double) -> String {
        s == s.rounded() ? String(Int(s)) : String(s)
    }
}
