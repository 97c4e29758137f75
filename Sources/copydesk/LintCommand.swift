import ArgumentParser
import CopydeskCore
import CopydeskWorkflow
#if canImport(Glibc)
import Glibc
#endif

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Lint articles (the default command).",
        discussion: """
            PATH can be a file, a directory (searched recursively; hidden entries and .build are \
            skipped) or - for standard input. With no PATH, standard input is read when it is a \
            pipe, else the current directory. .md and .markdown files are read as Markdown, .html \
            and .htm as HTML, everything else as plain text (.copydesk.yml 'formats' can map more \
            extensions). Binary files are skipped with a note. Inside a git work tree, files that \
            git ignores are skipped when walking folders (not when named).

            Configuration: each file uses the .copydesk.yml files found from its folder upward \
            (nearer ones override keys of farther ones); see `copydesk init` and \
            `copydesk config --print PATH`. Command-line options win over configuration.

            Report formats: text, json, jsonl, sarif, github (workflow commands), junit, checkstyle.

            Records: --records jsonl reads one article per JSON Lines record (PATHs are record \
            files, gzip-compressed or not, or - for standard input), in parallel with flat memory. \
            A record has the text in --text-field (or HTML in --html-field, read with the HTML \
            reader), an optional headline in --title-field and a name in --id-field. --format jsonl \
            writes one line per record in input order, {"id":…,"line":N,"findings":[…],"errors":[…]} \
            (spans relative to the field each finding is in, named by its "field"), then a \
            {"type":"summary",…} line; --format json gives the JSON report with one file entry per \
            record (path = id), --format text the text report. A line that is not a record (bad \
            JSON, no text field, a field of the wrong type) gets an error naming its line number and \
            the run goes on (exit status 2 at the end). See docs/at-scale.md.
            """
    )

    @Argument(help: ArgumentHelp("Files or directories to lint; - reads standard input.", valueName: "PATH"))
    var paths: [String] = []

    @Option(name: .long, help: "Output format: text, json, jsonl, sarif, github, junit or checkstyle.")
    var format: ReportFormat = .text

    @OptionGroup var ruleOptions: RuleOptions

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 1 when a finding has at least this severity: error, warning, info or never (default: the configuration's fail-on, else error).", valueName: "SEVERITY"))
    var failOn: FailOn?

    @Option(name: .long, help: "How the headline is found: auto, first-line or none (default: the configuration's, else auto).")
    var headline: HeadlineMode?

    @Option(name: .long, help: ArgumentHelp("Read every input with this reader (text, markdown or html) instead of choosing by extension.", valueName: "READER"))
    var reader: DocumentFormat?

    @Option(name: .customLong("stdin-filename"), help: ArgumentHelp("Name for standard input: shown in reports, and used to pick the reader and find the configuration.", valueName: "NAME"))
    var stdinName: String = "<stdin>"

    @OptionGroup(title: "Configuration, baseline and reports") var workflow: WorkflowOptions

    @Option(name: .long, help: "Color the text output: auto (a terminal without NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    @Flag(name: .long, help: "Per rule: matches, findings and time spent (a table on stderr; a \"stats\" object in JSON output).")
    var stats = false

    @Flag(name: .customLong("no-prefilter"), help: "Run every rule on every unit of its scope instead of only where the rule's literals occur (slower; the findings are the same).")
    var noPrefilter = false

    @OptionGroup(title: "Records (JSON Lines archives)") var records: RecordsOptions

    func run() throws {
        if records.records != nil { return try runRecords(records) }
        let loaded = ruleOptions.load()
        var options = ReadOptions()
        options.headline = headline ?? .auto
        options.format = reader
        options.stdinName = stdinName
        let flow = workflow.workflow(baseRules: loaded.ruleSet, reader: reader, headline: headline, failOn: failOn.map(FailLevel.init))
        options.workflow = flow
        var inputs = paths
        if inputs.isEmpty { inputs = isatty(0) == 1 ? ["."] : ["-"] }
        let linter = Linter(ruleSet: loaded.ruleSet, prefilter: !noPrefilter)
        let ruleErrors = loaded.errors.map { FileError(path: $0.file, message: ruleErrorMessage($0)) }
        var result: LintResult
        var written = true
        if let reporter = format.streamingReporter, workflow.streams {
            // One report to standard output and no baseline: the report goes out file by file in
            // path order, and no document or report is kept (memory stays flat on any archive).
            let context = ReportContext(color: format == .text && useColor(color, fd: 1), ruleSet: flow.knownRules)
            let stream = ReportStream(reporter: reporter, context: context, write: writeOutBytes)
            stream.start()
            result = LintRunner.stream(paths: inputs, linter: linter, options: options, stats: stats,
                                       render: { report, lines in reporter.part(for: report, lineText: lines, context: context) }) { _, _, part in
                stream.add(part)
            }
            result.errors.append(contentsOf: ruleErrors)
            result.errors.sort { ($0.path, $0.message) < ($1.path, $1.message) }
            stream.finish(result)
        } else {
            result = LintRunner.run(paths: inputs, linter: linter, options: options, stats: stats)
            result.errors.append(contentsOf: ruleErrors)
            workflow.applyBaselines(&result)
            result.errors.sort { ($0.path, $0.message) < ($1.path, $1.message) }
            written = workflow.writeReports(result, format: format, color: color, ruleSet: flow.knownRules)
        }
        if let s = result.stats, format != .json { writeErr(s.renderTable()) }
        if !result.allErrors.isEmpty || !written { throw Exit(code: ExitStatus.trouble) }
        if workflow.writeBaseline != nil { return }
        if result.hasFailingFindings(fallback: failOn.map(FailLevel.init) ?? .error) { throw Exit(code: ExitStatus.findings) }
    }
}

func ruleErrorMessage(_ e: RuleFileError) -> String {
    var s = ""
    if let line = e.line { s += "line \(line): " }
    if let id = e.ruleID { s += "rule \(id): " }
    return s + e.message
}

