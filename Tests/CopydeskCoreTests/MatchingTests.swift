import Foundation
import Testing
@testable import CopydeskCore

@Suite("Matching")
struct MatchingTests {
    func matches(_ pattern: String, _ text: String, caseSensitive: Bool = false, range: Range<Int>? = nil) throws -> [Range<Int>] {
        let p = try Pattern(pattern, caseSensitive: caseSensitive)
        let bytes = Array(text.utf8)
        var out: [Range<Int>] = []
        try bytes.withUnsafeBufferPointer { buf in
            try p.forEachMatch(in: buf, range: range ?? 0..<bytes.count, scratch: MatchScratch()) { m in out.append(m.range); return true }
        }
        return out
    }

    @Test func byteOffsetsAfterMultibyteText() throws {
        // “ = 3 bytes, 🎉 = 4 bytes, é = 2 bytes.
        let text = "“Ad” 🎉 café promo code X"
        let r = try matches(#"promo\s+code"#, text)
        let start = Array(text.utf8).count - "promo code X".utf8.count
        #expect(r == [start..<(start + 10)])
    }

    @Test func caselessByDefaultAndCaseSensitiveOnRequest() throws {
        #expect(try matches("promo", "PROMO Promo promo").count == 3)
        #expect(try matches("promo", "PROMO Promo promo", caseSensitive: true).count == 1)
    }

    @Test func unicodeAwareCaseAndClasses() throws {
        // UCP: \w and \b understand non-ASCII letters; caseless folds É/é.
        #expect(try matches(#"\bété\b"#, "ÉTÉ chaud") == [0..<5])
        #expect(try matches(#"\w+"#, "naïve") == [0..<6])
    }

    @Test func emptyMatchesStepOverWholeScalars() throws {
        // An empty-matching pattern must advance by scalar, never split 🎉 (4 bytes).
        let text = "a🎉b"
        let p = try Pattern("x*")
        let bytes = Array(text.utf8)
        var starts: [Int] = []
        try bytes.withUnsafeBufferPointer { buf in
            try p.forEachMatch(in: buf, range: 0..<bytes.count, scratch: MatchScratch()) { m in starts.append(m.range.lowerBound); return true }
        }
        #expect(starts == [0, 1, 5, 6])
    }

    @Test func subjectIsTheRangeOnly() throws {
        let text = "xx Advertisement yy"
        #expect(try matches("^Advertisement$", text, range: 3..<16) == [3..<16])
        #expect(try matches("^Advertisement$", text).isEmpty)
    }

    @Test func captureGroups() throws {
        let p = try Pattern(#"save\s+(\d+)%(?:\s+(off))?"#)
        let bytes = Array("Save 15% today".utf8)
        var groups: [Range<Int>?] = []
        try bytes.withUnsafeBufferPointer { buf in
            try p.forEachMatch(in: buf, range: 0..<bytes.count, scratch: MatchScratch()) { m in groups = m.groups; return false }
        }
        #expect(groups.count == 2)
        #expect(groups[0] == 5..<7)
        #expect(groups[1] == nil)
    }

    @Test func invalidUTF8SubjectIsSafe() throws {
        var bytes = Array("ok ".utf8)
        bytes += [0xC0, 0xAF, 0x80, 0xE2, 0x82, 0xFF]   // overlong, lone continuation, truncated, invalid
        bytes += Array(" promo code".utf8)
        let p = try Pattern(#"promo\s+code"#)
        var found: [Range<Int>] = []
        try bytes.withUnsafeBufferPointer { buf in
            try p.forEachMatch(in: buf, range: 0..<bytes.count, scratch: MatchScratch()) { m in found.append(m.range); return true }
        }
        #expect(found == [(bytes.count - 10)..<bytes.count])
        // Empty matches over invalid bytes still terminate and cover every position.
        let e = try Pattern("(?:)")
        var n = 0
        try bytes.withUnsafeBufferPointer { buf in
            try e.forEachMatch(in: buf, range: 0..<bytes.count, scratch: MatchScratch()) { _ in n += 1; return true }
        }
        #expect(n > 10 && n <= bytes.count + 1)
    }

    @Test func compileErrorCarriesMessageAndOffset() {
        #expect(throws: PatternCompileError.self) { try Pattern("promo (code") }
        do {
            _ = try Pattern("ab(?<=x+)c")
            Issue.record("expected a compile error")
        } catch {
            #expect(!error.message.isEmpty)
            #expect(error.offset > 0)
        }
        do {
            _ = try Pattern("abc[")
            Issue.record("expected a compile error")
        } catch {
            #expect(error.message.contains("missing terminating ]"))
            #expect(error.offset == 4)
        }
    }

    @Test func catastrophicPatternIsBoundedAndReported() throws {
        let p = try Pattern("(a+)+$")
        let bytes = Array(String(repeating: "a", count: 10_000).utf8) + [UInt8(ascii: "!")]
        let clock = ContinuousClock()
        var caught: MatchLimitError? = nil
        let elapsed = clock.measure {
            do {
                try bytes.withUnsafeBufferPointer { buf in
                    try p.forEachMatch(in: buf, range: 0..<bytes.count, scratch: MatchScratch()) { _ in true }
                }
            } catch { caught = error as? MatchLimitError }
        }
        #expect(caught != nil)
        // A hard bound, not a benchmark: without the limit this takes longer than the universe.
        #expect(elapsed < .seconds(5))
    }

    @Test func shortCatastrophicInputComesBackQuickly() throws {
        let p = try Pattern("(a+)+$")
        let bytes = Array((String(repeating: "a", count: 30) + "!").utf8)
        var caught = false
        do {
            try bytes.withUnsafeBufferPointer { buf in
                try p.forEachMatch(in: buf, range: 0..<bytes.count, scratch: MatchScratch()) { _ in true }
            }
        } catch { caught = true }
        #expect(caught)
    }

    @Test func emptyMatchDetection() throws {
        #expect(try Pattern("a*").canMatchEmpty)
        #expect(try !Pattern("a+").canMatchEmpty)
    }
}
