import Foundation
import Testing
@testable import CopydeskCore
@testable import CopydeskWorkflow
import CopydeskTestSupport

@Suite("Workflow: globs")
struct WorkflowGlobTests {
    @Test func globBasics() {
        #expect(Glob("*.md").matches("a.md"))
        #expect(!Glob("*.md").matches("dir/a.md"))
        #expect(Glob("**/*.md").matches("a.md"))
        #expect(Glob("**/*.md").matches("x/y/a.md"))
        #expect(Glob("docs/**").matches("docs/a/b.md"))
        #expect(Glob("a?c").matches("abc") && !Glob("a?c").matches("a/c"))
        #expect(Glob("[ab]x").matches("bx") && !Glob("[!ab]x").matches("ax") && Glob("[a-c]x").matches("cx"))
        #expect(Glob("ads.*").matches("ads.promo-code") && !Glob("ads.*").matches("polls.vote"))
        #expect(Glob("a\\*").matches("a*") && !Glob("a\\*").matches("ab"))
        #expect(Glob("[abc").syntaxError != nil)
        #expect(Glob("ünï*").matches("ünïcode"))
    }

    @Test func pathGlobsAreAnchoredAtTheirFolder() {
        let g = PathGlob("drafts/", base: "/site")
        #expect(g.matchesFile("/site/drafts/a.md"))
        #expect(g.matchesFile("/site/x/drafts/a.md"))   // no slash inside: any depth
        #expect(!g.matchesFile("/site/drafts"))           // trailing slash: folders only
        let rooted = PathGlob("/archive/*.md", base: "/site")
        #expect(rooted.matchesFile("/site/archive/a.md"))
        #expect(!rooted.matchesFile("/site/x/archive/a.md"))
        #expect(!rooted.matchesFile("/other/archive/a.md"))
        let deep = PathGlob("content/**/*.html", base: "/site")
        #expect(deep.matchesFile("/site/content/a.html") && deep.matchesFile("/site/content/2024/05/a.html"))
        #expect(!deep.matchesFile("/site/content/a.md"))
        #expect(PathGlob("*.md", base: "/site").matchesFile("/site/a/b/c.md"))
    }
}

@Suite("Workflow: .copydesk.yml")
struct WorkflowConfigTests {
    func parse(_ s: String) -> ConfigFile { ConfigFile.parse(s, path: "/site/.copydesk.yml", displayPath: ".copydesk.yml") }

    @Test func parsesEveryKey() {
        let c = parse("""
            rules:
              ads: off
              ads.promo-code: warning
              "polls.*": info
              "*": error
            rule-paths: [house-rules]
            include: ["**/*.md"]
            exclude:
              - drafts/
            fail-on: warning
            headline: first-line
            formats:
              .mdx: markdown
              txt: text
            """)
        #expect(c.errors.isEmpty)
        #expect(c.rules?.map(\.key) == ["ads", "ads.promo-code", "polls.*", "*"])
        #expect(c.rules?.map(\.setting) == [.off, .warning, .info, .error])
        #expect(c.rules?[1].line == 3)
        #expect(c.rulePaths?.first?.value == "/site/house-rules")
        #expect(c.include?.first?.value.pattern == "**/*.md")
        #expect(c.exclude?.first?.line == 9)
        #expect(c.failOn?.value == .warning)
        #expect(c.headline?.value == .firstLine)
        #expect(c.formats?.map(\.value.ext) == [".mdx", ".txt"])
    }

    @Test func errorsNameFileAndLine() {
        let c = parse("""
            rules:
              ads: loud
              Bad Key!: off
            include: 3
            fail-on: sometimes
            headline: [auto]
            formats:
              .mdx: latex
            colour: red
            fail-on: error
            """)
        let got = c.errors.map(\.description)
        #expect(got.contains(".copydesk.yml:2: bad value 'loud' for rule 'ads' (expected one of: off, info, warning, error)"))
        #expect(got.contains { $0.hasPrefix(".copydesk.yml:3: bad rule key 'Bad Key!'") })
        #expect(got.contains(".copydesk.yml:4: 'include' must be a list of strings") == false)   // a single string is fine…
        #expect(got.contains { $0.hasPrefix(".copydesk.yml:5: bad value 'sometimes' for 'fail-on'") })
        #expect(got.contains { $0.hasPrefix(".copydesk.yml:6: bad value a list for 'headline'") })
        #expect(got.contains { $0.hasPrefix(".copydesk.yml:8: bad reader 'latex' for '.mdx'") })
        #expect(got.contains { $0.hasPrefix(".copydesk.yml:9: unknown key 'colour'") })
        #expect(got.contains { $0.hasPrefix(".copydesk.yml:10: duplicate key 'fail-on'") })
    }

    @Test func syntaxErrorsAndWrongShapes() {
        #expect(parse("rules: [").errors.first?.line != nil)
        #expect(parse("rules: [").errors.first?.message.hasPrefix("invalid YAML") == true)
        #expect(parse("- a\n- b\n").errors.first?.message.hasPrefix("expected a mapping") == true)
        #expect(parse("").errors.isEmpty)
        #expect(parse("# only comments\n").errors.isEmpty)
        #expect(parse("include:\n  - [a]\n").errors.first?.line == 2)
        #expect(parse("exclude: ['[abc']\n").errors.first?.message.contains("unclosed '['") == true)
    }

    @Test func mergeNearerOverridesKeys() {
        var top = ConfigFile.parse("rules:\n  ads: off\n  polls: info\nfail-on: warning\nheadline: none\nexclude: [old/]\nformats:\n  .mdx: markdown\n", path: "/site/.copydesk.yml")
        let near = ConfigFile.parse("rules:\n  ads: error\nexclude: [tmp/]\nformats:\n  .txt: markdown\n", path: "/site/news/.copydesk.yml")
        top.errors = []
        let m = Configuration(chain: [top, near])
        #expect(m.rules.first { $0.key == "ads" }?.setting == .error)       // replaced by the nearer file
        #expect(m.rules.first { $0.key == "polls" }?.setting == .info)      // kept from above
        #expect(m.failOn?.value == .warning && m.headline?.value == HeadlineMode.none)
        #expect(m.exclude.map(\.value.pattern) == ["tmp/"])               // a list key is replaced whole
        #expect(m.format(forPath: "x.MDX") == .markdown && m.format(forPath: "x.txt") == .markdown)
        #expect(m.format(forPath: "x.md") == nil)
    }

    @Test func mostSpecificRuleKeyWins() {
        let c = Configuration(chain: [parse("rules:\n  \"*\": info\n  ads: off\n  \"ads.promo*\": warning\n  ads.promo-code: error\n")])
        #expect(c.entry(forRule: "ads.promo-code", category: "ads")?.setting == .error)
        #expect(c.entry(forRule: "ads.promo-banner", category: "ads")?.setting == .warning)
        #expect(c.entry(forRule: "ads.shop-now", category: "ads")?.setting == .off)
        #expect(c.entry(forRule: "polls.vote", category: "polls")?.setting == .info)
    }

    @Test func discoveryWalksUpAndCaches() {
        let t = TempDir(); defer { t.remove() }
        t.file(".copydesk.yml", "fail-on: warning\nrules:\n  polls: off\n")
        t.file("news/.copydesk.yml", "rules:\n  polls: info\n")
        t.file("news/2024/a.md", "x")
        let r = ConfigResolver(mode: .discover)
        let c = r.configuration(forFile: t.at("news/2024/a.md"))
        #expect(c.files.map(\.path).suffix(2) == [t.at(".copydesk.yml"), t.at("news/.copydesk.yml")])
        #expect(c.failOn?.value == .warning)
        #expect(c.entry(forRule: "polls.vote", category: "polls")?.setting == .info)
        #expect(r.configuration(forFile: t.at("a.md")).entry(forRule: "polls.vote", category: "polls")?.setting == .off)
        #expect(ConfigResolver(mode: .none).configuration(forFile: t.at("news/2024/a.md")).files.isEmpty)
        let only = ConfigResolver(mode: .file(t.at("news/.copydesk.yml"))).configuration(forFile: t.at("a.md"))
        #expect(only.files.map(\.path) == [t.at("news/.copydesk.yml")])
        let missing = ConfigResolver(mode: .file(t.at("nope.yml")))
        #expect(missing.errors.first?.message == "configuration file not found")
    }

    @Test func rulesAreConfiguredPerFile() {
        let t = TempDir(); defer { t.remove() }
        t.file(".copydesk.yml", "rules:\n  ads: warning\n  polls.vote: off\n  copydesk.unused-suppression: error\nrule-paths: [extra]\n")
        t.file("extra/house.yml", """
            rules:
              - id: boilerplate.house
                category: boilerplate
                severity: info
                message: House style
                description: House rule.
                kind: existence
                scope: line
                patterns: ['\\bhouse\\b']
            """)
        let flow = Workflow(resolver: ConfigResolver(mode: .discover), baseRules: WorkflowRules.ruleSet)
        let plan = flow.plan(for: t.at("a.md"), config: flow.resolver.configuration(forFile: t.at("a.md")))
        let rules = plan.rules ?? []
        #expect(rules.map(\.id) == ["ads.promo-code", "ads.shop-now", "boilerplate.house", "clickbait.shocking"])
        #expect(rules.first { $0.id == "ads.promo-code" }?.severity == .warning)
        #expect(plan.unusedSuppression == .error)
        #expect(flow.errors.isEmpty)
        #expect(flow.knownRules.rule(id: "boilerplate.house") != nil)
    }

    @Test func unknownRuleKeysAndBadRulePathsAreErrors() {
        let t = TempDir(); defer { t.remove() }
        t.file(".copydesk.yml", "rules:\n  ads.promo-cod: off\n  advertising: off\nrule-paths: [missing]\n")
        let flow = Workflow(resolver: ConfigResolver(mode: .discover), baseRules: WorkflowRules.ruleSet)
        _ = flow.plan(for: t.at("a.md"), config: flow.resolver.configuration(forFile: t.at("a.md")))
        let messages = flow.errors.map { "\($0.path): \($0.message)" }
        #expect(messages.contains { $0.hasSuffix("line 2: unknown rule 'ads.promo-cod' in 'rules'") })
        #expect(messages.contains { $0.contains("line 3: unknown category 'advertising'") })
        #expect(messages.contains { $0.contains("missing: rules directory not found") })
    }

    @Test func prepareAppliesIncludeExcludeAndKeepsNamedFiles() {
        let t = TempDir(); defer { t.remove() }
        t.file(".copydesk.yml", "include: ['**/*.md']\nexclude: [drafts/]\n")
        t.file("a.md", "x"); t.file("b.txt", "x"); t.file("drafts/c.md", "x")
        let flow = Workflow(resolver: ConfigResolver(mode: .discover), baseRules: WorkflowRules.ruleSet, respectGitIgnore: false)
        let items = FileWalker.expand([t.path])
        let walked = flow.prepare(items, named: [t.path], stdinName: "<stdin>")
        #expect(walked.jobs.map { if case .file(let p) = $0.0 { return p } else { return "" } } == [t.at("a.md")])
        #expect(walked.skipped.isEmpty)
        let named = flow.prepare([.file(t.at("drafts/c.md")), .file(t.at("b.txt"))], named: [t.at("drafts/c.md"), t.at("b.txt")], stdinName: "<stdin>")
        #expect(named.jobs.count == 1)                          // b.txt: named, so include does not drop it
        #expect(named.skipped.first?.reason.hasPrefix("excluded by 'drafts/'") == true)
    }

    @Test func gitIgnoredFilesAreSkippedWhenWalking() throws {
        let t = TempDir(); defer { t.remove() }
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "init", "-q", t.path]
        try git.run(); git.waitUntilExit()
        try #require(git.terminationStatus == 0)
        t.file(".gitignore", "build/\n*.tmp.md\n")
        t.file("a.md", "x"); t.file("b.tmp.md", "x"); t.file("build/c.md", "x"); t.file("sub/d.md", "x")
        let ignored = GitIgnore.ignored([t.at("a.md"), t.at("b.tmp.md"), t.at("build/c.md"), t.at("sub/d.md")])
        #expect(ignored == [t.at("b.tmp.md"), t.at("build/c.md")])
        let flow = Workflow(resolver: ConfigResolver(mode: .none), baseRules: WorkflowRules.ruleSet)
        let walked = flow.prepare(FileWalker.expand([t.path]), named: [t.path], stdinName: "<stdin>")
        #expect(walked.jobs.count == 2)
        let named = flow.prepare([.file(t.at("b.tmp.md"))], named: [t.at("b.tmp.md")], stdinName: "<stdin>")
        #expect(named.jobs.count == 1)   // named explicitly: linted
        // Outside a work tree nothing is ignored.
        let plain = TempDir(); defer { plain.remove() }
        plain.file("x.tmp.md", "x")
        #expect(GitIgnore.ignored([plain.at("x.tmp.md")]).isEmpty)
    }

    @Test func renderShowsOrigins() {
        let c = Configuration(chain: [ConfigFile.parse("rules:\n  ads: off\nfail-on: info\n", path: "/site/.copydesk.yml")])
        let out = c.render(relativeTo: "/site")
        #expect(out.contains("  ads: off  # .copydesk.yml:2\n"))
        #expect(out.contains("fail-on: info  # .copydesk.yml:3\n"))
        #expect(out.contains("headline: auto  # default\n"))
        #expect(Configuration.empty.render().contains("no configuration file applies"))
    }
}
