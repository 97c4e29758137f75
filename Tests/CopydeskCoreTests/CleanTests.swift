import Foundation
import Testing
@testable import CopydeskCore
import CopydeskDefaultRules
@testable import CopydeskWorkflow
import CopydeskTestSupport

/// Helpers for the `clean` tests (names kept local to this file's suite).
enum CleanKit {
    static let root = packageRoot
    static let fixtures = root.appendingPathComponent("Fixtures/cleaning")

    /// The fixed rule set in Fixtures/cleaning/rules (independent of the default rules).
    static let linter: Linter = {
        let loaded = RuleLoader.load(directory: fixtures.appendingPathComponent("rules").path)
        precondition(loaded.errors.isEmpty, "\(loaded.errors)")
        return Linter(ruleSet: loaded.ruleSet)
    }()

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
        return names.filter { input(for: $0) != nil }.sorted()
    }

    static func input(for name: String) -> URL? {
        let dir = fixtures.appendingPathComponent(name)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.first { $0.hasPrefix("input.") }.map { dir.appendingPathComponent($0) }
    }

    static func clean(_ s: String, path: String = "a.txt", linter: Linter = linter, headline: HeadlineMode = .none,
                      categories: Set<Category> = Set(Cleaner.removableCategories)) -> Cleaner.Result {
        clean(Array(s.utf8), path: path, linter: linter, headline: headline, categories: categories)
    }

    static func clean(_ b: [UInt8], path: String = "a.txt", linter: Linter = linter, headline: HeadlineMode = .none,
                      categories: Set<Category> = Set(Cleaner.removableCategories)) -> Cleaner.Result {
        var o = Cleaner.Options()
        o.headline = headline
        o.categories = categories
        return Cleaner.clean(b, path: path, linter: linter, options: o)
    }

    static func text(_ r: Cleaner.Result) -> String { String(decoding: r.cleaned, as: UTF8.self) }

    /// Checks the invariants every cleaning must keep: only whole lines go, what stays is
    /// byte-identical and in order, and cleaning the result again changes nothing.
    static func checkInvariants(_ original: [UInt8], path: String, linter: Linter, headline: HeadlineMode = .auto,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        var o = Cleaner.Options()
        o.headline = headline
        let once = Cleaner.clean(original, path: path, linter: linter, options: o)
        let lines = once.plan.lines
        var rest = once.cleaned[...]
        if lines.bomLength > 0 && !once.plan.kept[0] {
            #expect(rest.starts(with: original[0..<lines.bomLength]), "\(path): BOM lost", sourceLocation: sourceLocation)
            rest = rest.dropFirst(lines.bomLength)
        }
        for i in 0..<lines.count where once.plan.kept[i] {
            let content = Array(original[(i == 0 ? 0 : lines.start(i))..<lines.content(i).upperBound])
            #expect(rest.starts(with: content), "\(path): kept line \(i + 1) missing from the output", sourceLocation: sourceLocation)
            rest = rest.dropFirst(content.count)
            let term = Array(original[lines.terminator(i)])
            if rest.starts(with: term) { rest = rest.dropFirst(term.count) }
        }
        #expect(rest.isEmpty, "\(path): output has bytes that are not kept lines", sourceLocation: sourceLocation)
        // No line with an attribution or clickbait finding is removed.
        let doc = Document(path: path, bytes: original, headline: headline)
        let report = linter.lint(doc, scratch: MatchScratch())
        for f in report.findings where f.category == .attribution || f.category == .clickbait {
            let l = doc.lineIndex.lineIndex(of: f.span.start.offset)
            let removedForIt = !once.plan.kept[l] && !report.findings.contains {
                Cleaner.removableCategories.contains($0.category) && doc.lineIndex.lineIndex(of: $0.span.start.offset) <= l
                    && doc.lineIndex.lineIndex(of: max($0.span.start.offset, $0.span.end.offset - 1)) >= l
            }
            #expect(!removedForIt, "\(path): line \(l + 1) with \(f.rule) was removed", sourceLocation: sourceLocation)
        }
        let twice = Cleaner.clean(once.cleaned, path: path, linter: linter, options: o)
        #expect(twice.cleaned == once.cleaned, "\(path): cleaning twice differs from cleaning once", sourceLocation: sourceLocation)
        #expect(!twice.changed, sourceLocation: sourceLocation)
    }
}

@Suite("Clean")
struct CleanTests {
    // MARK: golden fixtures

    @Test func thereAreFixtures() {
        #expect(CleanKit.cases.count >= 6)
    }

    /// Fixtures/cleaning/CASE/input.* cleaned with Fixtures/cleaning/rules must equal expected.*
    /// byte for byte. COPYDESK_UPDATE_FIXTURES=1 rewrites the expected files (review the diff).
    @Test(arguments: CleanKit.cases)
    func golden(_ name: String) throws {
        let input = try #require(CleanKit.input(for: name))
        let bytes = try [UInt8](Data(contentsOf: input))
        let result = CleanKit.clean(bytes, path: input.lastPathComponent, headline: .auto)
        let expectedURL = input.deletingLastPathComponent().appendingPathComponent("expected." + input.pathExtension)
        if ProcessInfo.processInfo.environment["COPYDESK_UPDATE_FIXTURES"] == "1" {
            try Data(result.cleaned).write(to: expectedURL)
            return
        }
        let expected = try [UInt8](Data(contentsOf: expectedURL))
        #expect(result.cleaned == expected, "Fixtures/cleaning/\(name): expected\n\(String(decoding: expected, as: UTF8.self))\n--- got\n\(CleanKit.text(result))")
        #expect(result.changed, "every cleaning fixture has something to remove")
        CleanKit.checkInvariants(bytes, path: input.lastPathComponent, linter: CleanKit.linter)
    }

    /// The dry-run diff, applied with patch(1), turns the input into the cleaned file.
    @Test(arguments: CleanKit.cases)
    func diffAppliesWithPatch(_ name: String) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/patch") else { return }
        let input = try #require(CleanKit.input(for: name))
        let bytes = try [UInt8](Data(contentsOf: input))
        // patch(1) knows no lone-CR line ending; such a diff is for reading only.
        if bytes.contains(0x0D) && !bytes.contains(0x0A) { return }
        let result = CleanKit.clean(bytes, path: input.lastPathComponent, headline: .auto)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-clean-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("article.txt")
        try Data(bytes).write(to: file)
        let diff = UnifiedDiff.render(result.plan, original: bytes, path: "article.txt")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/patch")
        p.arguments = ["-p0", "--quiet", "--binary"]
        p.currentDirectoryURL = dir
        let pipe = Pipe()
        p.standardInput = pipe
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        pipe.fileHandleForWriting.write(Data(diff))
        try pipe.fileHandleForWriting.close()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(try [UInt8](Data(contentsOf: file)) == result.cleaned, "patched file differs from the cleaned one\n\(String(decoding: diff, as: UTF8.self))")
    }

    // MARK: what goes and what stays

    @Test func removesJunkParagraphAndCollapsesBlankLines() {
        #expect(CleanKit.text(CleanKit.clean("First.\n\nAdvertisement\n\nSecond.\n")) == "First.\n\nSecond.\n")
        // Inside a paragraph: the line goes, its neighbours join.
        #expect(CleanKit.text(CleanKit.clean("One line.\nSign up for our newsletter today.\nTwo line.\n")) == "One line.\nTwo line.\n")
        // Blank runs of different lengths around the removed line: the longest one stays.
        #expect(CleanKit.text(CleanKit.clean("A.\n\nAdvertisement\n\n\nB.\n")) == "A.\n\n\nB.\n")
        // Several junk paragraphs in a row become one gap.
        #expect(CleanKit.text(CleanKit.clean("A.\n\nAdvertisement\n\nRelated: Other story\n\nB.\n")) == "A.\n\nB.\n")
    }

    @Test func fileEdgesKeepTheirShape() {
        // Junk at the start: the blank line after it goes too; blank lines that opened the file stay.
        #expect(CleanKit.text(CleanKit.clean("Advertisement\n\nBody.\n")) == "Body.\n")
        #expect(CleanKit.text(CleanKit.clean("\nAdvertisement\n\nBody.\n")) == "\nBody.\n")
        // At the end: the final newline, or its absence, is kept.
        #expect(CleanKit.text(CleanKit.clean("Body.\n\nAdvertisement\n")) == "Body.\n")
        #expect(CleanKit.text(CleanKit.clean("Body.\n\nAdvertisement")) == "Body.")
        #expect(CleanKit.text(CleanKit.clean("Body.\n\nAdvertisement\n\n")) == "Body.\n\n")
        // Only junk: an empty file (a BOM stays).
        #expect(CleanKit.clean("Advertisement\n").cleaned.isEmpty)
        #expect(CleanKit.clean([0xEF, 0xBB, 0xBF] + Array("Advertisement\n".utf8)).cleaned == [0xEF, 0xBB, 0xBF])
        #expect(CleanKit.clean("").cleaned.isEmpty)
    }

    @Test func lineEndingsBOMAndInvalidUTF8AreKept() {
        #expect(CleanKit.text(CleanKit.clean("A.\r\n\r\nAdvertisement\r\n\r\nB.\r\n")) == "A.\r\n\r\nB.\r\n")
        #expect(CleanKit.text(CleanKit.clean("A.\r\rAdvertisement\r\rB.\r")) == "A.\r\rB.\r")
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        #expect(CleanKit.clean(bom + Array("Advertisement\r\n\r\nB.".utf8)).cleaned == bom + Array("B.".utf8))
        let bad: [UInt8] = Array("Caf".utf8) + [0xE9, 0x20, 0xFF] + Array(".\n\nAdvertisement\n\nEnd \u{00E9}\t \n".utf8)
        #expect(CleanKit.clean(bad).cleaned == Array("Caf".utf8) + [0xE9, 0x20, 0xFF] + Array(".\n\nEnd \u{00E9}\t \n".utf8))
        // Mixed endings: each kept line keeps its own.
        #expect(CleanKit.text(CleanKit.clean("A.\r\nB.\n\nAdvertisement\r\rC.\r\n")) == "A.\r\nB.\n\nC.\r\n")
    }

    @Test func unchangedInputIsReturnedAsIs() {
        let s = "Nothing to remove here.\r\n\r\nExperts say it will rain.\n"
        let r = CleanKit.clean(s)
        #expect(!r.changed)
        #expect(r.cleaned == Array(s.utf8))
        #expect(r.removedLines.isEmpty)
        #expect(UnifiedDiff.render(r.plan, original: Array(s.utf8), path: "a.txt").isEmpty)
    }

    @Test func attributionAndClickbaitAreNeverRemoved() {
        let s = "You Won't Believe This Budget\n\nExperts say the budget is too big.\n\nAdvertisement\n\nThe end.\n"
        let r = CleanKit.clean(s, headline: .auto)
        #expect(CleanKit.text(r) == "You Won't Believe This Budget\n\nExperts say the budget is too big.\n\nThe end.\n")
        let report = CleanKit.linter.lint(Document(path: "a.txt", string: s), scratch: MatchScratch())
        #expect(Set(report.findings.map(\.category)) == [.clickbait, .attribution, .ads], "the example must carry all three kinds")
    }

    @Test func categoriesChooseWhatGoes() {
        let s = "A.\n\nAdvertisement\n\nSign up for our newsletter!\n\nVote now: yes or no?\n\nB.\n"
        #expect(CleanKit.text(CleanKit.clean(s, categories: [.ads])) == "A.\n\nSign up for our newsletter!\n\nVote now: yes or no?\n\nB.\n")
        #expect(CleanKit.text(CleanKit.clean(s, categories: [.polls, .boilerplate])) == "A.\n\nAdvertisement\n\nB.\n")
        #expect(CleanKit.text(CleanKit.clean(s)) == "A.\n\nB.\n")
    }

    @Test func junkInsideArticleTextIsKeptForAnEditor() {
        // The promo is one sentence of a long paragraph: the paragraph stays, an editor is told.
        let s = "A.\n\nThe council met on Monday. It passed the budget after a long debate about schools and roads. Use promo code SAVE10 today.\n\nB.\n"
        let r = CleanKit.clean(s)
        #expect(!r.changed)
        #expect(r.keptLines == [Cleaner.KeptLine(line: 3, rule: "ads.promo-code", category: .ads)])
        // Mostly junk: the line goes.
        let t = "A.\n\nUse promo code SAVE10 today. Thanks.\n\nB.\n"
        let q = CleanKit.clean(t)
        #expect(CleanKit.text(q) == "A.\n\nB.\n")
        #expect(q.keptLines.isEmpty)
    }

    @Test func multiLineFindingRemovesTheWholeBlock() {
        // The poll question runs on over three lines (each breaks mid-clause into a lowercase
        // line): one paragraph, one finding spanning three lines.
        let s = "Intro.\n\nVote now on the plan,\nlet us know what you think of it before the end of the month,\nand tell us whether the council got it right.\n\nOutro.\n"
        let r = CleanKit.clean(s)
        #expect(CleanKit.text(r) == "Intro.\n\nOutro.\n")
        #expect(r.removedLines == [3, 4, 5, 6])
    }

    @Test func cleaningRunsToAFixedPoint() {
        // "Advertisement" after a line that ends a sentence is a standalone line at once (the
        // layout-proof paragraphs of issue 10), so one pass removes both and the second finds
        // nothing.
        let s = "Sign up for our newsletter!\nAdvertisement\n\nBody text.\n"
        let r = CleanKit.clean(s)
        #expect(CleanKit.text(r) == "Body text.\n")
        #expect(r.passes == 2, "pass 1 removes the newsletter line and the marker, pass 2 finds nothing")
        #expect(!CleanKit.clean(r.cleaned).changed)
    }

    @Test func diffFormat() {
        let s = "L1\nL2\nL3\nL4\nL5\nUse promo code ABC123 now\nL7\nL8\nL9\nL10\nL11\nL12\nL13\nL14\nL15\nSign up for our newsletter\nL17"
        let r = CleanKit.clean(s)
        let diff = String(decoding: UnifiedDiff.render(r.plan, original: Array(s.utf8), path: "a.txt"), as: UTF8.self)
        #expect(diff == """
            --- a.txt
            +++ a.txt
            @@ -3,7 +3,6 @@
             L3
             L4
             L5
            -Use promo code ABC123 now
             L7
             L8
             L9
            @@ -13,5 +12,4 @@
             L13
             L14
             L15
            -Sign up for our newsletter
             L17
            \\ No newline at end of file

            """)
    }

    @Test func lastLineRemovedWithoutFinalNewlineDiff() {
        let s = "Body.\n\nAdvertisement"
        let r = CleanKit.clean(s)
        #expect(CleanKit.text(r) == "Body.")
        let diff = String(decoding: UnifiedDiff.render(r.plan, original: Array(s.utf8), path: "a.txt"), as: UTF8.self)
        #expect(diff == "--- a.txt\n+++ a.txt\n@@ -1,3 +1 @@\n-Body.\n+Body.\n\\ No newline at end of file\n-\n-Advertisement\n\\ No newline at end of file\n")
    }

    // MARK: atomic replacement

    @Test func atomicReplaceRefusesAFileThatChangedMeanwhile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-atomic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("a.txt").path
        try Data("old text\n".utf8).write(to: URL(fileURLWithPath: path))
        let seen = try #require(AtomicFile.identity(of: path))
        // Someone saves the article while it is being cleaned.
        try Data("edited by a person\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: AtomicFile.Failure.self) { try AtomicFile.replace(path, with: Array("cleaned\n".utf8), expected: seen) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "edited by a person\n")
        // With the current identity it goes through, and leaves no temporary file behind.
        try AtomicFile.replace(path, with: Array("cleaned\n".utf8), expected: AtomicFile.identity(of: path))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "cleaned\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.txt"])
        // A folder that cannot take a temporary file: an error, the article untouched.
        #expect(throws: AtomicFile.Failure.self) { try AtomicFile.write(Array("x".utf8), toNewOrExisting: dir.appendingPathComponent("no/such/b.txt").path) }
    }

    // MARK: real articles

    /// Cleaning real scraped articles (../shared/data, when present) keeps the invariants, with the
    /// fixture rules and with the default rules. A sample runs every time; COPYDESK_FULL_DATA=1
    /// runs every article.
    @Test func realArticlesKeepTheInvariants() throws {
        let data = CleanKit.root.deletingLastPathComponent().appendingPathComponent("shared/data/articles")
        guard FileManager.default.fileExists(atPath: data.path) else { return }
        let full = ProcessInfo.processInfo.environment["COPYDESK_FULL_DATA"] == "1"
        let defaults = Linter(ruleSet: RuleLoader.loadDefault().ruleSet)
        var checked = 0
        for file in ["fakenewsnet.jsonl", "fake-news-small.jsonl"] {
            let text = try String(contentsOf: data.appendingPathComponent(file), encoding: .utf8)
            for (i, line) in text.split(separator: "\n").enumerated() where full || i % 40 == 0 {
                guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let body = obj["text"] as? String else { continue }
                let title = obj["title"] as? String ?? ""
                let article = Array((title.isEmpty ? body : title + "\n\n" + body).utf8)
                CleanKit.checkInvariants(article, path: "\(file):\(i + 1).txt", linter: CleanKit.linter)
                CleanKit.checkInvariants(article, path: "\(file):\(i + 1).txt", linter: defaults)
                checked += 1
            }
        }
        #expect(checked > 50)
    }
}
