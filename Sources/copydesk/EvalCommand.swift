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

            Labels (--label-field, compared case-insensitively): 1/true/yes are positives of the one \
            --category (default: clickbait for headlines, attribution for sentences); 0/false/no/content \
            are negatives; a category name is a positive of that category; ad → ads, poll → polls, \
            newsletter/share/recirculation/disclaimer → boilerplate; other-boilerplate is neutral (not \
            scored). --label-map adds or overrides values. An item counts as flagged for a category when a \
            finding of that category is on it.

            Per category (one-vs-rest: an item labeled with another category is a negative): TP, FP, FN, TN, \
            precision, recall, F1; with several categories also an "all" row, and recall per label value. \
            Per rule: the items it matched in and how they were labeled. With --no-labels, findings are \
            counted per 100 items, and --show-errors lists them for review.

            --split holdout keeps to every fifth data row (0-based row index % 5 == 0, header and blank \
            lines not counted); --split dev is the other 80%. Tune on dev, report both.

            Exit status: 0 when the evaluation ran; 2 when the dataset, a rule file or a row could not be \
            used, or an item hit a match limit (after the report).
            """
    )

    @Argument(help: ArgumentHelp("Labeled data: TSV with a header, or JSON Lines; - reads standard input.", valueName: "DATASET"))
    var dataset: String

    @Option(name: .long, help: "Where each item sits in an article: headline, sentence, line or article.")
    var unit: EvalUnit

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Score (or count) only this category; repeatable or comma-separated. Default: the categories the labels name (all, with --no-labels).", valueName: "CATEGORY"))
    var category: [String] = []

    @Option(name: .customLong("text-field"), help: ArgumentHelp("Column (TSV) or field (JSON) holding the item's text.", valueName: "NAME"))
    var textField = "text"

    @Option(name: .customLong("label-field"), help: ArgumentHelp("Column or field holding the label.", valueName: "NAME"))
    var labelField = "label"

    @Flag(name: .customLong("no-labels"), help: "The data has no labels for this task: count findings per 100 items and list them for review.")
    var noLabels = false

    @Option(name: .customLong("label-map"), parsing: .singleValue, help: ArgumentHelp("What a label value means: VALUE=TARGET, TARGET a category, positive, negative or neutral; repeatable or comma-separated.", valueName: "VALUE=TARGET"))
    var labelMap: [String] = []

    @Option(name: .customLong("title-field"), help: ArgumentHelp("With --unit article: the field holding the title (used as the headline when present).", valueName: "NAME"))
    var titleField = "title"

    @Option(name: .customLong("id-field"), help: ArgumentHelp("Field shown next to listed items when a row has it.", valueName: "NAME"))
    var idField = "id"

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

    func validate() throws {
        if showErrors < 0 { throw ValidationError("--show-errors must be 0 or more") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        _ = try categories()
        _ = try overrides()
        if textField.isEmpty { throw ValidationError("--text-field must not be empty") }
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
        options.labelField = noLabels ? nil : labelField
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
        let report: EvalReport
        do {
            report = try Evaluation.run(dataset: dataset, options: options, linter: Linter(ruleSet: loaded.ruleSet))
        } catch {
            writeErr("copydesk: \(error)\n")
            throw Exit(code: ExitStatus.trouble)
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
extension DatasetFormat: ExpressibleByArgument {}
