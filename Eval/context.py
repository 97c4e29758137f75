#!/usr/bin/env python3
"""DATA=../shared/data context.py ID [N]: prints the line ID (stem/row/line) with N (default 3) lines around it, and the article title."""
import json, sys
lid = sys.argv[1]; k = int(sys.argv[2]) if len(sys.argv) > 2 else 3
stem, row, n = lid.split("/"); row, n = int(row), int(n)
import os
with open(os.path.join(os.environ.get("DATA", "../shared/data"), "articles", f"{stem}.jsonl"), encoding="utf-8") as f:
    rows = [l for l in f if l.strip()]
r = json.loads(rows[row])
text = (r.get("text") or "").replace("\r\n", "\n").replace("\r", "\n")
lines = [l.strip() for l in text.split("\n") if l.strip()]
print("TITLE:", r.get("title"))
for i in range(max(1, n - k), min(len(lines), n + k) + 1):
    print((">>" if i == n else "  ") + f"{i:4d}: " + lines[i - 1][:400])
