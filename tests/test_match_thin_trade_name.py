"""A trade name of one common word, from a name naming another country, is weak for a query elsewhere
(issue 12, session 12): the trade name of "MYANMAR GEMS CORPORATION" is "Gems", of "Russian Helicopters
JSC" "Helicopters" — the name's region is a country word, and the one word left is common on the lists.
Met by a company of another country ("Helicopters Co., Ltd." in CN) it is a word another firm may bear,
not the listed body (``strength.thin_trade_name_needs_country``). From the country the name names or
one the record is in, a distinctive trade name from anywhere, or with no country given, the hit stays
potential. Real records:
CSL 2022-04, skipped without the shared data."""

from __future__ import annotations

from functools import cache

import pytest

from chipguard.match import evidence as ev
from chipguard.match.screener import Screener, trade_name_other_country
from chipguard.model import Party
from tests.csl_support import csl_2022_parties


@cache
def _screener() -> Screener:

    parties: list[Party] = csl_2022_parties()
    return Screener(parties)


def _on(query: str, listed: str, country: str | None) -> list[str]:
    """The strengths of the query's hits on the record named ``listed``."""
    return [h.strength for h in _screener().screen(query, kind="org", country=country) if h.name == listed]


def _without_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    full = ev.config()
    monkeypatch.setattr(ev, "config", lambda: {**full, "thin_trade_name_needs_country": False})


def test_the_region_of_a_trade_name_is_the_country_its_name_names() -> None:
    assert trade_name_other_country("CN", "Russian Helicopters JSC") == ("RU",)
    assert trade_name_other_country("RU", "Russian Helicopters JSC") == ()
    assert trade_name_other_country("CN", "AVIC Aircraft Co., Ltd.") == ()  # no country named


def test_a_common_trade_name_of_another_country_is_weak(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _on("Helicopters Co., Ltd.", "Russian Helicopters JSC", "CN") == ["weak"]
    assert _on("Gems Co., Ltd.", "MYANMA GEMS ENTERPRISE", "CN") == ["weak"]
    # from the country the name names, or with no country, a review as before
    assert _on("Helicopters Co., Ltd.", "Russian Helicopters JSC", "RU") == ["potential"]
    assert _on("Helicopters Co., Ltd.", "Russian Helicopters JSC", None) == ["potential"]
    # a record listed in the query's country although its name names another (Oman) is reviewed
    assert _on("Fuel Co., Ltd.", "OMAN FUEL TRADING LTD", "GB") == ["potential"]
    _without_rule(monkeypatch)
    assert _on("Helicopters Co., Ltd.", "Russian Helicopters JSC", "CN") == ["potential"]


def test_a_distinctive_trade_name_of_another_country_is_still_reviewed() -> None:
    assert _on("Otkritie Co., Ltd.", "OTKRITIE CAPITAL CYPRUS LIMITED", "CN") == ["potential"]
