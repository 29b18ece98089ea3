"""A Chinese name that opens with a state group's abbreviation (中航, 中国航发, 中交 …) meets the English name
the subsidiary registers: the group's acronym, the rest in its usual English (matching.yml
zh_acronym_rendering, zh_group_prefix_trade_name; zh/org_terms.yml abbreviations). The English names are
CSL Entity List / 1260H names of the listed subsidiaries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chipguard.match.screener import Screener, cached_latin_forms, compare, query_forms
from chipguard.names.chinese import renderings
from chipguard.names.data import matching_config
from chipguard.names.scripts import _latin_forms
from chipguard.sources import parse_file


def _clear() -> None:
    renderings.cache_clear()
    _latin_forms.cache_clear()
    cached_latin_forms.cache_clear()
    query_forms.cache_clear()


@pytest.fixture
def rule_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Turns one abbreviation rule off for a test (the renderings are memoised: cleared around it)."""

    def off(key: str) -> None:
        monkeypatch.setitem(matching_config(), key, False)
        _clear()

    yield off
    monkeypatch.undo()
    _clear()


def _texts(chinese: str) -> dict[str, str]:
    return {r.method: r.text for r in renderings(chinese)}


def test_acronym_with_the_other_words_in_their_first_english(rule_off) -> None:  # type: ignore[no-untyped-def]
    # the mixed form takes every word's second English too (航空 → Aeronautical): only the acronym form
    # writes the listed "AVIC Aviation High-Technology"
    chinese, listed = "中航航空高科技股份有限公司", "AVIC AVIATION HIGH-TECHNOLOGY COMPANY LIMITED"
    assert _texts(chinese)["zh-acronym"] == "AVIC Aviation High-Tech Co Ltd"
    assert _texts(chinese)["zh-mixed"] == "AVIC Aeronautical High-Tech Co Ltd"
    assert compare(chinese, listed).match
    # no acronym form for a name without a group abbreviation
    assert "zh-acronym" not in _texts("北京航空制造工程研究所")
    rule_off("zh_acronym_rendering")
    assert "zh-acronym" not in _texts(chinese)
    assert not compare(chinese, listed).match


def test_group_prefix_before_a_place_leaves_the_trade_name_after_it(rule_off) -> None:  # type: ignore[no-untyped-def]
    chinese, listed = "中国航发沈阳黎明航空发动机有限责任公司", "AECC Shenyang Liming Aero Engine Co., Ltd."
    assert _texts(chinese)["zh-brand"] == "AECC Shenyang Liming Aero Engine Co Ltd"
    assert compare(chinese, listed).match
    # another AECC works is not it
    assert not compare("中国航发西安航空发动机有限公司", listed).match
    # an abbreviation followed by industry words is itself the trade name (中航电测 → Zhonghang)
    assert _texts("中航电测仪器股份有限公司")["zh-brand"].startswith("Zhonghang")
    rule_off("zh_group_prefix_trade_name")
    assert _texts(chinese)["zh-brand"].startswith("Zhongguo Hangfa")
    assert not compare(chinese, listed).match


@pytest.mark.parametrize(
    ("chinese", "listed"),
    [
        # full names of state groups as abbreviations (their registered English and acronym)
        ("中国海洋石油集团有限公司", "China National Offshore Oil Corporation"),
        ("中国海洋石油有限公司", "CNOOC LIMITED"),
        ("中国广核集团有限公司", "CHINA GENERAL NUCLEAR POWER CORPORATION"),
        ("中国兵器装备集团有限公司", "CHINA SOUTH INDUSTRIES GROUP CORPORATION"),
        ("中国船舶重工股份有限公司", "CHINA SHIPBUILDING INDUSTRY COMPANY LIMITED"),
        ("中国联合网络通信(香港)股份有限公司", "CHINA UNICOM (HONG KONG) LIMITED"),
        ("中交疏浚(集团)股份有限公司", "China Communications Construction Company Dredging Group Co. Ltd."),
        ("中国航发商用航空发动机有限责任公司", "AECC Commercial Aircraft Engine Co. Ltd."),
        # central state groups' short names (SASAC), on SZSE-listed subsidiaries' registered English names
        ("中国重汽集团济南卡车股份有限公司", "CNHTC JINAN TRUCK CO., LTD."),
        ("中材科技股份有限公司", "Sinoma Science & Technology Co.,Ltd."),
    ],
)
def test_state_group_names_meet_their_registered_english(chinese: str, listed: str) -> None:
    assert compare(chinese, listed).match, _texts(chinese)


def test_one_group_is_not_another() -> None:
    # 中国兵器装备 (China South Industries) is not 中国兵器工业 (China North Industries, Norinco)
    assert not compare("中国兵器装备集团有限公司", "CHINA NORTH INDUSTRIES GROUP CORPORATION").match
    assert not compare("中国海洋石油集团有限公司", "China National Petroleum Corporation").match


def test_abbreviation_of_dictionary_words_is_read_as_those_words_too(rule_off, shared: Path) -> None:  # type: ignore[no-untyped-def]
    # 中国石油 is PetroChina / CNPC, but 中国石油大学 is named for its field: screened against the xscript
    # watchlist (ROR's registered English names), it finds China University of Petroleum only so
    chinese = "中国石油大学"
    assert _texts(chinese)["zh-en"] == "PetroChina University"
    assert _texts(chinese)["zh-words"] == "China Petroleum University"
    assert "zh-words" not in _texts("中航航空高科技股份有限公司")  # single characters: no such reading
    parties = parse_file(shared / "bench" / "xscript_watchlist.csv", format="custom_csv").parties

    def found() -> set[str]:
        return {h.name for h in Screener(parties).screen(chinese, kind="org")}

    assert {"China University of Petroleum, Beijing", "China University of Petroleum (East China)"} <= found()
    rule_off("zh_abbreviation_words_rendering")
    assert "zh-words" not in _texts(chinese)
    assert not found() & {
        "China University of Petroleum, Beijing",
        "China University of Petroleum (East China)",
    }
