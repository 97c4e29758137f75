/// The built-in rules in a form worked out at build time, so that start-up does not parse YAML
/// nor analyse 330 regular expressions again.
///
/// The build tool `copydesk-rules-compiler` (run by the `PrecompileRules` plugin whenever a file in
/// `Rules/` changes) loads `Rules/*.yml` with `RuleLoader.load(files:)`, the code that reads any
/// rule file at run time, works out each rule's prefilter data with the code the prefilter runs
/// at start-up (`RulePrefilterData.of`), and writes the result of `encode` next to the YAML it
/// embeds (both from the same bytes, in one file). `RuleLoader.loadDefault()` (module
/// CopydeskDefaultRules) reads it back with `decode`. There is a precompiled form only when the
/// rules loaded without a single error; else the embedded YAML is read at run time, which
/// reports the errors as before. A test compares both paths rule by rule, pattern by pattern and
/// literal by literal.
///
/// The form is text: a sequence of tokens, each its length in UTF-8 bytes, a colon and the
/// bytes; numbers are decimal; literals (which carry marker bytes that are not UTF-8) are hex.
/// Version 4: after the magic, the PCRE2 that compiled the patterns (`Pattern.libraryStamp`);
/// every distinct pattern is listed once, with its compiled code serialized by PCRE2
/// (pcre2_serialize_encode, in base64), and the rules name their patterns by number. A pattern
/// decodes that code the first time it runs instead of compiling its source, only under the
/// very same PCRE2 and when PCRE2 accepts it; otherwise it compiles the source as before.
public enum PrecompiledRules {
    static let magic = "copydesk-precompiled-rules 4"

    // MARK: Writing

    /// The precompiled form of `rules` (a rule set loaded without errors).
    package static func encode(_ rules: [Rule], categories: [CategorySettings] = []) -> String {
        var w = Writer()
        w.string(magic)
        // The PCRE2 that compiled the patterns' code below.
        w.string(Pattern.libraryStamp)
        // The category settings (threshold as bits, "-" for none; scope; examples; file; line).
        w.int(categories.count)
        for c in categories {
            w.string(c.category.rawValue)
            if let t = c.threshold { w.int(t.bitPattern) } else { w.string("-") }
            w.string(c.scope.rawValue)
            for list in [c.examples.triggering, c.examples.nontriggering] {
                w.int(list.count)
                for e in list { w.string(e) }
            }
            w.string(c.file)
            w.int(c.line)
        }
        // Every distinct pattern once (source, case sensitivity, its compiled code serialized
        // in base64, "-" if it does not compile); the rules name them by number.
        struct Key: Hashable { var source: String; var caseSensitive: Bool }
        var table: [Key: Int] = [:]
        var keys: [Key] = []
        for r in rules {
            for p in r.patterns + r.exceptions + r.attributions {
                let k = Key(source: p.source, caseSensitive: r.caseSensitive)
                if table[k] == nil { table[k] = keys.count; keys.append(k) }
            }
        }
        w.int(keys.count)
        for k in keys {
            w.string(k.source)
            w.bool(k.caseSensitive)
            if let code = Pattern.serializedCode(k.source, caseSensitive: k.caseSensitive) { w.string(base64(code)) } else { w.string("-") }
        }
        w.int(rules.count)
        for r in rules {
            w.string(r.id)
            w.string(r.category.rawValue)
            w.string(r.severity.rawValue)
            w.string(r.message)
            w.string(r.description)
            w.string(r.kind.rawValue)
            w.string(r.scope.rawValue)
            w.bool(r.caseSensitive)
            w.bool(r.outsideQuotes)
            for list in [r.patterns, r.exceptions, r.attributions] {
                w.int(list.count)
                for p in list { w.int(table[Key(source: p.source, caseSensitive: r.caseSensitive)]!) }
            }
            w.int(r.titleLine.minWords)
            w.int(r.titleLine.maxWords)
            w.int(r.titleLine.minCapitalized.bitPattern)
            w.bool(r.titleLine.skipSubheads)
            // Score as bits ("-": not a scored rule) and the threshold as bits.
            if let score = r.score { w.int(score.bitPattern) } else { w.string("-") }
            w.int(r.threshold.bitPattern)
            for list in [r.examples.triggering, r.examples.nontriggering] {
                w.int(list.count)
                for e in list { w.string(e) }
            }
            w.string(r.file)
            w.int(r.line)
            let data = r.prefilterData ?? RulePrefilterData.of(r)
            if let literals = data.literals {
                w.int(literals.count)
                for l in literals {
                    w.string(hex(l.literal))
                    w.int(l.context.rawValue)
                    w.int(l.patterns)
                    w.int(l.extras)
                }
                w.int(data.leads.count)
                for lead in data.leads {
                    if let lead {
                        w.bool(true)
                        w.int(lead.fixed)
                        w.int(lead.free.words.0); w.int(lead.free.words.1); w.int(lead.free.words.2); w.int(lead.free.words.3)
                    } else {
                        w.bool(false)
                    }
                }
                // Per pattern, the further required sets it needs (none: 0 entries).
                w.int(data.extras.count)
                for e in data.extras { w.int(e) }
            } else {
                w.string("-")
            }
        }
        return w.out
    }

    struct Writer {
        var out = ""
        mutating func string(_ s: String) {
            out += String(s.utf8.count)
            out += ":"
            out += s
        }
        mutating func int<I: BinaryInteger>(_ n: I) { string(String(n)) }
        mutating func bool(_ b: Bool) { string(b ? "1" : "0") }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static let base64Digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Base64 with padding.
    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var v = UInt32(bytes[i]) << 16
            if n > 1 { v |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { v |= UInt32(bytes[i + 2]) }
            for k in 0..<4 { out.append(k <= n ? base64Digits[Int(v >> UInt32(18 - 6 * k)) & 63] : UInt8(ascii: "=")) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Base64 digit → value + 1 (0: not a digit).
    static let base64Values: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for (v, d) in base64Digits.enumerated() { t[Int(d)] = UInt8(v + 1) }
        return t
    }()

    /// The bytes of base64 `text` (from `base64`); nil when it is not that.
    static func unbase64(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var pad = 0
        if text.count >= 4 && text[text.count - 1] == UInt8(ascii: "=") {
            pad = text[text.count - 2] == UInt8(ascii: "=") ? 2 : 1
        }
        let size = text.count / 4 * 3 - pad
        var ok = true
        let out = base64Values.withUnsafeBufferPointer { values in
            [UInt8](unsafeUninitializedCapacity: size) { buf, count in
                var i = 0, o = 0
                while i < text.count {
                    var v: UInt32 = 0
                    for k in 0..<4 {
                        let c = text[i &+ k]
                        let d = values[Int(c)]
                        if d == 0 {
                            // Padding only at the very end.
                            guard c == UInt8(ascii: "="), i &+ 4 == text.count, k >= 4 - pad else { ok = false; count = 0; return }
                        } else {
                            v |= UInt32(d &- 1) << UInt32(18 - 6 * k)
                        }
                    }
                    for k in 0..<3 where o < size { buf[o] = UInt8(truncatingIfNeeded: v >> UInt32(16 - 8 * k)); o &+= 1 }
                    i &+= 4
                }
                count = size
            }
        }
        return ok ? out : nil
    }

    // MARK: Reading

    /// The rules in `text` (from `encode`), or nil when it is not a precompiled form (or is
    /// damaged). Patterns are deferred: each compiles when it first runs
    /// (`Pattern.shared(deferred:caseSensitive:)`); the build checked that they compile.
    package static func decode(_ text: String) -> RuleLoader.Result? {
        var text = text
        let blob = text
        return text.withUTF8 { (buf: UnsafeBufferPointer<UInt8>) -> RuleLoader.Result? in decode(buf, blob: blob) }
    }

    /// Reads the base64 code in `blob`'s bytes `range` (an immortal string: the binary's own).
    static func codeLoader(_ blob: String, _ range: Range<Int>) -> @Sendable () -> [UInt8]? {
        return { () -> [UInt8]? in
            var blob = blob
            return blob.withUTF8 { (all: UnsafeBufferPointer<UInt8>) -> [UInt8]? in
                guard range.upperBound <= all.count else { return nil }
                return unbase64(UnsafeBufferPointer(rebasing: all[range]))
            }
        }
    }

    static func decode(_ buf: UnsafeBufferPointer<UInt8>, blob: String) -> RuleLoader.Result? {
        var r = Reader(bytes: buf)
        guard r.string() == magic, let stamp = r.string(), let categoryCount = r.int() else { return nil }
        // Serialized code only from this very PCRE2; else every pattern compiles from source.
        let useCode = stamp == Pattern.libraryStamp
        var categories: [CategorySettings] = []
        for _ in 0..<categoryCount {
            guard let c = r.enumValue(Category.self) else { return nil }
            var threshold: Double? = nil
            let save = r.at
            if let t = r.token(), t.count == 1, t[0] == UInt8(ascii: "-") {} else {
                r.at = save
                guard let bits = r.uint64() else { return nil }
                threshold = Double(bitPattern: bits)
            }
            guard let scope = r.enumValue(Scope.self), let trig = r.strings(), let non = r.strings(),
                  let file = r.string(), let line = r.int() else { return nil }
            categories.append(CategorySettings(category: c, threshold: threshold, scope: scope,
                                               examples: RuleExamples(triggering: trig, nontriggering: non), file: file, line: line))
        }
        // The pattern table: (source, case sensitivity, where its code is in `blob`).
        guard let patternCount = r.int(), patternCount <= buf.count else { return nil }
        var entries: [(source: String, caseSensitive: Bool, code: Range<Int>?)] = []
        entries.reserveCapacity(patternCount)
        for _ in 0..<patternCount {
            guard let source = r.string(), let caseSensitive = r.bool() else { return nil }
            guard let code = r.token() else { return nil }
            let isCode = !(code.count == 1 && code[0] == UInt8(ascii: "-"))
            entries.append((source, caseSensitive, isCode && useCode ? (r.at - code.count)..<r.at : nil))
        }
        guard let count = r.int() else { return nil }
        // First the rules with pattern numbers, then the patterns (knowing how many places
        // share each), then the rules.
        var parsed: [Reader.ParsedRule] = []
        parsed.reserveCapacity(count)
        var references = [Int](repeating: 0, count: patternCount)
        for _ in 0..<count {
            guard let rule = r.rule() else { return nil }
            for list in [rule.patterns, rule.exceptions, rule.attributions] {
                for i in list {
                    guard i < patternCount, entries[i].caseSensitive == rule.caseSensitive else { return nil }
                    references[i] += 1
                }
            }
            parsed.append(rule)
        }
        guard r.atEnd else { return nil }
        var patterns: [Pattern?] = Array(repeating: nil, count: patternCount)
        for (i, e) in entries.enumerated() where references[i] > 0 {
            var code: (@Sendable () -> [UInt8]?)? = nil
            if let range = e.code { code = codeLoader(blob, range) }
            patterns[i] = Pattern.shared(deferred: e.source, caseSensitive: e.caseSensitive, code: code, references: references[i])
        }
        func resolve(_ numbers: [Int]) -> [Pattern] { numbers.map { (i: Int) -> Pattern in patterns[i]! } }
        let rules = parsed.map { (p: Reader.ParsedRule) -> Rule in p.rule(resolve) }
        return RuleLoader.Result(ruleSet: RuleSet(rules), errors: [], categories: categories)
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        var atEnd: Bool { at == bytes.count }

        mutating func token() -> UnsafeBufferPointer<UInt8>? {
            var n = 0
            while at < bytes.count, bytes[at] != UInt8(ascii: ":") {
                let d = bytes[at]
                guard d >= 0x30, d <= 0x39, n < 1 << 40 else { return nil }
                n = n * 10 + Int(d - 0x30)
                at += 1
            }
            guard at < bytes.count, at + 1 + n <= bytes.count else { return nil }
            at += 1
            defer { at += n }
            return UnsafeBufferPointer(rebasing: bytes[at..<(at + n)])
        }

        mutating func string() -> String? { token().map { String(decoding: $0, as: UTF8.self) } }

        mutating func uint64() -> UInt64? {
            guard let t = token(), !t.isEmpty, t.count <= 20 else { return nil }
            var n: UInt64 = 0
            for d in t {
                guard d >= 0x30, d <= 0x39 else { return nil }
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(d - 0x30))
                guard !o1, !o2 else { return nil }
                n = s
            }
            return n
        }

        mutating func int() -> Int? { uint64().flatMap { $0 <= UInt64(Int.max) ? Int($0) : nil } }

        mutating func bool() -> Bool? {
            guard let t = token(), t.count == 1 else { return nil }
            switch t[0] {
            case UInt8(ascii: "1"): return true
            case UInt8(ascii: "0"): return false
            default: return nil
            }
        }

        mutating func enumValue<E: RawRepresentable>(_: E.Type) -> E? where E.RawValue == String {
            string().flatMap(E.init(rawValue:))
        }

        mutating func strings() -> [String]? {
            guard let n = int() else { return nil }
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                guard let s = string() else { return nil }
                out.append(s)
            }
            return out
        }

        mutating func literal() -> [UInt8]? {
            guard let t = token(), t.count % 2 == 0 else { return nil }
            // Digit value + 1 of each byte (0: not a lower-case hex digit).
            @inline(__always) func nibble(_ c: UInt8) -> UInt8 {
                c &- 0x30 < 10 ? c &- 0x2F : (c &- 0x61 < 6 ? c &- 0x56 : 0)
            }
            // (reserveCapacity and append: Array(repeating:) and unsafeUninitializedCapacity
            // both went through the unspecialized allocation path here, a third slower.)
            var out: [UInt8] = []
            out.reserveCapacity(t.count / 2)
            var i = 0
            while i < t.count {
                let hi = nibble(t[i]), lo = nibble(t[i &+ 1])
                guard hi != 0, lo != 0 else { return nil }
                out.append((hi &- 1) << 4 | (lo &- 1))
                i &+= 2
            }
            return out
        }

        /// A rule as read, its patterns by number in the pattern table.
        struct ParsedRule {
            var patterns: [Int], exceptions: [Int], attributions: [Int]
            var caseSensitive: Bool
            var make: ([Pattern], [Pattern], [Pattern]) -> Rule

            func rule(_ resolve: ([Int]) -> [Pattern]) -> Rule {
                make(resolve(patterns), resolve(exceptions), resolve(attributions))
            }
        }

        mutating func ints() -> [Int]? {
            guard let n = int(), n <= bytes.count else { return nil }
            var out: [Int] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                guard let i = int() else { return nil }
                out.append(i)
            }
            return out
        }

        mutating func rule() -> ParsedRule? {
            guard let id = string(), let category = enumValue(Category.self), let severity = enumValue(Severity.self),
                  let message = string(), let description = string(), let kind = enumValue(RuleKind.self),
                  let scope = enumValue(Scope.self), let caseSensitive = bool(), let outsideQuotes = bool(),
                  let patterns = ints(), let exceptions = ints(), let attributions = ints(),
                  let minWords = int(), let maxWords = int(), let minCapitalized = uint64(), let skipSubheads = bool()
            else { return nil }
            var score: Double? = nil
            let saveScore = at
            if let t = token(), t.count == 1, t[0] == UInt8(ascii: "-") {} else {
                at = saveScore
                guard let bits = uint64() else { return nil }
                score = Double(bitPattern: bits)
            }
            guard let thresholdBits = uint64(),
                  let triggering = strings(), let nontriggering = strings(), let file = string(), let line = int()
            else { return nil }
            var title = TitleLineOptions()
            title.minWords = minWords
            title.maxWords = maxWords
            title.minCapitalized = Double(bitPattern: minCapitalized)
            title.skipSubheads = skipSubheads
            // Prefilter data: "-" (the rule runs everywhere), or its literals (each with its
            // pattern and further-set masks), a lead per pattern, and the further sets per pattern.
            let save = at
            let data: RulePrefilterData
            if let t = token(), t.count == 1, t[0] == UInt8(ascii: "-") {
                data = RulePrefilterData(literals: nil, leads: [])
            } else {
                at = save
                guard let count = int() else { return nil }
                var literals: [RulePrefilterData.RuleLiteral] = []
                literals.reserveCapacity(count)
                for _ in 0..<count {
                    guard let l = literal(), let context = int(), context <= Int(UInt8.max), let mask = uint64(), let extraMask = uint64() else { return nil }
                    literals.append(RulePrefilterData.RuleLiteral(literal: l, context: LiteralContext(rawValue: UInt8(context)), patterns: mask, extras: extraMask))
                }
                guard let n = int(), n == patterns.count else { return nil }
                var leads: [LeadBound?] = []
                leads.reserveCapacity(n)
                for _ in 0..<n {
                    guard let hasLead = bool() else { return nil }
                    var lead: LeadBound? = nil
                    if hasLead {
                        guard let fixed = int(), let w0 = uint64(), let w1 = uint64(), let w2 = uint64(), let w3 = uint64() else { return nil }
                        lead = LeadBound(fixed: fixed, free: ByteSet(words: (w0, w1, w2, w3)))
                    }
                    leads.append(lead)
                }
                guard let e = int(), e == 0 || e == patterns.count else { return nil }
                var extras: [UInt64] = []
                extras.reserveCapacity(e)
                for _ in 0..<e {
                    guard let mask = uint64() else { return nil }
                    extras.append(mask)
                }
                data = RulePrefilterData(literals: literals, leads: leads, extras: extras)
            }
            let threshold = Double(bitPattern: thresholdBits)
            return ParsedRule(patterns: patterns, exceptions: exceptions, attributions: attributions, caseSensitive: caseSensitive) { (p: [Pattern], e: [Pattern], a: [Pattern]) -> Rule in
                Rule(id: id, category: category, severity: severity, message: message, description: description,
                     kind: kind, scope: scope, caseSensitive: caseSensitive, outsideQuotes: outsideQuotes,
                     patterns: p, exceptions: e, attributions: a,
                     titleLine: title, score: score, threshold: threshold,
                     examples: RuleExamples(triggering: triggering, nontriggering: nontriggering),
                     file: file, line: line, prefilterData: data)
            }
        }
    }
}
