"""A legal form out of its place is still the legal form (issue 12: every disguise ≥ 0.98 — the generated
evasions of bench/evasion.py read "first word moved last" 0.975 and, on a second sample of other list
names, "two words joined" 0.953). "JOINT STOCK COMPANY ABSOLUTBANK CLOSED" is the listed "CLOSED JOINT
STOCK COMPANY ABSOLUTBANK" with its first word moved; "DENA TANKERSFZE" and "S.A. DEC.V." are names with
a space lost. Stray legal-form words weigh as the legal form only when the other name holds them in its
legal form (``name_score.legal_form_displaced``), so nothing one name lacks is forgiven. Real list
names; the screening test skips without the shared data."""

from __future__ import annotations

import pytest
from csl_support import csl_2022_parties

from chipguard.match.screener import Screener, compare
from chipguard.names.analysis import LEGAL, analyze
from tests.scorer_support import scorer_config_with


def _before_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scorer and retrieval as archived rule sets have them (matching_introduced.yml). (Retrieval's
    candidates_near_word_forms too: it keeps a name holding "Tankers" for "TANKERSFZE" as a word the query's
    word starts, and the scorer's abbreviation rule clears it without this rule — not the rule tested.)"""
    scorer_config_with(
        monkeypatch, legal_form_displaced=False, key_legal_runon=0.0, candidates_near_word_forms=False
    )


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("JOINT STOCK COMPANY ABSOLUTBANK CLOSED", "CLOSED JOINT STOCK COMPANY ABSOLUTBANK"),
        ("STOCK COMPANY SALUTE JOINT", "JOINT STOCK COMPANY SALUTE"),
        ("OBSHCHESTVO TEKHNODINAMIKA AKTSIONERNOE", "AKTSIONERNOE OBSHCHESTVO TEKHNODINAMIKA"),
        ("S.A. DE C.V. MEXGLOBO,", "MEXGLOBO, S.A. DE C.V."),
        ("LLCVEB SERVICE", "LLC VEB SERVICE"),
        ("INVERSIONES ADAGLTDA.", "INVERSIONES ADAG LTDA."),
    ],
)
def test_a_legal_form_moved_or_run_on_still_matches(
    query: str, listed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert compare(query, listed, kind="org").score >= 0.85
    _before_the_rule(monkeypatch)
    assert compare(query, listed, kind="org").score < 0.8  # missed before


def test_a_word_run_onto_its_legal_form_is_the_list_words_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    # the scorer's prefix rule met "tankersfze" and "tankers" before (0.91); joined, it is the name
    assert compare("DENA TANKERSFZE", "DENA TANKERS FZE", kind="org").score == 1.0
    _before_the_rule(monkeypatch)
    assert compare("DENA TANKERSFZE", "DENA TANKERS FZE", kind="org").score < 0.95


def test_only_words_the_other_names_legal_form_holds_weigh_less() -> None:
    # "closed" is a legal-form word, but the listed name has no legal form holding it: a word it lacks
    assert compare("ABSOLUTBANK CLOSED", "ABSOLUTBANK", kind="org").score < 0.8
    # "Holdings" is no word of "Joint Stock Company": it still counts whole
    moved = compare("STOCK COMPANY SALUTE JOINT", "JOINT STOCK COMPANY SALUTE", kind="org").score
    other = compare("STOCK HOLDINGS SALUTE JOINT", "JOINT STOCK COMPANY SALUTE", kind="org").score
    assert other < moved - 0.05


def test_a_legal_form_is_known_by_its_letters_and_words_are_split_before_legal_forms_are_cut() -> None:
    spaced = analyze("RR TOUR, S.A. DE C.V.").tokens[-1]
    joined = analyze("RR TOUR, S.A. DEC.V.").tokens[-1]
    assert spaced.cls == joined.cls == LEGAL and spaced.canon == joined.canon
    assert analyze("BANGKOK ARTI-FLORA DESIGN LIMITEDPARTNERSHIP").tokens[-1].cls == LEGAL
    # a known word run onto another is two words, not the Italian legal form "SpA" cut off its start
    words = [t.text for t in analyze("Russian SpaceSystems (RKS)").tokens]
    assert words[:3] == ["russian", "space", "systems"]
    # a legal form's own word is not split into two ("partners" + "hip"), nor is its one-edit typo
    assert analyze("GREEN CAR RENT LIMITED PARTNERSHIP").tokens[-1].text == "limited partnership"
    assert analyze("GREEN CAR RENT LIMITED PARTNERHSIP").tokens[-1].cls == LEGAL
    # a legal form's letters shorter than five are words of names too ("coop")
    assert analyze("COOP TRADING").tokens[0].cls != LEGAL


def test_screening_finds_listed_firms_written_with_their_legal_form_run_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screener = Screener(csl_2022_parties())
    cases = {
        "DENA TANKERSFZE": "DENA TANKERS FZE",
        "BANCO CORPORATIVOSA": "BANCO CORPORATIVO SA",
        "IRAN TRANSFOCO.": "IRAN TRANSFO CO.",
        "JOINT STOCK COMPANY ABSOLUTBANK CLOSED": "CLOSED JOINT STOCK COMPANY ABSOLUTBANK",
    }
    for query, listed in cases.items():
        assert any(h.name == listed for h in screener.screen(query, kind="org")), query
    _before_the_rule(monkeypatch)
    for query, listed in cases.items():
        assert not any(h.name == listed for h in screener.screen(query, kind="org")), query
