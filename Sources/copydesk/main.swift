import ArgumentParser
import CopydeskCore
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage/rule/I-O error.
enum ExitStatus {
    static let clean: Int32 = 0
    static let findings: Int32 = 1
    static let trouble: Int32 = 2
}

/// Thrown by a command to end with a specific status after its output is written.
struct Exit: Error { var code: Int32 }

struct Copydesk: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copydesk",
        abstract: "Find the junk that leaks into articles: embedded ads, reader polls, clickbait headlines, unattributed claims and boilerplate.",
        discussion: """
            `copydesk FILE…` is short for `copydesk lint FILE…`.

            Exit status: 0 when nothing is at or above --fail-on, 1 when findings are, 2 on a usage, \
            rule-file or I/O error (reported after everything else).
            """,
        version: CopydeskVersion.current,
        subcommands: [Lint.self, Rules.self],
        defaultSubcommand: Lint.self
    )
}

enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case error, warning, info, never
    var threshold: Severity? {
        switch self {
        case .error: .error
        case .warning: .warning
        case .info: .info
        case .never: nil
        }
    }
}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

extension ReportFormat: ExpressibleByArgument {}
extension HeadlineMode: ExpressibleByArgument {}
extension DocumentFormat: ExpressibleByArgument {}

/// Rule loading shared by the commands: the embedded defaults, or every *.yml in --rules DIR.
struct RuleOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Use the rule files (*.yml) in DIR instead of the built-in rules.", valueName: "DIR"))
    var rules: String?

    func load() -> RuleLoader.Result {
        if let rules { return RuleLoader.load(directory: rules) }
        return RuleLoader.loadDefault()
    }
}

func writeOut(_ s: String) {
    var s = s
    s.withUTF8 { buf in
        var off = 0
        while off < buf.count {
            let n = write(1, buf.baseAddress! + off, buf.count - off)
            if n <= 0 { if errno == EINTR { continue }; return }
            off += n
        }
    }
}

func writeErr(_ s: String) {
    var s = s
    s.withUTF8 { buf in _ = write(2, buf.baseAddress!, buf.count) }
}

func useColor(_ choice: ColorChoice, fd: Int32) -> Bool {
    switch choice {
    case .always: return true
    case .never: return false
    case .auto:
        if let v = getenv("NO_COLOR"), v.pointee != 0 { return false }
        if let t = getenv("TERM"), String(cString: t) == "dumb" { return false }
        return isatty(fd) == 1
    }
}

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    func run() throws {
        let loaded = ruleOptions.load()
        var options = ReadOptions()
        options.headline = headline
        options.format = reader
        options.stdinName = stdinName
        var inputs = paths
        if inputs.isEmpty { inputs = isatty(0) == 1 ? ["."] : ["-"] }
        let linter = Linter(ruleSet: loaded.ruleSet)
        var result = LintRunner.run(paths: inputs, linter: linter, options: options)
        result.errors.append(contentsOf: loaded.errors.map { FileError(path: $0.file, message: ruleErrorMessage($0)) })
        result.errors.sort { ($0.path, $0.message) < ($1.path, $1.message) }
        let context = ReportContext(color: format == .text && useColor(color, fd: 1), ruleSet: loaded.ruleSet)
        writeOut(format.reporter.render(result, context: context))
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

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List or check rules.",
        subcommands: [List.self, Check.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rules in effect (JSON includes each rule's patterns).")

        @Option(name: .long, help: "Output format: text or json.")
        var format: ReportFormat = .text

        @OptionGroup var ruleOptions: RuleOptions

        func run() throws {
            let loaded = ruleOptions.load()
            for e in loaded.errors { writeErr("\(e)\n") }
            writeOut(RuleListing.render(loaded.ruleSet, format: format))
            if !loaded.errors.isEmpty { throw Exit(code: ExitStatus.trouble) }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate rule files and run every rule's examples.",
            discussion: "Exit status 1 when a rule file is invalid or an example fails; 0 when all pass."
        )

        @Argument(help: ArgumentHelp("Directory of rule files (default: the built-in rules).", valueName: "DIR"))
        var directory: String?

        func run() throws {
            let loaded = directory.map { RuleLoader.load(directory: $0) } ?? RuleLoader.loadDefault()
            var problems = 0
            for e in loaded.errors { writeOut("\(e)\n"); problems += 1 }
            let scratch = MatchScratch()
            var examples = 0
            for rule in loaded.ruleSet.rules {
                examples += rule.examples.triggering.count + rule.examples.nontriggering.count
                for f in ExampleRunner.check(rule, scratch: scratch) { writeOut("\(f)\n"); problems += 1 }
            }
            let n = loaded.ruleSet.rules.count
            writeOut("\(n) rule\(n == 1 ? "" : "s"), \(examples) examples: \(problems == 0 ? "all pass" : "\(problems) problem\(problems == 1 ? "" : "s")")\n")
            if problems > 0 { throw Exit(code: ExitStatus.findings) }
        }
    }
}

// Parse and run by hand so usage errors exit 2 (not ArgumentParser's 64) and help/version exit 0.
do {
    var command = try Copydesk.parseAsRoot()
    try command.run()
    exit(ExitStatus.clean)
} catch let e as Exit {
    exit(e.code)
} catch {
    let code = Copydesk.exitCode(for: error)
    let message = Copydesk.fullMessage(for: error)
    if code == .success {
        writeOut(message + "\n")
        exit(ExitStatus.clean)
    }
    writeErr("copydesk: " + message + "\n")
    exit(ExitStatus.trouble)
}
