"""A Chinese query meets a record's English names through any of its Latin renderings (issue 12 item 5: no
limit or floor removes a record that would pass on its own).

The renderings of a Chinese name retrieve differently: the pinyin by its brand and place words ("Huawei
Zhongduan Shenzhen Youxian Gongsi"), the translation by its vocabulary ("Huawei Terminal Shenzhen Co
Ltd"). 华为终端(深圳)有限公司 met "Shenzhen Huawei New Technology Co., Ltd" among its pinyin's first
candidates, where it stays under the scoring floor, while its translation, which scores it 0.835, ranked it
under the floor. matching.yml ``candidates_shared_renderings``: once the query has cleared the threshold on
some record, its translations score the first candidates of its pinyin.

The check set of bench/retrieval.py (listed_translated): the curated Chinese names of CSL 2022-04 records
screened against the CSL without that enrichment, so a record is found only through the English names.
Real list names, skipped without the shared data."""

from __future__ import annotations

from pathlib import Path

import pytest
from csl_support import csl_2022_parties
from scorer_support import scorer_config_with

from chipguard.match import indexfile
from chipguard.match.screener import Screener

TERMINAL = "华为终端(深圳)有限公司"
# records met by the pinyin, cleared by the translation: how the listed name matched ends (the affiliate's
# name after the parent's), its least score
TERMINAL_RECORDS = {
    "Entity: Shenzhen Huawei New Technology Co., Ltd.": 0.83,
    "Entity: Shenzhen Huawei Technology Service": 0.80,
}


def _matched(screener: Screener, query: str) -> dict[str, float]:
    return {h.matched_name: h.score for h in screener.screen(query, kind="org", limit=500)}


def _score(matched: dict[str, float], tail: str) -> float:
    return max((score for name, score in matched.items() if name.endswith(tail)), default=0.0)


@pytest.fixture(scope="module")
def bare() -> Screener:
    return Screener(csl_2022_parties(), enrich=False)


def test_a_record_met_by_one_rendering_is_scored_by_the_others(bare: Screener, tmp_path: Path) -> None:
    path = tmp_path / "csl.cgix"
    indexfile.write(bare, path)
    mapped = indexfile.open_screener(path, verify=False)
    for screener in (bare, mapped):
        matched = _matched(screener, TERMINAL)
        for name, least in TERMINAL_RECORDS.items():
            assert _score(matched, name) >= least, (name, matched)
        # the query's own record still first, at 1.0
        assert next(iter(matched)).endswith("Entity: Huawei Terminal (Shenzhen) Co., Ltd.")
        assert _score(matched, "Entity: Huawei Terminal (Shenzhen) Co., Ltd.") == 1.0


def test_without_the_key_they_are_lost(monkeypatch: pytest.MonkeyPatch, bare: Screener) -> None:
    scorer_config_with(monkeypatch, candidates_shared_renderings=False)
    terminal = _matched(bare, TERMINAL)
    assert not any(_score(terminal, name) for name in TERMINAL_RECORDS)
    assert _score(terminal, "Entity: Huawei Terminal (Shenzhen) Co., Ltd.") == 1.0


def test_a_query_clearing_nothing_shares_no_candidates(bare: Screener) -> None:
    # an unlisted Chinese firm's name: its renderings' candidates clear nothing, so none is scored by the
    # other renderings (the rule reaches only a query naming a listed firm)
    calls: list[int] = []

    def count(self: Screener, *args: object) -> None:
        calls.append(1)

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(Screener, "_score_shared", count)
        assert bare.screen("深圳市汇通达商贸有限公司", kind="org", limit=50) == []
        assert not calls
        assert bare.screen(TERMINAL, kind="org", limit=50)
        assert calls
