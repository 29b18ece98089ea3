"""A kind of body is no other word that shares its root (issue 12 item 5: records that cleared the
threshold through a scorer leniency, not as the query's body).

The morphology rule meets two words whose derivational endings fold to one root ("Chemistry" /
"Chemical"): a word-by-word translation of a Chinese name says one form, the registered English name
another. It also folded University and Universe (and Universal) to "univers", so 深圳大学 (Shenzhen
University) met SHENZHEN UNIVERSE (GROUP) CO., LTD at 0.855 and 北京科技大学 (University of Science and
Technology Beijing) met Beijing New Universal Science and Technology Co., Ltd. at 0.801: bench.retrieval
counted the first as a record lost to retrieval, though it is another body that cleared the threshold
only through the rule. With ``name_score.body_kind_morphology_distinct`` a kind of teaching or research
body (vocabulary.yml ``body_kinds``) meets a word naming no institution in a company's name (one with a
legal form) never as a morphology variant; its plural, another kind of body (College,
body_kind_similarity), its typos (Universty) and the other word in a name with no legal form (the kind
misspelt as another word: "Shenzhen Universe") still meet.

Real names: the xscript watchlist (ROR institutions, SZSE firms); skipped without the shared data."""

from __future__ import annotations

import pytest
from scorer_support import scorer_config_with
from watchlist_support import best_scores, xscript_watchlist

from chipguard.match.screener import Screener

# query → a watchlist company whose name shares only the root of the query's kind of body
LOOK_ALIKES = {
    "深圳大学": "SHENZHEN UNIVERSE (GROUP)CO.,LTD",  # Shenzhen University
    "北京科技大学": "Beijing New Universal Science and Technology Co.,Ltd.",  # USTB
}
# query → the body's own watchlist name (a typo of the kind, the kind in another script)
OWN = {
    "深圳大学": "Shenzhen University",
    "Shenzhen Universty": "Shenzhen University",
    "Universities of Shenzhen": "Shenzhen University",
    "Shenzhen Universe": "Shenzhen University",
}


@pytest.fixture(scope="module")
def watchlist() -> Screener:
    return xscript_watchlist()


def test_a_kind_of_body_no_longer_meets_a_company_by_its_root(
    watchlist: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    threshold = watchlist.threshold
    after = best_scores(watchlist, LOOK_ALIKES)
    assert all(score < threshold for score in after.values()), after
    # (北京科技大学 is one dictionary entry, compared by its registered English name since
    # name_score.dictionary_names_registered: the morphology met it only as a word-by-word translation)
    scorer_config_with(monkeypatch, body_kind_morphology_distinct=False, dictionary_names_registered=False)
    before = best_scores(watchlist, LOOK_ALIKES)
    assert all(score >= threshold for score in before.values()), before


def test_the_body_itself_is_still_found(watchlist: Screener) -> None:
    found = best_scores(watchlist, OWN)
    assert all(score >= watchlist.threshold for score in found.values()), found
