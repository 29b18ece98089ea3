"""The evidence-set builder (bench/evidence_sets.py) does what BENCHMARKS.md says it does: an own-date row
states a date of birth the listed record allows, a shifted row one at least two years from every listed
date, and an identifier row the record's own identifier. Real CSL 2022-04; skipped without it."""

from __future__ import annotations

from pathlib import Path

from bench.evidence_sets import build
from chipguard.match.evidence import birth_spans, parse_query_date_of_birth, party_evidence
from tests.csl_support import csl_2022_parties


def test_sets_are_what_they_claim(shared: Path) -> None:
    parties = csl_2022_parties()
    by_id = {str(p.party_id): p for p in parties}
    sets = build(parties)
    assert build(parties) == sets  # seeded: the same rows every run
    persons = sets["persons_dob"]
    assert sum(r["category"] == "dob_own" for r in persons) == 400
    assert sum(r["category"] == "dob_shifted" for r in persons) >= 390
    for row in persons:
        record = by_id[row["accept_ids"].split("|")[0]]
        gap = min(
            parse_query_date_of_birth(row["date_of_birth"]).gap_days(s)
            for s in birth_spans(record.dates["birth"])
        )
        assert gap == 0 if row["category"] == "dob_own" else gap > 730, (row, record.dates["birth"])
    orgs = sets["orgs_identifier"]
    with_id = [r for r in orgs if r["category"].endswith("_with_identifier")]
    assert len(with_id) > 250
    for row in with_id:
        ev = party_evidence(by_id[row["accept_ids"].split("|")[0]])
        given = row["lei"] or row["registration_number"] or row["imo"]
        assert given in ev.leis | ev.ids | ev.imos
        assert row["name"].lower() != by_id[row["accept_ids"].split("|")[0]].name.lower()  # drifted
