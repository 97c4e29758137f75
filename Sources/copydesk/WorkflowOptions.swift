import ArgumentParser
import CopydeskCore
import CopydeskWorkflow
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Options for configuration files, baselines and report files (shared by `lint` and `config`).
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Use only this configuration file (no .copydesk.yml lookup).", valueName: "FILE"))
    var config: String?

    @Flag(name: .customLong("no-config"), help: "Use no configuration file at all.")
    var noConfig = false

    func validate() throws {
        if config != nil && noConfig { throw ValidationError("--config and --no-config cannot be used together.") }
    }

    var mode: ConfigResolver.Mode {
        if noConfig { return .none }
        if let config { return .file(config) }
        return .discover
    }
}

/// `--report FORMAT=FILE`.
struct ReportTarget: ExpressibleByArgument {
    var format: ReportFormat
    var path: String

    init?(argument: String) {
        guard let eq = argument.firstIndex(of: "="), let f = ReportFormat(rawValue: String(argument[..<eq])) else { return nil }
        let path = String(argument[argument.index(after: eq)...])
        guard !path.isEmpty else { return nil }
        format = f
        self.path = path
    }
}

struct WorkflowOptions: ParsableArguments {
    @OptionGroup var configOptions: ConfigOptions

    @Flag(name: .customLong("no-ignore"), help: "Also lint files that git ignores when walking folders.")
    var noIgnore = false

    @Option(name: .long, help: ArgumentHelp("Hide the findings recorded in this baseline file.", valueName: "FILE"))
    var baseline: String?

    @Option(name: .customLong("write-baseline"), help: ArgumentHelp("Record every finding of this run in a baseline file (exit status 0 unless an error occurs).", valueName: "FILE"))
    var writeBaseline: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write the report to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    @Option(name: .customLong("report"), help: ArgumentHelp("Also write a report in FORMAT to FILE (repeatable), e.g. --report sarif=copydesk.sarif.", valueName: "FORMAT=FILE"))
    var reports: [ReportTarget] = []

    /// Whether the report can be streamed: only standard output and no baseline to read or
    /// write (those need every finding at the end).
    var streams: Bool { output == nil && reports.isEmpty && baseline == nil && writeBaseline == nil }

    func workflow(baseRules: RuleSet, reader: DocumentFormat?, headline: HeadlineMode?, failOn: FailLevel?) -> Workflow {
        Workflow(resolver: ConfigResolver(mode: configOptions.mode), baseRules: baseRules, respectGitIgnore: !noIgnore,
                 formatOverride: reader, headlineOverride: headline, failOnOverride: failOn)
    }

    /// Writes the baseline (from every finding) and then hides the findings of `--baseline`.
    /// Problems are added to the result's errors.
    func applyBaselines(_ result: inout LintResult) {
        if let writeBaseline {
            do { try Baseline.make(from: result, baselinePath: writeBaseline).write(to: writeBaseline) }
            catch { result.errors.append(FileError(path: writeBaseline, message: "cannot write baseline: \(error.localizedDescription)")) }
        }
        if let baseline {
            switch Baseline.load(baseline) {
            case .success(let b): result.hiddenByBaseline = b.apply(to: &result, baselinePath: baseline)
            case .failure(let e): result.errors.append(e)
            }
        }
    }

    /// Writes the main report (standard output or `-o FILE`) and every `--report`. Returns false
    /// when a file could not be written (the reason is on standard error).
    func writeReports(_ result: LintResult, format: ReportFormat, color: ColorChoice, ruleSet: RuleSet) -> Bool {
        var ok = true
        let targets = [(format, output ?? "-")] + reports.map { ($0.format, $0.path) }
        for (f, path) in targets {
            let toTerminal = path == "-"
            let context = ReportContext(color: f == .text && toTerminal && useColor(color, fd: 1), ruleSet: ruleSet)
            let text = f.reporter.render(result, context: context)
            if toTerminal { writeOut(text); continue }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                writeErr("copydesk: cannot write \(f.rawValue) report to \(path): \(error.localizedDescription)\n")
                ok = false
            }
        }
        return ok
    }
}

extension FailLevel {
    init(_ f: FailOn) { self = FailLevel(rawValue: f.rawValue) ?? .error }
}
