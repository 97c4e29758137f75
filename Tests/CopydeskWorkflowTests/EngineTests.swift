import Foundation
import Testing
import Dispatch
import Synchronization
@testable import CopydeskCore
import CopydeskDefaultRules
@testable import CopydeskReports
@testable import CopydeskWorkflow
import CopydeskTestSupport

/// The long-lived engine API every front end calls (serve, lsp, mcp, records).
@Suite("Engine")
struct EngineTests {
    static let engine = Engine()
    static let seed = (try? String(contentsOf: packageRoot.appendingPathComponent("Fixtures/seed-article/article.txt"), encoding: .utf8)) ?? ""

    @Test func lintsAStringLikeTheCLI() throws {
        let linted = EngineTests.engine.lint(Article(text: EngineTests.seed, path: "Fixtures/seed-article/article.txt"))
        let linter = Linter(ruleSet: RuleLoader.loadDefault().ruleSet)
        let cli = LintRunner.lint(bytes: Array(EngineTests.seed.utf8), path: "Fixtures/seed-article/article.txt", linter: linter)
        #expect(linted.report == cli.files[0])
        #expect(linted.report.findings.count == 6)
        #expect(linted.bodyStart.offset == 0 && linted.bodyStart.line == 1)
        // Reporters take the one-file result.
        let json = JSONReporter().render(linted.result, context: ReportContext())
        #expect(json.contains("\"ads.save-percent\""))
    }

    @Test func pathDefaultsAndReaderByExtension() {
        let plain = EngineTests.engine.lint(Article(text: "# You Won't Believe This\n\nBody.\n"))
        #expect(plain.report.path == Article.defaultPath)
        #expect(plain.format == .text)
        let md = EngineTests.engine.lint(Article(text: "# You Won't Believe This\n\nBody.\n", path: "a.md"))
        #expect(md.format == .markdown)
        #expect(md.report.findings.contains { $0.category == .clickbait })
    }

    @Test func separateHeadlineIsLineOne() throws {
        let body = "The council met on Tuesday.\n"
        let linted = EngineTests.engine.lint(Article(text: body, headline: "You Won't Believe What The Council Did"))
        let f = try #require(linted.report.findings.first { $0.category == .clickbait })
        #expect(f.span.start.line == 1)
        #expect(linted.bodyStart.line == 3)
        #expect(Array(linted.linted[linted.bodyStart.offset...]) == Array(body.utf8))
        // The body's first line is not taken for a headline when one is given.
        let noTitle = EngineTests.engine.lint(Article(text: "You Won't Believe What The Council Did\n\nThe council met.\n", headline: "Council meets"))
        #expect(!noTitle.report.findings.contains { $0.category == .clickbait })
        // Markdown and HTML bodies get the headline as their H1.
        for format in [DocumentFormat.markdown, .html] {
            let l = EngineTests.engine.lint(Article(text: format == .html ? "<p>The council met.</p>" : "The council met.\n", format: format, headline: "You Won't Believe <This> & That"))
            #expect(l.report.findings.contains { $0.category == .clickbait && $0.span.start.line == 1 }, "\(format)")
        }
    }

    @Test func categoryFilter() {
        let linted = EngineTests.engine.lint(Article(text: EngineTests.seed, categories: [.ads, .polls]))
        #expect(linted.report.findings.count == 3)
        #expect(linted.report.findings.allSatisfy { $0.category == .ads || $0.category == .polls })
    }

    @Test func invalidUTF8IsLinted() {
        let bytes: [UInt8] = Array("Use promo code SAVE20 ".utf8) + [0xFF, 0xFE] + Array(" at checkout.\n".utf8)
        let linted = EngineTests.engine.lint(Article(bytes: bytes))
        #expect(linted.report.findings.contains { $0.category == .ads })
    }

    @Test func cleanRemovesJunkLinesAndGivesADiff() {
        let cleaned = EngineTests.engine.clean(Article(text: EngineTests.seed, path: "seed.txt"))
        #expect(cleaned.changed)
        let text = String(decoding: cleaned.cleaned, as: UTF8.self)
        #expect(!text.contains("Promo Code MERICA"))
        #expect(!text.contains("By completing the poll"))
        #expect(text.contains("Reports indicate"))   // attribution is not removed
        let diff = String(decoding: cleaned.diff, as: UTF8.self)
        #expect(diff.hasPrefix("--- seed.txt"))
        #expect(diff.contains("-American Made Patriotic Apparel"))
        // Nothing to remove: no diff.
        let clean = EngineTests.engine.clean(Article(text: "The council met on Tuesday.\n"))
        #expect(!clean.changed && clean.diff.isEmpty && clean.cleaned == Array("The council met on Tuesday.\n".utf8))
    }

    @Test func sameFindingsFromManyThreads() {
        let engine = EngineTests.engine
        let expected = engine.lint(Article(text: EngineTests.seed)).report
        let results = Mutex<[FileReport]>([])
        DispatchQueue.concurrentPerform(iterations: 32) { _ in
            let r = engine.lint(Article(text: EngineTests.seed)).report
            results.withLock { $0.append(r) }
        }
        #expect(results.withLock { $0.count } == 32)
        #expect(results.withLock { $0.allSatisfy { $0 == expected } })
    }

    @Test func configurationFileAppliesToEveryArticle() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent(".copydesk.yml")
        try "rules:\n  ads: off\n".write(to: config, atomically: true, encoding: .utf8)
        let engine = Engine(configuration: .file(config.path))
        let linted = engine.lint(Article(text: EngineTests.seed))
        #expect(!linted.report.findings.contains { $0.category == .ads })
        #expect(linted.report.findings.count == 5)
        #expect(engine.configurationErrors.isEmpty)
    }

    @Test func rulesFolderAndLookup() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-engine-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        rules:
          - id: boilerplate.house-widget
            category: boilerplate
            severity: warning
            message: "Widget text: {match}"
            description: Widget text.
            kind: existence
            scope: line
            patterns: ['\\bwidget\\b']
            examples:
              triggering: ["a «widget» here"]
              nontriggering: ["nothing"]
        """.write(to: dir.appendingPathComponent("house.yml"), atomically: true, encoding: .utf8)
        let engine = Engine(rulesDirectory: dir.path)
        #expect(engine.ruleErrors.isEmpty)
        #expect(engine.rules.map(\.id) == ["boilerplate.house-widget"])
        #expect(engine.rule(id: "boilerplate.house-widget")?.category == .boilerplate)
        #expect(engine.lint(Article(text: "A widget.\n")).report.findings.count == 1)
        // A reference can be swapped while readers hold the old engine.
        let ref = EngineReference(engine)
        let held = ref.current
        ref.replace(with: EngineTests.engine)
        #expect(held.rules.count == 1 && ref.current.rules.count > 1)
    }
}
