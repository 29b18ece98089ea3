"""Listed persons whose names hold an Arabic compound, written in another of its usual spellings.

Why: ʿAbd ("servant of") + the article + one of God's names, and the kunya Abu ("father of") + a name, are
written in Latin in several ways, and the lists use all of them for different persons: 'AL-JAMAL, Abdul
Rahman', 'SALIH, Abd al-Munim Ahmad', 'REMADNA, Abdelhalim', 'ZARQUN, Abd al Hadi', 'Abu Bakr'. A customer's
form, a passport or another list may write the same person's compound another way. This set takes every
listed person (kind person) of a watchlist whose name holds such a compound, as the lists write it, and writes
that one compound in each of the other usual spellings, the rest of the name as listed:

- ʿAbd compounds: "Abd al-X" (ALA-LC, the lists' most frequent form), "Abdul X", "Abdel X" (the French
  and Egyptian form), "AbdulX" (one word; X lower-cased), "Abd-al-X";
- the kunya: "Abu X", "Abou X" (French), "AbuX" (one word).

A query is found when the person's own record is among its hits. The compound is found by a reader of its
own here (the words of the name, not the product's patterns), so a compound the product misreads is still
queried. Two columns: CSL 2022-04 (the dev watchlist) and the C lists (OFAC SDN 2024-05-03, the UN list,
OFAC's non-SDN list: other entities), each queried against its own list; every query of a column if it has
at most ``--limit`` (default 600), else a seeded sample::

    python -m bench.arabic_names --shared ../shared/data [--show N]

``python -m bench`` prints it after the Wade-Giles set.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path
from typing import Any

from bench.scale import CSL
from bench.sets import person_watchlists

SEED = 22
_TOKEN = re.compile(r"[^\s\-,]+|[\s\-,]+")
_ARTICLES = {"al", "el", "ul", "ar", "ur", "er", "as", "us", "es", "ad", "ud", "at", "az", "an", "un", "ash"}
_SERVANT_ARTICLE = ("abdul", "abdel", "abdal", "abdol")
_KUNYA = ("abu", "abou")
SERVANT_STYLES = ("Abd al-{x}", "Abdul {x}", "Abdel {x}", "Abdul{y}", "Abd-al-{x}")
KUNYA_STYLES = ("Abu {x}", "Abou {x}", "Abu{y}")


def _bare(word: str) -> str:
    return word.strip("'\u2018\u2019\u02bf`").lower()


def compounds(name: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, element) of each compound in ``name``: kind "abd" or "abu", the element as written
    (Rahman, Munim, Bakr), start / end the characters the compound spans."""
    spans = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(name)]
    words = [(s, e, t) for s, e, t in spans if not re.fullmatch(r"[\s\-,]+", t)]
    # two words are adjacent when only spaces or hyphens part them (a comma ends a name part)
    out = []
    i = 0
    while i < len(words):
        s, e, t = words[i]
        low = _bare(t)

        def adjacent(j: int) -> bool:
            return j < len(words) and "," not in name[words[j - 1][1] : words[j][0]]

        if low == "abd" and adjacent(i + 1) and adjacent(i + 2) and _bare(words[i + 1][2]) in _ARTICLES:
            element = words[i + 2][2]
            out.append((s, words[i + 2][1], "abd", element.strip("'\u2018\u2019\u02bf`")))
            i += 3
            continue
        if low in _SERVANT_ARTICLE and adjacent(i + 1):
            out.append((s, words[i + 1][1], "abd", words[i + 1][2].strip("'\u2018\u2019\u02bf`")))
            i += 2
            continue
        if len(low) >= 8 and low[:5] in _SERVANT_ARTICLE and low[5:] not in {"lah", "lahi", "la"}:
            # one word, the article's l before the element (Abdulaziz, Abdelhalim); Abdullah is a name of its own
            out.append((s, e, "abd", t[5:]))
            i += 1
            continue
        if low in _KUNYA and adjacent(i + 1) and _bare(words[i + 1][2]) not in _ARTICLES:
            out.append((s, words[i + 1][1], "abu", words[i + 1][2]))
            i += 2
            continue
        i += 1
    return out


def respellings(name: str) -> list[tuple[str, str]]:
    """(style, query) for each compound of ``name`` written in each other usual spelling."""
    out = []
    for start, end, kind, element in compounds(name):
        if len(element) < 3 or not element.isalpha():
            continue
        written = name[start:end].lstrip("'\u2018\u2019\u02bf`")
        for style in SERVANT_STYLES if kind == "abd" else KUNYA_STYLES:
            spelt = style.format(x=element.capitalize(), y=element.lower())
            if spelt.lower().replace("-", " ") == written.lower().replace("-", " "):
                continue
            out.append((style, name[:start] + spelt + name[end:]))
    return out


def rows(parties: list[Any]) -> list[tuple[str, str, str, str]]:
    """(list name, style, query, party id) for every listed person whose name holds a compound."""
    from chipguard.model import PartyKind

    seen: set[str] = set()
    out = []
    for party in parties:
        if party.kind != PartyKind.PERSON or not party.name:
            continue
        for style, query in respellings(party.name):
            if query.lower() in seen:
                continue
            seen.add(query.lower())
            out.append((party.name, style, query, party.party_id))
    return out


def recall(screener: Any, parties: list[Any], limit: int, show: int = 0) -> dict[str, list[int]]:
    """Per style and in all: [queries, own record found]."""
    built = rows(parties)
    if len(built) > limit:
        built = random.Random(SEED).sample(built, limit)
    stats: dict[str, list[int]] = {}
    shown = 0
    for name, style, query, party_id in built:
        hits = screener.screen(query, kind="person")
        found = party_id in {h.party_id for h in hits}
        for key in (style, "ALL"):
            cell = stats.setdefault(key, [0, 0])
            cell[0] += 1
            cell[1] += found
        if not found and shown < show:
            shown += 1
            print(f"- missed: {name!r} as {query!r} → {[(h.name, round(h.score, 3)) for h in hits[:2]]}")
    return stats


def run(
    shared: Path,
    csl_screener: Any = None,
    csl_parties: list[Any] | None = None,
    show: int = 0,
    limit: int = 600,
) -> None:
    """Prints the set's recall against CSL 2022-04 and against the C lists, per spelling."""
    columns = person_watchlists(shared, csl_screener, csl_parties)
    results = [(label, recall(screener, parties, limit, show)) for label, screener, parties in columns]
    print(
        "\n## Listed persons with an Arabic compound written another way (`python -m bench.arabic_names`)\n"
    )
    print("| spelling | " + " | ".join(f"{label} queries | found" for label, _ in results) + " |")
    print("|---|" + "---:|---:|" * len(results))
    for style in [*SERVANT_STYLES, *KUNYA_STYLES, "ALL"]:
        cells = []
        for _, stats in results:
            n, found = stats.get(style, [0, 0])
            cells += [str(n), f"{found / n:.3f}" if n else "—"]
        print(f"| {style.replace('{x}', 'X').replace('{y}', 'x')} | " + " | ".join(cells) + " |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.arabic_names", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--show", type=int, default=0, help="print this many misses per watchlist")
    parser.add_argument(
        "--limit", type=int, default=600, help="queries per watchlist at most (a seeded sample)"
    )
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / CSL).exists():
        print(f"bench.arabic_names: {shared} holds no benchmark data; nothing to run.")
        return 0
    run(shared, show=args.show, limit=args.limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
