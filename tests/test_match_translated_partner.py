"""A listed firm's Chinese name, translated, must not score an English query higher than the firm's own
English name does (issue 12, session 8: "Huawei Technologies" confirmed Huawei Tech. Investment through
华为技术投资有限公司 at 0.966, against 0.89 through "Huawei Tech. Investment Co., Limited"). The
translation discount (``weights.translated_unmatched``) lowers a translated list name's unmatched words
only as synonyms of the query's unmatched words (``name_score.translated_unmatched_needs_partner``); a
Chinese query against an English list name keeps it whole. And a Chinese query's brand written with other
characters of the same sound than the record's own Chinese name is another name (``strength.
homophone_conflict``). Real names; the CSL tests skip without the shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipguard.match.screener import compare
from tests.csl_support import csl_2022_screener
from tests.scorer_support import scorer_config_with


def _without_partner_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scorer as it was before the key (matching_introduced.yml: false)."""
    scorer_config_with(monkeypatch, translated_needs_partner=False)


def test_an_english_query_meets_a_chinese_list_name_as_it_meets_its_english_rendering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = "Huawei Technologies Co., Ltd."
    english = compare(query, "Huawei Technology Investment Co Ltd", kind="org").score
    chinese = compare(query, "华为技术投资有限公司", kind="org").score
    assert chinese == pytest.approx(english)  # "Investment" counts whole: nothing of the query renders it
    assert chinese < 0.95
    _without_partner_rule(monkeypatch)
    assert compare(query, "华为技术投资有限公司", kind="org").score > 0.95  # before: a confirming score


def test_a_synonym_still_weighs_less_and_a_chinese_query_keeps_the_discount(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a Chinese legal name against the firm's shorter registered English name (xscript, SZSE 2016):
    # 化工 ("chemical") has no counterpart, and the English name is the only road to the record
    kangda = compare(
        "上海康达化工新材料股份有限公司", "Shanghai Kangda New Materials Co.,Ltd", kind="org"
    ).score
    # the same pair the other way round: the Chinese name is now the list's, met by an English query
    reverse = compare(
        "Shanghai Kangda New Materials Co.,Ltd", "上海康达化工新材料股份有限公司", kind="org"
    ).score
    assert kangda >= 0.94 and reverse < kangda
    _without_partner_rule(monkeypatch)
    before = compare(
        "Shanghai Kangda New Materials Co.,Ltd", "上海康达化工新材料股份有限公司", kind="org"
    ).score
    assert before == pytest.approx(kangda)
    assert compare(
        "上海康达化工新材料股份有限公司", "Shanghai Kangda New Materials Co.,Ltd", kind="org"
    ).score == (pytest.approx(kangda))


def test_screening_huawei_technologies_no_longer_confirms_its_sister_firm(shared: Path) -> None:

    screener = csl_2022_screener()
    hits = screener.screen("Huawei Technologies Co., Ltd.", kind="org", limit=50)
    sister = [h for h in hits if h.name == "Huawei Tech. Investment Co., Limited"]
    assert sister and all(h.strength != "confirmed" and h.score < 0.95 for h in sister)
    own = screener.screen("华为技术投资有限公司", kind="org", limit=50)
    assert any(h.name == "Huawei Tech. Investment Co., Limited" and h.strength == "confirmed" for h in own)


def test_a_homophone_brand_is_another_name_when_the_record_writes_its_own_characters(
    shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """骅威文化 (Huawei Culture, an SZSE-listed media firm, set A's commercial look-alikes) reads "Huawei" in
    pinyin; the Entity List's Huawei records carry 华为技术有限公司 (curated file): weak, a name conflict.
    The firm's own Chinese name, traditional or short, still confirms."""
    from chipguard.match import evidence as ev

    screener = csl_2022_screener()
    hits = screener.screen("骅威文化股份有限公司", kind="org", country="CN")
    huawei = [h for h in hits if "huawei" in h.name.casefold()]
    assert huawei and all(h.strength == "weak" for h in huawei)
    assert all(any(e["feature"] == "name" and "华为" in e["detail"] for e in h.evidence) for h in huawei)
    for own in ("华为技术有限公司", "華為技術有限公司", "华为"):
        assert screener.screen(own, kind="org", country="CN")[0].strength == "confirmed", own
    full = dict(ev.config())
    monkeypatch.setattr(ev, "config", lambda: {**full, "homophone_conflict": False})
    before = screener.screen("骅威文化股份有限公司", kind="org", country="CN")
    assert any("huawei" in h.name.casefold() and h.strength == "potential" for h in before)


def test_homophone_needs_the_records_characters_for_the_same_sound() -> None:
    from chipguard.match.evidence import homophone

    assert homophone("骅威文化股份有限公司", ["HUAWEI TECHNOLOGIES CO., LTD.", "华为技术有限公司"])
    assert not homophone("骅威文化股份有限公司", ["HUAWEI TECHNOLOGIES CO., LTD."])  # no Chinese name
    assert not homophone("中航工业", ["Aviation Industry Corporation of China", "中国航空工业集团有限公司"])
    assert not homophone("华为软件技术有限公司", ["华为技术有限公司"])  # the same brand
    assert not homophone("Huawei Culture", ["华为技术有限公司"])  # a Latin query has no characters
