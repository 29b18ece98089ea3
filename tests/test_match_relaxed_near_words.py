"""The relaxed candidate floor counts a near form of the query's most distinctive word (issue 12 item 5: no
relative floor removes a record that would pass on its own).

Below the best candidate's floor (``candidate_relative_floor`` of its key weight), retrieval kept only
names holding one of the query's two rarest words *as written*, down to ``candidate_query_floor`` of the
query's own weight. A record whose name holds that word one edit off ("NORINCO" for the query "Narinco"),
written as one word with the next, or by its sound (a person's "Mohammed" for "Muhammad") was cut whenever
another record held the query's words exactly — although it ranked inside the candidate limit and clears
the threshold on its own. matching.yml ``candidates_relaxed_near_words`` keeps those too.

The cases come from the second sample of the class (other entities than the dev sets: every fourth CSL
2022-04 record's name queried as listed, /work/notes/tools/f10_sample.py as 4, session 14: 90 records lost → 71);
real list names, skipped without the shared data."""

from __future__ import annotations

import pytest
from scorer_support import scorer_config_with

from chipguard.match.screener import Screener
from tests.csl_support import csl_2022_parties, csl_2022_screener, csl_2022_screeners

# query as listed (its kind), a record it finds only through the relaxed floor's near form: how
CASES = [
    ("Narinco", None, "CHINA NORTH INDUSTRIES GROUP CORPORATION LIMITED"),  # a typo: norinco
    ("GRUPO EGMONT, S.A. DE C.V.", "org", "ELMONT AG"),  # a typo: egmont / elmont
    ("SAEED, Muhammad", "person", "SAEEDI, Mohammed"),  # a typo and a sound: muhammad / mohammed
]


def _names(screener: Screener, query: str, kind: str | None) -> set[str]:
    return {h.name for h in screener.screen(query, kind=kind, limit=500)}


def test_a_near_form_of_the_rarest_word_is_kept_below_the_best_candidates_floor() -> None:
    built, mapped = csl_2022_screeners()
    for screener in (built, mapped):
        for query, kind, listed in CASES:
            hits = {h.name: h for h in screener.screen(query, kind=kind, limit=500)}
            assert listed in hits, (query, sorted(hits))
            assert hits[listed].score >= screener.threshold
            # the query's own record is still found first
            assert next(iter(hits.values())).score == 1.0


def test_without_the_key_the_floor_cuts_them(monkeypatch: pytest.MonkeyPatch) -> None:
    parties = csl_2022_parties()
    shipped = Screener(parties)
    found = {query: listed in _names(shipped, query, kind) for query, kind, listed in CASES}
    # (a person's name whose parts sound as the query's is a candidate by candidates_person_sound_bag
    # too — "SAEEDI, Mohammed" for "SAEED, Muhammad" — so that rule is off here as well)
    scorer_config_with(monkeypatch, candidates_relaxed_near_words=False, candidates_person_sound_bag=False)
    old = Screener(parties)
    lost = {query: listed not in _names(old, query, kind) for query, kind, listed in CASES}
    assert found == {query: True for query, _k, _l in CASES}
    assert lost == {query: True for query, _k, _l in CASES}


def test_the_near_holders_are_the_rarest_words_other_spellings() -> None:
    from chipguard.names.analysis import LEGAL, STOP, analyze

    index = csl_2022_screener().index
    a = analyze("Narinco", False)
    sig = [t for t in a.tokens if t.cls not in (LEGAL, STOP)]
    keys = sorted(index.query_keys(a).items())
    assert "w:norinco" in index._near_holders(a, sig, keys)
    # a person's name: the phonetic key of its rarest part, and its typo neighbours
    p = analyze("SAEED, Muhammad", True)
    sig = [t for t in p.tokens if t.cls not in (LEGAL, STOP)]
    near = index._near_holders(p, sig, sorted(index.query_keys(p).items()))
    assert any(k.startswith("p:") for k in near) and any(k.startswith("w:") for k in near)
