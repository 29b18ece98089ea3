"""A lone letter of an organisation's name weighs less in retrieval (issue 12 item 5: no relative floor
removes a record that would pass on its own).

"Huawei Technolo gies R&D UK" (screening_queries) is read with the words "r" and "d": rare as words on the
lists, so retrieval weighed each more than "Huawei", and Huawei Technologies (UK) Co., Ltd. (0.922 on its
own), holding every word of the query but the two letters, ranked 3rd under the floor of the exact record
and under the relaxed floor the letters set. An abbreviation's letters ("R&D", "A.S.P.") are not what tells
a firm apart: matching.yml ``retrieval.single_letter`` weighs them as a generic word. The same on other
entities (UN consolidated / OFAC SDN organisation names with " R&D" added after their first word, against
CSL 2022-04): DAEWON INDUSTRIES for "DAEWON R&D INDUSTRIES", MAKIN INSTITUTE for "MAKIN R&D INSTITUTE".
A person's initial keeps its weight, and so does a letter a hyphen joins to a word: the E of "E-science" is
the word's own (session 21 weighed it as an initial, and "E-science Co., Ltd." — bench.evasion's Beijing
E-science Co., Ltd. with its leading place dropped — lost its record, 0.818 on its own; the rule was
reverted until the analysis said which letters stood alone, chipguard.names.analysis.hyphenated_letters).
Real list names, skipped without the shared data."""

from __future__ import annotations

import pytest
from csl_support import csl_2022_parties, csl_2022_screener
from scorer_support import scorer_config_with

from chipguard.match.config import scorer_config
from chipguard.match.screener import Screener
from chipguard.names.analysis import analyze, hyphenated_letters

# query → the CSL name it finds only through the rule
CASES = {
    "Huawei Technolo gies R&D UK": "Huawei Technologies (UK) Co., Ltd.",
    "DAEWON R&D INDUSTRIES": "DAEWON INDUSTRIES",
    "MAKIN R&D INSTITUTE": "MAKIN INSTITUTE",
}


def _names(screener: Screener, query: str) -> set[str]:
    return {h.name for h in screener.screen(query, kind="org", limit=500)}


def test_a_record_lacking_the_letters_is_found() -> None:
    csl = csl_2022_screener()
    for query, name in CASES.items():
        assert name in _names(csl, query), query


def test_weighed_as_words_the_letters_lose_it(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, key_single_letter=1.0)
    csl = Screener(csl_2022_parties())
    for query, name in CASES.items():
        assert name not in _names(csl, query), query


def test_only_an_organisations_letters(monkeypatch: pytest.MonkeyPatch) -> None:
    index = csl_2022_screener().index
    shipped = scorer_config().key_single_letter
    assert shipped < 1.0
    org, person = analyze("Huawei Technologies R&D UK", False), analyze("R D SMITH", True)
    org_keys, person_keys = index.query_keys(org), index.query_keys(person)
    scorer_config_with(monkeypatch, key_single_letter=1.0)
    assert org_keys["t:r"] == pytest.approx(shipped * index.query_keys(org)["t:r"])
    assert org_keys["t:huawei"] == index.query_keys(org)["t:huawei"]
    assert person_keys == index.query_keys(person)


def test_hyphened_letters_are_told_from_lone_ones() -> None:
    assert hyphenated_letters("E-science Co., Ltd.") == {"e"}
    assert hyphenated_letters("STROYTRANSGAZ-M R&D LLC") == {"m"}
    assert hyphenated_letters("Huawei Technologies R&D UK") == frozenset()
    assert hyphenated_letters("M. D. S. IMPORT EXPORT") == frozenset()
    assert hyphenated_letters("A-B-C Trading") == frozenset()  # letters hyphened to letters: initials
    # a Cyrillic E and an invisible space, read as the analysis reads them
    assert hyphenated_letters("\u0415\u200b-science") == {"e"}


def test_a_letter_hyphened_to_a_word_keeps_its_weight(monkeypatch: pytest.MonkeyPatch) -> None:
    csl = csl_2022_screener()
    index = csl.index
    hyphened, apart = analyze("E-science Co., Ltd.", False), analyze("E science Co., Ltd.", False)
    # the two read alike, only the hyphen tells the letter's part
    assert [t.text for t in hyphened.tokens] == [t.text for t in apart.tokens]
    shipped_keys, apart_keys = index.query_keys(hyphened), index.query_keys(apart)
    # the record is found; weighed as an initial (the E written apart), it is lost
    assert "Beijing E-science Co., Ltd." in _names(csl, "E-science Co., Ltd.")
    assert "Beijing E-science Co., Ltd." not in _names(csl, "E science Co., Ltd.")
    scorer_config_with(monkeypatch, key_single_letter=1.0)
    assert shipped_keys["t:e"] == index.query_keys(hyphened)["t:e"]
    assert apart_keys["t:e"] < index.query_keys(apart)["t:e"]
