import Foundation
import Testing
@testable import CopydeskCore
@testable import CopydeskWorkflow
import CopydeskTestSupport

@Suite("Workflow: baseline")
struct WorkflowBaselineTests {
    func run(_ text: String, path: String) -> LintResult {
        var o = ReadOptions()
        o.headline = .none
        return LintRunner.lint(bytes: Array(text.utf8), path: path, linter: WorkflowRules.linter, options: o)
    }

    let original = """
        First paragraph has a promo code in it.

        Second paragraph asks you to vote now.

        Third paragraph is clean.
        """

    @Test func survivesLineShiftsAndEditsElsewhere() {
        let t = TempDir(); defer { t.remove() }
        let baselinePath = t.at("baseline.json")
        let path = t.at("a.md")
        let before = run(original, path: path)
        #expect(before.findingCount == 2)
        let baseline = Baseline.make(from: before, baselinePath: baselinePath)
        #expect(baseline.findings.map(\.path) == ["a.md", "a.md"])

        // New lines above, another paragraph rewritten: both old findings stay hidden.
        let edited = "A new opening line.\n\nAnd another.\n\n" + original.replacingOccurrences(of: "Third paragraph is clean.", with: "Third paragraph, rewritten, still clean.")
        var after = run(edited, path: path)
        #expect(after.findingCount == 2)
        #expect(baseline.apply(to: &after, baselinePath: baselinePath) == 2)
        #expect(after.findingCount == 0)
    }

    @Test func newFindingsAndSecondCopiesAreStillReported() {
        let t = TempDir(); defer { t.remove() }
        let baselinePath = t.at("baseline.json")
        let path = t.at("a.md")
        let baseline = Baseline.make(from: run(original, path: path), baselinePath: baselinePath)
        // The same paragraph pasted twice (a second copy) and a new finding.
        let edited = original + "\n\nFirst paragraph has a promo code in it.\n\nShop now while stocks last.\n"
        var after = run(edited, path: path)
        #expect(after.findingCount == 4)
        #expect(baseline.apply(to: &after, baselinePath: baselinePath) == 2)
        #expect(after.files[0].findings.map(\.rule) == ["ads.promo-code", "ads.shop-now"])
        #expect(after.files[0].findings.map(\.span.start.line) == [7, 9])
        // A changed match is a new finding.
        var changed = run(original.replacingOccurrences(of: "vote now", with: "VOTE NOW today"), path: path)
        baseline.apply(to: &changed, baselinePath: baselinePath)
        #expect(changed.findingCount == 1)
    }

    @Test func pathsAreRelativeToTheBaselineFile() {
        let t = TempDir(); defer { t.remove() }
        let result = run(original, path: t.at("news/a.md"))
        let b = Baseline.make(from: result, baselinePath: t.at("ci/baseline.json"))
        #expect(b.findings.first?.path == "../news/a.md")
        var again = result
        #expect(b.apply(to: &again, baselinePath: t.at("ci/baseline.json")) == 2)
        var elsewhere = run(original, path: t.at("other/a.md"))
        #expect(b.apply(to: &elsewhere, baselinePath: t.at("ci/baseline.json")) == 0)
    }

    @Test func fileIsStableSortedJSON() throws {
        let t = TempDir(); defer { t.remove() }
        let baselinePath = t.at("baseline.json")
        let text = original + "\n\nFirst paragraph has a promo code in it.\n"
        let r = run(text, path: t.at("b.md"))
        let b = Baseline.make(from: r, baselinePath: baselinePath)
        try b.write(to: baselinePath)
        let written = try #require(t.read("baseline.json"))
        #expect(written == b.encoded())
        #expect(written.hasSuffix("}\n"))
        #expect(written.contains("\"count\" : 2"))
        #expect(Baseline.make(from: run(text, path: t.at("b.md")), baselinePath: baselinePath).encoded() == written)
        let keys = ["\"count\"", "\"fingerprint\"", "\"match\"", "\"path\"", "\"rule\""]
        let positions = keys.map { written.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(b.findings == b.findings.sorted())
        #expect(!written.contains("\"line\""))
        // Round trip.
        #expect(try Baseline.load(baselinePath).get() == b)
    }

    @Test func badBaselineFilesAreNamedErrors() {
        let t = TempDir(); defer { t.remove() }
        t.file("bad.json", "{ nope")
        t.file("wrong.json", "{\"version\": 1, \"tool\": \"copydesk\"}")
        t.file("v2.json", "{\"version\": 2, \"tool\": \"copydesk\", \"findings\": []}")
        func message(_ p: String) -> String? { if case .failure(let e) = Baseline.load(p) { return "\(e.path): \(e.message)" }; return nil }
        #expect(message(t.at("missing.json")) == "\(t.at("missing.json")): baseline file not found")
        #expect(message(t.at("bad.json"))?.hasSuffix("not a Copydesk baseline (invalid JSON)") == true)
        #expect(message(t.at("wrong.json"))?.hasSuffix("missing 'findings'") == true)
        #expect(message(t.at("v2.json"))?.hasSuffix("unsupported baseline version 2 (expected 1)") == true)
    }

    @Test func fingerprintIgnoresLineAndColumnButNotContext() {
        func finding(line: Int, col: Int, match: String = "promo code") -> Finding {
            let start = SourcePosition(line: line, column: col, offset: 100 * line)
            return Finding(rule: "ads.promo-code", category: .ads, severity: .error, message: "m", match: match,
                           span: SourceSpan(start: start, end: SourcePosition(line: line, column: col + match.count, offset: 100 * line + match.count)))
        }
        let a = Fingerprint.of(finding(line: 3, col: 5), lineText: "Use promo code now")
        #expect(a == Fingerprint.of(finding(line: 9, col: 7), lineText: "  Use promo code now"))   // shifted, re-indented
        #expect(a != Fingerprint.of(finding(line: 3, col: 5), lineText: "Try promo code now"))    // nearby text changed
        #expect(a.count == 16)
    }
}
