import Foundation
import Testing
@testable import CopydeskCore

/// Rule files written by someone careless or hostile: patterns that backtrack forever, blow the
/// JIT stack or do not compile, and files that are not valid rule files at all.
enum HostileKit {
    static func rule(_ id: String = "ads.hostile", scope: String = "line", kind: String = "existence", patterns: [String],
                     extra: String = "") -> String {
        """
        rules:
          - id: \(id)
            category: \(id.split(separator: ".").first!)
            severity: error
            message: "Hostile rule matched"
            description: A rule under test.
            kind: \(kind)
            scope: \(scope)
            patterns:
        \(patterns.map { "      - '\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: "\n"))
        \(extra)
        """
    }

    static func load(_ yaml: String, name: String = "hostile.yml") -> RuleLoader.Result {
        RuleLoader.load(files: [(name: name, contents: yaml)])
    }

    static func linter(_ yaml: String) throws -> Linter {
        let loaded = load(yaml)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        return Linter(ruleSet: loaded.ruleSet)
    }

    /// An article where every scope holds `evil`: front-matter title (headline), a heading, a
    /// standalone paragraph (paragraph, line, standalone line, sentence) and a quotation.
    static func article(_ evil: String) -> Document {
        Document(path: "evil.md", string: """
            ---
            title: \(evil)
            ---

            ## \(evil)

            \(evil)

            The mayor said "\(evil)" and left.

            """, format: .markdown)
    }

    /// The error the linter reported for `rule`, if any.
    static func error(_ report: FileReport, rule: String) -> FileError? {
        report.errors.first { $0.message.hasPrefix("rule \(rule):") }
    }
}

@Suite("Hostile and broken rules", .timeLimit(.minutes(2)))
struct HostileRuleTests {
    static let catastrophic = [
        #"(a+)+$"#, #"(a|aa)+$"#, #"(a|a)*b"#, #"(\w+\s?)+$"#, #"(?:a*)*b"#, #"((a+)*)+c"#, #"(.*a){25}$"#,
    ]

    /// Each catastrophic pattern, on each scope, comes back with a named error (the rule, the
    /// file, the limit) instead of hanging; other rules still report their findings.
    @Test(arguments: Scope.allCases)
    func catastrophicPatternsAreBoundedOnEveryScope(_ scope: Scope) throws {
        // The characters a pattern requires (b, c) appear after the run, so PCRE2's
        // required-character check cannot rule the match out before backtracking.
        let evil = String(repeating: "a", count: 40) + "!bc"
        for pattern in Self.catastrophic {
            let yaml = HostileKit.rule(scope: scope.rawValue, patterns: [pattern]) + """

                  - id: boilerplate.normal
                    category: boilerplate
                    severity: info
                    message: "normal"
                    description: A normal rule.
                    kind: existence
                    scope: line
                    patterns: ['\\bmayor said\\b']
                """
            let linter = try HostileKit.linter(yaml)
            let clock = ContinuousClock()
            var report: FileReport!
            let took = clock.measure { report = linter.lint(HostileKit.article(evil), scratch: MatchScratch()) }
            let e = try #require(HostileKit.error(report, rule: "ads.hostile"), "\(pattern) on \(scope): no error")
            #expect(e.path == "evil.md")
            #expect(e.message.contains("limit exceeded"), "\(e.message)")
            #expect(report.findings.map(\.rule) == ["boilerplate.normal"], "\(pattern) on \(scope): other rules must still run")
            // Not a speed measurement: a guard that the limit stops the search (unbounded would be hours).
            #expect(took < .seconds(30), "\(pattern) on \(scope) took \(took)")
        }
    }

    /// A pattern that stays under the match limit in each unit but runs in thousands of units is
    /// stopped by the per-rule time budget.
    @Test func manyUnitsUnderTheMatchLimitHitTheTimeBudget() throws {
        let linter = try HostileKit.linter(HostileKit.rule(patterns: [#"(a+)+$"#]))
        let unit = String(repeating: "a", count: 17) + "!\n\n"
        let doc = Document(path: "many.txt", string: "Title\n\n" + String(repeating: unit, count: 20_000), format: .text)
        var limits = MatchLimits()
        limits.ruleSeconds = 0.2
        limits.ruleSecondsPerMiB = 0
        let report = linter.lint(doc, scratch: MatchScratch(limits: limits))
        let e = try #require(HostileKit.error(report, rule: "ads.hostile"))
        #expect(e.message.contains("time limit exceeded"), "\(e.message)")
    }

    /// The JIT stack is bounded (1 MiB); a match that needs more falls back to the interpreter,
    /// which either finds it (given room) or stops at its own limit with a named error.
    @Test func jitStackLimitFallsBackToTheInterpreter() throws {
        let p = try Pattern(#"(?:(a)|b)+$"#)
        let subject = Array(String(repeating: "ab", count: 500_000).utf8)
        // Default limits: the interpreter's depth limit stops it with a named error.
        let tight = MatchScratch()
        #expect(throws: MatchLimitError.self) {
            try subject.withUnsafeBufferPointer { buf in
                _ = try p.matches(in: buf, range: 0..<buf.count, scratch: tight)
            }
        }
        // Generous interpreter limits: the fallback finds the match the JIT could not.
        let roomy = MatchScratch(limits: MatchLimits(matchLimit: 100_000_000, depthLimit: 100_000_000, heapLimitKiB: 4_000_000))
        var found: Range<Int>? = nil
        try subject.withUnsafeBufferPointer { buf in
            try p.forEachMatch(in: buf, range: 0..<buf.count, scratch: roomy) { m in found = m.range; return false }
        }
        #expect(found == 0..<subject.count)
        // Through the linter: an error naming the rule, never a crash.
        let linter = try HostileKit.linter(HostileKit.rule(patterns: [#"(?:(a)|b)+$"#]))
        let report = linter.lint(Document(path: "ab.txt", bytes: Array("T\n\n".utf8) + subject, format: .text), scratch: MatchScratch())
        #expect(HostileKit.error(report, rule: "ads.hostile")?.message.contains("limit exceeded") == true)
    }

    @Test func hugeAlternations() throws {
        // Too big to compile: a load error naming the file, line and rule, with the pattern shortened.
        let words = (0..<100_000).map { "w\($0)x" }
        let huge = HostileKit.load(HostileKit.rule(patterns: [#"\b(?:"# + words.joined(separator: "|") + #")\b"#]))
        let e = try #require(huge.errors.first)
        #expect(e.file == "hostile.yml" && e.line == 10 && e.ruleID == "ads.hostile")
        #expect(e.message.contains("regular expression is too large"), "\(e.message)")
        #expect(e.message.utf8.count < 400, "the message must not quote a megabyte of pattern")
        // Big but legal: compiles and matches quickly.
        let linter = try HostileKit.linter(HostileKit.rule(patterns: [#"\b(?:"# + words.prefix(3_000).joined(separator: "|") + #")\b"#]))
        let report = linter.lint(Document(path: "a.txt", string: "Title\n\nSome w2999x text.\n", format: .text), scratch: MatchScratch())
        #expect(report.errors.isEmpty)
        #expect(report.findings.map(\.match) == ["w2999x"])
    }

    // MARK: broken rule files: every error names the file, the line and (when known) the rule

    struct Broken: Sendable, CustomStringConvertible {
        var name: String
        var yaml: String
        var line: Int?
        var ruleID: String?
        var message: String
        var description: String { name }
    }

    static let broken: [Broken] = [
        Broken(name: "bad YAML", yaml: "rules:\n  - id: ads.x\n    message: \"unclosed\n", line: 4, ruleID: nil, message: "invalid YAML"),
        Broken(name: "tab indentation", yaml: "rules:\n\t- id: ads.x\n", line: 2, ruleID: nil, message: "invalid YAML"),
        Broken(name: "top level is a list", yaml: "- id: ads.x\n", line: 1, ruleID: nil, message: "expected a mapping with a 'rules' list"),
        Broken(name: "rules is a string", yaml: "rules: none\n", line: 1, ruleID: nil, message: "'rules' must be a list"),
        Broken(name: "rule is a string", yaml: "rules:\n  - ads.x\n", line: 2, ruleID: nil, message: "each rule must be a mapping"),
        Broken(name: "wrong type: patterns", yaml: HostileKit.rule(patterns: []).replacingOccurrences(of: "    patterns:\n", with: "    patterns: '\\bx\\b'\n"),
               line: 9, ruleID: "ads.hostile", message: "'patterns' must be a list of strings"),
        Broken(name: "wrong type: severity", yaml: HostileKit.rule(patterns: ["x"]).replacingOccurrences(of: "severity: error", with: "severity: [error]"),
               line: 4, ruleID: "ads.hostile", message: "'severity' must be a string"),
        Broken(name: "bad enum", yaml: HostileKit.rule(patterns: ["x"]).replacingOccurrences(of: "scope: line", with: "scope: page"),
               line: 8, ruleID: "ads.hostile", message: "bad scope 'page'"),
        Broken(name: "wrong type: bool", yaml: HostileKit.rule(patterns: ["x"], extra: "    case-sensitive: maybe"),
               line: 11, ruleID: "ads.hostile", message: "'case-sensitive' must be true or false"),
        Broken(name: "unknown key", yaml: HostileKit.rule(patterns: ["x"], extra: "    patern: y"),
               line: 11, ruleID: "ads.hostile", message: "unknown key 'patern'"),
        Broken(name: "bad regex", yaml: HostileKit.rule(patterns: ["ok", "(unclosed"]),
               line: 11, ruleID: "ads.hostile", message: "bad pattern in 'patterns': missing closing parenthesis at offset 9"),
        Broken(name: "empty pattern", yaml: HostileKit.rule(patterns: [""]),
               line: 10, ruleID: "ads.hostile", message: "empty pattern in 'patterns'"),
        Broken(name: "pattern matching the empty string", yaml: HostileKit.rule(patterns: ["x", "(?:ad)?"]),
               line: 11, ruleID: "ads.hostile", message: "can match the empty string"),
        Broken(name: "missing id", yaml: HostileKit.rule(patterns: ["x"]).replacingOccurrences(of: "  - id: ads.hostile\n    category", with: "  - category"),
               line: 2, ruleID: nil, message: "missing required key 'id'"),
        Broken(name: "bad id", yaml: HostileKit.rule("ads.Bad_Id", patterns: ["x"]),
               line: 2, ruleID: "ads.Bad_Id", message: "bad id 'ads.Bad_Id'"),
        Broken(name: "duplicate key", yaml: HostileKit.rule(patterns: ["x"], extra: "    scope: line"),
               line: 11, ruleID: "ads.hostile", message: "duplicate key 'scope'"),
        Broken(name: "nested a thousand deep", yaml: "rules:\n  - id: ads.x\n    patterns: " + String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000) + "\n",
               line: 3, ruleID: nil, message: "nested deeper than"),
        Broken(name: "compact nesting", yaml: "rules:\n  " + String(repeating: "- ", count: 5000) + "x\n",
               line: 2, ruleID: nil, message: "nested deeper than"),
        Broken(name: "duplicate id in one file", yaml: HostileKit.rule(patterns: ["x"]) + "\n" + HostileKit.rule(patterns: ["y"]).replacingOccurrences(of: "rules:\n", with: ""),
               line: 12, ruleID: "ads.hostile", message: "duplicate rule id (first defined at hostile.yml:2)"),
    ]

    @Test(arguments: broken)
    func brokenRuleFilesNameTheirPlace(_ b: Broken) throws {
        let result = HostileKit.load(b.yaml)
        let e = try #require(result.errors.first { $0.message.contains(b.message) }, "\(b.name): got \(result.errors)")
        #expect(e.file == "hostile.yml")
        #expect(e.line == b.line, "\(b.name): \(e)")
        #expect(e.ruleID == b.ruleID, "\(b.name): \(e)")
        // The rendered form names the place as file:line: rule id: message.
        if let line = b.line { #expect(e.description.hasPrefix("hostile.yml:\(line): ")) }
        if let id = b.ruleID { #expect(e.description.contains("rule \(id): ")) }
    }

    @Test func duplicateIDsAcrossFilesNameBothPlaces() {
        let a = HostileKit.rule(patterns: ["x"])
        let result = RuleLoader.load(files: [(name: "one.yml", contents: a), (name: "two.yml", contents: "# comment\n" + a)])
        #expect(result.ruleSet.rules.count == 1)
        #expect(result.errors.map(\.description) == ["two.yml:3: rule ads.hostile: duplicate rule id (first defined at one.yml:2)"])
    }

    @Test func aliasBombsStayCheap() {
        var yaml = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var previous = "a"
        for c in "bcdefghij" {
            yaml += "\(c): &\(c) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = String(c)
        }
        yaml += HostileKit.rule(patterns: []).replacingOccurrences(of: "rules:\n", with: "rules:\n").replacingOccurrences(of: "    patterns:\n", with: "    patterns: *j\n")
        let clock = ContinuousClock()
        var result: RuleLoader.Result!
        let took = clock.measure { result = HostileKit.load(yaml) }
        #expect(!result.errors.isEmpty)
        #expect(result.errors.contains { $0.message.contains("unknown top-level key") })
        #expect(took < .seconds(10))
    }

    @Test func ruleDirectoryProblems() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-hostile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        #expect(RuleLoader.load(directory: dir.path).errors.first?.message == "no rule files (*.yml) in directory")
        try Data([0x72, 0x75, 0x6C, 0x65, 0x73, 0x3A, 0xFF, 0x0A]).write(to: dir.appendingPathComponent("latin1.yml"))
        try Data([0xEF, 0xBB, 0xBF] + Array(HostileKit.rule(patterns: ["x"]).utf8)).write(to: dir.appendingPathComponent("bom.yml"))
        let r = RuleLoader.load(directory: dir.appendingPathComponent("").path)
        #expect(r.errors.map(\.message) == ["file is not valid UTF-8"])
        #expect(r.errors.first?.file.hasSuffix("latin1.yml") == true)
        #expect(r.ruleSet.rules.map(\.id) == ["ads.hostile"], "a BOM does not break a rule file")
        #expect(RuleLoader.load(directory: dir.appendingPathComponent("nope").path).errors.first?.message == "rules directory not found")
    }
}
