"""Evidence sets: does screening use what the query says besides the name? Built from the real lists.

Two sets, drawn from the CSL 2022-04 records themselves (seeded, so runs compare; nothing here is tuned
to, and no row is stored in the product):

* **persons / date of birth** — listed persons whose record states a date of birth. Each is queried by
  its listed name (half of them written "Given SURNAME" instead of the list's "SURNAME, Given"), once
  with a date of birth the record allows (the listed date, a day inside a listed year or range) and its
  listed nationality when there is one, and once with a date shifted 3–30 years away from every listed
  date (after "circa" and ranges). The own-date row must be a hit (recall, strength potential or
  confirmed); the shifted row must not alert (FPR: any confirmed or potential hit on that person's
  records; a second column counts a hit on any record at all).
* **organisations / identifier** — listed organisations (and vessels) whose record states an identifier
  (LEI, registration, tax or company number, USCC; IMO for vessels), queried by a drifted name (legal
  form dropped, one inner word dropped, two letters swapped), once with the listed identifier and once
  without. Reported: how often the listed party is found and how often it is confirmed, with and without.

``python -m bench.evidence_sets --shared ../shared/data --out DIR`` writes the sets as CSV (the query
and evidence columns ``screen-file`` reads, plus the labels ``category``, ``accept_ids`` and ``expect``,
as in the shared dev sets); ``python -m bench`` builds them in memory and prints the tables (see
BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SEED = 12
PERSONS = 400
ORGS = 300
VESSELS = 100
LEGAL_TAIL = re.compile(
    r"(?i)[,\s]*\b(co\.?,? ?ltd\.?|company limited|limited|ltd\.?|llc|inc\.?|corporation|corp\.?|"
    r"s\.?a\.?|gmbh|jsc|ojsc|pjsc|cjsc|ooo|llp|plc|b\.?v\.?|s\.?r\.?l\.?|s\.?a\.? de c\.?v\.?)\.?\s*$"
)
COLUMNS = (
    "id",
    "category",
    "name",
    "kind",
    "country",
    "date_of_birth",
    "nationality",
    "registration_number",
    "lei",
    "imo",
    "accept_ids",
    "expect",
)


def _ids(party: Any) -> str:
    ids = [str(party.party_id)]
    if party.extra.get("entity_number") and str(party.extra["entity_number"]) not in ids:
        ids.append(str(party.extra["entity_number"]))
    return "|".join(ids)


def _given_first(name: str) -> str:
    """ "HEJABI, Mahdi" → "Mahdi HEJABI" (how a customer form writes it)."""
    if "," in name:
        surname, _, given = name.partition(",")
        return f"{given.strip()} {surname.strip()}".strip()
    return name


def _inside(span: Any, rng: random.Random) -> date:
    days = (span.end - span.start).days
    return span.start + timedelta(days=rng.randint(0, max(days, 0)))


def _shifted(spans: Iterable[Any], rng: random.Random) -> date | None:
    """A date 3–30 years from the listed ones and at least two years from every listed span."""
    spans = list(spans)
    for _ in range(20):
        base = spans[0].start
        years = rng.randint(3, 30) * rng.choice((-1, 1))
        try:
            candidate = base.replace(year=base.year + years, day=min(base.day, 28))
        except ValueError:
            continue
        if candidate.year < 1900 or candidate > date(2010, 12, 31):
            continue
        if all((candidate - s.end).days > 730 or (s.start - candidate).days > 730 for s in spans):
            return candidate
    return None


def person_rows(parties: list[Any], rng: random.Random) -> list[dict[str, str]]:
    from chipguard.match.evidence import birth_spans

    pool = [p for p in parties if p.kind.value == "person" and birth_spans(p.dates.get("birth", ""))]
    rows: list[dict[str, str]] = []
    for i, party in enumerate(rng.sample(pool, min(PERSONS, len(pool)))):
        spans = birth_spans(party.dates["birth"])
        name = _given_first(party.name) if i % 2 else party.name
        own = _inside(spans[0], rng)
        own_text = own.isoformat() if (spans[0].end - spans[0].start).days == 0 else str(own.year)
        shifted = _shifted(spans, rng)
        nationality = party.nationalities[0] if party.nationalities else ""
        base = {
            "name": name,
            "kind": "person",
            "country": "",
            "registration_number": "",
            "lei": "",
            "imo": "",
        }
        rows.append(
            {
                **base,
                "id": f"p{i}-own",
                "category": "dob_own",
                "date_of_birth": own_text,
                "nationality": nationality,
                "accept_ids": _ids(party),
                "expect": "hit",
            }
        )
        if shifted is not None:
            rows.append(
                {
                    **base,
                    "id": f"p{i}-shifted",
                    "category": "dob_shifted",
                    "date_of_birth": shifted.isoformat(),
                    "nationality": "",
                    "accept_ids": _ids(party),
                    "expect": "none",
                }
            )
    return rows


def drifted(name: str, rng: random.Random) -> str | None:
    """Legal form dropped, one inner word dropped (names of three words or more), two letters swapped."""
    core = LEGAL_TAIL.sub("", name).strip(" ,.")
    words = core.split()
    if len(words) < 2:
        return None
    if len(words) >= 3:
        del words[rng.randint(1, len(words) - 1)]
    longest = max(range(len(words)), key=lambda j: (len(words[j]), -j))
    word = words[longest]
    if len(word) >= 5:
        k = rng.randint(1, len(word) - 3)
        words[longest] = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    out = " ".join(words)
    return out if out.lower() != name.lower() else None


def org_rows(parties: list[Any], rng: random.Random) -> list[dict[str, str]]:
    from chipguard.match.evidence import imo_valid, lei_valid, party_evidence, uscc_valid

    orgs: list[tuple[Any, str, str]] = []
    vessels: list[tuple[Any, str]] = []
    for party in parties:
        ev = party_evidence(party)
        if party.kind.value == "org" and (ev.leis or ev.ids):
            scheme, value = (
                ("lei", sorted(ev.leis)[0]) if ev.leis else ("registration_number", sorted(ev.ids)[0])
            )
            if scheme == "registration_number" and (
                lei_valid(value) or (len(value) == 18 and not uscc_valid(value))
            ):
                continue  # the query side validates; keep values a form would accept
            orgs.append((party, scheme, value))
        elif party.kind.value == "vessel" and ev.imos:
            good = sorted(i for i in ev.imos if imo_valid(i))
            if good:
                vessels.append((party, good[0]))
    rows: list[dict[str, str]] = []
    picked = rng.sample(orgs, min(ORGS, len(orgs))) + [
        (p, "imo", v) for p, v in rng.sample(vessels, min(VESSELS, len(vessels)))
    ]
    for i, (party, scheme, value) in enumerate(picked):
        name = drifted(party.name, rng)
        if name is None:
            continue
        kind = "vessel" if scheme == "imo" else "org"
        base = {
            "name": name,
            "kind": kind,
            "country": "",
            "date_of_birth": "",
            "nationality": "",
            "registration_number": "",
            "lei": "",
            "imo": "",
            "accept_ids": _ids(party),
            "expect": "hit",
        }
        rows.append({**base, "id": f"o{i}-with", "category": f"{kind}_with_identifier", scheme: value})
        rows.append({**base, "id": f"o{i}-without", "category": f"{kind}_without_identifier"})
    return rows


def build(parties: list[Any], seed: int = SEED) -> dict[str, list[dict[str, str]]]:
    rng = random.Random(seed)
    return {"persons_dob": person_rows(parties, rng), "orgs_identifier": org_rows(parties, rng)}


def _evidence(row: dict[str, str]) -> Any:
    from chipguard.match.evidence import query_evidence
    from chipguard.model import EVIDENCE_FIELDS

    return query_evidence(
        country=row.get("country") or None, **{k: row.get(k) or None for k in EVIDENCE_FIELDS}
    )


def run(screener: Any, parties: list[Any]) -> None:
    """Prints the two tables of BENCHMARKS.md "Evidence sets"."""
    sets = build(parties)
    stats: dict[str, dict[str, int]] = {}
    for row in sets["persons_dob"] + sets["orgs_identifier"]:
        accept = set(row["accept_ids"].split("|"))
        hits = screener.screen(row["name"], kind=row["kind"] or None, evidence=_evidence(row))
        own = [h for h in hits if {str(h.party_id), str(h.explanation.get("entity_number", ""))} & accept]
        s = stats.setdefault(row["category"], {"n": 0, "found": 0, "confirmed": 0, "alert_any": 0})
        s["n"] += 1
        s["found"] += any(h.strength != "weak" for h in own)
        s["confirmed"] += any(h.strength == "confirmed" for h in own)
        s["alert_any"] += any(h.strength != "weak" for h in hits)
    print(f"\n## evidence sets (built by bench/evidence_sets.py from CSL 2022-04, seed {SEED})\n")
    print("| set | n | listed party found (potential or confirmed) | confirmed | any alert |")
    print("|---|---:|---:|---:|---:|")
    for cat in sorted(stats):
        s = stats[cat]
        n = max(s["n"], 1)
        print(
            f"| {cat} | {s['n']} | {s['found'] / n:.3f} | {s['confirmed'] / n:.3f} | {s['alert_any'] / n:.3f} |"
        )
    agreeing, shifted = stats.get("dob_own"), stats.get("dob_shifted")
    if agreeing and shifted:
        print(
            f"\nperson DOB-agreeing recall {agreeing['found'] / agreeing['n']:.3f} (target ≥ 0.99); "
            f"DOB-conflict FPR {shifted['found'] / shifted['n']:.3f} on the person's own records "
            f"(target ≤ 0.02), {shifted['alert_any'] / shifted['n']:.3f} counting a hit on any record"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.evidence_sets", description=__doc__)
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--out", required=True, help="folder for persons_dob.csv and orgs_identifier.csv")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    from chipguard.sources import parse_file

    parties = parse_file(Path(args.shared) / "lists/us_csl_2022-04.csv.gz").parties
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in build(parties, args.seed).items():
        with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        print(f"{out / name}.csv: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
