import Foundation
import Testing
@testable import CopydeskCore
import CopydeskDefaultRules

/// Patterns run with the interpreter first and are JIT-compiled once they have done enough
/// work (`Pattern.jitAfterCalls`, `Pattern.jitAfterBytes`); both engines give the same matches.
@Suite("JIT deferral")
struct JITDeferralTests {
    func all(_ p: Pattern, _ bytes: [UInt8]) throws -> [PatternMatch] {
        var out: [PatternMatch] = []
        try bytes.withUnsafeBufferPointer { buf in
            try p.forEachMatch(in: buf, range: 0..<buf.count, scratch: MatchScratch()) { out.append($0); return true }
        }
        return out
    }

    @Test func jitAfterEnoughCalls() throws {
        let jitWorks = try Pattern("x").isJITCompiled
        let p = try Pattern(#"\bjit(\d)\b"#)
        let bytes = Array("a jit1 b".utf8)
        for _ in 0..<(Pattern.jitAfterCalls / 2 - 1) { _ = try all(p, bytes) }
        #expect(!p.hasJITCode)
        for _ in 0..<Pattern.jitAfterCalls { _ = try all(p, bytes) }
        #expect(p.hasJITCode == jitWorks)
        #expect(try all(p, bytes).map(\.range) == [2..<6])
    }

    @Test func jitAtOnceForLongText() throws {
        let jitWorks = try Pattern("x").isJITCompiled
        let p = try Pattern(#"\bneedle\b"#)
        let bytes = Array((String(repeating: "hay ", count: Pattern.jitAfterBytes / 4) + "needle").utf8)
        let found = try all(p, bytes)
        #expect(p.hasJITCode == jitWorks)
        #expect(found.map(\.range) == [(bytes.count - 6)..<bytes.count])
    }

    /// Every pattern of the default rules, interpreted and as JIT code, on every rule example
    /// (one text): same matches, same capture groups.
    @Test func interpreterAndJITAgreeOnTheDefaultPatterns() throws {
        let rules = RuleLoader.loadDefault().ruleSet.rules
        let text = rules.flatMap { $0.examples.triggering + $0.examples.nontriggering }
            .map { $0.replacingOccurrences(of: "«", with: "").replacingOccurrences(of: "»", with: "") }
            .joined(separator: "\n")
        let bytes = Array(text.utf8)
        #expect(bytes.count < Pattern.jitAfterBytes * 4)
        var compared = 0, matched = 0
        for rule in rules {
            for source in Set((rule.patterns + rule.exceptions + rule.attributions).map(\.source)) {
                let jit = try Pattern(source, caseSensitive: rule.caseSensitive)
                _ = jit.isJITCompiled
                var a: [PatternMatch] = [], b: [PatternMatch] = []
                // Pieces of the text, each searched by a fresh pattern: every search stays
                // interpreted (under both thresholds).
                var start = 0
                while start < bytes.count {
                    let end = min(bytes.count, start + Pattern.jitAfterBytes / 8)
                    let fresh = try Pattern(source, caseSensitive: rule.caseSensitive)
                    try bytes.withUnsafeBufferPointer { buf in
                        try fresh.forEachMatch(in: buf, range: start..<end, scratch: MatchScratch()) { a.append($0); return true }
                        try jit.forEachMatch(in: buf, range: start..<end, scratch: MatchScratch()) { b.append($0); return true }
                    }
                    #expect(!fresh.hasJITCode)
                    start = end
                }
                #expect(a == b, "\(rule.id): \(source)")
                compared += 1
                matched += a.isEmpty ? 0 : 1
            }
        }
        #expect(compared > 300)
        #expect(matched > 200)
    }
}
