import Foundation
import MCP
import CopydeskWorkflow

/// `copydesk mcp`: a Model Context Protocol server (stdio) with Copydesk's tools.
public enum CopydeskMCPServer {
    public static let name = "copydesk"

    /// A server with the tools registered; start it on any transport.
    public static func make(engine: Engine) async -> Server {
        let server = Server(
            name: name,
            version: CopydeskVersion.current,
            instructions: "Copydesk lints articles for junk that leaks into them (ads, reader polls, clickbait, unattributed claims, boilerplate). Call `lint` on a draft, `clean` to get it without the junk lines, `explain_rule` for what a finding means.",
            capabilities: .init(tools: .init(listChanged: false))
        )
        let tools = CopydeskTools(engine: engine)
        await server.withMethodHandler(ListTools.self) { _ in
            .init(tools: CopydeskTools.tools)
        }
        await server.withMethodHandler(CallTool.self) { params in
            tools.call(params.name, params.arguments)
        }
        return server
    }

    /// Serves on stdin/stdout until the client closes the connection; logs go to stderr.
    public static func runStdio(engine: Engine) async throws {
        let server = await make(engine: engine)
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }
}
