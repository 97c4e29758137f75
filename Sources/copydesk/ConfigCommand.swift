import ArgumentParser
import CopydeskCore
import CopydeskWorkflow
import Foundation

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the configuration that applies to a file.",
        discussion: """
            `copydesk config --print PATH` prints the merged configuration for PATH as YAML, each \
            value followed by the file and line it comes from, then the rules whose severity the \
            configuration changes. PATH need not exist (use it to check where a new file would be \
            linted from). Exit status 2 when a configuration file has errors (they are listed on \
            standard error).
            """
    )

    @Option(name: .customLong("print"), help: ArgumentHelp("The file whose configuration to show.", valueName: "PATH"))
    var printPath: String

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var ruleOptions: RuleOptions

    func run() throws {
        let resolver = ConfigResolver(mode: configOptions.mode)
        let config = resolver.configuration(forFile: printPath)
        let loaded = ruleOptions.load()
        let flow = Workflow(resolver: resolver, baseRules: loaded.ruleSet)
        let effective = flow.rules(for: config)
        var out = "# configuration for \(printPath)\n" + config.render()
        let abs = Paths.absolute(printPath)
        if let ex = config.excluding(abs) {
            out += "# \(printPath) is excluded by '\(ex.value.pattern)' (\(Paths.display(ex.file)):\(ex.line)): skipped when found in a folder, listed as skipped when named\n"
        } else if !config.includes(abs) {
            out += "# \(printPath) is not matched by 'include': skipped when found in a folder\n"
        }
        if let f = config.format(forPath: printPath) { out += "# reader: \(f.rawValue) (from 'formats')\n" }
        else { out += "# reader: \(DocumentFormat.forPath(printPath).rawValue) (by extension)\n" }
        let byID = Dictionary(effective.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [String] = []
        for r in flow.knownRules.rules {
            guard let e = config.entry(forRule: r.id, category: r.category.rawValue) else { continue }
            let now = byID[r.id].map { $0.severity.rawValue } ?? "off"
            if now != r.severity.rawValue { changes.append("#   \(r.id): \(r.severity.rawValue) -> \(now)  (by '\(e.key)')") }
        }
        out += changes.isEmpty ? "# rules: every rule at its default severity\n" : "# rules changed from their defaults:\n" + changes.joined(separator: "\n") + "\n"
        writeOut(out)
        let errors = flow.errors + loaded.errors.map { FileError(path: $0.file, message: ruleErrorMessage($0)) }
        for e in errors { writeErr("\(e.path): error: \(e.message)\n") }
        if !errors.isEmpty { throw Exit(code: ExitStatus.trouble) }
    }
}

/// The file `copydesk init` writes. Every line that sets something is commented out, so the file
/// changes nothing until edited; it must parse cleanly as it is and with every setting uncommented.
enum StarterConfig {
    static let text = """
        # Copydesk configuration. Copydesk reads every .copydesk.yml from a file's folder up to the
        # root; a nearer file overrides the keys of the ones above it. Paths and globs are relative
        # to this file's folder. Check the result with: copydesk config --print path/to/article.md

        # Rule severities: a rule id, a category (ads, polls, clickbait, attribution, boilerplate)
        # or a glob over rule ids, set to off, info, warning or error. For each rule the most
        # specific key wins: its id, then the longest matching glob, then its category, then "*".
        # List the rules with: copydesk rules list
        rules: {}
        #  attribution: warning
        #  clickbait: info
        #  "ads.*": error
        #  copydesk.unused-suppression: off

        # Extra rule folders (*.yml rule files), added to the built-in rules.
        # rule-paths:
        #   - copydesk-rules

        # Which files to lint when walking folders (globs; a pattern without "/" matches a name
        # at any depth, "**" crosses folders). Files git ignores are skipped too.
        # include:
        #   - "**/*.md"
        #   - "**/*.html"
        # exclude:
        #   - drafts/
        #   - "archive/**"

        # Exit status 1 when a finding has at least this severity: error, warning, info or never.
        # fail-on: error

        # How the headline is found: auto, first-line or none.
        # headline: auto

        # Readers for more file extensions: text, markdown or html.
        # formats:
        #   .mdx: markdown
        #   .txt: text

        """
}
