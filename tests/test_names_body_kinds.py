"""Kinds of body (University / College / Institute / Academy / School): one Chinese word (学院) is
registered under any of them, so a translated query aligns them as near-equivalents; between two
English names the kind stays a difference."""

from __future__ import annotations

from chipguard import compare
from chipguard.match.score import score_analyses
from chipguard.match.screener import query_forms
from chipguard.names.analysis import analyze


def test_translated_college_meets_listed_university_kind() -> None:
    # 新疆警察学院 is listed in CSL 2022-04 as "Xinjiang Police College"; the word-by-word form says University
    zh_en = next(f for f in query_forms("新疆警察学院") if f.method == "zh-en")
    assert zh_en.text == "Xinjiang Police University" and zh_en.anchors is not None
    listed = analyze("Xinjiang Police College")
    translated = score_analyses(zh_en.org, listed, person=False, anchors=zh_en.anchors)
    plain = score_analyses(zh_en.org, listed, person=False)
    assert translated.score >= 0.8 > plain.score
    assert any(p.how == "kind of body" for p in translated.pairs)


def test_english_names_keep_their_kind() -> None:
    # two different universities, both real: not one another
    result = compare("Beijing Institute of Technology", "Beijing University of Technology", kind="org")
    assert not result.match, result.explanation
    assert all(p["how"] != "kind of body" for p in result.explanation["alignment"])
