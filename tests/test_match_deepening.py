"""Reading on past the candidate limit (issue 12 item 5: every record that clears the threshold on its
own), on the real CSL 2022-04: while the candidates scored bring records over the threshold through
several list names, the next candidates by key weight are scored too (matching.yml ``candidates_deepen_cap`` /
``candidates_deepen_names``); a query whose candidates bring fewer over scores no more than before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from retrieval_support import records

from chipguard.match import screener as screener_module
from chipguard.match.screener import Screener
from tests.csl_support import csl_2022_parties


@cache
def csl(shared: Path, enrich: bool) -> Screener:
    return Screener(csl_2022_parties(), enrich=enrich)


@contextmanager
def deepening_off(screener: Screener) -> Iterator[None]:
    """``screener`` as an archived rule set without the key screens (matching_introduced.yml: 0)."""
    saved = screener.candidates_deepen_cap
    screener.candidates_deepen_cap = 0
    try:
        yield
    finally:
        screener.candidates_deepen_cap = saved


@pytest.mark.parametrize(
    ("enrich", "query", "subsidiaries"),
    [
        # Huawei's Chinese legal name, translated, against the CSL without the curated Chinese names:
        # its Indonesian subsidiary scores 0.807 on its own, ranked far behind the group's other records
        (False, "华为技术有限公司", {"Huawei Tech Investment, PT"}),
        # a family the dev sets were not built from (bench.retrieval's big_families): the engine
        # corporation's records ranked 36th and 59th, behind names sharing "United"
        (True, "United Engineering", {"United Engine Corporation"}),
    ],
)
def test_every_record_clearing_the_threshold_is_returned(
    shared: Path, enrich: bool, query: str, subsidiaries: set[str]
) -> None:
    from bench.retrieval import exhaustive

    screener = csl(shared, enrich)
    shipped = records(screener, query)
    with exhaustive(screener):
        full = records(screener, query)
    assert shipped == full
    names = {p.name for p in screener.parties if p.party_id in shipped}
    assert subsidiaries <= names
    with deepening_off(screener):
        before = records(screener, query)
    # the rule set without the key (an archived decision replayed) loses them, as it did
    assert not subsidiaries <= {p.name for p in screener.parties if p.party_id in before}
    assert set(before) < set(shipped)


def _scored_pairs(screener: Screener, query: str, monkeypatch: pytest.MonkeyPatch) -> int:
    calls = 0
    real = screener_module.score_pair

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(screener_module, "score_pair", counted)
        screener.screen(query, limit=200)
    return calls


@pytest.mark.parametrize(
    "query",
    [
        "Wuxi Hyatech Co., Ltd.",  # one listed firm: its record clears, no other name does
        "Shanghai Aiko Solar Energy Co., Ltd.",  # not listed: nothing clears
    ],
)
def test_a_query_clearing_few_names_scores_no_more(
    shared: Path, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    screener = csl(shared, True)
    deepened = _scored_pairs(screener, query, monkeypatch)
    with deepening_off(screener):
        plain = _scored_pairs(screener, query, monkeypatch)
    assert deepened == plain > 0
