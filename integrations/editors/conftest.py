"""Shared settings for the editor integration tests (run by .ci/editors)."""
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("COPYDESK_BIN", str(ROOT / ".build" / "debug" / "copydesk"))
SEED = ROOT / "Fixtures" / "seed-article" / "article.txt"
