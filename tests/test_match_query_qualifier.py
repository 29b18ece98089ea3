"""A query's own parenthesised qualifier (issue 12, session 11): "Semiconductor Manufacturing International
(Beijing) Corporation" — a listed SMIC subsidiary on the Entity List — met the OFAC non-SDN record of its
parent "SEMICONDUCTOR MANUFACTURING INTERNATIONAL CORPORATION" at 1.000, confirmed, through the query's form
without the parentheses: a DENY on the parent's name for a subsidiary. The mirror of ``dropped_qualifier``
(a list name's qualifier the query lacks): the query's qualifier that the list name lacks costs
``dropped_qualifier_penalty`` (feature ``query_qualifier``, key ``dropped_qualifier_query``), so the record named with the qualifier ranks
first and the parent is a review. A qualifier naming the query's or the record's country ("Sensetime
(China)") says only where the firm is. Real records: CSL 2022-04 and the OFAC non-SDN list (enhanced XML,
2025-01-10); skipped without the shared data."""

from __future__ import annotations

from functools import cache

import pytest

from chipguard.match.screener import Screener, query_qualifier
from chipguard.model import Party
from tests.scorer_support import scorer_config_with

SMIC = "SEMICONDUCTOR MANUFACTURING INTERNATIONAL CORPORATION"


@cache
def _parties(path: str) -> list[Party]:
    from chipguard.sources import parse_file
    from tests.conftest import SHARED

    if not (SHARED / path).exists():
        pytest.skip("../shared/data is not present")
    return parse_file(SHARED / path).parties


@cache
def _screener(path: str) -> Screener:
    return Screener(_parties(path))


def _hits(path: str, query: str, country: str | None = "CN") -> list[tuple[str, float, str, list[str]]]:
    """(record name, score, strength, the features that fired) of each hit."""
    return [
        (h.name, h.score, h.strength, [f["feature"] for f in h.explanation["features"]])
        for h in _screener(path).screen(query, kind="org", country=country)
    ]


def _without_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scorer as it was before the key (matching_introduced.yml: false)."""
    scorer_config_with(monkeypatch, dropped_qualifier_query=False)


NON_SDN = "lists/ofac_cons_enhanced_2025-01-10.zip"
CSL = "lists/us_csl_2022-04.csv.gz"


def test_a_subsidiary_named_with_its_city_is_no_confirmation_of_the_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = "Semiconductor Manufacturing International (Beijing) Corporation"
    parent = [h for h in _hits(NON_SDN, query) if h[0] == SMIC]
    # the name without the qualifier now scores below the full name, whose unmatched place weighs
    assert parent and parent[0][2] == "potential" and 0.9 <= parent[0][1] < 0.95
    _without_rule(monkeypatch)
    before = [h for h in _hits(NON_SDN, query) if h[0] == SMIC]
    assert before and before[0][1] == 1.0 and before[0][2] == "confirmed"  # before: a DENY on the parent


def test_the_record_named_with_the_qualifier_ranks_first() -> None:
    hits = _hits(CSL, "Huawei Device (Shenzhen) Company Limited", country=None)
    assert hits[0][0] == "Huawei Device (Shenzhen) Co., Ltd." and hits[0][2] == "confirmed"
    parent = [h for h in hits if h[0] == "Huawei Device Co., Ltd."]
    assert parent and parent[0][2] == "potential" and "query_qualifier" in parent[0][3]


def test_a_qualifier_naming_the_country_says_only_where_the_firm_is() -> None:
    sensetime = [h for h in _hits(CSL, "Sensetime (China)") if h[2] == "confirmed"]
    assert sensetime and all("query_qualifier" not in h[3] for h in sensetime)
    assert query_qualifier("Sensetime (China)", "Sensetime", "SENSETIME GROUP LIMITED", {"CN"}) == []
    assert query_qualifier("Sensetime (Beijing)", "Sensetime", "SENSETIME GROUP LIMITED", {"CN"}) == [
        "beijing"
    ]
    # a qualifier the list name holds, or an acronym of the name, is no qualifier of the query's own
    assert query_qualifier("Acme (Beijing)", "Acme", "Beijing Acme Co., Ltd.", {"CN"}) == []
    assert (
        query_qualifier(
            "China General Nuclear Power Corporation (CGNPC)",
            "China General Nuclear Power Corporation",
            "CHINA GENERAL NUCLEAR POWER CORPORATION",
            {"CN"},
        )
        == []
    )


def test_only_the_qualifier_of_the_part_matched_counts() -> None:
    # the query names the listed parent exactly, then an affiliate whose "(Shenzhen)" is not the parent's
    query = "Huawei Technologies Co., Ltd. (Huawei).  Affiliated Entity: Huawei Terminal (Shenzhen) Co., Ltd."
    parent = [h for h in _hits(NON_SDN, query) if h[0] == "HUAWEI TECHNOLOGIES CO., LTD."]
    assert parent and parent[0][1] == 1.0 and parent[0][2] == "confirmed"
    assert (
        query_qualifier(query, "Huawei Technologies Co., Ltd", "HUAWEI TECHNOLOGIES CO., LTD.", {"CN"}) == []
    )
    assert query_qualifier(query, "Huawei Terminal Co., Ltd.", "Huawei Device Co., Ltd.", {"KY"}) == [
        "shenzhen"
    ]
    # … but a qualifier after the matched part's other parenthesised text or quotes is its own
    far_east = "Far East Trading Company, Inc. (a.k.a. FETCO, Inc.) (Hong Kong)"
    assert query_qualifier(far_east, "Far East Trading Company, Inc.", "FAR EAST TRADING COMPANY", set()) == [
        "hong",
        "kong",
    ]
    assert query_qualifier(
        "OOO Shipyard 'Zaliv' (Hong Kong)", "OOO Shipyard 'Zaliv'", "OOO SHIPYARD ZALIV", set()
    )


def _pattern_search(text: str, word: str, at: int) -> int:
    """Where the pattern _form_qualifiers compiled per word before finds it (-1: nowhere)."""
    import re

    found = re.compile(rf"\b{re.escape(word)}\b").search(text, at)
    return -1 if found is None else found.start()


def test_a_form_word_is_found_where_a_whole_word_pattern_finds_it() -> None:
    # _form_qualifiers finds each word of the form by string search, not by a pattern compiled per word:
    # the same place as the pattern on every word of every query form of the screening set, and on words
    # run into others, into digits, underscores, letters of other scripts and at the start position
    from bench.run import read_csv
    from chipguard.match.pairs import _WORD_RE, _whole_word_at
    from chipguard.match.screener import query_forms
    from tests.conftest import SHARED

    cases = [
        ("ab abc abcd_ab ab", "ab", 0),
        ("ab abc abcd_ab ab", "ab", 1),
        ("xab ab", "ab", 1),
        ("_ab ab1 ab", "ab", 0),
        ("北京ab ab", "ab", 0),
        ("é-ab abé ab", "ab", 0),
        ("ab²ab ab", "ab", 0),
        ("7 77 777", "77", 0),
        ("a", "a", 1),
        ("huawei (huawei) huawei", "huawei", 3),
    ]
    path = SHARED / "bench/screening_queries.csv"
    if path.exists():  # (without ../shared/data: the cases above alone)
        listed = len(cases)
        for row in read_csv(path)[::3]:
            text = row["name"].casefold()
            for form in query_forms(row["name"]):
                for word in _WORD_RE.findall(form.text.casefold()):
                    cases += [(text, word, at) for at in (0, len(text) // 2)]
        assert len(cases) > listed
    for text, word, at in cases:
        assert _whole_word_at(text, word, at) == _pattern_search(text, word, at), (text, word, at)
