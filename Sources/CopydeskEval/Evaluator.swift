import Dispatch
import Synchronization
import CopydeskCore
import CopydeskWorkflow

/// Where an item of a dataset sits in an article, which decides the rules that see it.
public enum EvalUnit: String, Sendable, CaseIterable, Codable {
    /// The article's title: `headline`-scope rules see it, body rules do not.
    case headline
    /// Body text: a paragraph of its own.
    case sentence
    /// A standalone line of the body (a paragraph of one line), where ads, polls and boilerplate sit.
    case line
    /// A whole file; the title, when there is one, is its headline.
    case article
    /// Document units: each row's text is linted as one article in a chosen layout
    /// (`--layout`), and each of its content lines is an item (ids `<file-stem>/<row>/<line>`).
    case articleLine = "article-line"
    /// Document units: the rows of one `--document-field` value, ordered by `--order-field`, are
    /// one page (its blocks joined by the layout); each row (block) is an item.
    case block

    /// Whether one document yields several items (linted once, items scored by position).
    public var isDocumentUnit: Bool { self == .articleLine || self == .block }

    /// The category a binary label (`1`/`0`) is about when `--category` does not say.
    public var defaultCategory: Category? {
        switch self {
        case .headline: .clickbait
        case .sentence: .attribution
        case .line, .article, .articleLine, .block: nil
        }
    }

    /// The article that puts `text` where this unit lives. Headlines, sentences and lines are one
    /// line (line breaks inside them become spaces); an article is read like a file by `lint`:
    /// with a title, the title is the first line and the headline (`# title` for Markdown);
    /// without one, the headline is found as `lint --headline auto` would.
    public func document(text: String, title: String?, path: String, reader: DocumentFormat = .text) -> Document {
        switch self {
        case .headline:
            return Document(path: path, bytes: EvalUnit.oneLine(text) + [0x0A], format: .text, headline: .firstLine)
        case .sentence, .line, .articleLine, .block:
            return Document(path: path, bytes: EvalUnit.oneLine(text) + [0x0A], format: .text, headline: HeadlineMode.none)
        case .article:
            let body = Array(text.utf8)
            let t = title.map(EvalUnit.oneLine) ?? []
            if t.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                let head: [UInt8] = reader == .markdown ? Array("# ".utf8) + t : t
                return Document(path: path, bytes: head + [0x0A, 0x0A] + body, format: reader, headline: .firstLine)
            }
            return Document(path: path, bytes: body, format: reader, headline: .auto)
        }
    }

    /// `s` as UTF-8 with every line break (`\r\n`, `\r`, `\n`, U+2028, U+2029) replaced by a space.
    static func oneLine(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var lastCR = false
        for sc in s.unicodeScalars {
            switch sc {
            case "\n":
                if !lastCR { out.append(0x20) }
                lastCR = false
            case "\r", "\u{2028}", "\u{2029}":
                out.append(0x20)
                lastCR = sc == "\r"
            default:
                out.append(contentsOf: String(sc).utf8)
                lastCR = false
            }
        }
        return out
    }
}

/// Which rows an evaluation uses. The hold-out part is every fifth data row: rows whose 0-based
/// index (header and blank lines not counted) is a multiple of 5, i.e. rows 0, 5, 10, …
public enum EvalSplit: String, Sendable, CaseIterable, Codable {
    /// The 80% used while tuning rules.
    case dev
    /// The 20% kept out of tuning.
    case holdout
    case all

    public static let holdoutEvery = 5

    public func contains(rowIndex i: Int) -> Bool {
        switch self {
        case .all: true
        case .holdout: i % EvalSplit.holdoutEvery == 0
        case .dev: i % EvalSplit.holdoutEvery != 0
        }
    }
}

/// One dataset row ready to lint.
public struct EvalItem: Sendable, Equatable {
    public var index: Int
    public var line: Int
    public var id: String?
    public var text: String
    public var title: String?
    /// The raw label value (nil in an unlabeled dataset).
    public var label: String?
    public var gold: Gold?
    /// The value of the `--group-by` field (nil: none asked for; "" when the row lacks it).
    public var group: String? = nil

    public init(index: Int, line: Int, id: String? = nil, text: String, title: String? = nil, label: String? = nil, gold: Gold? = nil) {
        self.index = index
        self.line = line
        self.id = id
        self.text = text
        self.title = title
        self.label = label
        self.gold = gold
    }
}

/// What linting one item gave.
public struct EvalOutcome: Sendable {
    public var findings: [Finding]
    /// Every rule that matched in the item (not only those speaking for a merged finding), by id.
    public var matchedRules: [String]
    public var errors: [FileError]
    /// Source lines of the document, for showing findings in context (kept only for articles).
    public var lines: [Int: String]
}

/// Lints dataset items with the same `Linter` as `lint`, in parallel, results in item order.
public enum Evaluator {
    /// Lints whole documents (document units) and gives one outcome per item, in document and item
    /// order: the findings overlapping the item's range, and every rule whose own findings (the rule
    /// run alone on the document, so merged findings still credit each rule) overlap it. Match-limit
    /// errors are given with the document's first item.
    public static func lintDocuments(_ docs: [EvalDocument], linter: Linter, datasetName: String,
                                     limits: MatchLimits = .default, stats: Bool = false,
                                     workers: Int = System.coreCount) -> (outcomes: [EvalOutcome], stats: RuleStats?) {
        // One document a batch: documents are few and large.
        parallel(count: docs.count, batch: 1, limits: limits, stats: stats, workers: workers) { d, scratch, collector in
            let spec = docs[d]
            let doc = Document(path: "\(datasetName):\(spec.line)", bytes: spec.bytes, format: spec.reader, headline: spec.headline)
            let report = linter.lint(doc, scratch: scratch, stats: collector)
            // Where each rule that matched would report, run alone (no merging with other rules).
            var perRule: [(id: String, ranges: [Range<Int>])] = []
            var seen = Set<String>()
            for (rule, _) in collector.lastDocument where seen.insert(rule.id).inserted {
                let alone = linter.lint(doc, scratch: scratch, rules: [rule], unusedSuppression: nil)
                perRule.append((rule.id, alone.findings.map(\.byteRange)))
            }
            var out: [EvalOutcome] = []
            out.reserveCapacity(spec.itemRanges.count)
            for (k, r) in spec.itemRanges.enumerated() {
                let findings = report.findings.filter { EvalDocument.overlaps($0.byteRange, r) }
                let matched = perRule.filter { $0.ranges.contains { EvalDocument.overlaps($0, r) } }.map(\.id)
                out.append(EvalOutcome(findings: findings, matchedRules: matched, errors: k == 0 ? report.errors : [], lines: [:]))
            }
            return out
        }
    }

    public static func lint(_ items: [EvalItem], unit: EvalUnit, linter: Linter, datasetName: String,
                            reader: DocumentFormat = .text, limits: MatchLimits = .default,
                            stats: Bool = false, workers: Int = System.coreCount) -> (outcomes: [EvalOutcome], stats: RuleStats?) {
        // Small batches keep the lock cold and the cores busy to the end.
        let batch = max(1, min(256, items.count / max(1, workers * 16)))
        return parallel(count: items.count, batch: batch, limits: limits, stats: stats, workers: workers) { i, scratch, collector in
            let item = items[i]
            let doc = unit.document(text: item.text, title: item.title, path: "\(datasetName):\(item.line)", reader: reader)
            let report = linter.lint(doc, scratch: scratch, stats: collector)
            var lines: [Int: String] = [:]
            if unit == .article { lines = LintRunner.contextLines(report, doc) }
            return [EvalOutcome(findings: report.findings, matchedRules: collector.lastDocument.map(\.rule.id),
                                errors: report.errors, lines: lines)]
        }
    }

    /// Runs `body` for indices 0..<count on up to `workers` threads (each with its own match
    /// scratch and stats collector), `batch` indices a claim, and joins the outcomes in index order.
    static func parallel(count: Int, batch: Int, limits: MatchLimits, stats: Bool, workers: Int,
                         _ body: @Sendable (Int, MatchScratch, RuleStatsCollector) -> [EvalOutcome])
        -> (outcomes: [EvalOutcome], stats: RuleStats?) {
        let started = DispatchTime.now().uptimeNanoseconds
        let results = Mutex<[Int: [EvalOutcome]]>([:])
        let parts = Mutex<[RuleStats]>([])
        let next = Atomic<Int>(0)
        let batches = (count + batch - 1) / batch
        let workerCount = max(1, min(workers, batches))
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            let scratch = MatchScratch(limits: limits)
            let collector = RuleStatsCollector(timing: stats)
            while true {
                let b = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if b >= batches { break }
                var out: [EvalOutcome] = []
                for i in (b * batch)..<min(count, (b + 1) * batch) { out.append(contentsOf: body(i, scratch, collector)) }
                results.withLock { $0[b] = out }
            }
            if stats { parts.withLock { $0.append(collector.snapshot()) } }
        }
        let done = results.withLock { $0 }
        var outcomes: [EvalOutcome] = []
        outcomes.reserveCapacity(count)
        for b in 0..<batches { outcomes.append(contentsOf: done[b] ?? []) }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        return (outcomes, stats ? RuleStats.merged(parts.withLock { $0 }, wallTimeMs: wall, threads: workerCount) : nil)
    }
}
