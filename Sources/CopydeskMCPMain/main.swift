import ArgumentParser
import Dispatch
import CopydeskWorkflow
import CopydeskDefaultRules
import CopydeskMCP
#if canImport(Glibc)
import Glibc
#endif

/// `copydesk-mcp` (run as `copydesk mcp`): the Model Context Protocol server over stdin/stdout.
/// A separate executable so that the MCP SDK, which brings FoundationNetworking and libcurl with
/// its transports, is not loaded by every `copydesk lint` run.
struct MCP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copydesk mcp",
        abstract: "Run the MCP server (Model Context Protocol over stdin/stdout) for writing assistants.",
        discussion: """
            Tools: lint, clean, list_rules, explain_rule (read-only and idempotent). Bad input comes \
            back as a tool error; the server goes on. See docs/editors.md.

            Exit status: 0 when the client closes the connection, 2 on a rule-file error or a \
            transport failure.
            """,
        version: CopydeskVersion.current
    )

    @Option(name: .long, help: ArgumentHelp("Use the rule files (*.yml) in DIR instead of the built-in rules.", valueName: "DIR"))
    var rules: String?

    func run() throws {
        let loaded = rules.map { RuleLoader.load(directory: $0) } ?? RuleLoader.loadDefault()
        for e in loaded.errors { writeError("copydesk mcp: \(e)\n") }
        let engine = Engine(ruleSet: loaded.ruleSet, ruleErrors: loaded.errors)
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do { try await CopydeskMCPServer.runStdio(engine: engine) } catch { failure.set("\(error)") }
            done.signal()
        }
        done.wait()
        if let message = failure.get() {
            writeError("copydesk mcp: \(message)\n")
            throw ExitCode(2)
        }
    }
}

private final class FailureBox: @unchecked Sendable {
    private var message: String? = nil
    private let lock = DispatchSemaphore(value: 1)
    func set(_ m: String) { lock.wait(); message = m; lock.signal() }
    func get() -> String? { lock.wait(); defer { lock.signal() }; return message }
}

func writeError(_ s: String) {
    var bytes = Array(s.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

// Usage errors exit 2, like copydesk's.
do {
    var command = try MCP.parseAsRoot()
    try command.run()
    exit(0)
} catch let e as ExitCode {
    exit(e.rawValue)
} catch {
    let code = MCP.exitCode(for: error)
    if code == .success {
        print(MCP.fullMessage(for: error))
        exit(0)
    }
    writeError("copydesk mcp: " + MCP.fullMessage(for: error) + "\n")
    exit(2)
}
