/// Splits a block of consecutive non-blank lines (no blank line between them) into paragraphs, so
/// that scopes hold the same whether paragraphs are separated by blank lines or by single newlines
/// (scraper output, CMS and e-mail exports, page text).
///
/// A line break inside a block is a paragraph break unless the next line demonstrably continues
/// the line before it. It continues when the line before does not end a sentence (., !, ?, …,
/// possibly followed by closing quotes or brackets) and either
///
/// - the block is hard-wrapped prose (Markdown or e-mail wrapped at 40–120 columns) and the line
///   was broken for width: it plus the next line's first word would not fit the block's width
///   (the longest line, less a fifth for the wrapper's slack). A block counts as hard-wrapped when
///   at least two of its lines were broken that way, or one was and the block ends a sentence,
///   and at least one of those breaks runs on into a lowercase word; or when every line but the
///   last was broken that way and the last ends a sentence (a list of headlines or labels of
///   similar length is neither). A short line between wrapped lines that neither ends a
///   sentence nor was broken for width itself (a label, "Advertisement", a headline) is not part
///   of the flow and stays its own unit;
/// - or the line stops mid-clause (it ends in a lowercase word, a comma, semicolon, colon or dash,
///   or is at least 80 characters long) and the next line starts with a lowercase letter and
///   ends a sentence or is at least 40 characters long: a paragraph a scraper or an editor broke
///   in two. (A headline over a lowercase byline, or a label over "close sharing options", stays
///   apart.)
///
/// Anything else — a line that ends a sentence, a short line without closing punctuation, lines
/// of page text where each block element is one long line — ends its paragraph. So a line that
/// stands between blank lines in one layout stands alone in the other too. Every physical line
/// stays its own `line` unit; only paragraphs (and with them standalone lines, sentences and
/// quotes) depend on this.
enum ParagraphSplitter {
    static let minWrapWidth = 40
    static let maxWrapWidth = 120
    /// A lowercase line this wide (or one that ends a sentence) can continue the line before.
    static let minContinuedWidth = 40
    /// A line this wide is running text even when it ends in a capitalized word.
    static let longLineWidth = 80
    /// Widths are counted up to this many bytes: any longer line is far wider than a wrap width.
    static let widthCap = 1024

    /// Appends the paragraphs of a block to `out`. `lines` are the block's trimmed line ranges in
    /// `t`; `widthLines` the same lines as they were laid out in `w` (the source lines for text
    /// and Markdown, whose widths tell hard wrapping; the text lines for HTML, with
    /// `wrapAllowed` false since its line breaks are markup).
    static func split(_ t: UnsafeBufferPointer<UInt8>, _ lines: [Range<Int>], widths w: UnsafeBufferPointer<UInt8>,
                      _ widthLines: [Range<Int>], wrapAllowed: Bool, into out: inout [Range<Int>]) {
        guard let first = lines.first else { return }
        let n = lines.count
        if n == 1 { out.append(first); return }
        precondition(widthLines.count == n)

        // Whether the block is hard-wrapped, and its width.
        var wrapped = false
        var limit = Int.max
        if wrapAllowed {
            var m = 0
            for r in widthLines { m = max(m, width(w, r)) }
            if m >= minWrapWidth && m <= maxWrapWidth {
                limit = m - max(8, m / 5)
                var full = 0, lowercase = 0
                for k in 0..<(n - 1) where brokenForWidth(t, lines, w, widthLines, k, limit) {
                    full += 1
                    if startsLowercase(t, lines[k + 1]) { lowercase += 1 }
                }
                // Prose wrapped for width carries on mid-sentence into a lowercase word somewhere,
                // or it is one flow: every line but the last broken for width, the last ending a
                // sentence. A list of headlines or labels of similar length is neither.
                let endsFlow = endsSentence(t, lines[n - 1])
                wrapped = (lowercase >= 1 && (full >= 2 || (full == 1 && endsFlow))) || (full == n - 1 && endsFlow)
            }
        }

        var start = first.lowerBound
        for k in 0..<(n - 1) {
            let a = lines[k]
            var continues = false
            if !endsSentence(t, a) {
                if wrapped && brokenForWidth(t, lines, w, widthLines, k, limit) {
                    // Inside wrapped prose every line but a paragraph's last is broken for width
                    // or ends a sentence: a short line that is neither, before more lines, is
                    // not part of the flow ("Advertisement" dropped between wrapped lines).
                    let next = k + 1
                    continues = next == n - 1 || endsSentence(t, lines[next]) || brokenForWidth(t, lines, w, widthLines, next, limit)
                } else if startsLowercase(t, lines[k + 1]) && stopsMidClause(t, a, width(w, widthLines[k]))
                            && (endsSentence(t, lines[k + 1]) || width(w, widthLines[k + 1]) >= minContinuedWidth) {
                    continues = true
                }
            }
            if !continues {
                out.append(start..<a.upperBound)
                start = lines[k + 1].lowerBound
            }
        }
        out.append(start..<lines[n - 1].upperBound)
    }

    /// Line `k` does not end a sentence and it plus the next line's first word exceed `limit`.
    @inline(__always)
    static func brokenForWidth(_ t: UnsafeBufferPointer<UInt8>, _ lines: [Range<Int>], _ w: UnsafeBufferPointer<UInt8>,
                               _ widthLines: [Range<Int>], _ k: Int, _ limit: Int) -> Bool {
        guard !endsSentence(t, lines[k]) else { return false }
        let wa = width(w, widthLines[k])
        if wa > limit { return true }
        return wa + 1 + firstWordWidth(t, lines[k + 1]) > limit
    }

    /// Scalars in a line (invalid bytes count one each), counted up to `widthCap` bytes.
    @inline(__always)
    static func width(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int {
        var n = 0
        var i = r.lowerBound
        let end = min(r.upperBound, r.lowerBound + widthCap)
        while i < end {
            if p[i] & 0xC0 != 0x80 { n += 1 }
            i += 1
        }
        return n
    }

    /// Scalars of the first space-separated word of a line.
    @inline(__always)
    static func firstWordWidth(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int {
        var n = 0
        var i = r.lowerBound
        while i < r.upperBound && p[i] != 0x20 && p[i] != 0x09 && n < widthCap {
            if p[i] & 0xC0 != 0x80 { n += 1 }
            i += 1
        }
        return n
    }

    /// A line that stops mid-clause: it ends in a lowercase word or a comma, semicolon, colon or
    /// dash, or it is a long line (a label or a headline ends in a capitalized word).
    static func stopsMidClause(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ width: Int) -> Bool {
        if width >= longLineWidth { return true }
        guard let last = r.last else { return false }
        let c = p[last]
        if c == UInt8(ascii: ",") || c == UInt8(ascii: ";") || c == UInt8(ascii: ":") || c == UInt8(ascii: "-") { return true }
        if last - 2 >= r.lowerBound && p[last - 2] == 0xE2 && p[last - 1] == 0x80 && (c == 0x93 || c == 0x94) { return true } // – —
        // The first letter of the last word.
        var i = last
        while i > r.lowerBound && p[i - 1] != 0x20 && p[i - 1] != 0x09 { i -= 1 }
        while i <= last && !(isASCIIAlnum(p[i]) || p[i] >= 0x80) { i += 1 }
        guard i <= last else { return false }
        return p[i] >= UInt8(ascii: "a") && p[i] <= UInt8(ascii: "z")
    }

    @inline(__always)
    static func startsLowercase(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard let i = r.first else { return false }
        return p[i] >= UInt8(ascii: "a") && p[i] <= UInt8(ascii: "z")
    }

    /// Whether a line ends a sentence: its last character, past closing quotes and brackets, is
    /// `.`, `!`, `?` or `…`.
    static func endsSentence(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        var e = r.upperBound
        let lo = r.lowerBound
        while e > lo {
            let c = p[e - 1]
            // A reference mark after the sentence: "[12]".
            if c == UInt8(ascii: "]") {
                var k = e - 1
                while k > lo && p[k - 1] >= 0x30 && p[k - 1] <= 0x39 { k -= 1 }
                if k > lo && k < e - 1 && p[k - 1] == UInt8(ascii: "[") { e = k - 1; continue }
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: ")") || c == UInt8(ascii: "]")
                || c == 0x20 || c == 0x09 || c == UInt8(ascii: "*") || c == UInt8(ascii: "_") {
                e -= 1; continue
            }
            // ” ’ (E2 80 9D / 99) and » (C2 BB)
            if e - 3 >= lo && p[e - 3] == 0xE2 && p[e - 2] == 0x80 && (c == 0x9D || c == 0x99) { e -= 3; continue }
            if e - 2 >= lo && p[e - 2] == 0xC2 && c == 0xBB { e -= 2; continue }
            break
        }
        guard e > lo else { return false }
        let c = p[e - 1]
        if c == UInt8(ascii: ".") || c == UInt8(ascii: "!") || c == UInt8(ascii: "?") { return true }
        return e - 3 >= lo && p[e - 3] == 0xE2 && p[e - 2] == 0x80 && c == 0xA6   // …
    }
}
