import Foundation
import Testing
@testable import CopydeskCore
import CopydeskDefaultRules
@testable import CopydeskEval
import CopydeskTestSupport

/// Hand-written junk lines and news sentences (`Fixtures/probes`, written for this purpose, not
/// taken from any dataset) linted with the default rules exactly as `copydesk eval --unit line`
/// lints a line: every junk line must be covered by a finding of its category, and no news
/// sentence by any ads, polls or boilerplate finding. Claims are linted as `--unit sentence`:
/// unattributed ones must be flagged, attributed and plain ones not.
@Suite("Generalisation probes")
struct ProbeTests {
    static let dir = packageRoot.appendingPathComponent("Fixtures/probes")
    static let linter = Linter(ruleSet: RuleLoader.loadDefault().ruleSet)

    static func lines(_ name: String) throws -> [String] {
        try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    static func categories(of line: String, unit: EvalUnit = .line) -> Set<String> {
        let doc = unit.document(text: line, title: nil, path: "probe.txt")
        return Set(linter.lint(doc, scratch: MatchScratch()).findings.map(\.category.rawValue))
    }

    @Test func everyJunkLineIsFoundUnderItsCategory() throws {
        let rows = try Self.lines("junk-lines.tsv")
        #expect(rows.count >= 60)
        var missed: [String] = []
        for row in rows {
            let parts = row.split(separator: "\t", maxSplits: 1).map(String.init)
            try #require(parts.count == 2, "bad probe row: \(row)")
            if !Self.categories(of: parts[1]).contains(parts[0]) { missed.append(row) }
        }
        #expect(missed.isEmpty, "junk lines not found under their category:\n\(missed.joined(separator: "\n"))")
    }

    @Test func noNewsSentenceIsFlaggedAsJunk() throws {
        let rows = try Self.lines("news-lines.txt")
        #expect(rows.count >= 20)
        var flagged: [String] = []
        for row in rows {
            let cats = Self.categories(of: row).intersection(["ads", "polls", "boilerplate"])
            if !cats.isEmpty { flagged.append("\(cats.sorted()): \(row)") }
        }
        #expect(flagged.isEmpty, "news sentences flagged:\n\(flagged.joined(separator: "\n"))")
    }

    @Test func unattributedClaimsAreFlaggedAndAttributedOnesAreNot() throws {
        let claims = try Self.lines("unattributed-claims.txt")
        let plain = try Self.lines("attributed-claims.txt")
        #expect(claims.count >= 20 && plain.count >= 20)
        let missed = claims.filter { !Self.categories(of: $0, unit: .sentence).contains("attribution") }
        let flagged = plain.filter { Self.categories(of: $0, unit: .sentence).contains("attribution") }
        #expect(missed.isEmpty, "unattributed claims not flagged:\n\(missed.joined(separator: "\n"))")
        #expect(flagged.isEmpty, "attributed or plain sentences flagged:\n\(flagged.joined(separator: "\n"))")
    }
}
