/// A match a check reports, in text coordinates, before merging and positioning.
public struct RawMatch: Sendable {
    public var rule: Rule
    public var range: Range<Int>
    public var groups: [Range<Int>?]
    /// The finding's message when the rule's own does not apply (a unit flagged by scored cues).
    public var message: String? = nil
    public init(rule: Rule, range: Range<Int>, groups: [Range<Int>?], message: String? = nil) {
        self.rule = rule
        self.range = range
        self.groups = groups
        self.message = message
    }
}

/// What a check sees: the document, its text as bytes, this thread's match scratch, and where
/// the prefilter says the current rule can match. A class: one per document, handed to every
/// rule without copying.
final class CheckContext {
    let document: Document
    let text: UnsafeBufferPointer<UInt8>
    let scratch: MatchScratch

    init(document: Document, text: UnsafeBufferPointer<UInt8>, scratch: MatchScratch) {
        self.document = document
        self.text = text
        self.scratch = scratch
    }

    /// Places holding one of the current rule's prefilter literals (in order of end offset);
    /// nil when the rule is not filtered and runs every pattern on every unit.
    var places: ArraySlice<PrefilterPlace>? = nil
    /// Per pattern of the current rule: how far before its literal a match can start (nil:
    /// unbounded, search the whole unit).
    var leads: [LeadBound?] = []
    /// Per pattern of the current rule: the further required sets (bit j: set j) a unit must
    /// also hold a literal of for the pattern to be tried there (empty: none).
    var extras: [UInt64] = []
    /// The prefilter and the current rule's number in it (when `extras` is not empty).
    var prefilter: Prefilter? = nil
    var rule = 0
    private var startsBuffer: [Int] = []
    private var windowsBuffer: [Range<Int>] = []

    /// The units of `scope` the current rule must look at, each with the patterns that can match
    /// in it: every unit and pattern, or (prefiltered) only units holding one of the literals.
    func units(_ scope: Scope) -> [CandidateUnit] {
        guard let places else { return document.units(scope).map { CandidateUnit(range: $0, patterns: CandidateUnit.allPatterns) } }
        let units = document.units(scope, containing: places)
        guard !extras.isEmpty, !units.isEmpty else { return units }
        // A pattern stays in play in a unit only when the unit also holds a literal of every
        // further set the pattern needs; a unit with no pattern left is dropped.
        var out: [CandidateUnit] = []
        out.reserveCapacity(units.count)
        for var u in units {
            // The further sets the patterns in play here need (none: nothing to check).
            var wanted: UInt64 = 0
            for (i, need) in extras.enumerated() where i < 64 && u.patterns & (1 << UInt64(i)) != 0 { wanted |= need }
            if wanted == 0 { out.append(u); continue }
            let have = prefilter!.extrasHeld(rule: rule, wanted, in: u.range, text, scratch.prefilterHits)
            var mask = u.patterns
            for (i, need) in extras.enumerated() where i < 64 && need & ~have != 0 { mask &= ~(1 << UInt64(i)) }
            if mask == 0 { continue }
            u.patterns = mask
            out.append(u)
        }
        return out
    }

    /// Whether any of `patterns` matches inside `unit` (answers about patterns several rules
    /// share are kept for the document).
    func anyMatch(_ patterns: [Pattern], in unit: Range<Int>) throws(MatchLimitError) -> Bool {
        for p in patterns {
            guard p.isShared else {
                if try p.matches(in: text, range: unit, scratch: scratch) { return true }
                continue
            }
            let key = MatchScratch.MemoKey(pattern: ObjectIdentifier(p), lower: unit.lowerBound, upper: unit.upperBound)
            if let known = scratch.memo[key] {
                if known { return true }
                continue
            }
            let found = try p.matches(in: text, range: unit, scratch: scratch)
            scratch.memo[key] = found
            if found { return true }
        }
        return false
    }

    /// Whether any of the rule's `patterns` the prefilter left in play matches inside `unit`.
    func anyMatch(_ patterns: [Pattern], in unit: CandidateUnit) throws(MatchLimitError) -> Bool {
        for (i, p) in patterns.enumerated() where CheckContext.selected(i, unit.patterns) {
            var found = false
            try forEachMatch(p, i, unit) { _ in found = true; return false }
            if found { return true }
        }
        return false
    }

    /// Every match of every one of the rule's `patterns` the prefilter left in play inside
    /// `unit`, in pattern order. A pattern left out cannot match there, so the result is the
    /// same as running them all.
    func allMatches(_ patterns: [Pattern], in unit: CandidateUnit, skipQuoted: Bool) throws(MatchLimitError) -> [PatternMatch] {
        var out: [PatternMatch] = []
        for (i, p) in patterns.enumerated() where CheckContext.selected(i, unit.patterns) {
            try forEachMatch(p, i, unit) { m in
                if !m.range.isEmpty && !(skipQuoted && document.isQuoted(m.range.lowerBound)) { out.append(m) }
                return true
            }
        }
        return out
    }

    /// Every match of pattern `i` of the rule in `unit`. With a bounded lead, PCRE2 is tried
    /// only at the start offsets from which a match could reach one of the pattern's literal
    /// places in the unit; otherwise the whole unit is searched.
    func forEachMatch(_ p: Pattern, _ i: Int, _ unit: CandidateUnit, _ body: (PatternMatch) -> Bool) throws(MatchLimitError) {
        guard let places, i < 64, i < leads.count, let lead = leads[i] else {
            return try p.forEachMatch(in: text, range: unit.range, scratch: scratch, body)
        }
        // Starts of this pattern's literal occurrences inside the unit, ascending (buffers
        // reused from one call to the next).
        var starts: [Int] = []
        swap(&starts, &startsBuffer)
        starts.removeAll(keepingCapacity: true)
        defer { swap(&starts, &startsBuffer) }
        let bit: UInt64 = 1 << UInt64(i)
        for n in unit.places {
            let place = places[n]
            if place.patterns & bit != 0, unit.range.lowerBound <= place.range.lowerBound, place.range.upperBound <= unit.range.upperBound,
               place.context.allows(text, place.range, in: unit.range) {
                starts.append(place.range.lowerBound)
            }
        }
        if starts.isEmpty { return }
        starts.sort()
        // Windows [earliest start, literal start]; both ends grow with the literal start, so
        // they come in order and overlapping ones merge. Only bytes a match can start with
        // (PCRE2's first-character set) are worth a try.
        let floor = unit.range.lowerBound
        let first = p.startBytes
        var windows: [Range<Int>] = []
        swap(&windows, &windowsBuffer)
        windows.removeAll(keepingCapacity: true)
        defer { swap(&windows, &windowsBuffer) }
        // An anchored try costs about as much as an ordinary search spends on 32 bytes when
        // it can skip ahead on the pattern's first characters; without those it tries every
        // position itself, so fewer tries than positions always win. Past that many tries,
        // search the unit instead (and stop counting).
        let limit = first == nil ? unit.range.count / 2 : max(4, unit.range.count / 32)
        var tries = 0
        for start in starts {
            var lo = lead.earliestStart(text, before: start, floor: floor)
            if let last = windows.last, lo < last.upperBound {
                lo = last.upperBound
                windows[windows.count - 1] = last.lowerBound..<max(last.upperBound, start + 1)
            } else {
                windows.append(lo..<(start + 1))
            }
            if let first {
                var s = lo
                while s <= start && tries <= limit { if first.contains(text[s]) { tries += 1 }; s += 1 }
            } else {
                tries += max(0, start + 1 - lo)
            }
            if tries > limit {
                return try p.forEachMatch(in: text, range: unit.range, scratch: scratch, body)
            }
        }
        var k = 0
        try p.forEachMatch(in: text, range: unit.range, scratch: scratch, attempts: { c in
            var c = c
            while k < windows.count {
                if windows[k].upperBound <= c { k += 1; continue }
                var s = max(c, windows[k].lowerBound)
                if let first {
                    while s < windows[k].upperBound && !first.contains(text[s]) { s += 1 }
                    if s == windows[k].upperBound { c = s; k += 1; continue }
                }
                return s
            }
            return nil
        }, body)
    }

    @inline(__always) static func selected(_ i: Int, _ mask: UInt64) -> Bool {
        i >= 64 || mask & (1 << UInt64(i)) != 0
    }
}

extension RuleKind {
    /// Runs one rule of this kind over a document.
    func run(_ rule: Rule, _ ctx: CheckContext, into out: inout [RawMatch]) throws(MatchLimitError) {
        switch self {
        case .existence: try ExistenceCheck.run(rule, ctx, into: &out)
        case .attribution: try AttributionCheck.run(rule, ctx, into: &out)
        case .titleLine: try TitleLineCheck.run(rule, ctx, into: &out)
        }
    }
}
