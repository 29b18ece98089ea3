"""A query word adding letters to a listed proper name, or a compound's first word, is no abbreviation of it
(issue 12 item 2: token weight from how distinctive a word is; records that cleared the threshold through a
scorer leniency).

The abbreviation rule (similarity.abbreviation) meets two words when the shorter, three to five letters,
starts the longer: "Chem" / "Chemical". It also let "Gazprom Neft" meet the listed GAZ-OIL, OOO (0.838: Gaz
the start of Gazprom, Neft "oil"), BANK ROSSIYA meet the Central Bank of Russia through its alias BANK
ROSSI (0.814) and IRAN AIRCRAFT INDUSTRIES meet IRAN AIR (0.804): the query's distinctive word met only by
the first letters of another name, or by the first word of a compound (Air + Craft). With
``name_score.abbreviation_known_word`` a pair not translated word by word meets so only when the longer
word is not the shorter run onto another common word and, when the query's word is the longer, only when
that word is one the vocabulary knows or company names at large use. A query cutting a listed word short
(Gazp for Gazprom) still meets it, a word-by-word translation keeps the rule (a pinyin brand registered by
its head: 温氏 Wenshi / WENS), and every usual abbreviation still meets (canonical forms: Intl, Tech, Inst).

Real records: CSL 2022-04 and the xscript watchlist; skipped without the shared data."""

from __future__ import annotations

import pytest

from chipguard.match.score import token_similarity
from chipguard.names.analysis import analyze
from tests.csl_support import csl_2022_screener
from tests.scorer_support import scorer_config_with
from tests.watchlist_support import assert_met, best_scores, xscript_watchlist

# query → another party's list name, met through a proper name's start or a compound's first word
CSL_OTHERS = {
    "Gazprom Neft": "GAZ-OIL, OOO",
    "BANK ROSSIYA": "CENTRAL BANK OF THE RUSSIAN FEDERATION",
    "IRAN AIRCRAFT INDUSTRIES": "IRAN AIR",
}
# query → its own list name through an abbreviation or a translated brand's head
CSL_OWN = {
    "Hong Kong Engy Tech Co.": "Hong Kong Engy Technology Co.",
    "RAH SAHEL Inst": "RAH SAHEL INSTITUTE",
}
WATCHLIST_OWN = {"广东温氏食品集团股份有限公司": "GUANGDONG WENS FOODSTUFF GROUP CO.,LTD"}


def _token(word: str):  # type: ignore[no-untyped-def]
    return analyze(word, False).tokens[0]


def test_a_proper_name_cut_short_is_another_name() -> None:
    # (query word, list word): the query adds letters to a listed proper name, or one is a compound's
    # first word (an airline is an Air: test_a_compound_naming_the_same_business_still_meets)
    for query, listed in [("gazprom", "gaz"), ("rossiya", "rossi"), ("aircraft", "air"), ("air", "aircraft")]:
        assert token_similarity(_token(query), _token(listed), False) == (0.0, ""), (query, listed)
    # a query cutting a listed word short still abbreviates it, a common word's start too; a translation
    # keeps the rule for any word
    assert token_similarity(_token("gazp"), _token("gazprom"), False)[1] == "abbreviation"
    assert token_similarity(_token("chemi"), _token("chemistry"), False)[1] == "abbreviation"
    assert token_similarity(_token("wenshi"), _token("wens"), False, translated=True)[1] == "abbreviation"
    threshold = csl_2022_screener().threshold
    others = best_scores(csl_2022_screener(), CSL_OTHERS)
    assert all(score < threshold for score in others.values()), others


def test_abbreviations_and_translated_brands_still_meet() -> None:
    assert_met(csl_2022_screener(), CSL_OWN)
    assert_met(xscript_watchlist(), WATCHLIST_OWN)


def test_without_the_rule_the_start_met_as_an_abbreviation(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, abbreviation_known_word=False)
    assert token_similarity(_token("gazprom"), _token("gaz"), False)[1] == "abbreviation"
    assert_met(csl_2022_screener(), CSL_OTHERS)


def test_a_compound_naming_the_same_business_still_meets(monkeypatch: pytest.MonkeyPatch) -> None:
    """An airline is an Air (name_score.abbreviation_same_business): OFAC lists MAHAN AIR a.k.a. MAHAN
    AIRLINES, so the compound test must not part Airlines from Air while it parts Aircraft from it."""
    screener = csl_2022_screener()
    own = best_scores(screener, {"MAHAN AIRLINES": "MAHAN AIR", "Mahan Airways": "MAHAN AIR"})
    assert all(score >= screener.threshold for score in own.values()), own
    assert best_scores(screener, {"IRAN AIRCRAFT INDUSTRIES": "IRAN AIR"})["IRAN AIRCRAFT INDUSTRIES"] < (
        screener.threshold
    )
    scorer_config_with(monkeypatch, abbreviation_same_business=())
    assert token_similarity(_token("airlines"), _token("air"), False) == (0.0, "")
