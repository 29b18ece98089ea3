"""Two different industry words are never a typo of each other (issue 12, session 12): Electric and
Electronic, Shipping and Shopping, Powder and Power are words the vocabulary knows (the English of the
curated Chinese industry terms), so one is not a misspelling of the other
(``name_score.industry_words_distinct``). Before, a name differing from a listed one only by such a word
met it as a typo (0.78 for two edits in eight letters) — a listed firm's trade name with another line of
business confirmed at 0.95 on the name alone, a DENY. A morphology or stem pair still meets
(Environment / Environmental). Real records: CSL 2022-04, skipped without the shared data."""

from __future__ import annotations

import pytest

from chipguard.match.score import industry_words, token_similarity
from chipguard.names.analysis import analyze
from tests.csl_support import csl_2022_screener
from tests.scorer_support import scorer_config_with


def _token(word: str):  # type: ignore[no-untyped-def]
    return analyze(word, False).tokens[0]


def _without_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scorer as it was before the key (matching_introduced.yml: false)."""
    scorer_config_with(monkeypatch, industry_words_distinct=False)


def test_two_industry_words_are_no_typo(monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = [("electric", "electronic"), ("shipping", "shopping"), ("powder", "power")]
    for a, b in pairs:
        assert {a, b} <= industry_words()
        for translated in (False, True):
            assert token_similarity(_token(a), _token(b), False, translated) == (0.0, ""), (a, b)
    # an ending still meets as one word's forms
    assert token_similarity(_token("environment"), _token("environmental"), False) == (0.9, "morphology")
    # a typo of an industry word (no word of the vocabulary) is still a typo
    assert token_similarity(_token("electrnic"), _token("electronic"), False)[1] == "typo"
    _without_rule(monkeypatch)
    assert token_similarity(_token("electric"), _token("electronic"), False) == (pytest.approx(0.78), "typo")


def _on(query: str, listed: str) -> list[tuple[float, str]]:
    hits = csl_2022_screener().screen(query, kind="org", country="CN")
    return [(round(h.score, 3), h.strength) for h in hits if h.name == listed]


def test_another_line_of_business_is_no_typo_of_a_listed_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # the listed name with its industry word swapped for another one two letters away
    assert _on("KUNLUN SHOPPING COMPANY LIMITED", "KUNLUN SHIPPING COMPANY LIMITED") == []
    assert _on("Landa Electric", "Landa Electronic") == []
    # the listed names themselves still confirm
    assert _on("KUNLUN SHIPPING COMPANY LIMITED", "KUNLUN SHIPPING COMPANY LIMITED")[0][1] == "confirmed"
    _without_rule(monkeypatch)
    assert _on("KUNLUN SHOPPING COMPANY LIMITED", "KUNLUN SHIPPING COMPANY LIMITED") == [(0.956, "confirmed")]
