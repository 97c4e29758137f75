import Foundation
import Testing
import CopydeskTestSupport

/// `copydesk eval` with the document units (article-line, block), --labels and --group-by.
extension EvalCLITests {
    /// `line`-scope rules: findings independent of how the document model groups lines.
    static let lineRules = EvalTestRules.file(EvalTestRules.newsletter(scope: "line"), EvalTestRules.promo(scope: "line"))

    func writeLineRules() throws -> String {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("linerules"), withIntermediateDirectories: true)
        try write("linerules/r.yml", Self.lineRules)
        return path("linerules")
    }

    static let articleRows = """
    {"title": "A day", "text": "Lede here.\\r\\n\\r\\nUse promo code X.\\n\\nSign up for our newsletter", "source": "one"}
    {"title": "Another", "text": "Plain.\\nThe newsletter business grew.", "source": "two"}
    """

    @Test(arguments: ["single-newline", "blank-line"])
    func articleLineWithLabelsAndGroups(layout: String) throws {
        let rules = try writeLineRules()
        try write("art.jsonl", Self.articleRows)
        try write("labels.tsv", "id\tlabel\nart/0/1\tcontent\nart/0/2\tad\nart/0/3\tnewsletter\nart/1/2\tnone\narts/0/3\tad\n")
        let r = try run(["eval", path("art.jsonl"), "--unit", "article-line", "--layout", layout, "--labels", path("labels.tsv"),
                         "--group-by", "source", "--rules", rules, "--show-errors", "5"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("4 lines in 2 documents (layout \(layout)) of 2 rows"))
        #expect(r.stdout.contains("Labels: 5 ids, 4 matched, 1 for other files, 0 unmatched; 1 item without a label not scored\n"))
        #expect(r.stdout.contains("boilerplate          1          3   1   1   0   2      0.500   1.000  0.667\n"))
        #expect(r.stdout.contains("By source:\n"))
        #expect(r.stdout.contains("  two         1  ads"))
        // --show-errors: id, label, the line's text, the rules that matched.
        #expect(r.stdout.contains("art.jsonl:2  id art/1/2  label none  [boilerplate.newsletter]\n    The newsletter business grew.\n    boilerplate.newsletter «newsletter»\n"))
        #expect(r.stderr.isEmpty)
    }

    @Test func blockUnitWithLabelMapAndJSON() throws {
        let rules = try writeLineRules()
        try write("blocks.jsonl", """
        {"doc": "d1", "idx": 1, "label": "related_content", "text": "Get the newsletter"}
        {"doc": "d1", "idx": 0, "label": "full_text", "text": "The story."}
        {"doc": "d2", "idx": 0, "label": "related_content", "text": "Other story"}
        {"doc": "d2", "idx": 1, "label": "comments", "text": "Nice newsletter"}
        """)
        let map = "related_content=recirculation,full_text=negative,supplemental=neutral,comments=neutral,not_content=neutral"
        let r = try run(["eval", path("blocks.jsonl"), "--unit", "block", "--document-field", "doc", "--order-field", "idx",
                         "--label-map", map, "--rules", rules, "--show-errors", "3", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let dataset = try #require(obj["dataset"] as? [String: Any])
        #expect(dataset["unit"] as? String == "block")
        #expect(dataset["documents"] as? Int == 2)
        #expect(dataset["layout"] as? String == "single-newline")
        let score = try #require((obj["scores"] as? [[String: Any]])?.first)
        #expect(score["tp"] as? Int == 1)
        #expect(score["fn"] as? Int == 1)
        #expect(score["neutralFlagged"] as? Int == 1)
        let fn = try #require((obj["examples"] as? [[String: Any]])?.first { $0["kind"] as? String == "falseNegative" })
        #expect(fn["id"] as? String == "d2/0")
        #expect(fn["text"] as? String == "Other story")
    }

    @Test func documentUnitAndLabelErrorsExitTwo() throws {
        let rules = try writeLineRules()
        try write("art.jsonl", Self.articleRows)
        // article-line without labels.
        let noLabels = try run(["eval", path("art.jsonl"), "--unit", "article-line", "--rules", rules])
        #expect(noLabels.status == 2)
        #expect(noLabels.stderr.contains("--labels FILE.tsv"))
        // A labels file without a label column.
        try write("nolabel.tsv", "id\tvalue\nart/0/1\tad\n")
        let noColumn = try run(["eval", path("art.jsonl"), "--unit", "article-line", "--labels", path("nolabel.tsv"), "--rules", rules])
        #expect(noColumn.status == 2)
        #expect(noColumn.stderr.contains("labels file: no column 'label' in the header (columns: id, value)"))
        // A bad TSV row in the labels file: listed, the run goes on, exit 2.
        try write("bad.tsv", "id\tlabel\nart/0/2\tad\nart/0/3 newsletter\n")
        let bad = try run(["eval", path("art.jsonl"), "--unit", "article-line", "--labels", path("bad.tsv"), "--rules", rules])
        #expect(bad.status == 2)
        #expect(bad.stdout.contains("\(path("bad.tsv")):3: 1 field, the header has 2"))
        // Unmatched ids: a warning on stderr, the report still runs.
        try write("some.tsv", "id\tlabel\nart/0/2\tad\nart/5/1\tad\n")
        let some = try run(["eval", path("art.jsonl"), "--unit", "article-line", "--labels", path("some.tsv"), "--rules", rules])
        #expect(some.status == 0)
        #expect(some.stderr.contains("warning: 1 label id in \(path("some.tsv")) matched no item of \(path("art.jsonl")): art/5/1"))
        // No id matches at all.
        try write("none.tsv", "id\tlabel\nother/0/1\tad\n")
        let none = try run(["eval", path("art.jsonl"), "--unit", "article-line", "--labels", path("none.tsv"), "--rules", rules])
        #expect(none.status == 2)
        #expect(none.stderr.contains("no label id matches an item"))
        // Blocks without the document field.
        let noDoc = try run(["eval", path("art.jsonl"), "--unit", "block", "--no-labels", "--rules", rules])
        #expect(noDoc.status == 2)
        #expect(noDoc.stderr.contains("no object has the field 'doc', 'idx'"))
        #expect(noDoc.stderr.contains("--document-field"))
        // --group-by a field nobody has.
        let noGroup = try run(["eval", path("art.jsonl"), "--unit", "article-line", "--no-labels", "--group-by", "site", "--rules", rules])
        #expect(noGroup.status == 2)
        #expect(noGroup.stderr.contains("--group-by 'site': no such field in the dataset (fields: source, text, title)"))
        // --labels with --no-labels.
        let both = try run(["eval", path("art.jsonl"), "--unit", "article-line", "--no-labels", "--labels", path("some.tsv")])
        #expect(both.status == 2)
        #expect(both.stderr.contains("--labels and --no-labels exclude each other"))
    }
}
