"""Medical and Pharmaceutical are two businesses, not two renderings of one Chinese word (issue 12 item 5:
records that cleared the threshold through a scorer leniency, not as the query's party).

vocabulary.yml ``translation_synonyms`` groups the English words one Chinese word is rendered by (海洋 Ocean /
Marine): a translated query's word meets a list word of its group at translation_synonym_similarity. One
group held Medical with Pharmaceutical, so 中国医科大学 (China Medical University) met China
Pharmaceutical University at 0.921 and 中国药科大学 the other way round: 医 (医学, 医科, 医疗) renders as
Medical and 药 (药科, 药业, 药物, 制药) as Pharmaceutical in zh/org_terms.yml; only 医药 renders as either
(Pharmaceutical, Medicine), and Medicine meets Medical as a morphology variant, not through the group.
Now the group is 药's (Medicine, Pharmaceutical, Pharma, Drug); Medical is in none.

Real names: the xscript watchlist (ROR institutions); skipped without the shared data."""

from __future__ import annotations

import pytest

from chipguard.names.vocab import vocab
from tests.watchlist_support import assert_apart, assert_met, xscript_watchlist

# query → another body's watchlist name: 医 against 药
OTHERS = {
    "中国医科大学": "China Pharmaceutical University",
    "中国药科大学": "China Medical University",
}
# query → its own watchlist name, through the group or morphology (医药 renders as either)
OWN = {
    "中国医科大学": "China Medical University",
    "中国药科大学": "China Pharmaceutical University",
    "中国医药大学": "China Medical University",
}


def test_medical_and_pharmaceutical_are_no_translation_synonyms() -> None:
    synonyms = vocab().translation_synonyms
    assert "medical" not in synonyms
    assert synonyms["medicine"] == synonyms["pharmaceutical"] == synonyms["drug"]
    screener = xscript_watchlist()
    assert_apart(screener, OTHERS, OWN)


def test_with_medical_in_the_group_the_other_university_met(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    from chipguard.match import score

    synonyms = vocab().translation_synonyms
    monkeypatch.setitem(synonyms, "medical", synonyms["pharmaceutical"])
    # the scorer reads the tables' words once (score._table_words): read again with the group changed, and
    # again once the group is restored
    score._table_words.cache_clear()
    request.addfinalizer(score._table_words.cache_clear)
    screener = xscript_watchlist()
    assert_met(screener, OTHERS)
