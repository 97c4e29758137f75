/// Runs a rule set over documents and turns raw matches into positioned, merged, sorted findings.
public struct Linter: Sendable {
    public let ruleSet: RuleSet
    /// The literal prefilter over `ruleSet` (nil: every rule runs on every unit).
    public let prefilter: Prefilter?
    private let ruleIndex: [ObjectIdentifier: Int]

    /// `prefilter: false` runs every rule on every unit of its scope (the reference behaviour
    /// the prefilter must reproduce finding for finding; `copydesk lint --no-prefilter`).
    public init(ruleSet: RuleSet, prefilter: Bool = true) {
        self.ruleSet = ruleSet
        self.prefilter = prefilter ? Prefilter(rules: ruleSet.rules) : nil
        var index: [ObjectIdentifier: Int] = [:]
        for (i, r) in ruleSet.rules.enumerated() { index[ObjectIdentifier(r)] = i }
        ruleIndex = index
    }

    /// Lints one document. Rules that hit a match limit are reported as errors naming the rule and
    /// the file; their matches in this file are dropped and the other rules still run.
    /// Inline `<!-- copydesk-disable … -->` comments drop the matches they cover; those that cover
    /// none are reported at `unusedSuppression` severity (nil: not reported).
    /// `stats` (optional, `--stats`) counts each rule's matches and time.
    public func lint(_ document: Document, scratch: MatchScratch, rules: [Rule]? = nil, unusedSuppression: Severity? = .info, stats: RuleStatsCollector? = nil) -> FileReport {
        var raw: [RawMatch] = []
        var errors: [FileError] = []
        stats?.beginDocument()
        scratch.memo.removeAll(keepingCapacity: true)
        document.text.withUnsafeBufferPointer { buf in
            let ctx = CheckContext(document: document, text: buf, scratch: scratch)
            ctx.prefilter = prefilter
            defer { scratch.endRuleBudget() }
            let hits = scratch.prefilterHits
            let filtered: Bool
            if let prefilter, prefilter.isActive {
                prefilter.scan(buf, into: hits)
                filtered = !hits.poisoned
            } else {
                filtered = false
            }
            let list = rules ?? ruleSet.rules
            // Per-file rule lists (configuration) are usually the rule set itself, in order.
            let sameAsSet = rules.map { $0.count == ruleSet.rules.count && zip($0, ruleSet.rules).allSatisfy { $0 === $1 } } ?? true
            for (n, rule) in list.enumerated() {
                ctx.places = nil
                // The rule's number in the rule set (the prefilter's numbering).
                let r = sameAsSet ? n : ruleIndex[ObjectIdentifier(rule)]
                if filtered, let r, prefilter!.isFiltered[r] {
                    let places = hits.places(r)
                    if places.isEmpty {
                        // No literal of the rule here: it cannot match (it still counts as run).
                        stats?.record(rule, matches: 0, failed: false, since: stats?.start() ?? 0)
                        continue
                    }
                    ctx.places = places
                    ctx.leads = prefilter!.patternLeads[r]
                    ctx.extras = prefilter!.patternExtras[r]
                    ctx.rule = r
                }
                var mine: [RawMatch] = []
                scratch.startRuleBudget(textBytes: document.text.count)
                let started = stats?.start() ?? 0
                do throws(MatchLimitError) {
                    try rule.kind.run(rule, ctx, into: &mine)
                    raw.append(contentsOf: mine)
                    stats?.record(rule, matches: mine.count, failed: false, since: started)
                } catch {
                    errors.append(FileError(path: document.path, message: "rule \(rule.id): \(error.description) while matching this file; the rule's findings here are dropped"))
                    stats?.record(rule, matches: 0, failed: true, since: started)
                }
            }
        }
        let directives = Suppressions.directives(in: document)
        guard !directives.isEmpty else {
            let findings = Linter.findings(from: ScoredCues.apply(raw, in: document), in: document)
            stats?.recordFindings(findings)
            return FileReport(path: document.path, findings: findings, errors: errors)
        }
        let applied = Suppressions.apply(directives, to: raw, in: document, rules: rules ?? ruleSet.rules, unusedSeverity: unusedSuppression)
        // After the suppressions: a cue disabled where it fired adds nothing to its unit's score.
        var findings = Linter.findings(from: ScoredCues.apply(applied.kept, in: document), in: document)
        stats?.recordFindings(findings)
        findings += applied.unused
        findings.sort {
            if $0.span.start.offset != $1.span.start.offset { return $0.span.start.offset < $1.span.start.offset }
            return $0.rule < $1.rule
        }
        return FileReport(path: document.path, findings: findings, errors: errors)
    }

    /// Maps raw matches to the source, merges them (at most one finding per line and category:
    /// matches of one category on the same line, or overlapping, become one finding), and sorts by
    /// (start offset, rule id).
    static func findings(from raw: [RawMatch], in doc: Document) -> [Finding] {
        guard !raw.isEmpty else { return [] }
        struct Item { var m: RawMatch; var src: Range<Int>; var line: Int }
        let index = doc.lineIndex
        var items = raw.map { m -> Item in
            let src = doc.sourceRange(ofText: m.range)
            return Item(m: m, src: src, line: index.lineIndex(of: src.lowerBound))
        }
        items.sort {
            if $0.m.rule.category != $1.m.rule.category { return $0.m.rule.category < $1.m.rule.category }
            if $0.src.lowerBound != $1.src.lowerBound { return $0.src.lowerBound < $1.src.lowerBound }
            return $0.m.rule.id < $1.m.rule.id
        }
        var findings: [Finding] = []
        var i = 0
        while i < items.count {
            var lead = items[i]      // the match whose rule speaks for the merged finding
            var lo = lead.src.lowerBound, hi = lead.src.upperBound
            var tlo = lead.m.range.lowerBound, thi = lead.m.range.upperBound
            var j = i + 1
            while j < items.count, items[j].m.rule.category == lead.m.rule.category,
                  items[j].line == items[i].line || items[j].src.lowerBound < hi {
                let it = items[j]
                hi = max(hi, it.src.upperBound)
                lo = min(lo, it.src.lowerBound)
                tlo = min(tlo, it.m.range.lowerBound)
                thi = max(thi, it.m.range.upperBound)
                if it.m.rule.severity > lead.m.rule.severity { lead = it }
                j += 1
            }
            let rule = lead.m.rule
            let text = Linter.matchText(doc.source, lo..<hi)
            // HTML: the message quotes the text as read (entities decoded, tags dropped); `match`
            // and the span stay on the source bytes.
            let quoted = doc.format == .html ? Linter.matchText(doc.text, tlo..<thi) : text
            findings.append(Finding(
                rule: rule.id, category: rule.category, severity: rule.severity,
                message: lead.m.message ?? rule.renderMessage(doc.text, match: quoted, groups: lead.m.groups),
                match: text,
                span: index.span(of: lo..<hi, in: doc.source)))
            i = j
        }
        findings.sort {
            if $0.span.start.offset != $1.span.start.offset { return $0.span.start.offset < $1.span.start.offset }
            return $0.rule < $1.rule
        }
        return findings
    }

    /// Longest `match` text kept whole; a longer span (matches merged across a huge line) is
    /// shown as its start and end around " … " so reports stay small. The span stays exact.
    public static let maxMatchBytes = 4096

    static func matchText(_ source: [UInt8], _ r: Range<Int>) -> String {
        guard r.count > maxMatchBytes else { return UTF8Scan.string(source[r]) }
        // Cut on scalar boundaries (never inside a UTF-8 sequence).
        var head = r.lowerBound + maxMatchBytes / 2
        while head > r.lowerBound && source[head] & 0xC0 == 0x80 { head -= 1 }
        var tail = r.upperBound - maxMatchBytes / 2
        while tail < r.upperBound && source[tail] & 0xC0 == 0x80 { tail += 1 }
        return UTF8Scan.string(source[r.lowerBound..<head]) + " … " + UTF8Scan.string(source[tail..<r.upperBound])
    }
}
