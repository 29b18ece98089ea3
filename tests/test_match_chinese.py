"""Chinese queries against the real CSL: enrichment aliases find brand-named firms by their Chinese
legal names, and a Chinese name contained in a listed one is not reported as that party."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipguard.match.screener import Screener, compare, han_core
from chipguard.sources import parse_file

_CSL = Path(__file__).resolve().parent.parent / "chipguard" / "data" / "lists" / "us_csl_2022-04.csv.gz"


@pytest.fixture(scope="module")
def cn_screener() -> Screener:
    return Screener([p for p in parse_file(_CSL).parties if {"CN", "HK"} & set(p.countries)])


def test_brand_named_firm_is_found_by_its_chinese_legal_name_and_brand(cn_screener: Screener) -> None:
    for query in ("杭州海康威视数字技术股份有限公司", "杭州海康威視數字技術股份有限公司", "海康威视"):
        hits = cn_screener.screen(query, kind="org", country="CN")
        assert hits and "HIKVISION" in hits[0].name.upper(), query
        assert hits[0].explanation["alias_kind"] == "enrichment"


def test_without_enrichment_the_brand_is_out_of_reach(cn_screener: Screener) -> None:
    originals = Screener(
        [p for p in parse_file(_CSL).parties if {"CN", "HK"} & set(p.countries)], enrich=False
    )
    assert not originals.screen("海康威视", kind="org", country="CN")


@pytest.mark.parametrize(
    ("query", "listed_core"),
    [
        ("西北大学", "西北工业大学"),  # Northwest University is not Northwestern Polytechnical University
        ("大华银行有限公司", "浙江大华技术"),  # UOB (a bank) is not Zhejiang Dahua Technology
    ],
)
def test_a_chinese_name_inside_a_listed_one_is_not_that_party(
    cn_screener: Screener, query: str, listed_core: str
) -> None:
    assert not [
        h for h in cn_screener.screen(query, kind="org", country="CN") if listed_core in h.matched_name
    ]


def test_a_chinese_name_inside_another_is_kept_apart_by_its_characters() -> None:
    """Through pinyin syllables 西北大学 is every word of 西北工业大学 (xi bei … da xue) and reaches the
    threshold; the character comparison is what keeps the two apart, and the explanation says so."""
    result = compare("西北大学", "西北工业大学", "org")
    penalty = [p for p in result.explanation["penalties"] if "characters" in p["reason"]]
    assert not result.match
    assert len(penalty) == 1 and penalty[0]["value"] < 0
    assert round(result.score - penalty[0]["value"], 4) >= result.explanation["threshold"]
    # the same name written in Traditional characters is the same name: no penalty
    assert compare("西北工業大學", "西北工业大学", "org").match


def test_han_core_drops_legal_forms_and_reads_traditional() -> None:
    assert han_core("杭州海康威視數字技術股份有限公司") == "杭州海康威视数字技术"
    assert han_core("Hikvision") == ""
