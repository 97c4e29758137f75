import Foundation
import Testing
@testable import CopydeskCore
import CopydeskDefaultRules
@testable import CopydeskReports

/// The prefilter must never change a finding: its literal analysis must be sound for every
/// pattern, its scanner must find every occurrence, and anchored tries near occurrences must
/// find exactly what a whole-unit search finds.
@Suite("Prefilter")
struct PrefilterTests {
    func literals(_ pattern: String) -> Set<String>? {
        PrefilterLiterals.analyze(pattern).map { Set($0.literals.map { String(decoding: PrefilterLiterals.split($0).content, as: UTF8.self) }) }
    }

    /// Every required set of the analysis, primary first, as plain strings.
    func requiredSets(_ pattern: String) -> [Set<String>]? {
        guard let a = PrefilterLiterals.analyze(pattern) else { return nil }
        return ([a.literals] + a.extras).map { Set($0.map { String(decoding: PrefilterLiterals.split($0).content, as: UTF8.self) }) }
    }

    /// Sets of the pattern's conjunction (primary and further sets) holding `word`.
    func sets(_ pattern: String, holding word: String) -> [Set<String>] {
        (requiredSets(pattern) ?? []).filter { $0.contains(word) }
    }

    /// A second required set is derived where a pattern is a sequence of parts that each
    /// require one, and never where a part may be absent.
    @Test func conjunctionOfRequiredSets() throws {
        // Both parts are required: {some, many} and {say, believe}.
        let both = try #require(requiredSets(#"\b(?:some|many)\s+(?:\w+\s+)?(?:say|believe)"#))
        #expect(both.count == 2)
        #expect(Set(both) == [["some", "many"], ["say", "believe"]])
        // Three mandatory parts: the primary and at most `maxExtras` more, all of them required.
        let three = try #require(requiredSets(#"\bit\s+is\s+(?:widely\s+)?(?:believed|thought)\s+that\b"#))
        #expect(three.count >= 2 && three.count <= 1 + PrefilterLiterals.maxExtras)
        for set in three { #expect([["it"], ["is"], ["believed", "thought"], ["that"]].contains(set), "\(set)") }
        #expect(sets(#"\bit\s+is\s+(?:widely\s+)?(?:believed|thought)\s+that\b"#, holding: "widely").isEmpty)
        // Inside a group repeated at least once: still required.
        #expect(sets(#"\bsome(?:\s+promotion){1,3}\s+code"#, holding: "promotion") == [["promotion"]])
        // A positive lookahead's text is in the unit: its literal counts.
        #expect(sets(#"\bsome(?=\s+\w+\s+pundits)"#, holding: "pundits") == [["pundits"]])
        #expect(sets(#"\bsome(?=\s+\w+\s+pundits)"#, holding: "some") == [["some"]])
    }

    @Test func noConjunctWhereAPartMayBeAbsent() {
        let cases: [(String, String)] = [
            (#"\bsome\s+(?:pundits\s+)?say"#, "pundits"),                 // optional group
            (#"\bsome\s+(?:say|pundits\s+believe)"#, "pundits"),        // a branch lacks it
            (#"\bsome\s+(?:say|pundits\s+believe)"#, "believe"),
            (#"\bsome(?:\s+pundits){0,2}\s+say"#, "pundits"),           // {0,n}
            (#"\bsome(?:\s+pundits)*\s+say"#, "pundits"),               // *
            (#"\bsome(?:\s+pundits){,2}\s+say"#, "pundits"),            // {,n}
            (#"(?<=\bpundits\s)say\s+that\s+\w+\s+believe"#, "pundits"), // lookbehind
            (#"(?<!\bpundits\s)say\s+that\s+\w+\s+believe"#, "pundits"), // negative lookbehind
            (#"\bsome(?!\s+pundits)\s+people\s+believe"#, "pundits"),   // negative lookahead
            (#"\bsome\s+pundits\s+say|\bmany\s+believe"#, "pundits"),  // top-level alternation
            (#"\bsome\s+pundits\s+say|\bmany\s+believe"#, "some"),
            (#"(?:\bsome\s+pundits)?\s+say\s+promotion"#, "some"),
        ]
        for (p, word) in cases {
            let only = Set([word])
            #expect(PrefilterLiterals.analyze(p)?.extras.contains { Set($0.map { String(decoding: PrefilterLiterals.content($0), as: UTF8.self) }) == only } != true, "\(p): \(word)")
            // (A lookbehind's text is in the unit: the primary set may come from it, as before.)
            if !p.hasPrefix("(?<=") { #expect(requiredSets(p)?.contains(only) != true, "\(p): \(word)") }
        }
        // Cased non-ASCII letters are unknown text, never part of a literal.
        #expect(requiredSets(#"\bsome\s+péople\s+say"#)?.allSatisfy { $0.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) } } == true)
        // Sets hitting about every sentence are not worth a further check.
        #expect(PrefilterLiterals.analyze(#"\bpromotion\s+the\s+code"#)?.extras.contains { $0.map(PrefilterLiterals.content) == [Array("the".utf8)] } == false)
    }

    @Test func literalsOfPlainAlternativesAndRuns() {
        #expect(literals(#"\bpromo\s+code\b"#).map { !$0.isEmpty && $0.isSubset(of: ["promo", "code"]) } == true)
        #expect(literals("colou?r") == ["color", "colour"])
        #expect(literals(#"\b(?:our|this)\s+(?:reader|quick|daily|weekly)\s+(?:poll|survey)\b"#)?.isSubset(of: ["our", "this", "reader", "quick", "daily", "weekly", "poll", "survey"]) == true)
        // Case is folded; a literal is lowercase ASCII.
        #expect(literals("(?-i:ADVERTISEMENT)") == ["advertisement"])
        // “ ” ’ © have no case variants and can be literal; é has one and cannot.
        #expect(literals("©\\s*20") != nil)
        #expect(literals("é") == nil)
    }

    @Test func nothingToRequireMeansNoLiterals() {
        for p in [#"\w+"#, "a|", "(?:foo)?", "x*", ".", #"[a-z]+"#, #"\d{4}"#, "(?:a|bc)", "k", #"(\w)\1"#] {
            #expect(literals(p) == nil, "\(p)")
        }
    }

    @Test func unsupportedSyntaxGivesUp() {
        // Extended mode, comments, verbs, conditionals, callouts, a lone \E: not understood, so no literals.
        for p in ["(?x) foo bar", "foo(?#note)*bar", "(*SKIP)foobar", "(?(1)foo|bar)baz", "foo(?C1)bar", #"foo\E*bar"#, "(*ACCEPT)foo"] {
            #expect(literals(p) == nil, "\(p)")
        }
    }

    @Test func leadIsBoundedOnlyWhenThePrefixIs() throws {
        #expect(PrefilterLiterals.analyze(#"\bsave\s+\d+%"#)?.lead == .zero)
        // Up to three characters of up to 4 bytes each before the literal.
        #expect(PrefilterLiterals.analyze(#"\d{2,3}promotion"#)?.lead?.fixed == 12)
        // Any number of word characters: a walk back over them, not a fixed count.
        let word = try #require(PrefilterLiterals.analyze(#"\w+-promo"#)?.lead)
        let text = Array("say 15x-promo now".utf8)
        text.withUnsafeBufferPointer { #expect(word.earliestStart($0, before: 7, floor: 0) == 4) }
        // A repeated group is not one character class: unbounded.
        #expect(PrefilterLiterals.analyze(#"(?:ab)+promo"#)?.lead == nil)
        // \G ties a match to the search start: no anchored tries elsewhere.
        #expect(PrefilterLiterals.analyze(#"\Gpromo"#)?.lead == nil)
    }

    /// `rules list --format json` shows each rule's prefilter literals, and none for a rule
    /// that runs everywhere.
    @Test func ruleListingShowsPrefilterLiterals() throws {
        let yaml = """
        rules:
          - id: ads.promo
            category: ads
            severity: error
            message: m
            description: d
            kind: existence
            scope: line
            patterns: ['\\bpromo\\s+code\\b']
          - id: ads.anything
            category: ads
            severity: error
            message: m
            description: d
            kind: existence
            scope: line
            patterns: ['\\w+\\d']
        """
        let loaded = RuleLoader.load(files: [(name: "t.yml", contents: yaml)])
        #expect(loaded.errors.isEmpty)
        let json = try JSONSerialization.jsonObject(with: Data(RuleListing.render(loaded.ruleSet, format: .json).utf8)) as? [String: Any]
        let rules = try #require(json?["rules"] as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: rules.map { ($0["id"] as? String ?? "", $0) })
        let promo = try #require(byID["ads.promo"]?["prefilter"] as? [String])
        #expect(promo.contains { $0.contains("promo") || $0.contains("code") })
        #expect(byID["ads.anything"]?["prefilter"] == nil)
    }

    /// Caseless ASCII letters match exactly two non-ASCII scalars; documents holding them are
    /// not prefiltered. This pins that list to the linked PCRE2.
    @Test func poisonListIsComplete() throws {
        var subject = ""
        for v in UInt32(0x80)...0x10FFFF { if let s = Unicode.Scalar(v) { subject.unicodeScalars.append(s) } }
        let bytes = Array(subject.utf8)
        let p = try Pattern(#"[\x{00}-\x{7f}]"#)   // caseless: every ASCII character and its case variants
        var found = Set<String>()
        try bytes.withUnsafeBufferPointer { buf in
            try p.forEachMatch(in: buf, range: 0..<buf.count, scratch: MatchScratch()) { m in
                found.insert(String(decoding: buf[m.range], as: UTF8.self)); return true
            }
        }
        #expect(found == Set(PrefilterScanner.poison.map { String(decoding: $0, as: UTF8.self) }))
    }

    /// Every non-ASCII character the default rules use as a literal matches only itself.
    @Test func nonASCIILiteralCharactersHaveNoCaseVariants() throws {
        var chars = Set<Unicode.Scalar>()
        for rule in RuleLoader.loadDefault().ruleSet.rules {
            for p in rule.patterns {
                for lit in PrefilterLiterals.analyze(p.source)?.literals ?? [] {
                    let s = String(decoding: PrefilterLiterals.split(lit).content, as: UTF8.self)
                    chars.formUnion(s.unicodeScalars.filter { $0.value >= 0x80 })
                }
            }
        }
        var all = ""
        for v in UInt32(0x20)...0x2FFFF { if let s = Unicode.Scalar(v) { all.unicodeScalars.append(s) } }
        let bytes = Array(all.utf8)
        for c in chars {
            let p = try Pattern(String(c).unicodeScalars.map { String(format: "\\x{%X}", $0.value) }.joined())
            var count = 0
            try bytes.withUnsafeBufferPointer { buf in
                try p.forEachMatch(in: buf, range: 0..<buf.count, scratch: MatchScratch()) { _ in count += 1; return true }
            }
            #expect(count == 1, "U+\(String(c.value, radix: 16)) matches \(count) characters caselessly")
        }
    }

    /// The scanner finds exactly the occurrences a naive search finds, in every lane.
    @Test func scannerFindsEveryOccurrence() {
        var rng = SplitMix(seed: 7)
        let alphabet = Array("abcAB -.’é".utf8)
        for round in 0..<40 {
            let literals = (0..<(1 + rng.next(12))).map { _ in (0..<(1 + rng.next(5))).map { _ in alphabet[rng.next(alphabet.count)] } }
            let unique = Array(Set(literals.map { $0.map { PrefilterScanner.foldByte($0) } }))
            let scanner = PrefilterScanner(literals: unique)
            let length = round % 2 == 0 ? rng.next(200) : 1200 + rng.next(3000)
            let text = (0..<length).map { _ in alphabet[rng.next(alphabet.count)] }
            var got: [UInt64] = [], lanes: [[UInt64]] = []
            text.withUnsafeBufferPointer { scanner.scan($0, into: &got, lanes: &lanes) }
            var want: [UInt64] = []
            for end in 1...max(1, text.count) where end <= text.count {
                for (id, lit) in unique.enumerated() where lit.count <= end {
                    let slice = text[(end - lit.count)..<end].map { PrefilterScanner.foldByte($0) }
                    if slice == lit { want.append(UInt64(end) << 32 | UInt64(id)) }
                }
            }
            #expect(got.sorted() == want.sorted(), "round \(round)")
            #expect(got.map { $0 >> 32 } == got.map { $0 >> 32 }.sorted(), "occurrences come in order of end")
        }
    }

    /// Patterns (the default rules' and tricky ones) as one-pattern rules over texts made of
    /// rule examples: the same findings with the prefilter (and anchored tries) on and off.
    @Test func sameMatchesWithAndWithoutPrefilter() throws {
        let defaults = RuleLoader.loadDefault().ruleSet.rules
        var sources = Set(defaults.flatMap { $0.patterns.map(\.source) })
        sources.formUnion([
            #"\bsave\s+(?:up\s+to\s+)?\d+\s?%"#, #"(?:^|(?<=[.!?]\s))\W*\Kshare\s+this\b"#, #"\bpin\b"#, #"(?-i:[A-Z]{2,})\s+code"#,
            #"\s+promo"#, #"promo\s+"#, #"[“"]\s*sign\s+up"#, #"e-?mail\s+alerts?"#, #"(?<=\bto\s)vote"#, #"ab\Kcd"#,
            #"\bk\w+ing\b"#, #"so\s*\Kme"#, #"(?i:STORY)\s+continues"#, "©", #"\(c\)\s*\d{4}"#, #"\d+\s?%\s+off\b"#,
            // Lookarounds: their text is in the unit, not always in the match.
            #"^(?=.*\bsubscribe\b)\W*\w+"#, #"(?<=\bnews)letter"#, #"\bsave(?=[^.]*\bpromo\b)"#, #"(?<!\bno\s)code"#,
            // Conjunctions: a further required set, and parts that are not required.
            #"\b(?:some|many)\s+(?:\w+\s+)?(?:say|believe)"#, #"\bsome\s+(?:pundits\s+)?say"#, #"\bsome\s+(?:say|pundits\s+believe)"#,
            #"\bsome(?:\s+pundits){0,2}\s+say"#, #"(?<=\bpundits\s)say\s+that\s+\w+\s+believe"#, #"\bsome(?=\s+\w+\s+pundits)"#,
            #"\bit\s+is\s+(?:widely\s+)?(?:believed|thought)\s+that\b"#, #"\bsome(?:\s+promo){1,3}\s+code"#,
        ])
        var texts = defaults.flatMap { $0.examples.triggering + $0.examples.nontriggering }
            .map { $0.replacingOccurrences(of: "«", with: "").replacingOccurrences(of: "»", with: "") }
        texts += ["Get it. Subscribe today", "newsletter NEWSLETTER news letter", "Save now with promo code; save. promo", "no code, a code",
                  "Share this story. Share this: now!", "PROMO code SAVE20 and promo  code", "opinion spin pin-up pin", "Save up to 40% off today.",
                  "“Sign up for alerts,” she said. E-mail alerts!", "It’s time to vote. Go to vote.", "abcd xabcd", "KELVIN \u{212A}eeping", "some\tme so me",
                  "© 2020 Copyright (c) 2019 All Rights Reserved", "Story continues below", "\u{017F}ave 10% off",
                  "Some say so. Many people believe it. Some pundits say. Some say. Some pundits believe. Some\nsay. some: say",
                  "pundits say that it will believe. It is widely believed that. It is thought that. It is. That believed.",
                  "Some promo promo code. some code. Some famous pundits. Some pundits. Many believe; some say."]
        let doc = texts.joined(separator: "\n\n") + "\n" + texts.joined(separator: " ") + "\n"
        var rules: [Rule] = []
        for (i, src) in sources.sorted().enumerated() {
            guard let p = try? Pattern(src), !p.canMatchEmpty else { continue }
            for scope in [Scope.line, .sentence, .paragraph] {
                rules.append(Rule(id: "ads.p\(i)-\(scope.rawValue)", category: .ads, severity: .info, message: "{match}", description: "",
                                  kind: .existence, scope: scope, patterns: [p]))
            }
        }
        let set = RuleSet(rules)
        let on = Linter(ruleSet: set), off = Linter(ruleSet: set, prefilter: false)
        // The per-rule time budget is the one limit that depends on the machine, not the text: a
        // loaded machine (the whole suite in parallel) must not make one side hit it.
        let limits = MatchLimits(ruleSeconds: 600)
        for (name, text) in [("plain", doc), ("upper", doc.uppercased()), ("poisoned", doc + "\u{212A}")] {
            let a = on.lint(Document(path: name, string: text, format: .text), scratch: MatchScratch(limits: limits))
            let b = off.lint(Document(path: name, string: text, format: .text), scratch: MatchScratch(limits: limits))
            #expect(a.errors.isEmpty && b.errors.isEmpty, "\(name): \(a.errors) / \(b.errors)")
            #expect(a.findings.count > 50)
            #expect(a == b, "\(name): \(a.findings.count) vs \(b.findings.count) findings")
        }
    }
}

/// A small deterministic random number generator for tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}
