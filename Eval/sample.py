#!/usr/bin/env python3
"""Draws the blind-labeling samples from ../shared/data/articles (ids only are kept in the repo).

Ids: titles `<stem>/<row>`; lines `<stem>/<row>/<line>`, where stem is the file name without
.jsonl, row the 0-based index among the file's non-blank lines, line the 1-based index in the
single-newline rendering of `text` (CRLF/CR -> LF, split on LF, strip, drop empty lines).
Usage: sample.py DATA_DIR OUT_DIR
"""
import json, random, re, sys, os

data, out = sys.argv[1], sys.argv[2]
FILES = ["fakenewsnet", "fake-news-small"]

def rows(stem):
    with open(os.path.join(data, "articles", stem + ".jsonl"), encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]

def render(text):
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return [l.strip() for l in text.split("\n") if l.strip()]

titles, lines = [], []
for stem in FILES:
    for i, r in enumerate(rows(stem)):
        t = (r.get("title") or "").strip()
        if t:
            titles.append((stem, f"{stem}/{i}", " ".join(t.split())))
        for n, l in enumerate(render(r.get("text")), 1):
            lines.append((f"{stem}/{i}/{n}", l))

rng = random.Random(20261204)
sample_titles = []
for stem in FILES:
    pool = [t for t in titles if t[0] == stem]
    sample_titles += rng.sample(pool, 250)
rng.shuffle(sample_titles)

# Line labels: 200 uniform over all lines, 200 uniform over short lines (<= 80 characters),
# where page junk sits. No cue words: the sample does not depend on any rule.
ids = set()
def draw(pool, k, stratum, acc):
    for lid, l in rng.sample(pool, k * 2):
        if len(acc) >= k: break
        if lid in ids: continue
        ids.add(lid); acc.append((lid, stratum, l))
    return acc
line_sample = []
draw(lines, 200, "uniform", line_sample)
short = [x for x in lines if len(x[1]) <= 80]
s2 = []; draw(short, 200, "short", s2); line_sample += s2
rng.shuffle(line_sample)

# Claim labels: 250 uniform over lines of >= 40 characters, 150 over such lines that contain
# a reporting or belief word (a broad list, so that the sample holds enough claims to score).
ids = set()
long_ = [x for x in lines if len(x[1]) >= 40]
report = re.compile(r"\b(said|says|say|told|tells|according|report\w*|claim\w*|believ\w*|sources?|experts?|insiders?|allegedly|rumou?r\w*|suggest\w*|thought|known|widely|many|some)\b", re.I)
claims = []; draw(long_, 250, "uniform", claims)
c2 = []; draw([x for x in long_ if report.search(x[1])], 150, "reporting-word", c2); claims += c2
rng.shuffle(claims)

os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "titles-to-label.tsv"), "w") as f:
    f.write("id\ttitle\n")
    for _, i, t in sample_titles: f.write(f"{i}\t{t}\n")
def context(lid):
    stem, row, n = lid.split("/"); return stem, int(row), int(n)
for name, sample in (("lines-to-label.tsv", line_sample), ("claims-to-label.tsv", claims)):
    with open(os.path.join(out, name), "w") as f:
        f.write("id\tstratum\ttext\n")
        for lid, s, l in sample: f.write(f"{lid}\t{s}\t{l.replace(chr(9), ' ')}\n")
print(len(sample_titles), len(line_sample), len(claims))
