"""Name normalisation on real-world disguises: invisible characters, homoglyphs, diacritics, legal forms
across languages, abbreviations, punctuation, run-on words and list-entry variants."""

from __future__ import annotations

import pytest

from chipguard.names.analysis import LEGAL, PLACE, analyze
from chipguard.names.phonetic import phonetic_key
from chipguard.names.text import clean, clean_steps
from chipguard.names.variants import name_variants


def test_invisible_and_zero_width_characters_are_removed() -> None:
    text = "Hik\u200bvi\u00adsion\u2060 Digi\ufefftal\u202e"
    out, steps = clean_steps(text)
    assert out == "hikvision digital"
    assert "invisible-characters-removed" in steps


def test_nfkc_folds_fullwidth_and_no_break_space() -> None:
    out, steps = clean_steps("ＨＵＡＷＥＩ\u00a0Technologies")
    assert out == "huawei technologies"
    assert "unicode-nfkc" in steps


def test_cyrillic_and_greek_homoglyphs_map_to_latin() -> None:
    # Cyrillic М, е, і and Greek Ο inside Latin names
    out, steps = clean_steps("\u041c\u0435gv\u0456\u0456 Techn\u039flogy")
    assert out == "megvii technology"
    assert "homoglyphs-mapped-to-latin" in steps
    # a name written entirely in look-alike capitals (Cyrillic С, О, Р, Т, Е, Х)
    assert clean("\u0421\u041e\u0420\u0422\u0415\u0425") == "coptex"


def test_genuine_cyrillic_is_not_skeletonised() -> None:
    # "Ростех" has letters without Latin look-alikes: it stays Cyrillic for transliteration
    out, steps = clean_steps("Ростех")
    assert out == "ростех"
    assert "homoglyphs-mapped-to-latin" not in steps


def test_diacritics_fold_but_hangul_and_hanzi_survive() -> None:
    assert clean("Míñ Ørsted Łódź Straße") == "min orsted lodz strasse"
    assert clean("삼성전자") == "삼성전자"
    assert clean("华为技术") == "华为技术"


def test_punctuation_acronyms_ordinals_apostrophes() -> None:
    assert clean("P.L.C.") == "plc"
    assert clean("715th Research Institute") == "715 research institute"
    assert clean("KIM, Cho'ng-man") == "kim chong man"
    assert clean("Sun & Moon") == "sun and moon"


def _legal(name: str) -> list[str]:
    return [t.canon for t in analyze(name).tokens if t.cls == LEGAL]


def test_legal_forms_normalise_across_languages() -> None:
    forms = {
        "Megvii Technology Co., Ltd.",
        "Megvii Technology Company Limited",
        "Megvii Technology Limited",
        "Megvii Technology 有限公司",
        "Megvii Technology ООО",
        "Megvii Technology GmbH",
    }
    labels = {tuple(_legal(f)) for f in forms}
    assert len(labels) == 1 and labels.pop() == ("lf:llc",)
    # the rest of the name is untouched
    assert [t.text for t in analyze("Megvii Technology ООО").tokens][:2] == ["megvii", "technology"]


def test_legal_form_typos_are_still_legal_forms() -> None:
    assert _legal("Sysdynamic Limted") == ["lf:llc"]
    assert _legal("Zolal Iran Companny")  # a typo'd trailing "Company" is the legal form


def test_abbreviations_meet_full_words() -> None:
    short = [t.canon for t in analyze("Zhongxing COMM GRP INTL TECH").tokens]
    full = [t.canon for t in analyze("Zhongxing Communications Group International Technologies").tokens]
    assert short == full


def test_run_on_words_are_split_alike_on_both_sides() -> None:
    a = [t.text for t in analyze("China TELECOMcorporation Limited").tokens]
    assert "telecom" in a
    # a typo is not split into two words
    assert [t.text for t in analyze("DES INTERRNATIONAL").tokens] == ["des", "interrnational"]


def test_places_are_classified() -> None:
    tokens = analyze("Zhejiang Dahua Technology").tokens
    assert tokens[0].cls == PLACE
    assert analyze("Harbin Institute of Technology").institutional


def test_person_analysis_keeps_words_and_drops_titles() -> None:
    tokens = [t.text for t in analyze("Mr Vladimir Putin", person=True).tokens]
    assert tokens == ["vladimir", "putin"]


def test_phonetic_key_merges_transliteration_variants() -> None:
    assert phonetic_key("mohammed") == phonetic_key("muhamad")
    assert phonetic_key("kyong") == phonetic_key("kyung")
    assert phonetic_key("smith") != phonetic_key("jones")


def test_list_entry_variants() -> None:
    variants = dict(name_variants("National University of Defense Technology (NUDT)"))
    assert variants["NUDT"] == "acronym"
    assert variants["National University of Defense Technology"] == "without-parentheses"
    parts = dict(
        name_variants(
            "Huawei Technologies Co., Ltd. (Huawei).  Affiliated Entity: Huawei Mobile Technology Ltd."
        )
    )
    assert parts["Huawei Mobile Technology Ltd"] == "part"
    # a parenthesised place is not an acronym of the name
    assert "Beijing" not in dict(
        name_variants("SMIC Northern Integrated Circuit Manufacturing (Beijing) Co., Ltd.")
    )


@pytest.mark.parametrize(
    ("name", "legal"),
    [
        ("CLOSED JOINT STOCK CO ABSOLUTBANK", "closed joint stock co"),  # a word of the form abbreviated
        ("ERA FUND LIMITED LIABILITY COMAPNY", "limited liability comapny"),  # a typo inside the form
        ("Aktsionenroe Obschestvo Yaltinskaya Kinostudiya", "aktsionenroe obschestvo"),  # swapped letters
        ("Albin Technologies SdnBhd.", "sdnbhd"),  # a multi-word form written as one word
    ],
)
def test_multi_word_legal_forms_survive_abbreviation_and_typos(name: str, legal: str) -> None:
    """A legal form written short or misspelt is still the legal form (near-zero weight), not two or
    three distinctive words that push the listed company under the threshold."""
    tokens = analyze(name).tokens
    assert [t.text for t in tokens if t.cls == LEGAL] == [legal]
    assert all(t.cls != LEGAL for t in tokens if t.text != legal)


def test_a_real_word_is_not_read_as_a_misspelt_legal_form() -> None:
    """Correction applies only to words one edit from a legal-form word and not themselves known words."""
    assert [t.cls for t in analyze("Limitless Liability Partners Fund").tokens][:1] != [LEGAL]


def test_a_number_run_onto_a_known_word_is_split() -> None:
    """ "1095Proprietary" is the number and the word; a model number ("A320", "3D") stays whole."""
    assert [t.text for t in analyze("Main Street 1095Proprietary Limited").tokens][:3] == [
        "main",
        "street",
        "1095",
    ]
    assert "a320" in [t.text for t in analyze("A320 Leasing Company").tokens]


def test_syllable_key_keeps_what_tells_short_names_apart() -> None:
    """Spellings of one name agree; names sharing only their consonants do not (see syllable_key)."""
    from chipguard.names.phonetic import syllable_key

    for a, b in (
        ("mohammed", "muhamad"),
        ("yusuf", "yousef"),
        ("hussein", "husayn"),
        ("rahman", "rehman"),
        ("schulze", "scholz"),
    ):
        assert syllable_key(a) == syllable_key(b), (a, b)
    for a, b in (
        ("chan", "cohen"),
        ("fayiz", "fawaz"),
        ("mahdi", "mahmoud"),
        ("kyong", "kwang"),
        ("htwe", "htet"),
    ):
        assert phonetic_key(a) == phonetic_key(b) and syllable_key(a) != syllable_key(b), (a, b)
