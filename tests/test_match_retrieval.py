"""Candidate retrieval (chipguard.match.index): the entry that shares the rare word is retrieved even
when many entries share common words; words written apart or together meet."""

from __future__ import annotations

import pytest

from chipguard.match.score import token_similarity
from chipguard.match.screener import Screener
from chipguard.model import Party, PartyKind
from chipguard.names.analysis import analyze

# real list names (CSL 2022-04) plus many institutes sharing only "Research Institute"
LISTED = [
    "Wuxi Hyatech Co., Ltd.",
    "Institute of Microelectronics",
    *[f"{place} Research Institute" for place in ("Hebei", "Nanjing", "Harbin", "Lanzhou", "Xian")],
    *[f"{place} Research Institute of Electronics" for place in ("Beijing", "Chengdu", "Wuhan")],
]


@pytest.fixture(scope="module")
def screener() -> Screener:
    parties = [Party("custom", str(i), name, PartyKind.ORG) for i, name in enumerate(LISTED)]
    return Screener(parties, enrich=False)


def _candidates(screener: Screener, name: str) -> list[str]:
    index = screener.index
    return [index.entries[e].analysis.original for e in index.candidates(analyze(name), 3)]


def test_the_rare_word_beats_common_pairs(screener: Screener) -> None:
    assert "Institute of Microelectronics" in _candidates(screener, "Microelectronics Research Institute")


@pytest.mark.parametrize("query", ["Wuxihyatech", "Wuxi Hya tech", "WuxiHyatech Co"])
def test_words_written_together_or_apart_meet(screener: Screener, query: str) -> None:
    assert _candidates(screener, query)[0] == "Wuxi Hyatech Co., Ltd."


def test_run_together_pinyin_retrieves_its_head(screener: Screener) -> None:
    assert "Wuxi Hyatech Co., Ltd." in _candidates(screener, "Hyatechweiye Optics")


def test_short_pinyin_one_letter_off_is_weaker_in_a_translation() -> None:
    a, b = analyze("Dongbei").tokens[0], analyze("Dongmei").tokens[0]
    translated, _ = token_similarity(a, b, False, translated=True)
    plain, _ = token_similarity(a, b, False)
    assert 0 < translated < plain
