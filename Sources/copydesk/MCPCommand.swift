import ArgumentParser

/// `copydesk mcp …` runs the `copydesk-mcp` executable beside this one with the arguments as
/// given (main.swift hands them over before parsing, like `serve`): the MCP SDK brings
/// FoundationNetworking and libcurl, which would otherwise load with every `copydesk` run. This
/// command is registered for `copydesk --help` and as the fallback help.
struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Run the MCP server (Model Context Protocol over stdin/stdout) for writing assistants (runs copydesk-mcp).",
        discussion: """
            Options (see `copydesk mcp --help` once copydesk-mcp is built):
              --rules DIR   rule files instead of the built-in rules

            Tools: lint, clean, list_rules, explain_rule. See docs/editors.md.
            """
    )

    @Argument(parsing: .captureForPassthrough, help: "Options for copydesk-mcp.")
    var arguments: [String] = []

    func run() throws {
        SiblingLauncher.mcp.exec(arguments)
    }
}
