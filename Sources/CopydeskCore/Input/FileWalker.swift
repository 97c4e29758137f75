#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." || name.hasPrefix(".") || skippedDirectories.contains(name) { continue }
            names.append(name)
        }
        closedir(d)
        names.sort()
        let base = dir.hasSuffix("/") ? dir : dir + "/"
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

    public static func errnoMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// Reads whole files as bytes.
public enum FileReader {
    public enum Outcome: Sendable {
        case bytes([UInt8])
        case binary
        case error(String)
    }

    /// Reads `path`; files holding a NUL byte are binary (skipped, like ripgrep and git).
    public static func read(_ path: String) -> Outcome {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .error(FileWalker.errnoMessage(errno)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return readAll(fd, sizeHint: 0) }
        if (st.st_mode & S_IFMT) == S_IFDIR { return .error("is a directory") }
        return readAll(fd, sizeHint: Int(st.st_size), regularFile: (st.st_mode & S_IFMT) == S_IFREG)
    }

    public static func readStdin() -> Outcome { readAll(0, sizeHint: 0) }

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
                    failure = errno
                    break
                }
                if n == 0 { break }
                bytes.append(contentsOf: chunk[0..<n])
            }
        }
        if failure != 0 { return .error(FileWalker.errnoMessage(failure)) }
        let hasNUL = bytes.withUnsafeBufferPointer { buf in
            buf.count > 0 && memchr(buf.baseAddress!, 0, buf.count) != nil
        }
        return hasNUL ? .binary : .bytes(bytes)
    }
}
