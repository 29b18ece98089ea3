"""Places inside Chinese organisation names: how a place is spelt in registered English.

CC-CEDICT often names a place two ways ("Tarbaghatay wilayiti or Tacheng prefecture", "Sanji or Changji Hui
autonomous prefecture", "Ürümqi or Urumqi"): the registered English names of the bodies there use the
pinyin one, or the plain-letter spelling (Urumqi Municipal Public Security Bureau, Aksu District Public
Security Bureau, Tacheng Prefecture Public Security Bureau on the Entity List). tools/build_zh_vocab.py picks
that alternative when it writes zh/cedict_vocab.tsv."""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from chipguard.match.screener import cached_latin_forms, compare
from chipguard.names import chinese, scripts
from chipguard.names.chinese import renderings
from chipguard.names.chinese_vocab import vocabulary
from chipguard.names.data import matching_config


def _build_tool() -> ModuleType:
    tool = Path(__file__).resolve().parents[1] / "tools" / "build_zh_vocab.py"
    spec = importlib.util.spec_from_file_location("build_zh_vocab", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# CC-CEDICT lines as the installed dictionary writes them
CEDICT = """\
塔城地區 塔城地区 [Ta3 cheng2 di4 qu1] /Tarbaghatay wilayiti or Tacheng prefecture in Xinjiang/
阿克蘇地區 阿克苏地区 [A1 ke4 su1 di4 qu1] /Aqsu Wilayiti or Aksu prefecture in Xinjiang/
昌吉回族自治州 昌吉回族自治州 [Chang1 ji2 Hui2 zu2 zi4 zhi4 zhou1] /Sanji or Changji Hui autonomous prefecture in Xinjiang/
烏魯木齊市 烏魯木齊市 [Wu1 lu3 mu4 qi2 Shi4] /Ürümqi or Urumqi prefecture level city and capital of Xinjiang/
且末縣 且末县 [Qie3 mo4 xian4] /Cherchen nahiyisi or Qiemo county in Bayingolin Mongol Autonomous Prefecture, Xinjiang/
高雄 高雄 [Gao1 xiong2] /Kaohsiung or Gaoxiong city and county in south Taiwan/
烏蘭巴托 乌兰巴托 [Wu1 lan2 ba1 tuo1] /Ulaanbaatar or Ulan Bator, capital of Mongolia/
哈爾濱 哈尔滨 [Ha1 er3 bin1] /Harbin, subprovincial city and capital of Heilongjiang province in northeast China/
江南 江南 [Jiang1 nan2] /south of Changjiang or Yangtze river/a province during Qing times/
"""


def test_the_build_takes_the_pinyin_or_plain_letter_alternative(tmp_path: Path) -> None:
    tool = _build_tool()
    src = tmp_path / "cedict.txt"
    src.write_text(CEDICT, encoding="utf-8")
    got = {row[0]: row[2] for row in tool.build(src, None)}
    assert got["塔城地区"] == "Tacheng"  # not the Uyghur Tarbaghatay wilayiti
    assert got["阿克苏地区"] == "Aksu"  # not "Aqsu Wilayiti"
    assert got["昌吉回族自治州"] == "Changji"  # not Sanji
    assert got["烏魯木齊市"] == "Urumqi"  # the accented spelling left out, not the whole entry
    assert got["且末县"] == "Qiemo"  # only the Uyghur name besides: the pinyin, 县 left out
    # no Uyghur name and no pinyin alternative: the dictionary's first spelling, as before
    assert got["高雄"] == "Kaohsiung" and got["乌兰巴托"] == "Ulaanbaatar" and got["哈尔滨"] == "Harbin"
    assert "江南" not in got  # "south of Changjiang" names no place: "Yangtze river" is no alternative


def test_the_shipped_vocabulary_spells_xinjiangs_places_as_registered_names_do() -> None:
    words = vocabulary().words
    assert words["塔城地区"].english == "Tacheng"
    assert words["阿克苏地区"].english == "Aksu"
    assert words["昌吉回族自治州"].english == "Changji"
    assert words["乌鲁木齐"].english == "Urumqi"
    assert renderings("乌鲁木齐市公安局")[0].text.startswith("Urumqi ")  # was "Wulumuqishi …"
    assert renderings("塔城地区公安局")[0].text.startswith("Tacheng ")  # was "Tarbaghatay …"


# Chinese names and the registered English of the same body: Entity List (the first two), ROR
PAIRS = {
    "昌吉回族自治州公安局": "Changji Hui Autonomous Prefecture Public Security Bureau",
    "克孜勒苏柯尔克孜自治州公安局": "Kezilesu Kyrgyz Autonomous Prefecture Public Security Bureau",
    "新疆维吾尔自治区人民医院": "People's Hospital of Xinjiang Uygur Autonomous Region",
}


def _admin(name: str) -> str | None:
    return next((r.text for r in renderings(name) if r.method == "zh-admin"), None)


@pytest.fixture()
def admin_units_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """matching.yml as it was before chinese_segmentation.admin_units_kept (its introduced value)."""
    data = copy.deepcopy(matching_config())
    data["chinese_segmentation"]["admin_units_kept"] = False
    monkeypatch.setattr(chinese, "matching_config", lambda: data)
    chinese.segmentation_costs.cache_clear()
    chinese.renderings.cache_clear()
    cached_latin_forms.cache_clear()
    scripts._latin_forms.cache_clear()
    yield
    chinese.segmentation_costs.cache_clear()
    chinese.renderings.cache_clear()
    cached_latin_forms.cache_clear()
    scripts._latin_forms.cache_clear()


def test_a_public_body_keeps_its_places_administrative_unit() -> None:
    """Entity List: Changji Hui Autonomous Prefecture Public Security Bureau; ROR: People's Hospital of
    Xinjiang Uygur Autonomous Region. The unit and the ethnic designation come from zh/org_terms.yml."""
    assert _admin("昌吉回族自治州公安局") == "Changji Hui Autonomous Prefecture Public Security Bureau"
    assert _admin("新疆维吾尔自治区人民医院") == "Xinjiang Uygur Autonomous Region People's Hospital"
    assert _admin("乌鲁木齐市公安局") == "Urumqi Municipal Public Security Bureau"
    assert _admin("塔城地区公安局") == "Tacheng Prefecture Public Security Bureau"
    assert _admin("北京市公安局") == "Beijing Municipal Public Security Bureau"  # 北京|市: a word of its own
    # a company drops the unit (深圳市…有限公司 → "Shenzhen … Co Ltd"): no such rendering
    assert _admin("深圳市海思半导体有限公司") is None
    assert renderings("昌吉回族自治州公安局")[0].text == "Changji Public Security Bureau"  # zh-en unchanged
    for zh, en in PAIRS.items():
        assert compare(zh, en).score > 0.92, zh


def test_without_the_rule_the_unit_is_dropped_everywhere(admin_units_off: None) -> None:
    assert _admin("昌吉回族自治州公安局") is None
    # Kezilesu is no spelling of Qizilsu, and a hospital "of Xinjiang Uygur Autonomous Region" lacks three
    # words of "Xinjiang People's Hospital": both fall under the threshold without the unit
    assert not compare("克孜勒苏柯尔克孜自治州公安局", PAIRS["克孜勒苏柯尔克孜自治州公安局"]).match
    assert not compare("新疆维吾尔自治区人民医院", PAIRS["新疆维吾尔自治区人民医院"]).match
    assert compare("昌吉回族自治州公安局", PAIRS["昌吉回族自治州公安局"]).score < 0.95


def test_provincial_is_a_word_of_the_body() -> None:
    # 福建省立医院, ROR: Fujian Provincial Hospital (省立 "established by the province", zh/org_terms.yml)
    assert renderings("福建省立医院")[0].text == "Fujian Provincial Hospital"


@pytest.fixture()
def code_numerals_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """matching.yml as it was before chinese_segmentation.code_numerals (its introduced value)."""
    data = copy.deepcopy(matching_config())
    data["chinese_segmentation"]["code_numerals"] = False
    monkeypatch.setattr(chinese, "matching_config", lambda: data)
    for cache in (chinese.segmentation_costs, chinese.analyse, chinese.renderings, cached_latin_forms):
        cache.cache_clear()
    scripts._latin_forms.cache_clear()
    yield
    for cache in (chinese.segmentation_costs, chinese.analyse, chinese.renderings, cached_latin_forms):
        cache.cache_clear()
    scripts._latin_forms.cache_clear()


# Entity List: Tianjin 764 Communication and Navigation Technology Co., Ltd.
TIANJIN_764 = (
    "天津七六四通信导航技术有限公司",
    "Tianjin 764 Communication and Navigation Technology Co., Ltd.",
)


def test_three_numeral_characters_are_a_number_said_digit_by_digit() -> None:
    assert renderings(TIANJIN_764[0])[0].text == "Tianjin 764 Communication Navigation Technology Co Ltd"
    assert any(r.text.startswith("Tianjin 764 Tongxin") for r in renderings(TIANJIN_764[0]))  # pinyin form
    assert renderings("〇〇七科技有限公司")[0].text.startswith("007 ")  # as written, not "7" or "Seventh"
    assert compare(*TIANJIN_764).score > 0.95
    # two characters stay what they were (三九, 五一: trade names), and a numbered body stays an ordinal
    assert renderings("三九医药股份有限公司")[0].text.startswith("Sanjiu")
    assert renderings("第七一五研究所")[0].text == "715th Research Institute"


def test_without_the_rule_the_number_is_pinyin(code_numerals_off: None) -> None:
    assert renderings(TIANJIN_764[0])[0].text.startswith("Tianjin Qiliusi ")
    assert compare(*TIANJIN_764).score < 0.9


def test_a_shop_drops_the_unit_like_a_company() -> None:
    # individual businesses register without a legal form; a trade name in pinyin or a shop's ending
    # (店, 商行) says it is no public body: "Sihui Jewelry Store", not "Sihui Municipal …"
    assert _admin("四会市璎珞珠宝店") is None
    assert _admin("西安市碑林区启帆商行") is None
    assert _admin("南阳市宛城区鹏翔家庭服务中心") is None  # a public body's ending, but a trade name
