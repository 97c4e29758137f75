import Foundation
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `copydesk` next to the test bundle (swift test builds it), else .build/debug.
let copydeskBinary: URL = {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("copydesk")
    if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
    return packageRoot.appendingPathComponent(".build/debug/copydesk")
}()

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the executable with arguments, optional stdin and environment, from `cwd` (default: the package root).
func copydesk(_ args: [String], stdin: String? = nil, cwd: URL = packageRoot, env: [String: String] = [:]) throws -> RunResult {
    let p = Process()
    p.executableURL = copydeskBinary
    p.arguments = args
    p.currentDirectoryURL = cwd
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "NO_COLOR")
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    let out = Pipe(), input = Pipe()
    // stderr goes to a file so the two streams cannot block each other.
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-stderr-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errURL) }
    let errHandle = try FileHandle(forWritingTo: errURL)
    p.standardOutput = out
    p.standardError = errHandle
    p.standardInput = input
    try p.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read stdout fully before waiting so a large report cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    try errHandle.close()
    let errData = (try? Data(contentsOf: errURL)) ?? Data()
    return RunResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh folder under the temporary directory. The caller removes it:
/// `let dir = try tempDir(); defer { try? FileManager.default.removeItem(at: dir) }`.
func tempDir() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("Command line")
struct CLITests {
    @Test func helpAndVersionExitZero() throws {
        let help = try copydesk(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: copydesk"))
        #expect(help.stdout.contains("lint (default)"))
        let lintHelp = try copydesk(["lint", "--help"])
        #expect(lintHelp.status == 0)
        #expect(lintHelp.stdout.contains("--fail-on"))
        #expect(lintHelp.stdout.contains("--format"))
        let version = try copydesk(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
    }

    @Test func usageErrorsExitTwo() throws {
        let r = try copydesk(["--no-such-flag"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("Unknown option"))
        #expect(try copydesk(["lint", "--format", "yaml", "x.txt"]).status == 2)
        #expect(try copydesk(["lint", "--fail-on", "sometimes", "x.txt"]).status == 2)
    }

    @Test func seedFixtureMatchesGoldenJSONAndExitsOne() throws {
        let r = try copydesk(["Fixtures/seed-article/article.txt", "--format", "json"])
        #expect(r.status == 1)
        let expected = try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/seed-article/expected.json"), encoding: .utf8)
        #expect(r.stdout == expected)
        let text = try copydesk(["lint", "Fixtures/seed-article/article.txt"])
        let expectedText = try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/seed-article/expected.txt"), encoding: .utf8)
        #expect(text.stdout == expectedText)
    }

    @Test func failOnThresholds() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Only a warning-level finding: an unattributed claim.
        try "Reports indicate the plan failed.\n".write(to: dir.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("a.txt").path
        #expect(try copydesk([path, "--headline", "none"]).status == 0)
        #expect(try copydesk([path, "--headline", "none", "--fail-on", "warning"]).status == 1)
        #expect(try copydesk([path, "--headline", "none", "--fail-on", "info"]).status == 1)
        #expect(try copydesk(["Fixtures/seed-article/article.txt", "--fail-on", "never"]).status == 0)
    }

    @Test func missingFileIsReportedAfterTheOthers() throws {
        let r = try copydesk(["no/such/file.txt", "Fixtures/seed-article/article.txt", "--format", "json"])
        #expect(r.status == 2)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let errors = try #require(json["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(errors[0]["path"] as? String == "no/such/file.txt")
        #expect((errors[0]["message"] as? String)?.contains("No such file") == true)
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.count == 1)
        #expect((files[0]["findings"] as? [Any])?.count == 6)
    }

    @Test func stdinIsRead() throws {
        let r = try copydesk(["-", "--format", "json", "--headline", "none"], stdin: "Advertisement\n\nThe mayor spoke on Monday, officials said.\n")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.first?["path"] as? String == "<stdin>")
        #expect(r.status == 1)
    }

    @Test func directoriesAreWalkedSkippingHiddenAndBinary() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent(".hidden"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent(".build"), withIntermediateDirectories: true)
        let ad = "Body text here.\n\nAdvertisement\n"
        for p in ["b.txt", "sub/a.md", ".hidden/x.txt", ".build/y.txt"] {
            try ad.write(to: dir.appendingPathComponent(p), atomically: true, encoding: .utf8)
        }
        try Data([0x50, 0x4E, 0x47, 0x00, 0x01]).write(to: dir.appendingPathComponent("image.png"))
        let r = try copydesk([".", "--format", "json"], cwd: dir)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let paths = (json["files"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
        #expect(paths == ["./b.txt", "./sub/a.md"])
        let skipped = (json["skipped"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
        #expect(skipped == ["./image.png"])
        #expect(r.status == 1)
        // Text output notes the skip.
        let text = try copydesk(["."], cwd: dir)
        #expect(text.stdout.contains("./image.png: skipped: binary file"))
    }

    @Test func colorOnlyWhenAskedAndNeverWithNoColor() throws {
        let plain = try copydesk(["Fixtures/seed-article/article.txt"])
        #expect(!plain.stdout.contains("\u{1B}["))
        let forced = try copydesk(["Fixtures/seed-article/article.txt", "--color", "always"])
        #expect(forced.stdout.contains("\u{1B}["))
        let noColor = try copydesk(["Fixtures/seed-article/article.txt", "--color", "auto"], env: ["NO_COLOR": "1"])
        #expect(!noColor.stdout.contains("\u{1B}["))
    }

    @Test func rulesListAndCheck() throws {
        let list = try copydesk(["rules", "list", "--format", "json"])
        #expect(list.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let rules = try #require(json["rules"] as? [[String: Any]])
        #expect(rules.count >= 60)
        #expect(rules.allSatisfy { ($0["patterns"] as? [String]) != nil })
        // title-line rules carry their shape options; other kinds do not.
        let wire = try #require(rules.first { $0["id"] as? String == "boilerplate.wire-headline" })
        let shape = try #require(wire["titleLine"] as? [String: Any])
        #expect(shape["skipSubheads"] as? Bool == true)
        #expect(shape["minWords"] as? Int == 4)
        #expect(shape["minCapitalized"] as? Double == 0)
        #expect(rules.filter { $0["kind"] as? String != "title-line" }.allSatisfy { $0["titleLine"] == nil })
        let text = try copydesk(["rules", "list"])
        #expect(text.stdout.contains("ads."))
        let check = try copydesk(["rules", "check"])
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("all pass"))
    }

    @Test func brokenRulesDirectory() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        rules:
          - id: ads.bad
            category: ads
            severity: loud
            message: m
            description: d
            kind: existence
            scope: line
            patterns: ['(unclosed']
        """.write(to: dir.appendingPathComponent("bad.yml"), atomically: true, encoding: .utf8)
        let check = try copydesk(["rules", "check", dir.path])
        #expect(check.status == 1)
        #expect(check.stdout.contains("bad.yml:4: rule ads.bad: bad severity 'loud'"))
        #expect(check.stdout.contains("bad.yml:9: rule ads.bad: bad pattern"))
        let lint = try copydesk(["Fixtures/clean-article/article.md", "--rules", dir.path])
        #expect(lint.status == 2)
        #expect(lint.stdout.contains("bad.yml: error: line 4: rule ads.bad: bad severity 'loud'"))
    }

    @Test func rulesFlagReplacesDefaults() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        rules:
          - id: boilerplate.harbor
            category: boilerplate
            severity: error
            message: "Harbor!"
            description: Test rule.
            kind: existence
            scope: sentence
            patterns: ['\\bharbor\\b']
        """.write(to: dir.appendingPathComponent("one.yml"), atomically: true, encoding: .utf8)
        let r = try copydesk(["Fixtures/seed-article/article.txt", "--rules", dir.path, "--format", "json"])
        #expect(r.status == 0)
        let list = try copydesk(["rules", "list", "--rules", dir.path])
        #expect(list.stdout.contains("boilerplate.harbor"))
        #expect(list.stdout.contains("1 rule"))
    }

    @Test func binaryRunsFromAnyDirectoryWithEmbeddedRules() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("copydesk")
        try FileManager.default.copyItem(at: copydeskBinary, to: copy)
        let seed = packageRoot.appendingPathComponent("Fixtures/seed-article/article.txt").path
        let p = Process()
        p.executableURL = copy
        p.arguments = [seed, "--format", "json"]
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((json["summary"] as? [String: Any])?["findings"] as? Int == 6)
    }
}
