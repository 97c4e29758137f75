/// `title-line`: a standalone body line shaped like a headline — a recirculation headline dropped
/// into the article. Word count within bounds, most words capitalized (short function words aside),
/// no closing period, comma, semicolon or colon, not a lone quotation. Optional `patterns` must
/// also match; `exceptions` drop the line. With `skip-subheads`, a line that shares content words
/// with the body paragraph next to it is a subhead of the article and is skipped. Photo captions
/// and items of a list the article introduces are always skipped. The finding
/// spans the whole line.
enum TitleLineCheck {
    static let smallWords: Set<String> = [
        "a", "an", "the", "and", "of", "in", "on", "at", "to", "for", "with", "by", "or", "but", "from",
        "as", "nor", "vs", "via", "into", "onto", "over", "per", "up", "off", "out", "is", "are", "be",
    ]

    static func run(_ rule: Rule, _ ctx: CheckContext, into out: inout [RawMatch]) throws(MatchLimitError) {
        let doc = ctx.document, text = doc.text
        let lines = doc.standaloneLines
        // The shapes of the document's standalone lines (in their order), taken out of the
        // document while the rule runs and put back for the next title-line rule.
        var shapes = doc.titleShapes
        doc.titleShapes = []
        if shapes.count != lines.count { shapes = Array(repeating: Shape(), count: lines.count) }
        defer { doc.titleShapes = shapes }
        var k = 0
        for candidate in ctx.units(.standaloneLine) {
            let line = candidate.range
            // Candidates are standalone lines, in order: find this one's shape.
            while k < lines.count && lines[k].lowerBound < line.lowerBound { k += 1 }
            if k < lines.count && lines[k] == line {
                guard looksLikeHeadline(text, line, rule.titleLine, doc, &shapes[k]) else { continue }
            } else {
                var shape = Shape()
                guard looksLikeHeadline(text, line, rule.titleLine, doc, &shape) else { continue }
            }
            // Each test below looks at the whole line, so their order does not change which lines
            // are flagged: the exceptions first (most are cheap, anchored or looking for a few
            // characters, and they drop most lines), then the patterns.
            if try ctx.anyMatch(rule.exceptions, in: line) { continue }
            if !rule.patterns.isEmpty, !(try ctx.anyMatch(rule.patterns, in: candidate)) { continue }
            // Last, on the few lines left: these compare the line's letters and words with the
            // headline and the neighbouring paragraphs.
            if isOwnHeadlineOrDeck(line, doc) { continue }
            if rule.titleLine.skipSubheads && isSubhead(line, doc) { continue }
            if isCaptionOrListItem(line, doc) { continue }
            out.append(RawMatch(rule: rule, range: line, groups: []))
        }
    }

    /// The article's own headline repeated at the top of the body, or the deck (standfirst) right
    /// under the headline, is not another story's headline: a line that restates the headline
    /// (same letters and digits, case aside, or one holding the other when the shorter has at
    /// least 20), or the first body paragraph of an article that has a headline.
    static func isOwnHeadlineOrDeck(_ line: Range<Int>, _ doc: Document) -> Bool {
        guard let headline = doc.headline else { return false }
        if doc.paragraphs.first == line { return true }
        let a = letters(doc.text[line]), b = letters(doc.text[headline])
        if a == b { return true }
        // A shortened or lengthened copy ("…: Dreams of …" dropped) still restates it.
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        guard short.count >= 20 else { return false }
        var i = 0
        while i + short.count <= long.count {
            if long[i..<(i + short.count)].elementsEqual(short) { return true }
            i += 1
        }
        return false
    }

    /// A subhead introduces the paragraph under it (or sums up the one above): it shares at least
    /// two content words with the nearest body paragraph before or after it ("Kylie demands more
    /// privacy" over "…she wants more privacy"), where another story's headline is about something
    /// else. Only body paragraphs count as neighbours — at least 10 words, or closing with a
    /// sentence's punctuation — so a list of headlines is not read as a subhead and its section.
    static func isSubhead(_ line: Range<Int>, _ doc: Document) -> Bool {
        let paragraphs = doc.paragraphs
        guard let lo = Document.unitIndex(paragraphs, containing: line) else { return false }
        let own = contentWords(doc.text, line)
        guard own.count >= 2 else { return false }
        for k in [lo - 1, lo + 1] where k >= 0 && k < paragraphs.count {
            let p = paragraphs[k]
            guard isBodyParagraph(doc.text, p) else { continue }
            if own.intersection(contentWords(doc.text, p)).count >= 2 { return true }
        }
        return false
    }

    /// Lines that are the article's own, whatever their shape: a photo caption (the line right
    /// above a credit line — "Photo by …", "Image copyright …", "(Getty Images)" — or right under
    /// an "Image caption" label) and an item of a list the article introduces with a sentence
    /// ending in a colon ("Here is the official track listing:") or an award category heading
    /// ("Best Comedy Series"), however many short lines down.
    /// A recirculation list is introduced by a label of a few words ("Related:", "More from
    /// CNN:"), so the introduction must have at least five words.
    static func isCaptionOrListItem(_ line: Range<Int>, _ doc: Document) -> Bool {
        let paragraphs = doc.paragraphs, t = doc.text
        guard let lo = Document.unitIndex(paragraphs, containing: line) else { return false }
        if lo + 1 < paragraphs.count, startsWithCredit(t, paragraphs[lo + 1]) { return true }
        if lo > 0, isCaptionLabel(t, paragraphs[lo - 1]) { return true }
        // Walk up through the short lines above (at most 40) to what introduces them.
        var k = lo - 1, steps = 0
        while k >= 0 && steps < 40 {
            let p = paragraphs[k]
            if endsWithColon(t, p) { return wordCount(t, p) >= 5 }
            if isAwardCategory(t, p) { return true }
            if isBodyParagraph(t, p) { return false }
            k -= 1; steps += 1
        }
        return false
    }

    /// An award category heading ("Best Comedy Series", "Outstanding Lead Actor in a Drama"): the
    /// short lines under it are its nominees.
    static func isAwardCategory(_ t: [UInt8], _ p: Range<Int>) -> Bool {
        let words = wordCount(t, p)
        guard words >= 2 && words <= 10 else { return false }
        return startsWith(t, p, awardPrefixes)
    }

    static let awardPrefixes: [[UInt8]] = ["best ", "outstanding "].map { Array($0.utf8) }

    static let creditPrefixes: [[UInt8]] = [
        "photo by", "photo:", "photos by", "photograph by", "photograph:", "picture by", "picture:",
        "image copyright", "image:", "image by", "credit:", "getty images", "(getty", "(photo",
        "(ap photo", "ap photo", "reuters/", "(reuters", "photo credit", "pictured:",
    ].map { Array($0.utf8) }

    static func startsWithCredit(_ t: [UInt8], _ p: Range<Int>) -> Bool { startsWith(t, p, creditPrefixes) }

    /// Whether the paragraph, leading blanks aside, starts with one of `prefixes` (lowercase
    /// ASCII), ASCII case ignored.
    static func startsWith(_ t: [UInt8], _ p: Range<Int>, _ prefixes: [[UInt8]]) -> Bool {
        var i = p.lowerBound
        while i < p.upperBound && (t[i] == 0x20 || t[i] == 0x09) { i += 1 }
        return prefixes.contains { prefix in
            guard i + prefix.count <= p.upperBound else { return false }
            for (j, c) in prefix.enumerated() {
                let b = t[i + j]
                if (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) != c { return false }
            }
            return true
        }
    }

    static func isCaptionLabel(_ t: [UInt8], _ p: Range<Int>) -> Bool {
        let l = letters(t[p])
        return l == Array("imagecaption".utf8) || l == Array("caption".utf8) || l == Array("photocaption".utf8)
    }

    static func endsWithColon(_ t: [UInt8], _ p: Range<Int>) -> Bool {
        var e = p.upperBound
        while e > p.lowerBound && (t[e - 1] == 0x20 || t[e - 1] == 0x09 || t[e - 1] == 0x0A || t[e - 1] == 0x0D) { e -= 1 }
        return e > p.lowerBound && t[e - 1] == UInt8(ascii: ":")
    }

    /// Space-separated words in `p`, counting stops at `limit`.
    static func wordCount(_ t: [UInt8], _ p: Range<Int>, limit: Int = .max) -> Int {
        var words = 0, inWord = false
        for i in p {
            let space = t[i] == 0x20 || t[i] == 0x09 || t[i] == 0x0A || t[i] == 0x0D
            if !space && !inWord {
                words += 1
                if words >= limit { return words }
            }
            inWord = !space
        }
        return words
    }

    /// Words that carry the topic: at least 4 letters, not a common function word, compared by
    /// their first 5 letters (lowercased) so "order"/"orders" and "confirm"/"confirmed" meet.
    static func contentWords(_ t: [UInt8], _ r: Range<Int>) -> Set<[UInt8]> {
        var out = Set<[UInt8]>()
        var word: [UInt8] = []
        func flush() {
            if word.count >= 4 && !stopWords.contains(word) { out.insert(Array(word.prefix(5))) }
            word.removeAll(keepingCapacity: true)
        }
        var i = r.lowerBound
        while i < r.upperBound {
            let b = t[i]
            if (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) {
                word.append(b | 0x20)
            } else if b >= 0x80 && !word.isEmpty && b != 0xE2 {
                word.append(b)  // letters of other scripts stay in the word (punctuation starts with E2)
            } else if b == UInt8(ascii: "'") && !word.isEmpty {
                // "Kylie's" compares as "kylie"
                flush()
                while i + 1 < r.upperBound, (t[i + 1] | 0x20) >= 0x61, (t[i + 1] | 0x20) <= 0x7A { i += 1 }
            } else {
                flush()
            }
            i += 1
        }
        flush()
        return out
    }

    static func isBodyParagraph(_ t: [UInt8], _ p: Range<Int>) -> Bool {
        guard !p.isEmpty else { return false }
        if wordCount(t, p, limit: 10) >= 10 { return true }
        var e = p.upperBound - 1
        while e > p.lowerBound && (t[e] == 0x20 || t[e] == 0x09 || t[e] == 0x0A || t[e] == 0x0D || t[e] == UInt8(ascii: "\"") || t[e] == UInt8(ascii: "'")) { e -= 1 }
        return t[e] == UInt8(ascii: ".") || t[e] == UInt8(ascii: "!") || t[e] == UInt8(ascii: "?")
    }

    static let stopWords: Set<[UInt8]> = Set([
        "that", "this", "these", "those", "with", "from", "have", "has", "had", "about", "after", "before",
        "over", "under", "their", "them", "they", "there", "were", "been", "being", "will", "would",
        "could", "should", "what", "when", "where", "which", "while", "into", "more", "most", "than",
        "then", "also", "just", "says", "said", "your", "some", "only", "like", "very", "much", "many",
        "back", "still", "even", "make", "made", "takes", "take", "gets", "does", "done", "here",
        "year", "years", "time", "first", "last", "new", "news", "people", "other", "such", "each",
        "both", "between", "because", "against", "during", "through", "without", "again", "another",
    ].map { Array($0.utf8) })

    /// Letters and digits of a text, lowercased (ASCII) — enough to see a repeated headline.
    static func letters(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            if b >= 0x41 && b <= 0x5A { out.append(b | 0x20) } else if isASCIIAlnum(b) || b >= 0x80 { out.append(b) }
        }
        return out
    }

    /// The small words packed as their bytes (at most 4) after their length, sorted, for a
    /// binary search without a String or a hash.
    static let packedSmallWords: [UInt64] = smallWords.map { pack(Array($0.utf8)) }.sorted()

    @inline(__always) static func pack(_ bytes: [UInt8]) -> UInt64 {
        var v: UInt64 = UInt64(bytes.count)
        for b in bytes { v = v << 8 | UInt64(b) }
        return v
    }

    @inline(__always) static func isSmallWord(_ packed: UInt64, _ sorted: [UInt64]) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if sorted[mid] < packed { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == packed
    }

    /// What `looksLikeHeadline` reads from a line, whatever the rule's options: worked out once
    /// per line and document, as every `title-line` rule looks at the same standalone lines.
    struct Shape {
        /// False: not measured yet.
        var measured = false
        /// False: empty, too long, or ending in a period, comma, semicolon or colon.
        var possible = false
        /// 0: not known yet; 1: the line is not one quotation; 2: it is.
        var quotation: UInt8 = 0
        var words: Int32 = 0
        var counted: Int32 = 0
        var capitalized: Int32 = 0
    }

    /// Whether `line` has a headline's shape for these options. `shape` is the line's reading,
    /// kept from one rule to the next: measured here the first time, its quotation test made
    /// the first time a rule gets that far.
    static func looksLikeHeadline(_ t: [UInt8], _ line: Range<Int>, _ opts: TitleLineOptions, _ doc: Document, _ shape: inout Shape) -> Bool {
        if !shape.measured { shape = measure(t, line) }
        guard shape.possible else { return false }
        let words = Int(shape.words), counted = Int(shape.counted), capitalized = Int(shape.capitalized)
        guard words >= opts.minWords, words <= opts.maxWords, counted > 0 else { return false }
        guard Double(capitalized) / Double(counted) >= opts.minCapitalized else { return false }
        // A line that is one quotation is speech, not a headline.
        if shape.quotation == 0 {
            let quoted = doc.quotes(around: line).first(where: { $0.lowerBound <= line.lowerBound && $0.upperBound >= line.upperBound }).map { $0.lowerBound == line.lowerBound } ?? false
            shape.quotation = quoted ? 2 : 1
        }
        return shape.quotation == 1
    }

    /// The options-free part of `looksLikeHeadline`: the closing character and the word counts.
    static func measure(_ t: [UInt8], _ line: Range<Int>) -> Shape {
        guard !line.isEmpty, line.count <= 300 else { return Shape(measured: true, possible: false) }
        // Last character that is not a closing quote.
        var e = line.upperBound - 1
        while e > line.lowerBound && (t[e] == UInt8(ascii: "'") || t[e] == UInt8(ascii: "\"") || (t[e] >= 0x80 && t[e] <= 0xBF) || t[e] >= 0xE2) {
            if t[e] == UInt8(ascii: "'") || t[e] == UInt8(ascii: "\"") { e -= 1; continue }
            // Step back over a multi-byte ” or ’.
            if e >= line.lowerBound + 2 && t[e - 2] == 0xE2 && t[e - 1] == 0x80 && (t[e] == 0x9D || t[e] == 0x99) { e -= 3; continue }
            break
        }
        let last = t[e]
        if last == UInt8(ascii: ".") || last == UInt8(ascii: ",") || last == UInt8(ascii: ";") || last == UInt8(ascii: ":") { return Shape(measured: true, possible: false) }

        // Words: the first letter or digit of each space-separated token decides whether it is
        // capitalized; short function words after the first do not count. ASCII is decided
        // byte by byte, other scalars by their Unicode properties.
        var words = 0, counted = 0, capitalized = 0
        let end = line.upperBound
        let small = packedSmallWords
        t.withUnsafeBufferPointer { buf in
            let p = buf.baseAddress!
            var i = line.lowerBound
            while i < end {
                while i < end && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
                if i >= end { break }
                let ws = i
                while i < end && p[i] != 0x20 && p[i] != 0x09 { i += 1 }
                var k = ws
                var seen = false, isCap = false
                var lower: UInt64 = 0, lowerCount = 0   // the lowercased word, packed while it is short
                @inline(__always) func appendLower(_ b: UInt8) {
                    if lowerCount < 5 { lower = lower << 8 | UInt64(b) }
                    lowerCount += 1
                }
                while k < i {
                    let b = p[k]
                    if b < 0x80 {
                        k += 1
                        let upper = b >= 0x41 && b <= 0x5A, lowerCase = b >= 0x61 && b <= 0x7A, digit = b >= 0x30 && b <= 0x39
                        if upper || lowerCase || digit {
                            if !seen { seen = true; isCap = upper || digit }
                            appendLower(upper ? b | 0x20 : b)
                        } else if seen && b != UInt8(ascii: "'") && b != UInt8(ascii: "-") {
                            break
                        }
                        continue
                    }
                    let (scalar, n) = UTF8Scan.decode(p, k, i)
                    k += n
                    guard let sc = scalar else { continue }
                    let props = sc.properties
                    if props.isAlphabetic || props.numericType != nil {
                        if !seen {
                            seen = true
                            isCap = props.isUppercase || props.numericType != nil || !props.isLowercase && !props.isUppercase && props.isAlphabetic
                        }
                        for lb in props.lowercaseMapping.utf8 { appendLower(lb) }
                    } else if seen && sc != "’" {
                        break
                    }
                }
                guard seen else { continue }
                words += 1
                if words > 1 && !isCap && lowerCount <= 4 && isSmallWord(UInt64(lowerCount) << UInt64(8 * lowerCount) | lower, small) { continue }
                counted += 1
                if isCap { capitalized += 1 }
            }
        }
        return Shape(measured: true, possible: true, words: Int32(clamping: words), counted: Int32(clamping: counted), capitalized: Int32(clamping: capitalized))
    }
}
