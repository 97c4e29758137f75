/// A match a check reports, in text coordinates, before merging and positioning.
public struct RawMatch: Sendable {
    public var rule: Rule
    public var range: Range<Int>
    public var groups: [Range<Int>?]
}

/// What a check sees: the document, its text as bytes, this thread's match scratch, and where
/// the prefilter says the current rule can match.
struct CheckContext {
    let document: Document
    let text: UnsafeBufferPointer<UInt8>
    let scratch: MatchScratch
    /// Places holding one of the current rule's prefilter literals (in order of end offset);
    /// nil when the rule is not filtered and runs every pattern on every unit.
    var places: [PrefilterPlace]? = nil

    /// The units of `scope` the current rule must look at, each with the patterns that can match
    /// in it: every unit and pattern, or (prefiltered) only units holding one of the literals.
    func units(_ scope: Scope) -> [CandidateUnit] {
        guard let places else { return document.units(scope).map { CandidateUnit(range: $0, patterns: CandidateUnit.allPatterns) } }
        return document.units(scope, containing: places)
    }

    /// Whether any of `patterns` matches inside `unit`.
    func anyMatch(_ patterns: [Pattern], in unit: Range<Int>) throws(MatchLimitError) -> Bool {
        for p in patterns where try p.matches(in: text, range: unit, scratch: scratch) { return true }
        return false
    }

    /// Whether any of `patterns` selected by `mask` (bit i: pattern i; patterns past 64 always
    /// count) matches inside `unit`.
    func anyMatch(_ patterns: [Pattern], in unit: Range<Int>, only mask: UInt64) throws(MatchLimitError) -> Bool {
        for (i, p) in patterns.enumerated() where CheckContext.selected(i, mask) {
            if try p.matches(in: text, range: unit, scratch: scratch) { return true }
        }
        return false
    }

    /// Every match of every pattern selected by `mask` inside `unit`, in pattern order. A
    /// pattern left out by the prefilter cannot match in the unit, so the result is the same.
    func allMatches(_ patterns: [Pattern], in unit: Range<Int>, only mask: UInt64 = CandidateUnit.allPatterns, skipQuoted: Bool) throws(MatchLimitError) -> [PatternMatch] {
        var out: [PatternMatch] = []
        for (i, p) in patterns.enumerated() where CheckContext.selected(i, mask) {
            try p.forEachMatch(in: text, range: unit, scratch: scratch) { m in
                if !m.range.isEmpty && !(skipQuoted && document.isQuoted(m.range.lowerBound)) { out.append(m) }
                return true
            }
        }
        return out
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
