import Testing
import Foundation

/// `copydesk serve` and `copydesk mcp` run their own executables (copydesk-serve, copydesk-mcp)
/// found next to copydesk, with the arguments untouched.
@Suite("Sibling executables")
struct SiblingLauncherTests {
    @Test func mcpHelpComesFromCopydeskMCP() throws {
        let sandbox = Sandbox()
        defer { sandbox.remove() }
        let r = try WorkflowCLI.copydesk(["mcp", "--help"], cwd: sandbox.path)
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: copydesk mcp [--rules <DIR>]"), "\(r.stdout)")
        #expect(r.stdout.contains("Tools: lint, clean, list_rules, explain_rule"))
    }

    @Test func mcpUsageErrorExitsTwo() throws {
        let sandbox = Sandbox()
        defer { sandbox.remove() }
        let r = try WorkflowCLI.copydesk(["mcp", "--no-such-flag"], cwd: sandbox.path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("copydesk mcp: Error: Unknown option '--no-such-flag'"), "\(r.stderr)")
    }

    @Test func mcpWithABrokenRulesFolderSaysSo() throws {
        let sandbox = Sandbox()
        defer { sandbox.remove() }
        let r = try WorkflowCLI.copydesk(["mcp", "--rules", sandbox.path + "/missing"], cwd: sandbox.path)
        #expect(r.stderr.contains("copydesk mcp: \(sandbox.path)/missing: rules directory not found"), "\(r.stderr)")
    }

    @Test func topLevelHelpListsBoth() throws {
        let sandbox = Sandbox()
        defer { sandbox.remove() }
        let r = try WorkflowCLI.copydesk(["--help"], cwd: sandbox.path)
        let commands = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(commands.contains { $0.hasPrefix("serve ") && $0.contains("Serve the linter over HTTP") }, "\(r.stdout)")
        #expect(commands.contains { $0.hasPrefix("mcp ") && $0.contains("Run the MCP server") }, "\(r.stdout)")
    }
}
