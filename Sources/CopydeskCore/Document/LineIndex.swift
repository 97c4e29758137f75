/// A position in a source file: 1-based line, 1-based column in Unicode scalars, 0-based byte offset.
public struct SourcePosition: Sendable, Hashable, Codable, Comparable {
    public var line: Int
    public var column: Int
    public var offset: Int
    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }
    public static func < (a: SourcePosition, b: SourcePosition) -> Bool { a.offset < b.offset }
}

/// A span of source bytes with human coordinates; `end` is the position just after the last character.
public struct SourceSpan: Sendable, Hashable, Codable {
    public var start: SourcePosition
    public var end: SourcePosition
    public init(start: SourcePosition, end: SourcePosition) {
        self.start = start
        self.end = end
    }
}

/// Turns byte offsets into line and column. Line breaks are `\n`, `\r\n` and a lone `\r`.
/// Columns count Unicode scalars; an invalid UTF-8 byte counts as one.
public struct LineIndex: Sendable {
    /// Byte offset where each line starts; `lineStarts[0] == 0`.
    public let lineStarts: [Int]
    /// Byte offset where each line's content ends (before its terminator).
    public let lineEnds: [Int]
    public let byteCount: Int

    public init(_ bytes: [UInt8]) {
        var starts = [0]
        var ends: [Int] = []
        var i = 0
        let n = bytes.count
        bytes.withUnsafeBufferPointer { buf in
            guard let p = buf.baseAddress else { return }
            while i < n {
                i = UTF8Scan.firstIndex(p, i, n, 0x0A, 0x0D, 0x0A, 0x0D)
                guard i < n else { break }
                if p[i] == 0x0A {
                    ends.append(i); starts.append(i + 1)
                } else {
                    ends.append(i)
                    if i + 1 < n && p[i + 1] == 0x0A { i += 1 }
                    starts.append(i + 1)
                }
                i += 1
            }
        }
        ends.append(n)
        lineStarts = starts
        lineEnds = ends
        byteCount = n
    }

    public var lineCount: Int { lineStarts.count }

    /// 0-based index of the line holding `offset` (an offset on a terminator belongs to its line).
    public func lineIndex(of offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    public func position(of offset: Int, in bytes: [UInt8]) -> SourcePosition {
        let clamped = max(0, min(offset, byteCount))
        let line = lineIndex(of: clamped)
        let column = bytes.withUnsafeBufferPointer { buf -> Int in
            guard let base = buf.baseAddress else { return 1 }
            // A BOM opening the file is not a character of line 1 (editors do not show it).
            var from = lineStarts[line]
            if line == 0 && clamped >= 3 && buf.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { from = 3 }
            return UTF8Scan.scalarCount(base, from..<clamped) + 1
        }
        return SourcePosition(line: line + 1, column: column, offset: clamped)
    }

    public func span(of range: Range<Int>, in bytes: [UInt8]) -> SourceSpan {
        SourceSpan(start: position(of: range.lowerBound, in: bytes), end: position(of: range.upperBound, in: bytes))
    }

    /// Content range (without terminator) of the 0-based line.
    public func lineRange(_ line: Int) -> Range<Int> { lineStarts[line]..<lineEnds[line] }
}
