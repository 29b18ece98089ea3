"""Two institutions whose names share all but their one distinctive word are two bodies (issue 12: records
that cleared the threshold only through a scorer leniency).

A Chinese query's word-by-word translation, once its brand or place matched, had every unmatched word
lowered (``weights.translated_unmatched``: they may be synonyms of the list name's words). In an
institution's name that forgave the one word telling two bodies apart: 西华师范大学, "Xihua Normal
University", met Xihua University at 0.908, 臺北市立動物園 (Taipei Zoo) the University of Taipei at 0.804.
With ``name_score.translated_institution_one_word`` a single proper word one name adds with no counterpart
in the other, or a proper word against the other's kind of body, keeps its weight. Several words left over
(a phrase the translation renders otherwise) and generic words are lowered as before, so the bodies' own
registered names are still found.

Real names: xscript_queries' watchlist (ROR institutions, SZSE firms); skipped without the shared data."""

from __future__ import annotations

import pytest
from scorer_support import scorer_config_with
from watchlist_support import best_scores, xscript_watchlist

from chipguard.match.screener import Screener

# query → a watchlist name of another body that cleared the threshold before the rule
SIBLINGS = {
    "西华师范大学": "Xihua University",  # Xihua Normal University
    "滨州医学院": "Binzhou University",  # Binzhou Medical University
    "臺北市立動物園": "University of Taipei",  # Taipei Zoo
    "东华能源股份有限公司": "Donghua University",  # Donghua Energy, a listed firm
}
# query → the body's own watchlist name, found through a translation that leaves words over
OWN = {
    "浙江越秀外国语学院": "Zhejiang Yuexiu University",  # "International Studies": two words over
    "金陵科技学院": "Jinling Institute of Technology",  # "Science": a generic word over
    "中国医科大学附属盛京医院": "Sheng Jing Hospital",  # the parent university's name over
    "日照航海工程职业学院": "Rizhao Marine Engineering Vocational College",  # Navigation / Marine
    "深圳南山热电股份有限公司": "SHENZHEN NANSHAN POWER STATION CO.,LTD",  # Thermal / Station
}


@pytest.fixture(scope="module")
def watchlist() -> Screener:
    return xscript_watchlist()


def test_an_institution_differing_in_its_one_word_no_longer_clears(
    watchlist: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    threshold = watchlist.threshold
    after = best_scores(watchlist, SIBLINGS)
    assert all(score < threshold for score in after.values()), after
    scorer_config_with(monkeypatch, institution_one_word=False)
    before = best_scores(watchlist, SIBLINGS)
    assert all(score >= threshold for score in before.values()), before


def test_the_bodies_own_names_are_still_found(watchlist: Screener) -> None:
    found = best_scores(watchlist, OWN)
    assert all(score >= watchlist.threshold for score in found.values()), found
