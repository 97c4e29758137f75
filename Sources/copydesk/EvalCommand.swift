import Foundation
import ArgumentParser
import CopydeskCore
import CopydeskWorkflow
import CopydeskEval

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure the rules on labeled data: precision, recall and F1 per category.",
        discussion: """
            DATASET is a TSV file with a header row, or JSON Lines (one object per line), chosen by \
            extension (.tsv/.tab, .jsonl/.ndjson/.json) or by content; - reads standard input. Each row \
            is one item, linted by the same engine and rules as `copydesk lint`, placed where --unit says:

              headline  the article's title (headline-scope rules)
              sentence  body text, a paragraph of its own
              line      a standalone line of the body (where ads and polls sit)
              article   a whole file; --title-field, when present, is its headline
              article-line  each line of a row's text; the text linted whole
              block     each row (a block); its page linted whole

            Document units lint each document once, in the --layout: single-newline (CRLF/CR to LF, lines \
            stripped, empty lines dropped, joined by one newline), blank-line (the same lines joined by a \
            blank line) or as-is (the text unchanged); an item is flagged for a category when a finding of \
            that category overlaps its text. article-line: the row's title (when present) comes first as \
            the headline and is not an item; every content line is an item with id \
            <file-stem>/<row>/<line> (row: 0-based data row; line: 1-based in the single-newline \
            rendering); it needs --labels or --no-labels. block: the rows sharing --document-field \
            (default doc), ordered by --order-field (default idx), form a page; each row is an item with \
            id its --id-field, else <doc>/<idx>. --split goes by row (article-line) or by page (block).

            Labels (--label-field, compared case-insensitively): 1/true/yes are positives of the one \
            --category (default: clickbait for headlines, attribution for sentences); 0/false/no/content \
            are negatives; a category name is a positive of that category; ad → ads, poll → polls, \
            newsletter/share/recirculation/disclaimer → boilerplate; other-boilerplate is neutral (not \
            scored); claim → attribution, none → negative. --label-map adds or overrides values. \
            --labels FILE.tsv (columns id, label; others ignored except for --group-by) joins labels to \
            items by id instead of a label field (a row matches by its --id-field or as \
            <file-stem>/<row>): only labeled items are scored, and label ids that match no item are \
            counted and listed. An item counts as flagged for a category when a \
            finding of that category is on it.

            Per category (one-vs-rest: an item labeled with another category is a negative): TP, FP, FN, TN, \
            precision, recall, F1; with several categories also an "all" row, and recall per label value. \
            Per rule: the items it matched in and how they were labeled. --group-by FIELD adds the same \
            figures per value of FIELD (a dataset field, else a column of the labels file). With --no-labels, findings are \
            counted per 100 items, and --show-errors lists them for review.

            --split holdout keeps to every fifth data row (0-based row index % 5 == 0, header and blank \
            lines not counted); --split dev is the other 80%. Tune on dev, report both.

            Exit status: 0 when the evaluation ran; 2 when the dataset, a rule file or a row could not be \
            used, or an item hit a match limit (after the report).
            """
    )

    @Argument(help: ArgumentHelp("Labeled data: TSV with a header, or JSON Lines; - reads standard input.", valueName: "DATASET"))
    var dataset: String

    @Option(name: .long, help: "Where each item sits in an article: headline, sentence, line, article, article-line or block.")
    var unit: EvalUnit

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Score (or count) only this category; repeatable or comma-separated. Default: the categories the labels name (all, with --no-labels).", valueName: "CATEGORY"))
    var category: [String] = []

    @Option(name: .customLong("text-field"), help: ArgumentHelp("Column (TSV) or field (JSON) holding the item's text.", valueName: "NAME"))
    var textField = "text"

    @Option(name: .customLong("label-field"), help: ArgumentHelp("Column or field holding the label.", valueName: "NAME"))
    var labelField = "label"

    @Flag(name: .customLong("no-labels"), help: "The data has no labels for this task: count findings per 100 items and list them for review.")
    var noLabels = false

    @Option(name: .customLong("label-map"), parsing: .singleValue, help: ArgumentHelp("What a label value means: VALUE=TARGET, TARGET a category, positive, negative, neutral or a built-in label (e.g. related_content=recirculation); repeatable or comma-separated.", valueName: "VALUE=TARGET"))
    var labelMap: [String] = []

    @Option(name: .customLong("title-field"), help: ArgumentHelp("With --unit article or article-line: the field holding the title (used as the headline when present).", valueName: "NAME"))
    var titleField = "title"

    @Option(name: .customLong("id-field"), help: ArgumentHelp("Field holding a row's id: shown next to listed items, joined with --labels (block: the block's id).", valueName: "NAME"))
    var idField = "id"

    @Option(name: .long, help: ArgumentHelp("Labels joined by id from this TSV (columns id, label) instead of --label-field; only labeled items are scored.", valueName: "FILE"))
    var labels: String?

    @Option(name: .customLong("group-by"), help: ArgumentHelp("Also report the figures per value of this field (dataset field, else labels-file column).", valueName: "FIELD"))
    var groupBy: String?

    @Option(name: .long, help: ArgumentHelp("article-line and block: lay the text out as single-newline, blank-line or as-is.", valueName: "LAYOUT"))
    var layout: EvalLayout = .singleNewline

    @Option(name: .customLong("document-field"), help: ArgumentHelp("block: the field naming a block's document (page).", valueName: "NAME"))
    var documentField = "doc"

    @Option(name: .customLong("order-field"), help: ArgumentHelp("block: the field ordering blocks within a page (numeric when numbers).", valueName: "NAME"))
    var orderField = "idx"

    @Option(name: .long, help: "Rows to evaluate: all, dev (80%) or holdout (every fifth row).")
    var split: EvalSplit = .all

    @Option(name: .customLong("show-errors"), help: ArgumentHelp("List up to N false positives and N false negatives per category, with the rules that fired (with --no-labels: N findings per category).", valueName: "N"))
    var showErrors = 0

    @Option(name: .long, help: "Output format: text or json.")
    var format: EvalOutputFormat = .text

    @Option(name: .customLong("input-format"), help: ArgumentHelp("Read DATASET as tsv or jsonl instead of guessing.", valueName: "FORMAT"))
    var inputFormat: DatasetFormat?

    @Option(name: .long, help: ArgumentHelp("With --unit article: read each article as text or markdown.", valueName: "READER"))
    var reader: DocumentFormat = .text

    @OptionGroup var ruleOptions: RuleOptions

    @Flag(name: .long, help: "Per rule: matches, findings and time spent (a table on stderr; a \"stats\" object in JSON output).")
    var stats = false

    @Option(name: .long, help: ArgumentHelp("Threads to lint with (default: one per core).", valueName: "N"))
    var jobs: Int?

    // --fit (Sources/CopydeskCore/Eval/Fit.swift): kept together here, apart from the rest.
    @Flag(name: .long, help: "Fit the scores of one --category's cues on this labeled data (logistic regression, L2) and print them with a threshold instead of scoring.")
    var fit = false
    @Option(name: .customLong("fit-precision"), help: ArgumentHelp("With --fit: choose the threshold as the lowest score sum keeping this precision on the data (default: the logistic decision point).", valueName: "P"))
    var fitPrecision: Double?
    @Option(name: .customLong("fit-l2"), help: ArgumentHelp("With --fit: L2 strength, pulling each score towards its current value (default 10).", valueName: "LAMBDA"))
    var fitL2 = 10.0
    @Flag(name: .customLong("write-scores"), help: "With --fit: write the fitted scores and threshold into the rule files (--rules DIR, or Rules/ for the built-in rules, from the repository root).")
    var writeScores = false

    func runFit(_ loaded: RuleLoader.Result, _ options: EvalOptions) throws {
        let cats = try categories()
        guard cats.count == 1 else { throw ValidationError("--fit needs exactly one --category") }
        var fo = FitOptions(category: cats[0])
        fo.targetPrecision = fitPrecision
        fo.l2 = fitL2
        let result: FitResult
        do {
            result = try Fit.run(dataset: dataset, options: options, linter: Linter(ruleSet: loaded.ruleSet), fit: fo)
        } catch {
            writeErr("copydesk: \(error)\n")
            throw Exit(code: ExitStatus.trouble)
        }
        writeOut(result.renderText())
        if writeScores {
            for file in try Fit.writeScores(result, rules: loaded.ruleSet.rules) { writeErr("copydesk: wrote \(file)\n") }
        }
    }

    func validate() throws {
        if showErrors < 0 { throw ValidationError("--show-errors must be 0 or more") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        _ = try categories()
        _ = try overrides()
        if textField.isEmpty { throw ValidationError("--text-field must not be empty") }
        if noLabels && labels != nil { throw ValidationError("--labels and --no-labels exclude each other") }
        if let labels, labels.isEmpty { throw ValidationError("--labels must name a file") }
        if let groupBy, groupBy.isEmpty { throw ValidationError("--group-by must name a field") }
        if unit == .block && (documentField.isEmpty || orderField.isEmpty) { throw ValidationError("--document-field and --order-field must not be empty") }
        if !noLabels && labelField.isEmpty { throw ValidationError("--label-field must not be empty (use --no-labels for unlabeled data)") }
    }

    func categories() throws -> [Category] {
        var out: [Category] = []
        for part in category.flatMap({ $0.split(separator: ",") }) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let c = Category(rawValue: name) else {
                throw ValidationError("unknown category '\(name)' (expected one of \(Category.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if !out.contains(c) { out.append(c) }
        }
        return out
    }

    func overrides() throws -> [(String, LabelTarget)] {
        var out: [(String, LabelTarget)] = []
        for spec in labelMap {
            do throws(LabelMapError) {
                out += try LabelMap.parseOverrides(spec)
            } catch {
                throw ValidationError("--label-map: \(error.message)")
            }
        }
        return out
    }

    func run() throws {
        let loaded = ruleOptions.load()
        for e in loaded.errors { writeErr("copydesk: \(e.file): \(ruleErrorMessage(e))\n") }
        var options = EvalOptions(unit: unit)
        options.textField = textField
        // With --labels the labels come from the file; the dataset's label field is not read.
        options.labelField = noLabels || labels != nil ? nil : labelField
        options.labelsFile = labels
        options.groupBy = groupBy
        options.layout = layout
        options.documentField = documentField
        options.orderField = orderField
        options.titleField = titleField
        options.idField = idField
        options.categories = try categories()
        options.labelMap = LabelMap(overrides: try overrides())
        options.split = split
        options.showErrors = showErrors
        options.reader = reader
        options.format = inputFormat
        options.stats = stats
        if let jobs { options.workers = jobs }
        if fit { return try runFit(loaded, options) }
        let report: EvalReport
        do {
            report = try Evaluation.run(dataset: dataset, options: options, linter: Linter(ruleSet: loaded.ruleSet))
        } catch {
            writeErr("copydesk: \(error)\n")
            throw Exit(code: ExitStatus.trouble)
        }
        if let j = report.labelJoin, j.unmatched > 0 {
            writeErr("copydesk: warning: \(j.unmatched) label id\(j.unmatched == 1 ? "" : "s") in \(j.path) matched no item of \(dataset): \(j.unmatchedIds.prefix(5).joined(separator: ", "))\(j.unmatched > 5 ? ", …" : "")\n")
        }
        switch format {
        case .text:
            writeOut(report.renderText())
            if let s = report.stats { writeErr(s.renderTable()) }
        case .json:
            writeOut(JSONReporter.encode(report) + "\n")
        }
        if !loaded.errors.isEmpty || !report.problems.isEmpty || !report.errors.isEmpty {
            throw Exit(code: ExitStatus.trouble)
        }
    }
}

enum EvalOutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

extension EvalUnit: ExpressibleByArgument {}
extension EvalSplit: ExpressibleByArgument {}
extension EvalLayout: ExpressibleByArgument {}
extension DatasetFormat: ExpressibleByArgument {}
