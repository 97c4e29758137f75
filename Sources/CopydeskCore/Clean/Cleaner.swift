/// `copydesk clean`: removes the source lines that carry ads, poll solicitations and boilerplate
/// findings, collapses the blank lines the removal leaves, and keeps every other byte as it was
/// (line endings, a BOM, invalid UTF-8, the presence or absence of a final newline).
///
/// Attribution and clickbait findings are never removed: they need an editor, not a delete key.
///
/// Cleaning runs to a fixed point: the cleaned text is linted again (a line can become a
/// standalone line once its neighbours are gone) until nothing removable is left, so cleaning
/// the output again changes nothing.
public enum Cleaner {
    /// The categories `clean` may remove.
    public static let removableCategories: [Category] = [.ads, .polls, .boilerplate]
    /// Passes before giving up on a fixed point (each pass removes at least one line).
    public static let maxPasses = 50

    public struct Options: Sendable {
        public var categories: Set<Category> = Set(Cleaner.removableCategories)
        public var format: DocumentFormat? = nil
        public var headline: HeadlineMode = .auto
        /// Rules in effect for this file (nil: the linter's rule set), e.g. from its configuration.
        public var rules: [Rule]? = nil
        public init() {}
    }

    /// What cleaning one file produced.
    public struct Result: Sendable {
        public var path: String
        public var original: [UInt8]
        public var cleaned: [UInt8]
        /// 1-based line numbers of the original that were removed: lines carrying a finding and
        /// blank lines collapsed around them.
        public var removedLines: [Int]
        /// The findings that caused removals, in the coordinates of the text they were found in
        /// (the original for the first pass).
        public var findings: [Finding]
        /// Match-limit errors while linting (the rule's findings were not used).
        public var errors: [FileError]
        public var passes: Int
        public var changed: Bool { cleaned != original }
        /// The edit as line keep/remove flags over the original (for diffs).
        public var plan: Plan
        /// Lines that carry a removable finding but were kept because most of the line is
        /// article text (the junk is a sentence inside a paragraph): for an editor.
        public var keptLines: [KeptLine] = []
    }

    /// A line kept despite a removable finding (1-based line of the original).
    public struct KeptLine: Sendable, Equatable {
        public var line: Int
        public var rule: String
        public var category: Category
    }

    /// The share of a line's text that must be junk for the line to go: the sentences holding
    /// the findings (or the findings themselves, outside sentences) must cover at least half of
    /// it. A promo sentence tacked onto a paragraph leaves the paragraph alone.
    public static let minimumJunkShare = 0.5

    struct Decision { var start: Int; var remove: Bool; var rule: String; var category: Category }

    /// For every line touched by a finding (in `doc`'s source coordinates): remove it, or keep it.
    static func decide(_ findings: [Finding], in doc: Document) -> [Decision] {
        guard !findings.isEmpty else { return [] }
        let sentences = doc.sentences.map { doc.sourceRange(ofText: $0) }.sorted { $0.lowerBound < $1.lowerBound }
        // Junk spans: each finding widened to the sentences it touches.
        var junk: [Range<Int>] = []
        for f in findings {
            var lo = f.span.start.offset, hi = max(f.span.end.offset, lo)
            var k = 0, top = sentences.count
            while k < top { let mid = (k + top) / 2; if sentences[mid].upperBound <= lo { k = mid + 1 } else { top = mid } }
            while k < sentences.count && sentences[k].lowerBound < max(hi, lo + 1) {
                if sentences[k].upperBound > lo { lo = min(lo, sentences[k].lowerBound); hi = max(hi, sentences[k].upperBound) }
                k += 1
            }
            junk.append(lo..<hi)
        }
        junk.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = []
        for r in junk {
            if let last = merged.last, r.lowerBound <= last.upperBound { merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound) }
            else { merged.append(r) }
        }
        let lines = SourceLines(doc.source)
        let index = doc.lineIndex
        var out: [Decision] = []
        var seen = Set<Int>()
        for f in findings {
            let first = index.lineIndex(of: f.span.start.offset)
            let last = index.lineIndex(of: max(f.span.start.offset, f.span.end.offset - 1))
            for l in first...last where l < lines.count && seen.insert(l).inserted {
                let content = trimmedLine(doc.source, lines.content(l))
                guard !content.isEmpty else { continue }
                var covered = 0
                for r in merged where r.lowerBound < content.upperBound && r.upperBound > content.lowerBound {
                    covered += min(r.upperBound, content.upperBound) - max(r.lowerBound, content.lowerBound)
                }
                let remove = Double(covered) >= minimumJunkShare * Double(content.count)
                out.append(Decision(start: lines.start(l), remove: remove, rule: f.rule, category: f.category))
            }
        }
        return out
    }

    static func trimmedLine(_ b: [UInt8], _ r: Range<Int>) -> Range<Int> {
        var lo = r.lowerBound, hi = r.upperBound
        while lo < hi && (b[lo] == 0x20 || b[lo] == 0x09) { lo += 1 }
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x09) { hi -= 1 }
        return lo..<hi
    }

    /// Which original lines survive, and whether the last kept line loses its terminator (when
    /// the original did not end in a newline but its last line was removed).
    public struct Plan: Sendable, Equatable {
        public var lines: SourceLines
        public var kept: [Bool]
        public var stripFinalTerminator: Bool
    }

    /// Cleans `bytes`. `path` picks the reader (by extension) unless `options.format` is set.
    public static func clean(_ bytes: [UInt8], path: String, linter: Linter, options: Options = Options(),
                             scratch: MatchScratch = MatchScratch()) -> Result {
        let lines = SourceLines(bytes)
        var removed = Set<Int>()            // original line indices carrying a finding
        var findings: [Finding] = []
        var errors: [FileError] = []
        var keptNotes: [KeptLine] = []
        var plan = Plan(lines: lines, kept: Array(repeating: true, count: lines.count), stripFinalTerminator: false)
        var current = bytes
        // Where each line of `current` starts, and the original line it is.
        var origin = Origin(starts: (0..<lines.count).map { $0 == 0 ? 0 : lines.start($0) }, lines: Array(0..<lines.count))
        var passes = 0
        while true {
            passes += 1
            let doc = Document(path: path, bytes: current, format: options.format ?? DocumentFormat.forPath(path), headline: options.headline)
            // Inline `copydesk-disable` comments apply: a line they cover is kept.
            let report = linter.lint(doc, scratch: scratch, rules: options.rules, unusedSuppression: nil)
            if passes == 1 { errors = report.errors }
            var newLines = Set<Int>()
            let chosen = report.findings.filter { options.categories.contains($0.category) }
            findings += chosen
            for decision in decide(chosen, in: doc) {
                let l = origin.line(at: decision.start)
                guard plan.kept[l] && !removed.contains(l) else { continue }
                if decision.remove {
                    newLines.insert(l)
                } else if !keptNotes.contains(where: { $0.line == l + 1 }) {
                    keptNotes.append(KeptLine(line: l + 1, rule: decision.rule, category: decision.category))
                }
            }
            if newLines.isEmpty { break }
            if passes > maxPasses {
                errors.append(FileError(path: path, message: "cleaning did not settle after \(maxPasses) passes; file left unchanged"))
                return Result(path: path, original: bytes, cleaned: bytes, removedLines: [], findings: findings, errors: errors, passes: passes,
                              plan: Plan(lines: lines, kept: Array(repeating: true, count: lines.count), stripFinalTerminator: false))
            }
            removed.formUnion(newLines)
            plan = makePlan(lines, removed: removed)
            (current, origin) = renderWithOrigin(plan, bytes)
        }
        let removedLines = plan.kept.indices.filter { !plan.kept[$0] }.map { $0 + 1 }
        keptNotes.removeAll { !plan.kept[$0.line - 1] }
        keptNotes.sort { $0.line < $1.line }
        return Result(path: path, original: bytes, cleaned: current, removedLines: removedLines, findings: findings,
                      errors: errors, passes: passes, plan: plan, keptLines: keptNotes)
    }

    /// Which lines to keep once the lines in `removed` go: in each gap made of removed and blank
    /// lines, keep one run of blank lines (the longest one) between text, the original leading
    /// blank lines at the start of the file and the original trailing ones at its end.
    static func makePlan(_ lines: SourceLines, removed: Set<Int>) -> Plan {
        let n = lines.count
        var kept = Array(repeating: true, count: n)
        var i = 0
        while i < n {
            guard removed.contains(i) || lines.isBlank(i) else { i += 1; continue }
            // A maximal run of blank-or-removed lines.
            var j = i
            while j < n && (removed.contains(j) || lines.isBlank(j)) { j += 1 }
            let run = i..<j
            let removals = run.filter { removed.contains($0) }
            if let firstRemoved = removals.first, let lastRemoved = removals.last {
                for k in run { kept[k] = false }
                if run.lowerBound == 0 {
                    // Blank lines that opened the file stay.
                    for k in run.lowerBound..<firstRemoved { kept[k] = true }
                } else if run.upperBound == n {
                    // Blank lines that closed the file stay.
                    for k in (lastRemoved + 1)..<run.upperBound { kept[k] = true }
                } else {
                    // Between text: keep the longest blank run (the first one of that length).
                    var best: Range<Int>? = nil
                    var k = run.lowerBound
                    while k < run.upperBound {
                        if removed.contains(k) { k += 1; continue }
                        var e = k
                        while e < run.upperBound && !removed.contains(e) { e += 1 }
                        if best == nil || e - k > best!.count { best = k..<e }
                        k = e
                    }
                    if let best { for k in best { kept[k] = true } }
                }
            }
            i = j
        }
        // The original ended without a line break and its last line is gone: the new last line
        // must not end in one either.
        var strip = false
        if let last = (0..<n).last(where: { !lines.terminator($0).isEmpty || !lines.content($0).isEmpty }),
           lines.terminator(last).isEmpty, !kept[last] {
            strip = kept.indices.contains { kept[$0] && !lines.terminator($0).isEmpty }
        }
        return Plan(lines: lines, kept: kept, stripFinalTerminator: strip)
    }

    /// The bytes of the kept lines (a BOM is always kept).
    public static func render(_ plan: Plan, _ bytes: [UInt8]) -> [UInt8] { renderWithOrigin(plan, bytes).0 }

    /// Maps offsets of a cleaned text back to the original line they came from.
    struct Origin {
        var starts: [Int]
        var lines: [Int]
        func line(at offset: Int) -> Int {
            var lo = 0, hi = starts.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
            }
            return lines[lo]
        }
    }

    static func renderWithOrigin(_ plan: Plan, _ bytes: [UInt8]) -> ([UInt8], Origin) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var origin = Origin(starts: [], lines: [])
        let lines = plan.lines
        if lines.bomLength > 0 && !plan.kept[0] { out.append(contentsOf: bytes[0..<lines.bomLength]) }
        let lastKept = plan.kept.indices.last(where: { plan.kept[$0] && !lines.terminator($0).isEmpty })
        for i in 0..<lines.count where plan.kept[i] {
            let from = i == 0 ? 0 : lines.start(i)
            origin.starts.append(origin.starts.isEmpty ? 0 : out.count)
            origin.lines.append(i)
            if plan.stripFinalTerminator && i == lastKept {
                out.append(contentsOf: bytes[from..<lines.content(i).upperBound])
            } else {
                out.append(contentsOf: bytes[from..<lines.terminator(i).upperBound])
            }
        }
        if origin.starts.isEmpty { origin = Origin(starts: [0], lines: [lines.count - 1]) }
        return (out, origin)
    }
}

/// The physical lines of a source: content and terminator (`\n`, `\r\n` or a lone `\r`) ranges.
/// After a final line break there is one more, empty line, so every byte belongs to a line. A
/// leading UTF-8 BOM is not part of line 1's content.
public struct SourceLines: Sendable, Equatable {
    public let bomLength: Int
    let starts: [Int]
    let contentEnds: [Int]
    let ends: [Int]

    public init(_ bytes: [UInt8]) {
        let bom = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
        bomLength = bom
        var starts = [bom], contentEnds: [Int] = [], ends: [Int] = []
        var i = bom
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                contentEnds.append(i)
                var e = i + 1
                if b == 0x0D && e < n && bytes[e] == 0x0A { e += 1 }
                ends.append(e)
                starts.append(e)
                i = e
            } else {
                i += 1
            }
        }
        contentEnds.append(n)
        ends.append(n)
        self.starts = starts
        self.contentEnds = contentEnds
        self.ends = ends
        blank = (0..<starts.count).map { k in
            bytes[starts[k]..<contentEnds[k]].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0C || $0 == 0x0B }
        }
    }

    private let blank: [Bool]
    public var count: Int { starts.count }
    public func start(_ i: Int) -> Int { starts[i] }
    public func content(_ i: Int) -> Range<Int> { starts[i]..<contentEnds[i] }
    public func terminator(_ i: Int) -> Range<Int> { contentEnds[i]..<ends[i] }
    public func isBlank(_ i: Int) -> Bool { blank[i] }
}
