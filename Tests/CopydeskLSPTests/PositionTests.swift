import Testing
@testable import CopydeskLSP

@Suite("LSP positions")
struct PositionTests {
    // “ and ” are 3 UTF-8 bytes and 1 UTF-16 unit; 🎉 is 4 bytes and 2 units (a surrogate pair).
    let text = "“Ad” 🎉 promo\r\nline two\n🎉\rend"

    @Test func utf16AndUTF8ColumnsAfterEmojiAndCurlyQuotes() {
        let t = LineTable(text)
        let promo = Array(text.utf8).firstIndex(of: UInt8(ascii: "p"))!
        #expect(promo == 14)
        #expect(t.position(ofByte: promo, encoding: .utf16) == Position(line: 0, character: 8))
        #expect(t.position(ofByte: promo, encoding: .utf8) == Position(line: 0, character: 14))
        #expect(t.position(ofByte: promo, encoding: .utf32) == Position(line: 0, character: 7))
        #expect(t.offset(of: Position(line: 0, character: 8), encoding: .utf16) == promo)
        #expect(t.offset(of: Position(line: 0, character: 14), encoding: .utf8) == promo)
    }

    @Test func lineBreaksCRLFLoneCRAndLF() {
        let t = LineTable(text)
        #expect(t.lineCount == 4)
        let two = Array(text.utf8).firstIndex(of: UInt8(ascii: "l"))!
        #expect(t.position(ofByte: two, encoding: .utf16) == Position(line: 1, character: 0))
        let end = Array(text.utf8).count - 3
        #expect(t.position(ofByte: end, encoding: .utf16) == Position(line: 3, character: 0))
        // Line 2 is just the emoji: 2 units, then the lone CR.
        #expect(t.position(ofByte: t.lineEnds[2], encoding: .utf16) == Position(line: 2, character: 2))
    }

    @Test func roundTripsEveryCharacterBoundary() {
        let t = LineTable(text)
        let bytes = Array(text.utf8)
        for enc in [PositionEncoding.utf8, .utf16, .utf32] {
            for o in 0...bytes.count where o == bytes.count || (bytes[o] & 0xC0) != 0x80 {
                let p = t.position(ofByte: o, encoding: enc)
                let back = t.offset(of: p, encoding: enc)
                // Offsets on a CRLF's LF map back to the end of the line content.
                let onLF = o > 0 && o < bytes.count && bytes[o] == 0x0A && bytes[o - 1] == 0x0D
                if !onLF { #expect(back == o, "\(enc) offset \(o) -> \(p) -> \(back)") }
            }
        }
    }

    @Test func badPositionsAreClamped() {
        let t = LineTable(text)
        let n = Array(text.utf8).count
        #expect(t.offset(of: Position(line: 99, character: 0), encoding: .utf16) == n)
        #expect(t.offset(of: Position(line: -1, character: 5), encoding: .utf16) == 0)
        // Past the end of line 0: its end (before the CRLF).
        #expect(t.offset(of: Position(line: 0, character: 999), encoding: .utf16) == t.lineEnds[0])
        // Inside the emoji's surrogate pair (unit 6 of line 0 is its second half): the emoji's start.
        #expect(t.offset(of: Position(line: 0, character: 6), encoding: .utf16) == 9)
        // Inside a UTF-8 sequence: the character's start.
        #expect(t.offset(of: Position(line: 0, character: 1), encoding: .utf8) == 0)
        #expect(t.position(ofByte: 1, encoding: .utf8) == Position(line: 0, character: 0))
        #expect(t.position(ofByte: 11, encoding: .utf16) == Position(line: 0, character: 5))
        #expect(t.position(ofByte: 10_000, encoding: .utf16) == Position(line: 3, character: 3))
    }

    @Test func emptyTextAndFinalNewline() {
        let empty = LineTable("")
        #expect(empty.lineCount == 1)
        #expect(empty.position(ofByte: 0, encoding: .utf16) == Position(line: 0, character: 0))
        let t = LineTable("a\n")
        #expect(t.lineCount == 2)
        #expect(t.position(ofByte: 2, encoding: .utf16) == Position(line: 1, character: 0))
        #expect(t.offset(of: Position(line: 1, character: 0), encoding: .utf16) == 2)
    }
}
