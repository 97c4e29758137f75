import Testing
@testable import CopydeskCore
@testable import CopydeskReports
@testable import CopydeskWorkflow
import CopydeskDefaultRules
import CopydeskTestSupport
@testable import CopydeskEval

/// Scored cues: scores add up per unit against the category threshold; the finding spans the
/// positive cues and names them; the prefilter does not change the result; --fit is deterministic.
@Suite("Scored cues")
struct ScoredCueTests {
    static let yaml = """
    categories:
      clickbait:
        threshold: 2
        examples:
          triggering:
            - "Neighbors Make «SHOCKING Move» Against Family"
          nontriggering:
            - "Neighbors make a move"
            - "'SHOCKING' move by council"
    rules:
      - id: clickbait.caps
        category: clickbait
        severity: warning
        score: 1.5
        message: "caps {match}"
        description: d
        kind: existence
        scope: headline
        case-sensitive: true
        outside-quotes: true
        patterns: ['(?<=\\p{Ll}\\s)\\p{Lu}{5,}\\b']
        examples:
          triggering: ["Make «SHOCKING» Move", "Is «STUNNED» By It"]
          nontriggering: ["Shocking move", "NASA LAUNCH"]
      - id: clickbait.move
        category: clickbait
        severity: warning
        score: 0.5
        message: "move {match}"
        description: d
        kind: existence
        scope: headline
        patterns: ['\\bmove\\b']
        examples:
          triggering: ["A «Move»", "Big «move»"]
          nontriggering: ["Moves", "moving"]
      - id: clickbait.news
        category: clickbait
        severity: warning
        score: -1
        message: "news {match}"
        description: d
        kind: existence
        scope: headline
        patterns: ['\\bcouncil\\b']
        examples:
          triggering: ["The «council» meets", "A «Council» vote"]
          nontriggering: ["A counsel", "Councils"]
    """

    static func load() -> RuleLoader.Result { RuleLoader.load(files: [(name: "c.yml", contents: yaml)]) }

    func findings(_ title: String, prefilter: Bool = true) -> [Finding] {
        let doc = Document(path: "t.md", string: "# \(title)\n\nBody text.\n", format: .markdown)
        return Linter(ruleSet: Self.load().ruleSet, prefilter: prefilter).lint(doc, scratch: MatchScratch()).findings
    }

    @Test func loadsScoresThresholdAndCategoryExamples() throws {
        let loaded = Self.load()
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        #expect(loaded.ruleSet.rule(id: "clickbait.caps")?.score == 1.5)
        #expect(loaded.ruleSet.rules.allSatisfy { $0.threshold == 2 })
        let c = try #require(loaded.categories.first)
        #expect(c.threshold == 2 && c.scope == .headline && c.examples.nontriggering.count == 2)
        for r in loaded.ruleSet.rules { #expect(ExampleRunner.check(r).isEmpty, "\(r.id)") }
        #expect(ExampleRunner.checkCategory(c, rules: loaded.ruleSet.rules).isEmpty)
    }

    @Test func cuesAddUpToTheThreshold() {
        for prefilter in [true, false] {
            let f = findings("Neighbors Make SHOCKING Move Against Family", prefilter: prefilter)
            #expect(f.count == 1)
            #expect(f.first?.match == "SHOCKING Move")
            #expect(f.first?.rule == "clickbait.caps")
            #expect(f.first?.message == "Clickbait cues add up to 2 (threshold 2): caps “SHOCKING” +1.5, move “Move” +0.5")
            #expect(findings("Neighbors Make SHOCKING Plan", prefilter: prefilter).isEmpty)   // 1.5 < 2
            // A negative cue lowers the sum.
            #expect(findings("Council Makes SHOCKING Move", prefilter: prefilter).isEmpty)
        }
    }

    @Test func badValuesAreErrors() {
        let bad = Self.yaml.replacingOccurrences(of: "threshold: 2", with: "threshold: -1")
            .replacingOccurrences(of: "score: 0.5", with: "score: 0")
        let loaded = RuleLoader.load(files: [(name: "c.yml", contents: bad)])
        #expect(loaded.errors.contains { $0.message.contains("threshold") })
        #expect(loaded.errors.contains { $0.ruleID == "clickbait.move" && $0.message.contains("score") })
    }

    @Test func precompiledFormCarriesScores() throws {
        let loaded = Self.load()
        let text = PrecompiledRules.encode(loaded.ruleSet.rules, categories: loaded.categories)
        let back = try #require(PrecompiledRules.decode(text))
        #expect(back.categories == loaded.categories)
        #expect(back.ruleSet.rules.map(\.score) == loaded.ruleSet.rules.map(\.score))
        #expect(back.ruleSet.rules.map(\.threshold) == loaded.ruleSet.rules.map(\.threshold))
    }

    @Test func fitIsDeterministicAndSeparates() {
        let rules = Self.load().ruleSet.rules   // caps, move, news (sorted by id)
        var rows: [(features: [Int], positive: Bool)] = []
        for i in 0..<200 {
            rows.append(([0], i % 10 != 0))      // caps: mostly positive
            rows.append(([2], i % 10 == 0))      // news: mostly negative
            rows.append(([], false))
        }
        var o = FitOptions(category: .clickbait)
        o.targetPrecision = 0.85
        let a = Fit.fitRows(rows, rules: rules, fit: o, dataset: "x", split: .all)
        let b = Fit.fitRows(rows.reversed(), rules: rules, fit: o, dataset: "x", split: .all)
        #expect(a.cues == b.cues && a.threshold == b.threshold)
        let caps = a.cues.first { $0.id == "clickbait.caps" }?.fitted ?? 0
        let news = a.cues.first { $0.id == "clickbait.news" }?.fitted ?? 0
        #expect(caps > 0 && news < caps)
        #expect(a.cues.first { $0.id == "clickbait.move" }?.fitted == nil)   // never fired
        #expect(a.tp == 180 && a.fp == 20)
    }
}
