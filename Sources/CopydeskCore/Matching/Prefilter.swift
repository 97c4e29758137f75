import Dispatch
import Synchronization

/// The prefilter: one pass over a document's text finds, for every rule, the places where one
/// of its patterns could match, and PCRE2 then runs only on the scope units holding such a
/// place, and only the patterns that could match there (how Snort and Suricata use PCRE).
///
/// For each pattern, `PrefilterLiterals` derives a set of literals one of which every match
/// must contain. A rule where one pattern has no such set (or that does not depend on its
/// patterns, like a `title-line` rule without patterns) simply runs everywhere, as without the
/// prefilter. Findings are the same with the prefilter on or off (`copydesk lint
/// --no-prefilter`); the one difference is that a unit that cannot match is never searched, so
/// it can never hit a match limit either.
public struct Prefilter: Sendable {
    /// Per rule, in the order given at init: whether it runs only where its literals occur.
    public let isFiltered: [Bool]
    /// Per rule: what was derived from its patterns (its literals, with the context they need).
    private let ruleData: [RulePrefilterData]
    /// Per filtered rule and pattern: how far before its literal a match can start (nil: unbounded).
    let patternLeads: [[LeadBound?]]
    /// Per filtered rule and pattern: the rule's further required sets (bit j: set j) the
    /// pattern needs a literal of, besides one of its own literals (empty: none).
    let patternExtras: [[UInt64]]
    let scanner: PrefilterScanner
    /// Literal id → the rules that need it: the patterns (bit i: pattern i) that need it, and
    /// the context those patterns require around it, flat: the needs of literal id are
    /// flatNeeds[needStart[id]..<needStart[id + 1]], in rule order.
    let needStart: [Int32]
    let flatNeeds: [Need]
    /// Literal id → the rules whose further required sets hold it (`Need.extras`: the sets;
    /// `Need.patterns` unused): extraNeeds[extraStart[id]..<extraStart[id + 1]]. Their
    /// occurrences are kept once per text (`PrefilterHits.extraOccurrences`), not per rule.
    let extraStart: [Int32]
    let extraNeeds: [Need]
    /// Per rule: bit id set when literal id is in one of the rule's further sets (empty for a
    /// rule without further sets), to skip other rules' occurrences at one test each.
    let extraIDBits: [[UInt64]]
    /// Length of each literal, by id.
    let literalLength: [Int32]
    /// Literal ids at or above this are poison (text the ASCII folding cannot see through).
    let firstPoisonID: Int
    /// Whether any rule is filtered at all (else scanning is pointless).
    public let isActive: Bool

    struct Need: Sendable {
        var rule: Int32
        var patterns: UInt64
        var extras: UInt64
        var context: LiteralContext
    }

    public init(rules: [Rule]) {
        let all = Prefilter.data(of: rules)
        let keyCount = all.reduce(0) { $0 + ($1.literals?.count ?? 0) }
        // Literal → id, in first-seen order. (An open-addressing table of ids hashed with FNV-1a:
        // a Dictionary keyed by [UInt8] hashed every byte through Hasher, a tenth of start-up.)
        var literals: [[UInt8]] = []
        literals.reserveCapacity(keyCount + PrefilterScanner.poison.count)
        var slotCount = 16
        while slotCount < keyCount * 2 { slotCount <<= 1 }
        var slots = [Int32](repeating: -1, count: slotCount)
        let slotMask = slots.count - 1
        func id(of literal: [UInt8]) -> Int32 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in literal { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            var i = Int(truncatingIfNeeded: h) & slotMask
            while true {
                let known = slots[i]
                if known < 0 {
                    slots[i] = Int32(literals.count)
                    literals.append(literal)
                    return slots[i]
                }
                if literals[Int(known)] == literal { return known }
                i = (i &+ 1) & slotMask
            }
        }
        // Each rule's needs and further-set needs with their literal's id, in rule order.
        var needIDs: [Int32] = [], needs: [Need] = []
        var extraIDs: [Int32] = [], extras: [Need] = []
        needIDs.reserveCapacity(keyCount); needs.reserveCapacity(keyCount)
        for r in rules.indices {
            guard let keys = all[r].literals else { continue }
            for key in keys {
                let i = id(of: key.literal)
                if key.patterns != 0 { needIDs.append(i); needs.append(Need(rule: Int32(r), patterns: key.patterns, extras: 0, context: key.context)) }
                if key.extras != 0 { extraIDs.append(i); extras.append(Need(rule: Int32(r), patterns: 0, extras: key.extras, context: key.context)) }
            }
        }
        firstPoisonID = literals.count
        isActive = !literals.isEmpty
        literals.append(contentsOf: PrefilterScanner.poison)
        isFiltered = all.map { $0.literals != nil }
        ruleData = all
        patternLeads = all.map(\.leads)
        patternExtras = all.map(\.extras)
        // Grouped by literal id (a stable counting sort: each id's needs stay in rule order).
        func grouped(_ ids: [Int32], _ items: [Need], count: Int) -> (starts: [Int32], flat: [Need]) {
            var starts = [Int32](repeating: 0, count: count + 1)
            for i in ids { starts[Int(i) + 1] += 1 }
            for i in 0..<count { starts[i + 1] += starts[i] }
            var fill = starts
            let flat = [Need](unsafeUninitializedCapacity: items.count) { buf, n in
                for (k, i) in ids.enumerated() {
                    (buf.baseAddress! + Int(fill[Int(i)])).initialize(to: items[k])
                    fill[Int(i)] += 1
                }
                n = items.count
            }
            return (starts, flat)
        }
        let (nStarts, nFlat) = grouped(needIDs, needs, count: firstPoisonID)
        needStart = nStarts
        flatNeeds = nFlat
        let (eStarts, eFlat) = grouped(extraIDs, extras, count: firstPoisonID)
        extraStart = eStarts + [Int32](repeating: eStarts[firstPoisonID], count: PrefilterScanner.poison.count)
        extraNeeds = eFlat
        var idBits = [[UInt64]](repeating: [], count: rules.count)
        for id in 0..<firstPoisonID {
            for need in eFlat[Int(eStarts[id])..<Int(eStarts[id + 1])] {
                let r = Int(need.rule)
                if idBits[r].isEmpty { idBits[r] = [UInt64](repeating: 0, count: (literals.count + 63) / 64) }
                idBits[r][id >> 6] |= 1 << UInt64(id & 63)
            }
        }
        extraIDBits = idBits
        literalLength = literals.map { Int32($0.count) }
        scanner = PrefilterScanner(literals: literals)
    }

    /// The literals rule number `r` needs, as shown to people (`\b`/`\s` where the pattern
    /// requires them around a literal), sorted; nil when the rule runs everywhere.
    public func literals(ofRule r: Int) -> [String]? {
        guard let keys = ruleData[r].literals else { return nil }
        return keys.filter { $0.patterns != 0 }.map { Prefilter.describe($0.literal, $0.context) }.sorted()
    }

    /// The further literal sets rule number `r`'s patterns also need (each pattern: a literal
    /// of every set listed for it), as shown to people: per set, its literals sorted; nil when
    /// the rule has none.
    public func extraLiterals(ofRule r: Int) -> [[String]]? {
        guard let keys = ruleData[r].literals else { return nil }
        let used = ruleData[r].extras.reduce(0, |)
        guard used != 0 else { return nil }
        return (0..<64).filter { used & (1 << UInt64($0)) != 0 }.map { j in
            keys.filter { $0.extras & (1 << UInt64(j)) != 0 }.map { Prefilter.describe($0.literal, $0.context) }.sorted()
        }
    }

    /// A literal as shown to people: `\b` and `\s` where the pattern requires them around it.
    static func describe(_ literal: [UInt8], _ context: LiteralContext) -> String {
        var s = String(decoding: literal, as: UTF8.self)
        if context.contains(.nonWordBefore) { s = "\\b" + s }
        if context.contains(.spaceBefore) { s = "\\s" + s }
        if context.contains(.nonWordAfter) { s += "\\b" }
        if context.contains(.spaceAfter) { s += "\\s" }
        return s
    }

    /// What the prefilter derives from each rule: the rule's `prefilterData` when it was worked
    /// out before (the built-in rules, at build time), else worked out now.
    static func data(of rules: [Rule]) -> [RulePrefilterData] {
        var out = rules.map(\.prefilterData)
        let missing = rules.indices.filter { out[$0] == nil }
        if !missing.isEmpty {
            // The analysis is most of the prefilter's start-up cost: spread it over the cores.
            let computed = analyses(of: missing.map { rules[$0] })
            for (k, r) in missing.enumerated() { out[r] = RulePrefilterData(rules[r], computed[k]) }
        }
        return out.map { $0! }
    }

    /// `analyses(of:)` of every rule, computed on all cores.
    static func analyses(of rules: [Rule]) -> [[PrefilterLiterals.Analysis]?] {
        let chunks = min(System.coreCount, max(1, rules.count / 16))
        if chunks == 1 { return rules.map { analyses(of: $0) } }
        let parts = Mutex<[Int: [[PrefilterLiterals.Analysis]?]]>([:])
        let size = (rules.count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { k in
            let part = rules[min(rules.count, k * size)..<min(rules.count, (k + 1) * size)].map { analyses(of: $0) }
            parts.withLock { $0[k] = part }
        }
        let done = parts.withLock { $0 }
        return (0..<chunks).flatMap { done[$0] ?? [] }
    }

    /// Per pattern of the rule, the literals one of which any match of that pattern contains
    /// (and the lead before them); nil when the rule must run everywhere.
    static func analyses(of rule: Rule) -> [PrefilterLiterals.Analysis]? {
        switch rule.kind {
        case .existence, .attribution: break
        case .titleLine: if rule.patterns.isEmpty { return nil }
        }
        guard !rule.patterns.isEmpty else { return nil }
        var out: [PrefilterLiterals.Analysis] = []
        for p in rule.patterns {
            guard let a = PrefilterLiterals.analyze(p.source) else { return nil }
            out.append(a)
        }
        return out
    }

    /// Scans `text` once. Afterwards `hits.places(rule)` holds, for each filtered rule, the
    /// text ranges of its literals in order of end offset; `hits.poisoned` means every rule
    /// must run unfiltered on this text.
    func scan(_ text: UnsafeBufferPointer<UInt8>, into hits: PrefilterHits) {
        hits.reset()
        guard isActive else { hits.poisoned = true; return }
        scanner.scan(text, into: &hits.occurrences, lanes: &hits.lanes)
        // Two passes over the occurrences: count the places of each rule, then lay them out
        // rule by rule (each rule's places stay in order of end offset). Occurrences of
        // literals of further required sets are kept once, in their own list.
        let ruleCount = isFiltered.count
        let hasExtras = !extraNeeds.isEmpty
        needStart.withUnsafeBufferPointer { needStart in
        flatNeeds.withUnsafeBufferPointer { needs in
        extraStart.withUnsafeBufferPointer { extraStart in
        literalLength.withUnsafeBufferPointer { literalLength in
        hits.occurrences.withUnsafeBufferPointer { occurrences in
            // (Unchecked buffers and wrapping arithmetic: ids, rules and counts are in range by
            // construction; this runs for every occurrence of every literal.)
            var counts = [Int32](repeating: 0, count: ruleCount + 1)
            let poisoned: Bool = counts.withUnsafeMutableBufferPointer { counts in
                for o in occurrences {
                    let id = Int(truncatingIfNeeded: o & 0xFFFF_FFFF)
                    if id >= firstPoisonID { return true }
                    var k = Int(needStart[id])
                    let stop = Int(needStart[id &+ 1])
                    while k < stop { counts[Int(needs[k].rule) &+ 1] &+= 1; k &+= 1 }
                    if hasExtras && extraStart[id] != extraStart[id &+ 1] { hits.extraOccurrences.append(o) }
                }
                for r in 0..<ruleCount { counts[r &+ 1] &+= counts[r] }
                return false
            }
            if poisoned { hits.poisoned = true; return }
            hits.start = counts
            var fill = counts
            hits.places = Array(unsafeUninitializedCapacity: Int(counts[ruleCount])) { buf, count in
                fill.withUnsafeMutableBufferPointer { fill in
                    let out = buf.baseAddress!
                    for o in occurrences {
                        let id = Int(truncatingIfNeeded: o & 0xFFFF_FFFF), end = Int(truncatingIfNeeded: o >> 32)
                        let start = end &- Int(literalLength[id])
                        var k = Int(needStart[id])
                        let stop = Int(needStart[id &+ 1])
                        while k < stop {
                            let need = needs[k]
                            let r = Int(need.rule)
                            (out + Int(fill[r])).initialize(to: PrefilterPlace(range: start..<end, patterns: need.patterns, context: need.context))
                            fill[r] &+= 1
                            k &+= 1
                        }
                    }
                }
                count = Int(counts[ruleCount])
            }
        }
        }
        }
        }
        }
    }

    /// The further required sets of rule number `rule` (bit j: set j) with a literal
    /// occurrence inside `unit` whose context fits, from the text's extra occurrences (in
    /// order of end offset: those ending inside the unit are one run). Stops once every set
    /// of `wanted` is found.
    func extrasHeld(rule: Int, _ wanted: UInt64, in unit: Range<Int>, _ text: UnsafeBufferPointer<UInt8>, _ hits: PrefilterHits) -> UInt64 {
        extraIDBits[rule].withUnsafeBufferPointer { bits -> UInt64 in
        if bits.isEmpty { return 0 }
        return hits.extraOccurrences.withUnsafeBufferPointer { occ -> UInt64 in
        literalLength.withUnsafeBufferPointer { literalLength -> UInt64 in
        extraStart.withUnsafeBufferPointer { extraStart -> UInt64 in
        extraNeeds.withUnsafeBufferPointer { extraNeeds -> UInt64 in
            var lo = 0, hi = occ.count
            while lo < hi {
                let mid = (lo &+ hi) >> 1
                if Int(truncatingIfNeeded: occ[mid] >> 32) <= unit.lowerBound { lo = mid &+ 1 } else { hi = mid }
            }
            var have: UInt64 = 0
            var n = lo
            while n < occ.count {
                let o = occ[n]
                let id = Int(truncatingIfNeeded: o & 0xFFFF_FFFF), end = Int(truncatingIfNeeded: o >> 32)
                if end > unit.upperBound { break }
                n &+= 1
                if bits[id >> 6] & (1 << UInt64(truncatingIfNeeded: id & 63)) == 0 { continue }
                let start = end &- Int(literalLength[id])
                if start < unit.lowerBound { continue }
                var k = Int(extraStart[id])
                let stop = Int(extraStart[id &+ 1])
                while k < stop {
                    let need = extraNeeds[k]
                    k &+= 1
                    if Int(need.rule) == rule, need.extras & wanted & ~have != 0, need.context.allows(text, start..<end, in: unit) {
                        have |= need.extras
                        if have & wanted == wanted { return have }
                    }
                }
            }
            return have
        }
        }
        }
        }
        }
    }
}

/// What the prefilter derives from one rule's patterns (`PrefilterLiterals.Analysis` of each):
/// the literals one of which every match contains, and per pattern how far before its literal a
/// match can start. Worked out at start-up for rules read at run time; for the built-in rules,
/// worked out by the same code at build time and read back (`PrecompiledRules`).
package struct RulePrefilterData: Sendable, Equatable {
    /// The rule's literals without their marks, sorted by (literal, context), each with the
    /// context the marks stand for and the patterns that need it; nil: the rule runs everywhere.
    var literals: [RuleLiteral]?
    /// Per pattern (empty when the rule runs everywhere): how far before its literal a match
    /// can start (nil: unbounded, or PCRE2 anchors the pattern: one attempt at the unit's start,
    /// no windows needed).
    var leads: [LeadBound?]
    /// Per pattern (empty when the rule runs everywhere or no pattern has any): the rule's
    /// further required sets the pattern needs a literal of (bit j: set j, see
    /// `RuleLiteral.extras`), besides one of its own literals.
    var extras: [UInt64]

    struct RuleLiteral: Sendable, Equatable {
        var literal: [UInt8]
        var context: LiteralContext
        /// Bit i: pattern i needs it (all bits for a rule with more than 64 patterns); 0 when
        /// the literal is only in further sets.
        var patterns: UInt64
        /// Bit j: it belongs to the rule's further required set j.
        var extras: UInt64 = 0
    }

    init(literals: [RuleLiteral]?, leads: [LeadBound?], extras: [UInt64] = []) {
        self.literals = literals
        self.leads = leads
        self.extras = extras
    }

    /// From the analyses of `rule`'s patterns (nil: the rule runs everywhere).
    init(_ rule: Rule, _ analyses: [PrefilterLiterals.Analysis]?) {
        guard let analyses else { self.init(literals: nil, leads: []); return }
        // (literal, context) → the patterns needing it (a rule with more than 64 patterns:
        // all of them on any of its literals).
        struct Key: Hashable { var literal: [UInt8]; var context: LiteralContext }
        var masks: [Key: UInt64] = [:]
        for (i, a) in analyses.enumerated() {
            for marked in a.literals {
                let (literal, context) = PrefilterLiterals.split(marked)
                masks[Key(literal: literal, context: context), default: 0] |= i < 64 ? 1 << UInt64(i) : ~0
            }
        }
        if analyses.count > 64 { for k in masks.keys { masks[k] = ~0 } }
        // Further required sets, numbered in pattern order (the same set twice: one number);
        // none for a rule with more than 64 patterns, nor past 64 sets (leaving a set out only
        // makes more units candidates).
        var extraMasks: [Key: UInt64] = [:]
        var perPattern = [UInt64](repeating: 0, count: analyses.count)
        var sets: [[Key]] = []
        if analyses.count <= 64 {
            for (i, a) in analyses.enumerated() {
                for set in a.extras {
                    let keys = set.map { m -> Key in let (l, c) = PrefilterLiterals.split(m); return Key(literal: l, context: c) }
                        .sorted { $0.literal != $1.literal ? $0.literal.lexicographicallyPrecedes($1.literal) : $0.context.rawValue < $1.context.rawValue }
                    let j: Int
                    if let known = sets.firstIndex(of: keys) { j = known } else {
                        guard sets.count < 64 else { continue }
                        j = sets.count
                        sets.append(keys)
                        for k in keys { extraMasks[k, default: 0] |= 1 << UInt64(j) }
                    }
                    perPattern[i] |= 1 << UInt64(j)
                }
            }
        }
        let keys = Set(masks.keys).union(extraMasks.keys)
            .sorted { $0.literal != $1.literal ? $0.literal.lexicographicallyPrecedes($1.literal) : $0.context.rawValue < $1.context.rawValue }
        self.init(literals: keys.map { RuleLiteral(literal: $0.literal, context: $0.context, patterns: masks[$0] ?? 0, extras: extraMasks[$0] ?? 0) },
                  leads: zip(analyses, rule.patterns).map { $1.isAnchored ? nil : $0.lead },
                  extras: sets.isEmpty ? [] : perPattern)
    }

    /// Works it out for `rule` (on this thread).
    static func of(_ rule: Rule) -> RulePrefilterData {
        RulePrefilterData(rule, Prefilter.analyses(of: rule))
    }
}

/// Where a rule's literal occurs, and which of the rule's patterns (bit i: pattern i) need it.
struct PrefilterPlace {
    var range: Range<Int>
    var patterns: UInt64
    var context: LiteralContext
}

/// Per-thread results of a prefilter scan, reused from one document to the next.
public final class PrefilterHits {
    var poisoned = false
    var occurrences: [UInt64] = []
    /// The occurrences (as in `occurrences`) of literals of further required sets.
    var extraOccurrences: [UInt64] = []
    var lanes: [[UInt64]] = []
    /// Every rule's places, rule after rule: rule r's are places[start[r]..<start[r + 1]].
    var places: [PrefilterPlace] = []
    var start: [Int32] = [0]

    public init() {}

    func reset() {
        poisoned = false
        places.removeAll(keepingCapacity: true)
        extraOccurrences.removeAll(keepingCapacity: true)
        start = [0]
    }

    /// The places of rule number `rule`, in order of end offset.
    func places(_ rule: Int) -> ArraySlice<PrefilterPlace> {
        guard rule + 1 < start.count else { return [] }
        return places[Int(start[rule])..<Int(start[rule + 1])]
    }
}
