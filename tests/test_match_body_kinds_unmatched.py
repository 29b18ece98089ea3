"""Two kinds of body left one against the other tell two institutions apart when neither name is a
word-by-word translation (issue 12 item 5: records that cleared the threshold through a scorer leniency,
not as the query's party).

A kind of body (University, Institute, College …) is a common word on the lists, so it weighs little, and
two names sharing everything but their kinds met well: 北京科技大学 (University of Science and Technology
Beijing), read in pinyin "Beijing Keji Daxue" (科技 technology, 大学 university), met the watchlist's Beijing
Institute of Technology (北京理工大学, another university) at 0.820 on Beijing and Technology. With
``name_score.body_kinds_unmatched_distinct`` two different kinds left unmatched on both sides weigh as
weights.generic_institutional (as "Normal" or "Commercial" do) — unless the pair is a word-by-word
translation, where 学院 may be registered as any kind and the kinds meet at body_kind_similarity.

Real names: the xscript watchlist (ROR institutions); skipped without the shared data."""

from __future__ import annotations

import pytest

from tests.scorer_support import scorer_config_with
from tests.watchlist_support import assert_apart, assert_met, xscript_watchlist

# query → another body's watchlist name differing from the query's body by the kind
OTHERS = {"北京科技大学": "Beijing Institute of Technology"}
# query → its own watchlist name
OWN = {
    "北京科技大学": "University of Science and Technology Beijing",
    "北京理工大学": "Beijing Institute of Technology",
    "赣南医学院": "Gannan Medical University",  # 学院 registered as University: a translation meets it
}


def test_two_kinds_left_apart_are_two_bodies() -> None:
    screener = xscript_watchlist()
    assert_apart(screener, OTHERS, OWN)


def test_without_the_rule_the_other_body_met(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, body_kinds_unmatched_distinct=False)
    screener = xscript_watchlist()
    assert_met(screener, OTHERS)
