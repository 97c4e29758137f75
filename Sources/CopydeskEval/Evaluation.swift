import Foundation
import CopydeskCore
import CopydeskWorkflow

/// Everything `copydesk eval` needs besides the dataset and the rules.
public struct EvalOptions: Sendable {
    public var unit: EvalUnit
    public var textField = "text"
    /// nil: the dataset has no labels; findings are counted and listed for review.
    public var labelField: String? = "label"
    /// Article unit: the field holding the title (optional in each row).
    public var titleField = "title"
    /// Shown with examples when a row has it.
    public var idField = "id"
    /// Categories to score (labeled) or count (unlabeled); empty: the categories the labels name
    /// (labeled), every category (unlabeled).
    public var categories: [Category] = []
    public var labelMap = LabelMap()
    public var split: EvalSplit = .all
    /// False positives and false negatives (or, unlabeled, findings) to list per category.
    public var showErrors = 0
    public var reader: DocumentFormat = .text
    /// nil: guessed from the extension or the content.
    public var format: DatasetFormat? = nil
    public var stats = false
    public var limits: MatchLimits = .default
    public var workers = System.coreCount

    public init(unit: EvalUnit) { self.unit = unit }
}

/// A dataset or label problem that stops the evaluation.
public struct EvalError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

public enum Evaluation {
    /// Reads the dataset, lints every item of the split and scores the findings.
    public static func run(dataset path: String, options: EvalOptions, linter: Linter) throws(EvalError) -> EvalReport {
        var required = [options.textField]
        if let l = options.labelField { required.append(l) }
        var optional = [options.idField]
        if options.unit == .article { optional.append(options.titleField) }
        let dataset: Dataset
        do {
            dataset = try DatasetReader.read(path: path, format: options.format, required: required, optional: optional.filter { !required.contains($0) })
        } catch {
            throw EvalError(path: error.path, message: error.message + (error.missingField ? hint(options) : ""))
        }
        if dataset.rowCount == 0 {
            throw EvalError(path: path, message: dataset.format == .tsv ? "no data rows after the header" : "no data rows")
        }
        return try evaluate(dataset, options: options, linter: linter)
    }

    static func hint(_ o: EvalOptions) -> String {
        var flags = "; choose the fields with --text-field"
        flags += o.labelField == nil ? "" : " and --label-field (or --no-labels for unlabeled data)"
        return flags
    }

    /// Scores an already-read dataset.
    public static func evaluate(_ dataset: Dataset, options: EvalOptions, linter: Linter) throws(EvalError) -> EvalReport {
        let (items, categories, problems) = try prepare(dataset, options: options)
        let selected = items.filter { options.split.contains(rowIndex: $0.index) }
        let name = dataset.path == "-" ? "<stdin>" : dataset.path
        let (outcomes, stats) = Evaluator.lint(selected, unit: options.unit, linter: linter, datasetName: name,
                                               reader: options.reader, limits: options.limits, stats: options.stats,
                                               workers: options.workers)
        var report = EvalReport.build(items: selected, outcomes: outcomes, categories: categories, ruleSet: linter.ruleSet, options: options)
        report.dataset = EvalReport.DatasetInfo(
            path: dataset.path, format: dataset.format, unit: options.unit, split: options.split,
            textField: options.textField, labelField: options.labelField,
            rows: dataset.rowCount, usable: items.count, items: selected.count, skipped: problems.count)
        report.problems = problems
        report.stats = stats
        return report
    }

    /// Turns rows into items: text, title, id and gold label. Rows with an empty label are problems.
    static func prepare(_ dataset: Dataset, options: EvalOptions) throws(EvalError) -> ([EvalItem], [Category], [DatasetProblem]) {
        var problems = dataset.problems
        var items: [EvalItem] = []
        items.reserveCapacity(dataset.rows.count)
        guard let labelField = options.labelField else {
            for row in dataset.rows {
                items.append(EvalItem(index: row.index, line: row.line, id: row.fields[options.idField],
                                      text: row.fields[options.textField] ?? "", title: row.fields[options.titleField]))
            }
            let cats = options.categories.isEmpty ? Category.allCases : options.categories
            return (items, cats, problems)
        }
        let positiveCategory: Category? = options.categories.count == 1 ? options.categories[0]
            : options.categories.isEmpty ? options.unit.defaultCategory : nil
        var unknown: [String: Int] = [:]
        var unknownOrder: [String] = []
        var positiveWithoutCategory: String? = nil
        var named = Set<Category>()
        for row in dataset.rows {
            let raw = row.fields[labelField] ?? ""
            if raw.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(DatasetProblem(line: row.line, message: "empty label in field '\(labelField)'"))
                continue
            }
            let gold: Gold
            switch options.labelMap.target(for: raw) {
            case nil:
                if unknown[raw] == nil { unknownOrder.append(raw) }
                unknown[raw, default: 0] += 1
                continue
            case .positive?:
                guard let c = positiveCategory else { positiveWithoutCategory = positiveWithoutCategory ?? raw; continue }
                gold = .positive(c)
            case .category(let c)?: gold = .positive(c)
            case .negative?: gold = .negative
            case .neutral?: gold = .neutral
            }
            if case .positive(let c) = gold { named.insert(c) }
            items.append(EvalItem(index: row.index, line: row.line, id: row.fields[options.idField],
                                  text: row.fields[options.textField] ?? "", title: row.fields[options.titleField],
                                  label: raw.trimmingCharacters(in: .whitespaces), gold: gold))
        }
        if !unknown.isEmpty {
            let shown = unknownOrder.prefix(8).map { "'\($0)' (\(unknown[$0]!) row\(unknown[$0]! == 1 ? "" : "s"))" }.joined(separator: ", ")
            let more = unknownOrder.count > 8 ? " and \(unknownOrder.count - 8) more" : ""
            throw EvalError(path: dataset.path, message: "label values in field '\(labelField)' that mean nothing to eval: \(shown)\(more); map them with --label-map VALUE=TARGET (TARGET: a category, positive, negative or neutral), or pass --no-labels if the field is not a label for this task")
        }
        if let raw = positiveWithoutCategory {
            let why = options.categories.count > 1 ? "several categories were given" : "the \(options.unit.rawValue) unit has no default category"
            throw EvalError(path: dataset.path, message: "label '\(raw)' marks a positive, but for which category? \(why); pass exactly one --category, or map the value with --label-map \(raw)=CATEGORY")
        }
        var cats = options.categories
        if cats.isEmpty {
            cats = Category.allCases.filter { named.contains($0) }
            if cats.isEmpty { cats = positiveCategory.map { [$0] } ?? Category.allCases }
        }
        return (items, cats, problems.sorted { $0.line < $1.line })
    }
}

/// The result of `copydesk eval`: JSON report version 1 (sorted keys; see README "Accuracy").
public struct EvalReport: Sendable, Encodable {
    public struct DatasetInfo: Sendable, Encodable {
        public var path: String
        public var format: DatasetFormat
        public var unit: EvalUnit
        public var split: EvalSplit
        public var textField: String
        public var labelField: String?
        /// Data rows in the file.
        public var rows: Int
        /// Rows that could be used (every split).
        public var usable: Int
        /// Rows evaluated (the selected split).
        public var items: Int
        /// Rows left out (see `problems`).
        public var skipped: Int

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(format, forKey: .format)
            try c.encode(unit, forKey: .unit)
            try c.encode(split, forKey: .split)
            try c.encode(textField, forKey: .textField)
            try c.encode(labelField, forKey: .labelField)   // null when unlabeled
            try c.encode(rows, forKey: .rows)
            try c.encode(usable, forKey: .usable)
            try c.encode(items, forKey: .items)
            try c.encode(skipped, forKey: .skipped)
        }
        enum CodingKeys: String, CodingKey { case path, format, unit, split, textField, labelField, rows, usable, items, skipped }
    }

    /// Confusion counts and scores for one category (labeled), one-vs-rest: items labeled with
    /// another category are negatives for this one; neutral items are not scored.
    public struct Score: Sendable, Encodable, Equatable {
        public var category: String
        public var positives = 0
        public var negatives = 0
        public var neutral = 0
        public var tp = 0, fp = 0, fn = 0, tn = 0
        /// Neutral items flagged (neither credit nor fault).
        public var neutralFlagged = 0
        /// Overall row only: flagged positives whose finding was of another category (counted in fp and fn).
        public var wrongCategory: Int? = nil
        public var precision: Double? { tp + fp > 0 ? Double(tp) / Double(tp + fp) : nil }
        public var recall: Double? { tp + fn > 0 ? Double(tp) / Double(tp + fn) : nil }
        public var f1: Double? {
            guard let p = precision, let r = recall, p + r > 0 else { return nil }
            return 2 * p * r / (p + r)
        }

        enum CodingKeys: String, CodingKey { case category, positives, negatives, neutral, tp, fp, fn, tn, neutralFlagged, wrongCategory, precision, recall, f1 }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(category, forKey: .category)
            try c.encode(positives, forKey: .positives)
            try c.encode(negatives, forKey: .negatives)
            try c.encode(neutral, forKey: .neutral)
            try c.encode(tp, forKey: .tp)
            try c.encode(fp, forKey: .fp)
            try c.encode(fn, forKey: .fn)
            try c.encode(tn, forKey: .tn)
            try c.encode(neutralFlagged, forKey: .neutralFlagged)
            try c.encodeIfPresent(wrongCategory, forKey: .wrongCategory)
            try c.encode(precision.map(EvalReport.round4), forKey: .precision)   // null when undefined
            try c.encode(recall.map(EvalReport.round4), forKey: .recall)
            try c.encode(f1.map(EvalReport.round4), forKey: .f1)
        }
    }

    /// Recall per label value (positives) and how often items with the label were flagged.
    public struct LabelScore: Sendable, Encodable, Equatable {
        public var label: String
        /// A category, `negative` or `neutral`.
        public var target: String
        public var items = 0
        /// Positives found by a finding of their category (nil for negative and neutral labels,
        /// and for categories not scored).
        public var found: Int? = nil
        /// Items flagged by any scored category.
        public var flagged = 0
        public var recall: Double? { found.map { items > 0 ? Double($0) / Double(items) : 0 } }

        enum CodingKeys: String, CodingKey { case label, target, items, found, flagged, recall }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(label, forKey: .label)
            try c.encode(target, forKey: .target)
            try c.encode(items, forKey: .items)
            try c.encode(found, forKey: .found)
            try c.encode(flagged, forKey: .flagged)
            try c.encode(recall.map(EvalReport.round4), forKey: .recall)
        }
    }

    /// Unlabeled: findings per category.
    public struct Count: Sendable, Encodable, Equatable {
        public var category: String
        public var findings = 0
        /// Items with at least one finding of the category.
        public var items = 0
        public var per100Items = 0.0
    }

    /// Per rule of a scored category: items it matched in (every rule that matched, not only the one
    /// speaking for a merged finding), and how those split by label.
    public struct RuleScore: Sendable, Encodable, Equatable {
        public var id: String
        public var category: String
        public var items = 0
        /// Findings reported under this rule (after merging).
        public var findings = 0
        /// Labeled only: matched items positive for the rule's category, negative (or another
        /// category), neutral; and positives no other rule of the category found.
        public var tp: Int? = nil
        public var fp: Int? = nil
        public var neutral: Int? = nil
        public var only: Int? = nil
    }

    /// A false positive, a false negative, or (unlabeled) a finding to review.
    public struct Example: Sendable, Encodable, Equatable {
        public enum Kind: String, Sendable, Encodable { case falsePositive, falseNegative, finding }
        public var kind: Kind
        public var category: String
        /// 1-based line of the row in the dataset.
        public var line: Int
        public var id: String?
        public var label: String?
        /// The item (headline, sentence, line); for articles, the title.
        public var text: String?
        /// Rules of `category` that matched (false positives and findings).
        public var rules: [String]
        /// False positives and findings: the findings of `category`. False negatives: the findings
        /// of other categories (what did fire), if any.
        public var findings: [ExampleFinding]
    }

    public struct ExampleFinding: Sendable, Encodable, Equatable {
        public var rule: String
        public var category: String
        public var line: Int
        public var column: Int
        public var match: String
        /// Articles: the source line, shortened around the match.
        public var context: String?
    }

    public var version = 1
    public struct Tool: Sendable, Encodable, Equatable {
        public var name = "copydesk"
        public var version = CopydeskVersion.current
    }
    public var tool = Tool()
    public var dataset: DatasetInfo
    public var labeled: Bool
    /// Scored (labeled) or counted (unlabeled) categories, in order.
    public var categories: [String]
    public var scores: [Score] = []
    /// Over every scored category at once (only when more than one is scored): a flagged item is
    /// right when one of its findings has the item's category.
    public var overall: Score? = nil
    public var labels: [LabelScore] = []
    public var counts: [Count] = []
    /// Items with at least one finding of a scored (or counted) category.
    public var flaggedItems = 0
    public var rules: [RuleScore] = []
    public var examples: [Example] = []
    /// How many false positives, false negatives or findings exist per category, as "kind:category".
    public var exampleTotals: [String: Int] = [:]
    public var problems: [DatasetProblem] = []
    /// Match-limit errors while linting items.
    public var errors: [FileError] = []
    public var stats: RuleStats? = nil

    enum CodingKeys: String, CodingKey {
        case version, tool, dataset, labeled, categories, scores, overall, labels, counts, flaggedItems, rules, examples, exampleTotals, problems, errors, stats
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(tool, forKey: .tool)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(labeled, forKey: .labeled)
        try c.encode(categories, forKey: .categories)
        if labeled {
            try c.encode(scores, forKey: .scores)
            try c.encodeIfPresent(overall, forKey: .overall)
            try c.encode(labels, forKey: .labels)
        } else {
            try c.encode(counts, forKey: .counts)
        }
        try c.encode(flaggedItems, forKey: .flaggedItems)
        try c.encode(rules, forKey: .rules)
        try c.encode(examples, forKey: .examples)
        try c.encode(exampleTotals, forKey: .exampleTotals)
        try c.encode(problems, forKey: .problems)
        try c.encode(errors, forKey: .errors)
        try c.encodeIfPresent(stats, forKey: .stats)
    }

    static func round4(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }

    /// Scores `outcomes` (one per item, same order).
    static func build(items: [EvalItem], outcomes: [EvalOutcome], categories: [Category], ruleSet: RuleSet, options: EvalOptions) -> EvalReport {
        let labeled = options.labelField != nil
        let scored = Set(categories)
        var report = EvalReport(dataset: DatasetInfo(path: "", format: .tsv, unit: options.unit, split: options.split, textField: options.textField,
                                                     labelField: options.labelField, rows: 0, usable: 0, items: 0, skipped: 0),
                                labeled: labeled, categories: categories.map(\.rawValue))
        let ruleCategory = Dictionary(ruleSet.rules.map { ($0.id, $0.category) }, uniquingKeysWith: { a, _ in a })
        var ruleScores: [String: RuleScore] = [:]
        for r in ruleSet.rules where scored.contains(r.category) {
            ruleScores[r.id] = RuleScore(id: r.id, category: r.category.rawValue, tp: labeled ? 0 : nil, fp: labeled ? 0 : nil,
                                         neutral: labeled ? 0 : nil, only: labeled ? 0 : nil)
        }
        var scores = categories.map { Score(category: $0.rawValue) }
        var overall = Score(category: categories.map(\.rawValue).joined(separator: "+"))
        overall.wrongCategory = 0
        var counts = categories.map { Count(category: $0.rawValue) }
        var labelScores: [String: LabelScore] = [:]
        var labelOrder: [String] = []
        var examples: [Example] = []
        var totals: [String: Int] = [:]

        func exampleFindings(_ o: EvalOutcome, _ keep: (Finding) -> Bool) -> [ExampleFinding] {
            o.findings.filter(keep).map { f in
                ExampleFinding(rule: f.rule, category: f.category.rawValue, line: f.span.start.line, column: f.span.start.column,
                               match: f.match, context: options.unit == .article ? o.lines[f.span.start.line].map { EvalReport.clip($0, around: f) } : nil)
            }
        }
        func addExample(_ kind: Example.Kind, _ c: Category, _ item: EvalItem, _ o: EvalOutcome, findings: [ExampleFinding]) {
            let key = "\(kind.rawValue):\(c.rawValue)"
            totals[key, default: 0] += 1
            guard totals[key]! <= options.showErrors else { return }
            let rules = o.matchedRules.filter { ruleCategory[$0] == c }
            examples.append(Example(kind: kind, category: c.rawValue, line: item.line, id: item.id, label: item.label,
                                    text: options.unit == .article ? item.title : item.text, rules: rules, findings: findings))
        }

        for (item, o) in zip(items, outcomes) {
            report.errors.append(contentsOf: o.errors)
            var flagged = Set<Category>()
            for f in o.findings where scored.contains(f.category) { flagged.insert(f.category) }
            if !flagged.isEmpty { report.flaggedItems += 1 }
            // Rules.
            var matchedByCategory: [Category: [String]] = [:]
            for id in o.matchedRules {
                guard let c = ruleCategory[id], scored.contains(c) else { continue }
                matchedByCategory[c, default: []].append(id)
            }
            for f in o.findings where ruleScores[f.rule] != nil { ruleScores[f.rule]!.findings += 1 }
            for (c, ids) in matchedByCategory {
                for id in ids {
                    ruleScores[id]!.items += 1
                    guard labeled, let gold = item.gold else { continue }
                    switch gold {
                    case .positive(let g) where g == c:
                        ruleScores[id]!.tp! += 1
                        if ids.count == 1 { ruleScores[id]!.only! += 1 }
                    case .neutral: ruleScores[id]!.neutral! += 1
                    default: ruleScores[id]!.fp! += 1
                    }
                }
            }
            guard labeled, let gold = item.gold else {
                for (k, c) in categories.enumerated() {
                    let n = o.findings.filter { $0.category == c }.count
                    if n == 0 { continue }
                    counts[k].findings += n
                    counts[k].items += 1
                    addExample(.finding, c, item, o, findings: exampleFindings(o) { $0.category == c })
                }
                continue
            }
            // Per category, one-vs-rest.
            for (k, c) in categories.enumerated() {
                let isFlagged = flagged.contains(c)
                switch gold {
                case .neutral:
                    scores[k].neutral += 1
                    if isFlagged { scores[k].neutralFlagged += 1 }
                case .positive(let g) where g == c:
                    scores[k].positives += 1
                    if isFlagged { scores[k].tp += 1 } else {
                        scores[k].fn += 1
                        addExample(.falseNegative, c, item, o, findings: exampleFindings(o) { $0.category != c })
                    }
                default:
                    scores[k].negatives += 1
                    if isFlagged {
                        scores[k].fp += 1
                        addExample(.falsePositive, c, item, o, findings: exampleFindings(o) { $0.category == c })
                    } else { scores[k].tn += 1 }
                }
            }
            // Overall.
            switch gold {
            case .neutral:
                overall.neutral += 1
                if !flagged.isEmpty { overall.neutralFlagged += 1 }
            case .positive(let g) where scored.contains(g):
                overall.positives += 1
                if flagged.contains(g) { overall.tp += 1 } else {
                    overall.fn += 1
                    if !flagged.isEmpty { overall.fp += 1; overall.wrongCategory! += 1 }
                }
            default:
                overall.negatives += 1
                if flagged.isEmpty { overall.tn += 1 } else { overall.fp += 1 }
            }
            // Per label.
            let label = item.label ?? ""
            let key = LabelMap.key(label)
            if labelScores[key] == nil {
                labelOrder.append(key)
                let target: String
                switch gold {
                case .positive(let c): target = c.rawValue
                case .negative: target = "negative"
                case .neutral: target = "neutral"
                }
                var s = LabelScore(label: label, target: target)
                if case .positive(let c) = gold, scored.contains(c) { s.found = 0 }
                labelScores[key] = s
            }
            labelScores[key]!.items += 1
            if !flagged.isEmpty { labelScores[key]!.flagged += 1 }
            if case .positive(let c) = gold, flagged.contains(c) { labelScores[key]!.found! += 1 }
        }
        let n = max(1, items.count)
        for k in counts.indices { counts[k].per100Items = EvalReport.round4(Double(counts[k].findings) * 100 / Double(n)) }
        if labeled {
            report.scores = scores
            if categories.count > 1 { report.overall = overall }
            // Positive labels first (by category order, then label), then negative, then neutral.
            func rank(_ s: LabelScore) -> (Int, String) {
                if let i = categories.firstIndex(where: { $0.rawValue == s.target }) { return (i, s.label) }
                if s.target == "negative" { return (100, s.label) }
                if s.target == "neutral" { return (101, s.label) }
                return (99, s.label)   // a category that is not scored
            }
            report.labels = labelOrder.map { labelScores[$0]! }.sorted { rank($0) < rank($1) }
        } else {
            report.counts = counts
        }
        func order(_ r: RuleScore) -> (Int, String) { (categories.firstIndex { $0.rawValue == r.category } ?? categories.count, r.id) }
        report.rules = ruleScores.values.sorted { order($0) < order($1) }
        report.examples = examples
        report.exampleTotals = totals
        return report
    }

    /// The line shortened to about 80 scalars either side of the finding.
    static func clip(_ line: String, around f: Finding) -> String {
        let scalars = Array(line.unicodeScalars)
        let start = min(max(0, f.span.start.column - 1), scalars.count)
        let end = f.span.end.line == f.span.start.line ? min(max(start, f.span.end.column - 1), scalars.count) : scalars.count
        let lo = max(0, start - 80), hi = min(scalars.count, end + 80)
        var s = lo > 0 ? "…" : ""
        s += String(String.UnicodeScalarView(scalars[lo..<hi]))
        if hi < scalars.count { s += "…" }
        return s
    }
}
