"""Writes chipguard/data/names/company_words.tsv: how many names of a general company-name corpus hold each
word, for the token weights of the scorer (chipguard.match.index.NameIndex.token_rarity).

Why: a word's weight comes from how distinctive it is. Rarity over the restricted-party lists alone calls
"Microelectronics" or "Semiconductor" distinctive because few listed names hold them, although thousands of
companies are named so; a query sharing only such words with a list name then matches too well. The
frequency over names of ordinary companies worldwide says which words are common in company names at all.

Corpus: the IEEE Registration Authority's public listings of assignees — MA-L (oui.csv), MA-M (mam.csv),
MA-S (oui36.csv) and IAB (iab.csv): about 29,600 distinct organisation names of hardware makers worldwide
(many Chinese), as shipped by the Debian package ``ieee-data`` (``apt-get install ieee-data``; files in
/usr/share/ieee-data). IEEE asserts no copyright in the listings and does not restrict their distribution
(Debian's copyright file for ieee-data). None of chipguard's benchmark sets is used.

Each distinct name (case and spacing folded; "Private" assignments skipped) is analysed as an organisation
name (chipguard.names.analysis.analyze) and counts once for each canonical word of it; words held by fewer
than ``--min-count`` names are left out (their corpus rarity is 1 anyway). Re-run after changing the name
analysis (vocabularies, legal forms), since the file holds canonical forms:

    python tools/build_company_words.py [--ieee /usr/share/ieee-data]
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import Counter
from pathlib import Path

from chipguard.names.analysis import analyze

OUT = Path(__file__).resolve().parents[1] / "chipguard" / "data" / "names" / "company_words.tsv"
FILES = ("oui.csv", "mam.csv", "oui36.csv", "iab.csv")


def corpus_names(folder: Path) -> list[str]:
    """The distinct organisation names of the IEEE listings in ``folder`` (sorted, case folded)."""
    seen: dict[str, str] = {}
    for name in FILES:
        with (folder / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                org = " ".join((row.get("Organization Name") or "").split())
                key = org.casefold()
                if org and key != "private" and key not in seen:
                    seen[key] = org
    return sorted(seen.values(), key=str.casefold)


def word_counts(names: list[str]) -> Counter[str]:
    """Canonical word → how many names hold it (each name counts a word once)."""
    counts: Counter[str] = Counter()
    for name in names:
        counts.update({t.canon for t in analyze(name, False).tokens if re.search(r"\w", t.canon)})
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ieee", default="/usr/share/ieee-data", help="folder of the ieee-data CSV files")
    parser.add_argument("--version", default="", help="the ieee-data package version, for the header")
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    folder = Path(args.ieee)
    version = args.version or (folder / ".lastupdate").read_text(encoding="utf-8").strip()
    names = corpus_names(folder)
    counts = word_counts(names)
    kept = sorted(((w, n) for w, n in counts.items() if n >= args.min_count), key=lambda x: (-x[1], x[0]))
    lines = [
        "# Word frequency over a general company-name corpus: canonical word <TAB> number of names holding it.",
        "# Read by chipguard.match.index (token weights; see token_rarity in matching.yml).",
        "# Source: IEEE Registration Authority public listings MA-L, MA-M, MA-S and IAB (oui.csv, mam.csv,",
        f"# oui36.csv, iab.csv) as shipped by the Debian package ieee-data ({version}). IEEE asserts no",
        "# copyright in the listings and does not restrict their distribution (public domain).",
        "# Regenerate: python tools/build_company_words.py --ieee /usr/share/ieee-data",
        f"names\t{len(names)}",
        f"min_count\t{args.min_count}",
        *(f"{w}\t{n}" for w, n in kept),
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(names)} names, {len(counts)} words, {len(kept)} kept (≥ {args.min_count}) → {args.out}")


if __name__ == "__main__":
    main()
