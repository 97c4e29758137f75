/// Scored cues (SpamAssassin's design): a rule with a `score` is a cue, not a verdict. After every
/// rule has run on a document, the cues of one category that fired in one unit of their scope
/// (the headline, a sentence, …) are added up — each rule once per unit, however often it
/// matched — and the unit is flagged when the sum reaches the category's threshold. Cues may
/// have negative scores (evidence against: they lower the sum and are never the finding's
/// span).
///
/// A flagged unit gives one match: it spans the positive cues that fired (first start to last
/// end), is reported under the highest-scoring of them (ties: the lower id), and its message names
/// every cue with its matched text and score. Units that stay below the threshold give nothing.
/// Rules without a score pass through unchanged.
///
/// This runs on raw matches after suppressions, so it is the same with and without the
/// prefilter (which only decides where a cue's patterns are tried) and does not depend on thread
/// or rule order.
package enum ScoredCues {
    static func apply(_ raw: [RawMatch], in doc: Document) -> [RawMatch] {
        guard raw.contains(where: { $0.rule.score != nil }) else { return raw }
        var out: [RawMatch] = []
        out.reserveCapacity(raw.count)
        struct Key: Hashable, Comparable {
            var category: Category
            var scope: String
            var unit: Int
            static func < (a: Key, b: Key) -> Bool { (a.category, a.scope, a.unit) < (b.category, b.scope, b.unit) }
        }
        var groups: [Key: [RawMatch]] = [:]
        var unitsByScope: [Scope: [Range<Int>]] = [:]
        for m in raw {
            guard m.rule.score != nil else { out.append(m); continue }
            let scope = m.rule.scope
            let units: [Range<Int>]
            if let known = unitsByScope[scope] { units = known } else { units = doc.units(scope); unitsByScope[scope] = units }
            groups[Key(category: m.rule.category, scope: scope.rawValue, unit: Document.unitIndex(units, containing: m.range.lowerBound..<(m.range.lowerBound + 1)) ?? -1 - m.range.lowerBound), default: []].append(m)
        }
        for key in groups.keys.sorted() {
            let matches = groups[key]!
            // Each rule once: its first match (in text order) stands for it.
            var first: [String: RawMatch] = [:]
            for m in matches {
                if let seen = first[m.rule.id], seen.range.lowerBound <= m.range.lowerBound { continue }
                first[m.rule.id] = m
            }
            let cues = first.values.sorted { $0.range.lowerBound != $1.range.lowerBound ? $0.range.lowerBound < $1.range.lowerBound : $0.rule.id < $1.rule.id }
            let sum = cues.reduce(0.0) { $0 + $1.rule.score! }
            let threshold = cues.map(\.rule.threshold).max() ?? Rule.defaultThreshold
            // Scores are written with a few decimals: compare with a little slack.
            guard sum >= threshold - 1e-9 else { continue }
            let positive = matches.filter { $0.rule.score! > 0 }
            guard let lo = positive.map(\.range.lowerBound).min(), let hi = positive.map(\.range.upperBound).max() else { continue }
            let lead = cues.filter { $0.rule.score! > 0 }.max {
                $0.rule.score! != $1.rule.score! ? $0.rule.score! < $1.rule.score! : $0.rule.id > $1.rule.id
            }!
            let named = cues.map { c -> String in
                let name = c.rule.id.split(separator: ".", maxSplits: 1).last.map(String.init) ?? c.rule.id
                let text = UTF8Scan.string(doc.text[c.range]).replacingNewlines()
                return "\(name) “\(text)” \(formatScore(c.rule.score!, signed: true))"
            }
            let category = key.category.rawValue.prefix(1).uppercased() + key.category.rawValue.dropFirst()
            let message = "\(category) cues add up to \(formatScore(sum, signed: false)) (threshold \(formatScore(threshold, signed: false))): " + named.joined(separator: ", ")
            out.append(RawMatch(rule: lead.rule, range: lo..<hi, groups: lead.groups, message: message))
        }
        return out
    }

    /// A score for people: at most two decimals, no trailing zeros ("1.5", "+0.75", "-2").
    package static func formatScore(_ v: Double, signed: Bool) -> String {
        let cents = Int((abs(v) * 100).rounded())
        var s = String(cents / 100)
        let frac = cents % 100
        if frac != 0 { s += "." + (frac < 10 ? "0\(frac)" : frac % 10 == 0 ? String(frac / 10) : String(frac)) }
        return (v < 0 && cents != 0 ? "-" : signed ? "+" : "") + s
    }
}
