#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import CopydeskCore

/// Replaces a file's contents atomically: a temporary file in the same folder is written, flushed
/// to disk, given the original's permissions (and owner, when allowed) and renamed over the
/// original, then the folder is flushed. A reader, a crash or a kill sees the old file or the new
/// one, never a mix. Symlinks are followed: the file they point to is replaced, the link stays.
public enum AtomicFile {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// What identifies a file's version: replaced only if it still matches when the new bytes
    /// are ready (someone else saved the article meanwhile: leave it alone).
    public struct Identity: Sendable, Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var mtimeSeconds: Int
        var mtimeNanoseconds: Int
        var mode: mode_t
        var uid: uid_t
        var gid: gid_t
    }

    public static func identity(of path: String) -> Identity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                        mtimeSeconds: Int(st.st_mtim.tv_sec), mtimeNanoseconds: Int(st.st_mtim.tv_nsec),
                        mode: st.st_mode, uid: st.st_uid, gid: st.st_gid)
    }

    /// Replaces the file at `path` (which had `expected` identity when it was read) with `bytes`.
    public static func replace(_ path: String, with bytes: [UInt8], expected: Identity?) throws(Failure) {
        guard let resolved = realPath(path) else { throw Failure(message: "cannot resolve path: \(errnoText())") }
        guard let now = identity(of: resolved) else { throw Failure(message: errnoText()) }
        guard (now.mode & S_IFMT) == S_IFREG else { throw Failure(message: "not a regular file; left as it is") }
        if let expected, expected != now {
            throw Failure(message: "the file changed while it was being cleaned; left as it is")
        }
        try write(bytes, to: resolved, mode: now.mode & 0o7777, owner: (now.uid, now.gid))
    }

    /// Creates or replaces `path` with `bytes` (new files get 0666 less the umask).
    public static func write(_ bytes: [UInt8], toNewOrExisting path: String) throws(Failure) {
        let target = realPath(path) ?? path
        if let now = identity(of: target) {
            guard (now.mode & S_IFMT) == S_IFREG else { throw Failure(message: "not a regular file") }
            try write(bytes, to: target, mode: now.mode & 0o7777, owner: (now.uid, now.gid))
        } else {
            try write(bytes, to: target, mode: 0o666 & ~currentUmask, owner: nil)
        }
    }

    static let currentUmask: mode_t = {
        let m = umask(0o022)
        umask(m)
        return m
    }()

    static func write(_ bytes: [UInt8], to target: String, mode: mode_t, owner: (uid_t, gid_t)?) throws(Failure) {
        let slash = target.lastIndex(of: "/")
        let dir = slash.map { String(target[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
        // Hidden, so walkers skip a temporary file left by a crash; NAME_MAX bounds the name.
        let stem = String(decoding: Array(name.utf8.prefix(200)), as: UTF8.self)
        var template = Array("\(dir)/.\(stem).copydesk-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw Failure(message: "cannot create a temporary file in \(dir): \(errnoText())") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let tmp = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        TemporaryFiles.register(tmp)
        defer { TemporaryFiles.unregister(tmp) }
        func fail(_ what: String) -> Failure {
            let message = "\(what): \(errnoText())"
            close(fd)
            unlink(tmp)
            return Failure(message: message)
        }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, bytes.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("cannot write the temporary file")
            }
            off += n
        }
        if fchmod(fd, mode) != 0 { throw fail("cannot set permissions") }
        if let owner, geteuid() == 0 || owner.0 == geteuid() { _ = fchown(fd, owner.0, owner.1) }
        if fsync(fd) != 0 { throw fail("cannot flush the temporary file") }
        if close(fd) != 0 { unlink(tmp); throw Failure(message: "cannot close the temporary file: \(errnoText())") }
        if rename(tmp, target) != 0 {
            let message = "cannot rename the temporary file over \(target): \(errnoText())"
            unlink(tmp)
            throw Failure(message: message)
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Temporary files being written, removed by `removeAll()` when the process is interrupted
/// (SIGINT, SIGTERM, SIGHUP), so an interrupted `clean --in-place` leaves no stray files.
public enum TemporaryFiles {
    static let slots = 64
    // C strings the signal handler can read without locking or allocating.
    nonisolated(unsafe) static let table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let t = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: slots)
        t.initialize(repeating: nil, count: slots)
        return t
    }()
    static let lock = Mutex<Void>(())

    static func register(_ path: String) {
        lock.withLock { _ in
            for i in 0..<slots where table[i] == nil {
                table[i] = strdup(path)
                return
            }
        }
    }

    static func unregister(_ path: String) {
        lock.withLock { _ in
            for i in 0..<slots {
                if let p = table[i], String(cString: p) == path {
                    table[i] = nil
                    free(p)
                    return
                }
            }
        }
    }

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP that unlink the registered temporary
    /// files and then die of the same signal.
    public static func installSignalHandlers() {
        _ = table
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { sig in
                for i in 0..<TemporaryFiles.slots {
                    if let p = TemporaryFiles.table[i] { unlink(p) }
                }
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
    }
}
