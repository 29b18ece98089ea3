"""Candidate retrieval (chipguard.match.index): the entry that shares the rare word is retrieved even
when many entries share common words; words written apart or together meet."""

from __future__ import annotations

from pathlib import Path

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


def test_a_retrieved_trade_name_brings_its_full_name(shared: Path) -> None:
    """利达光电股份有限公司 shares the trade name "Lida" of LIDA OPTICAL AND ELECTRONIC CO.,LTD (xscript
    watchlist, its English name in SZSE filings) with its full key weight and the full name only through
    common words: the trade-name entry was retrieved, the full name was not, and the trade name alone
    fails the trade-name rule — the record was lost, though its full name clears the threshold and
    exhaustive retrieval (bench/retrieval.py) finds it. A retrieved trade name now brings its full name."""
    from bench.retrieval import exhaustive
    from chipguard.sources import parse_file

    watch = Screener(parse_file(shared / "bench/xscript_watchlist.csv", format="custom_csv").parties)
    query = "利达光电股份有限公司"
    shipped = [(h.party_id, h.score) for h in watch.screen(query, limit=50)]
    with exhaustive(watch):
        full = [(h.party_id, h.score) for h in watch.screen(query, limit=50)]
    assert shipped == full
    assert [pid for pid, _ in shipped] == ["X00120"]
