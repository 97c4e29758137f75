import Foundation
import Synchronization
import CopydeskCore

/// How one file is to be linted, after configuration and command-line flags are applied.
public struct FilePlan: Sendable {
    /// Reader (nil: by extension).
    public var format: DocumentFormat? = nil
    /// Headline mode (nil: the run's default).
    public var headline: HeadlineMode? = nil
    /// Rules in effect with their configured severities (nil: the linter's own rule set).
    public var rules: [Rule]? = nil
    /// Severity of `copydesk.unused-suppression` findings (nil: off).
    public var unusedSuppression: Severity? = .info
    /// The `fail-on` level that applies to this file.
    public var failOn: FailLevel = .error
    public init() {}
}

/// The publishing-workflow layer of a lint run: per-file configuration (`.copydesk.yml`),
/// include/exclude, git-ignored files, and the rules each file gets.
public final class Workflow: Sendable {
    public let resolver: ConfigResolver
    /// The rules before configuration: the built-in set, or `--rules DIR`.
    public let baseRules: RuleSet
    public let respectGitIgnore: Bool
    /// Command-line choices; they win over configuration.
    public let formatOverride: DocumentFormat?
    public let headlineOverride: HeadlineMode?
    public let failOnOverride: FailLevel?

    private struct State {
        var ruleDirs: [String: RuleLoader.Result] = [:]
        var rulesByConfig: [String: [Rule]] = [:]
        var reported = Set<String>()
        var errors: [FileError] = []
    }
    private let state = Mutex(State())

    public init(resolver: ConfigResolver, baseRules: RuleSet, respectGitIgnore: Bool = true,
                formatOverride: DocumentFormat? = nil, headlineOverride: HeadlineMode? = nil, failOnOverride: FailLevel? = nil) {
        self.resolver = resolver
        self.baseRules = baseRules
        self.respectGitIgnore = respectGitIgnore
        self.formatOverride = formatOverride
        self.headlineOverride = headlineOverride
        self.failOnOverride = failOnOverride
    }

    /// Problems with configuration files, rule paths they name and rule keys they use.
    public var errors: [FileError] {
        resolver.errors.map(\.fileError) + state.withLock { $0.errors }
    }

    public struct Prepared: Sendable {
        public var jobs: [(InputItem, FilePlan)] = []
        public var skipped: [SkippedFile] = []
    }

    /// Plans every input. `named` are the paths given on the command line: a file named there is
    /// linted even when git ignores it; one that an `exclude` pattern covers is listed as skipped.
    /// Files found by walking a folder are dropped silently when git ignores them, `include` does
    /// not take them, or `exclude` covers them.
    public func prepare(_ items: [InputItem], named: [String], stdinName: String) -> Prepared {
        var out = Prepared()
        let namedSet = Set(named)
        var walked: [String] = []
        for item in items { if case .file(let p) = item, !namedSet.contains(p) { walked.append(Paths.absolute(p)) } }
        let ignored = respectGitIgnore && !walked.isEmpty ? GitIgnore.ignored(walked) : []
        for item in items {
            switch item {
            case .file(let p):
                let abs = Paths.absolute(p)
                let config = resolver.configuration(forFile: abs)
                if namedSet.contains(p) {
                    if let ex = config.excluding(abs) {
                        out.skipped.append(SkippedFile(path: p, reason: "excluded by '\(ex.value.pattern)' (\(Paths.display(ex.file)):\(ex.line))"))
                        continue
                    }
                } else {
                    if ignored.contains(abs) || !config.includes(abs) || config.excluding(abs) != nil { continue }
                }
                out.jobs.append((item, plan(for: p, config: config)))
            case .stdin:
                let config = resolver.configuration(forFile: stdinName.hasPrefix("<") ? "-" : stdinName)
                out.jobs.append((item, plan(for: stdinName, config: config)))
            case .error:
                out.jobs.append((item, FilePlan()))
            }
        }
        return out
    }

    /// The plan for a file at `path` under `config`.
    public func plan(for path: String, config: Configuration) -> FilePlan {
        var p = FilePlan()
        p.format = formatOverride ?? config.format(forPath: path)
        p.headline = headlineOverride ?? config.headline?.value
        p.failOn = failOnOverride ?? config.failOn?.value ?? .error
        p.rules = rules(for: config)
        let unused = config.entry(forRule: UnusedSuppression.ruleID, category: UnusedSuppression.category.rawValue)
        p.unusedSuppression = unused.map { $0.setting.severity } ?? .info
        return p
    }

    /// The rules in effect under `config`: the base rules plus its `rule-paths`, with its `rules`
    /// settings applied. Cached per configuration.
    public func rules(for config: Configuration) -> [Rule] {
        let key = config.cacheKey
        if let known = state.withLock({ $0.rulesByConfig[key] }) { return known }
        var all = baseRules.rules
        var ids = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var problems: [(String, FileError)] = []
        for dir in config.rulePaths {
            let loaded = ruleDirectory(dir.value)
            for e in loaded.errors {
                problems.append(("rules:" + e.description, FileError(path: e.file, message: ruleFileMessage(e))))
            }
            if loaded.ruleSet.rules.isEmpty && loaded.errors.isEmpty { continue }
            for r in loaded.ruleSet.rules {
                if let first = ids[r.id] {
                    if first === r { continue }
                    problems.append(("dup:\(r.file):\(r.id)", FileError(path: r.file, message: "line \(r.line): rule \(r.id): duplicate rule id (first defined at \(first.file):\(first.line)); named by 'rule-paths' in \(Paths.display(dir.file)):\(dir.line)")))
                    continue
                }
                ids[r.id] = r
                all.append(r)
            }
        }
        // Keys that name no rule or category are mistakes (a typo silently doing nothing).
        let categories = Set(Category.allCases.map(\.rawValue) + [Category.copydesk.rawValue])
        for e in config.rules {
            switch e.selector {
            case .id(let id) where ids[id] == nil && id != UnusedSuppression.ruleID:
                problems.append(("key:\(e.file):\(e.line)", FileError(path: Paths.display(e.file), message: "line \(e.line): unknown rule '\(id)' in 'rules'")))
            case .category(let c) where !categories.contains(c):
                problems.append(("key:\(e.file):\(e.line)", FileError(path: Paths.display(e.file), message: "line \(e.line): unknown category '\(c)' in 'rules' (expected one of: \(Category.allCases.map(\.rawValue).joined(separator: ", ")))")))
            default: break
            }
        }
        var effective: [Rule] = []
        for r in all {
            guard let entry = config.entry(forRule: r.id, category: r.category.rawValue) else { effective.append(r); continue }
            guard let severity = entry.setting.severity else { continue }
            effective.append(severity == r.severity ? r : r.with(severity: severity))
        }
        effective.sort { $0.id < $1.id }
        state.withLock { st in
            st.rulesByConfig[key] = effective
            for (k, e) in problems where st.reported.insert(k).inserted { st.errors.append(e) }
        }
        return effective
    }

    /// Every rule that may be in effect: the base rules and those of every `rule-paths` folder
    /// loaded so far (for reporters that describe rules, like SARIF).
    public var knownRules: RuleSet {
        var byID = Dictionary(baseRules.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (_, loaded) in state.withLock({ $0.ruleDirs }).sorted(by: { $0.key < $1.key }) {
            for r in loaded.ruleSet.rules where byID[r.id] == nil { byID[r.id] = r }
        }
        return RuleSet(Array(byID.values))
    }

    private func ruleDirectory(_ dir: String) -> RuleLoader.Result {
        if let known = state.withLock({ $0.ruleDirs[dir] }) { return known }
        let loaded = RuleLoader.load(directory: dir)
        return state.withLock { st in
            if let raced = st.ruleDirs[dir] { return raced }
            st.ruleDirs[dir] = loaded
            return loaded
        }
    }

    func ruleFileMessage(_ e: RuleFileError) -> String {
        var s = ""
        if let line = e.line { s += "line \(line): " }
        if let id = e.ruleID { s += "rule \(id): " }
        return s + e.message
    }
}

extension Rule {
    /// The same rule with another severity (patterns are shared, not recompiled).
    public func with(severity: Severity) -> Rule {
        Rule(id: id, category: category, severity: severity, message: message, description: description,
             kind: kind, scope: scope, caseSensitive: caseSensitive, outsideQuotes: outsideQuotes,
             patterns: patterns, exceptions: exceptions, attributions: attributions, titleLine: titleLine,
             score: score, threshold: threshold, examples: examples, file: file, line: line, prefilterData: prefilterData)
    }
}
