import Foundation
import Testing
@testable import CopydeskCore
@testable import CopydeskReports
@testable import CopydeskWorkflow
@testable import CopydeskEval
import CopydeskTestSupport

/// Small rules written for these tests (never the default rules).
enum EvalFixture {
    static let rulesYAML = EvalTestRules.file(
        EvalTestRules.you,
        EvalTestRules.existence("clickbait.number-things", "clickbait", "warning", message: "Listicle",
                                description: "A count of things.", scope: "headline", pattern: #"^\d+\s+things\b"#),
        EvalTestRules.promo(scope: "standalone-line"),
        EvalTestRules.newsletter(scope: "standalone-line"),
        EvalTestRules.existence("boilerplate.sign-up", "boilerplate", "info", message: "Sign-up prompt",
                                description: "Sign up.", scope: "standalone-line", pattern: #"\bsign up\b"#),
        """
          - id: attribution.experts
            category: attribution
            severity: warning
            message: "Who says?"
            description: Unattributed experts.
            kind: attribution
            patterns:
              - '\\bexperts say\\b'
            attributions:
              - '\\baccording to\\b'

        """)

    static var ruleSet: RuleSet {
        let r = RuleLoader.load(files: [("test.yml", rulesYAML)])
        precondition(r.errors.isEmpty, "\(r.errors)")
        return r.ruleSet
    }
    static var linter: Linter { Linter(ruleSet: ruleSet) }

    static func tsv(_ s: String, format: DatasetFormat = .tsv, required: [String] = ["text", "label"], optional: [String] = []) throws -> Dataset {
        try DatasetReader.parse(Array(s.utf8), path: "data", format: format, required: required, optional: optional)
    }
}

@Suite("Eval datasets")
struct EvalDatasetTests {
    @Test func tsvWithHeaderCRLFBOMAndBlankLines() throws {
        let d = try EvalFixture.tsv("\u{FEFF}label\ttext\r\n1\tYou will cry\r\n\r\n0\tSenate votes\r\n")
        #expect(d.columns == ["label", "text"])
        #expect(d.rows.map(\.fields) == [["label": "1", "text": "You will cry"], ["label": "0", "text": "Senate votes"]])
        #expect(d.rows.map(\.line) == [2, 4])
        #expect(d.rows.map(\.index) == [0, 1])
        #expect(d.problems.isEmpty)
        #expect(d.rowCount == 2)
    }

    @Test func tsvKeepsQuotesAsText() throws {
        let d = try EvalFixture.tsv("text\tlabel\n\"Krampus\" Is Scary\t1")
        #expect(d.rows.first?.fields["text"] == "\"Krampus\" Is Scary")
    }

    @Test func tsvRowWithWrongFieldCountIsAProblemWithItsLine() throws {
        let d = try EvalFixture.tsv("text\tlabel\na\t1\nb\t0\textra\nc\t1\n")
        #expect(d.rows.map { $0.fields["text"] } == ["a", "c"])
        #expect(d.problems == [DatasetProblem(line: 3, message: "3 fields, the header has 2 (a tab or line break inside a field?)")])
        // The split index counts the bad row, so fixing it does not move the hold-out rows.
        #expect(d.rows.map(\.index) == [0, 2])
    }

    @Test func tsvMissingColumnNamesTheColumns() {
        #expect(throws: DatasetError(path: "data", message: "no column 'label' in the header (columns: clickbait, headline)", missingField: true)) {
            try EvalFixture.tsv("clickbait\theadline\n1\tx\n", required: ["headline", "label"])
        }
        #expect(throws: DatasetError.self) { try EvalFixture.tsv("\n\n") }
    }

    @Test func jsonLinesScalarsAndNulls() throws {
        let s = """
        {"text": "a", "label": 1, "id": 7}
        {"text": "b", "label": true, "title": null}
        {"text": "c", "label": "ad", "extra": [1, 2]}
        {"text": "d", "label": 2.0}

        """
        let d = try EvalFixture.tsv(s, format: .jsonl, optional: ["id", "title"])
        #expect(d.rows.map { $0.fields["label"] } == ["1", "true", "ad", "2"])
        #expect(d.rows[0].fields["id"] == "7")
        #expect(d.rows[1].fields["title"] == nil)
        #expect(d.columns == ["extra", "id", "label", "text", "title"])
    }

    @Test func jsonLinesBadLinesAreProblems() throws {
        let s = """
        {"text": "a", "label": 1}
        [1, 2]
        {"text": "b", "label": 0
        {"text": ["x"], "label": 0}
        {"label": 0}
        {"text": "c", "label": 0}
        """
        let d = try EvalFixture.tsv(s, format: .jsonl)
        #expect(d.rows.map { $0.fields["text"] } == ["a", "c"])
        #expect(d.rows.map(\.index) == [0, 5])
        #expect(d.problems.map(\.line) == [2, 3, 4, 5])
        #expect(d.problems[0].message == "expected a JSON object, got an array")
        #expect(d.problems[1].message.hasPrefix("invalid JSON"))
        #expect(d.problems[2].message == "field 'text' is an array, expected a string, number or boolean")
        #expect(d.problems[3].message == "no field 'text' (or it is null)")
    }

    @Test func jsonLinesFieldNoRowHasIsAnError() {
        #expect(throws: DatasetError(path: "data", message: "no object has the field 'label' (fields: text, uncertain)", missingField: true)) {
            try EvalFixture.tsv("{\"text\": \"a\", \"uncertain\": 1}\n", format: .jsonl)
        }
    }

    @Test func formatGuess() {
        #expect(DatasetFormat.guess(path: "x.tsv", bytes: Array("{".utf8)) == .tsv)
        #expect(DatasetFormat.guess(path: "x.JSONL", bytes: []) == .jsonl)
        #expect(DatasetFormat.guess(path: "-", bytes: Array("\n  {\"a\":1}".utf8)) == .jsonl)
        #expect(DatasetFormat.guess(path: "-", bytes: Array("text\tlabel".utf8)) == .tsv)
    }
}

@Suite("Eval labels and split")
struct EvalLabelTests {
    @Test func builtInLabels() {
        let m = LabelMap()
        #expect(m.target(for: "1") == .positive)
        #expect(m.target(for: " TRUE ") == .positive)
        #expect(m.target(for: "0") == .negative)
        #expect(m.target(for: "content") == .negative)
        #expect(m.target(for: "Ad") == .category(.ads))
        #expect(m.target(for: "newsletter") == .category(.boilerplate))
        #expect(m.target(for: "recirculation") == .category(.boilerplate))
        #expect(m.target(for: "other-boilerplate") == .neutral)
        #expect(m.target(for: "fake") == nil)
    }

    @Test func overridesParseAndWin() throws {
        let o = try LabelMap.parseOverrides("fake=clickbait, real=negative,other-boilerplate=boilerplate")
        #expect(o.count == 3)
        let m = LabelMap(overrides: o)
        #expect(m.target(for: "FAKE") == .category(.clickbait))
        #expect(m.target(for: "real") == .negative)
        #expect(m.target(for: "other-boilerplate") == .category(.boilerplate))
        #expect(throws: LabelMapError.self) { try LabelMap.parseOverrides("x=spam") }
        #expect(throws: LabelMapError.self) { try LabelMap.parseOverrides("nothing") }
        #expect(throws: LabelMapError.self) { try LabelMap.parseOverrides("=ads") }
    }

    @Test func holdoutIsEveryFifthRow() {
        let holdout = (0..<12).filter { EvalSplit.holdout.contains(rowIndex: $0) }
        let dev = (0..<12).filter { EvalSplit.dev.contains(rowIndex: $0) }
        #expect(holdout == [0, 5, 10])
        #expect(dev.count == 9)
        #expect(Set(holdout).isDisjoint(with: dev))
        #expect((0..<12).allSatisfy { EvalSplit.all.contains(rowIndex: $0) })
    }
}

@Suite("Eval units")
struct EvalUnitTests {
    func scopeText(_ d: Document, _ r: Range<Int>?) -> String? { r.map { String(decoding: d.text[$0], as: UTF8.self) } }

    @Test func headlineIsTheTitleOnly() {
        let d = EvalUnit.headline.document(text: "You Won't Believe\nThis", title: nil, path: "p")
        #expect(scopeText(d, d.headline) == "You Won't Believe This")
        #expect(d.paragraphs.isEmpty && d.standaloneLines.isEmpty)
        // A headline that ends with a period is still the title (first-line mode).
        let e = EvalUnit.headline.document(text: "Senate passes the bill.", title: nil, path: "p")
        #expect(scopeText(e, e.headline) == "Senate passes the bill.")
    }

    @Test func lineIsAStandaloneBodyLine() {
        let d = EvalUnit.line.document(text: "Sign up for our newsletter", title: nil, path: "p")
        #expect(d.headline == nil)
        #expect(d.standaloneLines.map { scopeText(d, $0) } == ["Sign up for our newsletter"])
        let s = EvalUnit.sentence.document(text: "Experts say\r\nit works.", title: nil, path: "p")
        #expect(s.headline == nil)
        #expect(s.paragraphs.map { scopeText(s, $0) } == ["Experts say it works."])
    }

    @Test func articleTitleIsTheHeadline() {
        let d = EvalUnit.article.document(text: "First paragraph.\n\nSign up for our newsletter\n", title: "A Title", path: "p")
        #expect(scopeText(d, d.headline) == "A Title")
        #expect(d.standaloneLines.map { scopeText(d, $0) } == ["First paragraph.", "Sign up for our newsletter"])
        let m = EvalUnit.article.document(text: "Body.\n", title: "A *Title*", path: "p.md", reader: .markdown)
        #expect(scopeText(m, m.headline) == "A Title")
        // No title: found as `lint` finds it (a short first line followed by a blank line).
        let n = EvalUnit.article.document(text: "Short Title\n\nBody text here.\n", title: nil, path: "p")
        #expect(scopeText(n, n.headline) == "Short Title")
        let blank = EvalUnit.article.document(text: "Body text here.\n", title: "  ", path: "p")
        #expect(blank.headline == nil)
    }

    @Test func oneLineReplacesEveryLineBreak() {
        #expect(String(decoding: EvalUnit.oneLine("a\r\nb\rc\nd\u{2028}e"), as: UTF8.self) == "a b c d e")
    }
}

@Suite("Eval scoring")
struct EvalScoringTests {
    func run(_ data: String, _ options: EvalOptions, format: DatasetFormat = .tsv) throws -> EvalReport {
        var required = [options.textField]
        if let l = options.labelField { required.append(l) }
        let d = try DatasetReader.parse(Array(data.utf8), path: "data", format: format, required: required,
                                        optional: [options.idField, options.titleField])
        return try Evaluation.evaluate(d, options: options, linter: EvalFixture.linter)
    }

    static let headlines = """
    text\tlabel
    You Won't Believe This\t1
    10 Things About Cats\t1
    10 Things You Need\t1
    Dogs Are Great\t1
    Thank you, voters\t0
    Senate passes budget\t0
    Markets fall again\t0
    """

    @Test func binaryHeadlinesScoreClickbait() throws {
        var o = EvalOptions(unit: .headline)
        o.showErrors = 5
        let r = try run(Self.headlines, o)
        #expect(r.categories == ["clickbait"])
        #expect(r.scores.count == 1)
        let s = r.scores[0]
        #expect((s.positives, s.negatives, s.tp, s.fp, s.fn, s.tn) == (4, 3, 3, 1, 1, 2))
        #expect(s.precision == 0.75)
        #expect(s.recall == 0.75)
        #expect(s.f1 == 0.75)
        #expect(r.overall == nil)
        // Every rule that matched is credited; "only" counts positives no other rule found.
        let you = try #require(r.rules.first { $0.id == "clickbait.you" })
        let things = try #require(r.rules.first { $0.id == "clickbait.number-things" })
        #expect((you.items, you.tp, you.fp, you.only) == (3, 2, 1, 1))
        #expect((things.items, things.tp, things.fp, things.only) == (2, 2, 0, 1))
        // Only rules of scored categories are listed.
        #expect(r.rules.map(\.id) == ["clickbait.number-things", "clickbait.you"])
        let fp = r.examples.filter { $0.kind == .falsePositive }
        #expect(fp.map(\.text) == ["Thank you, voters"])
        #expect(fp.first?.rules == ["clickbait.you"])
        #expect(fp.first?.findings.map(\.match) == ["you"])
        #expect(fp.first?.line == 6)
        #expect(r.examples.filter { $0.kind == .falseNegative }.map(\.text) == ["Dogs Are Great"])
    }

    @Test func showErrorsLimitsTheListButNotTheTotals() throws {
        var o = EvalOptions(unit: .headline)
        o.showErrors = 0
        let r = try run(Self.headlines, o)
        #expect(r.examples.isEmpty)
        #expect(r.exampleTotals == ["falsePositive:clickbait": 1, "falseNegative:clickbait": 1])
    }

    @Test func splitSelectsRows() throws {
        var o = EvalOptions(unit: .headline)
        o.split = .holdout
        let h = try run(Self.headlines, o)
        #expect(h.dataset.items == 2)   // rows 0 and 5
        #expect(h.scores[0].tp + h.scores[0].fn == 1 && h.scores[0].tn + h.scores[0].fp == 1)
        o.split = .dev
        let d = try run(Self.headlines, o)
        #expect(d.dataset.items == 5)
        #expect(h.scores[0].tp + d.scores[0].tp == 3)
    }

    static let lines = """
    {"text": "Use promo code SAVE", "label": "ad"}
    {"text": "Sign up for our newsletter", "label": "newsletter"}
    {"text": "Share this story", "label": "share"}
    {"text": "Get our newsletter with promo code X", "label": "ad"}
    {"text": "Sign up now for the promo code", "label": "newsletter"}
    {"text": "Home | News | Sports", "label": "other-boilerplate"}
    {"text": "Our newsletter staff", "label": "other-boilerplate"}
    {"text": "The council met on Tuesday.", "label": "content"}
    {"text": "He wrote a newsletter for years.", "label": "content"}
    """

    @Test func lineLabelsMapToCategoriesWithNeutralAndPerLabelRecall() throws {
        var o = EvalOptions(unit: .line)
        o.showErrors = 10
        let r = try run(Self.lines, o, format: .jsonl)
        #expect(r.categories == ["ads", "boilerplate"])
        let ads = r.scores[0], bp = r.scores[1]
        // ads: positives = rows 1, 4; row 5 (newsletter) flagged as ads is a false positive.
        #expect([ads.positives, ads.negatives, ads.neutral, ads.tp, ads.fp, ads.fn, ads.tn] as [Int?] == [2, 5, 2, 2, 1, 0, 4])
        // boilerplate: positives rows 2, 3, 5; row 4 (ad) and row 9 (content) flagged: FP; row 7 neutral flagged.
        #expect([bp.positives, bp.negatives, bp.tp, bp.fp, bp.fn, bp.tn, bp.neutralFlagged] as [Int?] == [3, 4, 2, 2, 1, 2, 1])
        let all = try #require(r.overall)
        // Flagged non-neutral rows: 1 ok, 2 ok, 4 ok (ads), 5 ok (boilerplate also fired), 9 wrong.
        #expect([all.positives, all.negatives, all.tp, all.fp, all.fn, all.tn, all.wrongCategory] as [Int?] == [5, 2, 4, 1, 1, 1, 0])
        #expect(all.neutralFlagged == 1)
        let byLabel = Dictionary(uniqueKeysWithValues: r.labels.map { ($0.label, $0) })
        #expect(byLabel["ad"]?.found == 2 && byLabel["ad"]?.recall == 1)
        #expect(byLabel["newsletter"]?.found == 2)
        #expect(byLabel["share"]?.found == 0 && byLabel["share"]?.recall == 0)
        #expect(byLabel["content"]?.found == nil && byLabel["content"]?.flagged == 1)
        #expect(byLabel["other-boilerplate"]?.target == "neutral" && byLabel["other-boilerplate"]?.flagged == 1)
        #expect(r.labels.map(\.label) == ["ad", "newsletter", "share", "content", "other-boilerplate"])
        // A false negative lists what fired instead.
        let fn = r.examples.filter { $0.kind == .falseNegative }
        #expect(fn.map(\.text) == ["Share this story"])
        #expect(fn[0].findings.isEmpty)
    }

    @Test func wrongCategoryCountsAgainstBothInTheOverallRow() throws {
        let data = """
        {"text": "Sign up for our newsletter", "label": "ad"}
        {"text": "Nothing here", "label": "content"}
        """
        var o = EvalOptions(unit: .line)
        o.categories = [.ads, .boilerplate]
        o.showErrors = 3
        let r = try run(data, o, format: .jsonl)
        let all = try #require(r.overall)
        #expect((all.tp, all.fp, all.fn, all.tn, all.wrongCategory) == (0, 1, 1, 1, 1))
        let fn = try #require(r.examples.first { $0.kind == .falseNegative })
        #expect(fn.findings.map(\.rule) == ["boilerplate.sign-up"])
    }

    @Test func categoryFilterMakesOtherPositivesNegatives() throws {
        var o = EvalOptions(unit: .line)
        o.categories = [.ads]
        let r = try run(Self.lines, o, format: .jsonl)
        #expect(r.categories == ["ads"])
        #expect(r.overall == nil)
        #expect((r.scores[0].positives, r.scores[0].negatives, r.scores[0].fp) == (2, 5, 1))
        #expect(r.rules.map(\.id) == ["ads.promo"])
        // Labels of other categories are still listed, without recall.
        #expect(r.labels.first { $0.label == "newsletter" }?.found == nil)
    }

    @Test func unknownLabelsStopWithTheValuesAndAHint() {
        let data = "text\tlabel\na\tfake\nb\treal\nc\tfake\n"
        let e = #expect(throws: EvalError.self) { try run(data, EvalOptions(unit: .article)) }
        let m = e?.message ?? ""
        #expect(m.contains("'fake' (2 rows), 'real' (1 row)"))
        #expect(m.contains("--label-map") && m.contains("--no-labels"))
    }

    @Test func binaryLabelsNeedACategoryWhenTheUnitHasNone() throws {
        let data = "text\tlabel\nUse promo code A\t1\nHello\t0\n"
        #expect(throws: EvalError.self) { try run(data, EvalOptions(unit: .line)) }
        var o = EvalOptions(unit: .line)
        o.categories = [.ads]
        let r = try run(data, o)
        #expect((r.scores[0].tp, r.scores[0].tn) == (1, 1))
        o.categories = [.ads, .polls]
        #expect(throws: EvalError.self) { try run(data, o) }
        var m = EvalOptions(unit: .line)
        m.labelMap = LabelMap(overrides: [("1", .category(.ads))])
        #expect(try run(data, m).scores[0].tp == 1)
    }

    @Test func emptyLabelIsASkippedRow() throws {
        let r = try run("text\tlabel\nYou\t1\nMe\t \n", EvalOptions(unit: .headline))
        #expect(r.dataset.items == 1)
        #expect(r.problems == [DatasetProblem(line: 3, message: "empty label in field 'label'")])
        #expect(r.dataset.skipped == 1)
    }

    @Test func sentencesScoreAttribution() throws {
        let data = """
        {"text": "Experts say it is the best.", "uncertain": 1}
        {"text": "According to the report, experts say it works.", "uncertain": 0}
        {"text": "Some believe it is haunted.", "uncertain": 1}
        """
        var o = EvalOptions(unit: .sentence)
        o.labelField = "uncertain"
        let r = try run(data, o, format: .jsonl)
        #expect(r.categories == ["attribution"])
        #expect((r.scores[0].tp, r.scores[0].fp, r.scores[0].fn, r.scores[0].tn) == (1, 0, 1, 1))
    }

    @Test func unlabeledArticlesAreCountedPer100AndListed() throws {
        let data = """
        {"title": "You Won't Believe It", "text": "First paragraph.\\n\\nSign up for our newsletter\\n\\nUse promo code X\\n", "label": "fake"}
        {"title": null, "text": "Plain body text that says nothing.\\n", "label": "real"}
        {"text": "Another body.\\n\\nSign up today\\n", "label": "real"}
        {"text": "Quiet.\\n", "label": "real"}
        """
        var o = EvalOptions(unit: .article)
        o.labelField = nil
        o.categories = [.ads, .boilerplate]
        o.showErrors = 1
        let r = try run(data, o, format: .jsonl)
        #expect(!r.labeled)
        #expect(r.counts.map(\.category) == ["ads", "boilerplate"])
        #expect(r.counts.map(\.findings) == [1, 2])
        #expect(r.counts.map(\.items) == [1, 2])
        #expect(r.counts.map(\.per100Items) == [25, 50])
        #expect(r.flaggedItems == 2)
        #expect(r.exampleTotals == ["finding:ads": 1, "finding:boilerplate": 2])
        let listed = r.examples.filter { $0.category == "boilerplate" }
        #expect(listed.count == 1)
        #expect(listed[0].text == "You Won't Believe It")
        #expect(listed[0].findings.first?.line == 5)
        #expect(listed[0].findings.first?.context == "Sign up for our newsletter")
        // The clickbait headline is not counted: only the chosen categories are.
        #expect(!r.rules.contains { $0.category == "clickbait" })
    }

    @Test func articleFindingsAreTheSameAsLint() throws {
        let body = "Lede here.\n\nSign up for our newsletter\n\nUse promo code X\n"
        let doc = EvalUnit.article.document(text: body, title: "You Must See", path: "a")
        let viaEval = EvalFixture.linter.lint(doc, scratch: MatchScratch()).findings
        let viaLint = LintRunner.lint(bytes: Array(("You Must See\n\n" + body).utf8), path: "a.txt", linter: EvalFixture.linter).files[0].findings
        #expect(viaEval == viaLint)
        #expect(Set(viaEval.map(\.category)) == [.clickbait, .boilerplate, .ads])
    }

    @Test func resultsDoNotDependOnThreads() throws {
        var rows = "text\tlabel\n"
        for i in 0..<500 { rows += (i % 3 == 0 ? "\(i) Things You Love\t1\n" : i % 3 == 1 ? "Report \(i) on you\t0\n" : "Senate item \(i)\t0\n") }
        var o = EvalOptions(unit: .headline)
        o.showErrors = 7
        o.workers = 1
        let one = JSONReporter.encode(try run(rows, o))
        o.workers = 4
        let four = JSONReporter.encode(try run(rows, o))
        #expect(one == four)
        #expect(one.contains("\"tp\" : 167"))
    }

    @Test func jsonReportShape() throws {
        var o = EvalOptions(unit: .headline)
        o.stats = true
        let r = try run(Self.headlines, o)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(JSONReporter.encode(r).utf8)) as? [String: Any])
        #expect(json["version"] as? Int == 1)
        #expect((json["dataset"] as? [String: Any])?["unit"] as? String == "headline")
        let score = try #require((json["scores"] as? [[String: Any]])?.first)
        #expect(score["precision"] as? Double == 0.75)
        #expect(score["tp"] as? Int == 3)
        #expect(json["counts"] == nil)
        let stats = try #require(json["stats"] as? [String: Any])
        #expect(stats["documents"] as? Int == 7)
        // Undefined scores are null, not missing.
        let empty = try run("text\tlabel\nSenate\t0\n", EvalOptions(unit: .headline))
        let ej = try #require(try JSONSerialization.jsonObject(with: Data(JSONReporter.encode(empty).utf8)) as? [String: Any])
        let es = try #require((ej["scores"] as? [[String: Any]])?.first)
        #expect(es["precision"] is NSNull)
        #expect(es.keys.contains("recall"))
        #expect(ej["stats"] == nil)
    }

    @Test func textReport() throws {
        var o = EvalOptions(unit: .line)
        o.showErrors = 1
        let text = try run(Self.lines, o, format: .jsonl).renderText()
        #expect(text.contains("data (jsonl): unit line, split all\n9 items of 9 rows; text field 'text', label field 'label'\n"))
        #expect(text.contains("ads                  2          5        2                0   2   1   0   4      0.667   1.000  0.800"))
        #expect(text.contains("By label"))
        #expect(text.contains("False positives, boilerplate: 2 (showing the first 1)"))
        #expect(text.contains("  data:4  label ad  [boilerplate.newsletter]\n    Get our newsletter with promo code X\n    boilerplate.newsletter «newsletter»\n"))
    }
}

@Suite("Rule stats")
struct RuleStatsTests {
    @Test func collectorCountsMatchesDocumentsAndFindings() throws {
        let linter = EvalFixture.linter
        let c = RuleStatsCollector()
        let doc = Document(path: "a.txt", string: "You Again\n\nSign up for our newsletter\n\nSign up here\n", headline: .firstLine)
        let withStats = linter.lint(doc, scratch: MatchScratch(), stats: c)
        let without = linter.lint(doc, scratch: MatchScratch())
        #expect(withStats == without)
        #expect(c.lastDocument.map(\.rule.id) == ["boilerplate.newsletter", "boilerplate.sign-up", "clickbait.you"])
        let s = c.snapshot()
        #expect(s.documents == 1)
        #expect(s.rules.count == linter.ruleSet.rules.count)
        let signUp = try #require(s.rules.first { $0.id == "boilerplate.sign-up" })
        #expect((signUp.matches, signUp.documents) == (2, 1))
        // Two boilerplate matches on line 3 merge into one finding reported under one rule.
        let bpFindings = s.rules.filter { $0.category == .boilerplate }.reduce(0) { $0 + $1.findings }
        #expect(bpFindings == 2)
        #expect(s.rules.allSatisfy { $0.timeMs >= 0 })
        #expect(s.rules.map(\.id) == s.rules.map(\.id).sorted())
    }

    @Test func mergeAddsUp() {
        let a = RuleStats(documents: 2, rules: [.init(id: "x.a", category: .ads, matches: 1, documents: 1, findings: 1, timeMs: 1.5)])
        let b = RuleStats(documents: 3, rules: [.init(id: "x.a", category: .ads, matches: 2, documents: 2, findings: 1, errors: 1, timeMs: 0.5),
                                                .init(id: "x.b", category: .polls)])
        let m = RuleStats.merged([a, b], wallTimeMs: 4, threads: 2)
        #expect(m.documents == 5)
        #expect(m.rules.map(\.id) == ["x.a", "x.b"])
        #expect(m.rules[0] == .init(id: "x.a", category: .ads, matches: 3, documents: 3, findings: 2, errors: 1, timeMs: 2))
        #expect(m.ruleTimeMs == 2)
        let table = m.renderTable()
        #expect(table.hasPrefix("rule  "))
        #expect(table.contains("x.a"))
        #expect(table.contains("2 rules over 5 documents; rule time summed over 2 threads; wall time 4.0 ms"))
    }

    @Test func lintRunnerStatsAndJSON() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-stats-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for i in 0..<5 {
            try "Body \(i).\n\nSign up for our newsletter\n".write(to: dir.appendingPathComponent("a\(i).txt"), atomically: true, encoding: .utf8)
        }
        let linter = EvalFixture.linter
        let plain = LintRunner.run(paths: [dir.path], linter: linter)
        #expect(plain.stats == nil)
        #expect(!JSONReporter().render(plain, context: ReportContext()).contains("\"stats\""))
        let r = LintRunner.run(paths: [dir.path], linter: linter, workers: 2, stats: true)
        let s = try #require(r.stats)
        #expect(s.documents == 5)
        #expect(s.rules.first { $0.id == "boilerplate.newsletter" }?.documents == 5)
        #expect(s.wallTimeMs > 0)
        #expect(r.files.map(\.findings) == plain.files.map(\.findings))
        let json = JSONReporter().render(r, context: ReportContext())
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let stats = try #require(obj["stats"] as? [String: Any])
        #expect(stats["documents"] as? Int == 5)
        #expect((stats["rules"] as? [[String: Any]])?.count == linter.ruleSet.rules.count)
    }

    @Test func fixedDecimals() {
        #expect(RuleStats.fixed(0.6666, 3) == "0.667")
        #expect(RuleStats.fixed(1, 3) == "1.000")
        #expect(RuleStats.fixed(12.05, 1) == "12.1" || RuleStats.fixed(12.05, 1) == "12.0")
        #expect(RuleStats.fixed(0.0049, 2) == "0.00")
        #expect(RuleStats.fixed(.nan, 2) == "-")
    }
}
