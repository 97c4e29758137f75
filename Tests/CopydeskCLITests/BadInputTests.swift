import CopydeskCore
import CopydeskReports
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `copydesk` on bad input mixed with normal articles. Names are kept inside this
/// enum so they cannot clash with other test files.
enum BadInputKit {
    static let root = packageRoot

    /// The executable `swift test` built next to the test bundle, else .build/debug.
    static let binary: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("copydesk").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return root.appendingPathComponent(".build/debug/copydesk").path
    }()

    struct Run {
        var status: Int32
        var stdout: Data
        var stderr: String
        var seconds: Double
        var timedOut: Bool
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `argv` (the binary unless `prefix` wraps it) with outputs in files, killing it after
    /// `timeout` seconds so a hang fails the test instead of blocking the suite.
    static func run(_ args: [String], cwd: URL, env: [String: String] = [:], prefix: [String] = [],
                    stdin: Data? = nil, timeout: Double = 120) throws -> Run {
        let out = cwd.appendingPathComponent(".out-\(UUID().uuidString)")
        let err = cwd.appendingPathComponent(".err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: prefix.first ?? binary)
        p.arguments = prefix.isEmpty ? args : Array(prefix.dropFirst()) + [binary] + args
        p.currentDirectoryURL = cwd
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NO_COLOR")
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        let start = Date()
        try p.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
        var timedOut = false
        if done.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(p.processIdentifier, SIGKILL)
            done.wait()
        }
        return Run(status: p.terminationStatus, stdout: try Data(contentsOf: out),
                   stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self),
                   seconds: Date().timeIntervalSince(start), timedOut: timedOut)
    }

    /// Runs another program (no copydesk involved) and waits for it.
    @discardableResult
    static func sh(_ argv: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o755)
        return url
    }

    /// A small rule set of our own, so the matrix does not depend on the default rules.
    static let rules = """
        rules:
          - id: ads.promo-code
            category: ads
            severity: error
            message: "Promo code: {match}"
            description: A promo code pitch.
            kind: existence
            scope: line
            patterns: ['\\bpromo code\\s+[A-Z0-9]{3,}\\b']
          - id: boilerplate.newsletter
            category: boilerplate
            severity: warning
            message: "Newsletter prompt"
            description: A newsletter sign-up prompt.
            kind: existence
            scope: line
            patterns: ['\\bsign up for our newsletter\\b']
          - id: attribution.experts-say
            category: attribution
            severity: warning
            message: "Unattributed claim"
            description: Claims credited to unnamed experts.
            kind: attribution
            patterns: ['\\bexperts say\\b']
            attributions: ['\\baccording to\\b']

        """

    static let normalA = "Storm Closes Schools\n\nSchools closed across the county on Monday.\n\nUse promo code STORM20 for umbrellas.\n\nExperts say more rain is coming.\n"
    static let normalB = "Crews restored power to most homes by Wednesday, the utility said.\r\nSign up for our newsletter!\r\n"

    /// A folder with the rules (in `rules/`) and two normal articles (in `normal/`). The caller
    /// removes it; if setting it up fails, it is removed here.
    static func setUp() throws -> (dir: URL, normal: [String]) {
        let dir = try tempDir()
        do {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("rules"), withIntermediateDirectories: true)
            try rules.write(to: dir.appendingPathComponent("rules/rules.yml"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("normal"), withIntermediateDirectories: true)
            try normalA.write(to: dir.appendingPathComponent("normal/a.txt"), atomically: true, encoding: .utf8)
            try normalB.write(to: dir.appendingPathComponent("normal/b.md"), atomically: true, encoding: .utf8)
        } catch {
            try? FileManager.default.removeItem(at: dir)
            throw error
        }
        return (dir, ["normal/a.txt", "normal/b.md"])
    }

    static func json(_ data: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// path -> findings (as JSON objects, re-serialized with sorted keys for comparison).
    static func findings(_ report: [String: Any]) -> [String: String] {
        var out: [String: String] = [:]
        for f in report["files"] as? [[String: Any]] ?? [] {
            let data = try? JSONSerialization.data(withJSONObject: f["findings"] ?? [], options: [.sortedKeys])
            out[f["path"] as? String ?? "?"] = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        return out
    }

    /// What happens to the bad inputs: an error, a skip note, linted like any file, or nothing
    /// reported at all (a folder whose content is fine).
    enum Expect { case error, skipped, linted, quiet }

    /// Lints the normal files plus `bad` (paths relative to `dir`) in every report format and
    /// checks: no crash or hang, a report that parses, the normal files' findings as when they
    /// are linted alone, `bad` reported as expected, and exit 2 exactly when an error is reported.
    /// Returns the JSON report for further checks.
    @discardableResult
    static func checkMixed(_ dir: URL, normal: [String], bad: [String], expect: Expect, extraArgs: [String] = [],
                           env: [String: String] = [:], prefix: [String] = [], timeout: Double = 120,
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let base = ["--rules", "rules"] + extraArgs
        let alone = try run(base + normal + ["--format", "json"], cwd: dir, env: env, prefix: prefix)
        #expect(alone.status == 1, "normal files alone: \(alone.stderr)", sourceLocation: sourceLocation)
        let baseline = findings(json(alone.stdout) ?? [:])
        #expect(baseline.count == 2, sourceLocation: sourceLocation)
        var jsonReport: [String: Any] = [:]
        for format in ReportFormat.allCases {
            let r = try run(base + normal + bad + ["--format", format.rawValue], cwd: dir, env: env, prefix: prefix, timeout: timeout)
            let label = "\(bad) as \(format.rawValue)"
            #expect(!r.timedOut, "\(label): still running after \(timeout) s", sourceLocation: sourceLocation)
            #expect(r.status == (expect == .error ? 2 : 1), "\(label): exit \(r.status); stderr: \(r.stderr)", sourceLocation: sourceLocation)
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Sanitizer"), "\(label): \(r.stderr)", sourceLocation: sourceLocation)
            #expect(!r.stdout.isEmpty, "\(label): empty report", sourceLocation: sourceLocation)
            switch format.rawValue {
            case "text":
                let lines = r.text.split(separator: "\n")
                #expect(lines.last?.contains(" in ") == true && lines.last?.contains("finding") == true,
                        "\(label): no summary line", sourceLocation: sourceLocation)
                for b in bad where expect == .error {
                    #expect(r.text.contains("error:") && lines.contains { $0.hasPrefix(b) || $0.contains(b) },
                            "\(label): \(b) not reported", sourceLocation: sourceLocation)
                }
            case "jsonl":
                let lines = r.text.split(separator: "\n")
                #expect(lines.allSatisfy { json(Data($0.utf8)) != nil }, "\(label): a line is not JSON", sourceLocation: sourceLocation)
                #expect(lines.last.flatMap { json(Data($0.utf8))?["type"] as? String } == "summary", "\(label): no summary", sourceLocation: sourceLocation)
            case "github":
                let lines = r.text.split(separator: "\n")
                #expect(lines.dropLast().allSatisfy { $0.hasPrefix("::") }, "\(label): not workflow commands", sourceLocation: sourceLocation)
            case "junit", "checkstyle":
                let parser = XMLParser(data: r.stdout)
                #expect(parser.parse(), "\(label): not well-formed XML: \(String(describing: parser.parserError))", sourceLocation: sourceLocation)
            case let f where f.contains("json") || f.contains("sarif"):
                let report = json(r.stdout)
                #expect(report != nil, "\(label): output is not JSON", sourceLocation: sourceLocation)
                if f == "json", let report {
                    jsonReport = report
                    let got = findings(report)
                    for n in normal { #expect(got[n] == baseline[n], "\(label): findings of \(n) changed", sourceLocation: sourceLocation) }
                    let errors = (report["errors"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
                    let skipped = (report["skipped"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
                    for b in bad {
                        switch expect {
                        case .error: #expect(errors.contains { $0 == b || $0.hasPrefix(b) }, "\(label): no error for \(b): \(errors)", sourceLocation: sourceLocation)
                        case .skipped: #expect(skipped.contains(b), "\(label): \(b) not skipped: \(skipped)", sourceLocation: sourceLocation)
                        case .linted, .quiet: #expect(errors.isEmpty && skipped.isEmpty, "\(label): \(errors) \(skipped)", sourceLocation: sourceLocation)
                        }
                    }
                    let summary = report["summary"] as? [String: Any] ?? [:]
                    let fileCount = summary["files"] as? Int ?? -1
                    let expectedFiles = normal.count + (expect == .linted ? bad.count : 0)
                    #expect(expect == .quiet || fileCount == expectedFiles,
                            "\(label): \(fileCount) files linted, expected \(expectedFiles)", sourceLocation: sourceLocation)
                }
            default:
                break
            }
        }
        return jsonReport
    }
}

@Suite("Bad input", .serialized)
struct BadInputTests {
    @Test func invalidUTF8IsLintedWithExactSpans() throws {
        let (dir, normal) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let forms: [(String, [UInt8])] = [
            ("overlong", [0xC0, 0xAF, 0xE0, 0x80, 0xAF, 0xF0, 0x80, 0x80, 0xAF]),
            ("continuation", [0x80, 0xBF, 0x80]),
            ("truncated", [0xE2, 0x82, 0x20, 0xF0, 0x9F, 0x98]),
            ("surrogate", [0xED, 0xA0, 0x80]),
            ("beyond", [0xF4, 0x90, 0x80, 0x80, 0xFF, 0xFE]),
        ]
        var bad: [String] = []
        for (name, bytes) in forms {
            // Invalid bytes before the finding on its line: the column counts each one as a character.
            let article: [UInt8] = Array("Title Line\n\nOK.\n".utf8) + bytes + Array(" use promo code BAD42 today \u{00E9}".utf8) + bytes + [0x0A]
            try Data(article).write(to: dir.appendingPathComponent("\(name).txt"))
            bad.append("\(name).txt")
        }
        let report = try BadInputKit.checkMixed(dir, normal: normal, bad: bad, expect: .linted)
        for (i, (_, bytes)) in forms.enumerated() {
            let file = (report["files"] as? [[String: Any]] ?? []).first { $0["path"] as? String == bad[i] }
            let f = (file?["findings"] as? [[String: Any]])?.first
            let span = f?["span"] as? [String: Any]
            let start = span?["start"] as? [String: Any]
            #expect(f?["match"] as? String == "promo code BAD42", "\(bad[i])")
            #expect(start?["line"] as? Int == 4)
            #expect(start?["offset"] as? Int == "Title Line\n\nOK.\n".utf8.count + bytes.count + 5)
            // Each invalid byte is one column (maximal valid prefixes aside, none here are valid).
            let scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars.count
            #expect(start?["column"] as? Int == scalars + 6 || start?["column"] as? Int == bytes.count + 6, "\(bad[i]): \(String(describing: start))")
        }
    }

    @Test func binaryFilesAreSkippedWithANote() throws {
        let (dir, normal) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00] + Array("promo code ZIP123".utf8)).write(to: dir.appendingPathComponent("archive.zip"))
        try Data(Array("Looks like text. Use promo code NUL999.\n".utf8) + [0x00] + Array("more".utf8)).write(to: dir.appendingPathComponent("nul.txt"))
        try BadInputKit.checkMixed(dir, normal: normal, bad: ["archive.zip", "nul.txt"], expect: .skipped)
        let text = try BadInputKit.run(["--rules", "rules", "nul.txt"], cwd: dir)
        #expect(text.status == 0)
        #expect(text.text.contains("nul.txt: skipped: binary file"))
        // A character device that streams NUL bytes is read only until the first one.
        let zero = try BadInputKit.run(["--rules", "rules", "/dev/zero", "--format", "json"], cwd: dir, timeout: 30)
        #expect(!zero.timedOut && zero.status == 0)
        #expect(BadInputKit.json(zero.stdout)?["skipped"] as? [[String: Any]] != nil)
    }

    @Test func emptyCROnlyAndBOMFiles() throws {
        let (dir, normal) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data().write(to: dir.appendingPathComponent("empty.txt"))
        try Data("Title\r\rFirst line.\rUse promo code CR1234 now.\r".utf8).write(to: dir.appendingPathComponent("cr.txt"))
        try Data([0xEF, 0xBB, 0xBF] + Array("Use promo code BOM777 now.\n".utf8)).write(to: dir.appendingPathComponent("bom.txt"))
        try Data([0xEF, 0xBB, 0xBF]).write(to: dir.appendingPathComponent("bom-only.md"))
        try Data("\n\n\r\n   \t\n".utf8).write(to: dir.appendingPathComponent("blank.md"))
        let report = try BadInputKit.checkMixed(dir, normal: normal, bad: ["empty.txt", "cr.txt", "bom.txt", "bom-only.md", "blank.md"], expect: .linted,
                                                extraArgs: ["--headline", "none"])
        func start(_ path: String) -> [String: Int]? {
            let file = (report["files"] as? [[String: Any]] ?? []).first { $0["path"] as? String == path }
            let f = (file?["findings"] as? [[String: Any]])?.first
            return ((f?["span"] as? [String: Any])?["start"] as? [String: Int])
        }
        #expect(start("cr.txt") == ["line": 4, "column": 5, "offset": 23])
        // The BOM is not a column: "Use " puts the match at column 5 of line 1, byte 7.
        #expect(start("bom.txt") == ["line": 1, "column": 5, "offset": 7])
    }

    @Test func unreadableFileIsAnErrorAndTheRunGoesOn() throws {
        let (dir, normal) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let locked = dir.appendingPathComponent("locked.txt")
        try "Use promo code LOCK99 now.\n".write(to: locked, atomically: true, encoding: .utf8)
        chmod(locked.path, 0o000)
        var prefix: [String] = []
        if geteuid() == 0 {
            // Root reads anything: run as nobody when the machine lets us, so the mode bits count.
            let setpriv = "/usr/bin/setpriv"
            let args = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
            if FileManager.default.isExecutableFile(atPath: setpriv),
               let probe = try? BadInputKit.run(["--version"], cwd: dir, prefix: args), probe.status == 0 {
                prefix = args
            }
        }
        if geteuid() != 0 || !prefix.isEmpty {
            try BadInputKit.checkMixed(dir, normal: normal, bad: ["locked.txt"], expect: .error, prefix: prefix)
            let r = try BadInputKit.run(["--rules", "rules", "locked.txt"], cwd: dir, prefix: prefix)
            #expect(r.text.contains("locked.txt: error: Permission denied"))
        }
        // A file whose read fails (EIO), readable by permission bits even for root.
        if FileManager.default.fileExists(atPath: "/proc/self/mem") {
            let r = try BadInputKit.run(["--rules", "rules", "/proc/self/mem", "normal/a.txt", "--format", "json"], cwd: dir)
            #expect(r.status == 2)
            let errors = BadInputKit.json(r.stdout)?["errors"] as? [[String: Any]] ?? []
            #expect(errors.first?["path"] as? String == "/proc/self/mem")
            #expect(BadInputKit.findings(BadInputKit.json(r.stdout) ?? [:])["normal/a.txt"] != nil)
        }
    }

    @Test func missingPathAndSymlinkLoops() throws {
        let (dir, normal) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try BadInputKit.checkMixed(dir, normal: normal, bad: ["no/such/file.txt"], expect: .error)
        symlink("loop-b", dir.appendingPathComponent("loop-a").path)
        symlink("loop-a", dir.appendingPathComponent("loop-b").path)
        symlink("self", dir.appendingPathComponent("self").path)
        try BadInputKit.checkMixed(dir, normal: normal, bad: ["loop-a", "self"], expect: .error)
        let r = try BadInputKit.run(["--rules", "rules", "self"], cwd: dir)
        #expect(r.text.contains("self: error: Too many levels of symbolic links"))
        // Inside a walked folder, symlinks (loops included) are not followed.
        let tree = dir.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try "Use promo code TREE11 now.\n".write(to: tree.appendingPathComponent("sub/article.txt"), atomically: true, encoding: .utf8)
        symlink("..", tree.appendingPathComponent("sub/up").path)
        symlink("loop", tree.appendingPathComponent("loop").path)
        let walked = try BadInputKit.run(["--rules", "rules", "tree", "--format", "json", "--headline", "none"], cwd: dir, timeout: 60)
        #expect(!walked.timedOut && walked.status == 1)
        #expect(Array(BadInputKit.findings(BadInputKit.json(walked.stdout) ?? [:]).keys) == ["tree/sub/article.txt"])
    }

    @Test func fifosNeverHangTheRun() throws {
        let (dir, normal) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe.txt")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        // Named, with no writer: reported after the stream timeout, the rest linted.
        let report = try BadInputKit.checkMixed(dir, normal: normal, bad: ["pipe.txt"], expect: .error,
                                                env: ["COPYDESK_FIFO_TIMEOUT": "1"], timeout: 60)
        let message = (report["errors"] as? [[String: Any]])?.first?["message"] as? String ?? ""
        #expect(message.contains("FIFO: no input within 1 s"), "\(message)")
        // Inside a walked folder: not a regular file, so not opened at all (no wait).
        let tree = dir.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        #expect(mkfifo(tree.appendingPathComponent("inner.txt").path, 0o644) == 0)
        try "Use promo code WALK22 now.\n".write(to: tree.appendingPathComponent("x.txt"), atomically: true, encoding: .utf8)
        let walked = try BadInputKit.run(["--rules", "rules", "tree", "--headline", "none"], cwd: dir, timeout: 30)
        #expect(!walked.timedOut && walked.status == 1 && walked.seconds < 20)
        // Named, with a writer that shows up late and writes slowly: read to its end.
        let writer = Thread {
            Thread.sleep(forTimeInterval: 0.5)
            let fd = open(fifo.path, O_WRONLY)
            guard fd >= 0 else { return }
            for part in ["Use promo code ", "FIFO42 now.\n"] {
                _ = part.withCString { write(fd, $0, strlen($0)) }
                Thread.sleep(forTimeInterval: 0.3)
            }
            close(fd)
        }
        writer.start()
        let fed = try BadInputKit.run(["--rules", "rules", "pipe.txt", "--headline", "none", "--format", "json"], cwd: dir,
                                      env: ["COPYDESK_FIFO_TIMEOUT": "10"], timeout: 60)
        #expect(fed.status == 1, "\(fed.stderr)")
        #expect(BadInputKit.findings(BadInputKit.json(fed.stdout) ?? [:])["pipe.txt"]?.contains("FIFO42") == true)
    }

    @Test func oddFileNames() throws {
        let (dir, normal) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let names = ["with space.txt", "quote\"d 'name'.txt", "naïve – ünïcödé 日本語 🎉.txt", "tab\tand\nnewline.md",
                     "-starts-with-dash.txt", "back\\slash.txt", "control\u{01}\u{1B}[1mchars.txt", "amp&<lt>.md"]
        for n in names {
            try "Use promo code ODD777 now.\n".write(to: dir.appendingPathComponent(n), atomically: true, encoding: .utf8)
        }
        let bad = names.map { $0.hasPrefix("-") ? "./" + $0 : $0 }
        let report = try BadInputKit.checkMixed(dir, normal: normal, bad: bad, expect: .linted, extraArgs: ["--headline", "none"])
        let got = BadInputKit.findings(report)
        for b in bad { #expect(got[b]?.contains("ODD777") == true, "\(b) missing from \(got.keys.sorted())") }
        // A name that is not UTF-8 (Latin-1 bytes) found while walking: reported, never misread.
        let tree = dir.appendingPathComponent("latin1")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        let raw: [CChar] = Array(tree.path.utf8CString.dropLast()) + [0x2F, 0x63, 0x61, 0x66, CChar(bitPattern: 0xE9), 0x2E, 0x74, 0x78, 0x74, 0]
        let fd = open(raw, O_CREAT | O_WRONLY, 0o644)
        #expect(fd >= 0)
        _ = "Use promo code LAT111 now.\n".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        let walked = try BadInputKit.run(["--rules", "rules", "latin1", "--format", "json"], cwd: dir)
        #expect(walked.status == 2)
        let message = ((BadInputKit.json(walked.stdout)?["errors"] as? [[String: Any]])?.first?["message"] as? String) ?? ""
        #expect(message.contains("not valid UTF-8"), "\(message)")
    }

    @Test func veryLongPaths() throws {
        let (dir, normal) = try BadInputKit.setUp()
        defer { _ = try? BadInputKit.sh(["/bin/rm", "-rf", dir.path]) }
        // Nested 200-byte folder names: a path of about 3,800 bytes still works...
        let component = String(repeating: "d", count: 200)
        var rel = "deep"
        for _ in 0..<18 { rel += "/" + component }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(rel), withIntermediateDirectories: true)
        let longName = String(repeating: "n", count: 250) + ".txt"
        try "Use promo code DEEP55 now.\n".write(to: dir.appendingPathComponent(rel + "/" + longName), atomically: true, encoding: .utf8)
        let report = try BadInputKit.checkMixed(dir, normal: normal, bad: ["deep"], expect: .linted, extraArgs: ["--headline", "none"])
        #expect(BadInputKit.findings(report).keys.contains { $0.hasSuffix(longName) })
        // ...and one longer than PATH_MAX (made with relative steps) is an error, not a crash.
        var fd = open(dir.path, O_RDONLY | O_DIRECTORY)
        for name in ["toolong"] + Array(repeating: component, count: 24) {
            #expect(mkdirat(fd, name, 0o755) == 0)
            let child = openat(fd, name, O_RDONLY | O_DIRECTORY)
            close(fd)
            fd = child
        }
        let file = openat(fd, "article.txt", O_CREAT | O_WRONLY, 0o644)
        #expect(file >= 0)
        _ = "Use promo code LONG66 now.\n".withCString { write(file, $0, strlen($0)) }
        close(file)
        close(fd)
        try BadInputKit.checkMixed(dir, normal: normal, bad: ["toolong"], expect: .error)
    }

    /// 100,000 small files, with the descriptor limit lowered to 64: files are opened one at a
    /// time per worker and closed, so the limit is never reached. The full count runs when
    /// COPYDESK_SLOW_TESTS=1; the normal suite uses 5,000.
    @Test func manySmallFilesDoNotExhaustDescriptors() throws {
        let count = ProcessInfo.processInfo.environment["COPYDESK_SLOW_TESTS"] == "1" ? 100_000 : 5_000
        let (dir, normal) = try BadInputKit.setUp()
        defer { _ = try? BadInputKit.sh(["/bin/rm", "-rf", dir.path]) }
        let many = dir.appendingPathComponent("many")
        for folder in 0..<(count / 1000) {
            let sub = many.appendingPathComponent(String(format: "%03d", folder))
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            for i in 0..<1000 {
                let body = i % 100 == 0 ? "Use promo code MANY\(i) now.\n" : "Article \(folder)-\(i).\n"
                FileManager.default.createFile(atPath: sub.appendingPathComponent("f\(i).txt").path, contents: Data(body.utf8))
            }
        }
        let limit = ["/bin/sh", "-c", "ulimit -n 64 && exec \"$@\"", "sh"]
        let report = try BadInputKit.checkMixed(dir, normal: normal, bad: ["many"], expect: .quiet,
                                                extraArgs: ["--headline", "none"], prefix: limit, timeout: 900)
        let summary = report["summary"] as? [String: Any] ?? [:]
        #expect(summary["files"] as? Int == count + 2)
        #expect(summary["filesWithFindings"] as? Int == count / 100 + 2)
        #expect(summary["errors"] as? Int == 0)
    }

    /// A 200 MB article on one line: linted in bounded time and memory, with bounded output.
    /// Runs when COPYDESK_BIG_TESTS=1 (it takes about a minute and writes 200 MB to /tmp).
    @Test func twoHundredMegabyteSingleLine() throws {
        guard ProcessInfo.processInfo.environment["COPYDESK_BIG_TESTS"] == "1" else { return }
        let (dir, normal) = try BadInputKit.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let size = 200 * 1024 * 1024
        let sentence = Array("The council said the budget vote would come next week after months of debate. ".utf8)
        var bytes = Array("Sign up for our newsletter! Use promo code HUGE200 now. ".utf8)
        bytes.reserveCapacity(size + 200)
        while bytes.count < size { bytes.append(contentsOf: sentence) }
        bytes.append(contentsOf: Array(" Sign up for our newsletter!".utf8))
        try Data(bytes).write(to: dir.appendingPathComponent("huge.txt"))
        bytes = []
        var before = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &before)
        let report = try BadInputKit.checkMixed(dir, normal: normal, bad: ["huge.txt"], expect: .linted, timeout: 900)
        var after = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &after)
        // ru_maxrss of children: the largest child so far, in KiB.
        #expect(after.ru_maxrss < 3 * 1024 * 1024, "peak memory \(after.ru_maxrss / 1024) MiB")
        let huge = (report["files"] as? [[String: Any]] ?? []).first { $0["path"] as? String == "huge.txt" }
        let findings = huge?["findings"] as? [[String: Any]] ?? []
        #expect(findings.count == 2)
        for f in findings { #expect((f["match"] as? String ?? "").utf8.count <= Linter.maxMatchBytes + 8) }
        let text = try BadInputKit.run(["--rules", "rules", "huge.txt"], cwd: dir, timeout: 900)
        #expect(text.stdout.count < 100_000, "text report of \(text.stdout.count) bytes")
    }
}
