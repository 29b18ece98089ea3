"""Writes chipguard/data/names/person_name_forms.tsv: forms of one given name, patronymic or surname that the
sanctions lists themselves give as names of one person of Russia, Ukraine or Belarus — the Russian form
and the Ukrainian or Belarusian one (Sergey / Serhiy, Aleksey / Oleksiy, Vladimirovich / Volodymyrovych,
Aleksandr / Alyaksandr), and two romanisations of one (Aleksandr / Alexander).

Why: the Ukrainian or Belarusian form of a name is another word, not a spelling of the Russian one
(Сергей / Сергій, Алексей / Олексій): no typo rule meets Serhiy and Sergey, yet OFAC lists a Ukrainian
citizen under both and renames its own records from one to the other between releases (uid 16760
TSEKOV, Sergey Pavlovich / Serhiy Pavlovich; uid 22413 DIKIY, Aleksey Aleksandrovich / DYKIY, Oleksii
Oleksandrovych). The lists state the equivalence record by record: two names of one record written alike
but for one or two parts are one name. (ICU's transliterators, Russian-Latin/BGN, Ukrainian-Latin/BGN,
Belarusian-Latin/BGN, say how one Cyrillic word is written in Latin letters; they do not say which
Ukrainian word is which Russian one, so they cannot source this table.)

Mining: every person record of the lists below whose nationality, address country or programme is
Russia's, Ukraine's or Belarus's (RU / UA / BY; programmes naming RUSSIA, UKRAINE or BELARUS). Two names of
one record with as many parts (two or more, read as chipguard.names.analysis.analyze reads a person's
name), written alike at every part but one or two — or, when every part differs, with one part within the
scorer's typo rule of its counterpart (DYKIY / DIKIY) —, give the differing parts as a pair of forms. A
pair is kept only when two records or more give it, each record counted once by its OFAC uid (across
CSL's OFAC rows, SDN and non-SDN releases), so one person's two names (a maiden name, another given name)
never become a rule. Only OFAC's records are mined: a person on OFAC's and the UN's lists is two
identities, and one person's two names would count twice (MARGOSHVILI / MADAYEV, SDN uid 17281 and UN
QDi.379); the UN list is left as a test sample. Each row cites the records it came from.

    python tools/build_person_name_forms.py [--shared ../shared/data] [--half even|odd] [--out PATH]

``--half`` keeps only the records whose identity's digest is even (odd): mine on one half, test on the
other (a second sample of other persons)."""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from chipguard.match.config import ScorerConfig, scorer_config
from chipguard.model import Party
from chipguard.names.analysis import analyze

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "chipguard" / "data" / "names" / "person_name_forms.tsv"
# the lists mined (paths under the shared data folder), each a real release as published
LISTS = (
    "lists/us_csl_2022-04.csv.gz",
    "lists/ofac_sdn_2024-05-03.csv",
    "lists/ofac_2021-07/sdn.csv",
    "lists/ofac_nonsdn_2025/cons_prim.csv",
)
COUNTRIES = frozenset({"RU", "UA", "BY"})
PROGRAMME_WORDS = ("RUSSIA", "UKRAINE", "BELARUS")
MIN_RECORDS = 2
MIN_LETTERS = 3  # a part of fewer letters is an initial or a particle, not a name form


def identity(party: Party) -> str:
    """The record's identity across releases: the OFAC uid of an OFAC record or of a CSL row taken from an
    OFAC list (its entity number), else the list's own id (a CSL row of another US list)."""
    number = party.extra.get("entity_number")
    if party.source.startswith("ofac") or number:
        return f"ofac:{number or party.party_id}"
    return f"{party.source}:{party.party_id}"


def east_slavic(party: Party) -> bool:
    """Whether the record is a person of Russia, Ukraine or Belarus (nationality, address or programme)."""
    if party.kind.value != "person":
        return False
    if COUNTRIES & {*party.nationalities, *party.countries}:
        return True
    return any(word in program.upper() for program in party.programs for word in PROGRAMME_WORDS)


def in_half(record: str, half: str | None) -> bool:
    """Whether ``record`` belongs to ``half`` ("even" / "odd" by its sha256; None: every record)."""
    if half is None:
        return True
    return (hashlib.sha256(record.encode()).digest()[0] % 2 == 0) == (half == "even")


def _alike(a: str, b: str) -> bool:
    """Whether two parts meet by the scorer's own spelling rules (typo, phonetic …) at all — without the
    table this tool writes (name_score.person_name_forms off), so the table never feeds its own mining."""
    from chipguard.match.score import token_similarity

    ta, tb = analyze(a, True).tokens, analyze(b, True).tokens
    return bool(ta and tb) and token_similarity(ta[0], tb[0], True, config=_spelling_rules())[0] > 0


@cache
def _spelling_rules() -> ScorerConfig:
    """The scorer's configuration with name_score.person_name_forms off."""
    return dataclasses.replace(scorer_config(), person_name_forms=False)


def record_pairs(names: Iterable[str]) -> set[tuple[str, str]]:
    """The pairs of forms two names of one record give (see the module docstring), each sorted."""
    parts = sorted({tuple(t.text for t in analyze(n, True).tokens) for n in names})
    found: set[tuple[str, str]] = set()
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            if len(a) != len(b) or len(a) < 2:
                continue
            differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
            if len(differ) == len(a):
                anchors = [k for k, (x, y) in enumerate(differ) if _alike(x, y)]
                if len(anchors) != 1:
                    continue
                differ = [d for k, d in enumerate(differ) if k != anchors[0]]
            elif len(differ) > 2:
                continue
            for x, y in differ:
                if len(x) >= MIN_LETTERS and len(y) >= MIN_LETTERS and x.isalpha() and y.isalpha():
                    found.add((min(x, y), max(x, y)))
    return found


def mine(shared: Path, half: str | None = None) -> dict[tuple[str, str], set[str]]:
    """Pair of forms → the identities of the records that give it (every record of ``LISTS``)."""
    from chipguard.sources import parse_file

    names: dict[str, set[str]] = defaultdict(set)
    for path in LISTS:
        for party in parse_file(shared / path).parties:
            record = identity(party)
            if east_slavic(party) and in_half(record, half):
                names[record].update(a.name for a in party.all_names())
    cited: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in sorted(names):
        for pair in record_pairs(names[record]):
            cited[pair].add(record)
    return cited


def write(cited: dict[tuple[str, str], set[str]], out: Path, half: str | None) -> int:
    """Writes the pairs two records or more give (sorted); returns how many."""
    rows = sorted((pair, sorted(records)) for pair, records in cited.items() if len(records) >= MIN_RECORDS)
    lines = [
        "# Forms of one name part that the sanctions lists give as names of one person of Russia, Ukraine",
        "# or Belarus (the Russian form and the Ukrainian or Belarusian one, or two romanisations of one).",
        "# Written by tools/build_person_name_forms.py (see its docstring) from: "
        + ", ".join(LISTS)
        + (f" (half: {half})" if half else ""),
        f"# A pair is kept when {MIN_RECORDS} records (OFAC uids) or more give it. Read by chipguard.match.config",
        "# (matching.yml name_score.person_name_forms). Do not edit by hand: re-run the tool.",
        "# form <TAB> form <TAB> the records giving the pair (ofac:<uid>)",
    ]
    lines += [f"{a}\t{b}\t{' '.join(records)}" for (a, b), records in rows]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--half", choices=("even", "odd"))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    count = write(mine(args.shared, args.half), args.out, args.half)
    print(f"{count} pairs -> {args.out}")


if __name__ == "__main__":
    main()
