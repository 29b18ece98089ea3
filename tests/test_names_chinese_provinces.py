"""Single-character province abbreviations (川 Sichuan, 粤 Guangdong …) opening a Chinese name."""

from __future__ import annotations

from chipguard.names.chinese_vocab import vocabulary
from chipguard.names.scripts import latin_forms


def _form(name: str, method: str) -> str:
    return next(f.text for f in latin_forms(name) if f.method == method)


def test_abbreviation_before_an_industry_word_is_the_province() -> None:
    # 粤电力: the exchange short name of Guangdong Electric Power Development Co., Ltd.
    assert _form("粤电力", "zh-mixed") == "Guangdong Electric Power"
    assert _form("粤港澳量子科学中心", "zh-en").startswith("Guangdong Hong Kong Macao Quantum")


def test_abbreviation_inside_a_trade_name_stays_pinyin() -> None:
    # 川化 / 湘电: the abbreviation starts a trade name of unknown characters, written as pinyin
    assert _form("川化股份有限公司", "zh-en") == "Chuanhua Co Ltd"
    assert _form("湘电集团有限公司", "zh-en") == "Xiangdian Group Co Ltd"


def test_new_and_black_are_not_read_as_provinces() -> None:
    table = vocabulary().province_abbreviations
    assert table["川"] == "Sichuan" and table["沪"] == "Shanghai"
    assert "新" not in table and "黑" not in table
    assert _form("新材料科技有限公司", "zh-en").startswith("New Materials")
