import CopydeskCore

/// How LSP positions count characters within a line (`positionEncoding`, LSP 3.17).
public enum PositionEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16 = "utf-16"
    case utf32 = "utf-32"
}

/// An LSP position: 0-based line, 0-based character offset in the negotiated encoding's units.
public struct Position: Sendable, Hashable, Comparable {
    public var line: Int
    public var character: Int
    public init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }
    public static func < (a: Position, b: Position) -> Bool {
        (a.line, a.character) < (b.line, b.character)
    }
    public var json: JSON { ["line": .int(line), "character": .int(character)] }
    public init?(_ json: JSON?) {
        guard let line = json?["line"]?.int, let character = json?["character"]?.int else { return nil }
        self.init(line: line, character: character)
    }
}

public struct LSPRange: Sendable, Hashable {
    public var start: Position
    public var end: Position
    public init(start: Position, end: Position) {
        self.start = start
        self.end = end
    }
    public var json: JSON { ["start": start.json, "end": end.json] }
    public init?(_ json: JSON?) {
        guard let s = Position(json?["start"]), let e = Position(json?["end"]) else { return nil }
        self.init(start: s, end: e)
    }
}

/// Converts between the engine's byte offsets (UTF-8) and LSP positions, at the edge. Line breaks
/// are `\n`, `\r\n` and a lone `\r`, as in LSP: the engine's `LineIndex` finds them. Bad input (a line
/// past the end, a character past the line's end, an offset inside a character) is clamped,
/// never trapped on.
public struct LineTable: Sendable {
    public let bytes: [UInt8]
    /// The engine's own line index (the same line breaks as every report).
    public let index: LineIndex
    /// Byte offset where each line starts.
    public var lineStarts: [Int] { index.lineStarts }
    /// Byte offset where each line's content ends (before its terminator).
    public var lineEnds: [Int] { index.lineEnds }

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        index = LineIndex(bytes)
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    public var lineCount: Int { index.lineCount }

    /// 0-based line holding `offset` (an offset on a terminator belongs to its line).
    public func line(ofByte offset: Int) -> Int { index.lineIndex(of: offset) }

    /// Length in bytes of the UTF-8 sequence a lead byte starts (1 for a stray byte).
    @inline(__always) static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...0xF7: 4
        case 0xE0...0xEF: 3
        case 0xC0...0xDF: 2
        default: 1
        }
    }

    /// Code units one character of `length` UTF-8 bytes takes in `encoding`.
    @inline(__always) static func units(_ length: Int, _ encoding: PositionEncoding) -> Int {
        switch encoding {
        case .utf8: length
        case .utf16: length == 4 ? 2 : 1
        case .utf32: 1
        }
    }

    /// The LSP position of a byte offset (an offset inside a character moves to its start).
    public func position(ofByte offset: Int, encoding: PositionEncoding) -> Position {
        let o = max(0, min(offset, bytes.count))
        let line = line(ofByte: o)
        let start = lineStarts[line]
        let target = min(o, lineEnds[line])
        if encoding == .utf8 {
            // Still never split a character.
            var k = target
            while k > start && k < bytes.count && (bytes[k] & 0xC0) == 0x80 { k -= 1 }
            return Position(line: line, character: k - start)
        }
        var i = start, character = 0
        while i < target {
            let len = LineTable.sequenceLength(bytes[i])
            if i + len > target { break }
            character += LineTable.units(len, encoding)
            i += len
        }
        return Position(line: line, character: character)
    }

    /// The byte offset of an LSP position. A line past the end is the end of the text; a
    /// character past the line's end is the line's end (LSP: "defaults back to the line length");
    /// a character inside a surrogate pair or a UTF-8 sequence moves to the character's start.
    public func offset(of position: Position, encoding: PositionEncoding) -> Int {
        guard position.line >= 0 else { return 0 }
        guard position.line < lineStarts.count else { return bytes.count }
        let start = lineStarts[position.line], end = lineEnds[position.line]
        let want = max(0, position.character)
        var i = start, character = 0
        while i < end {
            let len = min(LineTable.sequenceLength(bytes[i]), end - i)
            let u = LineTable.units(len, encoding)
            if character + u > want { break }
            character += u
            i += len
        }
        return i
    }

    public func range(ofBytes r: Range<Int>, encoding: PositionEncoding) -> LSPRange {
        LSPRange(start: position(ofByte: r.lowerBound, encoding: encoding), end: position(ofByte: r.upperBound, encoding: encoding))
    }

    public func byteRange(of r: LSPRange, encoding: PositionEncoding) -> Range<Int> {
        let a = offset(of: r.start, encoding: encoding), b = offset(of: r.end, encoding: encoding)
        return min(a, b)..<max(a, b)
    }
}
