/// Builds lintable text from source bytes, remembering where every byte came from.
struct TextBuilder {
    var text: [UInt8] = []
    var segments: [Segment] = []

    /// Copies source bytes verbatim.
    mutating func copy(_ source: [UInt8], _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if var last = segments.last, last.textLength == last.sourceLength,
           last.textStart + last.textLength == text.count, last.sourceStart + last.sourceLength == range.lowerBound {
            last.textLength += range.count
            last.sourceLength += range.count
            segments[segments.count - 1] = last
        } else {
            segments.append(Segment(textStart: text.count, sourceStart: range.lowerBound, textLength: range.count, sourceLength: range.count))
        }
        text.append(contentsOf: source[range])
    }

    /// Ends a kept line: a `\n` terminator is copied like text (one byte for one byte), any
    /// other (`\r\n`, `\r`, none at the end of the file) is emitted as a `\n` standing for it.
    mutating func newline(_ source: [UInt8], _ terminator: Range<Int>) {
        if terminator.count == 1 && source[terminator.lowerBound] == 0x0A {
            copy(source, terminator)
        } else {
            segments.append(Segment(textStart: text.count, sourceStart: terminator.lowerBound, textLength: 1, sourceLength: terminator.count))
            text.append(0x0A)
        }
    }

    /// Emits `bytes` standing for the source range as one unit (a line ending, an escape, an entity).
    mutating func emit(_ bytes: [UInt8], for range: Range<Int>) {
        guard !bytes.isEmpty else { return }
        segments.append(Segment(textStart: text.count, sourceStart: range.lowerBound, textLength: bytes.count, sourceLength: range.count))
        text.append(contentsOf: bytes)
    }
}

/// One piece of a line after inline processing.
enum Piece {
    case copy(Range<Int>)
    case emit([UInt8], Range<Int>)
}

struct ParsedText {
    var text: [UInt8]
    var segments: [Segment]
    var headline: Range<Int>?
    var headings: [Range<Int>]
    var paragraphs: [Range<Int>]
    var lines: [Range<Int>]
}

@inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
@inline(__always) package func isASCIIAlnum(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
}

/// Trims ASCII whitespace and no-break spaces (U+00A0) from both ends of a text range.
func trimmed(_ t: [UInt8], _ r: Range<Int>) -> Range<Int> {
    var lo = r.lowerBound, hi = r.upperBound
    while lo < hi {
        if t[lo] == 0x20 || t[lo] == 0x09 || t[lo] == 0x0A || t[lo] == 0x0C { lo += 1 }
        else if t[lo] == 0xC2 && lo + 1 < hi && t[lo + 1] == 0xA0 { lo += 2 }
        else { break }
    }
    while hi > lo {
        if t[hi - 1] == 0x20 || t[hi - 1] == 0x09 || t[hi - 1] == 0x0A || t[hi - 1] == 0x0C { hi -= 1 }
        else if hi - 2 >= lo && t[hi - 2] == 0xC2 && t[hi - 1] == 0xA0 { hi -= 2 }
        else { break }
    }
    return lo..<hi
}

/// Plain-text and Markdown reader. Plain text keeps every line but drops HTML comments and bare
/// URLs; Markdown also drops front matter (except the title), fenced and indented code, inline
/// code, HTML tags, link URLs, images and emphasis markers.
enum TextReader {
    struct SourceLine {
        var content: Range<Int>
        var terminator: Range<Int>
    }

    static func splitLines(_ s: [UInt8], from start: Int) -> [SourceLine] {
        var lines: [SourceLine] = []
        var lineStart = start
        let n = s.count
        s.withUnsafeBufferPointer { buf in
            guard let p = buf.baseAddress else { return }
            var i = start
            while i < n {
                i = UTF8Scan.firstIndex(p, i, n, 0x0A, 0x0D, 0x0A, 0x0D)
                guard i < n else { break }
                var end = i + 1
                if p[i] == 0x0D && end < n && p[end] == 0x0A { end += 1 }
                lines.append(SourceLine(content: lineStart..<i, terminator: i..<end))
                lineStart = end
                i = end
            }
        }
        if lineStart < n { lines.append(SourceLine(content: lineStart..<n, terminator: n..<n)) }
        return lines
    }

    static func read(_ s: [UInt8], markdown: Bool, headlineMode: HeadlineMode) -> ParsedText {
        var start = 0
        if s.count >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF { start = 3 }
        let srcLines = splitLines(s, from: start)
        var b = TextBuilder()
        var headline: Range<Int>? = nil
        var bodyFrom = 0

        if markdown, let fm = FrontMatter.parse(s, srcLines) {
            bodyFrom = fm.bodyLineIndex
            if headlineMode != .none, let pieces = fm.titlePieces {
                let lo = b.text.count
                for p in pieces { emit(p, s, &b) }
                let r = trimmed(b.text, lo..<b.text.count)
                if !r.isEmpty { headline = r }
                b.emit([0x0A], for: fm.titleLineEnd..<fm.titleLineEnd)
            }
        }

        var headings: [Range<Int>] = []
        var headingLevels: [Int] = []
        var paragraphs: [Range<Int>] = []
        var lines: [Range<Int>] = []
        var current: [Range<Int>] = []   // trimmed line ranges of the open block
        var currentSource: [Range<Int>] = []   // the same lines in the source (their widths tell hard wrapping)
        var state = InlineState()
        var fence: (UInt8, Int)? = nil
        var lastBlockWasList = false
        var quoteDepth = 0
        var previousBlank = true

        // A block of lines with no blank line between them is one paragraph or several (see
        // ParagraphSplitter): the same article gives the same paragraphs with blank lines or
        // single newlines between them.
        func closeParagraph() {
            if current.count == 1 {
                paragraphs.append(current[0])
                lines.append(current[0])
            } else if !current.isEmpty {
                b.text.withUnsafeBufferPointer { t in
                    s.withUnsafeBufferPointer { src in
                        ParagraphSplitter.split(t, current, widths: src, currentSource, wrapAllowed: true, into: &paragraphs)
                    }
                }
                lines.append(contentsOf: current)
            }
            current.removeAll(keepingCapacity: true)
            currentSource.removeAll(keepingCapacity: true)
        }

        var idx = bodyFrom
        while idx < srcLines.count {
            let line = srcLines[idx]
            idx += 1
            var r = line.content
            if markdown && !state.inComment {
                if let f = fence {
                    if Markdown.closesFence(s, r, f) { fence = nil }
                    closeParagraph(); previousBlank = true
                    continue
                }
                if let f = Markdown.opensFence(s, r) {
                    fence = f
                    closeParagraph(); previousBlank = false
                    continue
                }
                let indent = Markdown.indentWidth(s, r)
                if indent >= 4 && previousBlank && current.isEmpty && !lastBlockWasList && !Markdown.isBlank(s, r) {
                    closeParagraph()   // indented code
                    continue
                }
                if Markdown.isReferenceDefinition(s, r) || Markdown.isTableDelimiter(s, r) {
                    continue
                }
                if Markdown.isThematicBreak(s, r) && !(current.isEmpty == false && Markdown.isSetextUnderline(s, r) != nil) {
                    closeParagraph(); lastBlockWasList = false; previousBlank = false
                    continue
                }
                if let level = Markdown.isSetextUnderline(s, r), !current.isEmpty {
                    // The open paragraph is a heading.
                    let h = current.first!.lowerBound..<current.last!.upperBound
                    current.removeAll()
                    currentSource.removeAll()
                    headings.append(h); headingLevels.append(level)
                    previousBlank = false
                    continue
                }
            }
            var isHeading = 0
            var startsBlock = false
            var depth = 0
            if markdown && !state.inComment {
                let prefix = Markdown.blockPrefix(s, r)
                r = prefix.rest
                isHeading = prefix.headingLevel
                startsBlock = prefix.listItem
                depth = prefix.quoteDepth
                if depth != quoteDepth { startsBlock = true; quoteDepth = depth }
            }
            let lineStart = b.text.count
            if markdown {
                for p in Inline.markdown(s, r, &state) { emit(p, s, &b) }
            } else {
                Inline.plain(s, r, &state, into: &b)
            }
            let kept = trimmed(b.text, lineStart..<b.text.count)
            b.newline(s, line.terminator)
            if kept.isEmpty {
                closeParagraph()
                previousBlank = Markdown.isBlank(s, line.content)
                if previousBlank { lastBlockWasList = false }
                continue
            }
            previousBlank = false
            if isHeading > 0 {
                closeParagraph()
                headings.append(kept); headingLevels.append(isHeading)
                lastBlockWasList = false
                continue
            }
            if startsBlock {
                closeParagraph()
                lastBlockWasList = true
            }
            current.append(kept)
            currentSource.append(line.content)
        }
        closeParagraph()

        if headlineMode != .none && headline == nil {
            if markdown {
                if let i = headingLevels.firstIndex(of: 1) { headline = headings[i] }
            }
            if headline == nil, !markdown, let firstPara = paragraphs.first, let firstLine = lines.first,
               firstPara.lowerBound == firstLine.lowerBound {
                let standalone = firstPara == firstLine
                let take: Bool
                switch headlineMode {
                case .firstLine: take = true
                case .auto: take = standalone && looksLikeTitle(b.text, firstLine)
                case .none: take = false
                }
                if take {
                    headline = firstLine
                    lines.removeFirst()
                    if standalone { paragraphs.removeFirst() } else { paragraphs[0] = trimmed(b.text, firstLine.upperBound..<firstPara.upperBound) }
                }
            }
        }
        return ParsedText(text: b.text, segments: b.segments, headline: headline, headings: headings, paragraphs: paragraphs, lines: lines)
    }

    static func emit(_ p: Piece, _ s: [UInt8], _ b: inout TextBuilder) {
        switch p {
        case .copy(let r): b.copy(s, r)
        case .emit(let bytes, let r): b.emit(bytes, for: r)
        }
    }

    /// A plain-text first line that reads as a title: at most 25 words and 250 bytes, no closing
    /// period, comma, colon or semicolon.
    static func looksLikeTitle(_ t: [UInt8], _ r: Range<Int>) -> Bool {
        guard r.count <= 250, let last = t[r].last else { return false }
        if last == UInt8(ascii: ".") || last == UInt8(ascii: ",") || last == UInt8(ascii: ";") || last == UInt8(ascii: ":") {
            // "…" written as three periods still reads as a title ending.
            if !(last == UInt8(ascii: ".") && r.count >= 3 && t[r.upperBound - 2] == UInt8(ascii: ".") && t[r.upperBound - 3] == UInt8(ascii: ".")) {
                return false
            }
        }
        var words = 0
        var inWord = false
        for c in t[r] {
            if c == 0x20 || c == 0x09 { inWord = false } else if !inWord { inWord = true; words += 1 }
        }
        return words <= 25
    }
}

/// State carried from one line to the next by inline scanning (an HTML comment can span lines).
struct InlineState {
    var inComment = false
}

enum Inline {
    static func hasPrefix(_ s: [UInt8], _ i: Int, _ end: Int, _ lit: StaticString) -> Bool {
        let n = lit.utf8CodeUnitCount
        if i + n > end { return false }
        return lit.withUTF8Buffer { buf in
            for k in 0..<n where s[i + k] | (isLetter(buf[k]) ? 0x20 : 0) != buf[k] | (isLetter(buf[k]) ? 0x20 : 0) { return false }
            return true
        }
    }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }

    /// End of an HTML comment's `-->` at or after `i`, or nil.
    static func commentEnd(_ s: [UInt8], _ i: Int, _ end: Int) -> Int? {
        var j = i
        while j + 3 <= end {
            if s[j] == 0x2D && s[j + 1] == 0x2D && s[j + 2] == 0x3E { return j + 3 }
            j += 1
        }
        return nil
    }

    /// End of a bare URL starting at `i` (trailing sentence punctuation left out), or nil.
    static func urlEnd(_ s: [UInt8], _ i: Int, _ end: Int) -> Int? {
        guard hasPrefix(s, i, end, "http://") || hasPrefix(s, i, end, "https://") || hasPrefix(s, i, end, "www.") else { return nil }
        if i > 0 && (isASCIIAlnum(s[i - 1]) || s[i - 1] == UInt8(ascii: "/")) { return nil }
        var j = i
        while j < end && s[j] > 0x20 && s[j] != UInt8(ascii: "<") && s[j] != UInt8(ascii: ">") && s[j] != UInt8(ascii: "\"") { j += 1 }
        while j > i, let c = Optional(s[j - 1]), c == UInt8(ascii: ".") || c == UInt8(ascii: ",") || c == UInt8(ascii: ")") || c == UInt8(ascii: ";") || c == UInt8(ascii: ":") || c == UInt8(ascii: "!") || c == UInt8(ascii: "?") || c == UInt8(ascii: "'") { j -= 1 }
        return j > i + 4 ? j : nil
    }

    /// Appends `lo..<hi` as a copy piece, merging with a directly preceding copy.
    static func keep(_ pieces: inout [Piece], _ lo: Int, _ hi: Int) {
        guard hi > lo else { return }
        if case .copy(let r)? = pieces.last, r.upperBound == lo {
            pieces[pieces.count - 1] = .copy(r.lowerBound..<hi)
        } else {
            pieces.append(.copy(lo..<hi))
        }
    }

    /// Plain text: drop HTML comments (they may span lines) and bare URLs. Copies what it keeps
    /// straight into the builder. A URL can only start at h/H/w/W after a byte that is neither
    /// a letter, a digit nor '/' (what `urlEnd` requires), so only those bytes are looked at.
    static func plain(_ s: [UInt8], _ r: Range<Int>, _ st: inout InlineState, into b: inout TextBuilder) {
        var i = r.lowerBound
        var runStart = i
        let end = r.upperBound
        if st.inComment {
            guard let e = commentEnd(s, i, end) else { return }
            st.inComment = false
            i = e; runStart = e
        }
        s.withUnsafeBufferPointer { p in
            let base = p.baseAddress!
            let lt = SIMD16<UInt8>(repeating: UInt8(ascii: "<")), bit = SIMD16<UInt8>(repeating: 0x20)
            let h = SIMD16<UInt8>(repeating: UInt8(ascii: "h")), t = SIMD16<UInt8>(repeating: UInt8(ascii: "t"))
            let w = SIMD16<UInt8>(repeating: UInt8(ascii: "w"))
            while i < end {
                // Sixteen bytes at a time past text that holds no '<' and no "ht"/"ww" (any case):
                // a comment or URL (http://, https://, www.) cannot start there.
                while i + 17 <= end {
                    let v0 = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self) | bit
                    let v1 = UnsafeRawPointer(base + i + 1).loadUnaligned(as: SIMD16<UInt8>.self) | bit
                    let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self)
                    if any((v .== lt) .| ((v0 .== h) .& (v1 .== t)) .| ((v0 .== w) .& (v1 .== w))) { break }
                    i += 16
                }
                guard i < end else { break }
                let c = p[i]
                if c == UInt8(ascii: "<") {
                    if hasPrefix(s, i, end, "<!--") {
                        b.copy(s, runStart..<i)
                        if let e = commentEnd(s, i + 4, end) { i = e; runStart = e; continue }
                        st.inComment = true
                        runStart = end
                        return
                    }
                } else if c | 0x20 == UInt8(ascii: "h") || c | 0x20 == UInt8(ascii: "w") {
                    if i == 0 || !(isASCIIAlnum(p[i - 1]) || p[i - 1] == UInt8(ascii: "/")), let e = urlEnd(s, i, end) {
                        b.copy(s, runStart..<i)
                        i = e; runStart = e
                        continue
                    }
                }
                i += 1
            }
        }
        if !st.inComment || runStart < end { b.copy(s, runStart..<end) }
    }

    /// Markdown inline content: code spans, HTML tags and comments, links (text kept, URL
    /// dropped), images, autolinks, bare URLs, emphasis markers and backslash escapes.
    static func markdown(_ s: [UInt8], _ r: Range<Int>, _ st: inout InlineState) -> [Piece] {
        markdown(s, r, &st, index: InlineIndex(s, r), depth: 0)
    }

    /// Links nested deeper than this are read as plain text (the recursion stays shallow).
    static let maxLinkDepth = 32

    static func markdown(_ s: [UInt8], _ r: Range<Int>, _ st: inout InlineState, index: InlineIndex, depth: Int) -> [Piece] {
        var pieces: [Piece] = []
        var i = r.lowerBound
        let end = r.upperBound
        if st.inComment {
            guard let e = commentEnd(s, i, end) else { return [] }
            st.inComment = false
            i = e
        }
        var runStart = i
        while i < end {
            let c = s[i]
            switch c {
            case UInt8(ascii: "\\"):
                if i + 1 < end, s[i + 1] < 0x80, isASCIIPunct(s[i + 1]) {
                    keep(&pieces, runStart, i)
                    runStart = i + 1
                    i += 2
                    continue
                }
            case UInt8(ascii: "`"):
                var n = 0
                while i + n < end && s[i + n] == c { n += 1 }
                // The closing run of the same length.
                let close = index.closingBackticks(after: i + n, length: n, end: end)
                if let close {
                    keep(&pieces, runStart, i)
                    i = close; runStart = close
                    continue
                }
                i += n
                continue
            case UInt8(ascii: "<"):
                if hasPrefix(s, i, end, "<!--") {
                    keep(&pieces, runStart, i)
                    if let e = commentEnd(s, i + 4, end) { i = e; runStart = e; continue }
                    st.inComment = true
                    return pieces
                }
                if let e = tagEnd(s, i, end) {
                    keep(&pieces, runStart, i)
                    i = e; runStart = e
                    continue
                }
            case UInt8(ascii: "!"):
                if depth < maxLinkDepth, i + 1 < end, s[i + 1] == UInt8(ascii: "["), let link = index.linkAt(i + 1, end) {
                    keep(&pieces, runStart, i)
                    i = link.end; runStart = link.end   // images are not text
                    continue
                }
            case UInt8(ascii: "["):
                if depth < maxLinkDepth, let link = index.linkAt(i, end) {
                    keep(&pieces, runStart, i)
                    var inner = InlineState()
                    pieces.append(contentsOf: markdown(s, link.text, &inner, index: index, depth: depth + 1))
                    i = link.end; runStart = link.end
                    continue
                }
            case UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                var n = 0
                while i + n < end && s[i + n] == c { n += 1 }
                if c == UInt8(ascii: "~") && n < 2 { i += n; continue }
                let before: UInt8 = i > r.lowerBound ? s[i - 1] : 0x20
                let after: UInt8 = i + n < end ? s[i + n] : 0x20
                let spaceBefore = isSpace(before), spaceAfter = isSpace(after)
                var delimiter = !(spaceBefore && spaceAfter)
                if c == UInt8(ascii: "_") && isASCIIAlnum(before) && isASCIIAlnum(after) { delimiter = false }
                if delimiter {
                    keep(&pieces, runStart, i)
                    runStart = i + n
                }
                i += n
                continue
            case UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "w"), UInt8(ascii: "W"):
                if let e = urlEnd(s, i, end) {
                    keep(&pieces, runStart, i)
                    i = e; runStart = e
                    continue
                }
            default: break
            }
            i += 1
        }
        keep(&pieces, runStart, end)
        return pieces
    }

    static func isASCIIPunct(_ b: UInt8) -> Bool {
        (b >= 0x21 && b <= 0x2F) || (b >= 0x3A && b <= 0x40) || (b >= 0x5B && b <= 0x60) || (b >= 0x7B && b <= 0x7E)
    }

    /// End of an HTML tag or autolink starting at `<`, or nil.
    static func tagEnd(_ s: [UInt8], _ i: Int, _ end: Int) -> Int? {
        guard i + 1 < end else { return nil }
        let n = s[i + 1]
        guard isLetter(n) || n == UInt8(ascii: "/") || n == UInt8(ascii: "!") else { return nil }
        var j = i + 1
        var quote: UInt8 = 0
        while j < end {
            let c = s[j]
            if quote != 0 { if c == quote { quote = 0 } }
            else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { quote = c }
            else if c == UInt8(ascii: ">") { return j + 1 }
            else if c == UInt8(ascii: "<") { return nil }
            j += 1
        }
        return nil
    }

    /// A link at `[`: `[text](url "title")`, `[text][ref]` or `[text]`. Returns the text range and
    /// the end. Rescans the line on each call: the reader uses `InlineIndex.linkAt`; this is the
    /// reference the tests compare it with.
    static func linkAt(_ s: [UInt8], _ i: Int, _ end: Int) -> (text: Range<Int>, end: Int)? {
        var depth = 0
        var j = i
        var close: Int? = nil
        while j < end {
            let c = s[j]
            if c == UInt8(ascii: "\\") { j += 2; continue }
            if c == UInt8(ascii: "[") { depth += 1 }
            else if c == UInt8(ascii: "]") { depth -= 1; if depth == 0 { close = j; break } }
            j += 1
        }
        guard let close else { return nil }
        let text = (i + 1)..<close
        var k = close + 1
        if k < end && s[k] == UInt8(ascii: "(") {
            var d = 0
            while k < end {
                if s[k] == UInt8(ascii: "(") { d += 1 }
                else if s[k] == UInt8(ascii: ")") { d -= 1; if d == 0 { return (text, k + 1) } }
                k += 1
            }
            return nil
        }
        if k < end && s[k] == UInt8(ascii: "[") {
            while k < end && s[k] != UInt8(ascii: "]") { k += 1 }
            return k < end ? (text, k + 1) : nil
        }
        // A bare `[text]` with no link part is ordinary text; keep the brackets.
        return nil
    }
}

/// Line-level Markdown recognition.
enum Markdown {
    static func isBlank(_ s: [UInt8], _ r: Range<Int>) -> Bool { trimmed(s, r).isEmpty }

    static func indentWidth(_ s: [UInt8], _ r: Range<Int>) -> Int {
        var w = 0
        for i in r {
            if s[i] == 0x20 { w += 1 } else if s[i] == 0x09 { w += 4 - (w % 4) } else { break }
        }
        return w
    }

    static func firstNonSpace(_ s: [UInt8], _ r: Range<Int>) -> Int {
        var i = r.lowerBound
        while i < r.upperBound && isSpace(s[i]) { i += 1 }
        return i
    }

    static func opensFence(_ s: [UInt8], _ r: Range<Int>) -> (UInt8, Int)? {
        guard indentWidth(s, r) <= 3 else { return nil }
        let i = firstNonSpace(s, r)
        guard i < r.upperBound, s[i] == UInt8(ascii: "`") || s[i] == UInt8(ascii: "~") else { return nil }
        var n = 0
        while i + n < r.upperBound && s[i + n] == s[i] { n += 1 }
        guard n >= 3 else { return nil }
        if s[i] == UInt8(ascii: "`") && s[(i + n)..<r.upperBound].contains(UInt8(ascii: "`")) { return nil }
        return (s[i], n)
    }

    static func closesFence(_ s: [UInt8], _ r: Range<Int>, _ f: (UInt8, Int)) -> Bool {
        let i = firstNonSpace(s, r)
        var n = 0
        while i + n < r.upperBound && s[i + n] == f.0 { n += 1 }
        return n >= f.1 && trimmed(s, (i + n)..<r.upperBound).isEmpty
    }

    static func isThematicBreak(_ s: [UInt8], _ r: Range<Int>) -> Bool {
        guard indentWidth(s, r) <= 3 else { return false }
        var ch: UInt8 = 0, n = 0
        for i in r {
            let c = s[i]
            if isSpace(c) { continue }
            if c != UInt8(ascii: "-") && c != UInt8(ascii: "*") && c != UInt8(ascii: "_") { return false }
            if ch == 0 { ch = c } else if c != ch { return false }
            n += 1
        }
        return n >= 3
    }

    static func isSetextUnderline(_ s: [UInt8], _ r: Range<Int>) -> Int? {
        guard indentWidth(s, r) <= 3 else { return nil }
        let t = trimmed(s, r)
        guard let c = t.first.map({ s[$0] }), c == UInt8(ascii: "=") || c == UInt8(ascii: "-") else { return nil }
        for i in t where s[i] != c { return nil }
        return c == UInt8(ascii: "=") ? 1 : 2
    }

    static func isReferenceDefinition(_ s: [UInt8], _ r: Range<Int>) -> Bool {
        guard indentWidth(s, r) <= 3 else { return false }
        var i = firstNonSpace(s, r)
        guard i < r.upperBound, s[i] == UInt8(ascii: "[") else { return false }
        i += 1
        while i < r.upperBound && s[i] != UInt8(ascii: "]") { i += 1 }
        return i + 1 < r.upperBound && s[i + 1] == UInt8(ascii: ":") && i > firstNonSpace(s, r) + 1
    }

    static func isTableDelimiter(_ s: [UInt8], _ r: Range<Int>) -> Bool {
        var dashes = 0
        var pipe = false
        for i in r {
            switch s[i] {
            case UInt8(ascii: "-"): dashes += 1
            case UInt8(ascii: "|"): pipe = true
            case UInt8(ascii: ":"), 0x20, 0x09: break
            default: return false
            }
        }
        return pipe && dashes >= 3
    }

    struct Prefix {
        var rest: Range<Int>
        var headingLevel = 0
        var listItem = false
        var quoteDepth = 0
    }

    /// Strips block quote markers, a list marker or an ATX heading marker from the start of a line.
    static func blockPrefix(_ s: [UInt8], _ r: Range<Int>) -> Prefix {
        var p = Prefix(rest: r)
        var i = firstNonSpace(s, r)
        let end = r.upperBound
        while i < end && s[i] == UInt8(ascii: ">") {
            p.quoteDepth += 1
            i += 1
            while i < end && isSpace(s[i]) { i += 1 }
        }
        if i < end {
            let c = s[i]
            if c == UInt8(ascii: "#") {
                var n = 0
                while i + n < end && s[i + n] == c { n += 1 }
                if n <= 6 && (i + n == end || isSpace(s[i + n])) {
                    var lo = i + n, hi = end
                    while lo < hi && isSpace(s[lo]) { lo += 1 }
                    // Closing sequence of #s.
                    var h = hi
                    while h > lo && isSpace(s[h - 1]) { h -= 1 }
                    var k = h
                    while k > lo && s[k - 1] == c { k -= 1 }
                    if k < h && (k == lo || isSpace(s[k - 1])) { hi = k } else { hi = h }
                    p.rest = lo..<max(lo, hi)
                    p.headingLevel = n
                    return p
                }
            } else if (c == UInt8(ascii: "-") || c == UInt8(ascii: "*") || c == UInt8(ascii: "+")) && i + 1 < end && isSpace(s[i + 1]) {
                p.listItem = true
                i += 2
            } else if c >= 0x30 && c <= 0x39 {
                var j = i
                while j < end && j - i < 9 && s[j] >= 0x30 && s[j] <= 0x39 { j += 1 }
                if j < end && (s[j] == UInt8(ascii: ".") || s[j] == UInt8(ascii: ")")) && (j + 1 == end || isSpace(s[j + 1])) {
                    p.listItem = true
                    i = min(end, j + 2)
                }
            }
        }
        p.rest = i..<end
        return p
    }
}

/// YAML (`---`) or TOML (`+++`) front matter at the top of a Markdown file.
enum FrontMatter {
    struct Result {
        var bodyLineIndex: Int
        var titlePieces: [Piece]?
        var titleLineEnd: Int
    }

    static func lineIs(_ s: [UInt8], _ r: Range<Int>, _ lit: String) -> Bool {
        let t = trimmed(s, r)
        return Array(s[t]) == Array(lit.utf8) && r.lowerBound == t.lowerBound
    }

    static func parse(_ s: [UInt8], _ lines: [TextReader.SourceLine]) -> Result? {
        guard let first = lines.first else { return nil }
        let yaml: Bool
        if lineIs(s, first.content, "---") { yaml = true } else if lineIs(s, first.content, "+++") { yaml = false } else { return nil }
        var close: Int? = nil
        for k in 1..<max(1, lines.count) {
            let c = lines[k].content
            if yaml ? (lineIs(s, c, "---") || lineIs(s, c, "...")) : lineIs(s, c, "+++") { close = k; break }
        }
        guard let close else { return nil }
        var result = Result(bodyLineIndex: close + 1, titlePieces: nil, titleLineEnd: 0)
        for k in 1..<close {
            let c = lines[k].content
            guard let value = keyValue(s, c, key: "title", separator: yaml ? UInt8(ascii: ":") : UInt8(ascii: "=")) else { continue }
            result.titlePieces = scalar(s, value, yaml: yaml)
            result.titleLineEnd = c.upperBound
            break
        }
        return result
    }

    /// The value range of a top-level `key:` / `key =` line.
    static func keyValue(_ s: [UInt8], _ r: Range<Int>, key: String, separator: UInt8) -> Range<Int>? {
        let k = Array(key.utf8)
        guard r.count > k.count, Array(s[r.lowerBound..<(r.lowerBound + k.count)]) == k else { return nil }
        var i = r.lowerBound + k.count
        while i < r.upperBound && isSpace(s[i]) { i += 1 }
        guard i < r.upperBound, s[i] == separator else { return nil }
        i += 1
        return trimmed(s, i..<r.upperBound)
    }

    /// A one-line scalar: double-quoted (escapes), single-quoted (`''`) or plain (a ` #` comment ends it).
    static func scalar(_ s: [UInt8], _ r: Range<Int>, yaml: Bool) -> [Piece] {
        guard let q = r.first.map({ s[$0] }) else { return [] }
        var pieces: [Piece] = []
        if q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
            var i = r.lowerBound + 1
            var run = i
            while i < r.upperBound {
                let c = s[i]
                if q == UInt8(ascii: "\"") && c == UInt8(ascii: "\\") && i + 1 < r.upperBound {
                    Inline.keep(&pieces, run, i)
                    let e = s[i + 1]
                    let out: UInt8
                    switch e {
                    case UInt8(ascii: "n"): out = 0x20
                    case UInt8(ascii: "t"): out = 0x20
                    default: out = e
                    }
                    pieces.append(.emit([out], i..<(i + 2)))
                    i += 2; run = i
                    continue
                }
                if c == q {
                    if q == UInt8(ascii: "'") && i + 1 < r.upperBound && s[i + 1] == q {
                        Inline.keep(&pieces, run, i + 1)
                        i += 2; run = i
                        continue
                    }
                    Inline.keep(&pieces, run, i)
                    return pieces
                }
                i += 1
            }
            Inline.keep(&pieces, run, r.upperBound)
            return pieces
        }
        if yaml && (q == UInt8(ascii: "|") || q == UInt8(ascii: ">")) { return [] }
        var hi = r.upperBound
        var i = r.lowerBound
        while i < r.upperBound {
            if s[i] == UInt8(ascii: "#") && i > r.lowerBound && isSpace(s[i - 1]) { hi = i; break }
            i += 1
        }
        let t = trimmed(s, r.lowerBound..<hi)
        Inline.keep(&pieces, t.lowerBound, t.upperBound)
        return pieces
    }
}

/// Bracket, parenthesis and backtick-run lookups for one line, built once, so inline scanning
/// stays linear on hostile lines (thousands of unmatched `[` or backtick runs of distinct lengths
/// would otherwise rescan the rest of the line for each one).
final class InlineIndex {
    let s: [UInt8]
    let range: Range<Int>
    private var built = false
    private var bracketClose: [Int: Int] = [:]   // `[` -> its `]` (depth-matched, `\x` skipped)
    private var parenClose: [Int: Int] = [:]     // `(` -> its `)` (depth-matched)
    private var closeBrackets: [Int] = []        // every `]`, in order
    private var runs: [Int: [Int]]? = nil        // backtick run length -> run starts, in order

    init(_ s: [UInt8], _ range: Range<Int>) {
        self.s = s
        self.range = range
    }

    private func build() {
        built = true
        var brackets: [Int] = [], parens: [Int] = []
        var j = range.lowerBound
        while j < range.upperBound {
            let c = s[j]
            if c == UInt8(ascii: "\\") { j += 2; continue }
            if c == UInt8(ascii: "[") { brackets.append(j) }
            else if c == UInt8(ascii: "]"), let open = brackets.popLast() { bracketClose[open] = j }
            j += 1
        }
        for k in range {
            switch s[k] {
            case UInt8(ascii: "("): parens.append(k)
            case UInt8(ascii: ")"): if let open = parens.popLast() { parenClose[open] = k }
            case UInt8(ascii: "]"): closeBrackets.append(k)
            default: break
            }
        }
    }

    /// A link at `[`: `[text](url "title")`, `[text][ref]` or `[text]`. Returns the text range and the end.
    func linkAt(_ i: Int, _ end: Int) -> (text: Range<Int>, end: Int)? {
        if !built { build() }
        guard let close = bracketClose[i], close < end else { return nil }
        let text = (i + 1)..<close
        let k = close + 1
        if k < end && s[k] == UInt8(ascii: "(") {
            guard let p = parenClose[k], p < end else { return nil }
            return (text, p + 1)
        }
        if k < end && s[k] == UInt8(ascii: "[") {
            // The first `]` after the reference's `[`.
            var lo = 0, hi = closeBrackets.count
            while lo < hi { let mid = (lo + hi) / 2; if closeBrackets[mid] < k { lo = mid + 1 } else { hi = mid } }
            guard lo < closeBrackets.count, closeBrackets[lo] < end else { return nil }
            return (text, closeBrackets[lo] + 1)
        }
        // A bare `[text]` with no link part is ordinary text; keep the brackets.
        return nil
    }

    /// End of the first run of exactly `length` backticks starting at or after `from` (and ending by `end`).
    func closingBackticks(after from: Int, length: Int, end: Int) -> Int? {
        if runs == nil {
            var r: [Int: [Int]] = [:]
            var j = range.lowerBound
            while j < range.upperBound {
                guard s[j] == UInt8(ascii: "`") else { j += 1; continue }
                var m = 0
                while j + m < range.upperBound && s[j + m] == UInt8(ascii: "`") { m += 1 }
                r[m, default: []].append(j)
                j += m
            }
            runs = r
        }
        guard let starts = runs?[length] else { return nil }
        var lo = 0, hi = starts.count
        while lo < hi { let mid = (lo + hi) / 2; if starts[mid] < from { lo = mid + 1 } else { hi = mid } }
        guard lo < starts.count, starts[lo] + length <= end else { return nil }
        return starts[lo] + length
    }
}
