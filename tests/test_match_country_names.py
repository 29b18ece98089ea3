"""Every country's own names are country words (issue 12 item 5): chipguard/data/names/country_names.yml,
made from ISO 3166-1 and the Unicode CLDR by tools/build_country_names.py. A listed subsidiary abroad
named by its parent's trade name and its country ("Huawei Technologies Jamaica Company Limited") trades
as its parent, not as "Huawei Jamaica", so a query for the parent meets its record."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from chipguard.match.evidence import country_of_word
from chipguard.match.screener import Screener, latin_core_name
from chipguard.names import vocab as vocab_module
from chipguard.names.analysis import COUNTRY, analyze
from tests.csl_support import csl_2022_parties


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("jamaica", "JM"),  # English short names the hand list lacked
        ("madagascar", "MG"),
        ("deutschland", "DE"),  # endonyms
        ("madagasikara", "MG"),
        ("osterreich", "AT"),  # cleaned as names are ("Österreich")
        ("syrian", "SY"),  # the hand list's adjectives still count
    ],
)
def test_a_country_name_names_its_country(word: str, code: str) -> None:
    assert country_of_word(word) == code


@pytest.mark.parametrize(
    "name",
    [
        "Huawei Technologies Jamaica Company Limited",
        "Huawei Technologies Deutschland GmbH",
        "Huawei Technologies Madagascar Sarl",
    ],
)
def test_a_subsidiary_abroad_trades_under_its_parents_name(name: str) -> None:
    assert latin_core_name(name) == "huawei"
    # the scorer's token classes are the vocabulary's hand list, unchanged: no score moves
    assert not [t for t in analyze(name, False).tokens if t.cls == COUNTRY]


def test_an_archived_vocabulary_without_the_file_reads_no_country_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = dict(vocab_module.vocabulary())
    data.pop("country_names_file")
    monkeypatch.setattr(vocab_module, "vocabulary", lambda: data)
    vocab_module.country_names.cache_clear()
    try:
        assert vocab_module.country_names() == {}
    finally:
        monkeypatch.undo()
        vocab_module.country_names.cache_clear()
    assert vocab_module.country_names()["jamaica"] == "JM"


@cache
def csl(shared: Path, enrich: bool) -> Screener:
    return Screener(csl_2022_parties(), enrich=enrich)


SUBSIDIARIES_ABROAD = {
    "Huawei Technologies Jamaica Company Limited",
    "Huawei Technologies Deutschland GmbH",
    "Huawei Technologies Madagascar Sarl",
}


def test_a_parents_trade_name_finds_its_subsidiaries_abroad(shared: Path) -> None:
    # each trades as "Huawei" (it traded as "Huawei Jamaica", "Huawei Deutschland" …, which the query
    # "Huawei" never met): matched on its trade name, as the group's other records are
    hits = {h.name: h for h in csl(shared, True).screen("Huawei", kind="org", limit=500)}
    assert set(hits) >= SUBSIDIARIES_ABROAD
    for name in SUBSIDIARIES_ABROAD:
        assert hits[name].explanation["alias_part"] == "core"


def test_a_translated_parent_query_loses_no_record_of_its_group(shared: Path) -> None:
    """A Chinese parent name translated word by word meets a hundred records of its group; the shipped
    retrieval returns every one that clears the threshold, as scoring every record does (issue 12 item
    5). Until name_score.translated_country_is_region, 华为技术投资 (Huawei Technologies Investment) also
    met the group's subsidiaries abroad at 0.846, a country's own name being lowered as a possible
    synonym; they now score 0.72, under the threshold, as the English query's pairs do. (That query
    still loses one record to retrieval, "Huawei Technologies Dusseldorf GmbH" 0.846: bench.retrieval's
    big_families.)"""
    from bench.retrieval import exhaustive

    query = "华为技术有限公司"
    screener = csl(shared, False)  # without the curated Chinese names: met only through the translation
    shipped = {h.name: h.score for h in screener.screen(query, kind="org", limit=500)}
    with exhaustive(screener):
        full = {h.name: h.score for h in screener.screen(query, kind="org", limit=500)}
    assert len(full) >= 40
    assert shipped == full


def test_a_parent_query_in_either_script_leaves_its_subsidiaries_abroad_under_the_threshold(
    shared: Path,
) -> None:
    """The parent's name in English or in Chinese: its subsidiaries abroad add their country, a region
    the parent's name lacks, so neither script's query alerts on them (the Chinese query did, at 0.872,
    while a country's own name was lowered as a possible synonym)."""
    screener = csl(shared, False)
    for query in ("Huawei Technologies Co., Ltd.", "华为技术有限公司", "华为技术投资有限公司"):
        hits = {h.name.upper() for h in screener.screen(query, kind="org", limit=500)}
        assert "HUAWEI TECHNOLOGIES CO., LTD." in hits
        assert not hits & {name.upper() for name in SUBSIDIARIES_ABROAD}, query
