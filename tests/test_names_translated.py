"""Chinese queries translated word by word: once the pinyin trade name matched, the translated words
that the registered English name renders with a synonym (存储 Storage / Memory, 海洋 Ocean / Marine)
weigh little."""

from __future__ import annotations

import pytest

from chipguard.match.screener import Screener
from chipguard.model import Party, PartyKind

# English names of listed parties (CSL 2022-04 / Entity List, see chipguard/data/zh/listed_party_names.yml)
LISTED = [
    "ChangXin Memory Technologies, Inc.",
    "Huawei Marine Networks Co., Limited",
    "Huawei Cloud Computing Technology",
    "Jiangxi Hongdu Aviation Ind. Group",
]


@pytest.fixture(scope="module")
def screener() -> Screener:
    parties = [Party("custom", str(i), name, PartyKind.ORG) for i, name in enumerate(LISTED)]
    return Screener(parties, enrich=False)  # no Chinese aliases: the translation must carry the match


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("长鑫存储技术有限公司", "ChangXin Memory Technologies, Inc."),
        ("华为海洋网络有限公司", "Huawei Marine Networks Co., Limited"),
    ],
)
def test_synonym_translations_after_a_matched_trade_name(screener: Screener, query: str, listed: str) -> None:
    hits = screener.screen(query, kind="org")
    assert hits and hits[0].name == listed, [(h.name, h.score) for h in hits]
    assert hits[0].explanation["query_transliteration"]["method"].startswith("zh-")


def test_an_unknown_trade_name_finds_nothing(screener: Screener) -> None:
    # same industry words, another firm (长城 Great Wall): no shared brand, so no weight is lowered
    assert screener.screen("长城存储技术有限公司", kind="org") == []


def test_ligong_daxue_gives_both_registered_styles() -> None:
    """理工大学 is registered mostly as "University of Technology" (武汉理工大学 Wuhan University of
    Technology) and sometimes as "University of Science and Technology" (哈尔滨理工大学): both forms exist."""
    from chipguard.names.scripts import latin_forms

    for name, place in (("武汉理工大学", "Wuhan"), ("哈尔滨理工大学", "Harbin")):
        forms = {f.method: f.text for f in latin_forms(name)}
        assert forms["zh-en"] == f"{place} University of Technology"
        assert forms["zh-mixed"] == f"{place} University of Science and Technology"


def test_vocational_college_is_also_a_polytechnic() -> None:
    """职业技术学院 registers as "Polytechnic" (深圳职业技术学院 Shenzhen Polytechnic)."""
    from chipguard.names.scripts import latin_forms

    forms = {f.method: f.text for f in latin_forms("深圳职业技术学院")}
    assert forms["zh-en"] == "Shenzhen Vocational and Technical College"
    assert forms["zh-mixed"] == "Shenzhen Polytechnic"


def test_college_styles_of_higher_education() -> None:
    """科技学院 / 外国语学院: the word-by-word reading and the usual registered style are both produced
    (河南科技学院 Henan Institute of Science and Technology, 四川外国语学院 Sichuan International Studies
    University)."""
    from chipguard.names.scripts import latin_forms

    henan = {f.text for f in latin_forms("河南科技学院")}
    assert "Henan Institute of Science and Technology" in henan
    sichuan = {f.text for f in latin_forms("四川外国语学院")}
    assert "Sichuan International Studies University" in sichuan
