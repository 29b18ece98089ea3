"""A list name that is a symbol the query spells out is scored, however many longer names fill the candidate
limit (issue 12 item 5: no limit or floor removes a record that would pass on its own).

"Islamic Revolutionary Guard Corps (IRGC) Aerospace Force Self-Sufficiency Jihad Organization (ASF SSJO)"
spells out the symbol IRGC (symbols.yml), and the scorer's symbol rule scores a list name that is "IRGC"
alone 0.88 against it. That name shares one key with the query, while the CSL's many IRGC branches share
most of its words: it ranked past the candidate limit (92nd), and the four records listing it were lost
(bench/retrieval.py, big_families). matching.yml ``candidates_symbol_names`` scores those names.

Real list names (CSL 2022-04), skipped without the shared data."""

from __future__ import annotations

import pytest
from csl_support import csl_2022_parties, csl_2022_screener, csl_2022_screeners
from scorer_support import scorer_config_with

from chipguard.match.screener import Screener
from chipguard.names.analysis import analyze

# queries as listed (the first a big_families row, the second the name of another IRGC record)
QUERIES = (
    "Islamic Revolutionary Guard Corps (IRGC) Aerospace Force Self-Sufficiency Jihad Organization (ASF SSJO)",
    "ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE",
)
# records listing "IRGC" as a name of their own (an alias or their name's acronym): (party id, their name)
IRGC_RECORDS = {
    "10391": "ISLAMIC REVOLUTIONARY GUARD CORPS",
    "10465": "ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE",
    "4c46c36356cdbd18a9b64318552a7e8158969ebd": "Islamic Revolutionary Guard Corps (IRGC)",
    "841a96428f2e1d84f3f74a630660841029798336": "Islamic Revolutionary Guard Corps",
}


def _symbol_hits(screener: Screener, query: str) -> dict[str, float]:
    """The records a query hits by the symbol rule on a list name "IRGC" (a record's name, or the acronym
    a record's name gives in parentheses; and the records collapsed into such a hit as the same name
    listed again): party id → score."""
    found: dict[str, float] = {}
    for h in screener.screen(query, kind="org", limit=500):
        explanation = h.explanation
        if explanation["compared"]["list"] == "irgc" and explanation["features"][0]["feature"] == "symbol":
            for party_id in (h.party_id, *explanation.get("duplicates", ())):
                found[str(party_id)] = h.score
    return found


def _others(query: str) -> set[str]:
    """The IRGC records but the query's own (which it hits by its words, at 1.0)."""
    return {party_id for party_id, name in IRGC_RECORDS.items() if name.casefold() != query.casefold()}


def test_a_name_that_is_the_querys_symbol_is_scored() -> None:
    built, mapped = csl_2022_screeners()
    for screener in (built, mapped):
        for query in QUERIES:
            found = _symbol_hits(screener, query)
            assert _others(query) <= set(found), (query, found)
            assert all(score >= screener.threshold for score in found.values())
            # the query's own record still first, at 1.0
            first = screener.screen(query, kind="org", limit=1)[0]
            assert first.name.casefold() == query.casefold() and first.score == 1.0


def test_without_the_key_they_are_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    parties = csl_2022_parties()
    scorer_config_with(monkeypatch, candidates_symbol_names=False)
    old = Screener(parties)
    for query in QUERIES:
        assert not _others(query) & set(_symbol_hits(old, query)), query


def test_only_names_that_are_a_symbol_of_the_query() -> None:
    index = csl_2022_screener().index
    query = analyze(QUERIES[0], False)
    assert query.symbol_keys == {"irgc"}
    found = index._symbol_names(query, [])
    # the names that are the symbol alone ("IRGC", or a name's acronym in parentheses), not those holding
    # it beside other words
    assert found
    assert all([t.canon for t in index.entries[eid].analysis.significant] == ["irgc"] for eid in found)
    assert "IRGC" in {index.entries[eid].alias for eid in found}
    # none twice, none already chosen
    assert len(set(found)) == len(found)
    assert index._symbol_names(query, found) == []
    # a query spelling out no symbol has none
    assert analyze("Aerospace Industries Organization", False).symbol_keys == frozenset()
