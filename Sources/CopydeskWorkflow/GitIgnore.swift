import Foundation
import CopydeskCore

/// Asks git which files it ignores (`.gitignore`, `.git/info/exclude`, the global excludes file),
/// so that walking a folder inside a git work tree skips them, the way ripgrep does. Tracked files
/// are never ignored. Without git, or outside a work tree, nothing is ignored.
public enum GitIgnore {
    /// The subset of `paths` (absolute, standardized) that git ignores.
    public static func ignored(_ paths: [String]) -> Set<String> {
        var byRoot: [String: [String]] = [:]
        var rootOf: [String: String?] = [:]
        for path in paths {
            let dir = Paths.directory(of: path)
            let root: String?
            if let known = rootOf[dir] { root = known } else { root = workTreeRoot(dir); rootOf[dir] = root }
            if let root { byRoot[root, default: []].append(path) }
        }
        var out = Set<String>()
        for (root, files) in byRoot.sorted(by: { $0.key < $1.key }) {
            out.formUnion(checkIgnore(root: root, files: files))
        }
        return out
    }

    /// The nearest folder at or above `dir` holding `.git` (a folder, or a file in a linked work tree).
    public static func workTreeRoot(_ dir: String) -> String? {
        var d = dir
        while true {
            if FileManager.default.fileExists(atPath: (d == "/" ? "" : d) + "/.git") { return d }
            if d == "/" { return nil }
            d = Paths.directory(of: d)
        }
    }

    static func checkIgnore(root: String, files: [String]) -> Set<String> {
        var rel: [String: String] = [:]
        for f in files { if let r = Paths.relative(f, to: root), !r.isEmpty { rel[r] = f } }
        guard !rel.isEmpty else { return [] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", root, "check-ignore", "-z", "--stdin"]
        var env = ProcessInfo.processInfo.environment
        // Inside a git hook these point at the hook's repository; -C names ours.
        for k in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX"] { env.removeValue(forKey: k) }
        process.environment = env
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        // A git that exits before reading everything must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        do { try process.run() } catch { return [] }
        var payload = Data()
        for r in rel.keys.sorted() { payload.append(contentsOf: Array(r.utf8)); payload.append(0) }
        // Write on another thread so a full stdout pipe cannot block us both.
        let handle = input.fileHandleForWriting
        let bytes = payload
        let writer = Thread {
            try? handle.write(contentsOf: bytes)
            try? handle.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // 0: some paths are ignored; 1: none; anything else: git could not tell (not a repository,
        // an unsafe folder owner): ignore nothing rather than skip files for a wrong reason.
        guard process.terminationStatus == 0 else { return [] }
        var out = Set<String>()
        for part in data.split(separator: 0) {
            let name = String(decoding: part, as: UTF8.self)
            if let abs = rel[name] { out.insert(abs) }
        }
        return out
    }
}
