"""Prints the generated rule tables of docs/rules.md (section 8); with --write, replaces them in place."""

from __future__ import annotations

import sys
from pathlib import Path

from chipguard.policy.rules import default_rule_set
from chipguard.policy.rules_doc import BEGIN, END, rules_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def main() -> None:
    table = rules_table(default_rule_set())
    if "--write" not in sys.argv:
        print(table)
        return
    text = DOC.read_text(encoding="utf-8")
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    DOC.write_text(text[:start] + table + text[stop:], encoding="utf-8")


if __name__ == "__main__":
    main()
