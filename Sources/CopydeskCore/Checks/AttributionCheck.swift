/// `attribution`: a claim cue ("Reports indicate", "Experts say") in a sentence that names no
/// source. The sentence is attributed, and not flagged, when one of the rule's `attributions`
/// patterns matches in it ("according to", "said", a named study) or when it contains a quotation.
/// A cue inside quotation marks is attributed speech and never flagged.
enum AttributionCheck {
    static func run(_ rule: Rule, _ ctx: CheckContext, into out: inout [RawMatch]) throws(MatchLimitError) {
        for candidate in ctx.units(.sentence) {
            let sentence = candidate.range
            let cues = try ctx.allMatches(rule.patterns, in: candidate, skipQuoted: true)
            if cues.isEmpty { continue }
            if ctx.document.containsQuote(sentence) { continue }
            if try ctx.anyMatch(rule.attributions, in: sentence) { continue }
            if try ctx.anyMatch(rule.exceptions, in: sentence) { continue }
            for m in cues { out.append(RawMatch(rule: rule, range: m.range, groups: m.groups)) }
        }
    }
}
