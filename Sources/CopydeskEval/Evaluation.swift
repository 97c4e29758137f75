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
    /// Labels joined by id from this file (columns `id`, `label`) instead of the label field.
    public var labelsFile: String? = nil
    /// Also report figures per value of this field (of the row, else of the labels file).
    public var groupBy: String? = nil
    /// Document units: how the text is laid out before linting.
    public var layout: EvalLayout = .singleNewline
    /// Block unit: the field naming a block's document, and the field ordering blocks in it.
    public var documentField = "doc"
    public var orderField = "idx"

    public init(unit: EvalUnit) { self.unit = unit }

    /// Whether items are scored against labels (from the label field or a labels file).
    public var labeled: Bool { labelField != nil || labelsFile != nil }

    /// Combinations that cannot work.
    func check() throws(EvalError) {
        if unit == .articleLine && labelField != nil && labelsFile == nil {
            throw EvalError(path: "copydesk eval", message: "--unit article-line scores lines labeled in a labels file: pass --labels FILE.tsv (ids <file-stem>/<row>/<line>), or --no-labels to count findings per line")
        }
    }
}

/// A dataset or label problem that stops the evaluation.
public struct EvalError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

public enum Evaluation {
    /// Reads the dataset (and the `--labels` file), lints every item of the split and scores the findings.
    public static func run(dataset path: String, options: EvalOptions, linter: Linter) throws(EvalError) -> EvalReport {
        try options.check()
        let labels = try options.labelsFile.map { f throws(EvalError) in try LabelFile.read(f, groupField: options.groupBy) }
        // With a labels file, a row unit's rows that are not labeled need no text (titles are often
        // null): the text field is read when present and only labeled rows must have it.
        let textOptional = labels != nil && !options.unit.isDocumentUnit
        var required = textOptional ? [] : [options.textField]
        if labels == nil, let l = options.labelField { required.append(l) }
        if options.unit == .block { required += [options.documentField, options.orderField] }
        var optional = (textOptional ? [options.textField] : []) + [options.idField]
        if options.unit == .article || options.unit == .articleLine { optional.append(options.titleField) }
        if let g = options.groupBy { optional.append(g) }
        var seen = Set<String>()
        required = required.filter { seen.insert($0).inserted }
        optional = optional.filter { seen.insert($0).inserted }
        let dataset: Dataset
        do {
            dataset = try DatasetReader.read(path: path, format: options.format, required: required, optional: optional)
        } catch {
            throw EvalError(path: error.path, message: error.message + (error.missingField ? hint(options) : ""))
        }
        if dataset.rowCount == 0 {
            throw EvalError(path: path, message: dataset.format == .tsv ? "no data rows after the header" : "no data rows")
        }
        if let g = options.groupBy, !dataset.columns.contains(g), !(labels?.columns.contains(g) ?? false) {
            let where_ = labels.map { " or in the labels file \($0.path) (columns: \(DatasetReader.list($0.columns)))" } ?? ""
            throw EvalError(path: path, message: "--group-by '\(g)': no such field in the dataset (fields: \(DatasetReader.list(dataset.columns)))\(where_)")
        }
        return try evaluate(dataset, options: options, linter: linter, labels: labels)
    }

    static func hint(_ o: EvalOptions) -> String {
        var flags = "; choose the fields with --text-field"
        if o.unit == .block { flags += ", --document-field, --order-field" }
        flags += o.labelField == nil || o.labelsFile != nil ? "" : " and --label-field (or --no-labels for unlabeled data)"
        return flags
    }

    /// Scores an already-read dataset (labels from its label field, or joined from `labels`).
    public static func evaluate(_ dataset: Dataset, options: EvalOptions, linter: Linter, labels: LabelFile? = nil) throws(EvalError) -> EvalReport {
        try options.check()
        let name = dataset.path == "-" ? "<stdin>" : dataset.path
        var resolver = GoldResolver(options: options, path: dataset.path, labels: labels)
        var problems = dataset.problems
        let selected: [EvalItem]
        let outcomes: [EvalOutcome]
        let stats: RuleStats?
        var usable = 0
        var documentCount: Int? = nil
        if options.unit.isDocumentUnit {
            let docs = try documents(dataset, options: options, resolver: &resolver, problems: &problems)
            usable = docs.reduce(0) { $0 + $1.items.count }
            let chosen = docs.filter { options.split.contains(rowIndex: $0.splitIndex) && !$0.items.isEmpty }
            documentCount = chosen.count
            selected = chosen.flatMap(\.items)
            (outcomes, stats) = Evaluator.lintDocuments(chosen.map(\.document), linter: linter, datasetName: name,
                                                        limits: options.limits, stats: options.stats, workers: options.workers)
        } else {
            let items = try prepare(dataset, options: options, resolver: &resolver, problems: &problems)
            usable = items.count
            selected = items.filter { options.split.contains(rowIndex: $0.index) }
            (outcomes, stats) = Evaluator.lint(selected, unit: options.unit, linter: linter, datasetName: name,
                                               reader: options.reader, limits: options.limits, stats: options.stats,
                                               workers: options.workers)
        }
        let categories = try resolver.finish()
        var report = EvalReport.build(items: selected, outcomes: outcomes, categories: categories, ruleSet: linter.ruleSet, options: options)
        report.dataset = EvalReport.DatasetInfo(
            path: dataset.path, format: dataset.format, unit: options.unit, split: options.split,
            textField: options.textField, labelField: options.labeled ? (labels == nil ? options.labelField : "label") : nil,
            rows: dataset.rowCount, usable: usable, items: selected.count, skipped: problems.count)
        if options.unit.isDocumentUnit {
            report.dataset.layout = options.layout
            report.dataset.documents = documentCount
        }
        report.labelJoin = resolver.joinReport()
        report.problems = (problems + resolver.labelProblems).sorted { ($0.file ?? "", $0.line) < ($1.file ?? "", $1.line) }
        report.stats = stats
        if let g = options.groupBy {
            report.groupBy = g
            report.groups = EvalReport.groups(items: selected, outcomes: outcomes, categories: categories, ruleSet: linter.ruleSet, options: options)
        }
        return report
    }

    /// Turns rows into items: text, title, id and gold label. Rows with an empty label are problems.
    static func prepare(_ dataset: Dataset, options: EvalOptions, resolver: inout GoldResolver, problems: inout [DatasetProblem]) throws(EvalError) -> [EvalItem] {
        var items: [EvalItem] = []
        items.reserveCapacity(dataset.rows.count)
        // A row's ids: its --id-field value, and (for labels files) `<file-stem>/<row>`.
        let stem = EvalDocument.fileStem(dataset.path)
        var candidates = Set<String>()
        if resolver.labels != nil {
            resolver.fileStem = stem
            for row in dataset.rows {
                if let id = row.fields[options.idField] { candidates.insert(id) }
                candidates.insert("\(stem)/\(row.index)")
            }
        }
        for row in dataset.rows {
            var id = row.fields[options.idField]
            if let labels = resolver.labels, id.map({ labels.label[$0] == nil }) ?? true {
                let rowID = "\(stem)/\(row.index)"
                if labels.label[rowID] != nil { id = rowID }
            }
            var item = EvalItem(index: row.index, line: row.line, id: id,
                                text: row.fields[options.textField] ?? "", title: row.fields[options.titleField])
            guard resolver.resolve(&item, id: id, row: row, problems: &problems) else { continue }
            if row.fields[options.textField] == nil {
                problems.append(DatasetProblem(line: row.line, message: "labeled item '\(id ?? "")' has no field '\(options.textField)' (or it is null)"))
                continue
            }
            items.append(item)
        }
        if resolver.labels != nil { resolver.noteCandidates(candidates) }
        return items
    }

    /// A document of a document unit with its items; `splitIndex` decides the split (the row index
    /// for `article-line`, the document's ordinal for `block`).
    struct DocumentItems {
        var document: EvalDocument
        var items: [EvalItem]
        var splitIndex: Int
    }

    /// Builds the documents of `article-line` and `block` and their (labeled) items.
    static func documents(_ dataset: Dataset, options: EvalOptions, resolver: inout GoldResolver, problems: inout [DatasetProblem]) throws(EvalError) -> [DocumentItems] {
        var out: [DocumentItems] = []
        var candidates = Set<String>()
        /// Gives an item its label (or, unlabeled, its group); false when it is not scored.
        func scored(_ item: inout EvalItem, id: String, row: DatasetRow) -> Bool {
            guard options.labeled else {
                if let g = options.groupBy { item.group = resolver.groupValue(id: id, row: row, field: g) }
                return true
            }
            return resolver.resolve(&item, id: id, row: row, problems: &problems)
        }
        switch options.unit {
        case .articleLine:
            let stem = EvalDocument.fileStem(dataset.path)
            resolver.fileStem = stem
            for row in dataset.rows {
                let text = row.fields[options.textField] ?? ""
                let title = row.fields[options.titleField].map(EvalUnit.oneLine) ?? []
                var renderer = LayoutRenderer(layout: options.layout)
                let ranges = renderer.append(text)
                var bytes = renderer.finished
                var offset = 0
                let headline: HeadlineMode
                if title.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                    let head: [UInt8] = (options.reader == .markdown ? Array("# ".utf8) : []) + title + [0x0A, 0x0A]
                    offset = head.count
                    bytes = head + bytes
                    headline = .firstLine
                } else {
                    headline = .auto
                }
                var items: [EvalItem] = []
                var itemRanges: [Range<Int>] = []
                for (k, r) in ranges.enumerated() {
                    let id = "\(stem)/\(row.index)/\(k + 1)"
                    candidates.insert(id)
                    let shifted = (r.lowerBound + offset)..<(r.upperBound + offset)
                    var item = EvalItem(index: row.index, line: row.line, id: id, text: String(decoding: bytes[shifted], as: UTF8.self))
                    guard scored(&item, id: id, row: row) else { continue }
                    items.append(item)
                    itemRanges.append(shifted)
                }
                let doc = EvalDocument(bytes: bytes, headline: headline, reader: options.reader, line: row.line, itemRanges: itemRanges)
                out.append(DocumentItems(document: doc, items: items, splitIndex: row.index))
            }
        case .block:
            // Pages in order of first appearance; blocks by the order field (numerically when both
            // values are numbers), ties in file order.
            var order: [String] = []
            var rowsOf: [String: [DatasetRow]] = [:]
            for row in dataset.rows {
                let key = row.fields[options.documentField] ?? ""
                if rowsOf[key] == nil { order.append(key) }
                rowsOf[key, default: []].append(row)
            }
            for (ordinal, key) in order.enumerated() {
                let rows = rowsOf[key]!.enumerated().sorted { a, b in
                    let x = a.element.fields[options.orderField] ?? "", y = b.element.fields[options.orderField] ?? ""
                    if x != y {
                        if let dx = Double(x), let dy = Double(y) { if dx != dy { return dx < dy } } else { return x < y }
                    }
                    return a.offset < b.offset
                }.map(\.element)
                var renderer = LayoutRenderer(layout: options.layout)
                var items: [EvalItem] = []
                var itemRanges: [Range<Int>] = []
                for row in rows {
                    let text = row.fields[options.textField] ?? ""
                    let ranges = renderer.append(text)
                    let range = ranges.isEmpty ? renderer.bytes.count..<renderer.bytes.count : ranges.first!.lowerBound..<ranges.last!.upperBound
                    let id = row.fields[options.idField] ?? "\(key)/\(row.fields[options.orderField] ?? "")"
                    candidates.insert(id)
                    var item = EvalItem(index: row.index, line: row.line, id: id, text: text)
                    guard scored(&item, id: id, row: row) else { continue }
                    items.append(item)
                    itemRanges.append(range)
                }
                let doc = EvalDocument(bytes: renderer.finished, headline: .auto, reader: .text, line: rows.first?.line ?? 0, itemRanges: itemRanges)
                out.append(DocumentItems(document: doc, items: items, splitIndex: ordinal))
            }
        default:
            break
        }
        if resolver.labels != nil { resolver.noteCandidates(candidates) }
        return out
    }
}

/// Resolves items' gold labels (from the dataset's label field or a joined labels file), collects
/// unknown label values, and keeps the join's bookkeeping.
struct GoldResolver {
    let options: EvalOptions
    let path: String
    let labels: LabelFile?
    var fileStem: String? = nil
    let positiveCategory: Category?
    var unknown: [String: Int] = [:]
    var unknownOrder: [String] = []
    var positiveWithoutCategory: String? = nil
    var named = Set<Category>()
    /// Problems of the labels file itself (listed with the dataset's problems).
    var labelProblems: [DatasetProblem] = []
    var unlabeledItems = 0
    var matchedIDs = Set<String>()
    var candidateIDs = Set<String>()

    init(options: EvalOptions, path: String, labels: LabelFile?) {
        self.options = options
        self.path = path
        self.labels = labels
        positiveCategory = options.categories.count == 1 ? options.categories[0]
            : options.categories.isEmpty ? options.unit.defaultCategory : nil
        labelProblems = labels?.problems ?? []
    }

    func groupValue(id: String?, row: DatasetRow, field: String) -> String {
        if let v = row.fields[field] { return v }
        if let id, let v = labels?.extra[id]?[field] { return v }
        return ""
    }

    /// Sets the item's label, gold and group; false when the item is not scored (no label in the
    /// labels file, an empty label, an unknown value).
    mutating func resolve(_ item: inout EvalItem, id: String?, row: DatasetRow, problems: inout [DatasetProblem]) -> Bool {
        if let g = options.groupBy { item.group = groupValue(id: id, row: row, field: g) }
        guard options.labeled else { return true }
        let raw: String
        if let labels {
            guard let id, let l = labels.label[id] else { unlabeledItems += 1; return false }
            matchedIDs.insert(id)
            raw = l
        } else {
            let field = options.labelField ?? "label"
            raw = row.fields[field] ?? ""
            if raw.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(DatasetProblem(line: row.line, message: "empty label in field '\(field)'"))
                return false
            }
        }
        let gold: Gold
        switch options.labelMap.target(for: raw) {
        case nil:
            if unknown[raw] == nil { unknownOrder.append(raw) }
            unknown[raw, default: 0] += 1
            return false
        case .positive?:
            guard let c = positiveCategory else { positiveWithoutCategory = positiveWithoutCategory ?? raw; return false }
            gold = .positive(c)
        case .category(let c)?: gold = .positive(c)
        case .negative?: gold = .negative
        case .neutral?: gold = .neutral
        }
        if case .positive(let c) = gold { named.insert(c) }
        item.label = raw.trimmingCharacters(in: .whitespaces)
        item.gold = gold
        return true
    }

    mutating func noteCandidates(_ ids: Set<String>) { candidateIDs = ids }

    /// The categories to score; throws on unknown label values or a positive without a category.
    func finish() throws(EvalError) -> [Category] {
        guard options.labeled else {
            return options.categories.isEmpty ? Category.allCases : options.categories
        }
        let source = labels.map { "labels file \($0.path)" } ?? "field '\(options.labelField ?? "label")'"
        let errPath = labels?.path ?? path
        if !unknown.isEmpty {
            let shown = unknownOrder.prefix(8).map { "'\($0)' (\(unknown[$0]!) row\(unknown[$0]! == 1 ? "" : "s"))" }.joined(separator: ", ")
            let more = unknownOrder.count > 8 ? " and \(unknownOrder.count - 8) more" : ""
            throw EvalError(path: errPath, message: "label values in \(source) that mean nothing to eval: \(shown)\(more); map them with --label-map VALUE=TARGET (TARGET: a category, positive, negative or neutral), or pass --no-labels if the field is not a label for this task")
        }
        if let raw = positiveWithoutCategory {
            let why = options.categories.count > 1 ? "several categories were given" : "the \(options.unit.rawValue) unit has no default category"
            throw EvalError(path: errPath, message: "label '\(raw)' marks a positive, but for which category? \(why); pass exactly one --category, or map the value with --label-map \(raw)=CATEGORY")
        }
        if let labels, matchedIDs.isEmpty, !labels.order.isEmpty {
            let sample = labels.order.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
            let want = options.unit == .articleLine ? "<file-stem>/<row>/<line> with file stem '\(fileStem ?? "")'"
                : options.unit == .block ? "the --id-field '\(options.idField)' of a row, else <\(options.documentField)>/<\(options.orderField)>"
                : "the --id-field '\(options.idField)' of a row, or <file-stem>/<row> with file stem '\(fileStem ?? "")'"
            throw EvalError(path: labels.path, message: "no label id matches an item of \(path) (label ids such as \(sample); item ids are \(want))")
        }
        var cats = options.categories
        if cats.isEmpty {
            cats = Category.allCases.filter { named.contains($0) }
            if cats.isEmpty { cats = positiveCategory.map { [$0] } ?? Category.allCases }
        }
        return cats
    }

    func joinReport() -> EvalReport.LabelJoin? {
        guard let labels else { return nil }
        var unmatched: [String] = []
        var otherFiles = 0
        let prefix = fileStem.map { $0 + "/" }
        for id in labels.order where !candidateIDs.contains(id) {
            // `<stem>/<row>` or `<stem>/<row>/<line>` of another file.
            let parts = id.split(separator: "/", omittingEmptySubsequences: false)
            if let prefix, !id.hasPrefix(prefix), parts.count == 2 || parts.count == 3, parts.dropFirst().allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
                otherFiles += 1
                continue
            }
            unmatched.append(id)
        }
        return EvalReport.LabelJoin(path: labels.path, labels: labels.order.count, matched: labels.order.count - unmatched.count - otherFiles,
                                    unmatched: unmatched.count, unmatchedIds: Array(unmatched.prefix(EvalReport.LabelJoin.shown)),
                                    otherFiles: fileStem == nil ? nil : otherFiles, unlabeledItems: unlabeledItems)
    }
}

/// A `--labels` file: TSV (or JSON Lines) with columns `id` and `label`; other columns are kept
/// only for `--group-by`.
public struct LabelFile: Sendable {
    public var path: String
    public var columns: [String]
    /// Label by id.
    public var label: [String: String]
    /// Ids in file order.
    public var order: [String]
    /// The `--group-by` column's value by id, when the file has it.
    public var extra: [String: [String: String]]
    /// Rows left out (wrong field count, empty id or label), with `file` set.
    public var problems: [DatasetProblem]

    public static func read(_ path: String, groupField: String? = nil) throws(EvalError) -> LabelFile {
        let d: Dataset
        do {
            d = try DatasetReader.read(path: path, required: ["id", "label"], optional: groupField.map { [$0] } ?? [])
        } catch {
            throw EvalError(path: error.path, message: "labels file: " + error.message + (error.missingField ? "; a labels file needs the columns 'id' and 'label'" : ""))
        }
        return try parse(d)
    }

    public static func parse(_ d: Dataset) throws(EvalError) -> LabelFile {
        var f = LabelFile(path: d.path, columns: d.columns, label: [:], order: [], extra: [:], problems: [])
        f.problems = d.problems.map { DatasetProblem(line: $0.line, message: $0.message, file: d.path) }
        var firstLine: [String: (Int, String)] = [:]
        var conflicts: [String] = []
        for row in d.rows {
            let id = (row.fields["id"] ?? "").trimmingCharacters(in: .whitespaces)
            let label = (row.fields["label"] ?? "").trimmingCharacters(in: .whitespaces)
            if id.isEmpty || label.isEmpty {
                f.problems.append(DatasetProblem(line: row.line, message: id.isEmpty ? "empty id" : "empty label for id '\(id)'", file: d.path))
                continue
            }
            if let (line, prev) = firstLine[id] {
                if LabelMap.key(prev) != LabelMap.key(label) { conflicts.append("'\(id)' (line \(line): \(prev), line \(row.line): \(label))") }
                continue
            }
            firstLine[id] = (row.line, label)
            f.label[id] = label
            f.order.append(id)
            var rest = row.fields
            rest["id"] = nil
            rest["label"] = nil
            if !rest.isEmpty { f.extra[id] = rest }
        }
        if !conflicts.isEmpty {
            throw EvalError(path: d.path, message: "labels file: \(conflicts.count) id\(conflicts.count == 1 ? " has" : "s have") two different labels: \(conflicts.prefix(5).joined(separator: ", "))\(conflicts.count > 5 ? ", …" : "")")
        }
        if f.order.isEmpty {
            throw EvalError(path: d.path, message: "labels file: no usable rows (need 'id' and 'label' columns with values)")
        }
        return f
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
        /// Document units: the layout, and the documents linted (those with items in the split).
        public var layout: EvalLayout? = nil
        public var documents: Int? = nil

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
            try c.encodeIfPresent(layout, forKey: .layout)
            try c.encodeIfPresent(documents, forKey: .documents)
        }
        enum CodingKeys: String, CodingKey { case path, format, unit, split, textField, labelField, rows, usable, items, skipped, layout, documents }
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

    /// `--labels`: how the labels file joined the dataset.
    public struct LabelJoin: Sendable, Encodable, Equatable {
        static let shown = 10
        public var path: String
        /// Distinct ids in the labels file.
        public var labels: Int
        /// Ids that matched an item (in any split).
        public var matched: Int
        /// Ids that matched no item (`article-line`: not counting ids of other files).
        public var unmatched: Int
        /// The first few unmatched ids, in file order.
        public var unmatchedIds: [String]
        /// Ids of the form `<stem>/<row>` or `<stem>/<row>/<line>` naming another dataset file (another
        /// file stem), not counted as unmatched (nil for `block`).
        public var otherFiles: Int?
        /// Items of the dataset without a label (not scored).
        public var unlabeledItems: Int
    }

    /// Figures for one value of the `--group-by` field.
    public struct Group: Sendable, Encodable, Equatable {
        public var group: String
        public var items: Int
        public var flaggedItems: Int
        public var scores: [Score]?
        public var overall: Score?
        public var labels: [LabelScore]?
        public var counts: [Count]?
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
    public var labelJoin: LabelJoin? = nil
    /// `--group-by`: the field, and the figures per value (sorted by value; "" for items without it).
    public var groupBy: String? = nil
    public var groups: [Group]? = nil

    enum CodingKeys: String, CodingKey {
        case version, tool, dataset, labeled, categories, scores, overall, labels, counts, flaggedItems, rules, examples, exampleTotals, problems, errors, stats
        case labelJoin, groupBy, groups
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
        try c.encodeIfPresent(labelJoin, forKey: .labelJoin)
        try c.encodeIfPresent(groupBy, forKey: .groupBy)
        try c.encodeIfPresent(groups, forKey: .groups)
    }

    /// Per value of the group field: the same figures as the totals (scores, the `all` row and
    /// per-label recall; unlabeled: counts), computed on that group's items alone.
    static func groups(items: [EvalItem], outcomes: [EvalOutcome], categories: [Category], ruleSet: RuleSet, options: EvalOptions) -> [Group] {
        var byGroup: [String: [Int]] = [:]
        for (i, item) in items.enumerated() { byGroup[item.group ?? "", default: []].append(i) }
        var quiet = options
        quiet.showErrors = 0
        return byGroup.keys.sorted().map { key in
            let idx = byGroup[key]!
            let r = build(items: idx.map { items[$0] }, outcomes: idx.map { outcomes[$0] }, categories: categories, ruleSet: ruleSet, options: quiet)
            return Group(group: key, items: idx.count, flaggedItems: r.flaggedItems,
                         scores: r.labeled ? r.scores : nil, overall: r.overall,
                         labels: r.labeled ? r.labels : nil, counts: r.labeled ? nil : r.counts)
        }
    }

    static func round4(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }

    /// Scores `outcomes` (one per item, same order).
    static func build(items: [EvalItem], outcomes: [EvalOutcome], categories: [Category], ruleSet: RuleSet, options: EvalOptions) -> EvalReport {
        let labeled = options.labeled
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
