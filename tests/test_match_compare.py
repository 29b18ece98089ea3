"""compare(): the pairwise scorer on positive and negative pairs, its explanation and the threshold."""

from __future__ import annotations

import json

import pytest

from chipguard import compare
from chipguard.names.data import default_threshold, matching_config


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES COMPANY LIMITED", "org"),
        ("Semiconductor Mfg Intl Corp", "Semiconductor Manufacturing International Corporation", "org"),
        ("Rosoboronexpotr", "Rosoboronexport", "org"),  # transposition typo
        ("Luoyang Weimi Optics", "Luoyangweimi Optics", "org"),  # spacing
        ("Vladimir Putin", "PUTIN, Vladimir", "person"),  # reordered
        ("V. Putin", "PUTIN, Vladimir", "person"),  # initial
        ("Hasan Nasrallah", "NASRALLAH, Hasan", "person"),
        ("Megvii Technology", "MEGVII TECHNOLOGY LIMITED", None),  # legal form dropped
        (
            "Ali Saed Bin Ali EL-HOORIE",
            "EL-HOORIE, Ali Saed Bin Ali",
            "person",
        ),  # list order, same patronymic
        ("Y. Ali MURAJ", "MURAJ, Yousef Ali", "person"),  # a single-letter initial
    ],
)
def test_positive_pairs_match(a: str, b: str, kind: str | None) -> None:
    result = compare(a, b, kind=kind)
    assert result.match, (a, b, result.score, result.explanation)


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("Harbin Institute of Technology", "Beijing Institute of Technology", "org"),
        (
            "China Electronics Technology Group 715th Research Institute",
            "China Electronics Technology Group 716th Research Institute",
            "org",
        ),
        ("Tianjin Normal University", "Tianjin University", "org"),
        ("Octavian Scholz", "Olaf Scholz", "person"),
        ("Mahan Air", "Iran Air", "org"),
        ("Anna Ibrahim", "AL-BANNA, Ibrahim", "person"),
        ("Ahmad bin Hasan al-Ubaidi", "Hasan bin Ahmad al-Ubaidi", "person"),  # father and son swapped
    ],
)
def test_negative_pairs_do_not_match(a: str, b: str, kind: str | None) -> None:
    result = compare(a, b, kind=kind)
    assert not result.match, (a, b, result.score, result.explanation)


def test_explanation_says_what_matched_and_why() -> None:
    result = compare("Huаwei Tech Co Ltd", "Huawei Technologies Co., Ltd.")  # Cyrillic "а"
    exp = result.explanation
    json.dumps(exp)  # JSON-able
    assert "homoglyphs-mapped-to-latin" in exp["normalisations"]["a"]
    hows = {(p["query"], p["candidate"]): p["how"] for p in exp["alignment"]}
    assert hows[("huawei", "huawei")] == "exact"
    assert hows[("tech", "technologies")] == "equivalent"
    # the distinctive word weighs more than the generic one and the legal form
    weights = {p["query"]: p["weight"] for p in exp["alignment"]}
    assert weights["huawei"] > weights["tech"] > weights["co ltd"]


def test_number_clash_is_explained() -> None:
    result = compare("CETC 715th Research Institute", "CETC 716th Research Institute")
    assert any("numbers differ" in p["reason"] for p in result.explanation["penalties"])


def test_threshold_is_data_and_overridable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_threshold() == pytest.approx(float(matching_config()["threshold"]))
    monkeypatch.setenv("CHIPGUARD_MATCH_THRESHOLD", "0.99")
    assert default_threshold() == pytest.approx(0.99)
    near = compare("Rosoboronexpotr", "Rosoboronexport")
    assert 0.8 < near.score < 0.99 and not near.match
    assert compare("Rosoboronexpotr", "Rosoboronexport", threshold=0.8).match


def test_one_chinese_character_is_not_a_typo() -> None:
    """北京化工大学 (Beijing University of Chemical Technology) is not 北京理工大学 (Beijing Institute of
    Technology, listed in CSL 2022-04): each character is a word, so no typo tolerance on Han text."""
    from chipguard.match.score import token_similarity
    from chipguard.names.analysis import analyze

    a, b = analyze("北京化工大学").tokens[0], analyze("北京理工大学").tokens[0]
    assert token_similarity(a, b, False) == (0.0, "")
    assert not compare("北京化工大学", "北京理工大学", kind="org").match


def test_translated_words_may_be_synonyms_of_the_registered_ones() -> None:
    """海洋 is "Ocean" word by word and "Marine" in the registered English name: a translated Chinese name
    aligns the two, in either argument order; two English names keep Ocean and Marine apart."""
    zh, en = "国家海洋环境预报中心", "National Marine Environmental Forecasting Center"
    forward, backward = compare(zh, en, "org"), compare(en, zh, "org")
    assert forward.match and backward.match
    assert forward.score == backward.score
    hows = {p["how"] for p in forward.explanation["alignment"]}
    assert "translation synonym" in hows
    assert not compare("China Ocean Shipping Company", "China Marine Shipping Company", "org").match


def test_a_translated_place_is_not_a_typo_of_another_place() -> None:
    """湛江 (Zhanjiang) and 浙江 (Zhejiang) are two places a letter apart: a Chinese name spelt from its
    characters is not mistyped, so 湛江师范学院 does not meet Zhejiang Normal University; a typed English
    query still gets typo tolerance on places."""
    assert not compare("湛江师范学院", "Zhejiang Normal University", "org").match
    assert compare("湛江师范学院", "Zhanjiang Normal University", "org").match
    assert compare("Zhejang Normal University", "Zhejiang Normal University", "org").match
