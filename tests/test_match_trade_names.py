"""A listed firm is found by the name it trades under: the rule region + trade name + industry words +
legal form → trade name, on real CSL 2022-04 names, with the curated Chinese-name file off (the rule
alone) — and a firm of another trade sharing only the trade name is not that firm."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from chipguard.match.screener import Screener, core_name
from tests.csl_support import csl_2022_parties

JINGJIA = "Changsha Jingjia Microelectronics Co., Ltd"


@cache
def rule_only(shared: Path) -> Screener:
    return Screener(csl_2022_parties(), enrich=False)


@pytest.fixture
def screener(shared: Path) -> Screener:
    return rule_only(shared)


def test_the_rule_keeps_the_trade_name() -> None:
    assert core_name(JINGJIA) == "jingjia"
    assert core_name("Zhejiang Dahua Technology Co., Ltd.") == "dahua"
    assert core_name("Hangzhou Hikvision Digital Technology Co., Ltd.") == "hikvision"
    assert core_name("杭州海康威视数字技术股份有限公司") == "海康威视"
    assert core_name("浙江大华技术股份有限公司") == "大华"
    # no trade name: an institute (no legal form), a name of nothing but place and industry words, a person
    assert core_name("Beijing Institute of Technology") == ""
    assert core_name("China Telecom Corporation Limited") == ""
    assert core_name("Dahua") == ""


def test_a_parenthesised_short_name_is_not_a_second_trade_name_word() -> None:
    """The CSL lists "Huawei Technologies Co., Ltd. (Huawei)" three times; its "(Huawei)" repeats the name
    and was read as a second word of the trade name ("huawei huawei"), a trade name no query holds. A
    qualifier or an acronym in parentheses is not the name repeated, and a name of several parts has no
    one trade name."""
    assert core_name("Huawei Technologies Co., Ltd. (Huawei)") == "huawei"
    assert core_name("Huawei Technologies Co., Ltd.") == "huawei"
    assert core_name("Huawei Technologies (UK) Co., Ltd.") == "huawei"
    assert (
        core_name("Huawei Technologies Co., Ltd. (Huawei). Affiliated Entity: Huawei Mobile Technology Ltd.")
        == ""
    )


def test_a_listed_firm_is_found_by_its_trade_name_without_the_curated_file(shared: Path) -> None:
    parties = csl_2022_parties()
    screener = rule_only(shared)
    without_rule = Screener(parties, enrich=False, core_names=False)
    for query in ("Jingjia", "景嘉", "Jingjia Co., Ltd."):
        assert not any(h.name == JINGJIA for h in without_rule.screen(query, kind="org", country="CN"))
        hits = screener.screen(query, kind="org", country="CN")
        found = next((h for h in hits if h.name == JINGJIA), None)
        assert found is not None, query
        assert found.explanation["alias_part"] == "core"
        assert any("trade name" in p["reason"] for p in found.explanation["penalties"])
    # the legal name still meets its own record in full, above any trade-name match
    full = next(h for h in screener.screen(JINGJIA, kind="org") if h.name == JINGJIA)
    assert full.explanation["alias_part"] == "full" and full.score == 1.0


def test_the_same_trade_name_in_another_trade_is_not_the_firm(screener: Screener) -> None:
    for query in ("Jingjia Construction Engineering Co., Ltd.", "Jingija Co., Ltd."):
        assert not any(h.name == JINGJIA for h in screener.screen(query, kind="org", country="CN")), query


def test_the_body_ranks_before_its_subsidiaries_on_its_trade_name(screener: Screener) -> None:
    """A query of a trade name meets the body and its subsidiaries at one score; the listed name that
    adds no business line ranks first (core_name_ranking). On the CSL, "Sberbank" scores 0.97 against
    PJSC Sberbank of Russia and ten domestic subsidiaries; before the rule the bank ranked 23rd."""
    hits = screener.screen("SBERBANK", kind="org", country="RU", limit=60)
    top = hits[0]
    assert top.name == "PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA"
    tied = [h for h in hits if h.score == top.score]
    assert len({h.name for h in tied}) > 5  # the subsidiaries tie with it: the order, not the score, decides
    assert all(h.explanation["alias_part"] == "core" for h in tied)
    # with no country given, "of Russia" is a place the name adds, still less than a business line
    names = [h.name for h in screener.screen("SBERBANK", kind="org", limit=60)]
    bank = names.index("PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA")
    assert bank < names.index("JOINT STOCK COMPANY SBERBANK LEASING")
    assert bank < names.index("INSURANCE COMPANY SBERBANK INSURANCE LIMITED LIABILITY COMPANY")


def test_what_a_listed_name_adds_to_its_trade_name() -> None:
    from chipguard.match.screener import trade_name_residue

    assert trade_name_residue("PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA") == ((), ("russia",))
    assert trade_name_residue("JOINT STOCK COMPANY SBERBANK LEASING") == (("leasing",), ())
    assert trade_name_residue("Zhejiang Dahua Technology Co., Ltd.") == (("technology",), ("zhejiang",))
    assert trade_name_residue("浙江大华技术股份有限公司") == (("技术",), ("浙江",))
