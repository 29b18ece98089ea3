"""A numbered body's number is a number in every Latin reading of its Chinese name (issue 12, session 12):
第七一〇研究所 is read "710" in the pinyin readings too, not digit by digit ("qi yi ling"), which made the
number a bag of pinyin words — the CSSC 710th institute's Chinese name met the 701st's exactly (1.000,
confirmed) and the 711th, 716th, 717th, 760th as potential hits. Read as numbers, two institutes' numbers
clash (``number_clash_penalty``) as they do in English. Real records: CSL 2022-04 (the curated Chinese
names of CSSC's and CETC's institutes), skipped without the shared data."""

from __future__ import annotations

from functools import cache

import pytest
from csl_support import csl_2022_parties

from chipguard.match.screener import Screener
from chipguard.names.chinese import renderings
from tests.scorer_support import scorer_config_with


def test_the_pinyin_readings_keep_the_number() -> None:
    by_method = {r.method: r.text for r in renderings("中国船舶集团有限公司第七一〇研究所")}
    assert by_method["pinyin"] == "Zhongguo Chuanbo Jituan Youxian Gongsi 710 Yanjiusuo"
    assert "710" in by_method["pinyin-syllables"].split()
    assert "710th" in by_method["zh-en"]
    # 十四 is fourteen, not one-four
    assert (
        "14" in {r.method: r.text for r in renderings("中国电子科技集团公司第十四研究所")}["pinyin"].split()
    )


@cache
def _screener() -> Screener:
    return Screener(csl_2022_parties())


def test_an_institute_does_not_meet_its_neighbours_by_number() -> None:
    for query in ("中国船舶集团有限公司第七一〇研究所", "中国船舶重工集团公司第七一〇研究所"):
        hits = _screener().screen(query, kind="org", country="CN")
        institutes = [h.name for h in hits if "Research Institute" in h.name]
        assert institutes == ["China State Shipbuilding Corporation, Limited (CSSC) 710th Research Institute"]
        assert hits[0].strength == "confirmed"


def test_an_unlisted_institute_does_not_meet_a_listed_one_letter_by_letter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The character rule (two names alike letter by letter) does not join two numbered bodies whose
    numbers differ (name_score.numbered_body_numbers): CSSC's 721st institute is not on CSL 2022-04."""

    query = "中国船舶集团有限公司第七二一研究所"
    assert [h for h in _screener().screen(query, kind="org", country="CN") if h.strength != "weak"] == []
    scorer_config_with(monkeypatch, numbered_body_numbers=False)
    before = Screener(csl_2022_parties()).screen(query, kind="org", country="CN")
    assert any(h.name.endswith("711th Research Institute") and h.strength == "potential" for h in before)
