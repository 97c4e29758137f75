#!/usr/bin/env python3
"""Latency of copydesk lsp: from the last didChange of a burst of typing on a ~20 KB document to
the publishDiagnostics for that version. Prints the median, p90 and max over N bursts.

    python3 integrations/editors/bench_lsp_latency.py [BIN] [--bursts N]
"""
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
args = [a for a in sys.argv[1:] if not a.startswith("--")]
BIN = args[0] if args else os.environ.get("COPYDESK_BIN", str(ROOT / ".build/debug/copydesk"))
BURSTS = int(next((a.split("=")[1] for a in sys.argv[1:] if a.startswith("--bursts=")), "30"))

seed = (ROOT / "Fixtures/seed-article/article.txt").read_text(encoding="utf-8")
text = ""
while len(text.encode()) < 20_000:
    text += seed + "\n"
size = len(text.encode())

p = subprocess.Popen([BIN, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
arrivals = {}
cond = threading.Condition()


def reader():
    while True:
        header = b""
        while not header.endswith(b"\r\n\r\n"):
            c = p.stdout.read(1)
            if not c:
                return
            header += c
        n = int(header.split(b":")[1].split(b"\r")[0])
        msg = json.loads(p.stdout.read(n))
        now = time.perf_counter()
        if msg.get("method") == "textDocument/publishDiagnostics":
            with cond:
                arrivals[msg["params"].get("version")] = (now, len(msg["params"]["diagnostics"]))
                cond.notify_all()


threading.Thread(target=reader, daemon=True).start()


def send(obj):
    body = json.dumps(obj).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    p.stdin.flush()


def wait_version(v, timeout=10):
    with cond:
        cond.wait_for(lambda: v in arrivals, timeout=timeout)
        return arrivals.get(v)


uri = "file:///tmp/copydesk-bench/article.txt"
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}})
first = wait_version(1)
version = 1
latencies = []
lines = text.count("\n")
for burst in range(BURSTS):
    # Type 5 characters, 5 ms apart, somewhere in the middle of the document (incremental sync).
    line = (burst * 7) % (lines - 1)
    for k in range(5):
        version += 1
        send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": "x"}]}})
        sent = time.perf_counter()
        if k < 4:
            time.sleep(0.005)
    got = wait_version(version)
    if got is None:
        print(f"burst {burst}: no diagnostics for version {version}", file=sys.stderr)
        continue
    latencies.append((got[0] - sent) * 1000)
    time.sleep(0.05)

send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
send({"jsonrpc": "2.0", "method": "exit"})
p.wait(timeout=10)
latencies.sort()
p90 = latencies[int(0.9 * (len(latencies) - 1))]
print(f"lsp latency, {size} B document ({first[1] if first else '?'} diagnostics), {len(latencies)} bursts of 5 keystrokes: "
      f"median {statistics.median(latencies):.1f} ms, p90 {p90:.1f} ms, max {latencies[-1]:.1f} ms after the last change")
