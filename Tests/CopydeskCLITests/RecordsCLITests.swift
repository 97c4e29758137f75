import Foundation
import Testing

/// `copydesk lint --records jsonl` and `copydesk clean --records jsonl` end to end.
@Suite("Records command line")
struct RecordsCLITests {
    static let seed = (try? String(contentsOf: packageRoot.appendingPathComponent("Fixtures/seed-article/article.txt"), encoding: .utf8)) ?? ""

    static func record(_ id: String, _ text: String, extra: String = "") throws -> String {
        let data = try JSONSerialization.data(withJSONObject: ["t": text], options: [.withoutEscapingSlashes])
        let value = String(decoding: data, as: UTF8.self).dropFirst(5).dropLast()   // {"t":VALUE}
        return "{\"id\": \"\(id)\"\(extra), \"text\": \(value)}"
    }

    static func lines(_ s: String) throws -> [[String: Any]] {
        try s.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func lintJSONLinesFromStandardInput() throws {
        let input = [try Self.record("a", Self.seed), "{\"id\": \"b\", \"text\": 3}", try Self.record("c", "The council met.\n"), "{bad"].joined(separator: "\n") + "\n"
        let r = try copydesk(["lint", "--records", "jsonl", "--format", "jsonl", "-"], stdin: input)
        #expect(r.status == 2, "\(r.stderr)")   // malformed lines are errors (after everything else)
        let out = try Self.lines(r.stdout)
        #expect(out.count == 5)
        #expect(out.prefix(4).map { $0["line"] as? Int } == [1, 2, 3, 4])
        #expect(out[0]["id"] as? String == "a" && (out[0]["findings"] as? [Any])?.count == 6)
        let e1 = try #require((out[1]["errors"] as? [[String: Any]])?.first?["message"] as? String)
        #expect(e1 == "line 2: field \"text\" is a number, not a string")
        let e3 = try #require((out[3]["errors"] as? [[String: Any]])?.first?["message"] as? String)
        #expect(e3.hasPrefix("line 4: bad JSON"))
        #expect(out[4]["type"] as? String == "summary" && out[4]["records"] as? Int == 4 && out[4]["errors"] as? Int == 2)
        // Without bad lines: exit 1 for the findings (errors by default), 0 with --fail-on never.
        let good = try copydesk(["lint", "--records", "jsonl", "--format", "jsonl"], stdin: try Self.record("a", Self.seed) + "\n")
        #expect(good.status == 1)
        let never = try copydesk(["lint", "--records", "jsonl", "--format", "jsonl", "--fail-on", "never"], stdin: try Self.record("a", Self.seed))
        #expect(never.status == 0 && never.stdout.contains("\"type\":\"summary\""))
    }

    @Test func jsonReportHasOneEntryPerRecord() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.jsonl")
        let input = [try Self.record("first", Self.seed), try Self.record("second", "Fine.\n"), try Self.record("third", "Use promo code SAVE20 at checkout.\n")]
        try Data(input.joined(separator: "\n").utf8).write(to: file)
        let r = try copydesk(["lint", "--records", "jsonl", "--format", "json", "--fail-on", "never", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.map { $0["path"] as? String } == ["first", "third"])   // input order; no findings: not listed
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["files"] as? Int == 3 && report["version"] as? Int == 1)
        // Text output names records by id.
        let text = try copydesk(["lint", "--records", "jsonl", "--format", "text", "--color", "never", file.path])
        #expect(text.status == 1 && text.stdout.contains("third:1:"))
    }

    @Test func gzipInputAndUnreadableFiles() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.jsonl")
        try Data((try Self.record("a", Self.seed) + "\n").utf8).write(to: file)
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/bin/sh")
        gz.arguments = ["-c", "gzip -k '\(file.path)'"]
        try gz.run(); gz.waitUntilExit()
        let plain = try copydesk(["lint", "--records", "jsonl", "--format", "jsonl", file.path])
        let packed = try copydesk(["lint", "--records", "jsonl", "--format", "jsonl", file.path + ".gz"])
        #expect(packed.status == 1 && packed.stdout == plain.stdout)
        let missing = try copydesk(["lint", "--records", "jsonl", "--format", "jsonl", file.path + ".gz", dir.appendingPathComponent("none.jsonl").path])
        #expect(missing.status == 2 && missing.stderr.contains("none.jsonl: cannot open"))
        #expect(try Self.lines(missing.stdout).count == 2)
    }

    @Test func unsupportedCombinationsAreUsageErrors() throws {
        let r = try copydesk(["lint", "--records", "jsonl", "--format", "sarif", "-"], stdin: "")
        #expect(r.status == 2 && r.stderr.contains("not supported with records"))
        let c = try copydesk(["clean", "--records", "jsonl", "--in-place", "x.jsonl"])
        #expect(c.status == 2 && c.stderr.contains("--in-place"))
        let help = try copydesk(["lint", "--help"])
        for option in ["--records", "--id-field", "--text-field", "--title-field", "--html-field"] { #expect(help.stdout.contains(option)) }
    }

    @Test func cleanWritesTheRecordsBack() throws {
        let first = try Self.record("a", Self.seed, extra: ", \"n\": 1.50, \"meta\": {\"z\": 1, \"a\": [true, null]}")
        let second = "{\"text\":\"The council met.\",\"id\":2}"
        let r = try copydesk(["clean", "--records", "jsonl", "-"], stdin: first + "\n" + second + "\n{bad\n")
        #expect(r.status == 2)   // the bad line is named and passed through
        #expect(r.stderr.contains("line 3: bad JSON") && r.stderr.contains("1 record cleaned"))
        let out = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(out.count == 4 && out[3] == "")
        #expect(out[0].hasPrefix("{\"id\": \"a\", \"n\": 1.50, \"meta\": {\"z\": 1, \"a\": [true, null]}, \"text\": \""))
        #expect(!out[0].contains("Promo Code MERICA") && out[0].contains("Reports indicate"))
        #expect(out[1] == second && out[2] == "{bad")
    }
}
