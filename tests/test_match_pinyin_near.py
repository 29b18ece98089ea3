"""A Chinese trade name meets a listed English name through a near word only when nothing says the two are
other firms (issue 12, session 10: real unlisted Chinese companies flagged on a listed firm whose English
name is one letter or one sound away). Two rules, each with its key in matching.yml:

- ``name_score.pinyin_other_syllables``: a translated (Chinese) query's pinyin word and a list word that
  both read as two pinyin syllables or more, neither starting the other, are other trade names —
  冠昊 "Guanhao" is not a typo of HEBEI HUANHAO BIOTECHNOLOGY's "Huanhao" (环昊 or another): the query's
  pinyin is spelt from its characters. A typed English query keeps the typo ("Huaawei").
- ``strength.approximate_brand_conflict``: a Chinese query whose brand met the record's English name only
  by a near word (a sound-alike, a typo) while none of the record's own Chinese names holds the brand —
  旷达科技 "Kuangda" sounds like Kyland Technology, whose Chinese name is 北京东土科技 — is weak.

Real records of CSL 2022-04 (with the curated Chinese names the screener adds), skipped without the
shared data."""

from __future__ import annotations

from functools import cache

import pytest

from chipguard.match import evidence
from chipguard.match.score import token_similarity
from chipguard.match.screener import Screener
from chipguard.names.analysis import analyze
from chipguard.names.pinyin_sound import other_pinyin_name, pinyin_syllables
from tests.csl_support import csl_2022_parties
from tests.scorer_support import scorer_config_with


@cache
def _screener() -> Screener:
    return Screener(csl_2022_parties())


def _hits(query: str, listed: str) -> list[tuple[float, str]]:
    """(score, strength) of the hits whose primary name starts with ``listed``."""
    return [
        (h.score, h.strength)
        for h in _screener().screen(query, kind="org", country="CN")
        if h.name.startswith(listed)
    ]


def _token(word: str):  # noqa: ANN202 - a Token of the analysis
    return analyze(word, False).tokens[0]


def test_pinyin_words_one_syllable_apart_are_other_names() -> None:
    assert pinyin_syllables("guanhao") == ("guan", "hao")
    assert other_pinyin_name("guanhao", "huanhao") and other_pinyin_name("haite", "haitian")
    # a word starting the other (a brand registered by its head), and words that are not pinyin, are not
    assert not other_pinyin_name("zhongxing", "zhongxin") and not other_pinyin_name("sinnet", "sinonet")
    # the same consonants, a vowel moved: a registered English name imitating the sound (得润 Derun, DEREN)
    assert not other_pinyin_name("derun", "deren") and not other_pinyin_name("sanfu", "sanfo")
    a, b = _token("guanhao"), _token("huanhao")
    assert token_similarity(a, b, False, translated=True) == (0.0, "")
    assert token_similarity(a, b, False, translated=False)[1] == "typo"  # typed: may be a typo


def test_a_chinese_trade_name_one_syllable_off_no_longer_alerts(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not [h for h in _hits("冠昊生物科技股份有限公司", "HEBEI HUANHAO") if h[1] != "weak"]
    scorer_config_with(monkeypatch, pinyin_other_syllables=False)
    assert [h for h in _hits("冠昊生物科技股份有限公司", "HEBEI HUANHAO") if h[1] == "potential"]  # before


def test_a_near_brand_against_the_records_own_chinese_name_is_weak(monkeypatch: pytest.MonkeyPatch) -> None:
    for query, listed in (("旷达科技集团股份有限公司", "Kyland"), ("河钢股份有限公司", "Higon")):
        found = _hits(query, listed)
        assert found and all(strength == "weak" for _, strength in found), query
    monkeypatch.setitem(evidence.config(), "approximate_brand_conflict", False)
    assert [h for h in _hits("旷达科技集团股份有限公司", "Kyland") if h[1] == "potential"]  # before


def test_the_firm_itself_still_alerts() -> None:
    """Kyland's own Chinese names, and an English typo of a listed name, still find the record."""
    for query, listed in (
        ("北京东土科技股份有限公司", "Kyland"),
        ("东土科技", "Kyland"),
        ("海光信息技术有限公司", "Higon"),
        ("Huaawei Technologies Co., Ltd.", "Huawei Technologies"),
    ):
        assert [h for h in _hits(query, listed) if h[1] != "weak"], query


def test_the_letters_of_two_names_one_pinyin_trade_name_apart_are_no_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """深圳市佳士科技 (Jasic, SZSE) against SHENZHEN JIASIBO TECHNOLOGY (OFAC SDN 2024-05): the letters are
    0.94 alike because region, industry and legal form are the same; the one word left on each side is
    another pinyin trade name (jia|shi / jia|si|bo), so the character rule does not apply. The firm's own
    name still meets it."""
    from chipguard.sources import parse_file
    from tests.conftest import SHARED

    path = SHARED / "lists/ofac_sdn_2024-05-03.csv"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    parties = [p for p in parse_file(path).parties if "JIASIBO" in p.name]
    assert parties

    def hits(query: str) -> list[str]:
        found = Screener(parties).screen(query, kind="org", country="CN")
        return [h.strength for h in found]

    assert hits("深圳市佳士科技股份有限公司") == []
    assert hits("深圳市佳思博科技有限公司") == ["confirmed"]
    scorer_config_with(monkeypatch, pinyin_other_syllables=False)
    assert hits("深圳市佳士科技股份有限公司") == ["potential"]  # before: the character rule
