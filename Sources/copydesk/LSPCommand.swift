import ArgumentParser
import CopydeskLSP

/// `copydesk lsp`: the language server (LSP 3.17 over stdin/stdout; docs/editors.md).
struct LSP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Run the language server (LSP over stdin/stdout) for editors.",
        discussion: "Findings appear as diagnostics as you type, with quick fixes to remove junk lines or disable a rule. See docs/editors.md."
    )

    @Option(name: .long, help: ArgumentHelp("Use the rule files (*.yml) in DIR instead of the built-in rules (initializationOptions.rules overrides it).", valueName: "DIR"))
    var rules: String?

    @Option(name: .customLong("debounce-ms"), help: "Milliseconds from a change to its lint.")
    var debounceMilliseconds: Int = 15

    @Flag(name: .long, help: .hidden)
    var stdio = false   // many clients pass --stdio; stdio is the only transport

    func run() throws {
        LSPStdio.run(options: .init(rulesDirectory: rules, debounceMilliseconds: max(0, debounceMilliseconds)))
    }
}
