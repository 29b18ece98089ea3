"""Single-character province abbreviations (川 Sichuan, 粤 Guangdong …) and bound prefixes (超, 聚) in Chinese names."""

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


def test_bound_prefix_joins_a_science_word() -> None:
    # 超导 is a dictionary word already; 超 + 分子 and 聚 + 烯烃 are joined by the bound-prefix rule
    assert _form("超分子化学研究所", "zh-en").startswith("Supermolecular")
    assert _form("聚烯烃研究所", "zh-en").startswith("Polyolefine")
    assert vocabulary().bound_prefixes["超"] == "Super"


def test_bound_prefix_inside_a_trade_name_stays_pinyin() -> None:
    # 聚 after a trade-name character (华聚) is part of the trade name, not "Poly-"
    assert _form("华聚能源有限公司", "zh-en") == "Huaju Energy Co Ltd"
    assert _form("超净科技有限公司", "zh-en").startswith("Chaojing")  # 超 before an unknown character
