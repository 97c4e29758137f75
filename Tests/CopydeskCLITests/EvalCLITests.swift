import Foundation
import Testing
import CopydeskTestSupport

/// Runs the built `copydesk` binary (next to the test bundle in .build) on tiny datasets and rule
/// files written here, never the shared data or the default rules.
@Suite("copydesk eval and --stats (CLI)")
final class EvalCLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func binary() throws -> URL {
        if let env = ProcessInfo.processInfo.environment["COPYDESK_BIN"] { return URL(fileURLWithPath: env) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent("copydesk")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw CLIError(message: "copydesk binary not found near \(CommandLine.arguments[0]); build it (swift build) or set COPYDESK_BIN")
    }
    struct CLIError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    let dir: URL

    /// Each test gets its own instance and folder; `deinit` removes the folder when the test ends,
    /// and a failed `init` removes it itself.
    init() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-eval-cli-\(UUID().uuidString)")
        self.dir = dir
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("rules"), withIntermediateDirectories: true)
            try write("rules/test.yml", Self.rules)
        } catch {
            try? FileManager.default.removeItem(at: dir)
            throw error
        }
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ contents: String) throws {
        try contents.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func run(_ args: [String], stdin: String? = nil) throws -> Run {
        let p = Process()
        p.executableURL = try Self.binary()
        p.arguments = args
        let out = dir.appendingPathComponent("out-\(UUID().uuidString)"), err = dir.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        if let stdin {
            let input = dir.appendingPathComponent("in-\(UUID().uuidString)")
            try stdin.write(to: input, atomically: true, encoding: .utf8)
            p.standardInput = try FileHandle(forReadingFrom: input)
        } else {
            p.standardInput = FileHandle.nullDevice
        }
        try p.run()
        p.waitUntilExit()
        return Run(status: p.terminationStatus,
                   stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    static let rules = EvalTestRules.file(EvalTestRules.you, EvalTestRules.newsletter(scope: "standalone-line"),
                                              EvalTestRules.promo(scope: "standalone-line"))

    static let headlines = "clickbait\theadline\n1\tYou Won't Believe This\n1\tDogs Are Great\n0\tThank you, voters\n0\tSenate passes budget\n0\tMarkets fall\n"

    @Test func headlinesTextReport() throws {
        try write("h.tsv", Self.headlines)
        let r = try run(["eval", path("h.tsv"), "--unit", "headline", "--text-field", "headline", "--label-field", "clickbait",
                         "--rules", path("rules"), "--show-errors", "5"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("category   positives  negatives  TP  FP  FN  TN  precision  recall     F1\nclickbait          2          3   1   1   1   2      0.500   0.500  0.500\n"))
        #expect(r.stdout.contains("False positives, clickbait: 1\n"))
        #expect(r.stdout.contains("h.tsv:4  label 0  [clickbait.you]\n    Thank you, voters\n    clickbait.you «you»\n"))
        #expect(r.stdout.contains("False negatives, clickbait: 1\n"))
        #expect(r.stdout.contains("    Dogs Are Great\n    (nothing fired)\n"))
        #expect(r.stderr.isEmpty)
    }

    @Test func jsonReportAndStats() throws {
        try write("h.tsv", Self.headlines)
        let r = try run(["eval", path("h.tsv"), "--unit", "headline", "--text-field", "headline", "--label-field", "clickbait",
                         "--rules", path("rules"), "--format", "json", "--stats", "--split", "dev"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let dataset = try #require(obj["dataset"] as? [String: Any])
        #expect(dataset["items"] as? Int == 4)
        #expect(dataset["split"] as? String == "dev")
        let stats = try #require(obj["stats"] as? [String: Any])
        #expect(stats["documents"] as? Int == 4)
        let rules = try #require(stats["rules"] as? [[String: Any]])
        #expect(rules.map { $0["id"] as? String } == ["ads.promo", "boilerplate.newsletter", "clickbait.you"])
        #expect(rules.first { $0["id"] as? String == "clickbait.you" }?["matches"] as? Int == 1)
        #expect(r.stderr.isEmpty)
    }

    @Test func statsTableGoesToStderrForText() throws {
        try write("h.tsv", Self.headlines)
        let r = try run(["eval", path("h.tsv"), "--unit", "headline", "--text-field", "headline", "--label-field", "clickbait",
                         "--rules", path("rules"), "--stats"])
        #expect(r.status == 0)
        #expect(r.stderr.hasPrefix("rule "))
        #expect(r.stderr.contains("clickbait.you"))
        #expect(r.stderr.contains("3 rules over 5 documents"))
        #expect(!r.stdout.contains("time ms"))
    }

    @Test func boilerplateLinesFromStdin() throws {
        let data = """
        {"id": "a", "text": "Sign up for our newsletter", "label": "newsletter"}
        {"id": "b", "text": "Use promo code SAVE", "label": "ad"}
        {"id": "c", "text": "Menu | Home", "label": "other-boilerplate"}
        {"id": "d", "text": "He wrote a newsletter.", "label": "content"}
        """
        let r = try run(["eval", "-", "--unit", "line", "--rules", path("rules")], stdin: data)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("<stdin> (jsonl): unit line, split all\n4 items of 4 rows"))
        #expect(r.stdout.contains("By label"))
        #expect(r.stdout.contains("\nall "))
        #expect(r.stdout.contains("  newsletter         boilerplate      1      1   1.000        1\n"))
    }

    @Test func unlabeledArticles() throws {
        let data = """
        {"title": "You Must See", "text": "Lede.\\n\\nSign up for our newsletter\\n", "label": "fake"}
        {"title": "Senate Votes", "text": "Nothing to see.\\n", "label": "real"}
        """
        try write("a.jsonl", data)
        let r = try run(["eval", path("a.jsonl"), "--unit", "article", "--no-labels", "--category", "ads,boilerplate",
                         "--rules", path("rules"), "--show-errors", "5"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("category     findings  items  per 100 items\nads                 0      0           0.00\nboilerplate         1      1          50.00\ntotal               1      1          50.00\n"))
        #expect(r.stdout.contains("Findings to review, boilerplate: 1\n"))
        #expect(r.stdout.contains("    title: You Must See\n    5:17 boilerplate.newsletter «newsletter»\n      Sign up for our newsletter\n"))
        // Without --no-labels the fake/real field is refused, naming the values.
        let refused = try run(["eval", path("a.jsonl"), "--unit", "article", "--rules", path("rules")])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("'fake' (1 row), 'real' (1 row)"))
        #expect(refused.stdout.isEmpty)
    }

    @Test func clearErrors() throws {
        try write("h.tsv", Self.headlines)
        let noColumn = try run(["eval", path("h.tsv"), "--unit", "headline", "--rules", path("rules")])
        #expect(noColumn.status == 2)
        #expect(noColumn.stderr.contains("h.tsv: no column 'text', 'label' in the header (columns: clickbait, headline)"))
        #expect(noColumn.stderr.contains("--text-field"))
        let missing = try run(["eval", path("nope.tsv"), "--unit", "headline", "--rules", path("rules")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.tsv: No such file or directory"))
        let badCategory = try run(["eval", path("h.tsv"), "--unit", "headline", "--category", "spam"])
        #expect(badCategory.status == 2)
        #expect(badCategory.stderr.contains("unknown category 'spam'"))
        let badMap = try run(["eval", path("h.tsv"), "--unit", "headline", "--label-map", "1=spam"])
        #expect(badMap.status == 2)
        #expect(badMap.stderr.contains("unknown target 'spam'"))
        let directory = try run(["eval", dir.path, "--unit", "line"])
        #expect(directory.status == 2)
        #expect(directory.stderr == "copydesk: \(dir.path): is a directory\n")
        try write("empty.tsv", "headline\tclickbait\n\n")
        let empty = try run(["eval", path("empty.tsv"), "--unit", "headline", "--text-field", "headline", "--label-field", "clickbait"])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("empty.tsv: no data rows after the header"))
        let noUnit = try run(["eval", path("h.tsv")])
        #expect(noUnit.status == 2)
        #expect(noUnit.stderr.contains("--unit"))
    }

    @Test func badRowsAreListedAndExitTwo() throws {
        try write("bad.tsv", "headline\tclickbait\nYou Win\t1\nbroken row without tab\nCalm\t0\n")
        let r = try run(["eval", path("bad.tsv"), "--unit", "headline", "--text-field", "headline", "--label-field", "clickbait",
                         "--rules", path("rules")])
        #expect(r.status == 2)
        #expect(r.stdout.contains("2 items of 3 rows"))
        #expect(r.stdout.contains("Skipped rows: 1\n  \(path("bad.tsv")):3: 1 field, the header has 2"))
    }

    @Test func lintStats() throws {
        try write("a.txt", "Lede.\n\nSign up for our newsletter\n")
        let text = try run(["lint", path("a.txt"), "--rules", path("rules"), "--stats", "--fail-on", "never"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("boilerplate.newsletter"))
        #expect(text.stderr.contains("boilerplate.newsletter"))
        #expect(text.stderr.contains("3 rules over 1 document;"))
        let json = try run(["lint", path("a.txt"), "--rules", path("rules"), "--stats", "--format", "json", "--fail-on", "never"])
        #expect(json.status == 0)
        #expect(json.stderr.isEmpty)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let stats = try #require(obj["stats"] as? [String: Any])
        let newsletter = try #require((stats["rules"] as? [[String: Any]])?.first { $0["id"] as? String == "boilerplate.newsletter" })
        #expect(newsletter["matches"] as? Int == 1)
        #expect(newsletter["findings"] as? Int == 1)
        #expect(newsletter["timeMs"] is Double)
        let plain = try run(["lint", path("a.txt"), "--rules", path("rules"), "--format", "json", "--fail-on", "never"])
        #expect(!plain.stdout.contains("\"stats\""))
    }
}
