"""A person's listed alias of one full part and initials met only by a typo and an initial (issue 12,
session 24: the records lost to retrieval). GHAILANI, Ahmed Khalfan (OFAC uid 6925) is listed also as
"AHMED, A.": 'AHMAD, Ayman' and 'ALKHALD, Ahmad' met that alias at 0.80 — Ahmad one edit off Ahmed, Ayman
or Alkhald by the initial A — when retrieval scored the alias at all (exhaustive retrieval did, the
shipped one did not: ``python -m bench.retrieval`` counted them lost). Other persons, all of them.

With ``name_score.person_typo_initials_cap`` such a pair scores at most the cap, under the threshold;
the alias's full part met exactly (Ahmed Ali) and a query written with initials against a listed full
name keep their scores. Real records: CSL 2022-04, skipped without the shared data."""

from __future__ import annotations

import pytest

from bench.retrieval import exhaustive
from chipguard.model import Hit
from tests.csl_support import csl_2022_screener
from tests.scorer_support import scorer_config_with

GHAILANI = "6925"
TYPO_AND_INITIAL = ("AHMAD, Ayman", "ALKHALD, Ahmad", "ASWAD, Ahmad")


def _alias_hit(query: str, alias: str = "AHMED, A.") -> Hit | None:
    """GHAILANI's hit for ``query`` through ``alias``, every entry sharing a key with it scored."""
    screener = csl_2022_screener()
    with exhaustive(screener):
        hits = screener.screen(query, kind="person")
    found = [h for h in hits if h.party_id == GHAILANI and h.explanation.get("matched_alias") == alias]
    return found[0] if found else None


def test_a_typo_and_an_initial_do_not_meet_an_alias_of_one_name_and_an_initial() -> None:
    for query in TYPO_AND_INITIAL:
        assert _alias_hit(query) is None, query


def test_the_full_part_met_exactly_or_a_listed_full_name_keep_their_scores() -> None:
    threshold = csl_2022_screener().threshold
    exact = _alias_hit("Ahmed Ali")
    assert exact is not None and exact.score >= threshold
    assert "person_typo_initials" not in [f["feature"] for f in exact.explanation["features"]]
    # the record's own names, one of them misspelt, meet its full name
    own = _alias_hit("Ahmad Khalfan Ghailani", alias="GHAILANI, Ahmed Khalfan")
    assert own is not None and own.score >= threshold
    # a query of an initial and a misspelt surname against a listed name of two full parts is not capped
    initials = _alias_hit("A. Ghailany", alias="GHAILANI, Ahmed")
    assert initials is not None and initials.score >= threshold
    assert "person_typo_initials" not in [f["feature"] for f in initials.explanation["features"]]


def test_without_the_cap_the_alias_meets_them(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, typo_initials_cap=1.0)
    threshold = csl_2022_screener().threshold
    for query in TYPO_AND_INITIAL:
        hit = _alias_hit(query)
        assert hit is not None and hit.score >= threshold, query
