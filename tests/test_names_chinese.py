"""Chinese names → Latin forms, on real names from the lists (OFAC enhanced XML, CSL Entity List)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
from rapidfuzz import fuzz

from chipguard.names.chinese import analyse, ordinal, parse_numeral, renderings, to_simplified
from chipguard.names.chinese_vocab import vocabulary
from chipguard.names.scripts import latin_forms


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _best(chinese: str, english: str) -> float:
    """Best token_set_ratio of any Latin form of the Chinese name against the English name."""
    return max(fuzz.token_set_ratio(_norm(f.text), _norm(english)) for f in latin_forms(chinese))


def _by_method(chinese: str) -> dict[str, str]:
    return {f.method: f.text for f in latin_forms(chinese)}


def _ofac_enhanced_pairs(shared: Path) -> list[tuple[str, list[str]]]:
    """(Chinese name, English names) of every OFAC enhanced-XML entity that has a Chinese-script name."""
    with zipfile.ZipFile(shared / "lists" / "ofac_cons_enhanced_2025-01-10.zip") as zf:
        root = ET.fromstring(zf.read(zf.namelist()[0]))
    pairs = []
    for ent in root.iter():
        if not ent.tag.endswith("}entity"):
            continue
        names = [el.text or "" for el in ent.iter() if el.tag.endswith("}formattedFullName")]
        chinese = [n for n in names if re.search(r"[\u4e00-\u9fff]", n)]
        english = [n for n in names if n and n.isascii()]
        if chinese and english:
            pairs.append((chinese[0], english))
    return pairs


def test_ofac_enhanced_chinese_names_render_towards_their_english_names(shared: Path) -> None:
    pairs = dict(_ofac_enhanced_pairs(shared))
    assert "旷视科技有限公司" in pairs and "MEGVII TECHNOLOGY LIMITED" in pairs["旷视科技有限公司"]
    # the brand is untranslatable (旷视 → Kuangshi) but the rest of the name is the English one
    assert _by_method("旷视科技有限公司")["zh-en"] == "Kuangshi Technology Co Ltd"
    # names whose brand is a dictionary word or a known brand meet the English name closely
    for chinese, want in [
        ("曙光信息产业股份有限公司", 85),  # DAWNING INFORMATION INDUSTRY CO., LTD
        ("深圳市大疆创新科技有限公司", 80),  # SZ DJI TECHNOLOGY CO., LTD.
    ]:
        assert chinese in pairs, chinese
        assert max(_best(chinese, en) for en in pairs[chinese]) >= want, (chinese, latin_forms(chinese))
    # YITU LIMITED: the pinyin of the unknown brand is the English brand
    assert "YITU LIMITED" in pairs["依图科技有限公司"]
    assert _by_method("依图科技有限公司")["zh-en"].split()[0] == "Yitu"
    # every Chinese name there yields the word-by-word, pinyin and syllable renderings
    for chinese in pairs:
        methods = _by_method(chinese)
        assert {"zh-en", "pinyin", "pinyin-syllables"} <= set(methods), chinese
        assert all(t.isascii() for t in methods.values())


def test_traditional_input_gives_the_simplified_forms() -> None:
    # OFAC lists SenseTime's Chinese name in Traditional characters
    trad, simp = "商湯集團有限公司", "商汤集团有限公司"
    assert to_simplified(trad) == simp
    assert [f.text for f in latin_forms(trad)] == [f.text for f in latin_forms(simp)]
    assert "Traditional→Simplified" in latin_forms(trad)[0].explanation
    assert "Traditional→Simplified" not in latin_forms(simp)[0].explanation
    assert _by_method(trad)["zh-en"] == "Shangtang Group Co Ltd"


def test_hikvision_forms_and_explanation() -> None:
    forms = latin_forms("杭州海康威视数字技术股份有限公司")
    methods = {f.method: f for f in forms}
    assert methods["zh-en"].text.startswith("Hangzhou ")
    assert methods["zh-en"].text.endswith("Digital Technology Co Ltd")
    assert methods["zh-en"].translated and not methods["pinyin"].translated
    assert methods["pinyin"].text == "Hangzhou Haikang Weishi Shuzi Jishu Gufen Youxian Gongsi"
    assert (
        methods["pinyin-syllables"].text == "hang zhou hai kang wei shi shu zi ji shu gu fen you xian gong si"
    )
    why = methods["zh-en"].explanation
    assert (
        "杭州→Hangzhou (place" in why and "数字→Digital" in why and "股份有限公司→Co Ltd (legal-form" in why
    )
    assert all(f.script == "HAN" for f in forms)
    # the scorer is told which words of a translated form are pinyin (the trade name)
    assert methods["zh-en"].pinyin_words == ("Haikangweishi",)
    assert (
        _by_method("中航电测仪器股份有限公司")["zh-brand"]
        == "Zhonghang Electronic Measuring Instruments Co Ltd"
    )
    # the registered English name is reached by the word-by-word form except for the brand
    assert _best("杭州海康威视数字技术股份有限公司", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.") >= 80


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("七一五", 715),
        ("十四", 14),
        ("二十三", 23),
        ("一百零八", 108),
        ("二〇三", 203),
        ("十", 10),
        ("38", 38),
    ],
)
def test_parse_numeral(text: str, value: int) -> None:
    assert parse_numeral(text, vocabulary()) == value


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 715, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "715th",
        "111th",
    ]


def test_numbered_institutes() -> None:
    assert _by_method("第七一五研究所")["zh-en"] == "715th Research Institute"
    # lists write "702 Research Institute", "203rd Research Institute", "Institute of …": the mixed form
    # has the bare number and the short body word
    assert _by_method("第七一五研究所")["zh-mixed"] == "715 Institute"
    assert _by_method("中国电子科技集团公司第十四研究所")["zh-en"].endswith("14th Research Institute")
    assert _by_method("第38研究所")["zh-en"] == "38th Research Institute"
    # digits and Latin letters inside a Chinese name stay whole
    assert _by_method("中国2008有限公司")["zh-en"] == "China 2008 Co Ltd"
    assert _by_method("3M中国有限公司")["zh-en"] == "3M China Co Ltd"
    # a numeral that does not count a body stays part of the name (三一 in 三一重工 is a brand)
    segs = analyse("三一重工股份有限公司").segments
    assert all(s.kind != "numeral" for s in segs)


def test_csl_numbered_institute_meets_its_chinese_name(shared: Path) -> None:
    import csv
    import gzip

    with gzip.open(shared / "lists" / "us_csl_2022-04.csv.gz", "rt", encoding="utf-8") as fh:
        names = {r["name"].strip() for r in csv.DictReader(fh)}
    listed = "China Electronics Technology Group Corporation 13th Research Institute (CETC 13)"
    assert listed in names
    assert _best("中国电子科技集团公司第十三研究所", listed) >= 90


def test_places_keep_their_romanised_names() -> None:
    assert _by_method("北京")["zh-en"] == "Beijing"
    assert _by_method("哈尔滨工程大学")["zh-en"] == "Harbin Engineering University"
    assert _by_method("陕西中天火箭技术股份有限公司")["zh-en"].startswith("Shaanxi ")
    # administrative suffixes vanish after a place, as in registered English names
    assert _by_method("深圳市华为技术有限公司")["zh-en"] == "Shenzhen Huawei Technology Co Ltd"
    assert _by_method("深圳市华为技术有限公司")["pinyin"] == "Shenzhen Huawei Jishu Youxian Gongsi"
    assert _by_method("宁夏回族自治区地震局")["zh-en"].startswith("Ningxia ")


def test_legal_forms() -> None:
    for chinese, english in [
        ("科技有限公司", "Technology Co Ltd"),
        ("科技股份有限公司", "Technology Co Ltd"),
        ("科技有限责任公司", "Technology Co Ltd"),
        ("电子集团有限公司", "Electronics Group Co Ltd"),
    ]:
        assert _by_method(chinese)["zh-en"] == english


def test_org_vocabulary_and_named_bodies() -> None:
    assert _by_method("国防科技大学")["zh-en"] == "National University of Defense Technology"
    assert _by_method("中国人民解放军")["zh-en"] == "PLA"
    assert _by_method("中山大学")["zh-en"] == "Sun Yat-sen University"  # CC-CEDICT named body
    assert _by_method("哈尔滨工业大学")["zh-en"] == "Harbin Institute of Technology"
    forms = _by_method("中国航天科工集团公司")
    assert forms["zh-en"] == "China Aerospace Science and Industry Corporation"
    # the mixed form carries the acronym
    assert forms["zh-mixed"] == "CASIC"
    # a group written out word by word still reads as the group
    forms = _by_method("中国航天科工集团有限责任公司")
    assert forms["zh-en"] == "China Aerospace Science and Industry Corporation Co Ltd"
    assert _by_method("研究与发展中心")["zh-en"] == "Research and Development Center"


def test_csl_chinese_entities_meet_their_english_list_names(shared: Path) -> None:
    """The reverse direction: a Chinese-script query (or list alias) against the CSL's English names."""
    import csv
    import gzip

    with gzip.open(shared / "lists" / "us_csl_2022-04.csv.gz", "rt", encoding="utf-8") as fh:
        names = {r["name"].strip().upper() for r in csv.DictReader(fh)}
    for chinese, listed in [
        ("北京航空航天大学", "BEIJING UNIVERSITY OF AERONAUTICS AND ASTRONAUTICS (BUAA)"),
        ("哈尔滨工程大学", "HARBIN ENGINEERING UNIVERSITY"),
        ("中国航天科工集团公司", "CHINA AEROSPACE SCIENCE AND INDUSTRY CORPORATION (CASIC)"),
    ]:
        match = [n for n in names if n.startswith(listed.split(" (")[0])]
        assert match, listed
        assert max(_best(chinese, n) for n in match) >= 90, (chinese, latin_forms(chinese))


def test_unknown_characters_stay_pinyin_and_merge_into_one_brand_word() -> None:
    a = analyse("浙江大华技术股份有限公司")
    assert [(s.text, s.kind) for s in a.segments][:2] == [("浙江", "place"), ("大华", "pinyin")]
    assert _by_method("浙江大华技术股份有限公司")["zh-en"] == "Zhejiang Dahua Technology Co Ltd"


def test_renderings_are_memoised_and_deduplicated() -> None:
    first = renderings("中山大学")
    assert renderings("中山大学") is first
    texts = [r.text.casefold() for r in first]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Harbin Engineering University", "哈尔滨工程大学"),
        ("BEIJING UNIVERSITY OF AERONAUTICS AND ASTRONAUTICS", "北京航空航天大學"),  # Traditional list alias
        ("National University of Defense Technology", "国防科技大学"),
        (
            "China Electronics Technology Group Corporation 14th Research Institute",
            "中国电子科技集团公司第十四研究所",
        ),
        ("DAWNING INFORMATION INDUSTRY CO., LTD", "曙光信息产业股份有限公司"),
    ],
)
def test_both_directions_meet_through_the_scorer(english: str, chinese: str) -> None:
    """An English query meets a Chinese list alias and a Chinese query an English list name, and the
    explanation names the rendering that made it."""
    from chipguard.match.screener import compare

    there, back = compare(english, chinese), compare(chinese, english)
    assert there.match and back.match, (there.explanation, back.explanation)
    assert "zh-en" in json.dumps(there.explanation) and "zh-en" in json.dumps(back.explanation)
    # a different university of the same city does not match
    assert not compare("Harbin Institute of Technology", "哈尔滨工程大学").match


def test_trade_names_translated_character_by_character() -> None:
    # English trade names often translate common brand morphemes; the pinyin form stays first
    forms = _by_method("广东天龙油墨集团股份有限公司")
    assert forms["zh-en"] == "Guangdong Tianlong Printing Ink Group Co Ltd"
    assert forms["zh-literal"] == "Guangdong Sky Dragon Printing Ink Group Co Ltd"
    assert _by_method("金杯电工股份有限公司")["zh-literal"] == "Gold Cup Electric Co Ltd"
    # institutes have no trade name, and brands with other characters are left in pinyin
    assert "zh-literal" not in _by_method("中国科学院力学研究所")
    assert "zh-literal" not in _by_method("杭州海康威视数字技术股份有限公司")


def test_curated_vocabulary_has_no_duplicate_headwords() -> None:
    """YAML keeps the last of two equal keys silently; a duplicated headword would hide a curation."""
    import yaml

    from chipguard.config import data_dir

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[object, object]:
        keys = [loader.construct_object(k) for k, _ in node.value]
        dupes = {k for k in keys if keys.count(k) > 1}
        assert not dupes, f"duplicate keys in org_terms.yml: {dupes}"
        return loader.construct_mapping(node)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    data = yaml.load((data_dir() / "zh" / "org_terms.yml").read_text(encoding="utf-8"), Loader=Strict)
    assert data["legal_forms"]["股份有限公司"] == "Co Ltd"
    assert len(data["terms"]) > 300


def test_sub_unit_form_leaves_out_the_parent_body() -> None:
    units = [f for f in latin_forms("中国科学院力学研究所") if f.method == "zh-unit"]
    assert units[0].text == "Mechanics Research Institute"  # word by word first
    assert all(u.explanation.startswith("parent body 中国科学院 left out") for u in units)
    unit = next(f for f in latin_forms("中国电子科技集团公司电子科学研究院") if f.method == "zh-unit")
    assert unit.text.startswith("Electronic")
    assert "中国电子科技集团公司" in unit.explanation
    # a numbered institute alone names nothing: the parent stays
    assert "zh-unit" not in _by_method("中国航天科工集团公司第二研究院")
    # 中国科学院大学 is a university of its own, not a unit of the academy
    assert "zh-unit" not in _by_method("中国科学院大学")


@pytest.mark.parametrize(
    ("latin", "chinese"),
    [
        ("Kuangshi Keji Youxian Gongsi", "旷视科技有限公司"),  # the legal name spelt in pinyin
        ("Kuangshi Technology Co., Ltd.", "旷视科技有限公司"),  # pinyin brand, translated rest
        ("Shenzhen Dajiang Chuangxin Keji", "深圳市大疆创新科技有限公司"),
        ("Yuncong Technology Group", "云从科技集团股份有限公司"),
    ],
)
def test_pinyin_spellings_meet_ofac_chinese_aliases(latin: str, chinese: str) -> None:
    """Evasion by romanising: a customer registers under the pinyin of a listed company's Chinese name
    (the OFAC enhanced XML carries these Chinese names)."""
    from chipguard.match.screener import compare

    assert compare(latin, chinese).match
    assert not compare("Kuangshi Technology", "依图科技有限公司").match


def test_industry_characters_after_a_trade_name_are_translated() -> None:
    """国风|塑业 is trade name + industry: the registered English translates the industry (Plastic
    Industry), and a county used as the trade name keeps its place (罗平|锌电 → Luoping Zinc Electric)."""
    forms = _by_method("安徽国风塑业股份有限公司")
    assert forms["zh-en"] == "Anhui Guofeng Plastic Industry Co Ltd"
    assert _by_method("云南罗平锌电股份有限公司")["zh-en"] == "Yunnan Luoping Zinc Electric Co Ltd"
    assert _by_method("大冶特殊钢股份有限公司")["zh-en"] == "Daye Special Steel Co Ltd"
    # the pinyin of the whole trade name stays available for names registered in pinyin
    assert "Guofeng" in forms["pinyin"]


def test_industry_characters_need_a_trade_name_in_front() -> None:
    """华电 is a trade name of two characters: 电 is not peeled off as "Electric" (China Huadian)."""
    segments = [(s.text, s.english) for s in analyse("中国华电集团").segments]
    assert ("华电", None) in segments
    assert _by_method("中国华电集团")["zh-en"] == "China Huadian Group"


def test_sub_unit_without_parent_also_in_organisation_vocabulary_only() -> None:
    """中国科学院|微生物研究所 is listed as "Institute of Microbiology": the rendering without the parent
    is made word by word and with the mixed vocabulary (Microbiology Institute) alike."""
    units = [f.text for f in latin_forms("中国科学院微生物研究所") if f.method == "zh-unit"]
    assert "Microbial Research Institute" in units
    assert "Microbiology Institute" in units


def test_places_named_with_their_peoples_keep_only_the_place() -> None:
    """CC-CEDICT glosses 阿坝 as "Ngawa Tibetan and Qiang autonomous prefecture": the place is "Ngawa"."""
    vocab = vocabulary()
    assert vocab.words["阿坝"].english == "Ngawa"
    assert vocab.words["保亭黎族苗族自治县"].english == "Baoting"
    assert not [w for w in vocab.words if vocab.words[w].english.endswith(" and")]


def test_quantities_are_not_translations_of_trade_names() -> None:
    """CC-CEDICT glosses 万里 as "10000 li" and 九折 as "10% off": in a name they are a trade name, so the
    vocabulary keeps no gloss that is a quantity, a share or an hour."""
    vocab = vocabulary()
    assert vocab.words["万里"].english != "10000 li"
    assert "九折" not in vocab.words
    assert vocab.words["纯棉"].english == "pure cotton"
    assert vocab.words["三维"].english == "3D"  # a number that is the word itself stays


def test_xin_after_a_trade_name_character_is_part_of_it() -> None:
    """新 before a translated word is "New" (新材料), but after a trade-name character it ends the trade
    name: 建新|矿业 is Jianxin Mining, not "Jian New Mining"."""
    assert _by_method("建新矿业股份有限公司")["zh-en"] == "Jianxin Mining Co Ltd"
    assert _by_method("广东新材料股份有限公司")["zh-en"].startswith("Guangdong New Materials")
