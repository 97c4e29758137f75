import Foundation
import Testing
@testable import CopydeskCore
import CopydeskDefaultRules
@testable import CopydeskReports
@testable import CopydeskWorkflow
import CopydeskTestSupport

/// The fast paths change nothing: the prefilter (`--no-prefilter` turns it off) and streamed
/// reports give byte for byte the output of the plain paths, on real article excerpts.
@Suite("Speed equivalence")
struct SpeedEquivalenceTests {
    static let sample = "Fixtures/corpus-sample"

    func render(_ result: LintResult, _ format: ReportFormat) -> String {
        format.reporter.render(result, context: ReportContext())
    }

    /// Real article excerpts, every default rule. Fixtures/corpus-sample holds 102 short excerpts
    /// (title, opening lines, lines around junk cues; at most ~900 bytes each) of every 37th
    /// article in shared/data/articles, a quarter as Markdown with a front-matter title.
    @Test func corpusSampleIsTheSameWithoutPrefilter() throws {
        let rules = RuleLoader.loadDefault().ruleSet
        let path = packageRoot.appendingPathComponent(Self.sample).path
        let on = LintRunner.run(paths: [path], linter: Linter(ruleSet: rules))
        let off = LintRunner.run(paths: [path], linter: Linter(ruleSet: rules, prefilter: false))
        #expect(on.fileCount >= 100)
        #expect(on.findingCount > 20)
        for format in [ReportFormat.json, .text] {
            let a = render(on, format), b = render(off, format)
            #expect(a == b, "\(format.rawValue) reports differ")
        }
    }

    /// Every rule's own examples dropped into real excerpts (so every rule finds something),
    /// as plain text and as Markdown.
    @Test func examplesInExcerptsAreTheSameWithoutPrefilter() throws {
        let rules = RuleLoader.loadDefault().ruleSet
        let dir = packageRoot.appendingPathComponent(Self.sample)
        let excerpts = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().prefix(40).map {
            try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)
        }
        let examples = rules.rules.flatMap { $0.examples.triggering + $0.examples.nontriggering }
            .map { $0.replacingOccurrences(of: "«", with: "").replacingOccurrences(of: "»", with: "") }
        let on = Linter(ruleSet: rules), off = Linter(ruleSet: rules, prefilter: false)
        var total = 0
        for (i, excerpt) in excerpts.enumerated() {
            let mixed = examples.enumerated().filter { $0.offset % excerpts.count == i }.map(\.element)
            let text = excerpt + "\n" + mixed.joined(separator: "\n\n") + "\n\n" + mixed.joined(separator: " ") + "\n"
            for format in [DocumentFormat.text, .markdown] {
                let a = on.lint(Document(path: "x", string: text, format: format), scratch: MatchScratch())
                let b = off.lint(Document(path: "x", string: text, format: format), scratch: MatchScratch())
                #expect(a == b, "excerpt \(i) as \(format.rawValue)")
                total += a.findings.count
            }
        }
        #expect(total > 200)
    }

    /// Streamed reports (written file by file, the JSON parts through a spill file) are the
    /// rendered reports.
    @Test func streamedReportsAreTheRenderedReports() throws {
        let rules = RuleLoader.loadDefault().ruleSet
        let linter = Linter(ruleSet: rules)
        let path = packageRoot.appendingPathComponent(Self.sample).path
        let missing = packageRoot.appendingPathComponent("no/such/dir").path
        for format in [ReportFormat.json, .text] {
            var collected = LintRunner.run(paths: [path, missing], linter: linter, workers: 2)
            collected.errors.sort { ($0.path, $0.message) < ($1.path, $1.message) }
            let expected = render(collected, format)
            let reporter = try #require(format.streamingReporter)
            var bytes: [UInt8] = []
            let stream = ReportStream(reporter: reporter, context: ReportContext(), memoryLimit: 512) { bytes.append(contentsOf: $0) }
            stream.start()
            var order: [String] = []
            let context = ReportContext()
            var result = LintRunner.stream(paths: [path, missing], linter: linter, workers: 2,
                                           render: { r, lines in reporter.part(for: r, lineText: lines, context: context) }) { report, _, part in
                order.append(report.path)
                stream.add(part)
            }
            result.errors.sort { ($0.path, $0.message) < ($1.path, $1.message) }
            stream.finish(result)
            #expect(result.files.isEmpty)
            #expect(result.fileCount == collected.fileCount)
            #expect(order == order.sorted())
            #expect(String(decoding: bytes, as: UTF8.self) == expected, "\(format.rawValue) stream differs")
        }
    }

    /// The JSON entries written by hand are what the encoder writes, escapes included.
    @Test func handWrittenJSONEntriesAreTheEncoders() throws {
        var tricky = ""
        for v in 0..<128 { tricky.unicodeScalars.append(Unicode.Scalar(UInt8(v))) }
        tricky += "\u{2028}\u{FEFF}é🎉\u{85}\u{A0}/\\\""
        func finding(_ text: String, _ n: Int) -> Finding {
            Finding(rule: "ads.x\(n)", category: Category.allCases[n % Category.allCases.count], severity: Severity.allCases[n % 3],
                    message: "msg “\(text)”", match: text,
                    span: SourceSpan(start: SourcePosition(line: n + 1, column: 2 * n + 1, offset: 100 * n),
                                     end: SourcePosition(line: n + 2, column: 7, offset: 100 * n + 1_234_567)))
        }
        for findings in [[finding(tricky, 0)], (0..<5).map { finding("m\($0) \(tricky.prefix($0 * 20))", $0) }] {
            for path in ["a/b.txt", "dir with space/é\"q\".md", tricky] {
                let encoded = JSONReporter.encode(JSONReporter.FileEntry(path: path, findings: findings))
                let indented = encoded.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
                #expect(JSONReporter.entry(path: path, findings: findings) == indented)
            }
        }
    }

    /// The quick check for standard paths gives what the full normalization gives.
    @Test func absolutePathsShortcutIsExact() {
        func slow(_ joined: String) -> String {
            var parts: [Substring] = []
            for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
                if part == "." { continue }
                if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
                parts.append(part)
            }
            return "/" + parts.joined(separator: "/")
        }
        for p in ["/", "/a", "/a/b.txt", "/a//b", "/a/./b", "/a/../b", "/a/b/", "/a/.", "/a/..", "/..", "/.a/b..c/...", "/a/.hidden", "//", "/é/ü.md"] {
            #expect(Paths.absolute(p) == slow(p), "\(p)")
        }
    }

    /// Reports come out in path order (the order `run` sorts by), across folders whose names
    /// sort differently from a folder walk, and the same on one thread and on several.
    @Test func streamOrderIsPathOrder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-order-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["news/b.txt", "news/a.txt", "news-archive/z.txt", "news.txt", "a b/c.txt", "Z.txt", "é.txt"] {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("Sign up for our newsletter.\n".utf8).write(to: url)
        }
        let linter = Linter(ruleSet: RuleLoader.loadDefault().ruleSet)
        for workers in [1, 2, 4] {
            var seen: [String] = []
            let r = LintRunner.stream(paths: [root.path], linter: linter, workers: workers) { report, _, _ in seen.append(report.path) }
            #expect(seen == seen.sorted())
            #expect(seen.count == 7)
            #expect(LintRunner.run(paths: [root.path], linter: linter, workers: workers).files.map(\.path) == seen)
            #expect(r.fileCount == 7)
        }
    }
}
