"""A list word that is the query's word run onto a word naming what a body is or does is another body's name,
not the word's stem (issue 12 item 5: records that cleared the threshold through a scorer leniency).

The stem rule (similarity.stem) meets two words when one starts the other, six letters on: a word-by-word
translation says "Evolution", the registered name "Evolutionary". It also let 宁波大学 (Ningbo University)
meet "NingboTech University" (0.875) — 浙大宁波理工学院, another university — and "Gazprom Invest, OOO"
meet GPB INVEST OOO, listed as "Gazprombank Invest" (0.891): the longer word is the shorter one plus Tech
or Bank, a compound naming another body. With ``name_score.stem_compound_distinct`` a list word that is the
query's word run onto a word the vocabulary knows as what a body is or does (a generic organisation word,
an industry word, a kind of institution) does not meet it as a stem. A stem with an ending still meets, and
so does a query word that runs a word onto the listed one (an evader's "PORTNOVfund": the query holds the
listed name).

Real records: CSL 2022-04 and the xscript watchlist; skipped without the shared data."""

from __future__ import annotations

import pytest

from chipguard.match.score import token_similarity
from chipguard.names.analysis import analyze
from tests.csl_support import csl_2022_screener
from tests.scorer_support import scorer_config_with
from tests.watchlist_support import best_score, xscript_watchlist


def _token(word: str):  # type: ignore[no-untyped-def]
    return analyze(word, False).tokens[0]


def _others() -> dict[str, float]:
    return {
        "宁波大学": best_score(xscript_watchlist(), "宁波大学", "NingboTech University"),
        "Gazprom Invest, OOO": best_score(csl_2022_screener(), "Gazprom Invest, OOO", "GPB INVEST OOO"),
    }


def test_a_compound_on_the_list_is_no_stem_of_the_query_word() -> None:
    # (query word, list word): the list word adds Tech or Bank — another body's name
    for query, listed in [("ningbo", "ningbotech"), ("gazprom", "gazprombank"), ("rosneft", "rosneftbank")]:
        assert token_similarity(_token(query), _token(listed), False) == (0.0, ""), (query, listed)
    # a stem with an ending, and the compound on the query's side (the query holds the listed word)
    assert token_similarity(_token("evolution"), _token("evolutionary"), False)[1] == "stem"
    assert token_similarity(_token("portnovfund"), _token("portnov"), False)[1] == "stem"
    threshold = csl_2022_screener().threshold
    others = _others()
    assert all(score < threshold for score in others.values()), others


def test_without_the_rule_the_compound_met_as_a_stem(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, stem_compound_distinct=False)
    assert token_similarity(_token("ningbo"), _token("ningbotech"), False)[1] == "stem"
    threshold = csl_2022_screener().threshold
    others = _others()
    assert all(score >= threshold for score in others.values()), others
