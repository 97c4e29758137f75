import Testing
@testable import CopydeskCore

@Suite("Rule loader")
struct RuleLoaderTests {
    static let good = """
    rules:
      - id: ads.promo-code
        category: ads
        severity: error
        message: "Promo code: {match} ({1})"
        description: Promo codes in the body.
        kind: existence
        scope: standalone-line
        patterns:
          - '\\bpromo\\s+code\\s+(\\w+)'
        examples:
          triggering:
            - "Use «promo code X»"
            - "«Promo Code MERICA»"
          nontriggering:
            - "No code here."
            - "The promo ended."
    """

    func load(_ yaml: String, name: String = "t.yml") -> RuleLoader.Result {
        RuleLoader.load(files: [(name, yaml)])
    }

    @Test func loadsAValidRule() throws {
        let r = load(Self.good)
        #expect(r.errors.isEmpty)
        let rule = try #require(r.ruleSet.rules.first)
        #expect(rule.id == "ads.promo-code")
        #expect(rule.scope == .standaloneLine)
        #expect(rule.line == 2)
        #expect(ExampleRunner.check(rule).isEmpty)
    }

    @Test func messageQuotesMatchAndGroups() throws {
        let rule = try #require(load(Self.good).ruleSet.rules.first)
        let doc = Document(path: "x.txt", string: "Use promo code SAVE10", headline: .none)
        let report = Linter(ruleSet: RuleSet([rule])).lint(doc, scratch: MatchScratch())
        #expect(report.findings.map(\.message) == ["Promo code: promo code SAVE10 (SAVE10)"])
    }

    @Test func unknownKeyNamesFileLineAndRule() {
        let r = load(Self.good.replacingOccurrences(of: "    kind: existence", with: "    kind: existence\n    colour: red"))
        #expect(r.errors.count == 1)
        let e = r.errors[0]
        #expect(e.file == "t.yml")
        #expect(e.line == 8)
        #expect(e.ruleID == "ads.promo-code")
        #expect(e.message.contains("unknown key 'colour'"))
        #expect(r.ruleSet.rules.isEmpty)
    }

    @Test func badEnumsAreNamed() {
        let r = load(Self.good.replacingOccurrences(of: "severity: error", with: "severity: fatal").replacingOccurrences(of: "scope: standalone-line", with: "scope: page"))
        let messages = r.errors.map(\.message)
        #expect(messages.contains { $0.contains("bad severity 'fatal'") && $0.contains("error, warning") == false || $0.contains("info, warning, error") })
        #expect(messages.contains { $0.contains("bad scope 'page'") })
        #expect(r.errors.allSatisfy { $0.ruleID == "ads.promo-code" && $0.line != nil })
    }

    @Test func badPatternCarriesPCRE2MessageAndOffset() {
        let r = load(Self.good.replacingOccurrences(of: "'\\bpromo\\s+code\\s+(\\w+)'", with: "'promo (code'"))
        #expect(r.errors.count == 1)
        #expect(r.errors[0].line == 10)
        #expect(r.errors[0].message.contains("missing closing parenthesis"))
        #expect(r.errors[0].message.contains("offset 11"))
    }

    @Test func emptyAndEmptyMatchingPatternsAreRejected() {
        let r1 = load(Self.good.replacingOccurrences(of: "'\\bpromo\\s+code\\s+(\\w+)'", with: "''"))
        #expect(r1.errors.first?.message.contains("empty pattern") == true)
        let r2 = load(Self.good.replacingOccurrences(of: "'\\bpromo\\s+code\\s+(\\w+)'", with: "'x*'"))
        #expect(r2.errors.first?.message.contains("can match the empty string") == true)
    }

    @Test func duplicateIdsAcrossFiles() {
        let r = RuleLoader.load(files: [("a.yml", Self.good), ("b.yml", Self.good)])
        #expect(r.ruleSet.rules.count == 1)
        #expect(r.errors.count == 1)
        #expect(r.errors[0].file == "b.yml")
        #expect(r.errors[0].message.contains("duplicate rule id (first defined at a.yml:2)"))
    }

    @Test func invalidYAMLHasALine() {
        let r = load("rules:\n  - id: ads.x\n    patterns: [unclosed\n")
        #expect(r.errors.count == 1)
        #expect(r.errors[0].line != nil)
        #expect(r.errors[0].message.hasPrefix("invalid YAML"))
    }

    @Test func wrongTypesAndMissingKeys() {
        let r = load("rules:\n  - id: ads.x\n    category: ads\n    patterns: 'not a list'\n")
        let m = r.errors.map(\.message)
        #expect(m.contains { $0.contains("'patterns' must be a list") })
        #expect(m.contains { $0.contains("missing required key 'severity'") })
        #expect(load("- just a list").errors.first?.message.contains("expected a mapping") == true)
    }

    @Test func idMustMatchCategory() {
        let r = load(Self.good.replacingOccurrences(of: "id: ads.promo-code", with: "id: polls.promo-code"))
        #expect(r.errors.first?.message.contains("must start with its category") == true)
    }

    @Test func kindSpecificKeys() {
        let r = load(Self.good.replacingOccurrences(of: "    kind: existence", with: "    kind: existence\n    min-words: 3"))
        #expect(r.errors.first?.message.contains("not allowed for kind 'existence'") == true)
    }

    @Test func triggeringExamplesNeedMarkers() {
        let r = load(Self.good.replacingOccurrences(of: "\"Use «promo code X»\"", with: "\"Use promo code X\""))
        #expect(r.errors.first?.message.contains("«…»") == true)
    }

    @Test func exampleFailuresAreReported() throws {
        let wrongSpan = Self.good.replacingOccurrences(of: "\"Use «promo code X»\"", with: "\"«Use» promo code X\"")
        let rule = try #require(load(wrongSpan).ruleSet.rules.first)
        let failures = ExampleRunner.check(rule)
        #expect(failures.count == 1)
        #expect(failures[0].problem.contains("expected exactly one finding «Use»"))
        let falsePositive = Self.good.replacingOccurrences(of: "\"No code here.\"", with: "\"A promo code Y.\"")
        let rule2 = try #require(load(falsePositive).ruleSet.rules.first)
        #expect(ExampleRunner.check(rule2).map(\.problem) == ["expected no finding, got «promo code Y» at bytes 2..<14"])
    }

    @Test func missingDirectory() {
        let r = RuleLoader.load(directory: "/nonexistent/rules")
        #expect(r.errors.first?.message == "rules directory not found")
    }
}
