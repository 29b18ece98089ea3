"""Pinyin trade names and the English coined names that imitate their sound."""

from __future__ import annotations

import pytest

from chipguard import compare
from chipguard.names.pinyin_sound import is_pinyin, skeleton, sounds_alike


@pytest.mark.parametrize(
    ("pinyin", "english"),
    [("ruifeng", "refond"), ("yongqing", "yonker"), ("runbang", "rainbow"), ("beiyinmei", "beingmate")],
)
def test_registered_names_that_imitate_the_sound(pinyin: str, english: str) -> None:
    assert sounds_alike(pinyin, english)


@pytest.mark.parametrize(
    ("pinyin", "other"),
    [
        ("xinwei", "sunway"),  # another first letter: left to other evidence
        ("haikang", "huawei"),  # different consonants
        ("tianci", "tianjin"),  # both pinyin: that is a spelling comparison, not a sound one
        ("lian", "lion"),  # too short to tell
    ],
)
def test_other_pairs_do_not_sound_alike(pinyin: str, other: str) -> None:
    assert not sounds_alike(pinyin, other)


def test_pinyin_reading_and_skeleton() -> None:
    assert is_pinyin("haikangweishi") and not is_pinyin("hikvision")
    assert skeleton("leyard") == skeleton("liyade")  # the English r before a consonant is not said


def test_sound_alike_counts_only_for_a_translated_chinese_name() -> None:
    """江苏润邦重工 is registered as Jiangsu Rainbow Heavy Industries: the Chinese name meets it; two
    English names "Runbang" and "Rainbow" stay different companies."""
    chinese = compare("江苏润邦重工股份有限公司", "Jiangsu Rainbow Heavy Industries Co., Ltd.", "org")
    assert chinese.match
    assert any(p["how"] == "sounds alike" for p in chinese.explanation["alignment"])
    assert not compare("Jiangsu Runbang Heavy Industries", "Jiangsu Rainbow Heavy Industries", "org").match
