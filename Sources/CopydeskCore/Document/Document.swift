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

/// A scope unit a rule must look at, which of its patterns (bit i: pattern i) can match in it,
/// and where the prefilter places inside it are (`places` spans them, as indexes into the rule's
/// places; places in that span but outside the unit are skipped by whoever reads them).
struct CandidateUnit {
    var range: Range<Int>
    var patterns: UInt64
    var places: Range<Int> = 0..<0
    static let allPatterns: UInt64 = ~0

    mutating func add(_ n: Int, _ place: PrefilterPlace) {
        patterns |= place.patterns
        places = min(places.lowerBound, n)..<max(places.upperBound, n + 1)
    }

    mutating func merge(_ other: CandidateUnit) {
        patterns |= other.patterns
        places = min(places.lowerBound, other.places.lowerBound)..<max(places.upperBound, other.places.upperBound)
    }
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

    // Scopes beyond paragraphs and lines are built on first use, and sentences paragraph by
    // paragraph: with the prefilter, most paragraphs of most articles are never split.
    private var _standaloneLines: [Range<Int>]?
    private var _sentences: [Range<Int>]?
    private var _paragraphSentences: [[Range<Int>]?] = []
    private var _quotes: [Range<Int>]?
    private var _lineIndex: LineIndex?
    /// `title-line` rules' reading of each standalone line (in the order of `standaloneLines`;
    /// empty until the first such rule runs), shared by the rules of that kind.
    var titleShapes: [TitleLineCheck.Shape] = []

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

    /// Body lines that are a paragraph on their own: paragraphs that start where a line starts
    /// and hold no line break.
    public var standaloneLines: [Range<Int>] {
        if let s = _standaloneLines { return s }
        var out: [Range<Int>] = []
        var li = 0
        text.withUnsafeBufferPointer { t in
            for p in paragraphs {
                // Both lists are in text order: walk them together.
                while li < lines.count && lines[li].lowerBound < p.lowerBound { li += 1 }
                guard li < lines.count, lines[li].lowerBound == p.lowerBound else { continue }
                if !UTF8Scan.contains(t, p, 0x0A) { out.append(p) }
            }
        }
        _standaloneLines = out
        return out
    }

    /// Sentences of the body paragraphs, abbreviation-aware.
    public var sentences: [Range<Int>] {
        if let s = _sentences { return s }
        var all: [Range<Int>] = []
        for k in paragraphs.indices { all.append(contentsOf: sentences(inParagraph: k)) }
        _sentences = all
        return all
    }

    /// Sentences of one paragraph (by index), split on first use.
    func sentences(inParagraph k: Int) -> [Range<Int>] {
        if _paragraphSentences.isEmpty { _paragraphSentences = Array(repeating: nil, count: paragraphs.count) }
        if let s = _paragraphSentences[k] { return s }
        let s = SentenceSplitter.split(text, paragraphs[k])
        _paragraphSentences[k] = s
        return s
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

    /// The units of a scope that contain at least one of `places` (in order of end offset), in
    /// text order, each with the union of the pattern masks of the places inside it. Only the
    /// paragraphs holding a place are split into sentences.
    func units(_ scope: Scope, containing places: ArraySlice<PrefilterPlace>) -> [CandidateUnit] {
        if places.isEmpty { return [] }
        return text.withUnsafeBufferPointer { t in units(scope, containing: places, t) }
    }

    private func units(_ scope: Scope, containing places: ArraySlice<PrefilterPlace>, _ t: UnsafeBufferPointer<UInt8>) -> [CandidateUnit] {
        switch scope {
        case .headline:
            guard let h = headline else { return [] }
            return Document.overlappingUnits([h], containing: places, t)
        case .heading: return Document.disjointUnits(headings, containing: places, t)
        case .paragraph: return Document.disjointUnits(paragraphs, containing: places, t)
        case .line: return Document.disjointUnits(lines, containing: places, t)
        case .standaloneLine: return Document.disjointUnits(standaloneLines, containing: places, t)
        case .sentence:
            return sentenceUnits(containing: places, t)
        case .quote:
            return Document.overlappingUnits(quotes, containing: places, t)
        }
    }

    /// The sentences holding a place, in order, each once: only the paragraphs that hold a place
    /// are split. Places come in order of end offset and paragraphs, like the sentences of one
    /// paragraph, are sorted and disjoint, so (as in `disjointUnits`) the paragraph and the
    /// sentence that can hold a place only move forward: the first whose end is at or past the
    /// place's end, when it starts at or before the place.
    private func sentenceUnits(containing places: ArraySlice<PrefilterPlace>, _ t: UnsafeBufferPointer<UInt8>) -> [CandidateUnit] {
        var out: [CandidateUnit] = []
        var k = 0
        var sentences: [Range<Int>] = []
        var sentencesOf = -1
        var i = 0, lastK = -1, lastI = -1
        paragraphs.withUnsafeBufferPointer { paragraphs in
            for n in places.indices {
                let place = places[n]
                while k < paragraphs.count && paragraphs[k].upperBound < place.range.upperBound { k &+= 1 }
                if k == paragraphs.count { break }
                guard paragraphs[k].lowerBound <= place.range.lowerBound else { continue }
                if sentencesOf != k {
                    sentences = self.sentences(inParagraph: k)
                    sentencesOf = k
                    i = 0
                }
                let found: Bool = sentences.withUnsafeBufferPointer { s in
                    while i < s.count && s[i].upperBound < place.range.upperBound { i &+= 1 }
                    return i < s.count && s[i].lowerBound <= place.range.lowerBound && place.context.allows(t, place.range, in: s[i])
                }
                guard found else { continue }
                if k == lastK && i == lastI {
                    out[out.count &- 1].add(n, place)
                } else {
                    out.append(CandidateUnit(range: sentences[i], patterns: place.patterns, places: n..<(n &+ 1)))
                    lastK = k
                    lastI = i
                }
            }
        }
        return out
    }

    /// Index of the unit of `units` (sorted, disjoint) that contains `place`, if any.
    static func unitIndex(_ units: [Range<Int>], containing place: Range<Int>) -> Int? {
        // Last unit starting at or before the place.
        var lo = 0, hi = units.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if units[mid].lowerBound <= place.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0, place.upperBound <= units[lo - 1].upperBound else { return nil }
        return lo - 1
    }

    /// The units of a sorted, disjoint list that contain a place, in order, each once.
    static func disjointUnits(_ units: [Range<Int>], containing places: ArraySlice<PrefilterPlace>, _ t: UnsafeBufferPointer<UInt8>) -> [CandidateUnit] {
        // Places come in order of end offset and the units are sorted and disjoint, so the unit
        // that can hold a place only moves forward: the first whose end is at or past the
        // place's end (the one `unitIndex` finds, when it holds the place).
        var out: [CandidateUnit] = []
        var k = 0, lastK = -1
        units.withUnsafeBufferPointer { units in
            for n in places.indices {
                let place = places[n]
                while k < units.count && units[k].upperBound < place.range.upperBound { k &+= 1 }
                if k == units.count { break }
                let u = units[k]
                guard u.lowerBound <= place.range.lowerBound, place.context.allows(t, place.range, in: u) else { continue }
                if k == lastK {
                    out[out.count &- 1].add(n, place)
                } else {
                    out.append(CandidateUnit(range: u, patterns: place.patterns, places: n..<(n &+ 1)))
                    lastK = k
                }
            }
        }
        return out
    }

    /// Units (possibly overlapping, few) that contain a place, tested one by one.
    static func overlappingUnits(_ units: [Range<Int>], containing places: ArraySlice<PrefilterPlace>, _ t: UnsafeBufferPointer<UInt8>) -> [CandidateUnit] {
        var out: [CandidateUnit] = []
        for u in units {
            var unit: CandidateUnit? = nil
            for (n, p) in zip(places.indices, places) where u.lowerBound <= p.range.lowerBound && p.range.upperBound <= u.upperBound && p.context.allows(t, p.range, in: u) {
                if unit == nil { unit = CandidateUnit(range: u, patterns: p.patterns, places: n..<(n + 1)) } else { unit!.add(n, p) }
            }
            if let unit { out.append(unit) }
        }
        return out
    }

    /// The quotations (sorted) of the block holding `range`: of its paragraph when it lies in
    /// one (found without scanning the rest of the document), else of the whole document. Every
    /// quotation overlapping `range` is in the list.
    func quotes(around range: Range<Int>) -> [Range<Int>] {
        if _quotes == nil, let k = Document.unitIndex(paragraphs, containing: range) {
            return QuoteFinder.find(text, paragraphs[k])
        }
        return quotes
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
