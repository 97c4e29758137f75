import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import CopydeskCore
import CopydeskDefaultRules
@testable import CopydeskReports
@testable import CopydeskWorkflow
import CopydeskTestSupport

@Suite("Workflow: report formats")
struct WorkflowReporterTests {
    /// A result with findings in two files (one with a comma, colon and percent in its name),
    /// multibyte text, a multi-line finding, an unused suppression, a file error and a skipped file.
    static func sample() -> LintResult {
        var o = ReadOptions()
        o.headline = .none
        let linter = WorkflowRules.linter
        let a = LintRunner.lint(bytes: Array("“Ünïcödé” 🎉 promo code & <stuff>\n\nVote now, 100% \"sure\"\n<!-- copydesk-disable-line polls -->\n".utf8), path: "news/a,b:c%.md", linter: linter, options: o)
        let b = LintRunner.lint(bytes: Array("Shop now\n".utf8), path: "b.txt", linter: linter, options: o)
        let clean = LintRunner.lint(bytes: Array("nothing\n".utf8), path: "clean.md", linter: linter, options: o)
        var r = LintResult(files: a.files + b.files + clean.files, errors: [FileError(path: "gone.md", message: "No such file or directory")],
                           skipped: [SkippedFile(path: "img.png", reason: "binary file (contains NUL bytes)")])
        r.lineText = a.lineText.merging(b.lineText) { x, _ in x }
        r.files.sort { $0.path < $1.path }
        return r
    }
    static let context = ReportContext(ruleSet: WorkflowRules.ruleSet)

    @Test func sampleHasWhatTheTestsNeed() {
        let r = Self.sample()
        #expect(r.findingCount == 4)
        #expect(r.files.flatMap(\.findings).contains { $0.rule == UnusedSuppression.ruleID })
    }

    @Test func sarifValidatesAgainstTheOfficialSchema() throws {
        let schemaText = try String(contentsOfFile: workflowResources + "/sarif-schema-2.1.0.json", encoding: .utf8)
        let validator = SchemaValidator(root: try JSONValue.parse(schemaText))
        let out = SARIFReporter().render(Self.sample(), context: Self.context)
        let log = try JSONValue.parse(out)
        let problems = validator.validate(log)
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        // The validator itself catches a broken log.
        #expect(!validator.validate(try JSONValue.parse(#"{"version": "2.0", "runs": []}"#)).isEmpty)
        #expect(!validator.validate(try JSONValue.parse(#"{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}"#)).isEmpty)
        #expect(!validator.validate(try JSONValue.parse(#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}"#)).isEmpty)
        #expect(validator.validate(try JSONValue.parse(#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "note"}]}]}"#)).isEmpty)
    }

    @Test func sarifWithTheDefaultRulesValidates() throws {
        let schemaText = try String(contentsOfFile: workflowResources + "/sarif-schema-2.1.0.json", encoding: .utf8)
        let validator = SchemaValidator(root: try JSONValue.parse(schemaText))
        let defaults = RuleLoader.loadDefault()
        let seed = workflowResources + "/../../Fixtures/seed-article/article.txt"
        let bytes = try #require(FileManager.default.contents(atPath: seed))
        let r = LintRunner.lint(bytes: Array(bytes), path: "Fixtures/seed-article/article.txt", linter: Linter(ruleSet: defaults.ruleSet))
        let out = SARIFReporter().render(r, context: ReportContext(ruleSet: defaults.ruleSet))
        let log = try JSONValue.parse(out)
        #expect(validator.validate(log).isEmpty, "\(validator.validate(log).prefix(10))")
        #expect(log["runs"]?[0]?["tool"]?["driver"]?["rules"]?.array?.count == defaults.ruleSet.rules.count)
        #expect(log["runs"]?[0]?["results"]?.array?.count == r.findingCount)
    }

    @Test func sarifContent() throws {
        let log = try JSONValue.parse(SARIFReporter().render(Self.sample(), context: Self.context))
        let run = try #require(log["runs"]?[0])
        #expect(log["version"]?.string == "2.1.0")
        #expect(run["columnKind"]?.string == "unicodeCodePoints")
        let rules = try #require(run["tool"]?["driver"]?["rules"]?.array)
        #expect(rules.compactMap { $0["id"]?.string } == ["ads.promo-code", "ads.shop-now", "clickbait.shocking", "polls.vote", "copydesk.unused-suppression"])
        #expect(rules[0]["name"]?.string == "AdsPromoCode")
        #expect(rules[0]["defaultConfiguration"]?["level"]?.string == "error")
        #expect(rules[0]["shortDescription"]?["text"]?.string == "Flags promo codes.")
        #expect(rules[0]["help"]?["text"]?.string?.contains("Use promo code now") == true)
        let results = try #require(run["results"]?.array)
        #expect(results.count == 4)
        let promo = results[1]
        #expect(promo["ruleId"]?.string == "ads.promo-code" && promo["ruleIndex"]?.int == 0 && promo["level"]?.string == "error")
        let loc = try #require(promo["locations"]?[0]?["physicalLocation"])
        #expect(loc["artifactLocation"]?["uri"]?.string == "news/a,b%3Ac%25.md")
        #expect(loc["artifactLocation"]?["uriBaseId"]?.string == "%SRCROOT%")
        let region = try #require(loc["region"])
        #expect(region["startLine"]?.int == 1 && region["startColumn"]?.int == 13 && region["endColumn"]?.int == 23)
        #expect(region["byteOffset"]?.int == 23 && region["byteLength"]?.int == 10)
        #expect(promo["partialFingerprints"]?["copydesk/v1"]?.string?.count == 16)
        let unused = try #require(results.first { $0["ruleId"]?.string == UnusedSuppression.ruleID })
        #expect(unused["level"]?.string == "note")
        let inv = try #require(run["invocations"]?[0])
        if case .bool(let ok)? = inv["executionSuccessful"] { #expect(!ok) } else { Issue.record("no executionSuccessful") }
        #expect(inv["toolExecutionNotifications"]?.array?.count == 2)
    }

    @Test func sarifFingerprintMatchesTheBaseline() throws {
        let r = Self.sample()
        let log = try JSONValue.parse(SARIFReporter().render(r, context: Self.context))
        let fps = log["runs"]?[0]?["results"]?.array?.compactMap { $0["partialFingerprints"]?["copydesk/v1"]?.string }
        let expected = r.files.flatMap { file in Fingerprint.all(in: r)[file.path] ?? [] }
        #expect(fps == expected)
        let b = Baseline.make(from: r, baselinePath: "/tmp/baseline.json")
        #expect(Set(b.findings.map(\.fingerprint)) == Set(expected))
    }

    @Test func jsonLines() throws {
        let out = JSONLinesReporter().render(Self.sample(), context: Self.context)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(out.hasSuffix("\n"))
        let objects = try lines.map { try JSONValue.parse($0) }
        #expect(objects.compactMap { $0["type"]?.string } == ["finding", "finding", "finding", "finding", "error", "skipped", "summary"])
        #expect(objects[0]["path"]?.string == "b.txt" && objects[0]["rule"]?.string == "ads.shop-now")
        #expect(objects[1]["span"]?["start"]?["column"]?.int == 13)
        #expect(objects[1]["fingerprint"]?.string?.count == 16)
        #expect(objects[4]["path"]?.string == "gone.md")
        #expect(objects[6]["findings"]?.int == 4 && objects[6]["errors"]?.int == 1 && objects[6]["byCategory"]?["copydesk"]?.int == 1)
        #expect(lines.allSatisfy { !$0.contains("\n") && $0.hasPrefix("{\"") })
        #expect(lines[0].hasPrefix("{\"category\""))   // sorted keys
    }

    @Test func githubWorkflowCommands() {
        let out = GitHubReporter().render(Self.sample(), context: Self.context)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines[0] == "::warning file=b.txt,line=1,col=1,endLine=1,endColumn=9,title=ads.shop-now::Shopping call: Shop now")
        #expect(lines[1] == "::error file=news/a%2Cb%3Ac%25.md,line=1,col=13,endLine=1,endColumn=23,title=ads.promo-code::Promo code: “promo code”")
        #expect(lines.contains { $0.hasPrefix("::notice file=news/a%2Cb%3Ac%25.md,line=4,") && $0.contains("title=copydesk.unused-suppression::") })
        #expect(lines.contains("::error file=gone.md,title=copydesk::No such file or directory"))
        #expect(lines.contains("::notice file=img.png,title=copydesk::skipped: binary file (contains NUL bytes)"))
        #expect(lines.last?.hasPrefix("4 findings") == true)
        #expect(GitHubReporter.data("50% done\r\nnext") == "50%25 done%0D%0Anext")
        #expect(GitHubReporter.property("a,b:c\n%") == "a%2Cb%3Ac%0A%25")
    }

    @Test func githubMultiLineSpansOmitColumns() {
        let f = Finding(rule: "ads.x", category: .ads, severity: .warning, message: "m",
                        match: "a\nb", span: SourceSpan(start: .init(line: 2, column: 3, offset: 5), end: .init(line: 3, column: 2, offset: 9)))
        let out = GitHubReporter().render(LintResult(files: [FileReport(path: "x.md", findings: [f])]), context: ReportContext())
        #expect(out.hasPrefix("::warning file=x.md,line=2,endLine=3,title=ads.x::m\n"))
    }

    /// Parses XML and returns (element name, attributes, text) in document order.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [(String, [String: String], String)] = []
        var stack: [Int] = []
        func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
            stack.append(elements.count)
            elements.append((e, attributes, ""))
        }
        func parser(_ p: XMLParser, foundCharacters s: String) { if let i = stack.last { elements[i].2 += s } }
        func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }
    }
    func parseXML(_ s: String) throws -> [(String, [String: String], String)] {
        let parser = XMLParser(data: Data(s.utf8))
        let c = Collector()
        parser.delegate = c
        let ok = parser.parse()
        try #require(ok, "XML does not parse: \(parser.parserError.map { "\($0)" } ?? "?")\n\(s)")
        return c.elements
    }

    @Test func junitXML() throws {
        let out = JUnitReporter().render(Self.sample(), context: Self.context)
        let els = try parseXML(out)
        #expect(els[0].0 == "testsuites" && els[0].1["tests"] == "5" && els[0].1["failures"] == "2" && els[0].1["errors"] == "1" && els[0].1["skipped"] == "1")
        let cases = els.filter { $0.0 == "testcase" }
        #expect(cases.map { $0.1["name"] ?? "" } == ["b.txt", "clean.md", "news/a,b:c%.md", "gone.md", "img.png"])
        let failures = els.filter { $0.0 == "failure" }
        #expect(failures.count == 2)
        #expect(failures[1].1["message"] == "3 findings")
        #expect(failures[1].2.contains("news/a,b:c%.md:1:13: error: Promo code: “promo code” [ads.promo-code]"))
        #expect(els.contains { $0.0 == "error" && $0.1["message"] == "No such file or directory" })
        #expect(els.contains { $0.0 == "skipped" })
    }

    @Test func checkstyleXML() throws {
        let out = CheckstyleReporter().render(Self.sample(), context: Self.context)
        let els = try parseXML(out)
        #expect(els[0].0 == "checkstyle" && els[0].1["version"] == "4.3")
        #expect(els.filter { $0.0 == "file" }.map { $0.1["name"] ?? "" } == ["b.txt", "clean.md", "gone.md", "news/a,b:c%.md"])
        let errors = els.filter { $0.0 == "error" }
        #expect(errors.count == 5)
        let promo = try #require(errors.first { $0.1["source"] == "ads.promo-code" })
        #expect(promo.1["line"] == "1" && promo.1["column"] == "13" && promo.1["severity"] == "error" && promo.1["message"] == "Promo code: “promo code”")
        #expect(errors.contains { $0.1["source"] == "copydesk" && $0.1["line"] == nil })
    }

    @Test func xmlEscapingSurvivesHostileText() throws {
        let nasty = "a & b < c > d \"q\" 'x' \u{1}\u{FFFE} line\nbreak\ttab ]]> <!-- -->"
        let f = Finding(rule: "ads.x", category: .ads, severity: .error, message: nasty, match: nasty,
                        span: SourceSpan(start: .init(line: 1, column: 1, offset: 0), end: .init(line: 1, column: 2, offset: 1)))
        let r = LintResult(files: [FileReport(path: "we<ird>&\"name\".md", findings: [f])], errors: [FileError(path: "x", message: nasty)])
        let cs = try parseXML(CheckstyleReporter().render(r, context: ReportContext()))
        #expect(cs.first { $0.0 == "error" }?.1["message"] == "a & b < c > d \"q\" 'x' \u{FFFD}\u{FFFD} line\nbreak\ttab ]]> <!-- -->")
        #expect(cs.first { $0.0 == "file" }?.1["name"] == "we<ird>&\"name\".md")
        let ju = try parseXML(JUnitReporter().render(r, context: ReportContext()))
        #expect(ju.first { $0.0 == "failure" }?.2.contains("a & b < c > d") == true)
    }

    @Test func everyFormatIsRegistered() {
        #expect(ReportFormat.allCases.map(\.rawValue) == ["text", "json", "jsonl", "sarif", "github", "junit", "checkstyle"])
        for f in ReportFormat.allCases { #expect(!f.reporter.render(LintResult(), context: ReportContext()).isEmpty) }
    }
}
