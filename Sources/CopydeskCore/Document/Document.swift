/// Which reader turns a file's bytes into lintable text.
public enum DocumentFormat: String, Sendable, CaseIterable, Codable {
    case text, markdown, html

    /// Reader chosen by file extension: `.md`/`.markdown` are Markdown, `.html`/`.htm` HTML,
    /// everything else plain text.
    public static func forPath(_ path: String) -> DocumentFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".md") || lower.hasSuffix(".markdown") { return .markdown }
        if lower.hasSuffix(".html") || lower.hasSuffix(".htm") { return .html }
        return .text
    }
}

/// How the headline is found.
public enum HeadlineMode: String, Sendable, CaseIterable, Codable {
    /// Front-matter `title:`, else the first `# H1`, else (plain text) a first line that looks like a title.
    case auto
    /// Like `auto`, but plain text always takes its first non-blank line.
    case firstLine = "first-line"
    /// No headline: everything is body.
    case none
}

/// The places a rule can look at. Ranges are in `Document.text` coordinates.
public enum Scope: String, Sendable, CaseIterable, Codable {
    case headline, heading, paragraph, line
    case standaloneLine = "standalone-line"
    case sentence, quote
}

/// A maps-to piece of `text`: `textLength` bytes at `textStart` came from `sourceLength` bytes at
/// `sourceStart`. Equal lengths map byte for byte; unequal ones (a decoded entity, a CRLF turned
/// into `\n`) map as one unit.
struct Segment: Sendable {
    var textStart: Int
    var sourceStart: Int
    var textLength: Int
    var sourceLength: Int
}

/// An article ready for linting: the original bytes, the lintable text extracted from them (markup,
/// code, comments and URLs left out) with a map back to the source, and the scope units.
public final class Document {
    public let path: String
    public let format: DocumentFormat
    public let source: [UInt8]
    /// Lintable text. Each kept source line ends in `\n` here.
    public let text: [UInt8]
    let segments: [Segment]
    public let headline: Range<Int>?
    public let headings: [Range<Int>]
    public let paragraphs: [Range<Int>]
    /// Every non-blank body line (trimmed), in order.
    public let lines: [Range<Int>]
    /// Body lines that are a paragraph on their own.
    public let standaloneLines: [Range<Int>]

    private var _sentences: [Range<Int>]?
    private var _quotes: [Range<Int>]?
    private var _lineIndex: LineIndex?

    init(path: String, format: DocumentFormat, source: [UInt8], text: [UInt8], segments: [Segment],
         headline: Range<Int>?, headings: [Range<Int>], paragraphs: [Range<Int>], lines: [Range<Int>]) {
        self.path = path
        self.format = format
        self.source = source
        self.text = text
        self.segments = segments
        self.headline = headline
        self.headings = headings
        self.paragraphs = paragraphs
        self.lines = lines
        // A standalone line is a paragraph that is exactly one line.
        let lineSet = Set(lines.map { $0.lowerBound })
        self.standaloneLines = paragraphs.filter { p in
            lineSet.contains(p.lowerBound) && !text[p].contains(0x0A)
        }
    }

    /// Reads `bytes` with the reader for `format`.
    public convenience init(path: String, bytes: [UInt8], format: DocumentFormat? = nil, headline: HeadlineMode = .auto) {
        let fmt = format ?? DocumentFormat.forPath(path)
        let parsed = fmt == .html ? HTMLReader.read(bytes, headlineMode: headline)
            : TextReader.read(bytes, markdown: fmt == .markdown, headlineMode: headline)
        self.init(path: path, format: fmt, source: bytes, text: parsed.text, segments: parsed.segments,
                  headline: parsed.headline, headings: parsed.headings, paragraphs: parsed.paragraphs, lines: parsed.lines)
    }

    public convenience init(path: String, string: String, format: DocumentFormat? = nil, headline: HeadlineMode = .auto) {
        self.init(path: path, bytes: Array(string.utf8), format: format, headline: headline)
    }

    /// Sentences of the body paragraphs (and of the headline), abbreviation-aware.
    public var sentences: [Range<Int>] {
        if let s = _sentences { return s }
        var all: [Range<Int>] = []
        for p in paragraphs { all.append(contentsOf: SentenceSplitter.split(text, p)) }
        _sentences = all
        return all
    }

    /// Quoted passages (quote marks included) in the headline, headings and body paragraphs.
    public var quotes: [Range<Int>] {
        if let q = _quotes { return q }
        var all: [Range<Int>] = []
        if let h = headline { all.append(contentsOf: QuoteFinder.find(text, h)) }
        for p in headings where p != headline { all.append(contentsOf: QuoteFinder.find(text, p)) }
        for p in paragraphs { all.append(contentsOf: QuoteFinder.find(text, p)) }
        all.sort { $0.lowerBound < $1.lowerBound }
        _quotes = all
        return all
    }

    public var lineIndex: LineIndex {
        if let l = _lineIndex { return l }
        let l = LineIndex(source)
        _lineIndex = l
        return l
    }

    /// The units of a scope, in text order.
    public func units(_ scope: Scope) -> [Range<Int>] {
        switch scope {
        case .headline: return headline.map { [$0] } ?? []
        case .heading: return headings
        case .paragraph: return paragraphs
        case .line: return lines
        case .standaloneLine: return standaloneLines
        case .sentence: return sentences
        case .quote: return quotes
        }
    }

    /// Whether a text offset lies inside a quotation (after its opening mark).
    public func isQuoted(_ offset: Int) -> Bool {
        let q = quotes
        var lo = 0, hi = q.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if q[mid].lowerBound <= offset { lo = mid + 1 } else { hi = mid }
        }
        var i = lo - 1
        // Quotes never nest in QuoteFinder's output, but look back a little to be safe.
        while i >= 0 && i >= lo - 3 {
            if q[i].lowerBound < offset && offset < q[i].upperBound { return true }
            i -= 1
        }
        return false
    }

    /// Whether `range` contains a quotation.
    public func containsQuote(_ range: Range<Int>) -> Bool {
        quotes.contains { $0.lowerBound >= range.lowerBound && $0.lowerBound < range.upperBound }
    }

    // MARK: mapping text back to source

    private func segmentIndex(containing t: Int) -> Int {
        var lo = 0, hi = segments.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if segments[mid].textStart <= t { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Source offset of the text byte at `t`.
    public func sourceOffset(ofTextStart t: Int) -> Int {
        guard !segments.isEmpty else { return t }
        let s = segments[segmentIndex(containing: t)]
        if s.textLength == s.sourceLength { return s.sourceStart + min(t - s.textStart, s.sourceLength) }
        return s.sourceStart
    }

    /// Source offset just after the text byte at `t - 1`.
    public func sourceOffset(ofTextEnd t: Int) -> Int {
        guard !segments.isEmpty, t > 0 else { return sourceOffset(ofTextStart: t) }
        let s = segments[segmentIndex(containing: t - 1)]
        if s.textLength == s.sourceLength { return s.sourceStart + min(t - s.textStart, s.sourceLength) }
        return s.sourceStart + s.sourceLength
    }

    /// The source bytes a text range came from.
    public func sourceRange(ofText r: Range<Int>) -> Range<Int> {
        let lo = sourceOffset(ofTextStart: r.lowerBound)
        if r.isEmpty { return lo..<lo }
        return lo..<max(lo, sourceOffset(ofTextEnd: r.upperBound))
    }
}
