import ArgumentParser
import CopydeskCore
import CopydeskWorkflow
import CopydeskDefaultRules
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

// Every command names itself (`commandName:`): without it ArgumentParser derives the name from
// the type's name with String(describing:) on every run, for every command, which cost about
// 8 M instructions (a tenth of a one-article run) at start-up.
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
        subcommands: [Lint.self, Rules.self, Eval.self, Init.self, Config.self, Clean.self, Serve.self, LSP.self, MCPCommand.self],
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

// `serve` and `mcp` run copydesk-serve and copydesk-mcp with every argument untouched (--help
// included): ServeCommand.swift.
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "serve" {
    SiblingLauncher.serve.exec(Array(CommandLine.arguments.dropFirst(2)))
}
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "mcp" {
    SiblingLauncher.mcp.exec(Array(CommandLine.arguments.dropFirst(2)))
}

/// `copydesk lint …` and `copydesk FILE…` (lint is the default subcommand) parsed as `Lint` alone:
/// parsing through the root command reflects over every subcommand's options and builds lint's
/// twice (to see whether the default subcommand takes passthrough arguments), about a third of a
/// one-article run. Only a successful parse is taken: anything the parser rejects or answers
/// itself (help, version, a usage error) goes the usual way below, so messages and exit codes
/// are the root command's, word for word.
/// The arguments `Lint` parses: `args` without a leading `lint`; nil when they are not for lint
/// (another subcommand, help, version, completion scripts, experimental flags).
func lintArguments(_ args: [String]) -> [String]? {
    guard let first = args.first else { return nil }
    if first == "help" || Copydesk.configuration.subcommands.contains(where: { $0.configuration.commandName == first && $0 != Lint.self }) { return nil }
    if args.contains(where: { $0 == "-h" || $0 == "--help" || $0 == "--version" || $0 == "--generate-completion-script" || $0.hasPrefix("--experimental") }) { return nil }
    return first == "lint" ? Array(args.dropFirst()) : args
}

func parseLintDirectly(_ args: [String]) -> (any ParsableCommand)? {
    guard let lintArgs = lintArguments(args) else { return nil }
    if let lint = parseLintByHand(lintArgs) { return lint }
    return try? Lint.parseAsRoot(lintArgs)
}

/// The common `lint` command lines parsed without ArgumentParser: even `Lint.parseAsRoot`
/// reflects over every option of lint (Mirror, and the Swift runtime's conformance lookups, which
/// scan every conformance record of the binary), about 20 M instructions, a third of a
/// one-article run. Takes only PATHs that do not start with `-` (or are `-`), and, each at most
/// once, as `--name value` or `--name=value` with a value that is neither empty nor starts with
/// `-`: --format, --rules, --fail-on, --headline, --reader, --stdin-filename, --config,
/// -o/--output, --baseline, --write-baseline, --color, and the flags --no-config, --no-ignore,
/// --stats, --no-prefilter. Anything else (another option, a value ArgumentParser would
/// reject, `--`, a repeated option, a failed validation) returns nil and ArgumentParser parses
/// as before. `COPYDESK_CHECK_LINT_PARSE=1 copydesk ARGS…` prints this parse, ArgumentParser's
/// for lint alone and the root command's, which `LintParseTests` compares.
func parseLintByHand(_ args: [String]) -> Lint? {
    // (Plain arrays and variables: a Set or Dictionary of strings here costs more than the rest,
    // as the runtime looks up String's Hashable conformance the first time.)
    var paths: [String] = []
    let names = ["--format", "--rules", "--fail-on", "--headline", "--reader", "--stdin-filename", "--config",
                 "--output", "--baseline", "--write-baseline", "--color"]
    var values = [String?](repeating: nil, count: names.count)
    let flagNames = ["--no-config", "--no-ignore", "--stats", "--no-prefilter"]
    var flags = [Bool](repeating: false, count: flagNames.count)
    var i = 0
    while i < args.count {
        let a = args[i]
        i += 1
        if a == "-" || !a.hasPrefix("-") {
            if a.isEmpty { return nil }
            paths.append(a)
            continue
        }
        var name = a, value: String? = nil
        if a.hasPrefix("--"), let eq = a.firstIndex(of: "=") {
            name = String(a[..<eq])
            value = String(a[a.index(after: eq)...])
        }
        if name == "-o" && value == nil { name = "--output" }
        if let f = flagNames.firstIndex(of: name) {
            guard value == nil, !flags[f] else { return nil }
            flags[f] = true
            continue
        }
        guard let k = names.firstIndex(of: name), values[k] == nil else { return nil }
        if value == nil {
            guard i < args.count else { return nil }
            value = args[i]
            i += 1
        }
        guard let v = value, !v.isEmpty, !v.hasPrefix("-") else { return nil }
        values[k] = v
    }
    func value(_ name: String) -> String? { values[names.firstIndex(of: name)!] }
    func flag(_ name: String) -> Bool { flags[flagNames.firstIndex(of: name)!] }
    var lint = Lint()
    lint.paths = paths
    if let v = value("--format") { guard let f = ReportFormat(argument: v) else { return nil }; lint.format = f } else { lint.format = .text }
    var rules = RuleOptions()
    rules.rules = value("--rules")
    lint.ruleOptions = rules
    if let v = value("--fail-on") { guard let f = FailOn(argument: v) else { return nil }; lint.failOn = f } else { lint.failOn = nil }
    if let v = value("--headline") { guard let h = HeadlineMode(argument: v) else { return nil }; lint.headline = h } else { lint.headline = nil }
    if let v = value("--reader") { guard let r = DocumentFormat(argument: v) else { return nil }; lint.reader = r } else { lint.reader = nil }
    lint.stdinName = value("--stdin-filename") ?? "<stdin>"
    var config = ConfigOptions()
    config.config = value("--config")
    config.noConfig = flag("--no-config")
    var workflow = WorkflowOptions()
    workflow.configOptions = config
    workflow.noIgnore = flag("--no-ignore")
    workflow.baseline = value("--baseline")
    workflow.writeBaseline = value("--write-baseline")
    workflow.output = value("--output")
    workflow.reports = []
    lint.workflow = workflow
    if let v = value("--color") { guard let c = ColorChoice(argument: v) else { return nil }; lint.color = c } else { lint.color = .auto }
    lint.stats = flag("--stats")
    lint.noPrefilter = flag("--no-prefilter")
    var records = RecordsOptions()
    records.records = nil
    records.idField = "id"
    records.textField = "text"
    records.titleField = "title"
    records.htmlField = "html"
    lint.records = records
    // What ArgumentParser runs after parsing: every group's validate(), then the command's.
    do {
        try config.validate()
        try rules.validate()
        try workflow.validate()
        try records.validate()
        try lint.validate()
    } catch {
        return nil
    }
    return lint
}

let arguments = Array(CommandLine.arguments.dropFirst())

// `copydesk --version`: what ArgumentParser prints for it, without building the root command.
if arguments == ["--version"] {
    writeOut(CopydeskVersion.current + "\n")
    exit(ExitStatus.clean)
}

if getenv("COPYDESK_CHECK_LINT_PARSE") != nil {
    func show(_ c: (any ParsableCommand)?) -> String { c.map { String(describing: $0) } ?? "nil" }
    let lintArgs = lintArguments(arguments)
    writeOut("hand: " + show(lintArgs.flatMap(parseLintByHand)) + "\n")
    writeOut("lint: " + show(lintArgs.flatMap { try? Lint.parseAsRoot($0) }) + "\n")
    writeOut("root: " + show(try? Copydesk.parseAsRoot(arguments)) + "\n")
    exit(ExitStatus.clean)
}

// Parse and run by hand so usage errors exit 2 (not ArgumentParser's 64) and help/version exit 0.
do {
    var command = try parseLintDirectly(arguments) ?? Copydesk.parseAsRoot()
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
