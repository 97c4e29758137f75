import Foundation
import Testing
@testable import CopydeskCore

/// Articles built to make the readers slow or deep: unmatched brackets, backtick runs of every
/// length, links nested thousands deep. Each once took quadratic time or deep recursion; the
/// suite's time limit turns a regression into a failure (these finish in well under a second).
@Suite("Hostile input", .timeLimit(.minutes(1)))
struct HostileInputTests {
    static let linter: Linter = {
        let loaded = RuleLoader.load(files: [(name: "h.yml", contents: """
            rules:
              - id: ads.promo
                category: ads
                severity: error
                message: "promo"
                description: d
                kind: existence
                scope: line
                patterns: ['\\bpromo code [A-Z0-9]+']
            """)])
        return Linter(ruleSet: loaded.ruleSet)
    }()

    static func lint(_ body: String, markdown: Bool = true) -> FileReport {
        let doc = Document(path: markdown ? "h.md" : "h.txt", string: "Title\n\n" + body + "\nUse promo code TAIL1 now.\n")
        return linter.lint(doc, scratch: MatchScratch())
    }

    static let hostile: [(String, String)] = [
        ("unmatched brackets", String(repeating: "[", count: 300_000)),
        ("unmatched link parens", String(repeating: "[a](", count: 100_000)),
        ("unmatched reference links", String(repeating: "[a][b", count: 100_000)),
        ("backtick runs of every length", (1...2_000).map { String(repeating: "`", count: $0) }.joined(separator: " ")),
        ("links nested 100,000 deep", String(repeating: "[", count: 100_000) + "x" + String(repeating: "](u)", count: 100_000)),
        ("images nested deep", String(repeating: "![", count: 50_000) + "x" + String(repeating: "](u)", count: 50_000)),
        ("unclosed tags", String(repeating: "<a href=\"x ", count: 100_000)),
        ("unclosed comment openers", String(repeating: "<!-", count: 100_000)),
        ("url-like runs", String(repeating: "http://", count: 100_000)),
        ("emphasis runs", String(repeating: "*_~", count: 200_000)),
        ("escapes", String(repeating: "\\[\\`", count: 100_000)),
        ("abbreviation dots", String(repeating: "Mr. U.S. No. ", count: 50_000)),
        ("quote marks", String(repeating: "\"a \u{201C}b ' ", count: 100_000)),
    ]

    @Test(arguments: 0..<hostile.count)
    func hostileLinesAreLintedQuickly(_ k: Int) {
        let (name, body) = Self.hostile[k]
        for markdown in [true, false] {
            let report = Self.lint(body, markdown: markdown)
            #expect(report.errors.isEmpty, "\(name): \(report.errors)")
            #expect(report.findings.last?.match == "promo code TAIL1", "\(name) (markdown: \(markdown)): the line after it must still be linted")
        }
    }

    @Test func deepLinkNestingStillKeepsTheText() {
        // Past the nesting cap the brackets are text; the words inside are still linted.
        let body = String(repeating: "[", count: 40) + "Use promo code DEEP1 now" + String(repeating: "](u)", count: 40)
        let report = Self.lint(body)
        #expect(report.findings.map(\.match).contains("promo code DEEP1"))
    }

    /// The line index answers exactly what the old rescanning code answered, on random lines.
    @Test func inlineIndexAgreesWithRescanning() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("[]()\\`ab ".utf8)
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...30, using: &rng)
            let s = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
            let index = InlineIndex(s, 0..<s.count)
            // Positions the inline scanner can reach: not escaped by a backslash from the line start.
            var escaped = Array(repeating: false, count: s.count)
            var j = 0
            while j < s.count {
                if s[j] == UInt8(ascii: "\\") && j + 1 < s.count { escaped[j + 1] = true; j += 2; continue }
                j += 1
            }
            for i in s.indices where s[i] == UInt8(ascii: "[") && !escaped[i] {
                for end in [s.count, max(i + 1, s.count - 3)] {
                    let old = Inline.linkAt(s, i, end)
                    let new = index.linkAt(i, end)
                    #expect(old?.text == new?.text && old?.end == new?.end, "\(String(decoding: s, as: UTF8.self)) at \(i), end \(end)")
                }
            }
            var i = 0
            while i < s.count {
                guard s[i] == UInt8(ascii: "`") else { i += 1; continue }
                var m = 0
                while i + m < s.count && s[i + m] == UInt8(ascii: "`") { m += 1 }
                // Reference: scan for the next run of the same length.
                var k = i + m
                var close: Int? = nil
                while k < s.count {
                    if s[k] == UInt8(ascii: "`") {
                        var r = 0
                        while k + r < s.count && s[k + r] == UInt8(ascii: "`") { r += 1 }
                        if r == m { close = k + r; break }
                        k += r
                    } else { k += 1 }
                }
                #expect(index.closingBackticks(after: i + m, length: m, end: s.count) == close, "\(String(decoding: s, as: UTF8.self)) at \(i)")
                i += m
            }
        }
    }
}
