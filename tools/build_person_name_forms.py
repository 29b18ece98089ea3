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

Korean persons (``--people korean``, korean_name_forms.tsv, matching.yml name_score.korean_name_forms):
the lists write one North Korean name in the DPRK's own spelling and in McCune-Reischauer, with or without
its aspirates, in one record (RI, Chong Chol a.k.a. RI, Jong Chol; JONG, Kyong Thaek beside Taek; Chol
beside Chul). Mined the same way from every person record of North or South Korea (KP or KR as nationality,
country or address country, or a DPRK programme) of the same OFAC releases, the UN list and the INKSNA
list: few Korean persons are listed (200-odd), and the UN and INKSNA lists hold names OFAC does not. A
person on two lists is one person: records sharing a name (its words' letters, in any order) are joined,
and a pair counts each joined person once.

    python tools/build_person_name_forms.py [--people east-slavic|korean] [--shared ../shared/data]
        [--half even|odd] [--out PATH]

``--half`` keeps only the records (persons) whose identity's digest is even (odd): mine on one half, test
on the other (a second sample of other persons)."""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
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
KOREAN_OUT = ROOT / "chipguard" / "data" / "names" / "korean_name_forms.tsv"
# the Korean persons' lists: OFAC's, the UN list and INKSNA as well (few Korean persons are listed)
KOREAN_LISTS = (*LISTS, "lists/un_consolidated_2026-02-27.xml", "lists/other/us_inksna.csv")
KOREAN_COUNTRIES = frozenset({"KP", "KR"})


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


def korean(party: Party) -> bool:
    """Whether the record is a person of North or South Korea (nationality, country, address or a DPRK
    programme)."""
    if party.kind.value != "person":
        return False
    if KOREAN_COUNTRIES & {*party.nationalities, *party.countries, *(a.country for a in party.addresses)}:
        return True
    return any("DPRK" in program.upper() for program in party.programs)


@dataclasses.dataclass(frozen=True)
class People:
    """What is mined for one people: the lists, which records, whether records sharing a name are one
    person (lists beyond OFAC), the file written and its header's first lines."""

    lists: tuple[str, ...]
    belongs: Callable[[Party], bool]
    join_by_name: bool
    out: Path
    about: tuple[str, ...]


PEOPLES = {
    "east-slavic": People(
        LISTS,
        east_slavic,
        False,
        OUT,
        (
            "# Forms of one name part that the sanctions lists give as names of one person of Russia, Ukraine",
            "# or Belarus (the Russian form and the Ukrainian or Belarusian one, or two romanisations of one).",
        ),
    ),
    "korean": People(
        KOREAN_LISTS,
        korean,
        True,
        KOREAN_OUT,
        (
            "# Spellings of one Korean name part that the sanctions lists give as names of one person of North",
            "# or South Korea (the DPRK's own spelling and McCune-Reischauer's, with or without an aspirate).",
        ),
    ),
}


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
    """The scorer's configuration with name_score.person_name_forms and korean_name_forms off."""
    return dataclasses.replace(scorer_config(), person_name_forms=False, korean_name_forms=False)


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


def name_key(name: str) -> str:
    """A name's words' letters, sorted (RI, Chong Chol and Chong Chol RI alike)."""
    return " ".join(
        sorted("".join(c for c in w if c.isalpha()) for w in name.lower().replace("-", " ").split())
    )


def persons(names: dict[str, set[str]]) -> dict[str, str]:
    """Record identity → the person's: the least identity of the records joined to it by a shared name
    (``name_key``), so one person on two lists counts once."""
    parent = {record: record for record in names}

    def root(record: str) -> str:
        while parent[record] != record:
            record = parent[record]
        return record

    first: dict[str, str] = {}
    for record in sorted(names):
        for key in sorted({name_key(n) for n in names[record]}):
            other = first.setdefault(key, record)
            a, b = root(other), root(record)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {record: root(record) for record in names}


def mine(
    shared: Path, half: str | None = None, people: str = "east-slavic"
) -> dict[tuple[str, str], set[str]]:
    """Pair of forms → the identities of the persons that give it (every record of the people's lists)."""
    from chipguard.sources import parse_file

    chosen = PEOPLES[people]
    names: dict[str, set[str]] = defaultdict(set)
    for path in chosen.lists:
        for party in parse_file(shared / path).parties:
            if chosen.belongs(party):
                names[identity(party)].update(a.name for a in party.all_names())
    person_of = persons(names) if chosen.join_by_name else {record: record for record in names}
    cited: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in sorted(names):
        if not in_half(person_of[record], half):
            continue
        for pair in record_pairs(names[record]):
            cited[pair].add(person_of[record])
    return cited


def write(
    cited: dict[tuple[str, str], set[str]], out: Path, half: str | None, people: str = "east-slavic"
) -> int:
    """Writes the pairs two records or more give (sorted); returns how many."""
    chosen = PEOPLES[people]
    rows = sorted((pair, sorted(records)) for pair, records in cited.items() if len(records) >= MIN_RECORDS)
    if people == "east-slavic":
        kept = f"# A pair is kept when {MIN_RECORDS} records (OFAC uids) or more give it. Read by chipguard.match.config"
        key, cites = "name_score.person_name_forms", "(ofac:<uid>)"
    else:
        kept = f"# A pair is kept when {MIN_RECORDS} persons or more give it. Read by chipguard.match.config"
        key, cites = "name_score.korean_name_forms", "(a person's least record: ofac:<uid>, un:<id> …)"
    lines = [
        *chosen.about,
        "# Written by tools/build_person_name_forms.py (see its docstring) from: "
        + ", ".join(chosen.lists)
        + (f" (half: {half})" if half else ""),
        kept,
        f"# (matching.yml {key}). Do not edit by hand: re-run the tool.",
        f"# form <TAB> form <TAB> the records giving the pair {cites}",
    ]
    lines += [f"{a}\t{b}\t{' '.join(records)}" for (a, b), records in rows]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--half", choices=("even", "odd"))
    parser.add_argument("--people", choices=tuple(PEOPLES), default="east-slavic")
    parser.add_argument("--out", type=Path, help="the file written (default: the people's table)")
    args = parser.parse_args()
    out = args.out or PEOPLES[args.people].out
    count = write(mine(args.shared, args.half, args.people), out, args.half, args.people)
    print(f"{count} pairs -> {out}")


if __name__ == "__main__":
    main()
