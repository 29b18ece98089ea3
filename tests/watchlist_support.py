"""The xscript watchlist (real Chinese institutions and firms, ``bench/xscript_watchlist.csv``) as a
screener, and the best score a query reaches on one of its names, for the tests of the institution rules.

Why exhaustive: a rule's test asks whether the scorer lets a pair clear the threshold, so every entry
sharing a key with the query is scored (``bench.retrieval.exhaustive``) — a record retrieval lost would
otherwise read as a score of 0 (Xihua University was one)."""

from __future__ import annotations

import pytest

from bench.retrieval import exhaustive
from chipguard.match.screener import Screener
from chipguard.sources import parse_file


def xscript_watchlist() -> Screener:
    """The watchlist's screener (the test is skipped when ../shared/data is not present)."""
    from tests.conftest import SHARED

    path = SHARED / "bench/xscript_watchlist.csv"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    return Screener(parse_file(path, format="custom_csv").parties)


def best_score(screener: Screener, query: str, name: str) -> float:
    """The best score of the list name ``name`` for ``query`` (0.0 when it is no hit), every entry sharing
    a key with the query scored."""
    with exhaustive(screener):
        hits = screener.screening(query, limit=10**6).hits
    return max((h.score for h in hits if h.name == name), default=0.0)


def best_scores(screener: Screener, pairs: dict[str, str]) -> dict[str, float]:
    """:func:`best_score` of each ``query → list name`` pair (what a rule's test asserts over a set)."""
    return {query: best_score(screener, query, name) for query, name in pairs.items()}


def assert_apart(screener: Screener, others: dict[str, str], own: dict[str, str]) -> None:
    """Each ``query → another body's name`` of ``others`` scores under the threshold, and each ``query →
    its own name`` of ``own`` at or over it: a rule telling two bodies apart must not lose the body's own
    record (what the institution rules' tests assert)."""
    other_scores = best_scores(screener, others)
    own_scores = best_scores(screener, own)
    assert all(score < screener.threshold for score in other_scores.values()), other_scores
    assert all(score >= screener.threshold for score in own_scores.values()), own_scores


def assert_met(screener: Screener, pairs: dict[str, str]) -> None:
    """Each ``query → list name`` of ``pairs`` scores at or over the threshold: what a rule's test asserts
    of the other bodies with the rule off (the test's evidence that the rule is what keeps them apart)."""
    scores = best_scores(screener, pairs)
    assert all(score >= screener.threshold for score in scores.values()), scores


def found_parties(screener: Screener, query: str) -> dict[str, float]:
    """Every party an organisation query ``query`` hits as shipped (retrieval as configured, up to 500
    hits), a hit's collapsed duplicate records included, with its score: what a retrieval rule's test
    reads to say a record is found."""
    found: dict[str, float] = {}
    for h in screener.screen(query, kind="org", limit=500):
        for party_id in (h.party_id, *h.explanation.get("duplicates", ())):
            found[str(party_id)] = h.score
    return found
