/// `existence`: a pattern matches in a unit of the rule's scope; an exception matching anywhere in
/// the same unit drops the unit's matches; `outside-quotes` drops matches that start inside quotes.
enum ExistenceCheck {
    static func run(_ rule: Rule, _ ctx: CheckContext, into out: inout [RawMatch]) throws(MatchLimitError) {
        for candidate in ctx.units(rule.scope) {
            let unit = candidate.range
            let matches = try ctx.allMatches(rule.patterns, in: candidate, skipQuoted: rule.outsideQuotes)
            if matches.isEmpty { continue }
            if try ctx.anyMatch(rule.exceptions, in: unit) { continue }
            for m in matches { out.append(RawMatch(rule: rule, range: m.range, groups: m.groups)) }
        }
    }
}
