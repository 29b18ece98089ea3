"""A trade name is a firm's own only within its region (issue 12, session 9): Chinese company names are
registered as region + trade name + industry + legal form, so 广东长青（集团）股份有限公司 (Guangdong Chant
Group, SZSE) is not JIANGSU CHANGQING AGROCHEMICAL CO.,LTD, although both trade as "Changqing". A match on
the listed name's trade name takes ``place_clash_penalty`` when the query names a place beside the trade
name and the listed name adds only other places (``name_score.trade_name_place_clash``); the same place,
or no place on either side, changes nothing. Real names: the xscript dev watchlist (SZSE, ROR and
university names), skipped without the shared data."""

from __future__ import annotations

from functools import cache

import pytest

from chipguard.match import evidence as ev
from chipguard.match.screener import Screener
from chipguard.model import Party
from tests.scorer_support import scorer_config_with

CHANGQING = "JIANGSU CHANGQING AGROCHEMICAL CO.,LTD"


@cache
def _parties() -> list[Party]:
    from chipguard.sources import parse_file
    from tests.conftest import SHARED

    path = SHARED / "bench/xscript_watchlist.csv"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    return parse_file(path, format="custom_csv").parties


def _hits(query: str, threshold: float | None = None) -> list[tuple[str, float, str]]:
    """The hits on JIANGSU CHANGQING AGROCHEMICAL: (alias part, score, strength)."""
    return [
        (h.explanation.get("alias_part", ""), h.score, h.strength)
        for h in Screener(_parties()).screen(query, kind="org", country="CN", threshold=threshold)
        if h.name == CHANGQING
    ]


def _without_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scorer as it was before the key (matching_introduced.yml: false), and without the later rule that
    also makes this hit weak on its own (strength.pinyin_trade_name_registered, session 24: the registered
    name 广东长青（集团） met by its pinyin alone on a listed name adding Agrochemical)."""
    scorer_config_with(monkeypatch, trade_name_place_clash=False)
    full = ev.config()
    monkeypatch.setattr(ev, "config", lambda: {**full, "pinyin_trade_name_registered": False})


def test_a_trade_name_of_another_region_is_another_firm(monkeypatch: pytest.MonkeyPatch) -> None:
    for query in ("广东长青（集团）股份有限公司", "Guangdong Changqing Group Co., Ltd."):
        assert _hits(query) == [], query
    _without_rule(monkeypatch)
    before = _hits("广东长青（集团）股份有限公司")
    assert before and before[0][0] == "core" and before[0][2] == "potential"  # before: an alert


def test_the_same_region_or_no_region_still_meets_the_trade_name() -> None:
    for query in ("Jiangsu Changqing", "江苏长青", "Changqing Co., Ltd."):
        found = _hits(query)
        assert found and found[0][1] >= 0.8, query


def test_the_clash_names_both_places() -> None:
    from chipguard.match.screener import trade_name_places

    assert trade_name_places(CHANGQING) == frozenset({"jiangsu"})
    assert trade_name_places("长青股份有限公司") == frozenset()  # a Chinese list name: its places are Han
    hits = Screener(_parties()).screen(
        "广东长青（集团）股份有限公司", kind="org", country="CN", threshold=0.5
    )
    hits = [h for h in hits if h.name == CHANGQING]
    clash = [f for h in hits for f in h.explanation.get("penalties", []) if f["feature"] == "place_clash"]
    assert clash and clash[0]["query"] == ["guangdong"] and clash[0]["list"] == ["jiangsu"]
