"""A Chinese name that is, as a whole, one dictionary entry of a named body is rendered as that body's
registered English name and compared as a name, not as a word-by-word translation (issue 12 item 5: a
record that cleared the threshold through a scorer leniency, not as the query's party).

CC-CEDICT names 北京工业大学 "Beijing University of Technology" and 北京理工大学 "Beijing Institute of
Technology": two universities whose Chinese names differ in one word. The rendering was scored as a
word-by-word translation, where two kinds of body meet at body_kind_similarity (学院 may be registered as any
kind), so 北京工业大学 met the watchlist's Beijing Institute of Technology at 0.960, a confirmed hit — and so
did the English "Beijing University of Technology", through the Chinese name enrichment gives that record.
With ``name_score.dictionary_names_registered`` the dictionary's English name has none of a translation's
leniencies: no other kind of body, no synonym, no unmatched word lowered (中国传媒大学, Communication
University of China, no longer meets its Nanjing college). A name ending in a kind the curated vocabulary
registers as two kinds (学院: University or College) keeps them: CC-CEDICT glosses such names loosely
(上海戏剧学院 "Shanghai Theatrical Institute") or by a name from before the body was renamed.

Real names: the xscript watchlist (ROR institutions); skipped without the shared data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chipguard.match import screener as screener_module
from chipguard.names.scripts import latin_forms
from tests.scorer_support import scorer_config_with
from tests.watchlist_support import assert_apart, assert_met, xscript_watchlist

# query → another body's watchlist name (the query's own body is on the watchlist too)
OTHERS = {
    "北京工业大学": "Beijing Institute of Technology",
    "Beijing University of Technology": "Beijing Institute of Technology",
    "中国传媒大学": "Communication University of China, Nanjing",
}
# query → its own watchlist name
OWN = {
    "北京工业大学": "Beijing University of Technology",
    "北京理工大学": "Beijing Institute of Technology",
    "上海戏剧学院": "Shanghai Theatre Academy",  # 学院: CC-CEDICT's "Shanghai Theatrical Institute"
    "安徽中医学院": "Anhui University of Traditional Chinese Medicine",  # the college, renamed a university
}


@pytest.fixture(autouse=True)
def _fresh_query_forms() -> Iterator[None]:
    """query_forms keeps each query's forms (and whether each is a translation) per process."""
    screener_module.query_forms.cache_clear()
    yield
    screener_module.query_forms.cache_clear()


def test_a_whole_name_dictionary_entry_is_a_registered_name() -> None:
    assert [f.registered for f in latin_forms("北京工业大学") if f.method == "zh-en"] == [True]
    # a kind the curated vocabulary registers as two (学院: University, College), and a longer name
    # rendered word by word
    for name in ("上海戏剧学院", "北京理工大学珠海学院"):
        assert not any(f.registered for f in latin_forms(name)), name
    screener = xscript_watchlist()
    assert_apart(screener, OTHERS, OWN)


def test_without_the_rule_the_other_body_met(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, dictionary_names_registered=False)
    screener = xscript_watchlist()
    assert_met(screener, OTHERS)
