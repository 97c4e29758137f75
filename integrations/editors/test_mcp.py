"""copydesk mcp end to end, with the official Python MCP client over stdio."""
import json

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from conftest import BIN, SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")


async def session_call(fn):
    params = StdioServerParameters(command=BIN, args=["mcp"])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.serverInfo.name == "copydesk"
            return await fn(session)


async def test_every_tool():
    async def run(s: ClientSession):
        tools = (await s.list_tools()).tools
        assert [t.name for t in tools] == ["lint", "clean", "list_rules", "explain_rule"]
        for t in tools:
            assert t.description
            for name, prop in t.inputSchema["properties"].items():
                assert prop.get("description"), f"{t.name}.{name}"

        lint = await s.call_tool("lint", {"text": SEED_TEXT})
        assert not lint.isError
        report = lint.structuredContent
        assert report["version"] == 1
        findings = report["files"][0]["findings"]
        assert len(findings) == 6
        assert {"rule": "ads.save-percent", "line": 11, "column": 35} == {
            "rule": findings[1]["rule"], "line": findings[1]["span"]["start"]["line"], "column": findings[1]["span"]["start"]["column"]}
        assert lint.content[0].text.startswith("6 findings (3 errors, 2 warnings, 1 info):")

        headline = await s.call_tool("lint", {"text": "The council met.\n", "format": "markdown",
                                              "headline": "You Won't Believe What The Council Did"})
        assert any(f["category"] == "clickbait" and f["span"]["start"]["line"] == 1
                   for f in headline.structuredContent["files"][0]["findings"])

        clean = await s.call_tool("clean", {"text": SEED_TEXT})
        assert not clean.isError
        assert "Promo Code MERICA" not in clean.structuredContent["cleaned"]
        assert "-American Made Patriotic Apparel" in clean.structuredContent["diff"]
        assert clean.content[1].text == clean.structuredContent["cleaned"]

        rules = await s.call_tool("list_rules", {})
        ids = [r["id"] for r in rules.structuredContent["rules"]]
        assert "ads.promo-code" in ids and ids == sorted(ids)

        explain = await s.call_tool("explain_rule", {"id": "ads.promo-code"})
        assert not explain.isError
        assert explain.structuredContent["examples"]["triggering"]
        assert "Flags promo" in explain.content[0].text

        # Errors are tool errors; the server stays up.
        for name, args in [("explain_rule", {"id": "nope"}), ("lint", {}), ("lint", {"text": "x", "format": "latex"}),
                           ("clean", {"text": 5}), ("no_such_tool", {})]:
            r = await s.call_tool(name, args)
            assert r.isError, (name, args)
            assert r.content[0].text
        again = await s.call_tool("lint", {"text": "Use promo code SAVE20 at checkout.\n"})
        assert not again.isError and again.structuredContent["files"][0]["findings"][0]["rule"] == "ads.promo-code"

    await session_call(run)
