"""The scorer's early bound (``chipguard.match.score.score_or_bound``) is a true upper bound: a pair it rules
out below ``min_score`` never scores ``min_score`` or more in full (issue 12: a bound that is not one loses a
pair silently; issue 16: the bound is what spares most pairs the full scoring, persons' too).

Checked on real pairs — every alignment the screener makes for the dev screening queries (English, Chinese
and translated) against the real CSL, with their real weights — and, property-style, on the name-pair bench
(persons and organisations) with arbitrary token weights, where a heavy query word meeting a light list
word by a typo (the case the old bound missed) is common.

The screener's pair scoring (chipguard.match.pairs) is compiled by chipguard.native, and a compiled module
calls the scorer directly: a recorder patched into it would see no call. So the calls are recorded in a
copy of that module loaded from its source (the same code, looking score_or_bound up in its own globals),
which the screener is given as its score_pair; the copy is checked to give the screener's own hits."""

from __future__ import annotations

import functools
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipguard.match import pairs
from chipguard.match import screener as screener_module
from chipguard.match.score import Scored, score_or_bound
from chipguard.match.screener import Screener
from chipguard.names.analysis import NameAnalysis, analyze
from chipguard.settings import settings as chipguard_settings
from chipguard.sources import parse_file

Call = tuple[NameAnalysis, NameAnalysis, dict[str, Any], "Scored | float"]


def _read(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def screened() -> Iterator[list[Call]]:
    """Every score_or_bound call the screener makes for the dev screening queries and the real Chinese
    queries on the CSL 2022-04: (query analysis, list analysis, keyword arguments, result)."""
    shared = chipguard_settings().shared_data
    path = shared / "lists/us_csl_2022-04.csv.gz"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    screener = Screener(parse_file(path).parties)
    queries = [
        (r["name"], r.get("kind") or None)
        for name in ("screening_queries.csv", "real_cn_queries.csv")
        for r in _read(shared / "bench" / name)
    ]
    calls: list[Call] = []

    def recording(query: NameAnalysis, cand: NameAnalysis, **kwargs: Any) -> Scored | float:
        result = score_or_bound(query, cand, **kwargs)
        calls.append((query, cand, kwargs, result))
        return result

    mp = pytest.MonkeyPatch()
    copy = _pairs_source_copy(mp)
    own = [_hits(screener, name, kind) for name, kind in queries[:100]]
    mp.setattr(copy, "score_or_bound", recording)
    mp.setattr(copy, "PairScore", pairs.PairScore)  # what the compiled candidate loop takes from a scorer
    mp.setattr(screener_module, "score_pair", copy.score_pair)
    try:
        for i, (name, kind) in enumerate(queries):
            hits = _hits(screener, name, kind)
            if i < len(own):  # the copy is the screener's pair scoring: the same hits
                assert hits == own[i], name
    finally:
        mp.undo()
    assert calls
    yield calls


def _pairs_source_copy(mp: pytest.MonkeyPatch) -> ModuleType:
    """chipguard.match.pairs loaded from its source file as a module of its own (see the module docstring)."""
    path = Path(screener_module.__file__).with_name("pairs.py")  # the screener itself is never compiled
    spec = importlib.util.spec_from_file_location("chipguard_pairs_source_copy", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    mp.setitem(sys.modules, spec.name, module)  # (dataclasses look their module up while it loads)
    spec.loader.exec_module(module)
    return module


def _hits(screener: Screener, name: str, kind: str | None) -> list[tuple[str, float, str]]:
    return [(h.party_id, h.score, str(h.explanation["features"])) for h in screener.screen(name, kind)]


def _full(query: NameAnalysis, cand: NameAnalysis, kwargs: dict[str, Any]) -> Scored:
    scored = score_or_bound(query, cand, **{**kwargs, "min_score": 0.0})
    assert isinstance(scored, Scored)
    return scored


def test_no_pair_the_screener_ruled_out_scores_its_floor(screened: list[Call]) -> None:
    ruled_out = [(q, c, kw, r) for q, c, kw, r in screened if not isinstance(r, Scored)]
    # the bound does its work: most alignments stop early, persons' too
    assert len(ruled_out) > len(screened) / 2, (len(ruled_out), len(screened))
    assert sum(kw["person"] for _q, _c, kw, _r in ruled_out) > 1000
    wrong = []
    for query, cand, kwargs, bound in ruled_out:
        full = _full(query, cand, kwargs)
        assert isinstance(bound, float)
        if full.score >= kwargs["min_score"] or bound < full.score - 1e-9:
            wrong.append((query.original, cand.original, bound, full.score))
    assert not wrong, wrong[:10]


def test_the_bound_holds_at_every_pairs_own_score(screened: list[Call]) -> None:
    """With the floor at the pair's own full score, no pair may be ruled out (both bounds: before and
    after comparing words), and with the floor above it most are."""
    seen: set[tuple[str, str, bool, str]] = set()
    checked = cut_above = 0
    for query, cand, kwargs, _result in screened:
        key = (query.original, cand.original, kwargs["person"], repr(sorted(kwargs.items())))
        if key in seen:
            continue
        seen.add(key)
        full = _full(query, cand, kwargs)
        if full.score <= 0:
            continue
        at = score_or_bound(query, cand, **{**kwargs, "min_score": full.score})
        assert isinstance(at, Scored), (query.original, cand.original, at, full.score)
        assert at.score == full.score
        above = score_or_bound(query, cand, **{**kwargs, "min_score": min(1.0, full.score + 0.2)})
        cut_above += not isinstance(above, Scored)
        checked += 1
    assert checked > 5000
    assert cut_above > checked / 3, (cut_above, checked)


@functools.cache
def _bench_pairs() -> list[tuple[NameAnalysis, NameAnalysis, bool]]:
    path = chipguard_settings().shared_data / "bench/pairs/name_bench_cases.csv"
    if not path.exists():
        return []
    out = []
    for row in _read(path):
        person = row["schema"] == "Person"
        out.append((analyze(row["name1"], person), analyze(row["name2"], person), person))
        out.append((analyze(row["name2"], person), analyze(row["name1"], person), person))
    return out


weights = st.floats(min_value=0.02, max_value=2.0, allow_nan=False)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_bound_holds_for_any_weights(data: st.DataObject) -> None:
    """Token weights as rarity may make them — a heavy query word meeting a light list word and the
    reverse — never let a pair score over its bound."""
    pairs = _bench_pairs()
    if not pairs:
        pytest.skip("../shared/data is not present")
    query, cand, person = data.draw(st.sampled_from(pairs))
    q_w = tuple(data.draw(st.lists(weights, min_size=len(query.tokens), max_size=len(query.tokens))))
    c_w = tuple(data.draw(st.lists(weights, min_size=len(cand.tokens), max_size=len(cand.tokens))))
    anchors = data.draw(st.sampled_from([None, frozenset(t.text for t in query.tokens)]))
    kwargs: dict[str, Any] = {
        "person": person,
        "rarity": (lambda _canon: 1.0) if data.draw(st.booleans()) else None,
        "q_weights": q_w,
        "c_weights": c_w,
        "anchors": None if person else anchors,
    }
    full = _full(query, cand, kwargs)
    if full.score > 0:
        at = score_or_bound(query, cand, **{**kwargs, "min_score": full.score})
        assert isinstance(at, Scored), (query.original, cand.original, q_w, c_w, at, full.score)


def test_a_heavy_query_word_met_by_a_typo_of_a_light_list_word_is_not_ruled_out() -> None:
    """The pair the old bound lost: 'hokding' (a distinctive word to the query) is a typo of 'holding' (a
    generic word to the list). Weighed by the list word alone, the pair's total shrinks and its score is
    higher than a bound that keeps the query word's weight."""
    query, cand = analyze("Atlas Hokding", False), analyze("Atlas Holding SAL", False)
    full = _full(query, cand, {"person": False, "q_weights": (1.0, 1.0), "c_weights": (1.0, 0.26, 0.1)})
    assert [(p.query, p.candidate, p.how) for p in full.pairs][-1] == ("hokding", "holding", "typo")
    kwargs = {"person": False, "q_weights": (1.0, 1.0), "c_weights": (1.0, 0.26, 0.1)}
    assert isinstance(score_or_bound(query, cand, **kwargs, min_score=full.score), Scored)
    # and a floor above the pair's score still rules it out early
    assert not isinstance(score_or_bound(query, cand, **kwargs, min_score=full.score + 0.1), Scored)


def test_a_person_pair_that_cannot_reach_the_floor_stops_early() -> None:
    """Persons have a bound too: two names sharing one part of three, the others unlike, stop before the
    full scoring; a person that is a subset of the other (the subset rule lifts it) does not."""
    query, cand = analyze("John Michael Smith", True), analyze("John Peter Doe", True)
    full = _full(query, cand, {"person": True})
    bound = score_or_bound(query, cand, person=True, min_score=0.65)
    assert full.score < 0.65 and not isinstance(bound, Scored) and bound >= full.score
    subset_q, subset_c = analyze("Ali Hassan Mahmoud", True), analyze("Ali Hassan Mahmoud Rahimi", True)
    lifted = _full(subset_q, subset_c, {"person": True})
    assert lifted.subset
    assert isinstance(score_or_bound(subset_q, subset_c, person=True, min_score=lifted.score), Scored)


def test_a_translated_pair_without_an_anchor_counts_its_unmatched_words_whole() -> None:
    """A translated query's unmatched words weigh less only once one of its anchors (the brand in pinyin)
    pairs: a pair where none can pair is bounded with its unmatched words at their whole weight, so it
    stops early just above its own score (its score is its words' alignment, nothing left to lift it)."""
    query = analyze("Beijing Canal Arts Co Ltd", False)
    cand = analyze("Beijing Canal Trading Co Ltd", False)
    kwargs: dict[str, Any] = {"person": False, "anchors": frozenset({"jinhua", "yunhe"})}
    full = _full(query, cand, kwargs)
    assert not any(p.query in kwargs["anchors"] for p in full.pairs)
    assert isinstance(score_or_bound(query, cand, **kwargs, min_score=full.score), Scored)
    early = score_or_bound(query, cand, **kwargs, min_score=full.score + 0.01)
    assert not isinstance(early, Scored) and early >= full.score - 1e-9


def test_a_person_pair_with_parts_unlike_on_both_sides_counts_their_clash() -> None:
    """Two persons' names whose parts left on both sides find nothing alike clash (person_parts_clash):
    the bound takes that penalty off, so the pair stops early just above its own score."""
    query, cand = analyze("Ali Hassan Karimi", True), analyze("Ali Hassan Mostafa", True)
    full = _full(query, cand, {"person": True})
    assert any(p["feature"] == "person_parts_clash" for p in full.penalties)
    assert isinstance(score_or_bound(query, cand, person=True, min_score=full.score), Scored)
    early = score_or_bound(query, cand, person=True, min_score=full.score + 0.01)
    assert not isinstance(early, Scored) and early >= full.score - 1e-9
