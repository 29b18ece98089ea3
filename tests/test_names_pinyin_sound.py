"""Pinyin trade names and the English coined names that imitate their sound."""

from __future__ import annotations

import pytest

from chipguard import compare
from chipguard.match.config import company_words
from chipguard.match.index import deletion_map_of, sound_probes
from chipguard.names.pinyin_sound import is_pinyin, skeleton, sounds_alike, sounds_alike_keyed


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


def test_words_found_by_their_sound_are_judged_as_sounds_alike_judges_them() -> None:
    """Retrieval judges the list words it finds under a pinyin word's sound keys by sounds_alike_keyed,
    which leaves out the tests such words pass by how they were found (not pinyin, a skeleton long
    enough): the same answer as sounds_alike, on the company-name corpus' words and the English names
    above (another first letter under the same key included: "xinwei" / "sunway")."""
    _names, corpus = company_words()
    english = {"refond", "yonker", "rainbow", "beingmate", "sunway", "huawei", "lion", "hikvision", "leyard"}
    table = deletion_map_of({w for w in corpus if w.isalpha()} | english)
    pinyin = ("ruifeng", "yongqing", "runbang", "beiyinmei", "xinwei", "haikang", "liyade", "xinda", "huawei")
    compared = alike = 0
    for word in pinyin:
        for probe in sound_probes(word):
            for found in table.get(probe, ()):
                compared += 1
                alike += sounds_alike(word, found)
                assert sounds_alike_keyed(word, found) == sounds_alike(word, found), (word, found)
    assert alike >= 5 and compared > alike
