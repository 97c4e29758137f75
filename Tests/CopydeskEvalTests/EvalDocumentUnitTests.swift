import Foundation
import Testing
@testable import CopydeskCore
@testable import CopydeskReports
@testable import CopydeskWorkflow
@testable import CopydeskEval
import CopydeskDefaultRules
import CopydeskTestSupport

/// Rules for the document-unit tests: `line` scope, so that the findings do not depend on how the
/// document model splits paragraphs (another part of the engine) — only on where each line lands.
enum EvalDocFixture {
    static let rulesYAML = EvalTestRules.file(
        EvalTestRules.promo(scope: "line"),
        EvalTestRules.existence("ads.coupon", "ads", "error", message: "Coupon", description: "A coupon.", scope: "line", pattern: #"\bcoupon\b"#),
        EvalTestRules.newsletter(scope: "line"),
        EvalTestRules.you)

    static var linter: Linter {
        let r = RuleLoader.load(files: [("doc.yml", rulesYAML)])
        precondition(r.errors.isEmpty, "\(r.errors)")
        return Linter(ruleSet: r.ruleSet)
    }

    /// Reads `data` as the CLI would for `options` (and `labels` as a labels file) and evaluates it.
    static func run(_ data: String, path: String = "arts.jsonl", _ options: EvalOptions, labels: String? = nil) throws -> EvalReport {
        let textOptional = labels != nil && !options.unit.isDocumentUnit
        var required = textOptional ? [] : [options.textField]
        if labels == nil, let l = options.labelField { required.append(l) }
        if options.unit == .block { required += [options.documentField, options.orderField] }
        var optional = (textOptional ? [options.textField] : []) + [options.idField, options.titleField]
        if let g = options.groupBy { optional.append(g) }
        let format: DatasetFormat = path.hasSuffix(".tsv") ? .tsv : .jsonl
        let d = try DatasetReader.parse(Array(data.utf8), path: path, format: format, required: required,
                                        optional: optional.filter { !required.contains($0) })
        let l = try labels.map { s in
            try LabelFile.parse(DatasetReader.parse(Array(s.utf8), path: "labels.tsv", format: .tsv, required: ["id", "label"],
                                                    optional: options.groupBy.map { [$0] } ?? []))
        }
        var o = options
        if labels != nil { o.labelsFile = "labels.tsv"; o.labelField = nil }
        return try Evaluation.evaluate(d, options: o, linter: linter, labels: l)
    }

    static func json(_ r: EvalReport) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(JSONReporter.encode(r).utf8)) as? [String: Any])
    }

    /// Two articles. Row 0's content lines: 1 lede, 2 promo code + coupon (two ads rules, one merged
    /// finding), 3 newsletter prompt (padded with spaces), 4 the end. Row 1: 1 plain, 2 a
    /// newsletter mention labeled content (a false positive).
    static let articles = """
    {"title": "You must read this", "text": "Lede paragraph here.\\r\\n\\r\\nUse promo code SAVE for a coupon.\\n  Sign up for our newsletter  \\n\\n\\nThe end.", "source": "a"}

    {"text": "Plain line one\\nOur newsletter was mentioned in the text.", "source": "b"}
    """

    static let articleLabels = """
    id\tlabel\tnote
    arts/0/1\tcontent\tlede
    arts/0/2\tad\t
    arts/0/3\tnewsletter\t
    arts/0/4\tcontent\t
    arts/1/2\tcontent\t
    """
}

@Suite("Eval document units")
struct EvalDocumentUnitTests {
    @Test func contentLinesSplitStripAndDropEmpty() {
        let text = "  a \r\n\r\nb\u{00A0}\rc\u{3000}\n\n \t\nd é\u{2003}"
        let b = Array(text.utf8)
        let lines = ContentLines.ranges(b).map { String(decoding: b[$0], as: UTF8.self) }
        #expect(lines == ["a", "b", "c", "d é"])
        #expect(ContentLines.ranges(Array("\n \r\n".utf8)).isEmpty)
    }

    @Test func layoutsRenderTheSameLines() {
        let text = "One.\r\n\r\n  Two.\rThree."
        for (layout, expected) in [(EvalLayout.singleNewline, "One.\nTwo.\nThree.\n"), (.blankLine, "One.\n\nTwo.\n\nThree.\n"),
                                   (.asIs, "One.\r\n\r\n  Two.\rThree.\n")] {
            var r = LayoutRenderer(layout: layout)
            let ranges = r.append(text)
            let bytes = r.finished
            #expect(String(decoding: bytes, as: UTF8.self) == expected, "\(layout)")
            #expect(ranges.map { String(decoding: bytes[$0], as: UTF8.self) } == ["One.", "Two.", "Three."], "\(layout)")
        }
    }

    @Test func fileStem() {
        #expect(EvalDocument.fileStem("../shared/data/articles/fake-news-small.jsonl") == "fake-news-small")
        #expect(EvalDocument.fileStem("x/fakenewsnet.jsonl.gz") == "fakenewsnet")
        #expect(EvalDocument.fileStem("-") == "stdin")
    }

    @Test(arguments: [EvalLayout.singleNewline, .blankLine, .asIs])
    func articleLinesScoreLabeledLinesInEveryLayout(layout: EvalLayout) throws {
        var o = EvalOptions(unit: .articleLine)
        o.layout = layout
        o.showErrors = 5
        let r = try EvalDocFixture.run(EvalDocFixture.articles, o, labels: EvalDocFixture.articleLabels)
        #expect(r.dataset.items == 5)
        #expect(r.dataset.documents == 2)
        #expect(r.dataset.layout == layout)
        #expect(r.categories == ["ads", "boilerplate"])
        let ads = try #require(r.scores.first { $0.category == "ads" })
        let bp = try #require(r.scores.first { $0.category == "boilerplate" })
        #expect((ads.positives, ads.tp, ads.fp, ads.fn, ads.tn) == (1, 1, 0, 0, 4))
        #expect((bp.positives, bp.tp, bp.fp, bp.fn, bp.tn) == (1, 1, 1, 0, 3))
        // Both ads rules are credited on line 2, though their matches merged into one finding.
        let promo = try #require(r.rules.first { $0.id == "ads.promo" })
        let coupon = try #require(r.rules.first { $0.id == "ads.coupon" })
        #expect((promo.items, promo.tp, coupon.items, coupon.tp) == (1, 1, 1, 1))
        // The headline's clickbait finding is on no line item (the title is not an item).
        #expect(r.flaggedItems == 3)
        let fp = try #require(r.examples.first { $0.kind == .falsePositive })
        #expect(fp.id == "arts/1/2")
        #expect(fp.label == "content")
        #expect(fp.text == "Our newsletter was mentioned in the text.")
        #expect(fp.rules == ["boilerplate.newsletter"])
        #expect(fp.line == 3)   // the row's line in the dataset file
        let join = try #require(r.labelJoin)
        #expect((join.labels, join.matched, join.unmatched, join.otherFiles, join.unlabeledItems) == (5, 5, 0, 0, 1))
    }

    @Test func articleLinesWithoutLabelsMakeEveryLineAnItem() throws {
        var o = EvalOptions(unit: .articleLine)
        o.labelField = nil
        o.showErrors = 10
        o.categories = [.ads, .boilerplate]
        let r = try EvalDocFixture.run(EvalDocFixture.articles, o)
        #expect(r.dataset.items == 6)
        #expect(r.counts.map(\.findings) == [1, 2])
        #expect(r.examples.map(\.id) == ["arts/0/2", "arts/0/3", "arts/1/2"])
        #expect(r.examples[1].text == "Sign up for our newsletter")
    }

    @Test func articleLineNeedsLabelsOrNoLabels() throws {
        let e = #expect(throws: EvalError.self) { try EvalOptions(unit: .articleLine).check() }
        #expect(e?.message.contains("--labels FILE.tsv") == true)
    }

    @Test func labelIdsThatMatchNothingAreReported() throws {
        let labels = EvalDocFixture.articleLabels + "\narts/0/9\tad\t\narts/7/1\tcontent\t\nother-file/0/1\tad\t\n"
        let r = try EvalDocFixture.run(EvalDocFixture.articles, EvalOptions(unit: .articleLine), labels: labels)
        let j = try #require(r.labelJoin)
        #expect((j.labels, j.matched, j.unmatched, j.otherFiles) == (8, 5, 2, 1))
        #expect(j.unmatchedIds == ["arts/0/9", "arts/7/1"])
        #expect(r.renderText().contains("Labels: 8 ids, 5 matched, 1 for other files, 2 unmatched (arts/0/9, arts/7/1)"))
        let obj = try EvalDocFixture.json(r)
        let lj = try #require(obj["labelJoin"] as? [String: Any])
        #expect(lj["unmatchedIds"] as? [String] == ["arts/0/9", "arts/7/1"])
    }

    @Test func labelsThatMatchNoItemStopTheRun() throws {
        let e = #expect(throws: EvalError.self) {
            try EvalDocFixture.run(EvalDocFixture.articles, EvalOptions(unit: .articleLine), labels: "id\tlabel\nnope/0/1\tad\n")
        }
        #expect(e?.message.contains("no label id matches") == true)
        #expect(e?.message.contains("file stem 'arts'") == true)
    }

    @Test func conflictingDuplicateLabelsAreAnError() throws {
        let e = #expect(throws: EvalError.self) {
            try EvalDocFixture.run(EvalDocFixture.articles, EvalOptions(unit: .articleLine), labels: "id\tlabel\narts/0/1\tad\narts/0/1\tcontent\n")
        }
        #expect(e?.message.contains("two different labels") == true)
        // The same label twice is fine.
        let r = try EvalDocFixture.run(EvalDocFixture.articles, EvalOptions(unit: .articleLine), labels: "id\tlabel\narts/0/2\tad\narts/0/2\tAd\n")
        #expect(r.labelJoin?.labels == 1)
    }

    @Test func badLabelRowsAreProblemsOfTheLabelsFile() throws {
        let r = try EvalDocFixture.run(EvalDocFixture.articles, EvalOptions(unit: .articleLine),
                                       labels: "id\tlabel\narts/0/2\tad\narts/0/3\n\tcontent\n")
        #expect(r.problems.count == 2)
        #expect(r.problems.allSatisfy { $0.file == "labels.tsv" })
        #expect(r.problems.map(\.line) == [3, 4])
        #expect(r.renderText().contains("labels.tsv:3: 1 field, the header has 2"))
    }

    @Test func claimAndNoneLabels() {
        let m = LabelMap()
        #expect(m.target(for: "claim") == .category(.attribution))
        #expect(m.target(for: "none") == .negative)
        // A label-map target may name a built-in label.
        let o = try? LabelMap.parseOverrides("related_content=recirculation,full_text=content")
        #expect(o?.map(\.1) == [.category(.boilerplate), .negative])
    }

    static let blocks = """
    {"doc": "p1", "idx": 10, "label": "full_text", "text": "Use a coupon today"}
    {"doc": "p1", "idx": 0, "label": "not_content", "text": "Home"}
    {"doc": "p2", "idx": 0, "label": "full_text", "text": "Story text"}
    {"doc": "p1", "idx": 2, "label": "related_content", "text": "Newsletter:  sign up"}
    {"doc": "p2", "idx": 1, "label": "related_content", "text": "  "}
    {"doc": "p1", "idx": 1, "label": "full_text", "text": "Article text one."}
    """
    static let blockMap = [("related_content", LabelTarget.category(.boilerplate)), ("full_text", .negative), ("not_content", .neutral)]

    @Test func blocksFormPagesInOrderAndAreScoredEach() throws {
        var o = EvalOptions(unit: .block)
        o.labelMap = LabelMap(overrides: Self.blockMap)
        o.categories = [.ads, .boilerplate]
        o.showErrors = 5
        let r = try EvalDocFixture.run(Self.blocks, path: "blocks.jsonl", o)
        #expect(r.dataset.items == 6)
        #expect(r.dataset.documents == 2)
        let bp = try #require(r.scores.first { $0.category == "boilerplate" })
        #expect((bp.positives, bp.negatives, bp.neutral, bp.tp, bp.fn) == (2, 3, 1, 1, 1))
        let ads = try #require(r.scores.first { $0.category == "ads" })
        #expect((ads.positives, ads.fp) == (0, 1))
        #expect(r.examples.first { $0.kind == .falsePositive && $0.category == "ads" }?.id == "p1/10")
        // The empty block is an item that is never flagged.
        #expect(r.examples.first { $0.kind == .falseNegative }?.id == "p2/1")

        // Pages: blocks by idx (numerically: 10 after 2), joined with single newlines.
        var resolver = GoldResolver(options: o, path: "blocks.jsonl", labels: nil)
        var problems: [DatasetProblem] = []
        let d = try DatasetReader.parse(Array(Self.blocks.utf8), path: "blocks.jsonl", format: .jsonl, required: ["text", "label", "doc", "idx"])
        let docs = try Evaluation.documents(d, options: o, resolver: &resolver, problems: &problems)
        #expect(docs.map { String(decoding: $0.document.bytes, as: UTF8.self) } == ["Home\nArticle text one.\nNewsletter:  sign up\nUse a coupon today\n", "Story text\n"])
        #expect(docs.map { $0.items.map(\.id!) } == [["p1/0", "p1/1", "p1/2", "p1/10"], ["p2/0", "p2/1"]])
        o.layout = .blankLine
        resolver = GoldResolver(options: o, path: "blocks.jsonl", labels: nil)
        let blank = try Evaluation.documents(d, options: o, resolver: &resolver, problems: &problems)
        #expect(String(decoding: blank[0].document.bytes, as: UTF8.self) == "Home\n\nArticle text one.\n\nNewsletter:  sign up\n\nUse a coupon today\n")
    }

    @Test func blockSplitIsByDocument() throws {
        var o = EvalOptions(unit: .block)
        o.labelMap = LabelMap(overrides: Self.blockMap)
        o.split = .holdout
        let r = try EvalDocFixture.run(Self.blocks, path: "blocks.jsonl", o)
        #expect(r.dataset.documents == 1)
        #expect(r.dataset.items == 4)   // p1, the first page in the file
    }

    @Test func blocksJoinLabelsByDocAndOrder() throws {
        var o = EvalOptions(unit: .block)
        o.labelMap = LabelMap(overrides: Self.blockMap)
        let r = try EvalDocFixture.run(Self.blocks, path: "blocks.jsonl", o, labels: "id\tlabel\np1/2\trecirculation\np1/10\tcontent\np9/0\tad\n")
        #expect(r.dataset.items == 2)
        #expect(r.labelJoin.map { ($0.matched, $0.unmatched, $0.unmatchedIds) } ?? (0, 0, []) == (2, 1, ["p9/0"]))
        #expect(r.labelJoin?.otherFiles == nil)
    }

    static let headlines = """
    id\ttext\tlabel\tsource
    h1\tYou Won't Believe This\t1\tviral
    h2\tDogs Are Great\t1\tviral
    h3\tThank you, voters\t0\tnews
    h4\tSenate passes budget\t0\tnews
    h5\tMarkets fall\t0\t
    """

    @Test func groupByGivesPerGroupFiguresBesideTheTotals() throws {
        var o = EvalOptions(unit: .headline)
        o.groupBy = "source"
        let r = try EvalDocFixture.run(Self.headlines, path: "h.tsv", o)
        #expect(r.scores[0].tp == 1 && r.scores[0].fp == 1 && r.scores[0].fn == 1)
        let groups = try #require(r.groups)
        #expect(groups.map(\.group) == ["", "news", "viral"])
        #expect(groups.map(\.items) == [1, 2, 2])
        let viral = try #require(groups[2].scores?.first)
        #expect((viral.positives, viral.negatives, viral.tp, viral.fn, viral.recall) == (2, 0, 1, 1, 0.5))
        let news = try #require(groups[1].scores?.first)
        #expect((news.negatives, news.fp, news.tn) == (2, 1, 1))
        let text = r.renderText()
        #expect(text.contains("By source:\n"))
        #expect(text.contains("  (none)      1  clickbait"))
        let obj = try EvalDocFixture.json(r)
        #expect(obj["groupBy"] as? String == "source")
        #expect((obj["groups"] as? [[String: Any]])?.count == 3)
    }

    @Test func groupByUnlabeledCountsAndLabelsFileColumns() throws {
        var o = EvalOptions(unit: .headline)
        o.labelField = nil
        o.groupBy = "source"
        let r = try EvalDocFixture.run(Self.headlines, path: "h.tsv", o)
        #expect(r.groups?.map { $0.counts?.first { $0.category == "clickbait" }?.findings } == [0, 1, 1])
        // A column of the labels file groups too (the row has no such field).
        var l = EvalOptions(unit: .headline)
        l.groupBy = "set"
        let j = try EvalDocFixture.run(Self.headlines, path: "h.tsv", l, labels: "id\tlabel\tset\nh1\t1\tA\nh3\t0\tB\nh4\t0\tB\nh8\t1\tA\n")
        #expect(j.groups?.map(\.group) == ["A", "B"])
        #expect(j.dataset.items == 3)
        #expect(j.labelJoin.map { ($0.matched, $0.unmatched, $0.unlabeledItems) } ?? (0, 0, 0) == (3, 1, 2))
    }

    @Test func rowUnitsJoinByFileStemAndRowAndSkipUnlabeledRowsWithoutText() throws {
        let titles = """
        {"id": "x1", "title": "You will love this", "text": "a"}
        {"id": "x2", "title": null, "text": "b"}
        {"id": "x3", "title": "Senate passes budget", "text": "c"}
        {"id": "x4", "title": null, "text": "d"}
        """
        var o = EvalOptions(unit: .headline)
        o.textField = "title"
        let r = try EvalDocFixture.run(titles, o, labels: "id\tlabel\narts/0\t1\nx3\t0\nother/2\t1\narts/3\t0\n")
        #expect(r.dataset.items == 2)
        #expect(r.scores[0].tp == 1 && r.scores[0].tn == 1)
        let j = try #require(r.labelJoin)
        #expect((j.matched, j.unmatched, j.otherFiles, j.unlabeledItems) == (3, 0, 1, 1))
        // The labeled row without a title is a problem; the unlabeled one (row 1) is not.
        #expect(r.problems.map(\.line) == [4])
        #expect(r.problems.first?.message.contains("labeled item 'arts/3' has no field 'title'") == true)
    }
}
