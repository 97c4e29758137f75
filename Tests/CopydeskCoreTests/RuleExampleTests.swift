import Testing
@testable import CopydeskCore
import CopydeskDefaultRules

/// Every default rule's examples run as tests (as written and after a multibyte prefix).
@Suite("Default rules")
struct RuleExampleTests {
    static let loaded = RuleLoader.loadDefault()

    @Test func defaultRulesLoadWithoutErrors() {
        #expect(Self.loaded.errors.isEmpty, "\(Self.loaded.errors.map(\.description).joined(separator: "\n"))")
    }

    @Test func atLeastSixtyRulesOverAllFiveCategories() {
        let rules = Self.loaded.ruleSet.rules
        #expect(rules.count >= 60)
        #expect(Set(rules.map(\.category)) == Set(Category.allCases))
    }

    @Test(arguments: loaded.ruleSet.rules.map(\.id))
    func examples(_ id: String) throws {
        let rule = try #require(Self.loaded.ruleSet.rule(id: id))
        #expect(rule.examples.triggering.count >= 2)
        #expect(rule.examples.nontriggering.count >= 2)
        let failures = ExampleRunner.check(rule)
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    /// Category examples (`categories:` in a rule file): the category's rules together, scored
    /// cues added up against the threshold.
    @Test(arguments: loaded.categories.map(\.category.rawValue))
    func categoryExamples(_ name: String) throws {
        let settings = try #require(Self.loaded.categories.first { $0.category.rawValue == name })
        let failures = ExampleRunner.checkCategory(settings, rules: Self.loaded.ruleSet.rules)
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }
}
