/// Required-literal analysis of PCRE2 patterns, for the prefilter.
///
/// `PrefilterLiterals.analyze(pattern)` returns a set of byte strings such that every match of
/// the pattern contains at least one of them, compared ASCII-case-insensitively (the strings are
/// lowercased), or nil when no such set can be derived. Soundness is the whole point: a wrong
/// answer would silently drop findings, so anything the analysis does not fully understand
/// (extended mode, verbs, conditionals, callouts, comments, `\E` alone…) gives nil for the whole
/// pattern, and anything that matches an unknown text (classes, `.`, back-references,
/// subroutine calls, optional parts) contributes no literal.
///
/// Literal characters are ASCII (folded to lowercase) and non-ASCII scalars that have no case
/// variants (“ ” ’ © ® — …). A cased non-ASCII letter (é, Ä) is treated as unknown, since caseless
/// matching would accept its other case. Caseless ASCII letters can also match two non-ASCII
/// scalars (K: U+212A KELVIN SIGN, S: U+017F LONG S); the scanner treats text holding them as
/// unfilterable (see `PrefilterScanner.poison`).
///
/// A literal can carry its context in the pattern: a `\b` or a mandatory `\s` right before or
/// after it. Inside the analysis these are marker bytes (never valid UTF-8) in the literal;
/// `split` turns them into `LiteralContext` flags the linter checks against the neighbouring
/// text bytes, so "pin" in "opinion" does not count for `\bpin\b`.
///
/// The analysis also bounds the *lead*: how much text a match can consume before the literal
/// (`LeadBound`). With it, PCRE2 is tried anchored at the few start positions near each
/// occurrence instead of searching the whole unit.
enum PrefilterLiterals {
    static let markWordBoundary: UInt8 = 0xFF
    static let markSpaceAfter: UInt8 = 0xFE
    static let markSpaceBefore: UInt8 = 0xFD
    @inline(__always) static func isMark(_ b: UInt8) -> Bool { b >= 0xFD }
    /// Largest literal set kept for a node (alternations and cross products beyond it are cut).
    static let maxSetSize = 64
    /// Longest literal kept (longer exact runs are cut to a required substring).
    static let maxLiteralLength = 48

    /// Distinct literals (an array: sets are small, and arrays are far cheaper to build).
    typealias LiteralSet = [[UInt8]]

    /// A required literal set, the lead of its literals (nil: unbounded) and its expected cost.
    struct Requirement {
        var literals: LiteralSet
        var lead: LeadBound?
        let cost: Double
        init(literals: LiteralSet, lead: LeadBound?) {
            self.literals = literals
            self.lead = lead
            cost = PrefilterLiterals.cost(literals) * (lead.map { 1 + Double($0.fixed) / 16 } ?? 3)
        }
    }

    /// `a` with the literals of `b` it does not have yet.
    static func union(_ a: LiteralSet, _ b: LiteralSet) -> LiteralSet {
        var out = a
        for x in b where !out.contains(x) { out.append(x) }
        return out
    }

    /// What is known about the text a node matches.
    struct Info {
        /// The node matches exactly one of these strings (nil: unknown or too many).
        var exact: LiteralSet?
        /// Every match of the node contains one of these (nil: nothing known).
        var required: Requirement?
        /// How long a match of the node can be (nil: unbounded).
        var length: LeadBound?
        /// For a one-character atom, the bytes that character can consist of (for repetition).
        var charBytes: ByteSet? = nil
        /// A `\s` (repeated at least once): the text at this place is whitespace.
        var isSpace = false
        /// For a positive lookaround: what its content requires. The text is in the unit (PCRE2
        /// never looks past the subject) but not necessarily in the match, so it has no lead.
        var side: Requirement? = nil
        /// Literal sets every match of the node contains one of EACH (a conjunction: the sets of
        /// the parts of a sequence that are all mandatory). Only what is certainly in the match
        /// (or in a positive lookahead) is listed; optional parts, alternations and lookbehinds
        /// contribute nothing.
        var conjuncts: [LiteralSet] = []

        static let empty = Info(exact: [[]], required: nil, length: .zero)
        /// One character of unknown kind made of `bytes`.
        static func char(_ bytes: ByteSet) -> Info { Info(exact: nil, required: nil, length: LeadBound(fixed: 4), charBytes: bytes) }
        static let anyChar = Info.char(.all)
        /// Text of unknown content and length.
        static let unbounded = Info(exact: nil, required: nil, length: nil)

        /// The best required set this node offers on its own (an exact set starts at the node).
        var best: Requirement? {
            PrefilterLiterals.better(required, usable(exact).map { Requirement(literals: $0, lead: .zero) })
        }
    }

    struct Unsupported: Error {}

    /// What the prefilter knows about one pattern.
    struct Analysis {
        /// Literals (with context marks) one of which every match contains.
        var literals: LiteralSet
        /// How far before the literal a match can start; nil when unbounded or unknown.
        var lead: LeadBound?
        /// Further literal sets (with context marks) every match also contains one of each: a
        /// unit is a candidate only when it holds a literal of `literals` and of every one of
        /// these. At most `maxExtras`, the rarest first.
        var extras: [LiteralSet] = []
    }

    /// Most further required sets kept per pattern (each costs scanning and bookkeeping).
    static let maxExtras = 2
    /// Shortest literal a further set may hold ("is", "it", "to" are in nearly every sentence,
    /// and their occurrences cost more to keep than the units they rule out save).
    static let minExtraLength = 3
    /// A further set expected more often than this per byte of English text would rule out
    /// too few units to pay for keeping its occurrences (counted on 1.7 MB of the bench corpus:
    /// 698 M instructions at 0.001, 705 M at 0.003, 774 M with no further sets).
    static let maxExtraCost = 0.001

    /// The analysis of `pattern`, or nil when no literal set can be derived.
    static func analyze(_ pattern: String) -> Analysis? {
        var parser = Parser(Array(pattern.unicodeScalars))
        guard let info = try? parser.parsePattern(), let best = info.best, isWorthScanning(best.literals) else { return nil }
        let primary = minimized(best.literals)
        // \G depends on where the search starts, so the search may not start anywhere else.
        return Analysis(literals: primary, lead: parser.usesG ? nil : best.lead, extras: extras(info.conjuncts, besides: primary))
    }

    /// The further required sets worth checking: usable, worth scanning, not the primary set,
    /// rare enough; the rarest `maxExtras`.
    static func extras(_ conjuncts: [LiteralSet], besides primary: LiteralSet) -> [LiteralSet] {
        var out: [(set: LiteralSet, cost: Double)] = []
        for c in conjuncts {
            guard usable(c) != nil, isWorthScanning(c), c.allSatisfy({ content($0).count >= minExtraLength }) else { continue }
            let m = minimized(c)
            let cost = cost(m)
            guard cost <= maxExtraCost, m != primary, !out.contains(where: { $0.set == m }) else { continue }
            out.append((m, cost))
        }
        out.sort { $0.cost < $1.cost }
        return out.prefix(maxExtras).map(\.set)
    }

    /// The literal set every match of `pattern` must contain one of (with context marks), or nil.
    static func required(_ pattern: String) -> LiteralSet? { analyze(pattern)?.literals }

    /// A literal without its marks, and the context the marks stand for.
    static func split(_ marked: [UInt8]) -> (content: [UInt8], context: LiteralContext) {
        var lo = 0, hi = marked.count
        var context: LiteralContext = []
        var leading: [UInt8] = [], trailing: [UInt8] = []
        while lo < hi && isMark(marked[lo]) { leading.append(marked[lo]); lo += 1 }
        while hi > lo && isMark(marked[hi - 1]) { trailing.append(marked[hi - 1]); hi -= 1 }
        let content = marked[lo..<hi].filter { !isMark($0) }
        guard let first = content.first, let last = content.last else { return (content, []) }
        // \b next to a word character means a non-word character (or the unit's edge) beyond it.
        if leading.contains(markWordBoundary) && isASCIIWordByte(first) { context.insert(.nonWordBefore) }
        if trailing.contains(markWordBoundary) && isASCIIWordByte(last) { context.insert(.nonWordAfter) }
        if leading.contains(markSpaceBefore) { context.insert(.spaceBefore) }
        if trailing.contains(markSpaceAfter) { context.insert(.spaceAfter) }
        return (content, context)
    }

    @inline(__always) static func content(_ marked: [UInt8]) -> [UInt8] { marked.filter { !isMark($0) } }

    /// Drops literals that contain a context-free literal of the set (text holding "signing"
    /// holds "sign").
    static func minimized(_ set: LiteralSet) -> LiteralSet {
        let byLength = set.sorted { $0.count != $1.count ? $0.count < $1.count : $0.lexicographicallyPrecedes($1) }
        var kept: [[UInt8]] = []
        for s in byLength {
            let c = content(s)
            if kept.contains(where: { k in !k.contains(where: isMark) && contains(c, k) }) { continue }
            kept.append(s)
        }
        return kept
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.count > haystack.count { return false }
        if needle.isEmpty { return true }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        return false
    }

    /// A set worth scanning for: no single letter or digit (it would hit nearly every line and
    /// cost more than it saves).
    static func isWorthScanning(_ set: LiteralSet) -> Bool {
        for s in set {
            let c = content(s)
            if c.isEmpty { return false }
            if c.count == 1 && (isASCIILetter(c[0]) || (c[0] >= 0x30 && c[0] <= 0x39)) { return false }
        }
        return true
    }

    /// A set usable as a requirement (no literal without content in it), else nil.
    static func usable(_ set: LiteralSet?) -> LiteralSet? {
        guard let set, !set.isEmpty, !set.contains(where: { !$0.contains { !isMark($0) } }) else { return nil }
        return set
    }

    /// The more selective of two requirements: the one expected to occur less often in English
    /// text; on a near tie, the one with a bounded lead; then the first.
    static func better(_ a: Requirement?, _ b: Requirement?) -> Requirement? {
        guard let a, usable(a.literals) != nil else { return b.flatMap { usable($0.literals) != nil ? $0 : nil } }
        guard let b, usable(b.literals) != nil else { return a }
        // The cost counts a long lead as many start offsets to try per occurrence.
        return b.cost < a.cost ? b : a
    }

    /// Expected occurrences of any literal of the set per byte of English text (a rough model:
    /// independent letters, with very common words counted at their real rate).
    static func cost(_ set: LiteralSet) -> Double {
        var total = 0.0
        for marked in set {
            // Marks only at the ends count (a \b mark counts half, as split() keeps it only
            // next to a word character); inner ones are dropped.
            var lo = 0, hi = marked.count
            var f = 1.0
            while lo < hi && isMark(marked[lo]) { f *= marked[lo] == markWordBoundary ? 0.4 : 0.5; lo += 1 }
            while hi > lo && isMark(marked[hi - 1]) { f *= 0.5; hi -= 1 }
            var letters = 1.0
            var plain = true
            for k in lo..<hi where !isMark(marked[k]) { letters *= byteFrequency(marked[k]) }
            for k in lo..<hi where isMark(marked[k]) { plain = false }
            if plain, hi - lo <= 6, let common = commonWords[pack(marked[lo..<hi])] { letters = common }
            total += f * letters
        }
        return total
    }

    static func frequency(_ literal: [UInt8]) -> Double { cost([literal]) }

    /// Share of bytes in English news text, roughly.
    static func byteFrequency(_ b: UInt8) -> Double {
        switch b {
        case 0x61...0x7A: return letterFrequency[Int(b - 0x61)]
        case 0x30...0x39: return 0.004
        case 0x20: return 0.17
        case UInt8(ascii: ","), UInt8(ascii: "."): return 0.01
        case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "-"): return 0.003
        case 0x80...0xFF: return 0.002
        default: return 0.0005
        }
    }

    static let letterFrequency: [Double] = [
        0.065, 0.012, 0.022, 0.033, 0.10, 0.018, 0.016, 0.049, 0.057, 0.001, 0.006, 0.033, 0.020,  // a-m
        0.057, 0.062, 0.015, 0.001, 0.050, 0.053, 0.075, 0.023, 0.008, 0.017, 0.0015, 0.014, 0.0007, // n-z
    ]

    /// Words far more frequent than their letters suggest (per byte of text, roughly, counting
    /// their occurrences inside longer words too).
    /// Up to 7 bytes as one number (for the table below).
    @inline(__always) static func pack(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var v = UInt64(bytes.count)
        for b in bytes { v = v << 8 | UInt64(b) }
        return v
    }

    static let commonWords: [UInt64: Double] = {
        let table: [(String, Double)] = [
            ("the", 0.012), ("and", 0.005), ("ing", 0.006), ("ion", 0.003), ("ent", 0.003), ("her", 0.003),
            ("tha", 0.003), ("for", 0.002), ("thi", 0.002), ("you", 0.002), ("ter", 0.002), ("was", 0.002),
            ("this", 0.0015), ("that", 0.002), ("with", 0.0012), ("have", 0.0008), ("from", 0.0008),
            ("our", 0.001), ("are", 0.0015), ("not", 0.001), ("can", 0.0006), ("will", 0.0006), ("may", 0.0004),
            ("more", 0.0005), ("get", 0.0004), ("now", 0.0004), ("all", 0.0015), ("out", 0.0008),
            ("one", 0.0008), ("new", 0.0005), ("said", 0.0006), ("also", 0.0003), ("like", 0.0003),
            ("about", 0.0003), ("would", 0.0003), ("could", 0.0002), ("other", 0.0003), ("some", 0.0003),
            ("read", 0.0002), ("see", 0.0003), ("here", 0.0004), ("your", 0.0003), ("off", 0.0003),
            ("most", 0.0002), ("first", 0.0002), ("make", 0.0002), ("news", 0.0001), ("time", 0.0003),
            ("people", 0.0002), ("their", 0.0004), ("there", 0.0004), ("which", 0.0002), ("been", 0.0003),
            ("ers", 0.002), ("ies", 0.0008), ("ans", 0.0005), ("over", 0.0002), ("after", 0.0002),
            ("pin", 0.0003), ("port", 0.0003), ("post", 0.0002), ("ad", 0.002), ("act", 0.0006),
        ]
        var d: [UInt64: Double] = [:]
        for (w, f) in table { d[pack(ArraySlice(w.utf8))] = f }
        return d
    }()

    @inline(__always) static func isASCIIWordByte(_ b: UInt8) -> Bool {
        isASCIILetter(b) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "_")
    }

    @inline(__always) static func isASCIILetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    /// The folded bytes of one literal character, or nil when the character has case variants
    /// outside ASCII (so a byte comparison could miss a caseless match).
    static func fold(_ c: Unicode.Scalar) -> [UInt8]? {
        if c.value < 0x80 {
            let b = UInt8(c.value)
            return [b >= 0x41 && b <= 0x5A ? b | 0x20 : b]
        }
        let p = c.properties
        if p.isCased || p.changesWhenCaseMapped || p.changesWhenCaseFolded { return nil }
        return Array(String(c).utf8)
    }

    /// Cross product of two sets, or nil when it would be too large.
    static func product(_ a: LiteralSet, _ b: LiteralSet) -> LiteralSet? {
        if a.count * b.count > maxSetSize { return nil }
        if b.count == 1 {
            // The common case (one more character): extend in place.
            let y = b[0]
            var out = a
            for k in out.indices {
                if out[k].count + y.count > maxLiteralLength { return nil }
                out[k].append(contentsOf: y)
            }
            return out   // distinct literals with one suffix stay distinct
        }
        var out = LiteralSet()
        out.reserveCapacity(a.count * b.count)
        for x in a {
            for y in b {
                if x.count + y.count > maxLiteralLength { return nil }
                let xy = x + y
                if !out.contains(xy) { out.append(xy) }
            }
        }
        return out
    }

    /// ASCII sets of the escapes that stand for one character (every non-ASCII byte is assumed
    /// possible for them, as Unicode classes can hold non-ASCII characters).
    static func escapeBytes(_ c: Unicode.Scalar) -> ByteSet? {
        guard c.isASCII, let i = "dDwWsShHvV".unicodeScalars.firstIndex(of: c) else { return nil }
        return escapeSets["dDwWsShHvV".unicodeScalars.distance(from: "dDwWsShHvV".unicodeScalars.startIndex, to: i)]
    }

    static let escapeSets: [ByteSet] = "dDwWsShHvV".unicodeScalars.map { computeEscapeBytes($0)! }

    static func computeEscapeBytes(_ c: Unicode.Scalar) -> ByteSet? {
        switch c {
        case "d": return ByteSet.ascii { $0 >= 0x30 && $0 <= 0x39 }.union(.nonASCII)
        case "D": return ByteSet.ascii { !($0 >= 0x30 && $0 <= 0x39) }.union(.nonASCII)
        case "w": return ByteSet.ascii(isASCIIWordByte).union(.nonASCII)
        case "W": return ByteSet.ascii { !isASCIIWordByte($0) }.union(.nonASCII)
        case "s": return ByteSet.ascii(LiteralContext.isASCIISpace).union(.nonASCII)
        case "S": return ByteSet.ascii { !LiteralContext.isASCIISpace($0) }.union(.nonASCII)
        case "h": return ByteSet.ascii { $0 == 0x20 || $0 == 0x09 }.union(.nonASCII)
        case "H": return ByteSet.ascii { !($0 == 0x20 || $0 == 0x09) }.union(.nonASCII)
        case "v": return ByteSet.ascii { $0 >= 0x0A && $0 <= 0x0D }.union(.nonASCII)
        case "V": return ByteSet.ascii { !($0 >= 0x0A && $0 <= 0x0D) }.union(.nonASCII)
        default: return nil
        }
    }

    /// A recursive-descent reader of PCRE2 pattern syntax (non-extended mode), computing `Info`.
    struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        /// Whether the pattern uses \G (the search start), which rules out anchored attempts.
        var usesG = false
        init(_ s: [Unicode.Scalar]) { self.s = s }

        /// Characters with a meaning of their own outside classes.
        static let special: Set<UInt8> = Set("()[]{}\\.^$|*+?".utf8)

        var atEnd: Bool { i >= s.count }
        func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

        mutating func parsePattern() throws(Unsupported) -> Info {
            let info = try parseAlternation()
            guard atEnd else { throw Unsupported() }   // an unmatched ')'
            return info
        }

        /// branch ('|' branch)* up to ')' or the end (not consumed).
        mutating func parseAlternation() throws(Unsupported) -> Info {
            var branches: [Info] = [try parseSequence()]
            while peek() == "|" {
                i += 1
                branches.append(try parseSequence())
            }
            if branches.count == 1 { return branches[0] }
            var exact: LiteralSet? = LiteralSet()
            var required: Requirement? = Requirement(literals: [], lead: .zero)
            var length: LeadBound? = .zero
            for b in branches {
                if let e = b.exact, let cur = exact, cur.count + e.count <= maxSetSize { exact = union(cur, e) } else { exact = nil }
                if let r = b.best, let cur = required, cur.literals.count + r.literals.count <= maxSetSize {
                    required = Requirement(literals: union(cur.literals, r.literals), lead: LeadBound.max(cur.lead, r.lead))
                } else {
                    required = nil
                }
                length = LeadBound.max(length, b.length)
            }
            if let r = required, usable(r.literals) == nil { required = nil }
            return Info(exact: exact, required: required, length: length)
        }

        /// Concatenation of quantified atoms up to '|', ')' or the end.
        mutating func parseSequence() throws(Unsupported) -> Info {
            var run: LiteralSet = [[]]        // cross product of the current run of exact atoms
            var runLead: LeadBound? = .zero     // length of the text before the run
            var before: LeadBound? = .zero      // length of the text before the current atom
            var best: Requirement? = nil
            var allExact = true
            // Every requirement offered to `best` is required (all parts of a sequence are
            // mandatory); the conjunction keeps them all.
            var conjuncts: [LiteralSet] = []
            func closeRun() {
                best = better(best, Requirement(literals: run, lead: runLead))
                if usable(run) != nil { conjuncts.append(run) }
                run = [[]]
            }
            while let c = peek(), c != "|", c != ")" {
                // Fast path: a plain ASCII character, not quantified, extends the run in place.
                if c.isASCII, !Parser.special.contains(UInt8(c.value)), !(peek(1).map { $0 == "*" || $0 == "+" || $0 == "?" || $0 == "{" } ?? false),
                   !run.contains(where: { $0.count >= maxLiteralLength }) {
                    let b = UInt8(c.value)
                    let folded = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
                    for k in run.indices { run[k].append(folded) }
                    before = LeadBound.sum(before, LeadBound(fixed: 1))
                    i += 1
                    continue
                }
                let atom = try parseQuantifiedAtom()
                if let side = atom.side { best = better(best, side) }
                // A quantified atom keeps its conjuncts only when it occurs at least once.
                conjuncts.append(contentsOf: atom.conjuncts)
                if atom.isSpace {
                    // Whitespace must follow the run so far, and precede the next one.
                    if let marked = product(run, [[markSpaceAfter]]) { run = marked }
                    allExact = false
                    closeRun()
                    before = LeadBound.sum(before, atom.length)
                    run = [[markSpaceBefore]]
                    runLead = before
                    continue
                }
                if let e = atom.exact {
                    if e.count == 1, !run.contains(where: { $0.count + e[0].count > maxLiteralLength }) {
                        // One more character (the common case): extend the run in place.
                        for k in run.indices { run[k].append(contentsOf: e[0]) }
                    } else if let p = product(run, e) {
                        run = p
                    } else {
                        // Too many or too long: keep what the run proved so far and start again.
                        closeRun()
                        allExact = false
                        run = e.contains { $0.count > maxLiteralLength } ? [[]] : e
                        runLead = before
                    }
                } else {
                    allExact = false
                    closeRun()
                    if let r = atom.required {
                        best = better(best, Requirement(literals: r.literals, lead: LeadBound.sum(before, r.lead)))
                        if usable(r.literals) != nil { conjuncts.append(r.literals) }
                    }
                    runLead = LeadBound.sum(before, atom.length)
                }
                before = LeadBound.sum(before, atom.length)
            }
            let exact = allExact ? run : nil
            closeRun()
            var info = Info(exact: exact, required: best, length: before)
            info.conjuncts = conjuncts
            return info
        }

        mutating func parseQuantifiedAtom() throws(Unsupported) -> Info {
            // \Q...\E: each character is its own atom, so a quantifier after \E applies to the last.
            if peek() == "\\" && peek(1) == "Q" {
                i += 2
                var chars: [Info] = []
                while !atEnd {
                    if peek() == "\\" && peek(1) == "E" { i += 2; break }
                    chars.append(charInfo(s[i]))
                    i += 1
                }
                guard var last = chars.popLast() else { return .empty }
                last = try applyQuantifier(to: last)
                // Only the quoted characters before the last (and the last when it is exact) form
                // a literal starting at the node; the length is the sum.
                var literal: LiteralSet? = [[]]
                var length: LeadBound? = .zero
                for c in chars + [last] {
                    if let a = literal, let b = c.exact { literal = product(a, b) } else { literal = nil }
                    length = LeadBound.sum(length, c.length)
                }
                if let literal { return Info(exact: literal, required: nil, length: length) }
                // Otherwise the leading run of exact characters is required, at the start.
                var prefix: LiteralSet = [[]]
                for c in chars {
                    guard let b = c.exact, let p = product(prefix, b) else { break }
                    prefix = p
                }
                return Info(exact: nil, required: Requirement(literals: prefix, lead: .zero), length: length)
            }
            let atom = try parseAtom()
            return try applyQuantifier(to: atom)
        }

        /// Reads an optional quantifier and applies it.
        mutating func applyQuantifier(to atom: Info) throws(Unsupported) -> Info {
            guard let c = peek() else { return atom }
            var minimum: Int
            var maximum: Int?   // nil: unbounded
            switch c {
            case "*": minimum = 0; maximum = nil; i += 1
            case "+": minimum = 1; maximum = nil; i += 1
            case "?": minimum = 0; maximum = 1; i += 1
            case "{":
                guard let q = braceQuantifier() else { return atom }
                minimum = q.0; maximum = q.1
            default: return atom
            }
            // Lazy or possessive suffix.
            if let n = peek(), n == "?" || n == "+" { i += 1 }
            // Length of the repetition: bounded counts multiply; an unbounded repeat of one
            // character is made of that character's bytes; anything else is unbounded.
            var length: LeadBound?
            if let m = maximum {
                length = atom.length.flatMap { $0.fixed > 0 && m > LeadBound.limit / $0.fixed ? nil : LeadBound(fixed: $0.fixed * m, free: $0.free) }
            } else if let bytes = atom.charBytes {
                length = LeadBound(fixed: 0, free: bytes)
            } else {
                length = nil
            }
            if minimum == 0 {
                if maximum == 1, let e = atom.exact, e.count < maxSetSize { return Info(exact: union(e, [[]]), required: nil, length: length) }
                return Info(exact: nil, required: nil, length: length)
            }
            if minimum == 1 && maximum == 1 { return atom }
            // The first repetition holds the requirement, at the same lead, and the conjuncts.
            var repeated = Info(exact: nil, required: atom.best, length: length)
            repeated.isSpace = atom.isSpace
            repeated.conjuncts = atom.conjuncts
            return repeated
        }

        /// `{n}`, `{n,}`, `{n,m}` (and `{,m}`, spaces allowed, as newer PCRE2 reads them) at `i`.
        /// Returns (min, max) and consumes it, or nil when the brace is a literal.
        mutating func braceQuantifier() -> (Int, Int?)? {
            var k = i + 1
            var text = ""
            while k < s.count, s[k] != "}" {
                let ch = s[k]
                guard ch == "," || ch == " " || (ch.value >= 0x30 && ch.value <= 0x39) else { return nil }
                text.unicodeScalars.append(ch)
                k += 1
            }
            guard k < s.count else { return nil }
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0.filter { $0 != " " }) }
            guard parts.count <= 2, parts.contains(where: { !$0.isEmpty }) else { return nil }
            i = k + 1
            // When in doubt, the smaller minimum and the larger maximum are the safe readings.
            let minimum = Int(parts[0]) ?? 0
            let maximum: Int? = parts.count == 1 ? Int(parts[0]) : (parts[1].isEmpty ? nil : Int(parts[1]))
            return (minimum, maximum.map { Swift.max($0, minimum) })
        }

        func charInfo(_ c: Unicode.Scalar) -> Info {
            guard let b = fold(c) else { return .anyChar }
            // An ASCII character matches only itself or its other case (one byte); an uncased
            // character matches only itself.
            var set = ByteSet()
            if b.count == 1 {
                set.insert(b[0])
                if isASCIILetter(b[0]) { set.insert(b[0] & ~0x20) }
            } else {
                set = .nonASCII
            }
            return Info(exact: [b], required: nil, length: LeadBound(fixed: b.count), charBytes: set)
        }

        mutating func parseAtom() throws(Unsupported) -> Info {
            let c = s[i]
            switch c {
            case "(":
                return try parseGroup()
            case "[":
                return try parseClass()
            case "\\":
                return try parseEscape()
            case ".":
                i += 1
                return .anyChar
            case "^", "$":
                i += 1
                return .empty
            case "{", "*", "+", "?":
                // A literal brace (not a quantifier) or a stray quantifier character.
                i += 1
                return .anyChar
            default:
                i += 1
                return charInfo(c)
            }
        }

        mutating func parseGroup() throws(Unsupported) -> Info {
            i += 1 // (
            if peek() == "*" { throw Unsupported() }                // (*VERB) and (*pla:…) forms
            guard peek() == "?" else {
                let inner = try parseAlternation()
                try expect(")")
                return inner
            }
            i += 1 // ?
            guard let c = peek() else { throw Unsupported() }
            switch c {
            case ":", "|", ">":
                i += 1
                let inner = try parseAlternation()
                try expect(")")
                return inner
            case "=", "!", "*":
                i += 1
                let inner = try parseAlternation()
                try expect(")")
                // A positive lookahead's text lies inside the subject after the match start, so
                // what it requires is in the unit too: its conjuncts count.
                return c == "!" ? .empty : Parser.lookaround(inner, ahead: true)
            case "<":
                if let n = peek(1), n == "=" || n == "!" || n == "*" {
                    i += 2
                    let inner = try parseAlternation()
                    try expect(")")
                    return n == "!" ? .empty : Parser.lookaround(inner, ahead: false)
                }
                try skipName(until: ">")
                let inner = try parseAlternation()
                try expect(")")
                return inner
            case "'":
                try skipName(until: "'")
                let inner = try parseAlternation()
                try expect(")")
                return inner
            case "P":
                i += 1
                guard let n = peek() else { throw Unsupported() }
                if n == "<" {
                    try skipName(until: ">")
                    let inner = try parseAlternation()
                    try expect(")")
                    return inner
                }
                if n == "=" || n == ">" {           // back-reference or subroutine call by name
                    try skipTo(")")
                    return .unbounded
                }
                throw Unsupported()
            case "R", "&", "+", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9":
                try skipTo(")")                     // recursion / subroutine call
                return .unbounded
            case "-":
                if let n = peek(1), n.value >= 0x30 && n.value <= 0x39 { try skipTo(")"); return .unbounded }
                return try parseOptions()
            case "#", "(", "C":
                throw Unsupported()                 // comments, conditionals, callouts
            default:
                return try parseOptions()
            }
        }

        /// A positive lookaround: zero width in the match, its requirement on the side.
        /// A lookbehind contributes no conjuncts (kept out of the conjunction on purpose).
        static func lookaround(_ inner: Info, ahead: Bool) -> Info {
            var info = Info.empty
            info.side = inner.best.map { Requirement(literals: $0.literals, lead: nil) }
            if ahead {
                info.conjuncts = inner.conjuncts
                if let b = inner.best, usable(b.literals) != nil { info.conjuncts.append(b.literals) }
            }
            return info
        }

        /// `(?imnsU-imnsU)` or `(?imnsU-imnsU:…)`, `(?^…)`. Extended mode (x) is not supported.
        mutating func parseOptions() throws(Unsupported) -> Info {
            while let c = peek(), c != ")", c != ":" {
                switch c {
                case "i", "m", "n", "s", "U", "J", "-", "^": i += 1
                default: throw Unsupported()        // x, xx, a… and anything unknown
                }
            }
            guard let c = peek() else { throw Unsupported() }
            i += 1
            if c == ")" { return .empty }
            let inner = try parseAlternation()
            try expect(")")
            return inner
        }

        mutating func skipName(until close: Unicode.Scalar) throws(Unsupported) {
            i += 1 // opening < or '
            while let c = peek(), c != close { i += 1 }
            try expect(close)
        }

        mutating func skipTo(_ close: Unicode.Scalar) throws(Unsupported) {
            while let c = peek(), c != close { i += 1 }
            try expect(close)
        }

        mutating func expect(_ c: Unicode.Scalar) throws(Unsupported) {
            guard peek() == c else { throw Unsupported() }
            i += 1
        }

        /// An escape outside a class.
        mutating func parseEscape() throws(Unsupported) -> Info {
            i += 1 // backslash
            guard let c = peek() else { throw Unsupported() }
            i += 1
            switch c {
            case "b":
                return Info(exact: [[markWordBoundary]], required: nil, length: .zero)
            case "G":
                usesG = true
                return .empty
            case "B", "A", "z", "Z", "K":
                return .empty
            case "s":
                var info = Info.char(escapeBytes("s")!)
                info.isSpace = true
                return info
            case "d", "D", "w", "W", "S", "h", "H", "v", "V":
                return .char(escapeBytes(c)!)
            case "R":
                // \r\n, or one vertical space character.
                return Info(exact: nil, required: nil, length: LeadBound(fixed: 4), charBytes: nil)
            case "X", "C":
                return .unbounded
            case "N":
                if peek() == "{" { try skipTo("}") }
                return .anyChar
            case "p", "P":
                if peek() == "{" { try skipTo("}") } else if !atEnd { i += 1 }
                return .anyChar
            case "g", "k":
                // Back-references: \g1 \g-1 \g{…} \g<…> \g'…' \k<…> \k'…' \k{…}
                if let n = peek() {
                    switch n {
                    case "{": try skipTo("}")
                    case "<": try skipTo(">")
                    case "'": i += 1; try skipTo("'")
                    default:
                        if n == "-" || n == "+" { i += 1 }
                        while let d = peek(), d.value >= 0x30 && d.value <= 0x39 { i += 1 }
                    }
                }
                return .unbounded
            case "1", "2", "3", "4", "5", "6", "7", "8", "9":
                // A back-reference (or an octal escape): unknown text either way.
                while let d = peek(), d.value >= 0x30 && d.value <= 0x39 { i += 1 }
                return .unbounded
            case "E", "Q":
                throw Unsupported() // a lone \E (ignored by PCRE2, which would move a quantifier)
            default:
                guard let ch = try escapedChar(c) else { return .anyChar }
                return charInfo(ch)
            }
        }

        /// The character an escape stands for (its letter already consumed), nil when unknown.
        /// Shared by escapes inside and outside classes.
        mutating func escapedChar(_ c: Unicode.Scalar) throws(Unsupported) -> Unicode.Scalar? {
            switch c {
            case "a": return Unicode.Scalar(0x07)
            case "e": return Unicode.Scalar(0x1B)
            case "f": return Unicode.Scalar(0x0C)
            case "n": return Unicode.Scalar(0x0A)
            case "r": return Unicode.Scalar(0x0D)
            case "t": return Unicode.Scalar(0x09)
            case "x":
                var hex = ""
                if peek() == "{" {
                    i += 1
                    while let d = peek(), d != "}" { hex.unicodeScalars.append(d); i += 1 }
                    try expect("}")
                } else {
                    while hex.unicodeScalars.count < 2, let d = peek(), d.properties.isASCIIHexDigit { hex.unicodeScalars.append(d); i += 1 }
                }
                let digits = hex.filter { $0 != " " }
                guard let v = UInt32(digits.isEmpty ? "0" : digits, radix: 16) else { return nil }
                return Unicode.Scalar(v)
            case "o":
                if peek() == "{" { try skipTo("}") }
                return nil
            case "0":
                var n = 0
                while n < 2, let d = peek(), d.value >= 0x30 && d.value <= 0x37 { i += 1; n += 1 }
                return nil
            case "c":
                if !atEnd { i += 1 }
                return nil
            default:
                if c.value < 0x80 && (c.properties.isAlphabetic || (c.value >= 0x30 && c.value <= 0x39)) {
                    throw Unsupported() // an escape this reader does not know
                }
                return c // escaped punctuation or a non-ASCII character stands for itself
            }
        }

        /// A character class. Small classes of literal characters become exact sets (`['’]`);
        /// every class records the bytes its character can be made of.
        mutating func parseClass() throws(Unsupported) -> Info {
            i += 1 // [
            var negated = false
            if peek() == "^" { negated = true; i += 1 }
            var members: [Unicode.Scalar] = []
            var known = !negated
            var bytes = ByteSet()       // possible bytes of the matched character (ASCII part exact)
            var bytesKnown = true
            var first = true
            while true {
                guard let c = peek() else { throw Unsupported() }
                if c == "]" && !first { i += 1; break }
                first = false
                var lo: Unicode.Scalar? = nil
                if c == "[" && peek(1) == ":" {
                    // [:name:] (and the [[:<:]] word boundaries, which are not characters).
                    if peek(2) == "<" || peek(2) == ">" { throw Unsupported() }
                    i += 2
                    while let d = peek(), d != ":" { i += 1 }
                    try expect(":")
                    try expect("]")
                    known = false
                    bytesKnown = false
                    continue
                }
                if c == "\\" {
                    i += 1
                    guard let e = peek() else { throw Unsupported() }
                    i += 1
                    switch e {
                    case "d", "D", "w", "W", "s", "S", "h", "H", "v", "V":
                        known = false
                        bytes = bytes.union(escapeBytes(e)!)
                        continue
                    case "N", "R", "X":
                        known = false
                        bytesKnown = false
                        continue
                    case "p", "P":
                        if peek() == "{" { try skipTo("}") } else if !atEnd { i += 1 }
                        known = false
                        bytesKnown = false
                        continue
                    case "b": lo = Unicode.Scalar(0x08)
                    case "Q", "E": throw Unsupported()
                    default:
                        lo = try escapedChar(e)
                        if lo == nil { known = false; bytesKnown = false; continue }
                    }
                } else {
                    lo = c
                    i += 1
                }
                guard let start = lo else { continue }
                // A range a-z (a '-' before ']' is a literal).
                if peek() == "-", let n = peek(1), n != "]" {
                    i += 1
                    var hi: Unicode.Scalar
                    if n == "\\" {
                        i += 1
                        guard let e = peek() else { throw Unsupported() }
                        i += 1
                        guard let h = try escapedChar(e) else { known = false; bytesKnown = false; continue }
                        hi = h
                    } else if n == "[" {
                        throw Unsupported()
                    } else {
                        hi = n
                        i += 1
                    }
                    if hi.value < start.value { throw Unsupported() }
                    for v in start.value...hi.value where v < 0x80 { bytes.insertFolded(UInt8(v)) }
                    if hi.value >= 0x80 { bytes = bytes.union(.nonASCII) }
                    if hi.value - start.value >= 8 { known = false; continue }
                    for v in start.value...hi.value { if let u = Unicode.Scalar(v) { members.append(u) } }
                    continue
                }
                if start.value < 0x80 { bytes.insertFolded(UInt8(start.value)) } else { bytes = bytes.union(.nonASCII) }
                members.append(start)
            }
            // Caseless matching and Unicode classes can reach non-ASCII characters.
            var charBytes: ByteSet = bytesKnown ? bytes.union(.nonASCII) : .all
            if negated { charBytes = .all }
            guard known, !members.isEmpty, members.count <= 16 else { return .char(charBytes) }
            var set = LiteralSet()
            var length = 0
            for m in members {
                guard let b = fold(m) else { return .char(charBytes) }
                if !set.contains(b) { set.append(b) }
                length = Swift.max(length, b.count)
            }
            guard set.count <= 8 else { return .char(charBytes) }
            return Info(exact: set, required: nil, length: LeadBound(fixed: length), charBytes: charBytes)
        }
    }
}

/// A set of byte values.
struct ByteSet: Hashable, Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static func == (a: ByteSet, b: ByteSet) -> Bool { a.words == b.words }
    func hash(into h: inout Hasher) { h.combine(words.0); h.combine(words.1); h.combine(words.2); h.combine(words.3) }

    static let all = ByteSet(words: (~0, ~0, ~0, ~0))
    static let nonASCII = ByteSet(words: (0, 0, ~0, ~0))

    static func ascii(_ member: (UInt8) -> Bool) -> ByteSet {
        var s = ByteSet()
        for b in 0..<128 where member(UInt8(b)) { s.insert(UInt8(b)) }
        return s
    }

    @inline(__always) func contains(_ b: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    mutating func insert(_ b: UInt8) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    /// Inserts an ASCII byte and, for a letter, its other case (patterns are caseless by default).
    mutating func insertFolded(_ b: UInt8) {
        insert(b)
        if PrefilterLiterals.isASCIILetter(b) { insert(b ^ 0x20) }
    }

    func union(_ o: ByteSet) -> ByteSet {
        ByteSet(words: (words.0 | o.words.0, words.1 | o.words.1, words.2 | o.words.2, words.3 | o.words.3))
    }
}

/// An upper bound on a length of text: at most `fixed` bytes of any kind, plus any number of
/// bytes from `free` (an unbounded repetition of one character class, like `\s*` or `\W*`).
/// Walking back from a literal occurrence over `free` bytes and at most `fixed` other bytes
/// reaches no later than where a match containing it can start.
struct LeadBound: Equatable, Sendable {
    var fixed: Int
    var free = ByteSet()

    static let zero = LeadBound(fixed: 0)

    /// Lengths past this are treated as unbounded (the walk back would cost more than it saves).
    static let limit = 4096

    static func sum(_ a: LeadBound?, _ b: LeadBound?) -> LeadBound? {
        guard let a, let b, a.fixed + b.fixed <= limit else { return nil }
        return LeadBound(fixed: a.fixed + b.fixed, free: a.free.union(b.free))
    }

    static func max(_ a: LeadBound?, _ b: LeadBound?) -> LeadBound? {
        guard let a, let b else { return nil }
        return LeadBound(fixed: Swift.max(a.fixed, b.fixed), free: a.free.union(b.free))
    }

    /// The earliest offset (not before `floor`) where a match holding a literal that starts at
    /// `start` can start.
    @inline(__always)
    func earliestStart(_ text: UnsafeBufferPointer<UInt8>, before start: Int, floor: Int) -> Int {
        var p = start
        var budget = fixed
        while p > floor {
            let b = text[p - 1]
            if free.contains(b) { p -= 1; continue }
            if budget == 0 { break }
            budget -= 1
            p -= 1
        }
        return p
    }
}

/// What a pattern says about the text around a literal, checked against the neighbouring bytes
/// of an occurrence (an ASCII byte decides; a non-ASCII byte or the unit's edge never rules an
/// occurrence out).
struct LiteralContext: OptionSet, Hashable, Sendable {
    let rawValue: UInt8
    /// `\b` before a literal starting with a word character: no ASCII word character before it.
    static let nonWordBefore = LiteralContext(rawValue: 1)
    /// `\b` after a literal ending with a word character: no ASCII word character after it.
    static let nonWordAfter = LiteralContext(rawValue: 2)
    /// A mandatory `\s` before it: no ASCII non-space character before it.
    static let spaceBefore = LiteralContext(rawValue: 4)
    /// A mandatory `\s` after it: no ASCII non-space character after it.
    static let spaceAfter = LiteralContext(rawValue: 8)

    /// Whether an occurrence at `range` of `text` can be part of a match inside `unit`.
    @inline(__always)
    func allows(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, in unit: Range<Int>) -> Bool {
        if isEmpty { return true }
        if range.lowerBound > unit.lowerBound {
            let b = text[range.lowerBound - 1]
            if b < 0x80 {
                if contains(.nonWordBefore) && PrefilterLiterals.isASCIIWordByte(b) { return false }
                if contains(.spaceBefore) && !LiteralContext.isASCIISpace(b) { return false }
            }
        } else if contains(.spaceBefore) {
            return false // a whitespace character must precede it inside the unit
        }
        if range.upperBound < unit.upperBound {
            let b = text[range.upperBound]
            if b < 0x80 {
                if contains(.nonWordAfter) && PrefilterLiterals.isASCIIWordByte(b) { return false }
                if contains(.spaceAfter) && !LiteralContext.isASCIISpace(b) { return false }
            }
        } else if contains(.spaceAfter) {
            return false
        }
        return true
    }

    /// \s for an ASCII byte: space, \t, \n, \v, \f, \r.
    @inline(__always) static func isASCIISpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
}
