import Foundation
import Testing
@testable import CopydeskCore
import CopydeskDefaultRules
import CopydeskTestSupport
@testable import CopydeskReports
@testable import CopydeskWorkflow

enum Fixtures {
    /// Every case folder under Fixtures/ with an `article.*` input.
    static var cases: [String] {
        let dir = packageRoot.appendingPathComponent("Fixtures")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { input(for: $0) != nil }.sorted()
    }

    static func input(for name: String) -> String? {
        let dir = packageRoot.appendingPathComponent("Fixtures").appendingPathComponent(name)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.first { $0.hasPrefix("article.") }.map { "Fixtures/\(name)/\($0)" }
    }

    /// Lints a fixture with the default rules exactly as `copydesk lint` does and renders it.
    static func render(_ name: String, format: ReportFormat) throws -> String {
        let relative = try #require(input(for: name))
        let bytes = try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent(relative)))
        let linter = Linter(ruleSet: RuleLoader.loadDefault().ruleSet)
        let result = LintRunner.lint(bytes: bytes, path: relative, linter: linter)
        return format.reporter.render(result, context: ReportContext())
    }
}

@Suite("Fixtures")
struct FixtureTests {
    @Test func thereAreEnoughCases() {
        #expect(Fixtures.cases.count >= 9)
        #expect(Fixtures.cases.contains("seed-article"))
    }

    /// Each fixture's JSON and text reports, byte for byte. Set COPYDESK_UPDATE_FIXTURES=1 to
    /// rewrite the expected files after an intended change (and review the diff).
    @Test(arguments: Fixtures.cases)
    func goldenOutput(_ name: String) throws {
        let update = ProcessInfo.processInfo.environment["COPYDESK_UPDATE_FIXTURES"] == "1"
        for (format, file) in [(ReportFormat.json, "expected.json"), (.text, "expected.txt")] {
            let got = try Fixtures.render(name, format: format)
            let url = packageRoot.appendingPathComponent("Fixtures/\(name)/\(file)")
            if update { try got.write(to: url, atomically: true, encoding: .utf8); continue }
            let expected = try String(contentsOf: url, encoding: .utf8)
            #expect(got == expected, "Fixtures/\(name)/\(file) differs.\n--- expected\n\(expected)\n--- got\n\(got)")
        }
    }

    @Test func seedArticleIsByteForByteTheSharedSeed() throws {
        let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/seed-article.txt")
        // ../shared is absent on a fresh clone elsewhere; compare only when it is there.
        guard let original = FileManager.default.contents(atPath: shared.path) else { return }
        let ours = try Data(contentsOf: packageRoot.appendingPathComponent("Fixtures/seed-article/article.txt"))
        #expect(ours == original)
    }

    @Test func seedArticleFlagsExactlyTheSixPlantedLines() throws {
        let bytes = try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent("Fixtures/seed-article/article.txt")))
        let result = LintRunner.lint(bytes: bytes, path: "seed.txt", linter: Linter(ruleSet: RuleLoader.loadDefault().ruleSet))
        let findings = result.files[0].findings
        #expect(findings.map(\.span.start.line) == [3, 11, 13, 15, 19, 45])
        #expect(findings.map(\.category) == [.boilerplate, .ads, .polls, .polls, .attribution, .boilerplate])
    }

    /// The seed with its blank lines removed (`grep -v '^\s*$'`), with LF and with CRLF line
    /// endings, flags exactly the same six planted lines.
    @Test(arguments: ["seed-article-single-newline", "seed-article-crlf"])
    func seedArticleInOtherLayoutsFlagsTheSameSixLines(_ name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent("Fixtures/\(name)/article.txt")))
        let original = try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/seed-article/article.txt"), encoding: .utf8)
        let layout = String(decoding: bytes, as: UTF8.self)
        // The same text, only the blank lines gone (and CRLF for the second).
        let kept = original.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.allSatisfy(\.isWhitespace) }
        #expect(layout.replacingOccurrences(of: "\r\n", with: "\n") == kept.joined(separator: "\n") + "\n")
        let result = LintRunner.lint(bytes: bytes, path: "seed.txt", linter: Linter(ruleSet: RuleLoader.loadDefault().ruleSet))
        let findings = result.files[0].findings
        #expect(findings.map(\.span.start.line) == [2, 6, 7, 8, 10, 23])
        #expect(findings.map(\.category) == [.boilerplate, .ads, .polls, .polls, .attribution, .boilerplate])
        let seed = LintRunner.lint(bytes: Array(original.utf8), path: "seed.txt", linter: Linter(ruleSet: RuleLoader.loadDefault().ruleSet))
        #expect(findings.map(\.rule) == seed.files[0].findings.map(\.rule))
        #expect(findings.map(\.message) == seed.files[0].findings.map(\.message))
    }
}
