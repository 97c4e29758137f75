import Foundation
import Testing
@testable import CopydeskCore
@testable import CopydeskDefaultRules
@testable import CopydeskReports
@testable import CopydeskWorkflow
import CopydeskTestSupport

/// The built-in rules read from the form worked out at build time (`RuleLoader.loadDefault()`)
/// are exactly the rules the run-time loader reads from the embedded YAML
/// (`RuleLoader.loadDefaultYAML()`): same fields, same patterns, same prefilter literals, leads
/// and anchoring, same findings. A stale or wrong precomputation fails here.
@Suite("Precompiled default rules")
struct PrecompiledRulesTests {
    static let yaml = RuleLoader.loadDefaultYAML()

    @Test func theBuildPrecompiledTheDefaultRules() throws {
        #expect(Self.yaml.errors.isEmpty)
        let data = try #require(PrecompiledDefaultRules.data, "no precompiled form: a rule file has errors")
        #expect(PrecompiledRules.decode(data) != nil)
        #expect(RuleLoader.loadDefaultPrecompiled() != nil)
    }

    /// The precompiled form in the binary is what this code writes for the rules it reads from
    /// the embedded YAML now, prefilter data worked out by `Prefilter` at start-up included.
    @Test func precompiledFormIsWhatTheRunTimePathGives() throws {
        let data = try #require(PrecompiledDefaultRules.data)
        let fresh = PrecompiledRules.encode(Self.yaml.ruleSet.rules, categories: Self.yaml.categories)
        #expect(fresh == data)
        // And reading it back writes it again unchanged.
        let decoded = try #require(PrecompiledRules.decode(data))
        #expect(PrecompiledRules.encode(decoded.ruleSet.rules, categories: decoded.categories) == data)
        #expect(decoded.categories == Self.yaml.categories)
    }

    /// Field by field, so a difference is easy to read.
    @Test func sameRulesPatternsAndPrefilterData() throws {
        let pre = try #require(RuleLoader.loadDefaultPrecompiled()).ruleSet.rules
        let run = Self.yaml.ruleSet.rules
        #expect(pre.count == run.count)
        #expect(pre.count > 50)
        for (a, b) in zip(pre, run) {
            #expect(a.id == b.id)
            #expect(a.category == b.category && a.severity == b.severity && a.kind == b.kind && a.scope == b.scope, "\(a.id)")
            #expect(a.message == b.message && a.description == b.description, "\(a.id)")
            #expect(a.caseSensitive == b.caseSensitive && a.outsideQuotes == b.outsideQuotes, "\(a.id)")
            #expect(a.titleLine == b.titleLine && a.examples == b.examples, "\(a.id)")
            #expect(a.score == b.score && a.threshold == b.threshold, "\(a.id): score and threshold")
            #expect(a.file == b.file && a.line == b.line, "\(a.id)")
            for (x, y) in [(a.patterns, b.patterns), (a.exceptions, b.exceptions), (a.attributions, b.attributions)] {
                #expect(x.map(\.source) == y.map(\.source), "\(a.id)")
                #expect(x.allSatisfy { $0.caseSensitive == a.caseSensitive }, "\(a.id)")
            }
            #expect(b.prefilterData == nil)
            #expect(a.prefilterData == RulePrefilterData.of(b), "\(a.id): prefilter data")
        }
        // The prefilter built on either set: same filtered rules, literals and leads.
        let p = Prefilter(rules: pre), q = Prefilter(rules: run)
        #expect(p.isFiltered == q.isFiltered)
        #expect(p.isFiltered.filter { $0 }.count > 50)
        for r in run.indices {
            #expect(p.literals(ofRule: r) == q.literals(ofRule: r), "\(run[r].id): literals")
            #expect(p.patternLeads[r] == q.patternLeads[r], "\(run[r].id): leads")
            #expect(p.patternExtras[r] == q.patternExtras[r], "\(run[r].id): further required sets")
            #expect(p.extraLiterals(ofRule: r) == q.extraLiterals(ofRule: r), "\(run[r].id): further literals")
        }
        #expect(p.literalLength == q.literalLength)
    }

    /// The further required sets (conjunctions) are carried by the precompiled form: the
    /// attribution rules have some, and a form without them (stale: written before they were
    /// derived) or with a wrong one is told apart from what the run-time path gives.
    @Test func furtherRequiredSetsAreCarried() throws {
        let pre = try #require(RuleLoader.loadDefaultPrecompiled()).ruleSet.rules
        let withExtras = pre.filter { !($0.prefilterData?.extras.isEmpty ?? true) }
        #expect(withExtras.count >= 3)
        #expect(withExtras.contains { $0.id.hasPrefix("attribution.") })
        for rule in withExtras {
            let data = try #require(rule.prefilterData)
            #expect(data.extras.count == rule.patterns.count, "\(rule.id)")
            #expect(data.literals?.contains { $0.extras != 0 } == true, "\(rule.id)")
            var stale = data
            stale.extras = []
            stale.literals = stale.literals?.filter { $0.patterns != 0 }.map { var l = $0; l.extras = 0; return l }
            #expect(stale != data, "\(rule.id)")
            var wrong = data
            wrong.extras = data.extras.map { $0 == 0 ? 1 : 0 }
            #expect(wrong != data, "\(rule.id)")
            // And the encoded form round-trips them exactly.
            let decoded = try #require(PrecompiledRules.decode(PrecompiledRules.encode([rule])))
            #expect(decoded.ruleSet.rules.first?.prefilterData == data, "\(rule.id)")
        }
        // A precompiled form of the previous version (no further-set fields) is not read.
        let data = try #require(PrecompiledDefaultRules.data)
        #expect(PrecompiledRules.decode(data.replacingOccurrences(of: PrecompiledRules.magic, with: "copydesk-precompiled-rules 1")) == nil)
    }

    /// One compiled pattern per (source, case): rules that share a pattern share the object, as
    /// with `Pattern.shared`.
    @Test func sharedPatternsAreSharedObjects() throws {
        let pre = try #require(RuleLoader.loadDefaultPrecompiled()).ruleSet.rules
        var seen: [String: ObjectIdentifier] = [:]
        for rule in pre {
            for p in rule.patterns + rule.exceptions + rule.attributions {
                let key = (p.caseSensitive ? "1" : "0") + p.source
                if let known = seen[key] { #expect(known == ObjectIdentifier(p), "\(rule.id): \(p.source)") }
                seen[key] = ObjectIdentifier(p)
            }
        }
    }

    /// The embedded files are the package's Rules/*.yml as they are now (the build is not stale).
    @Test func embeddedFilesAreTheRulesFolder() throws {
        let dir = packageRoot.appendingPathComponent("Rules")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }
        #expect(Set(names) == Set(EmbeddedRules.files.map(\.name)))
        for file in EmbeddedRules.files {
            let onDisk = try Data(contentsOf: dir.appendingPathComponent(file.name))
            #expect(Data(base64Encoded: file.base64) == onDisk, "\(file.name) changed since the build")
        }
    }

    /// Linting with either gives the same reports (real article excerpts and every example).
    @Test func sameFindings() throws {
        let pre = try #require(RuleLoader.loadDefaultPrecompiled()).ruleSet
        let path = packageRoot.appendingPathComponent(SpeedEquivalenceTests.sample).path
        let a = LintRunner.run(paths: [path], linter: Linter(ruleSet: pre))
        let b = LintRunner.run(paths: [path], linter: Linter(ruleSet: Self.yaml.ruleSet))
        #expect(a.findingCount > 20)
        let json = ReportFormat.json.reporter
        #expect(json.render(a, context: ReportContext()) == json.render(b, context: ReportContext()))
        let examples = pre.rules.flatMap { $0.examples.triggering + $0.examples.nontriggering }
            .map { $0.replacingOccurrences(of: "«", with: "").replacingOccurrences(of: "»", with: "") }
        let text = examples.joined(separator: "\n\n") + "\n"
        let x = Linter(ruleSet: pre).lint(Document(path: "x", string: text, format: .text), scratch: MatchScratch())
        let y = Linter(ruleSet: Self.yaml.ruleSet).lint(Document(path: "x", string: text, format: .text), scratch: MatchScratch())
        #expect(x == y)
        #expect(x.findings.count > 100)
    }

    @Test func damagedFormsAreRejected() throws {
        let data = try #require(PrecompiledDefaultRules.data)
        #expect(PrecompiledRules.decode("") == nil)
        #expect(PrecompiledRules.decode(String(data.dropLast(3))) == nil)
        #expect(PrecompiledRules.decode(data + "1:x") == nil)
        #expect(PrecompiledRules.decode(data.replacingOccurrences(of: PrecompiledRules.magic, with: "copydesk-precompiled-rules 0")) == nil)
    }

    /// A deferred pattern compiles on first use; one that does not compile (only possible with a
    /// different PCRE2 at run time) makes matching fail with an error, never a silent skip, and
    /// `Pattern.shared` reports its compile error.
    @Test func deferredPatterns() throws {
        let good = Pattern.shared(deferred: #"\bdeferred[-\s]test\b"#)
        let bytes = Array("a deferred test here".utf8)
        var found: [Range<Int>] = []
        try bytes.withUnsafeBufferPointer { buf in
            try good.forEachMatch(in: buf, range: 0..<buf.count, scratch: MatchScratch()) { found.append($0.range); return true }
        }
        #expect(found == [2..<15])
        #expect(good.captureCount == 0 && !good.canMatchEmpty)
        #expect(try Pattern.shared(#"\bdeferred[-\s]test\b"#) === good)

        let bad = Pattern.shared(deferred: "deferred (unclosed")
        #expect(throws: MatchLimitError.self) {
            try bytes.withUnsafeBufferPointer { buf in
                try bad.forEachMatch(in: buf, range: 0..<buf.count, scratch: MatchScratch()) { _ in true }
            }
        }
        #expect(throws: PatternCompileError.self) { try Pattern.shared("deferred (unclosed") }
    }

    /// The built-in patterns' code is compiled at build time and serialized (pcre2_serialize):
    /// decoded, it is the code compiling the source gives, byte for byte.
    @Test func serializedCodeIsTheCompiledCode() throws {
        let data = try #require(PrecompiledDefaultRules.data)
        #expect(data.contains(Pattern.libraryStamp))
        let pre = try #require(RuleLoader.loadDefaultPrecompiled()).ruleSet.rules
        var checked = 0
        for rule in pre {
            for p in rule.patterns + rule.exceptions + rule.attributions {
                let code = try #require(Pattern.serializedCode(p.source, caseSensitive: p.caseSensitive), "\(rule.id)")
                let options = Pattern.options(caseSensitive: p.caseSensitive)
                let decoded = try #require(Pattern.deserialize(code, options: options), "\(rule.id)")
                let compiled = try Pattern.compile(p.source, options).get()
                // (The decoded code owns its tables, a flag serializing it again shows.)
                #expect(Pattern.serialize(compiled) == code, "\(rule.id): \(p.source)")
                #expect(Pattern.firstBytes(decoded, caseless: !p.caseSensitive) == Pattern.firstBytes(compiled, caseless: !p.caseSensitive), "\(rule.id)")
                Pattern.free(decoded)
                Pattern.free(compiled)
                checked += 1
            }
        }
        #expect(checked > 300)
        // Other options than the code was compiled with, or bytes that are not serialized code:
        // nothing (the source is compiled instead).
        let code = try #require(Pattern.serializedCode("serialized", caseSensitive: false))
        #expect(Pattern.deserialize(code, options: Pattern.options(caseSensitive: true)) == nil)
        #expect(Pattern.deserialize(Array(repeating: 7, count: 64), options: Pattern.options(caseSensitive: false)) == nil)
        #expect(Pattern.deserialize([], options: Pattern.options(caseSensitive: false)) == nil)
    }

    /// Under another PCRE2 (another stamp), or with code PCRE2 refuses, the patterns compile from
    /// their source and find the same.
    @Test func otherLibraryOrBadCodeCompilesTheSource() throws {
        let data = try #require(PrecompiledDefaultRules.data)
        let stamp = Pattern.libraryStamp
        let other = data.replacingOccurrences(of: "\(stamp.utf8.count):\(stamp)", with: "9:PCRE2 0.0")
        #expect(other != data)
        let decoded = try #require(PrecompiledRules.decode(other))
        #expect(PrecompiledRules.encode(decoded.ruleSet.rules, categories: decoded.categories) == data)
        let source = #"\bserialized[-\s]fallback\b"#
        let bad = Pattern.shared(deferred: source, caseSensitive: false, code: { Array(repeating: 1, count: 100) }, references: 1)
        let bytes = Array("a serialized fallback here".utf8)
        var found: [Range<Int>] = []
        try bytes.withUnsafeBufferPointer { buf in
            try bad.forEachMatch(in: buf, range: 0..<buf.count, scratch: MatchScratch()) { found.append($0.range); return true }
        }
        #expect(found == [2..<21])
    }

    @Test func base64RoundTrips() {
        for n in 0..<10 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 200) }
            let text = Array(PrecompiledRules.base64(bytes).utf8)
            #expect(text.withUnsafeBufferPointer { PrecompiledRules.unbase64($0) } == bytes)
            #expect(String(decoding: text, as: UTF8.self) == Data(bytes).base64EncodedString())
        }
        for bad in ["QUJ", "QU=D", "Q===", "QUJD!A==", "=AAA"] {
            #expect(Array(bad.utf8).withUnsafeBufferPointer { PrecompiledRules.unbase64($0) } == nil, "\(bad)")
        }
    }
}
