import Foundation
import CopydeskCore
import CopydeskWorkflow

/// How the text of a document unit (`article-line`, `block`) is laid out before it is linted.
public enum EvalLayout: String, Sendable, CaseIterable, Codable {
    /// CRLF and CR become LF; split on LF; each line stripped; empty lines dropped; the lines
    /// joined with a single `\n` (scraper output, page text).
    case singleNewline = "single-newline"
    /// The same lines joined with `\n\n` (one paragraph per line).
    case blankLine = "blank-line"
    /// The text exactly as the row has it.
    case asIs = "as-is"
}

/// The content lines of a text, the line numbering of `article-line` ids.
public enum ContentLines {
    /// Byte ranges (in `bytes`) of the content lines: CRLF and CR count as LF, the text is split on
    /// LF, each line is stripped of leading and trailing whitespace (the characters Python's
    /// `str.strip()` removes: ASCII whitespace, U+001C–U+001F, U+0085, U+00A0 and the Unicode
    /// spaces and separators), and empty lines are dropped. Line `k` (1-based) of the
    /// single-newline rendering is `ranges[k - 1]`.
    public static func ranges(_ bytes: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        var i = 0
        func close(_ end: Int) {
            if let r = strip(bytes, start..<end) { out.append(r) }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                close(i)
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                start = i + 1
            }
            i += 1
        }
        close(bytes.count)
        return out
    }

    /// `r` without leading and trailing whitespace; nil when nothing is left.
    static func strip(_ b: [UInt8], _ r: Range<Int>) -> Range<Int>? {
        var lo = r.lowerBound, hi = r.upperBound
        while lo < hi, let w = spaceWidth(b, at: lo, limit: hi) { lo += w }
        while lo < hi, let w = spaceWidthBefore(b, end: hi, floor: lo) { hi -= w }
        return lo < hi ? lo..<hi : nil
    }

    /// Python's `str.isspace()` (what `strip()` removes), without LF and CR (already split on).
    static func isSpace(_ v: UInt32) -> Bool {
        switch v {
        case 0x09, 0x0B, 0x0C, 0x1C...0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// Width of the whitespace scalar starting at `i`, or nil.
    static func spaceWidth(_ b: [UInt8], at i: Int, limit: Int) -> Int? {
        let (v, w) = decode(b, at: i, limit: limit)
        return w > 0 && isSpace(v) ? w : nil
    }

    /// Width of the whitespace scalar ending at `end`, or nil.
    static func spaceWidthBefore(_ b: [UInt8], end: Int, floor: Int) -> Int? {
        var s = end - 1
        while s > floor && s > end - 4 && b[s] & 0xC0 == 0x80 { s -= 1 }
        let (v, w) = decode(b, at: s, limit: end)
        return w == end - s && isSpace(v) ? w : nil
    }

    /// The scalar at `i` and its width (an invalid byte: its value, width 1).
    static func decode(_ b: [UInt8], at i: Int, limit: Int) -> (UInt32, Int) {
        let c = b[i]
        let n = c < 0x80 ? 1 : c & 0xE0 == 0xC0 ? 2 : c & 0xF0 == 0xE0 ? 3 : c & 0xF8 == 0xF0 ? 4 : 0
        guard n > 1, i + n <= limit else { return (UInt32(c), 1) }
        var v = UInt32(c) & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07)
        for k in 1..<n {
            let cc = b[i + k]
            guard cc & 0xC0 == 0x80 else { return (UInt32(c), 1) }
            v = v << 6 | UInt32(cc & 0x3F)
        }
        return (v, n)
    }
}

/// One document of a document unit: linted once as a whole, its items scored by where their
/// text sits in it.
public struct EvalDocument: Sendable {
    /// The bytes linted (the title line, when there is one, included).
    public var bytes: [UInt8]
    public var headline: HeadlineMode
    public var reader: DocumentFormat = .text
    /// 1-based file line of the document's (first) row, for naming it in errors.
    public var line: Int
    /// Byte range in `bytes` of each item of the document, in item order. An item is flagged for
    /// a category when a finding of that category overlaps its range (an empty range is never flagged).
    public var itemRanges: [Range<Int>]
}

/// Renders texts in a layout and records where each content line lands.
public struct LayoutRenderer {
    public var layout: EvalLayout
    public var bytes: [UInt8] = []

    public init(layout: EvalLayout) { self.layout = layout }

    /// Appends `text` (after a separator if something came before) and returns the byte range of
    /// each of its content lines in `bytes`, in content-line order.
    public mutating func append(_ text: String) -> [Range<Int>] {
        let src = Array(text.utf8)
        let lines = ContentLines.ranges(src)
        switch layout {
        case .asIs:
            if !bytes.isEmpty { bytes.append(0x0A) }
            let base = bytes.count
            bytes += src
            return lines.map { ($0.lowerBound + base)..<($0.upperBound + base) }
        case .singleNewline, .blankLine:
            var out: [Range<Int>] = []
            out.reserveCapacity(lines.count)
            for r in lines {
                if !bytes.isEmpty { bytes += layout == .blankLine ? [0x0A, 0x0A] : [0x0A] }
                let start = bytes.count
                bytes += src[r]
                out.append(start..<bytes.count)
            }
            return out
        }
    }

    /// The rendered text, ending in a line break.
    public var finished: [UInt8] { bytes.isEmpty || bytes.last == 0x0A ? bytes : bytes + [0x0A] }
}

extension EvalDocument {
    /// Whether a finding at byte range `f` flags an item at `item`.
    static func overlaps(_ f: Range<Int>, _ item: Range<Int>) -> Bool {
        guard !item.isEmpty else { return false }
        if f.isEmpty { return item.contains(f.lowerBound) }
        return f.lowerBound < item.upperBound && f.upperBound > item.lowerBound
    }

    /// The file stem of a dataset path for `article-line` ids: the file name without `.jsonl.gz`,
    /// `.jsonl`, `.ndjson` or `.json`; `stdin` for `-`.
    public static func fileStem(_ path: String) -> String {
        if path == "-" { return "stdin" }
        var name = (path as NSString).lastPathComponent
        for ext in [".jsonl.gz", ".jsonl", ".ndjson", ".json"] where name.lowercased().hasSuffix(ext) {
            name.removeLast(ext.count)
            break
        }
        return name
    }
}
