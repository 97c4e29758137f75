import Foundation
import Testing
import MCP
@testable import CopydeskMCP
import CopydeskWorkflow
import CopydeskDefaultRules
import CopydeskTestSupport

let seedText = (try? String(contentsOf: packageRoot.appendingPathComponent("Fixtures/seed-article/article.txt"), encoding: .utf8)) ?? ""

func texts(_ r: CallTool.Result) -> [String] {
    r.content.compactMap { if case .text(let t, _, _) = $0 { return t }; return nil }
}

@Suite("MCP tools")
struct MCPToolTests {
    static let tools = CopydeskTools(engine: Engine())

    @Test func toolsHaveSchemasWithDescriptions() {
        #expect(CopydeskTools.tools.map(\.name) == ["lint", "clean", "list_rules", "explain_rule"])
        for t in CopydeskTools.tools {
            #expect(t.description?.isEmpty == false)
            #expect(t.inputSchema.objectValue?["type"] == "object")
            for (name, prop) in t.inputSchema.objectValue?["properties"]?.objectValue ?? [:] {
                #expect(prop.objectValue?["description"]?.stringValue?.isEmpty == false, "\(t.name).\(name)")
            }
            #expect(t.annotations.readOnlyHint == true)
        }
    }

    @Test func lintGivesTheJSONReportAndASummary() throws {
        let r = MCPToolTests.tools.call("lint", ["text": .string(seedText)])
        #expect(r.isError == false)
        let report = try #require(r.structuredContent?.objectValue)
        #expect(report["version"] == 1)
        let findings = try #require(report["files"]?.arrayValue?.first?.objectValue?["findings"]?.arrayValue)
        #expect(findings.count == 6)
        #expect(findings.contains { $0.objectValue?["rule"] == "ads.save-percent" })
        let summary = texts(r).joined()
        #expect(summary.hasPrefix("6 findings (3 errors, 2 warnings, 1 info):"))
        #expect(summary.contains("line 11, column 35: error ads.save-percent"))
    }

    @Test func lintWithHeadlineFormatAndCategories() throws {
        let r = MCPToolTests.tools.call("lint", ["text": "The council met.\n", "format": "markdown", "headline": "You Won't Believe What The Council Did"])
        #expect(r.isError == false)
        #expect(texts(r).joined().contains("line 1"))
        #expect(texts(r).joined().contains("clickbait"))
        let only = MCPToolTests.tools.call("lint", ["text": .string(seedText), "categories": ["polls"]])
        let findings = only.structuredContent?.objectValue?["files"]?.arrayValue?.first?.objectValue?["findings"]?.arrayValue ?? []
        #expect(findings.count == 2)
        #expect(texts(MCPToolTests.tools.call("lint", ["text": "Nothing to see.\n"])) == ["No findings."])
    }

    @Test func cleanGivesTextAndDiff() throws {
        let r = MCPToolTests.tools.call("clean", ["text": .string(seedText)])
        #expect(r.isError == false)
        let s = try #require(r.structuredContent?.objectValue)
        let expected = Engine().clean(Article(text: seedText))
        #expect(s["cleaned"]?.stringValue == String(decoding: expected.cleaned, as: UTF8.self))
        #expect(s["diff"]?.stringValue?.contains("-American Made Patriotic Apparel") == true)
        #expect(s["changed"] == true)
        #expect(texts(r).count == 3)
        #expect(texts(r)[0].hasPrefix("Removed "))
        let none = MCPToolTests.tools.call("clean", ["text": "Plain story.\n"])
        #expect(texts(none) == ["Nothing to remove.", "Plain story.\n"])
    }

    @Test func listAndExplainRules() throws {
        let all = MCPToolTests.tools.call("list_rules", nil)
        let rules = try #require(all.structuredContent?.objectValue?["rules"]?.arrayValue)
        #expect(rules.count == Engine().rules.count)
        let ads = MCPToolTests.tools.call("list_rules", ["category": "ads"])
        #expect(ads.structuredContent?.objectValue?["rules"]?.arrayValue?.allSatisfy { $0.objectValue?["category"] == "ads" } == true)
        let e = MCPToolTests.tools.call("explain_rule", ["id": "ads.promo-code"])
        #expect(e.isError == false)
        let rule = try #require(Engine().rule(id: "ads.promo-code"))
        #expect(e.structuredContent?.objectValue?["description"]?.stringValue == rule.description)
        #expect(e.structuredContent?.objectValue?["examples"]?.objectValue?["triggering"]?.arrayValue?.count == rule.examples.triggering.count)
        #expect(texts(e).joined().contains(rule.examples.triggering[0]))
    }

    @Test func badInputIsAToolErrorNeverACrash() {
        let cases: [(String, [String: Value]?)] = [
            ("lint", nil),
            ("lint", ["text": 5]),
            ("lint", ["text": "x", "format": "latex"]),
            ("lint", ["text": "x", "bogus": true]),
            ("lint", ["text": "x", "categories": "ads"]),
            ("lint", ["text": "x", "categories": ["nope"]]),
            ("clean", ["format": "html"]),
            ("list_rules", ["category": "weather"]),
            ("explain_rule", [:]),
            ("explain_rule", ["id": "ads.nope"]),
            ("no_such_tool", [:]),
            ("lint", ["text": .string(String(repeating: "x", count: CopydeskTools.maxTextBytes + 1))]),
        ]
        for (name, args) in cases {
            let r = MCPToolTests.tools.call(name, args)
            #expect(r.isError == true, "\(name) \(String(describing: args).prefix(80))")
            #expect(!texts(r).joined().isEmpty)
        }
        // An unknown id names rules of the same category to try (not a fixed list: rules come and go).
        let unknown = texts(MCPToolTests.tools.call("explain_rule", ["id": "ads.nope"])).joined()
        #expect(unknown.contains("No rule 'ads.nope'") && unknown.contains("Did you mean: ads."))
        // Invalid UTF-8 cannot arrive (JSON strings are Unicode); odd text is fine.
        #expect(MCPToolTests.tools.call("lint", ["text": "\u{0}\u{FFFD}🎉", "format": "html"]).isError == false)
    }

    @Test func roundTripOverAnInMemoryTransport() async throws {
        let server = await CopydeskMCPServer.make(engine: Engine())
        let client = Client(name: "test", version: "1.0")
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverTransport)
        _ = try await client.connect(transport: clientTransport)
        let (tools, _) = try await client.listTools()
        #expect(tools.map(\.name) == ["lint", "clean", "list_rules", "explain_rule"])
        let (content, isError) = try await client.callTool(name: "lint", arguments: ["text": "Use promo code SAVE20 at checkout.\n"])
        #expect(isError == false)
        #expect(content.first.map { if case .text(let t, _, _) = $0 { t.contains("ads.promo-code") } else { false } } == true)
        let (_, bad) = try await client.callTool(name: "explain_rule", arguments: [:])
        #expect(bad == true)
        await client.disconnect()
        await server.stop()
    }
}
