"""Other scripts → Latin through ICU, on real names from the OFAC and UN lists."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from chipguard.names.scripts import has_non_latin, latin_forms
from chipguard.names.translit import dominant_script


def test_latin_names_need_no_forms() -> None:
    assert latin_forms("Hangzhou Hikvision Digital Technology Co., Ltd.") == []
    assert latin_forms("Société Générale Ünïcode") == []
    assert latin_forms("") == []
    assert not has_non_latin("Škoda Müller")
    assert has_non_latin("ООО Ромашка")
    assert has_non_latin("旷视科技")


def test_script_detection() -> None:
    assert dominant_script("БАНК ВТБ") == "CYRILLIC"
    assert dominant_script("صدام حسين") == "ARABIC"
    assert dominant_script("삼성전자") == "HANGUL"
    assert dominant_script("トヨタ自動車株式会社") == "JAPANESE"  # kana make kanji Japanese
    assert dominant_script("中国科学院") == "HAN"
    assert dominant_script("Ελληνική") == "GREEK"


def test_cyrillic_from_ofac_enhanced_xml(shared: Path) -> None:
    with zipfile.ZipFile(shared / "lists" / "ofac_cons_enhanced_2025-01-10.zip") as zf:
        xml = zf.read(zf.namelist()[0]).decode("utf-8")
    names = set(re.findall(r"<formattedFullName>([^<]*[\u0400-\u04ff][^<]*)</formattedFullName>", xml))
    assert "БАНК ВТБ ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО" in names
    forms = latin_forms("БАНК ВТБ ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО")
    assert forms[0].text == "BANK VTB PUBLICHNOYE AKTSIONERNOYE OBSHCHESTVO"  # BGN/PCGN, as OFAC spells it
    assert forms[0].method == "icu-cyrillic" and "BGN" in forms[0].explanation
    assert forms[0].script == "CYRILLIC" and not forms[0].translated
    for name in names:
        got = latin_forms(name)
        assert got and all(f.text.isascii() and f.text for f in got), name


def test_arabic_from_un_list(shared: Path) -> None:
    xml = (shared / "lists" / "un_consolidated_2026-02-27.xml").read_text(encoding="utf-8")
    originals = re.findall(r"<NAME_ORIGINAL_SCRIPT>([^<]+)</NAME_ORIGINAL_SCRIPT>", xml)
    arabic = [n for n in originals if dominant_script(n) == "ARABIC"]
    assert len(arabic) > 50
    forms = latin_forms("صدام حسين التكريتي")  # UN: SADDAM HUSSEIN AL-TIKRITI
    assert forms and forms[0].method == "icu-arabic"
    assert any(f.text.split()[:2] == ["sdam", "hsyn"] for f in forms)
    assert any("altkryty" in f.text for f in forms)
    for name in arabic:
        assert all(f.text.isascii() for f in latin_forms(name))


def test_korean_japanese_greek() -> None:
    assert latin_forms("삼성전자")[0].text == "samseongjeonja"
    jp = latin_forms("トヨタ自動車株式会社")
    assert jp[0].text.startswith("toyota") and jp[0].script == "JAPANESE"
    assert latin_forms("Ελληνική Εταιρεία")[0].text == "Elliniki Etaireia"


def test_mixed_latin_and_chinese_keeps_latin_words() -> None:
    forms = {f.method: f.text for f in latin_forms("TCL科技集团股份有限公司")}
    assert forms["zh-en"] == "TCL Technology Group Co Ltd"


def test_un_cyrillic_original_names_meet_the_english_names(shared: Path) -> None:
    """UN individuals with a Cyrillic original-script name: the BGN form is the list's English spelling."""
    import defusedxml.ElementTree as ET
    from rapidfuzz import fuzz

    root = ET.parse(shared / "lists" / "un_consolidated_2026-02-27.xml").getroot()
    pairs = []
    for ind in root.iter("INDIVIDUAL"):
        orig = (ind.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
        if orig and dominant_script(orig) == "CYRILLIC":
            parts = [(ind.findtext(t) or "").strip() for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME")]
            pairs.append((orig, " ".join(p for p in parts if p)))
    assert len(pairs) >= 5
    for orig, english in pairs:
        best = max(fuzz.token_sort_ratio(f.text.lower(), english.lower()) for f in latin_forms(orig))
        assert best >= 90, (orig, english, latin_forms(orig))


def test_query_forms_leave_out_index_only_methods() -> None:
    full = latin_forms("杭州海康威视数字技术股份有限公司")
    query = latin_forms("杭州海康威视数字技术股份有限公司", query=True)
    assert [f.method for f in full][-1] == "pinyin-syllables"
    assert query == [f for f in full if f.method != "pinyin-syllables"]
