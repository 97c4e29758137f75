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
func parseLintDirectly() -> (any ParsableCommand)? {
    let args = Array(CommandLine.arguments.dropFirst())
    guard let first = args.first else { return nil }
    if first == "help" || Copydesk.configuration.subcommands.contains(where: { $0.configuration.commandName == first && $0 != Lint.self }) { return nil }
    if args.contains(where: { $0 == "-h" || $0 == "--help" || $0 == "--version" || $0 == "--generate-completion-script" || $0.hasPrefix("--experimental") }) { return nil }
    return try? Lint.parseAsRoot(first == "lint" ? Array(args.dropFirst()) : args)
}

// Parse and run by hand so usage errors exit 2 (not ArgumentParser's 64) and help/version exit 0.
do {
    var command = try parseLintDirectly() ?? Copydesk.parseAsRoot()
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
