import ArgumentParser
import CopydeskCore
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
            pipe, else the current directory. .md and .markdown files are read as Markdown, \
            everything else as plain text. Binary files are skipped with a note.
            """
    )

    @Argument(help: ArgumentHelp("Files or directories to lint; - reads standard input.", valueName: "PATH"))
    var paths: [String] = []

    @Option(name: .long, help: "Output format: text or json.")
    var format: ReportFormat = .text

    @OptionGroup var ruleOptions: RuleOptions

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 1 when a finding has at least this severity: error, warning, info or never.", valueName: "SEVERITY"))
    var failOn: FailOn = .error

    @Option(name: .long, help: "How the headline is found: auto, first-line or none.")
    var headline: HeadlineMode = .auto

    @Option(name: .long, help: ArgumentHelp("Read every input with this reader (text or markdown) instead of choosing by extension.", valueName: "READER"))
    var reader: DocumentFormat?

    @Option(name: .customLong("stdin-name"), help: ArgumentHelp("Path shown for standard input (its extension picks the reader).", valueName: "NAME"))
    var stdinName: String = "<stdin>"

    @Option(name: .long, help: "Color the text output: auto (a terminal without NO_COLOR), always or never.")
    var color: ColorChoice = .auto

    @Flag(name: .long, help: "Per rule: matches, findings and time spent (a table on stderr; a \"stats\" object in JSON output).")
    var stats = false

    @Flag(name: .customLong("no-prefilter"), help: "Run every rule on every unit of its scope instead of only where the rule's literals occur (slower; the findings are the same).")
    var noPrefilter = false

    func run() throws {
        let loaded = ruleOptions.load()
        var options = ReadOptions()
        options.headline = headline
        options.format = reader
        options.stdinName = stdinName
        var inputs = paths
        if inputs.isEmpty { inputs = isatty(0) == 1 ? ["."] : ["-"] }
        let linter = Linter(ruleSet: loaded.ruleSet, prefilter: !noPrefilter)
        let context = ReportContext(color: format == .text && useColor(color, fd: 1), ruleSet: loaded.ruleSet)
        let ruleErrors = loaded.errors.map { FileError(path: $0.file, message: ruleErrorMessage($0)) }
        var result: LintResult
        if let reporter = format.streamingReporter {
            // Reports go out file by file in path order; no document or report is kept.
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
            result.errors.sort { ($0.path, $0.message) < ($1.path, $1.message) }
            writeOut(format.reporter.render(result, context: context))
        }
        if let s = result.stats, format != .json { writeErr(s.renderTable()) }
        if !result.allErrors.isEmpty { throw Exit(code: ExitStatus.trouble) }
        if result.hasFindings(atOrAbove: failOn.threshold) { throw Exit(code: ExitStatus.findings) }
    }
}

func ruleErrorMessage(_ e: RuleFileError) -> String {
    var s = ""
    if let line = e.line { s += "line \(line): " }
    if let id = e.ruleID { s += "rule \(id): " }
    return s + e.message
}

