"""copydesk mcp end to end, with the official Python MCP client over stdio."""
import json

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from conftest import BIN, SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")


def field(obj, *names):
    """A result field under the names of mcp 1.x (camelCase) and 2.x (snake_case)."""
    for n in names:
        if hasattr(obj, n):
            return getattr(obj, n)
    raise AttributeError(names)


def err(r):
    return field(r, "isError", "is_error")


def structured(r):
    return field(r, "structuredContent", "structured_content")


def schema(t):
    return field(t, "inputSchema", "input_schema")


async def session_call(fn):
    params = StdioServerParameters(command=BIN, args=["mcp"])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            assert field(init, "serverInfo", "server_info").name == "copydesk"
            return await fn(session)


async def test_every_tool():
    async def run(s: ClientSession):
        tools = (await s.list_tools()).tools
        assert [t.name for t in tools] == ["lint", "clean", "list_rules", "explain_rule"]
        for t in tools:
            assert t.description
            for name, prop in schema(t)["properties"].items():
                assert prop.get("description"), f"{t.name}.{name}"

        lint = await s.call_tool("lint", {"text": SEED_TEXT})
        assert not err(lint)
        report = structured(lint)
        assert report["version"] == 1
        findings = report["files"][0]["findings"]
        assert len(findings) == 6
        assert {"rule": "ads.save-percent", "line": 11, "column": 35} == {
            "rule": findings[1]["rule"], "line": findings[1]["span"]["start"]["line"], "column": findings[1]["span"]["start"]["column"]}
        assert lint.content[0].text.startswith("6 findings (3 errors, 2 warnings, 1 info):")

        headline = await s.call_tool("lint", {"text": "The council met.\n", "format": "markdown",
                                              "headline": "You Won't Believe What The Council Did"})
        assert any(f["category"] == "clickbait" and f["span"]["start"]["line"] == 1
                   for f in structured(headline)["files"][0]["findings"])

        clean = await s.call_tool("clean", {"text": SEED_TEXT})
        assert not err(clean)
        assert "Promo Code MERICA" not in structured(clean)["cleaned"]
        assert "-American Made Patriotic Apparel" in structured(clean)["diff"]
        assert clean.content[1].text == structured(clean)["cleaned"]

        rules = await s.call_tool("list_rules", {})
        ids = [r["id"] for r in structured(rules)["rules"]]
        assert "ads.promo-code" in ids and ids == sorted(ids)

        explain = await s.call_tool("explain_rule", {"id": "ads.promo-code"})
        assert not err(explain)
        assert structured(explain)["examples"]["triggering"]
        assert "Flags promo" in explain.content[0].text

        # Errors are tool errors; the server stays up.
        for name, args in [("explain_rule", {"id": "nope"}), ("lint", {}), ("lint", {"text": "x", "format": "latex"}),
                           ("clean", {"text": 5}), ("no_such_tool", {})]:
            r = await s.call_tool(name, args)
            assert err(r), (name, args)
            assert r.content[0].text
        again = await s.call_tool("lint", {"text": "Use promo code SAVE20 at checkout.\n"})
        assert not err(again) and structured(again)["files"][0]["findings"][0]["rule"] == "ads.promo-code"

    await session_call(run)
