import Foundation

/// Runs the built `copydesk` executable (and the action's scripts) for end-to-end tests.
enum WorkflowCLI {
    static let packageRoot = CopydeskCLITests.packageRoot.path

    /// The `copydesk` binary next to the test bundle (built by `swift build`/`swift test`).
    static let binary: String = {
        var candidates: [String] = []
        if let exe = CommandLine.arguments.first {
            var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("copydesk").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        for b in Bundle.allBundles { candidates.append(b.bundleURL.deletingLastPathComponent().appendingPathComponent("copydesk").path) }
        candidates.append(packageRoot + "/.build/debug/copydesk")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? packageRoot + "/.build/debug/copydesk"
    }()

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `executable` with `args` in `cwd`, feeding `stdin`; stdout and stderr are captured in files.
    static func run(_ executable: String, _ args: [String], cwd: String, stdin: String? = nil, env: [String: String] = [:]) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let tmp = NSTemporaryDirectory() + "/copydesk-cli-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: tmp + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: tmp + ".err", contents: nil)
        defer { try? FileManager.default.removeItem(atPath: tmp + ".out"); try? FileManager.default.removeItem(atPath: tmp + ".err"); try? FileManager.default.removeItem(atPath: tmp + ".in") }
        p.standardOutput = FileHandle(forWritingAtPath: tmp + ".out")
        p.standardError = FileHandle(forWritingAtPath: tmp + ".err")
        _ = FileManager.default.createFile(atPath: tmp + ".in", contents: Data((stdin ?? "").utf8))
        p.standardInput = FileHandle(forReadingAtPath: tmp + ".in")
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: FileManager.default.contents(atPath: tmp + ".out") ?? Data(), as: UTF8.self)
        let err = String(decoding: FileManager.default.contents(atPath: tmp + ".err") ?? Data(), as: UTF8.self)
        return Output(status: p.terminationStatus, stdout: out, stderr: err)
    }

    static func copydesk(_ args: [String], cwd: String, stdin: String? = nil) throws -> Output {
        try run(binary, args, cwd: cwd, stdin: stdin)
    }
}

/// A temporary folder with helpers (absolute path, symlinks resolved).
struct Sandbox {
    let path: String
    init() {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath().path
        path = base + "/copydesk-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ rel: String, _ contents: String, executable: Bool = false) {
        let full = path + "/" + rel
        try! FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(contents.utf8).write(to: URL(fileURLWithPath: full))
        if executable { try! FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full) }
    }
    func read(_ rel: String) -> String? {
        FileManager.default.contents(atPath: path + "/" + rel).map { String(decoding: $0, as: UTF8.self) }
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// A rules folder `rules/` with three small rules (independent of the built-in rules).
    func rules() {
        file("rules/test.yml", """
            rules:
              - id: ads.promo-code
                category: ads
                severity: error
                message: "Promo code: “{match}”"
                description: Flags promo codes.
                kind: existence
                scope: line
                patterns: ['\\bpromo code\\b']
              - id: polls.vote
                category: polls
                severity: warning
                message: "Poll: {match}"
                description: Flags polls.
                kind: existence
                scope: line
                patterns: ['\\bvote now\\b']
              - id: boilerplate.rights
                category: boilerplate
                severity: info
                message: "Rights notice"
                description: Flags rights notices.
                kind: existence
                scope: line
                patterns: ['\\ball rights reserved\\b']
            """)
    }
}
