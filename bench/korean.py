"""Listed Korean persons, written in the Revised Romanization of Korean: does screening still find them?

Why: the lists write a North Korean person's name in McCune-Reischauer without its diacritics, with the
DPRK's own j and r at a word's start (KIM Jong Un, RI Pyong Chol, PAK Han Se, CHOE Ryong Hae); a passport
of the Republic of Korea, a South Korean document or a customer's own form writes the same name in the
Revised Romanization (RR: Gim Jeong Eun, Ri Byeong Cheol, Bak Han Se). This set is built from the lists
themselves, for every listed person of North or South Korea (KP or KR as country, nationality or address,
or a DPRK programme) whose name has two to four words, every word one or two McCune-Reischauer syllables
as the lists write them (apostrophes dropped: OFAC's CH'OE, So'k-min is choe sok-min; a second syllable
starting with a consonant). Each syllable is read back into the Hangul syllables whose McCune-Reischauer
spelling (at a word's start or inside a word) it is — ICU's tables over all 11,172 Hangul syllables,
chipguard/data/names/korean_syllables.tsv (tools/build_korean_romanisation.py) — and written in one of
their distinct RR transcriptions, drawn (seeded by the record's id: a listed "chol" is 철 cheol, 절 jeol,
졸 jol or 촐 chol, and which is not known), the name's word layout and hyphens kept. Two styles: **every
syllable in RR** (Gim Jeong-eun) and **the surname as listed**, the given name in RR (Kim Jeong-eun; the
lists and passports alike write the common surnames in older spellings). A third style, **another list's
spelling**, writes the name as another list may (the DPRK's own j and r where McCune-Reischauer writes ch
and n at a word's start, and back: RI Chong Chol as Ri Jong Chol or Ni Chong Chol; KIM Jong Un as Kim
Chong Un), each syllable drawn among the MR spellings of the Hangul syllables it writes, a word's first as a
list writes one at a word's start. Names whose spelling would not change are left out. A
query is found when the person's own record is among its hits. Columns: CSL 2022-04 (the dev watchlist)
and the C lists (OFAC SDN 2024-05-03, the UN list, OFAC's non-SDN list: other entities), each queried
against its own list. A second table counts false alarms: 400 Korean persons no list holds (a listed
Korean surname with another listed Korean's given name, ``recombined``), screened against each list as the
lists would write them, and in RR both styles: a reading that finds RR names should alert on them about
as often as on their list-style spelling. The common surname spellings (Lee, Park, Choi, Chung) are not in
the set: no sourced table of them was at hand. Nothing is tuned to: the names are the lists' own, the spelling ICU's::

    python -m bench.korean --shared ../shared/data [--show N]

``python -m bench`` prints it after the Wade-Giles set.
"""

from __future__ import annotations

import argparse
import random
import re
from functools import cache
from pathlib import Path
from typing import Any

from bench.scale import CSL
from bench.sets import person_watchlists
from chipguard.names.korean import syllable_rows

KOREAN_COUNTRIES = frozenset({"KP", "KR"})
_WORD = re.compile(r"[A-Za-z']+(?:-[A-Za-z']+)*")
_VOWELS = frozenset("aeiouwy")
STYLES = ("every syllable in RR", "surname as listed")
# a third style: the name in the lists' other spelling of Korean (the DPRK's j, r, g, b where McCune-
# Reischauer writes ch, n, k, p at a word's start, and back): what one list writes for another's person
OTHER_LIST_STYLE = "another list's spelling"


@cache
def hangul_of() -> dict[str, tuple[str, ...]]:
    """McCune-Reischauer spelling as the lists write it → the RR transcriptions of every Hangul syllable
    spelled so at a word's start or inside a word, each once, in Hangul order."""
    out: dict[str, dict[str, None]] = {}
    for _hangul, rr, start, inside in syllable_rows():
        for spelling in dict.fromkeys((start, inside)):
            out.setdefault(spelling, {})[rr] = None
    return {k: tuple(v) for k, v in out.items()}


@cache
def list_spellings_of() -> dict[str, tuple[str, ...]]:
    """McCune-Reischauer spelling → every MR spelling, at a word's start or inside a word, of the Hangul
    syllables it writes (chong → chong, jong: 정 is chong at a word's start and jong inside one, as the
    DPRK writes it anywhere), each once, in Hangul order."""
    out: dict[str, dict[str, None]] = {}
    for _hangul, _rr, start, inside in syllable_rows():
        for spelling in dict.fromkeys((start, inside)):
            entry = out.setdefault(spelling, {})
            entry[start] = None
            entry[inside] = None
    return {k: tuple(v) for k, v in out.items()}


def other_list_name(name: str, seed: str) -> str | None:
    """A listed Korean name in another of the spellings the lists use for it (RI Chong Chol → Ri Jong
    Chol), each syllable drawn among the MR spellings of the Hangul syllables it writes
    (``random.Random(seed)``); None when a word does not read as Korean or no spelling changed."""
    words = _WORD.findall(name)
    if not 2 <= len(words) <= 4:
        return None
    rng = random.Random(seed)
    table = list_spellings_of()
    starts = {row[2] for row in syllable_rows()}
    out = []
    for word in words:
        parts = word.replace("'", "").lower().split("-")
        read = [syllables(part) for part in parts]
        if any(r is None for r in read) or sum(len(r or ()) for r in read) > 2:
            return None
        spelled = []
        for r in read:
            syllable_list = r or []
            # a word's first syllable as the lists write one at a word's start: MR's word-initial spelling
            # or the DPRK's j, r (never MR's inside-a-word g, d, b: no list writes Gim, Bak)
            first = [c for c in table[syllable_list[0]] if c[:1] not in ("g", "d", "b") or c in starts]
            spelled.append(rng.choice(first) + "".join(rng.choice(table[s]) for s in syllable_list[1:]))
        out.append("-".join(spelled).capitalize())
    text = " ".join(out)
    if text.lower() == " ".join(w.replace("'", "") for w in words).lower():
        return None
    return text


def rr_syllable(listed: str, rng: random.Random) -> str:
    """One RR spelling of a listed syllable, drawn among its distinct RR spellings (kim → gim or kim;
    kyong → gyeong, gyong, kyeong or kyong): which Hangul syllable the list wrote is not known."""
    return rng.choice(hangul_of()[listed])


def syllables(word: str) -> list[str] | None:
    """``word`` (lower case, apostrophes dropped) as one or two McCune-Reischauer syllables, the second
    starting with a consonant, or None."""
    table = hangul_of()
    if word in table:
        return [word]
    for cut in range(len(word) - 1, 0, -1):
        if word[:cut] in table and word[cut:] in table and word[cut] not in _VOWELS:
            return [word[:cut], word[cut:]]
    return None


def rr_name(name: str, seed: str, keep_surname: bool = False) -> str | None:
    """A listed Korean name ("RI Pyong Chol") in RR ("Ri Byeong Cheol"), each syllable drawn among the
    Hangul syllables it writes (``random.Random(seed)``); the first word kept as listed when
    ``keep_surname``; None when a word does not read as Korean or the spelling would not change."""
    words = _WORD.findall(name)
    if not 2 <= len(words) <= 4:
        return None
    rng = random.Random(seed)
    out = []
    for index, word in enumerate(words):
        parts = word.replace("'", "").lower().split("-")
        read = [syllables(part) for part in parts]
        if any(r is None for r in read) or sum(len(r or ()) for r in read) > 2:
            return None
        written = "-".join("".join(rr_syllable(s, rng) for s in r or ()) for r in read)
        out.append(
            word.replace("'", "").capitalize() if keep_surname and index == 0 else written.capitalize()
        )
    text = " ".join(out)
    if text.lower() == " ".join(w.replace("'", "") for w in words).lower():
        return None
    return text


def korean(party: Any) -> bool:
    """Whether ``party`` is a Korean person of the lists: KP or KR as a place, or a DPRK programme."""
    from chipguard.model import PartyKind

    if party.kind != PartyKind.PERSON or not party.name:
        return False
    places = {*party.countries, *party.nationalities, *(a.country for a in party.addresses)}
    return bool(places & KOREAN_COUNTRIES) or any("DPRK" in p.upper() for p in party.programs)


def rows(
    parties: list[Any], keep_surname: bool = False, other_list: bool = False
) -> list[tuple[str, str, str]]:
    """(list name, RR query, party id) for every listed Korean person whose name reads as Korean
    (``other_list``: the query in another list's spelling instead, ``other_list_name``)."""
    seen: set[str] = set()
    out = []
    for party in parties:
        if not korean(party):
            continue
        if other_list:
            query = other_list_name(party.name, party.party_id)
        else:
            query = rr_name(party.name, party.party_id, keep_surname)
        if query is None or query in seen:
            continue
        seen.add(query)
        out.append((party.name, query, party.party_id))
    return out


def recall(screener: Any, built: list[tuple[str, str, str]], show: int = 0) -> tuple[int, int, int]:
    """(queries, own record found, own record first) of ``built``."""
    found = first = shown = 0
    for name, query, party_id in built:
        hits = screener.screen(query, kind="person")
        ids = [h.party_id for h in hits]
        found += party_id in ids
        first += bool(ids) and ids[0] == party_id
        if party_id not in ids and shown < show:
            shown += 1
            print(f"- missed: {name!r} as {query!r} → {[(h.name, round(h.score, 3)) for h in hits[:2]]}")
    return len(built), found, first


def recombined(parties: list[Any], every_list: list[Any], count: int = 400, seed: int = 22) -> list[str]:
    """``count`` Korean persons no list holds: the surname of one listed Korean person of ``parties`` with
    the given name of another (``random.Random(seed)``), written as the lists write them ("PAK, Chol
    Nam"), no combination a name of ``every_list`` (letters compared). Real name parts of one people in a
    name of nobody's: the look-alikes a Korean customer's name meets."""
    parts = []
    for party in parties:
        words = _WORD.findall(party.name)
        if korean(party) and 2 <= len(words) <= 4 and rr_name(party.name, "any") is not None:
            parts.append((words[0], " ".join(words[1:])))
    if not parts:
        return []
    listed = {re.sub(r"[^a-z]", "", a.name.lower()) for p in every_list for a in p.all_names()}
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(count * 3):
        name = f"{rng.choice(parts)[0].upper()}, {rng.choice(parts)[1]}"
        if re.sub(r"[^a-z]", "", name.lower()) not in listed and name not in out:
            out.append(name)
        if len(out) == count:
            break
    return out


def false_alarms(screener: Any, names: list[str]) -> list[tuple[str, int, float]]:
    """(style, queries, share alerting) of ``names`` screened as persons: as written (the lists' style),
    in RR (every syllable), in RR with the surname as written. Any alert is false: no list holds the
    name (a review would clear it, as a look-alike)."""
    out = []
    for style, keep in (("as the lists write Korean", None), *zip(STYLES, (False, True), strict=True)):
        queries = list(names) if keep is None else [q for n in names if (q := rr_name(n, n, keep))]
        alerts = sum(any(h.strength != "weak" for h in screener.screen(q, kind="person")) for q in queries)
        out.append((style, len(queries), alerts / max(len(queries), 1)))
    return out


def run(shared: Path, csl_screener: Any = None, csl_parties: list[Any] | None = None, show: int = 0) -> None:
    """Prints the set's recall against CSL 2022-04 and against the C lists, both styles."""
    columns = person_watchlists(shared, csl_screener, csl_parties)
    print("\n## Listed Korean persons written in the Revised Romanization (`python -m bench.korean`)\n")
    print("| watchlist | style | queries | own record found | own record first |")
    print("|---|---|---:|---:|---:|")
    for label, screener, parties in columns:
        for style, keep, other in (
            (*STYLES[:1], False, False),
            (*STYLES[1:], True, False),
            (OTHER_LIST_STYLE, False, True),
        ):
            n, found, first = recall(screener, rows(parties, keep, other), show)
            print(
                f"| {label} | {style} | {n} | {found / max(n, 1):.3f} | {first / max(n, 1):.3f} |", flush=True
            )
    every = [p for _label, _screener, parties in columns for p in parties]
    print(
        "\nFalse alarms: 400 Korean persons no list holds (a listed Korean surname with another listed Korean's "
        "given name, bench.korean.recombined), any alert (potential or confirmed):\n"
    )
    print("| watchlist | written | queries | alerting |")
    print("|---|---|---:|---:|")
    for label, screener, parties in columns:
        for style, n, share in false_alarms(screener, recombined(parties, every)):
            print(f"| {label} | {style} | {n} | {share:.3f} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.korean", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--show", type=int, default=0, help="print this many misses per watchlist and style")
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / CSL).exists():
        print(f"bench.korean: {shared} holds no benchmark data; nothing to run.")
        return 0
    run(shared, show=args.show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
