"""Brand / short-name and look-alike sets, built here from the real lists (not from the dev query rows).

Watchlist: CSL 2022-04 (``lists/us_csl_2022-04.csv.gz``), as for the dev sets. Every query is a real name;
how each set is built (run ``python -m bench.sets --shared ../shared/data``; ``python -m bench`` runs it too):

- **brand_zh**: the Chinese short names / brands (``short``) of the curated listed-party file
  (chipguard/data/zh/listed_party_names.yml, each entry citing an exchange filing, registry or official
  site) whose English name is a CSL party; the right answer is every CSL record of that English name.
- **brand_en**: the curated one- or two-word English trade names (``english_variants`` without a legal
  form, e.g. Hikvision, Hikmicro) of the same entries.
  Both run four ways: curated file on/off × trade-name rule (``core_names`` in matching.yml) on/off —
  with the file off the rule alone must find the firm.
- **lookalike_generic_country**: names of listed bodies outside China made only of generic and
  institutional words (a ministry, an academy, a bank: ``Ministry of Defence``), queried with country CN:
  the identical name of another country's body must not hit.
- **lookalike_vessel**: the names of listed vessels queried as organisations (a firm named like a ship):
  a hit on a vessel record is a false positive (hits on organisation records are not counted).
- **lookalike_sibling**: real Chinese institutions that are not on the CSL (the names of the xscript
  watchlist — ROR, SZSE, university lists — as a pool of real names) that share every word but one
  distinctive word with a listed institution ("X University of Technology" vs "Y University of
  Technology"), queried with country CN: the sibling must not hit the listed one.
- **recall_zh / recall_en**: the positives beside the look-alikes: the curated Chinese legal names of
  listed firms and the CSL English names of listed Chinese organisations, queried with country CN.

Targets (issue 12): look-alike FPR ≤ 0.02 with Chinese-name recall ≥ 0.95 and English ≥ 0.99; brand
recall ≥ 0.95.
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CSL = "lists/us_csl_2022-04.csv.gz"
REPO = Path(__file__).resolve().parent.parent
CURATED = REPO / "chipguard/data/zh/listed_party_names.yml"


def key(name: str) -> str:
    """A name casefolded with punctuation and spacing collapsed (how the curated file joins the list)."""
    return " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())


@dataclass(slots=True)
class Query:
    name: str
    expect_hit: bool
    accept: set[str] = field(default_factory=set)
    country: str | None = "CN"
    kind: str | None = "org"
    fp_kinds: tuple[str, ...] = ()  # a hit counts as a false positive only on records of these kinds


def brand_sets(parties: list[Any]) -> dict[str, list[Query]]:
    by_name: dict[str, set[str]] = {}
    for p in parties:
        by_name.setdefault(key(p.name), set()).add(p.party_id)
    entries = yaml.safe_load(CURATED.read_text(encoding="utf-8"))["entries"]
    zh: list[Query] = []
    en: list[Query] = []
    recall_zh: list[Query] = []
    for e in entries:
        if e.get("later_listing"):
            continue
        ids: set[str] = set()
        for name in [e["english"], *(e.get("english_variants") or [])]:
            ids |= by_name.get(key(name), set())
        if not ids:
            continue
        zh += [Query(s, True, ids) for s in e.get("short") or []]
        recall_zh.append(Query(e["chinese"], True, ids))
        for variant in e.get("english_variants") or []:
            words = variant.replace(",", " ").split()
            if 1 <= len(words) <= 2 and key(variant) not in by_name:
                en.append(Query(variant, True, ids))
    return {"brand_zh": zh, "brand_en": en, "recall_zh": recall_zh}


def lookalike_sets(parties: list[Any], shared: Path) -> dict[str, list[Query]]:
    from chipguard.match.screener import industry_words
    from chipguard.names.analysis import ADMIN, GENERIC, LEGAL, STOP, WORD, analyze
    from chipguard.names.data import vocabulary

    institutional = {str(w).casefold() for w in vocabulary().get("institutional_words", []) or []}
    industry = industry_words()
    generic: list[Query] = []
    vessels: list[Query] = []
    recall_en: list[Query] = []
    seen: set[str] = set()
    for p in parties:
        kind = p.kind.value
        if kind == "vessel" and key(p.name) not in seen:
            seen.add(key(p.name))
            vessels.append(Query(p.name, False, country=None, fp_kinds=("vessel",)))
            continue
        if kind == "person" or not p.countries:
            continue
        tokens = analyze(p.name, False).tokens
        if "CN" in p.countries:
            if p.list_name.startswith("Entity List") and len(tokens) >= 2:
                recall_en.append(Query(p.name, True, {p.party_id}))
            continue
        words = [t for t in tokens if t.cls not in (STOP, LEGAL)]
        if (
            len(words) >= 2
            and all(
                t.cls in (GENERIC, ADMIN) or t.canon in industry or t.text in institutional
                for t in words
                if t.cls == WORD or t.cls in (GENERIC, ADMIN)
            )
            and not any(t.cls not in (WORD, GENERIC, ADMIN, STOP, LEGAL) for t in tokens)
            and key(p.name) not in seen
        ):
            seen.add(key(p.name))
            generic.append(Query(p.name, False))
    # siblings: a real unlisted Chinese institution sharing all words but one distinctive word with a
    # listed one (both sides a university / institute / academy / laboratory)
    listed: dict[tuple[str, ...], list[str]] = {}
    body = re.compile(r"universit|institute|academy|laborator|college", re.IGNORECASE)
    listed_keys = {key(p.name) for p in parties}
    for p in parties:
        if "CN" in p.countries and body.search(p.name):
            words = tuple(t.canon for t in analyze(p.name, False).tokens if t.cls not in (STOP, LEGAL))
            for i in range(len(words)):
                listed.setdefault(words[:i] + ("*",) + words[i + 1 :], []).append(p.name)
    siblings: list[Query] = []
    with (shared / "bench/xscript_watchlist.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["name"]
            if not body.search(name) or key(name) in listed_keys:
                continue
            words = tuple(t.canon for t in analyze(name, False).tokens if t.cls not in (STOP, LEGAL))
            for i in range(len(words)):
                if listed.get(words[:i] + ("*",) + words[i + 1 :]):
                    siblings.append(Query(name, False))
                    break
    return {
        "lookalike_generic_country": generic,
        "lookalike_vessel": vessels,
        "lookalike_sibling": siblings,
        "recall_en": recall_en,
    }


def run(screener: Any, queries: list[Query]) -> tuple[int, int, float]:
    """(right answers, queries, seconds): a positive is right when a hit names an accepted record; a
    negative when no hit (of the counted kinds) comes back."""
    from bench.run import hit_ids

    good = 0
    start = time.process_time()
    for q in queries:
        hits = screener.screen(q.name, kind=q.kind, country=q.country)
        if q.expect_hit:
            good += any(hit_ids(h) & q.accept for h in hits)
        else:
            good += not any(not q.fp_kinds or h.kind in q.fp_kinds for h in hits)
    return good, len(queries), time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sets", description=__doc__)
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / CSL).exists():
        print(f"bench.sets: {shared / CSL} is missing; nothing to run.")
        return 0
    from chipguard.match.screener import Screener
    from chipguard.sources import parse_file

    parties = parse_file(shared / CSL).parties
    sets = {**brand_sets(parties), **lookalike_sets(parties, shared)}
    print("\n## Brand / short-name and look-alike sets (bench/sets.py, CSL 2022-04)\n")
    print(
        "| set | queries | curated on, rule on | curated off, rule on | curated on, rule off | curated off, rule off |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    results: dict[tuple[bool, bool], dict[str, tuple[int, int, float]]] = {}
    for curated, rule in ((True, True), (False, True), (True, False), (False, False)):
        screener = Screener(parties, enrich=curated, core_names=rule)
        names = sets if (curated, rule) == (True, True) else ("brand_zh", "brand_en")
        results[(curated, rule)] = {n: run(screener, sets[n]) for n in names}
    for name, queries in sets.items():
        cells = []
        for combo in ((True, True), (False, True), (True, False), (False, False)):
            got = results[combo].get(name)
            if got is None:
                cells.append("—")
                continue
            good, n, _ = got
            rate = good / n if n else 0.0
            cells.append(
                f"{'recall' if queries and queries[0].expect_hit else 'FPR'} "
                f"{rate if queries and queries[0].expect_hit else 1 - rate:.3f}"
            )
        print(f"| {name} | {len(queries)} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
