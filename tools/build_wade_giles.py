"""Writes chipguard/data/names/wade_giles.tsv: every Pinyin syllable, its Wade-Giles spelling and how many
characters read it, for chipguard.names.wade_giles (a name in Wade-Giles read back into Pinyin).

Why a file: the table comes from pypinyin (its ``Style.WADEGILES`` against its Pinyin, over the 20,902
characters of the CJK Unified Ideographs block, twelve syllables corrected: ``CORRECTIONS``); building it at
run time costs ~0.4 s of CPU on the first
query of every process, which the cold start of ``chipguard screen`` and every fresh worker would pay.
tests/test_names_wade_giles.py checks the file against pypinyin, so it cannot drift from the library:

    python tools/build_wade_giles.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "chipguard" / "data" / "names" / "wade_giles.tsv"
# syllables of interjections only (呒 m, 嗯 n / ng, 噷 hm, 哼 hng, 欸 ê): no name is written with them
INTERJECTIONS = frozenset({"m", "n", "ng", "hm", "hng", "ê"})
# where pypinyin 0.55's Style.WADEGILES departs from the Wade-Giles syllable table (Library of Congress,
# "Pinyin / Wade-Giles conversion table", https://www.loc.gov/catdir/pinyin/romcover.html): the final -ai
# stays -ai (赖 Lai, 蔡 Ts'ai — pypinyin writes lei, hei, mei, wei for lai, hai, mai, wai), huo and shuo keep
# their u (霍 Huo, 说 Shuo — not ho, sho, which are 何 he and none), tie is t'ieh, and chua has an
# apostrophe, not a backtick
CORRECTIONS = {
    "ai": "ai", "hai": "hai", "lai": "lai", "mai": "mai", "nai": "nai", "sai": "sai", "shai": "shai",
    "wai": "wai", "huo": "huo", "shuo": "shuo", "tie": "t'ieh", "chua": "ch'ua",
}  # fmt: skip


def rows() -> list[tuple[str, str, int]]:
    """(Pinyin syllable, its Wade-Giles as pypinyin writes it, characters reading it), by syllable."""
    from pypinyin import Style, pinyin

    wade: dict[str, str] = {}
    count: dict[str, int] = {}
    for code in range(0x4E00, 0x9FA6):
        char = chr(code)
        [[latin]], [[written]] = pinyin(char, style=Style.NORMAL), pinyin(char, style=Style.WADEGILES)
        if latin == char or not latin.isalpha() or not latin.isascii() or not written:
            continue
        if latin in INTERJECTIONS:
            continue
        wade.setdefault(latin, written)
        count[latin] = count.get(latin, 0) + 1
    return [(latin, CORRECTIONS.get(latin, wade[latin]), count[latin]) for latin in sorted(wade)]


def text() -> str:
    import pypinyin

    head = [
        "# Pinyin syllable <TAB> its Wade-Giles (apostrophe = aspirated, v = ü) <TAB> characters reading it.",
        "# Read by chipguard.names.wade_giles. Source: pypinyin "
        f"{pypinyin.__version__} (MIT), Style.WADEGILES against Style.NORMAL over the CJK Unified",
        "# Ideographs block U+4E00-U+9FA5, twelve syllables corrected to the Library of Congress Pinyin / Wade-Giles",
        "# conversion table (tools/build_wade_giles.py CORRECTIONS). Regenerate: python tools/build_wade_giles.py",
    ]
    return "\n".join([*head, *(f"{a}\t{b}\t{n}" for a, b, n in rows())]) + "\n"


def main() -> int:
    made = text()
    if "--check" in sys.argv:
        same = TABLE.read_text(encoding="utf-8") == made
        print("wade_giles.tsv: up to date" if same else "wade_giles.tsv: differs from pypinyin; regenerate")
        return 0 if same else 1
    TABLE.write_text(made, encoding="utf-8")
    print(f"wrote {TABLE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
