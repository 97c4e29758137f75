"""copydesk lsp end to end, driven by pytest-lsp (a real LSP client) over stdio."""
import subprocess
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from conftest import BIN, SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "lsp"]))
async def client(lsp_client: LanguageClient, tmp_path):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
            ),
            root_uri=tmp_path.as_uri(),
        )
    )
    yield
    await lsp_client.shutdown_session()


async def open_and_wait(client: LanguageClient, path, text, language="plaintext", version=1):
    uri = path.as_uri() if hasattr(path, "as_uri") else path
    waiter = client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text))
    )
    await waiter
    return uri


async def wait_version(client: LanguageClient, uri, version):
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and params.version == version:
            return params.diagnostics


def apply_edits(text, edits):
    """Applies LSP text edits (UTF-16 positions) to text."""
    lines = text.splitlines(keepends=True) or [""]
    if text.endswith(("\n", "\r")):
        lines.append("")

    def offset(pos):
        o = sum(len(l) for l in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units = 0
        for i, ch in enumerate(line):
            if units >= pos.character:
                return o + i
            units += 2 if ord(ch) > 0xFFFF else 1
        return o + len(line)

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        a, b = offset(e.range.start), offset(e.range.end)
        text = text[:a] + e.new_text + text[b:]
    return text


async def test_seed_diagnostics(client: LanguageClient, tmp_path):
    uri = await open_and_wait(client, tmp_path / "article.txt", SEED_TEXT)
    diags = client.diagnostics[uri]
    codes = sorted(d.code for d in diags)
    assert codes == sorted([
        "boilerplate.recirculation-headline", "ads.save-percent", "polls.reader-question",
        "polls.consent-text", "attribution.reports-indicate", "boilerplate.opinions-disclaimer",
    ])
    assert all(d.source == "copydesk" for d in diags)
    save = next(d for d in diags if d.code == "ads.save-percent")
    # CLI: 11:35, "Save 15% with Promo Code MERICA" (31 characters).
    assert (save.range.start.line, save.range.start.character) == (10, 34)
    assert (save.range.end.line, save.range.end.character) == (10, 65)
    assert save.severity == types.DiagnosticSeverity.Error
    info = next(d for d in diags if d.code == "boilerplate.opinions-disclaimer")
    assert info.severity == types.DiagnosticSeverity.Information
    # Closing clears them.
    waiter = client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await waiter
    assert list(client.diagnostics[uri]) == []


async def test_utf16_columns_after_emoji(client: LanguageClient, tmp_path):
    text = "Intro.\n\n🎉 “Ad” Use promo code SAVE20 at checkout.\n"
    uri = await open_and_wait(client, tmp_path / "emoji.txt", text)
    d = next(d for d in client.diagnostics[uri] if d.code == "ads.promo-code")
    # 🎉 is two UTF-16 code units, the curly quotes one each: "promo" starts at unit 12.
    assert (d.range.start.line, d.range.start.character) == (2, 12)
    assert d.range.end.character == 12 + len("promo code SAVE20")
    line = text.splitlines()[2]
    utf16 = line.encode("utf-16-le")
    assert utf16[2 * d.range.start.character: 2 * d.range.end.character].decode("utf-16-le") == "promo code SAVE20"


async def test_incremental_edits(client: LanguageClient, tmp_path):
    uri = await open_and_wait(client, tmp_path / "inc.md", "# Council meets\n\nThe council met on Tuesday.\n", language="markdown")
    assert list(client.diagnostics[uri]) == []
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=3, character=0), end=types.Position(line=3, character=0)),
            text="\n🎉 Use promo code SAVE20 at checkout.\n")],
    ))
    diags = await wait_version(client, uri, 2)
    d = next(d for d in diags if d.code == "ads.promo-code")
    assert (d.range.start.line, d.range.start.character) == (4, 7)
    # Replace the emoji (two units) with a word, in a second incremental change.
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=4, character=0), end=types.Position(line=4, character=2)),
            text="Hey!")],
    ))
    diags = await wait_version(client, uri, 3)
    d = next(d for d in diags if d.code == "ads.promo-code")
    assert d.range.start.character == 9
    # Full-text change.
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=4),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text="Nothing here.\n")],
    ))
    assert list(await wait_version(client, uri, 4)) == []


async def test_code_actions_applied(client: LanguageClient, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(SEED_TEXT, encoding="utf-8")
    uri = await open_and_wait(client, path, SEED_TEXT)
    text, version = SEED_TEXT, 1
    diags = client.diagnostics[uri]
    # Every "Remove this line", applied one after another, gives what `copydesk clean` gives.
    for _ in range(10):
        removable = [d for d in diags if d.data and d.data.get("category") in ("ads", "polls", "boilerplate")]
        if not removable:
            break
        d = removable[0]
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=d.range,
            context=types.CodeActionContext(diagnostics=[d])))
        titles = [a.title for a in actions]
        assert f"Disable {d.code} for this line" in titles
        assert f"Disable {d.code} in this file" in titles
        remove = next(a for a in actions if a.title == "Remove this line")
        assert remove.kind == types.CodeActionKind.QuickFix
        text = apply_edits(text, remove.edit.changes[uri])
        version += 1
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        diags = await wait_version(client, uri, version)
    cleaned = subprocess.run([BIN, "clean", "-o", "-", str(path)], capture_output=True, text=True, check=True).stdout
    assert text == cleaned
    assert sorted(d.code for d in diags) == ["attribution.reports-indicate"]
    # "Disable … for this line" silences that finding and leaves no unused-suppression finding.
    d = diags[0]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=d.range, context=types.CodeActionContext(diagnostics=[d])))
    disable = next(a for a in actions if a.title == f"Disable {d.code} for this line")
    text = apply_edits(text, disable.edit.changes[uri])
    assert "<!-- copydesk-disable-line attribution.reports-indicate -->" in text
    version += 1
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    assert list(await wait_version(client, uri, version)) == []


async def test_hover(client: LanguageClient, tmp_path):
    uri = await open_and_wait(client, tmp_path / "h.txt", "🎉 “Ad” Use promo code SAVE20 at checkout.\n")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=14)))
    assert hover is not None
    value = hover.contents.value
    assert "ads.promo-code" in value
    assert "Flags promo, coupon, discount and voucher codes" in value
    assert "«Promo Code MERICA»" in value
    assert hover.range.start.character == 12
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0)))
    assert nothing is None


async def test_bad_config(client: LanguageClient, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / ".copydesk.yml").write_text("rules:\n  ads.promo-code: loud\nbogus: 1\n", encoding="utf-8")
    uri = await open_and_wait(client, site / "a.txt", "Use promo code SAVE20 at checkout.\n")
    # The server says what is wrong and goes on linting.
    assert any(".copydesk.yml" in m.message for m in client.messages)
    assert any(d.code == "ads.promo-code" for d in client.diagnostics[uri])
    # A good configuration, once the client says it changed, applies.
    (site / ".copydesk.yml").write_text("rules:\n  ads.promo-code: off\n", encoding="utf-8")
    waiter = client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(site / ".copydesk.yml").as_uri(), type=types.FileChangeType.Changed)]))
    await waiter
    assert list(client.diagnostics[uri]) == []


async def test_utf8_encoding_negotiated(tmp_path):
    """A client that prefers UTF-8 gets byte columns (raw JSON-RPC, no pytest-lsp session)."""
    import json
    p = subprocess.Popen([BIN, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def send(obj):
        body = json.dumps(obj).encode()
        p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        p.stdin.flush()

    def recv():
        header = b""
        while not header.endswith(b"\r\n\r\n"):
            header += p.stdout.read(1)
        n = int(header.split(b":")[1].split(b"\r")[0])
        return json.loads(p.stdout.read(n))

    def recv_where(pred):
        while True:
            m = recv()
            if pred(m):
                return m

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {"general": {"positionEncodings": ["utf-8", "utf-16"]}}}})
    assert recv_where(lambda m: m.get("id") == 1)["result"]["capabilities"]["positionEncoding"] == "utf-8"
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": (tmp_path / "u.txt").as_uri(), "languageId": "plaintext", "version": 1, "text": "🎉 “Ad” Use promo code SAVE20 at checkout.\n"}}})
    msg = recv_where(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert msg["params"]["diagnostics"][0]["range"]["start"]["character"] == 18
    # Garbage gets protocol errors, and the server goes on.
    p.stdin.write(b"Content-Length: 5\r\n\r\n{bad}")
    p.stdin.flush()
    assert recv_where(lambda m: "error" in m)["error"]["code"] == -32700
    send({"jsonrpc": "2.0", "id": 2, "method": "no/such"})
    assert recv_where(lambda m: m.get("id") == 2)["error"]["code"] == -32601
    send({"jsonrpc": "2.0", "id": 3, "method": "shutdown"})
    assert recv_where(lambda m: m.get("id") == 3)["result"] is None
    send({"jsonrpc": "2.0", "method": "exit"})
    assert p.wait(timeout=10) == 0
