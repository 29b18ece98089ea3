"""Two institutions' names that share only places and generic words, one holding a distinctive word the other
lacks, are two bodies (issue 12 item 5: records that cleared the threshold through a scorer leniency, not as
the query's party).

北京电子科技学院 (Beijing Electronic Science and Technology Institute), rendered "Peking Electronic University
of Science and Technology", met the watchlist's University of Science and Technology Beijing (北京科技大学)
at 0.805: Beijing (a place of an institution, 0.9) and University, Science, Technology paired, and the one
word saying which body it is, Electronic, weighed 0.75 against them. Inner Mongolia University met Inner
Mongolia Normal, Agricultural and Medical University at 0.83-0.85 the same way. With
``name_score.institution_lone_word`` that word weighs as much as the words the names share (two thirds at
most). Not when a distinctive word paired, nor for a listed word a word-by-word translation lacks:
以色列理工学院 ("Israel Institute of Technology") is the Technion's Chinese name, and 广东以色列理工学院 still
meets Guangdong Technion-Israel Institute of Technology.

Real names: the xscript watchlist (ROR institutions); skipped without the shared data."""

from __future__ import annotations

import pytest

from tests.scorer_support import scorer_config_with
from tests.watchlist_support import assert_apart, assert_met, xscript_watchlist

# query → another body's watchlist name
OTHERS = {
    "北京电子科技学院": "University of Science and Technology Beijing",
    "北京信息科技大学": "University of Science and Technology Beijing",
    "内蒙古大学": "Inner Mongolia Normal University",
    "内蒙古医科大学": "Inner Mongolia University",
    "Inner Mongolia Agricultural University": "Inner Mongolia University",
}
# query → its own watchlist name
OWN = {
    "北京电子科技学院": "Beijing Electronic Science and Technology Institute",
    "内蒙古大学": "Inner Mongolia University",
    "广东以色列理工学院": "Guangdong Technion-Israel Institute of Technology",
    "Xihua University": "Xihua University",
}


def test_a_lone_distinctive_word_tells_two_institutions_apart() -> None:
    screener = xscript_watchlist()
    assert_apart(screener, OTHERS, OWN)


def test_without_the_rule_the_other_body_met(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, institution_lone_word=False)
    screener = xscript_watchlist()
    assert_met(screener, OTHERS)
