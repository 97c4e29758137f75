import ArgumentParser
import Dispatch
import CopydeskWorkflow
import CopydeskDefaultRules
import CopydeskMCP

/// `copydesk mcp`: the Model Context Protocol server (stdio; docs/editors.md).
struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Run the MCP server (Model Context Protocol over stdin/stdout) for writing assistants.",
        discussion: "Tools: lint, clean, list_rules, explain_rule. See docs/editors.md."
    )

    @OptionGroup var ruleOptions: RuleOptions

    func run() throws {
        let loaded = ruleOptions.load()
        for e in loaded.errors { writeErr("copydesk mcp: \(e)\n") }
        let engine = Engine(ruleSet: loaded.ruleSet, ruleErrors: loaded.errors)
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do { try await CopydeskMCPServer.runStdio(engine: engine) } catch { failure.set("\(error)") }
            done.signal()
        }
        done.wait()
        if let message = failure.get() {
            writeErr("copydesk mcp: \(message)\n")
            throw Exit(code: ExitStatus.trouble)
        }
    }
}

private final class FailureBox: @unchecked Sendable {
    private var message: String? = nil
    private let lock = DispatchSemaphore(value: 1)
    func set(_ m: String) { lock.wait(); message = m; lock.signal() }
    func get() -> String? { lock.wait(); defer { lock.signal() }; return message }
}
