import Synchronization
import CopydeskCore

/// One article in memory, as a front end (the HTTP service, the language server, the MCP server,
/// records mode) hands it to the engine.
public struct Article: Sendable {
    /// The article's bytes (invalid UTF-8 is linted the way files are: shown as U+FFFD).
    public var bytes: [UInt8]
    /// Reader: nil chooses by `path`'s extension (then configuration), else plain text.
    public var format: DocumentFormat?
    /// A headline given apart from the body (a CMS's title field). When set, the article is
    /// linted as the headline on line 1, a blank line, then the body: `Engine.Linted.bodyStart`
    /// tells where the body begins, and the body's own first line is never taken for a headline.
    public var headline: String?
    /// Name in reports; picks the reader by extension and the `.copydesk.yml` that applies
    /// (when the engine resolves configuration). Nil: `<input>`.
    public var path: String?
    /// Only findings of these categories (nil: all).
    public var categories: Set<Category>?

    public init(bytes: [UInt8], format: DocumentFormat? = nil, headline: String? = nil, path: String? = nil, categories: Set<Category>? = nil) {
        self.bytes = bytes
        self.format = format
        self.headline = headline
        self.path = path
        self.categories = categories
    }

    public init(text: String, format: DocumentFormat? = nil, headline: String? = nil, path: String? = nil, categories: Set<Category>? = nil) {
        self.init(bytes: Array(text.utf8), format: format, headline: headline, path: path, categories: categories)
    }

    public static let defaultPath = "<input>"
}

/// The long-lived engine every front end calls: rules loaded and compiled once, configuration
/// resolved per article path, lint and clean from any thread. Match scratch (PCRE2 match data,
/// JIT stack) is per call, taken from a pool, so concurrent calls never share it.
///
/// ```swift
/// let engine = Engine(ruleSet: RuleLoader.loadDefault().ruleSet)
/// let linted = engine.lint(Article(text: "Use promo code SAVE20 at checkout.\n"))
/// for f in linted.report.findings { print(f.rule, f.span.start.line, f.message) }
/// ```
public final class Engine: Sendable {
    /// The rules before configuration (the built-in set or a `--rules` folder).
    public let ruleSet: RuleSet
    public let linter: Linter
    /// Problems met while loading the rules (the rules that loaded are used).
    public let ruleErrors: [RuleFileError]
    /// Per-path configuration (nil: none; `ruleSet` applies as it is).
    public let workflow: Workflow?
    public let limits: MatchLimits
    private let pool = Mutex<[PooledScratch]>([])
    private let byID: [String: Rule]

    /// - Parameters:
    ///   - configuration: how `.copydesk.yml` files are found for an article's path: `.none`
    ///     (default), `.file(PATH)` (one file for every article) or `.discover` (from the
    ///     article path's folder upward, as the CLI does).
    public init(ruleSet: RuleSet, ruleErrors: [RuleFileError] = [], configuration: ConfigResolver.Mode = .none,
                limits: MatchLimits = .default, prefilter: Bool = true) {
        self.ruleSet = ruleSet
        self.ruleErrors = ruleErrors
        self.linter = Linter(ruleSet: ruleSet, prefilter: prefilter)
        self.limits = limits
        if configuration == .none {
            workflow = nil
        } else {
            workflow = Workflow(resolver: ConfigResolver(mode: configuration), baseRules: ruleSet, respectGitIgnore: false)
        }
        byID = Dictionary(ruleSet.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Rules from `directory` (every `*.yml` in it), or `fallback` (the built-in rules: pass
    /// `RuleLoader.loadDefault()` from `CopydeskDefaultRules`) when it is nil.
    public convenience init(rulesDirectory directory: String?, fallback: @autoclosure () -> RuleLoader.Result,
                            configuration: ConfigResolver.Mode = .none, limits: MatchLimits = .default) {
        let loaded = directory.map { RuleLoader.load(directory: $0) } ?? fallback()
        self.init(ruleSet: loaded.ruleSet, ruleErrors: loaded.errors, configuration: configuration, limits: limits)
    }

    /// Every rule that may apply, sorted by id.
    public var rules: [Rule] { ruleSet.rules.sorted { $0.id < $1.id } }

    /// The rule with this id (built-in or from the rules folder), if any.
    public func rule(id: String) -> Rule? { byID[id] }

    /// Configuration problems met so far (bad `.copydesk.yml`, unknown rule keys, …).
    public var configurationErrors: [FileError] { workflow?.errors ?? [] }

    // MARK: lint

    /// What linting one article gave.
    public struct Linted: Sendable {
        /// The findings (sorted by offset, then rule id) and errors (a rule that hit a match limit).
        public var report: FileReport
        /// The text of each line a finding starts on, keyed by 1-based line (for reporters).
        public var lineText: [Int: String]
        /// The bytes that were linted (with a separate headline: headline, blank line, body).
        public var linted: [UInt8]
        /// Where the body starts in `linted`: byte offset and 1-based line (0 and 1 without a
        /// separate headline).
        public var bodyStart: (offset: Int, line: Int)
        /// The reader used.
        public var format: DocumentFormat

        /// A one-file `LintResult`, ready for any `Reporter`.
        public var result: LintResult {
            LintResult(files: [report], lineText: [report.path: lineText])
        }
    }

    /// The bytes to lint and the reader and headline mode for them.
    struct Prepared {
        var path: String
        var bytes: [UInt8]
        var format: DocumentFormat
        var headline: HeadlineMode
        var bodyStart: (offset: Int, line: Int)
        var plan: FilePlan?
    }

    func prepare(_ article: Article) -> Prepared {
        let path = article.path ?? Article.defaultPath
        var plan: FilePlan? = nil
        if let workflow {
            let config = workflow.resolver.configuration(forFile: article.path.map { Paths.absolute($0) } ?? "-")
            plan = workflow.plan(for: path, config: config)
        }
        // Without a path there is no extension to go by: plain text.
        let format = article.format ?? (article.path == nil ? .text : plan?.format ?? DocumentFormat.forPath(path))
        guard let headline = article.headline else {
            return Prepared(path: path, bytes: article.bytes, format: format, headline: plan?.headline ?? .auto, bodyStart: (0, 1), plan: plan)
        }
        // One line: line breaks in a title field are spaces.
        let title = Array(headline.split(whereSeparator: { $0.isNewline }).joined(separator: " ").utf8)
        var head: [UInt8]
        switch format {
        case .text: head = title
        case .markdown: head = Array("# ".utf8) + title
        case .html: head = Array("<h1>".utf8) + Array(Engine.htmlEscaped(title).utf8) + Array("</h1>".utf8)
        }
        head += [0x0A, 0x0A]
        // The body's first line must not become the headline: Markdown and HTML take the first
        // H1 (the one just added); plain text takes the first line.
        let mode: HeadlineMode = format == .text ? .firstLine : .auto
        return Prepared(path: path, bytes: head + article.bytes, format: format, headline: mode, bodyStart: (head.count, 3), plan: plan)
    }

    static func htmlEscaped(_ bytes: [UInt8]) -> String {
        var s = ""
        for ch in String(decoding: bytes, as: UTF8.self) {
            switch ch {
            case "&": s += "&amp;"
            case "<": s += "&lt;"
            case ">": s += "&gt;"
            default: s.append(ch)
            }
        }
        return s
    }

    /// Lints one article.
    public func lint(_ article: Article, stats: RuleStatsCollector? = nil) -> Linted {
        let p = prepare(article)
        let doc = Document(path: p.path, bytes: p.bytes, format: p.format, headline: p.headline)
        var report = withScratch { scratch in
            linter.lint(doc, scratch: scratch, rules: p.plan?.rules, unusedSuppression: p.plan.map { $0.unusedSuppression } ?? .info, stats: stats)
        }
        if let keep = article.categories {
            report.findings.removeAll { !keep.contains($0.category) }
        }
        return Linted(report: report, lineText: LintRunner.contextLines(report, doc), linted: p.bytes, bodyStart: p.bodyStart, format: p.format)
    }

    // MARK: clean

    /// What cleaning one article gave.
    public struct Cleaned: Sendable {
        /// The cleaned body (a separate headline is never changed and not part of it).
        public var cleaned: [UInt8]
        /// A unified diff from the body to the cleaned body (empty when nothing changed).
        public var diff: [UInt8]
        /// 1-based lines of the body that were removed.
        public var removedLines: [Int]
        /// Lines kept although they carry a finding (junk inside a sentence of the story).
        public var keptLines: [Cleaner.KeptLine]
        /// The findings that decided the removals (positions in the body).
        public var findings: [Finding]
        public var errors: [FileError]
        public var changed: Bool { !removedLines.isEmpty }
    }

    /// Removes the lines that carry ads, polls and boilerplate findings (or `categories`), the
    /// way `copydesk clean` does. A separate headline is used for nothing but is not cleaned.
    public func clean(_ article: Article, categories: Set<Category> = Set(Cleaner.removableCategories)) -> Cleaned {
        var body = article
        body.headline = nil
        let p = prepare(body)
        var options = Cleaner.Options()
        options.categories = article.categories.map { $0.intersection(categories) } ?? categories
        options.format = p.format
        options.headline = article.headline != nil ? HeadlineMode.none : p.headline
        options.rules = p.plan?.rules
        let result = withScratch { scratch in
            Cleaner.clean(p.bytes, path: p.path, linter: linter, options: options, scratch: scratch)
        }
        let diff = result.changed ? UnifiedDiff.render(result.plan, original: p.bytes, path: p.path) : []
        return Cleaned(cleaned: result.cleaned, diff: diff, removedLines: result.removedLines, keptLines: result.keptLines,
                       findings: result.findings, errors: result.errors)
    }

    // MARK: scratch

    /// Runs `body` with a match scratch of this engine's limits, taken from the pool (a new one
    /// when every pooled one is in use) and put back after.
    public func withScratch<T>(_ body: (MatchScratch) throws -> T) rethrows -> T {
        let taken = pool.withLock { $0.popLast() } ?? PooledScratch(MatchScratch(limits: limits))
        defer { pool.withLock { if $0.count < 64 { $0.append(taken) } } }
        return try body(taken.scratch)
    }
}

/// A scratch in the pool: used by one caller at a time (taken out under the lock, put back
/// after), so handing it between threads is safe.
private struct PooledScratch: @unchecked Sendable {
    let scratch: MatchScratch
    init(_ scratch: MatchScratch) { self.scratch = scratch }
}

/// An engine that can be replaced while it is in use (a server reloading its rules on SIGHUP, a
/// language server re-reading configuration): readers take the current engine, which stays
/// valid for as long as they hold it.
public final class EngineReference: Sendable {
    private let engine: Mutex<Engine>
    public init(_ engine: Engine) { self.engine = Mutex(engine) }
    public var current: Engine { engine.withLock { $0 } }
    public func replace(with new: Engine) { engine.withLock { $0 = new } }
}
