"""Prints the feature table of docs/MATCHING_FEATURES.md from matching.yml; with --write, replaces it in place."""

from __future__ import annotations

import sys
from pathlib import Path

from chipguard.match.config import TABLE_BEGIN, TABLE_END, features_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "MATCHING_FEATURES.md"


def main() -> None:
    table = features_table()
    if "--write" not in sys.argv:
        print(table)
        return
    text = DOC.read_text(encoding="utf-8")
    start, stop = text.index(TABLE_BEGIN), text.index(TABLE_END) + len(TABLE_END)
    DOC.write_text(text[:start] + table + text[stop:], encoding="utf-8")


if __name__ == "__main__":
    main()
