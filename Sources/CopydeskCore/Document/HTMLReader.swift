/// Reads an HTML page into lintable text. There is no HTML parser among the project's packages, so
/// this is a tokenizer that follows the HTML5 rules that matter for text extraction:
///
/// - Text comes from paragraphs, headings, list items, block quotes and captions (`p`, `h1`–`h6`,
///   `li`, `blockquote`, `figcaption`, `caption`); each of those is a paragraph (headings are
///   headings), and `<br>` breaks a line inside one. Inline markup (`a`, `em`, `span`, …) is dropped
///   and its text kept.
/// - `script`, `style`, `noscript`, `template`, `textarea`, `iframe` and the like are raw text and
///   skipped to their end tag; `nav`, `svg` and `math` are skipped with everything inside;
///   comments, doctypes and processing instructions are skipped.
/// - An open `<p>` is closed by the next block, an open `<li>` by the next item, as browsers do.
/// - Whitespace runs collapse to one space; character references (`&amp;`, `&#8220;`, `&#x201C;`,
///   the common named ones) are decoded. Every text byte maps back to the source bytes it came
///   from, so spans point into the HTML file.
/// - The headline is the first `<h1>`, else the `<title>`.
enum HTMLReader {
    static let containers: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "caption"]
    static let blocks: Set<String> = [
        "address", "article", "aside", "center", "details", "dialog", "dd", "div", "dl", "dt", "fieldset", "figure",
        "footer", "form", "header", "hgroup", "main", "menu", "ol", "pre", "section", "table", "tbody", "thead",
        "tfoot", "tr", "td", "th", "ul", "summary", "body", "html",
    ]
    static let voids: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "keygen"]
    /// Elements whose content is raw text, skipped up to the matching end tag.
    static let rawText: Set<String> = ["script", "style", "noscript", "textarea", "xmp", "iframe", "noembed", "noframes", "template"]
    /// Elements skipped with all their content (they hold markup).
    static let skipped: Set<String> = ["nav", "svg", "math"]

    struct Tag {
        var name: String
        var isEnd: Bool
        var selfClosing: Bool
        var end: Int
    }

    static func read(_ s: [UInt8], headlineMode: HeadlineMode) -> ParsedText {
        var r = Reader(s: s)
        r.run()
        var headline: Range<Int>? = nil
        if headlineMode != .none {
            headline = r.firstH1 ?? r.title
        }
        return ParsedText(text: r.b.text, segments: r.b.segments, headline: headline, headings: r.headings,
                          paragraphs: r.paragraphs, lines: r.lines)
    }

    struct Reader {
        let s: [UInt8]
        var b = TextBuilder()
        var stack: [String] = []
        var skipDepth = 0
        var headings: [Range<Int>] = []
        var paragraphs: [Range<Int>] = []
        var lines: [Range<Int>] = []
        var firstH1: Range<Int>? = nil
        var title: Range<Int>? = nil
        // The open block.
        var blockLines: [Range<Int>] = []
        var lineStart = 0
        var pendingSpace: Range<Int>? = nil

        init(s: [UInt8]) { self.s = s }

        /// The innermost container (decides what the text is), or nil outside any.
        var container: String? { stack.last { HTMLReader.containers.contains($0) } }

        mutating func run() {
            var i = 0
            if s.count >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF { i = 3 }
            let n = s.count
            lineStart = b.text.count
            var textStart = i
            while i < n {
                guard s[i] == UInt8(ascii: "<") else { i += 1; continue }
                // Markup: flush the text before it.
                if i > textStart { text(textStart..<i) }
                let next = markup(at: i)
                i = next
                textStart = i
            }
            if n > textStart { text(textStart..<n) }
            endBlock(at: n)
        }

        /// Handles the markup at `<` (or treats a lone `<` as text); returns where to continue.
        mutating func markup(at i: Int) -> Int {
            let n = s.count
            if hasPrefix(i, "<!--") {
                // `<!-->` and `<!--->` end at once; otherwise at `-->` (or `--!>`), else the end of input.
                if i + 4 < n && s[i + 4] == UInt8(ascii: ">") { return i + 5 }
                if i + 5 < n && s[i + 4] == UInt8(ascii: "-") && s[i + 5] == UInt8(ascii: ">") { return i + 6 }
                var j = i + 4
                while j + 2 < n {
                    if s[j] == UInt8(ascii: "-") && s[j + 1] == UInt8(ascii: "-") {
                        if s[j + 2] == UInt8(ascii: ">") { return j + 3 }
                        if j + 3 < n && s[j + 2] == UInt8(ascii: "!") && s[j + 3] == UInt8(ascii: ">") { return j + 4 }
                    }
                    j += 1
                }
                return n
            }
            guard i + 1 < n else { text(i..<n); return n }
            let c = s[i + 1]
            if c == UInt8(ascii: "!") || c == UInt8(ascii: "?") {
                // Doctype, CDATA, processing instruction: up to the next `>`.
                var j = i + 2
                while j < n && s[j] != UInt8(ascii: ">") { j += 1 }
                return min(n, j + 1)
            }
            guard let tag = parseTag(i) else {
                text(i..<(i + 1))   // a `<` that starts no tag is text
                return i + 1
            }
            handle(tag, at: i)
            if !tag.isEnd && !tag.selfClosing && (HTMLReader.rawText.contains(tag.name) || tag.name == "title") {
                let close = rawTextEnd(tag.name, from: tag.end)
                if tag.name == "title" && skipDepth == 0 && title == nil {
                    titleText(tag.end..<close.contentEnd)
                }
                return close.after
            }
            return tag.end
        }

        /// Where raw text ends: the start of `</name` and the offset after its `>`.
        func rawTextEnd(_ name: String, from: Int) -> (contentEnd: Int, after: Int) {
            let n = s.count
            let nameBytes = Array(name.utf8)
            var j = from
            while j + 2 + nameBytes.count <= n {
                if s[j] == UInt8(ascii: "<") && s[j + 1] == UInt8(ascii: "/") {
                    var k = 0
                    while k < nameBytes.count && (s[j + 2 + k] | 0x20) == nameBytes[k] { k += 1 }
                    let after = j + 2 + nameBytes.count
                    if k == nameBytes.count && (after == n || s[after] == UInt8(ascii: ">") || s[after] == UInt8(ascii: "/") || isHTMLSpace(s[after])) {
                        var e = after
                        while e < n && s[e] != UInt8(ascii: ">") { e += 1 }
                        return (j, min(n, e + 1))
                    }
                }
                j += 1
            }
            return (n, n)
        }

        func hasPrefix(_ i: Int, _ lit: StaticString) -> Bool { Inline.hasPrefix(s, i, s.count, lit) }

        /// A start or end tag at `<`, or nil when the `<` starts none.
        func parseTag(_ i: Int) -> Tag? {
            let n = s.count
            var j = i + 1
            var isEnd = false
            if j < n && s[j] == UInt8(ascii: "/") { isEnd = true; j += 1 }
            guard j < n, Inline.isLetter(s[j]) else { return nil }
            let nameStart = j
            while j < n && !isHTMLSpace(s[j]) && s[j] != UInt8(ascii: "/") && s[j] != UInt8(ascii: ">") { j += 1 }
            var nameBytes = Array(s[nameStart..<j])
            for k in nameBytes.indices where nameBytes[k] >= 0x41 && nameBytes[k] <= 0x5A { nameBytes[k] |= 0x20 }
            let name = String(decoding: nameBytes, as: UTF8.self)
            // Attributes: quoted values may hold `>`.
            var quote: UInt8 = 0
            var selfClosing = false
            while j < n {
                let c = s[j]
                if quote != 0 {
                    if c == quote { quote = 0 }
                } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    // Only a quote that opens an attribute value (after `=`) quotes.
                    var k = j - 1
                    while k > i && isHTMLSpace(s[k]) { k -= 1 }
                    if s[k] == UInt8(ascii: "=") { quote = c }
                } else if c == UInt8(ascii: ">") {
                    selfClosing = j > i && s[j - 1] == UInt8(ascii: "/")
                    return Tag(name: name, isEnd: isEnd, selfClosing: selfClosing, end: j + 1)
                }
                j += 1
            }
            // An unterminated tag runs to the end of input.
            return Tag(name: name, isEnd: isEnd, selfClosing: false, end: n)
        }

        mutating func handle(_ tag: Tag, at i: Int) {
            let name = tag.name
            if HTMLReader.skipped.contains(name) {
                if tag.isEnd { if skipDepth > 0 { skipDepth -= 1 } }
                else if !tag.selfClosing {
                    if skipDepth == 0 { endBlock(at: i) }
                    skipDepth += 1
                }
                return
            }
            if skipDepth > 0 { return }
            if name == "br" && !tag.isEnd {
                endLine(at: i)
                return
            }
            let isContainer = HTMLReader.containers.contains(name)
            let isBlock = isContainer || HTMLReader.blocks.contains(name) || name == "hr"
            guard isBlock else { return }   // inline markup: keep going
            endBlock(at: i)
            if tag.isEnd {
                if let k = stack.lastIndex(of: name) { stack.removeSubrange(k...) }
                return
            }
            if HTMLReader.voids.contains(name) || tag.selfClosing && !isContainer { return }
            // Implied end tags.
            if let k = stack.lastIndex(of: "p") { stack.removeSubrange(k...) }
            if name == "li", let k = stack.lastIndex(of: "li"),
               !stack[k...].contains(where: { $0 == "ul" || $0 == "ol" || $0 == "menu" }) {
                stack.removeSubrange(k...)
            }
            if name.count == 2 && name.hasPrefix("h"), let last = stack.last, last.count == 2, last.hasPrefix("h"), last != "hr" {
                stack.removeLast()
            }
            if tag.selfClosing { return }
            stack.append(name)
            lineStart = b.text.count
        }

        /// Text between tags.
        mutating func text(_ r: Range<Int>) {
            guard skipDepth == 0, container != nil else { return }
            append(r)
        }

        /// Appends source text with whitespace collapsed and character references decoded.
        mutating func append(_ r: Range<Int>) {
            var i = r.lowerBound
            var run = i
            func flushRun(_ me: inout Reader, _ hi: Int) {
                guard hi > run else { return }
                me.emitPendingSpace()
                me.b.copy(me.s, run..<hi)
            }
            while i < r.upperBound {
                let c = s[i]
                if isHTMLSpace(c) {
                    flushRun(&self, i)
                    var j = i
                    while j < r.upperBound && isHTMLSpace(s[j]) { j += 1 }
                    if let p = pendingSpace { pendingSpace = p.lowerBound..<j } else { pendingSpace = i..<j }
                    i = j; run = j
                    continue
                }
                if c == UInt8(ascii: "&"), let (decoded, len) = HTMLEntities.decode(s, i, r.upperBound) {
                    flushRun(&self, i)
                    emitPendingSpace()
                    b.emit(decoded, for: i..<(i + len))
                    i += len; run = i
                    continue
                }
                i += 1
            }
            flushRun(&self, r.upperBound)
        }

        /// Emits the pending whitespace as one space, unless the line is still empty.
        mutating func emitPendingSpace() {
            guard let p = pendingSpace else { return }
            pendingSpace = nil
            guard b.text.count > lineStart else { return }
            if p.count == 1 && s[p.lowerBound] == 0x20 { b.copy(s, p) } else { b.emit([0x20], for: p) }
        }

        /// Ends the current line inside the block (`<br>`).
        mutating func endLine(at i: Int) {
            pendingSpace = nil
            let r = trimmed(b.text, lineStart..<b.text.count)
            if !r.isEmpty {
                blockLines.append(r)
                b.emit([0x0A], for: i..<i)
            }
            lineStart = b.text.count
        }

        /// Ends the current block: it becomes a paragraph, or a heading.
        mutating func endBlock(at i: Int) {
            endLine(at: i)
            defer { blockLines.removeAll(); lineStart = b.text.count }
            guard let first = blockLines.first, let last = blockLines.last else { return }
            let whole = first.lowerBound..<last.upperBound
            if let c = container, c.count == 2, c.hasPrefix("h"), c != "hr" {
                headings.append(whole)
                if c == "h1" && firstH1 == nil { firstH1 = whole }
            } else if blockLines.count == 1 {
                paragraphs.append(whole)
                lines.append(contentsOf: blockLines)
            } else {
                // Lines broken by `<br>`: paragraphs by the same rule as single-newline text
                // (no hard wrapping here: HTML whitespace is collapsed).
                let blockLines = blockLines
                b.text.withUnsafeBufferPointer { t in
                    ParagraphSplitter.split(t, blockLines, widths: t, blockLines, wrapAllowed: false, into: &paragraphs)
                }
                lines.append(contentsOf: blockLines)
            }
        }

        /// The `<title>` text (its own unit, used as the headline when there is no `<h1>`).
        mutating func titleText(_ r: Range<Int>) {
            endBlock(at: r.lowerBound)
            lineStart = b.text.count
            append(r)
            pendingSpace = nil
            let t = trimmed(b.text, lineStart..<b.text.count)
            if !t.isEmpty {
                title = t
                b.emit([0x0A], for: r.upperBound..<r.upperBound)
            }
            lineStart = b.text.count
        }
    }
}

@inline(__always) func isHTMLSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D }

/// HTML character references.
enum HTMLEntities {
    /// The UTF-8 of the reference at `&` and its length in the source, or nil when there is none
    /// (the `&` is then text).
    static func decode(_ s: [UInt8], _ i: Int, _ end: Int) -> ([UInt8], Int)? {
        var j = i + 1
        guard j < end else { return nil }
        if s[j] == UInt8(ascii: "#") {
            j += 1
            var hex = false
            if j < end && (s[j] == UInt8(ascii: "x") || s[j] == UInt8(ascii: "X")) { hex = true; j += 1 }
            let digitsStart = j
            var value: UInt32 = 0
            while j < end, j - digitsStart < 8 {
                let c = s[j]
                let d: UInt32
                if c >= 0x30 && c <= 0x39 { d = UInt32(c - 0x30) }
                else if hex && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 { d = UInt32((c | 0x20) - 0x61 + 10) }
                else { break }
                value = value * (hex ? 16 : 10) + d
                j += 1
            }
            guard j > digitsStart else { return nil }
            if j < end && s[j] == UInt8(ascii: ";") { j += 1 }
            // Windows-1252 numbers that pages use for curly quotes and dashes.
            if let mapped = windows1252[value] { value = mapped }
            let scalar = (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) ? Unicode.Scalar(0xFFFD)! : Unicode.Scalar(value) ?? Unicode.Scalar(0xFFFD)!
            return (Array(String(Character(scalar)).utf8), j - i)
        }
        let nameStart = j
        while j < end && j - nameStart < 32 && isASCIIAlnum(s[j]) { j += 1 }
        guard j > nameStart else { return nil }
        let name = String(decoding: s[nameStart..<j], as: UTF8.self)
        if j < end && s[j] == UInt8(ascii: ";") {
            guard let v = named[name] else { return nil }
            return (Array(v.utf8), j + 1 - i)
        }
        // A few legacy names work without the semicolon.
        guard legacy.contains(name), let v = named[name] else { return nil }
        return (Array(v.utf8), j - i)
    }

    static let legacy: Set<String> = ["amp", "lt", "gt", "quot", "nbsp", "copy", "reg", "AMP", "LT", "GT", "QUOT"]

    static let windows1252: [UInt32: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
        0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
        0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
        0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
    ]

    /// The named references that occur in article text (the full HTML table has over 2,000).
    static let named: [String: String] = [
        "amp": "&", "AMP": "&", "lt": "<", "LT": "<", "gt": ">", "GT": ">", "quot": "\"", "QUOT": "\"", "apos": "'",
        "nbsp": "\u{A0}", "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}", "zwnj": "\u{200C}", "zwj": "\u{200D}",
        "shy": "\u{AD}", "ndash": "–", "mdash": "—", "hellip": "…", "lsquo": "‘", "rsquo": "’", "sbquo": "‚",
        "ldquo": "“", "rdquo": "”", "bdquo": "„", "laquo": "«", "raquo": "»", "lsaquo": "‹", "rsaquo": "›",
        "prime": "′", "Prime": "″", "bull": "•", "middot": "·", "dagger": "†", "Dagger": "‡", "permil": "‰",
        "copy": "©", "reg": "®", "trade": "™", "deg": "°", "plusmn": "±", "times": "×", "divide": "÷",
        "frac12": "½", "frac14": "¼", "frac34": "¾", "sup1": "¹", "sup2": "²", "sup3": "³", "micro": "µ",
        "para": "¶", "sect": "§", "cent": "¢", "pound": "£", "yen": "¥", "euro": "€", "curren": "¤",
        "iexcl": "¡", "iquest": "¿", "ordf": "ª", "ordm": "º", "not": "¬", "macr": "¯", "acute": "´", "cedil": "¸",
        "uml": "¨", "larr": "←", "rarr": "→", "uarr": "↑", "darr": "↓", "harr": "↔", "hearts": "♥", "star": "☆",
        "check": "✓", "minus": "−", "le": "≤", "ge": "≥", "ne": "≠", "asymp": "≈", "infin": "∞",
        "Agrave": "À", "Aacute": "Á", "Acirc": "Â", "Atilde": "Ã", "Auml": "Ä", "Aring": "Å", "AElig": "Æ", "Ccedil": "Ç",
        "Egrave": "È", "Eacute": "É", "Ecirc": "Ê", "Euml": "Ë", "Igrave": "Ì", "Iacute": "Í", "Icirc": "Î", "Iuml": "Ï",
        "ETH": "Ð", "Ntilde": "Ñ", "Ograve": "Ò", "Oacute": "Ó", "Ocirc": "Ô", "Otilde": "Õ", "Ouml": "Ö", "Oslash": "Ø",
        "Ugrave": "Ù", "Uacute": "Ú", "Ucirc": "Û", "Uuml": "Ü", "Yacute": "Ý", "THORN": "Þ", "szlig": "ß",
        "agrave": "à", "aacute": "á", "acirc": "â", "atilde": "ã", "auml": "ä", "aring": "å", "aelig": "æ", "ccedil": "ç",
        "egrave": "è", "eacute": "é", "ecirc": "ê", "euml": "ë", "igrave": "ì", "iacute": "í", "icirc": "î", "iuml": "ï",
        "eth": "ð", "ntilde": "ñ", "ograve": "ò", "oacute": "ó", "ocirc": "ô", "otilde": "õ", "ouml": "ö", "oslash": "ø",
        "ugrave": "ù", "uacute": "ú", "ucirc": "û", "uuml": "ü", "yacute": "ý", "thorn": "þ", "yuml": "ÿ",
        "OElig": "Œ", "oelig": "œ", "Scaron": "Š", "scaron": "š", "Yuml": "Ÿ", "fnof": "ƒ", "circ": "ˆ", "tilde": "˜",
        "Alpha": "Α", "Beta": "Β", "Gamma": "Γ", "Delta": "Δ", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ",
        "pi": "π", "mu": "μ", "sigma": "σ", "omega": "ω", "Omega": "Ω",
    ]
}
