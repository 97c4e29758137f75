/// A match a check reports, in text coordinates, before merging and positioning.
public struct RawMatch: Sendable {
    public var rule: Rule
    public var range: Range<Int>
    public var groups: [Range<Int>?]
}

/// What a check sees: the document, its text as bytes, and this thread's match scratch.
struct CheckContext {
    let document: Document
    let text: UnsafeBufferPointer<UInt8>
    let scratch: MatchScratch

    /// Whether any of `patterns` matches inside `unit`.
    func anyMatch(_ patterns: [Pattern], in unit: Range<Int>) throws(MatchLimitError) -> Bool {
        for p in patterns where try p.matches(in: text, range: unit, scratch: scratch) { return true }
        return false
    }

    /// Every match of every pattern inside `unit`, in pattern order.
    func allMatches(_ patterns: [Pattern], in unit: Range<Int>, skipQuoted: Bool) throws(MatchLimitError) -> [PatternMatch] {
        var out: [PatternMatch] = []
        for p in patterns {
            try p.forEachMatch(in: text, range: unit, scratch: scratch) { m in
                if !m.range.isEmpty && !(skipQuoted && document.isQuoted(m.range.lowerBound)) { out.append(m) }
                return true
            }
        }
        return out
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
