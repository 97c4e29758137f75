import Foundation
import Testing
@testable import CopydeskCore
@testable import CopydeskReports
@testable import CopydeskWorkflow
import CopydeskTestSupport
import CopydeskDefaultRules

/// Records mode (issue 13): JSON Lines in and out.
@Suite("Records")
struct RecordsTests {
    static let engine = Engine()
    static let seed = (try? String(contentsOf: packageRoot.appendingPathComponent("Fixtures/seed-article/article.txt"), encoding: .utf8)) ?? ""

    static func line(_ s: String, _ n: Int = 1) -> Records.Line { Records.Line(source: "-", number: n, bytes: Array(s.utf8)) }

    static func jsonString(_ s: String) -> String {
        var out: [UInt8] = []
        JSONLine.encodeString(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The output lines as JSON objects.
    static func objects(_ bytes: [UInt8]) throws -> [[String: Any]] {
        try String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    // MARK: JSON scanning

    @Test func scansMembersInOrderWithRanges() throws {
        let j = try JSONLine(Array(#"  {"b": 1.50, "a": "x\"y\u00e9\ud83c\udf89", "c": [1, {"d": null}], "e": true}  "#.utf8))
        #expect(j.members.map { String(decoding: j.bytes[$0.rawKey], as: UTF8.self) } == ["b", "a", "c", "e"])
        let b = try #require(j.member("b"))
        #expect(b.kind == .number && String(decoding: j.raw(b), as: UTF8.self) == "1.50")
        let a = try #require(j.member("a"))
        #expect(String(decoding: j.text(a), as: UTF8.self) == "x\"yé🎉")
        #expect(j.member("c")?.kind == .array && j.member("e")?.kind == .boolean)
        // A lone surrogate decodes as U+FFFD; the last of repeated keys counts; escaped keys match.
        let k = try JSONLine(Array(#"{"t": "a\ud800b", "t": "second", "\u0069d": 7}"#.utf8))
        #expect(String(decoding: k.text(try #require(k.member("t"))), as: UTF8.self) == "second")
        #expect(String(decoding: k.raw(try #require(k.member("id"))), as: UTF8.self) == "7")
        let l = try JSONLine(Array(#"{"t": "a\ud800b"}"#.utf8))
        #expect(String(decoding: l.text(try #require(l.member("t"))), as: UTF8.self) == "a\u{FFFD}b")
    }

    @Test func rejectsMalformedLinesWithAColumn() {
        let bad: [(String, String)] = [
            (#"{"a": 1,}"#, "expected a key"),
            (#"{"a": 01}"#, "leading zero"),
            (#"{"a": "x"#, "unterminated string"),
            (#"["a"]"#, "must be a JSON object"),
            (#"{"a": 'x'}"#, "unexpected character"),
            (#"{"a": 1} x"#, "more after the object"),
            ("{\"a\": \"tab\there\"}", "control character"),
            (#"{"a": "\x"}"#, "bad escape"),
            (#"{"a": NaN}"#, "unexpected character"),
        ]
        for (line, expected) in bad {
            do {
                _ = try JSONLine(Array(line.utf8))
                Issue.record("accepted \(line)")
            } catch {
                #expect(error.message.contains(expected), "\(line): \(error.message)")
                #expect(error.column >= 1 && error.column <= line.utf8.count + 1)
            }
        }
    }

    @Test func encodesStringsRoundTrip() throws {
        let s = "quote \" backslash \\ tab \t nl \n cr \r nul \u{0} é 🎉 / end"
        var out = Array("{\"t\":".utf8)
        JSONLine.encodeString(s, into: &out)
        out.append(UInt8(ascii: "}"))
        let j = try JSONLine(out)
        #expect(String(decoding: j.text(try #require(j.member("t"))), as: UTF8.self) == s)
        let foundation = try #require(JSONSerialization.jsonObject(with: Data(out)) as? [String: String])
        #expect(foundation["t"] == s)
    }

    // MARK: linting records

    @Test func lintsARecordLikeTheEngine() throws {
        let json = "{\"id\": \"a1\", \"text\": \(RecordsTests.jsonString(RecordsTests.seed))}"
        let r = Records.lint(RecordsTests.line(json), engine: RecordsTests.engine, options: .init())
        let direct = RecordsTests.engine.lint(Article(text: RecordsTests.seed, path: "a1"))
        #expect(r.report == direct.report)
        #expect(r.report.path == "a1" && r.report.findings.count == 6)
        let out = try RecordsTests.objects(Records.jsonLine(r))
        #expect(out.count == 1)
        #expect(out[0]["id"] as? String == "a1" && out[0]["line"] as? Int == 1)
        let findings = try #require(out[0]["findings"] as? [[String: Any]])
        #expect(findings.count == 6 && findings.allSatisfy { $0["field"] as? String == "text" })
        #expect((out[0]["errors"] as? [Any])?.isEmpty == true)
        // Keys: id first, then line, findings, errors.
        let text = String(decoding: Records.jsonLine(r), as: UTF8.self)
        #expect(text.hasPrefix("{\"id\":\"a1\",\"line\":1,\"findings\":[{\"category\":"))
    }

    @Test func spansAreRelativeToTheFieldTheyAreIn() throws {
        let title = "You Won't Believe What The Council Did"
        let body = "The council met on Tuesday.\n\nUse promo code SAVE20 at checkout.\n"
        for reader in [DocumentFormat.text, .markdown] {
            let json = "{\"id\": 42, \"title\": \(RecordsTests.jsonString(title)), \"text\": \(RecordsTests.jsonString(body))}"
            let r = Records.lint(RecordsTests.line(json, 3), engine: RecordsTests.engine, options: .init(reader: reader))
            let fields = r.fieldFindings
            let t = try #require(fields.first { $0.field == "title" }, "\(reader)")
            let b = try #require(fields.first { $0.field == "text" && $0.finding.category == .ads }, "\(reader)")
            #expect(t.finding.span.start.line == 1)
            #expect(String(decoding: Array(title.utf8)[t.finding.byteRange], as: UTF8.self) == t.finding.match, "\(reader)")
            #expect(b.finding.span.start.line == 3 && b.finding.span.start.column == 5 && b.finding.span.start.offset == 33)
            #expect(String(decoding: Array(body.utf8)[b.finding.byteRange], as: UTF8.self) == b.finding.match)
            #expect(String(decoding: Records.jsonLine(r), as: UTF8.self).hasPrefix("{\"id\":42,\"line\":3,"))
        }
        // HTML: the html field is read with the HTML reader; a title with & < > maps back.
        let html = "<p>The council met on Tuesday.</p>\n<p>Use promo code SAVE20 at checkout.</p>\n"
        let htmlTitle = "Q&A: You Won't Believe What The Council Did"
        let json = "{\"id\": \"h\", \"title\": \(RecordsTests.jsonString(htmlTitle)), \"html\": \(RecordsTests.jsonString(html)), \"text\": 5}"
        let r = Records.lint(RecordsTests.line(json), engine: RecordsTests.engine, options: .init())
        #expect(r.report.errors.isEmpty && r.format == .html)
        for (field, f) in r.fieldFindings {
            let source = field == "title" ? htmlTitle : html
            #expect(field == "title" || field == "html")
            #expect(String(decoding: Array(source.utf8)[f.byteRange], as: UTF8.self) == f.match, "\(field) \(f.rule)")
        }
        #expect(r.fieldFindings.contains { $0.field == "title" } && r.fieldFindings.contains { $0.field == "html" })
    }

    @Test func malformedLinesGiveAnErrorWithTheLineNumber() throws {
        let cases: [(String, String)] = [
            ("{\"id\": 1, \"text\": \"x\"", "line 7: bad JSON at column"),
            ("{\"id\": 1, \"body\": \"x\"}", "line 7: no \"text\" field"),
            ("{\"id\": 1, \"text\": 12}", "line 7: field \"text\" is a number, not a string"),
            ("{\"id\": 1, \"text\": \"x\", \"title\": [\"a\"]}", "line 7: field \"title\" is an array, not a string"),
            ("{\"id\": 1, \"html\": {}, \"text\": \"x\"}", "line 7: field \"html\" is an object, not a string"),
            ("not json", "line 7: bad JSON at column 1"),
        ]
        for (json, message) in cases {
            let r = Records.lint(RecordsTests.line(json, 7), engine: RecordsTests.engine, options: .init())
            #expect(r.report.findings.isEmpty)
            #expect(r.report.errors.count == 1 && r.report.errors[0].message.hasPrefix(message), "\(json): \(r.report.errors)")
            let out = try RecordsTests.objects(Records.jsonLine(r))
            #expect(out[0]["line"] as? Int == 7)
        }
        // Null title and null html are "none"; the id can be any value or absent.
        let ok = Records.lint(RecordsTests.line("{\"title\": null, \"html\": null, \"text\": \"Fine.\"}", 2), engine: RecordsTests.engine, options: .init())
        #expect(ok.report.errors.isEmpty && ok.report.path == "line 2" && ok.id == Array("null".utf8))
    }

    @Test func customFieldNames() {
        let fields = Records.Fields(id: "url", text: "body", title: "headline", html: "page")
        let r = Records.lint(RecordsTests.line("{\"url\": \"u\", \"headline\": \"Council meets\", \"body\": \"Use promo code SAVE20 at checkout.\"}"),
                             engine: RecordsTests.engine, options: .init(fields: fields))
        #expect(r.report.path == "u" && r.report.errors.isEmpty)
        #expect(r.fieldFindings.contains { $0.field == "body" && $0.finding.category == .ads })
    }

    // MARK: runs

    /// Writes lines to a temporary file and returns its path.
    static func file(_ lines: [String], name: String = "records.jsonl") throws -> URL {
        try file(bytes: lines.map { Array($0.utf8) }, name: name)
    }

    static func file(bytes lines: [[UInt8]], name: String = "records.jsonl") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-records-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(Array(lines.joined(separator: [0x0A]))).write(to: url)
        return url
    }

    /// Every fixture article linted as a record gives the findings `copydesk lint` gives the file.
    @Test func sameFindingsAsFileModeOnTheFixtures() throws {
        var articles = Fixtures.cases.compactMap { Fixtures.input(for: $0) }
        let corpus = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Fixtures/corpus-sample").path)
        articles += corpus.sorted().map { "Fixtures/corpus-sample/\($0)" }
        #expect(articles.count > 20)
        let linter = Linter(ruleSet: RuleLoader.loadDefault().ruleSet)
        for format in DocumentFormat.allCases {
            let mine = articles.filter { DocumentFormat.forPath($0) == format }
            guard !mine.isEmpty else { continue }
            var lines: [[UInt8]] = []
            var expected: [FileReport] = []
            for path in mine {
                let bytes = try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent(path)))
                var line = Array("{\"id\": ".utf8)
                JSONLine.encodeString(path, into: &line)
                line += Array(", \"text\": ".utf8)
                JSONLine.encodeString(bytes, into: &line)   // invalid UTF-8 stays as it is
                line += Array("}".utf8)
                lines.append(line)
                expected.append(LintRunner.lint(bytes: bytes, path: path, linter: linter).files[0])
            }
            let url = try RecordsTests.file(bytes: lines)
            defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
            var got: [FileReport] = []
            let (result, inputErrors) = Records.run(paths: [url.path], engine: RecordsTests.engine, options: .init(reader: format), workers: 2,
                                                    render: { _ in [] }) { r, _ in got.append(r.report) }
            #expect(inputErrors.isEmpty && result.errors.isEmpty)
            #expect(got.count == expected.count)
            for (g, e) in zip(got, expected) { #expect(g == e, "\(e.path)") }
            #expect(result.fileCount == mine.count)
        }
    }

    @Test func outputKeepsInputOrderAcrossThreads() throws {
        var lines: [String] = []
        for i in 0..<600 {
            let text = i % 3 == 0 ? RecordsTests.seed : i % 3 == 1 ? "Use promo code SAVE\(i) at checkout.\n" : String(repeating: "The council met. ", count: i)
            lines.append("{\"id\": \(i), \"text\": \(RecordsTests.jsonString(text))}")
            if i % 100 == 50 { lines.append("") }            // blank lines are skipped
            if i % 100 == 70 { lines.append("{broken") }     // and errors keep their place
        }
        let url = try RecordsTests.file(lines)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        var out: [UInt8] = []
        let (result, _) = Records.run(paths: [url.path], engine: RecordsTests.engine, options: .init(), workers: 4,
                                      render: Records.jsonLine) { _, bytes in out += bytes }
        let objects = try RecordsTests.objects(out)
        #expect(objects.count == 606)
        let numbers = objects.compactMap { $0["line"] as? Int }
        #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count)
        let ids = objects.compactMap { $0["id"] as? Int }
        #expect(ids == Array(0..<600))
        #expect(result.errors.count == 6 && result.errors.allSatisfy { $0.message.contains("bad JSON") })
        #expect(result.fileCount == 606)
        #expect(result.findingCount > 0)
    }

    @Test func readsGzipAndMissingInputs() throws {
        let lines = (0..<50).map { "{\"id\": \($0), \"text\": \(RecordsTests.jsonString(RecordsTests.seed))}" }
        let url = try RecordsTests.file(lines)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(url.path)' > '\(url.path).gz'"]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        var plain: [UInt8] = [], packed: [UInt8] = []
        _ = Records.run(paths: [url.path], engine: RecordsTests.engine, options: .init(), render: Records.jsonLine) { plain += $1 }
        let (result, errors) = Records.run(paths: [url.path + ".gz", "/nonexistent/x.jsonl"], engine: RecordsTests.engine, options: .init(),
                                           render: Records.jsonLine) { packed += $1 }
        #expect(!plain.isEmpty && plain == packed)
        #expect(result.fileCount == 50)
        #expect(errors.count == 1 && errors[0].path == "/nonexistent/x.jsonl" && errors[0].message.hasPrefix("cannot open"))
        // A truncated gzip file: the records before the cut, then a read error.
        let data = try Data(contentsOf: URL(fileURLWithPath: url.path + ".gz"))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: url.path + ".cut.gz"))
        var count = 0
        let (_, cut) = Records.run(paths: [url.path + ".cut.gz"], engine: RecordsTests.engine, options: .init(), render: { _ in [] }) { _, _ in count += 1 }
        #expect(count < 50)
        #expect(cut.count == 1 && cut[0].message.contains("read error"))
    }

    @Test func summaryLine() throws {
        let url = try RecordsTests.file(["{\"id\": 1, \"text\": \(RecordsTests.jsonString(RecordsTests.seed))}", "{\"id\": 2, \"text\": \"Fine.\"}", "[]"])
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let (result, _) = Records.run(paths: [url.path], engine: RecordsTests.engine, options: .init(), render: { _ in [] }) { _, _ in }
        let summary = try RecordsTests.objects(Array(Records.summaryLine(result, errors: result.errors.count).utf8))[0]
        #expect(summary["type"] as? String == "summary" && summary["version"] as? Int == 1)
        #expect(summary["records"] as? Int == 3 && summary["recordsWithFindings"] as? Int == 1)
        #expect(summary["findings"] as? Int == 6 && summary["errors"] as? Int == 1)
    }

    // MARK: clean

    @Test func cleanKeepsEveryOtherByteOfTheLine() throws {
        let line = "{\"z\": 1.50, \"text\": \(RecordsTests.jsonString(RecordsTests.seed)), \"id\":\"k\\u00e9y\" , \"n\": [1e3, -0.0, {\"q\": \"\\/\"}], \"title\": null}"
        let c = Records.clean(RecordsTests.line(line), engine: RecordsTests.engine, options: .init())
        #expect(c.changed && c.errors.isEmpty && c.name == "kéy")
        let out = String(decoding: c.output, as: UTF8.self)
        #expect(out.hasSuffix("}\n"))
        let prefix = "{\"z\": 1.50, \"text\": "
        #expect(out.hasPrefix(prefix))
        #expect(out.hasSuffix(", \"id\":\"k\\u00e9y\" , \"n\": [1e3, -0.0, {\"q\": \"\\/\"}], \"title\": null}\n"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let cleaned = try #require(object["text"] as? String)
        #expect(Array(cleaned.utf8) == RecordsTests.engine.clean(Article(text: RecordsTests.seed)).cleaned)
        #expect(!cleaned.contains("Promo Code MERICA") && cleaned.contains("Reports indicate"))
        // Cleaning the output again changes nothing: the line comes back byte for byte.
        let again = Records.clean(Records.Line(source: "-", number: 1, bytes: Array(c.output.dropLast())), engine: RecordsTests.engine, options: .init())
        #expect(!again.changed && again.output == c.output)
        // A record with nothing to remove and a line that is not a record pass through as they are.
        let fine = "{\"text\":\"The council met.\\nIt rained.\",\"id\":3}"
        #expect(Records.clean(RecordsTests.line(fine), engine: RecordsTests.engine, options: .init()).output == Array((fine + "\n").utf8))
        let broken = Records.clean(RecordsTests.line("{oops", 9), engine: RecordsTests.engine, options: .init())
        #expect(broken.output == Array("{oops\n".utf8) && broken.errors.first?.hasPrefix("line 9: bad JSON") == true)
    }

    @Test func cleanRunKeepsOrder() throws {
        let lines = (0..<200).map { i in "{\"id\": \(i), \"text\": \(RecordsTests.jsonString(i % 2 == 0 ? RecordsTests.seed : "Fine \(i).\n"))}" }
        let url = try RecordsTests.file(lines)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        var names: [String] = []
        var changed = 0
        let errors = Records.runClean(paths: [url.path], engine: RecordsTests.engine, options: .init(), workers: 3) { c in
            names.append(c.name)
            if c.changed { changed += 1 }
        }
        #expect(errors.isEmpty && names == (0..<200).map(String.init) && changed == 100)
    }
}
