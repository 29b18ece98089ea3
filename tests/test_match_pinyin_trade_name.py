"""A Chinese registered name met by its pinyin alone on the trade name of a record with no Chinese name
is weak when the listed name adds what the query's firm is not (issue 12, session 24;
``strength.pinyin_trade_name_registered``): 泰禾集团股份有限公司 (Thaihot Group, a Fujian developer) read
"Taihe Jituan" met "Taihe" of Taihe Electric (Hong Kong) Limited (CN, no Chinese name on the record) at
0.93 and alerted. The pinyin of a two-syllable trade name is many firms' (泰禾, 太和, 泰和); the record has
no characters of its own to tell them apart, and the registered names differ in what the firms are
(Electric). A bare trade name, a query naming the listed business and the firm's own English-only record
stay as before. Real records: CSL 2022-04 and the xscript watchlist (English names of firms listed in
Shenzhen), skipped without the shared data."""

from __future__ import annotations

from functools import cache

import pytest

from chipguard.match import evidence as ev
from chipguard.match.screener import Screener
from chipguard.model import Party
from chipguard.sources import parse_file
from tests.conftest import SHARED
from tests.csl_support import csl_2022_parties

TAIHE = "Taihe Electric (Hong Kong) Limited"


@cache
def _csl() -> Screener:
    parties: list[Party] = csl_2022_parties()
    return Screener(parties)


@cache
def _xscript() -> Screener:
    path = SHARED / "bench/xscript_watchlist.csv"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    return Screener(parse_file(path).parties)


def _on(screener: Screener, query: str, listed: str) -> list[str]:
    """The strengths of the query's hits (as CN) on the record named ``listed``."""
    return [h.strength for h in screener.screen(query, kind="org", country="CN") if h.name == listed]


def _without_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    full = ev.config()
    monkeypatch.setattr(ev, "config", lambda: {**full, "pinyin_trade_name_registered": False})


def test_a_registered_name_met_by_its_pinyin_alone_is_weak(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _on(_csl(), "泰禾集团股份有限公司", TAIHE) == ["weak"]
    # other entities: firms listed in Shenzhen, English names only
    assert _on(_xscript(), "方大集团股份有限公司", "FANGDA JINHUA CHEMICAL TECHNOLOGY CO.,LTD") == ["weak"]
    assert _on(_xscript(), "广宇集团股份有限公司", "TIANJIN GUANGYU DEVELOPMENT CO., LTD") == ["weak"]
    _without_rule(monkeypatch)
    assert _on(_csl(), "泰禾集团股份有限公司", TAIHE) == ["potential"]
    assert _on(_xscript(), "方大集团股份有限公司", "FANGDA JINHUA CHEMICAL TECHNOLOGY CO.,LTD") == [
        "potential"
    ]


def test_the_own_record_a_bare_trade_name_and_the_listed_business_stay_reviewed() -> None:
    # 方大集团 is China Fangda Group: the listed name adds only China and Group, which the query says
    assert _on(_xscript(), "方大集团股份有限公司", "CHINA FANGDA GROUP CO., LTD") == ["potential"]
    # a bare trade name names no business: it alerts as a brand query does (the rule needs a legal form)
    assert _on(_csl(), "泰禾", TAIHE) in (["potential"], ["confirmed"])
    # a registered name naming the listed business
    assert _on(_csl(), "泰禾电气股份有限公司", TAIHE) != ["weak"]
