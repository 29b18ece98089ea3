"""Near person names kept by the date of birth (``strength.near_person_needs_dob``): built from the real lists.

The class (issue 12; session 22's slav22): a listed person written with two of their three name parts, one
of them a letter off — "KLISHAS Andrei" for the listed "KLISHAS, Andrey Aleksandrovich" (0.79), "BORODAI
Aleksandr" for "BORODAY, Alexander Yuryevich" (0.73) — scores below the threshold. By name alone such a
pair is not told from a look-alike; the rule keeps it as a potential hit only when the query's date of
birth agrees with the record's. Every row below is made from the lists' own records (seeded; no row is
stored in the product, nothing is tuned to a row):

* **positives** — listed persons whose record states a readable date of birth and whose primary name
  has three parts or more ("SURNAME, Given Patronymic"), queried by the surname and the first given
  name only (half of them "Given SURNAME"), one letter of one of the two (five letters or more, not the
  first letter) replaced by another letter. Each is queried four ways: name only; with the person's own
  date of birth (a full date inside the listed one: a customer gives a day) and nationality (the
  listed one; the record stating none, the country it places the person in: ``nationality_of``);
  with the own date and no nationality; with a date 3–30 years away from every listed one (after
  "circa" and ranges) and the listed nationality. Found: an alerting hit (potential or confirmed) on
  the person's own record. The shifted row must not alert on it.
* **look-alikes** — real persons listed on *another* watchlist, none of whose names is a name of this
  one and whose OFAC uid no record of this one carries (``bench.sets.person_lookalikes``' rule), with a
  readable date of birth on their record: each queried by its own name, and by the positives' shape
  (two parts, one letter off), with its own date of birth and nationality. Any alerting hit counts (they
  are on no record of the watchlist by name or uid); the rule's share is the hits it kept.

The last column, for the look-alikes: how many have a person record within the rule's reach by name
(``in_reach``: below the threshold by at most ``near_person_margin``, the shorter name met part by part in
the longer, or down to ``near_person_day_margin`` with the query's every part met), what only an agreeing
date of birth separates from an alert; and closing lines say how often two real persons' dates of birth
agree by chance (``chance``) and how often a wider listed date agrees with a person of the same country,
the record stating the nationality or only placing the person there (``same_country``).

Two samples: **S1** the dev watchlist CSL 2022-04 (positives its persons, seed 23; look-alikes the C
lists' persons); **S2** other entities — the C lists (OFAC SDN 2024-05, UN, non-SDN 2025), positives
drawn only from their persons none of whose names is on CSL 2022-04 and whose uid is not (seed 24),
look-alikes CSL 2022-04's persons not on the C lists. Each row is screened with the rule on and off
(the matching data's key switched in this process only).

``python -m bench.near_person_dob --shared ../shared/data`` prints the tables (BENCHMARKS.md, "Issue 12,
session 23"); ``--show`` lists every row the rule moved.
"""

from __future__ import annotations

import argparse
import random
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import sets
from bench.evidence_sets import _shifted

PERSONS = 400
LOOKALIKES = 600
SEEDS = {"S1": 23, "S2": 24}
KEY = "near_person_needs_dob"


@dataclass(slots=True)
class Row:
    sample: str
    category: str  # name_only, dob_nat, dob_only, shifted (positives); lookalike_name, lookalike_shape
    name: str
    accept: frozenset[str]  # record ids ("source:party_id") of the person (positives), empty for look-alikes
    date_of_birth: str = ""
    nationality: str = ""
    listed: str = ""  # the record's name, for --show


def _parts(name: str) -> tuple[str, list[str]] | None:
    """ "KLISHAS, Andrey Aleksandrovich" → ("KLISHAS", ["Andrey", "Aleksandrovich"]); None unless the name
    is written SURNAME, Given … with one surname word and two given parts or more, all letters."""
    if name.count(",") != 1:
        return None
    surname, given = (x.strip() for x in name.split(","))
    words = given.split()
    if " " in surname or len(words) < 2 or not all(w.isalpha() for w in [surname, *words]):
        return None
    return surname, words


def _one_letter_off(word: str, rng: random.Random) -> str | None:
    """``word`` with one letter (not the first) replaced by another letter of the same case."""
    if len(word) < 5:
        return None
    at = rng.randint(1, len(word) - 1)
    pool = string.ascii_uppercase if word[at].isupper() else string.ascii_lowercase
    letter = rng.choice([c for c in pool if c != word[at]])
    return word[:at] + letter + word[at + 1 :]


def shape(name: str, rng: random.Random) -> str | None:
    """Two of the name's three parts or more (surname and first given name), one a letter off, half of
    them given name first; None when the name has not that shape."""
    parts = _parts(name)
    if parts is None:
        return None
    surname, given = parts[0], parts[1][0]
    if rng.random() < 0.5:
        surname = _one_letter_off(surname, rng) or ""
    else:
        given = _one_letter_off(given, rng) or ""
    if not surname or not given:
        return None
    return f"{given} {surname}" if rng.random() < 0.5 else f"{surname} {given}"


def _own_day(party: Any, rng: random.Random) -> date | None:
    from chipguard.match.evidence import birth_spans

    spans = birth_spans(party.dates.get("birth", ""))
    if not spans:
        return None
    span = spans[0]
    return span.start + timedelta(days=rng.randint(0, max((span.end - span.start).days, 0)))


def nationality_of(party: Any) -> str:
    """The nationality a customer who is the listed person gives: the record's first, or, the record
    stating none, the first country it places the person in — an address country, else the country the
    last part of a place of birth names (by ``chipguard.geo``'s country names, not the matcher's words):
    "HWANG, Pyong So" (address KP) gives KP, "FARZAT, Hussein Mahmoud" (born in "Hama, Syria") SY; ""
    when the record says nothing of where the person is from (the look-alikes' rows take ``nationalities
    or countries`` the same way)."""
    from chipguard.geo.countries import lookup_country

    if party.nationalities:
        return str(party.nationalities[0])
    if party.countries:
        return str(party.countries[0])
    for place in party.birth_places:
        found = lookup_country(place.rsplit(",", 1)[-1].strip())
        if found is not None:
            return str(found.alpha_2)
    return ""


def positives(sample: str, people: list[Any], rng: random.Random) -> list[Row]:
    from chipguard.match.evidence import birth_spans

    pool = [
        p
        for p in people
        if p.kind.value == "person" and _parts(p.name) and birth_spans(p.dates.get("birth", ""))
    ]
    rows: list[Row] = []
    for party in rng.sample(pool, min(PERSONS, len(pool))):
        name = shape(party.name, rng)
        own = _own_day(party, rng)
        if name is None or own is None:
            continue
        nat = nationality_of(party)
        base = Row(sample, "name_only", name, frozenset({sets._record_id(party)}), listed=party.name)
        rows.append(base)
        rows.append(replace(base, category="dob_nat", date_of_birth=own.isoformat(), nationality=nat))
        rows.append(replace(base, category="dob_only", date_of_birth=own.isoformat()))
        shifted = _shifted(birth_spans(party.dates["birth"]), rng)
        if shifted is not None:
            rows.append(replace(base, category="shifted", date_of_birth=shifted.isoformat(), nationality=nat))
    return rows


def lookalikes(sample: str, people: list[Any], watchlist: list[Any], rng: random.Random) -> list[Row]:
    """Persons of ``people`` not on ``watchlist`` (by any name, by OFAC uid), with their own date of birth."""
    listed = {sets.key(a.name) for p in watchlist for a in p.all_names()}
    uids = {uid for p in watchlist if (uid := sets._ofac_uid(p))}
    pool: list[Any] = []
    seen: set[str] = set()
    for p in people:
        names = {sets.key(a.name) for a in p.all_names()}
        if p.kind.value != "person" or names & (listed | seen) or sets._ofac_uid(p) in uids:
            continue
        seen |= names
        if _own_day(p, random.Random(0)) is not None:
            pool.append(p)
    rows: list[Row] = []
    for party in rng.sample(pool, min(LOOKALIKES, len(pool))):
        own = _own_day(party, rng)
        assert own is not None
        nat = (party.nationalities or party.countries or [""])[0]
        base = Row(sample, "lookalike_name", party.name, frozenset(), own.isoformat(), nat, party.name)
        rows.append(base)
        name = shape(party.name, rng)
        if name is not None:
            rows.append(replace(base, category="lookalike_shape", name=name))
    return rows


@contextmanager
def rule(on: bool, **values: Any) -> Iterator[None]:
    """``strength.near_person_needs_dob`` switched for this process (the cached evidence config), and
    the rule's other keys (``near_person_margin``, ``near_person_dob_days``) set to ``values``."""
    from chipguard.match import evidence

    cfg = evidence.config()
    changed = {KEY: on, **values}
    before = {k: cfg[k] for k in changed}
    cfg.update(changed)
    try:
        yield
    finally:
        cfg.update(before)


def in_reach(screener: Any, name: str) -> list[Any]:
    """The person records an agreeing date of birth could keep for ``name`` (by name only, the first 10
    records): scoring in [threshold − near_person_margin, threshold), the shorter name met part by part in
    the longer (``near_person_pair``), or further down to ``near_person_day_margin`` with the query's
    every part met (what only a day-precise date keeps)."""
    from chipguard.match import evidence

    cut = screener.threshold
    margin = float(evidence.config()["near_person_margin"])
    day = evidence.near_person_day_margin() or margin
    out = []
    for h in screener.screen(name, kind="person", threshold=cut - max(margin, day)):
        unmatched_query = len(h.explanation.get("unmatched_query", ()))
        if (
            h.kind == "person"
            and h.score < cut
            and evidence.near_person_pair(
                len(h.explanation.get("alignment", ())),
                unmatched_query,
                len(h.explanation.get("unmatched_candidate", ())),
            )
            and (h.score >= cut - margin or unmatched_query == 0)
        ):
            out.append(h)
    return out


def exposed(screener: Any, row: Row) -> bool:
    """Whether a record is within the rule's reach by the row's name (``in_reach``)."""
    return bool(in_reach(screener, row.name))


def screen(screener: Any, row: Row) -> tuple[bool, bool, list[Any]]:
    """(own record alerting, any alerting hit, the alerting hits) of one row."""
    from chipguard.match.evidence import query_evidence

    evidence = query_evidence(date_of_birth=row.date_of_birth or None, nationality=row.nationality or None)
    hits = [h for h in screener.screen(row.name, kind="person", evidence=evidence) if h.strength != "weak"]
    own = any(f"{h.source}:{h.party_id}" in row.accept for h in hits)
    return own, bool(hits), hits


def watchlists(shared: Path, csl_screener: Any = None, csl_parties: list[Any] | None = None) -> list[Any]:
    """The set's two watchlists, (label, screener, parties) each: CSL 2022-04 (the caller's screener and
    parties when it has them) and the C lists (``bench.sets.person_watchlists``, as the spelling sets)."""
    columns = sets.person_watchlists(shared, csl_screener, csl_parties)
    assert len(columns) == 2, "the C lists are not in the shared data"
    return columns


def samples(columns: list[Any]) -> list[tuple[str, Any, list[Row]]]:
    """(label, screener, rows) of S1 and S2 over ``columns`` (:func:`watchlists`)."""
    (_csl_label, s1_screener, csl), (_c_label, c_screener, c_parties) = columns
    on_csl = {sets.key(a.name) for p in csl for a in p.all_names()}
    csl_uids = {uid for p in csl if (uid := sets._ofac_uid(p))}
    c_only = [
        p
        for p in c_parties
        if not {sets.key(a.name) for a in p.all_names()} & on_csl and sets._ofac_uid(p) not in csl_uids
    ]
    rng1, rng2 = random.Random(SEEDS["S1"]), random.Random(SEEDS["S2"])
    s1 = positives("S1", csl, rng1) + lookalikes("S1", c_parties, csl, rng1)
    s2 = positives("S2", c_only, rng2) + lookalikes("S2", csl, c_parties, rng2)
    return [("S1 (CSL 2022-04)", s1_screener, s1), (f"S2 ({sets.C_LISTS_LABEL})", c_screener, s2)]


CATEGORIES = ("name_only", "dob_nat", "dob_only", "shifted", "lookalike_name", "lookalike_shape")
POSITIVE = ("name_only", "dob_nat", "dob_only")


def run(
    shared: Path,
    show: bool = False,
    csl_screener: Any = None,
    csl_parties: list[Any] | None = None,
    **values: Any,
) -> None:
    """Prints the table; ``values``: the rule's other keys for this run (matching.yml's otherwise)."""
    print("\n## near person names kept by the date of birth (bench/near_person_dob.py)\n")
    if values:
        print(f"rule's keys set for this run: {values}\n")
    print(
        "| sample | rows | n | own record alerting, rule off | rule on | any alert, rule off | rule on "
        "| a near person record by name (what a date could keep) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    columns = watchlists(shared, csl_screener, csl_parties)
    for label, screener, rows in samples(columns):
        tally: dict[str, list[int]] = {c: [0, 0, 0, 0, 0, 0] for c in CATEGORIES}
        moved: list[str] = []
        for row in rows:
            results = []
            for on in (False, True):
                with rule(on, **values):
                    results.append(screen(screener, row))
            (own_off, any_off, _h), (own_on, any_on, hits_on) = results
            t = tally[row.category]
            t[0] += 1
            t[1] += own_off
            t[2] += own_on
            t[3] += any_off
            t[4] += any_on
            if row.category.startswith("lookalike"):
                with rule(True, **values):
                    t[5] += exposed(screener, row)
            if show and (own_off, any_off) != (own_on, any_on):
                kept = [
                    f"{h.name} {h.score:.3f} {h.strength}"
                    for h in hits_on
                    if any(f.get("feature") == "near_name" for f in h.evidence)
                ]
                moved.append(
                    f"  {row.category}: {row.name!r} dob {row.date_of_birth or '-'} nat {row.nationality or '-'}"
                    f" (listed {row.listed!r}) -> {'; '.join(kept)}"
                )
        for c in CATEGORIES:
            n, o0, o1, a0, a1, near = tally[c]
            if not n:
                continue
            own = (f"{o0 / n:.3f}", f"{o1 / n:.3f}") if c in (*POSITIVE, "shifted") else ("—", "—")
            exposure = f"{near / n:.3f}" if c.startswith("lookalike") else "—"
            print(f"| {label} | {c} | {n} | {own[0]} | {own[1]} | {a0 / n:.3f} | {a1 / n:.3f} | {exposure} |")
        for line in moved:
            print(line)
    at_all, by_rule, placed = chance(columns[0][2], columns[1][2])
    print(
        f"\nchance agreement of two real persons' dates of birth (the C lists' persons' own dates against "
        f"CSL 2022-04's listed persons, 200,000 pairs): {at_all:.5f} agree at all, {by_rule:.5f} as the rule "
        "reads them (a day, or a wider date with the nationality; "
        f"{placed:.5f} of it by a country the record places the person in, stating no nationality)"
    )
    stated, where = same_country(columns[0][2], columns[1][2])
    print(
        "a person of a country against that country's listed persons (a wider date on the list): the date "
        f"agrees {stated:.4f} of the time when the record states the nationality, {where:.4f} when it states "
        "none and places the person there (address, place of birth)"
    )


def chance(
    records: list[Any], people: list[Any], pairs: int = 200_000, seed: int = 5
) -> tuple[float, float, float]:
    """How often two real persons' dates of birth agree by chance: a person of ``people`` (its own date, a
    day inside its listed one) against a listed record of ``records`` drawn at random, ``pairs`` times —
    (agreeing at all, agreeing as the rule reads it: a day on both sides, or a wider date with the
    nationality too, or with a country the record places the person in when it states no nationality
    (``strength.near_person_place_for_nationality``), and the share of that last path). What a
    look-alike's date does against a near record, whose name the rule already let through."""
    from chipguard.match import evidence

    rng = random.Random(seed)
    widest = int(evidence.config()["near_person_dob_days"])
    by_place = bool(evidence.config()["near_person_place_for_nationality"])
    listed = [
        (spans, set(p.nationalities), evidence.party_evidence(p).places)
        for p in records
        if p.kind.value == "person" and (spans := evidence.birth_spans(p.dates.get("birth", "")))
    ]
    asked = [
        (day, (p.nationalities or p.countries or [""])[0])
        for p in people
        if p.kind.value == "person" and (day := _own_day(p, rng)) is not None
    ]
    at_all = kept = placed = 0
    for _ in range(pairs):
        day, nat = rng.choice(asked)
        spans, nats, places = rng.choice(listed)
        agree = [s for s in spans if s.start <= day <= s.end]
        if agree:
            at_all += 1
            if any((s.end - s.start).days <= widest for s in agree) or bool(nat and nat in nats):
                kept += 1
            elif by_place and nat and not nats and nat in places:
                kept += 1
                placed += 1
    return at_all / pairs, kept / pairs, placed / pairs


def same_country(
    records: list[Any], people: list[Any], pairs: int = 200_000, seed: int = 6
) -> tuple[float, float]:
    """How often a wider listed date of birth (a year, "circa", a range) agrees by chance with a person's
    own day when the two are of one country — the case the rule meets, a near name being mostly of the
    same people: a person of ``people`` of nationality X against a record of ``records`` of nationality X
    (first figure), or stating none and placing the person in X by an address or a place of birth
    (second; ``PartyEvidence.places``). If the second is no higher, a country the record places the
    person in is as good a stand-in beside a wider date as a nationality it states."""
    from chipguard.match import evidence

    rng = random.Random(seed)
    widest = int(evidence.config()["near_person_dob_days"])
    stated: dict[str, list[Any]] = {}
    where: dict[str, list[Any]] = {}
    for p in records:
        if p.kind.value != "person":
            continue
        spans = [s for s in evidence.birth_spans(p.dates.get("birth", "")) if (s.end - s.start).days > widest]
        if not spans:
            continue
        if p.nationalities:
            for code in sorted(set(p.nationalities)):
                stated.setdefault(code, []).append(spans)
        else:
            for code in sorted(evidence.party_evidence(p).places):
                where.setdefault(code, []).append(spans)
    asked = [
        (day, (p.nationalities or p.countries or [""])[0])
        for p in people
        if p.kind.value == "person" and (day := _own_day(p, rng)) is not None
    ]
    out: list[float] = []
    for table in (stated, where):
        tried = agreed = 0
        for _ in range(pairs):
            day, nat = rng.choice(asked)
            pool = table.get(nat)
            if not pool:
                continue
            tried += 1
            agreed += any(s.start <= day <= s.end for s in rng.choice(pool))
        out.append(agreed / max(tried, 1))
    return out[0], out[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.near_person_dob", description=__doc__)
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--show", action="store_true", help="list every row the rule moved")
    parser.add_argument("--margin", type=float, help="strength.near_person_margin for this run")
    parser.add_argument("--dob-days", type=int, help="strength.near_person_dob_days for this run")
    parser.add_argument("--day-margin", type=float, help="strength.near_person_day_margin for this run")
    parser.add_argument(
        "--no-place",
        action="store_true",
        help="strength.near_person_place_for_nationality off for this run",
    )
    args = parser.parse_args(argv)
    values: dict[str, Any] = {}
    if args.day_margin is not None:
        values["near_person_day_margin"] = args.day_margin
    if args.no_place:
        values["near_person_place_for_nationality"] = False
    if args.margin is not None:
        values["near_person_margin"] = args.margin
    if args.dob_days is not None:
        values["near_person_dob_days"] = args.dob_days
    run(Path(args.shared), args.show, **values)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
