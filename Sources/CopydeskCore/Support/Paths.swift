import Foundation

/// Path helpers for configuration lookup: absolute, standardized paths without touching the disk
/// (symlinks are kept, so a config is found along the path the user typed).
public enum Paths {
    public static var currentDirectory: String { FileManager.default.currentDirectoryPath }

    /// `path` made absolute against `base` (default: the current folder), with `.`, `..` and
    /// repeated slashes removed.
    public static func absolute(_ path: String, base: String? = nil) -> String {
        let joined = path.hasPrefix("/") ? path : (base ?? currentDirectory) + "/" + path
        // Already standard (the common case: paths from a folder walk): nothing to split.
        if isStandard(joined) { return joined }
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether an absolute path has no empty, `.` or `..` component and no trailing slash
    /// (then `absolute` would give it back unchanged).
    static func isStandard(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { b in
            guard b.first == UInt8(ascii: "/") else { return false }
            if b.count == 1 { return true }
            if b[b.count - 1] == UInt8(ascii: "/") { return false }
            var i = 1
            while i <= b.count {
                var j = i
                while j < b.count && b[j] != UInt8(ascii: "/") { j += 1 }
                let n = j - i
                if n == 0 { return false }                                                     // "//"
                if n == 1 && b[i] == UInt8(ascii: ".") { return false }                          // "."
                if n == 2 && b[i] == UInt8(ascii: ".") && b[i + 1] == UInt8(ascii: ".") { return false } // ".."
                i = j + 1
            }
            return true
        }
    }

    /// The folder holding `path` (absolute).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// `path` relative to folder `base` (both absolute, standardized), or nil when outside it.
    /// The folder itself is "".
    public static func relative(_ path: String, to base: String) -> String? {
        if base == "/" { return String(path.dropFirst()) }
        if path == base { return "" }
        guard path.hasPrefix(base + "/") else { return nil }
        return String(path.dropFirst(base.count + 1))
    }

    /// `path` relative to `base` with `..` steps when it lies outside (both absolute).
    public static func relativeWithParents(_ path: String, to base: String) -> String {
        let p = path.split(separator: "/"), b = base.split(separator: "/")
        var common = 0
        while common < p.count && common < b.count && p[common] == b[common] { common += 1 }
        let ups = Array(repeating: "..", count: b.count - common)
        let rest = p[common...].map(String.init)
        let all = ups + rest
        return all.isEmpty ? "." : all.joined(separator: "/")
    }

    /// An absolute path as shown to the user: relative when it lies in the current folder.
    public static func display(_ path: String) -> String {
        if let rel = relative(path, to: currentDirectory), !rel.isEmpty { return rel }
        return path
    }

    /// Whether something exists at `path` and is a regular file (or a link to one).
    public static func isFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }
}
