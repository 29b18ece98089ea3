"""Two spellings of one Korean person's name part that the lists give as one person's meet
(name_score.korean_name_forms).

The lists write a North Korean name in the DPRK's own spelling and in McCune-Reischauer, in one record or
in two: OFAC uid 18668 is "RI, Chong Chol" a.k.a. "RI, Jong Chol"; the DPRK writes ㅈ as j at a word's
start where McCune-Reischauer writes ch, and writes aspirates out (Thae / Tae). Screened in the other
spelling (Chong Yong Su for the listed JONG, Yong Su), the person was found by nothing: Chong / Jong is
no typo, and the Korean reading (query_korean_reading) leaves a name every word of which is Pinyin as
written.
korean_name_forms.tsv holds the pairs two persons or more give (tools/build_person_name_forms.py --people
korean).

Real records: CSL 2022-04; skipped without the shared data."""

from __future__ import annotations

import pytest

from chipguard.match.config import KOREAN_NAME_FORMS_FILE, person_name_forms
from chipguard.match.score import token_similarity
from chipguard.names.analysis import analyze
from tests.csl_support import csl_2022_screener
from tests.scorer_support import scorer_config_with
from tests.watchlist_support import best_scores

# CSL 2022-04's Korean persons in the lists' other spelling of a part → the listed name: names every word
# of which is Pinyin too, which the Korean reading leaves as written (query_korean_reading)
OTHER_SPELLING = {
    "Chong Yong Su": "JONG, Yong Su",
    "Chi Sang Jun": "JI, Sang Jun",
    "Ri Jun Song": "RI, Chun Song",
}


def _token(word: str):  # type: ignore[no-untyped-def]
    return analyze(word, True).tokens[0]


def test_the_table_joins_the_lists_spellings_and_cites_two_persons() -> None:
    forms = person_name_forms((KOREAN_NAME_FORMS_FILE,))
    assert (
        forms["chong"] == forms["jong"] and forms["tae"] == forms["thae"] and forms["chol"] == forms["chul"]
    )
    assert forms["chong"] != forms["chin"]
    from chipguard.refdata import recorded_file

    for line in recorded_file(f"names/{KOREAN_NAME_FORMS_FILE}").text().splitlines():
        if line and not line.startswith("#"):
            assert len(line.split("\t")[2].split()) >= 2, line


def test_a_korean_name_in_the_lists_other_spelling_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    similarity, how = token_similarity(_token("chong"), _token("jong"), True)
    assert how == "name form" and similarity == pytest.approx(0.9)
    threshold = csl_2022_screener().threshold
    scores = best_scores(csl_2022_screener(), OTHER_SPELLING)
    assert all(score >= threshold for score in scores.values()), scores
    scorer_config_with(monkeypatch, korean_name_forms=False)
    assert token_similarity(_token("chong"), _token("jong"), True)[0] == 0.0
    scores = best_scores(csl_2022_screener(), OTHER_SPELLING)
    assert all(score < threshold for score in scores.values()), scores
