"""A person's name whose parts sound as the query's, in any order, is scored however many names holding one
part as written fill the candidate limit (issue 12 item 5: no limit or floor removes a record that would
pass on its own).

"Mahamed Mostafa" pairs every part of "MUHAMMAD, Mustafa" (a name of KHAN, Mustafa Hajji Muhammad, CSL
2022-04) by sound or one edit, 0.85, yet shares only the parts' phonetic keys with it, while "ABDEL HAMID,
Mostafa Mohamed", "FARAG, Mostafa Mohamed" … hold "Mostafa" as written: it ranked 26th and was lost
(bench/retrieval.py, screening_queries). "SAEED, Muhammad" (OFAC SDN 2024) lost "SA'ID, Mohamed" (0.80)
so. matching.yml ``candidates_person_sound_bag`` scores every name of the query's parts' sounds
(``sound_bag_key``).

Real list names (CSL 2022-04), skipped without the shared data."""

from __future__ import annotations

import pytest
from csl_support import csl_2022_parties, csl_2022_screener, csl_2022_screeners
from scorer_support import scorer_config_with

from chipguard.match.index import sound_bag_key
from chipguard.match.screener import Screener
from chipguard.names.analysis import analyze


def _record_of(name: str) -> str:
    """The party id of the CSL record listing ``name``."""
    return next(
        str(p.party_id) for p in csl_2022_parties() if any(alias.name == name for alias in p.all_names())
    )


def _cases() -> dict[str, tuple[str, str]]:
    return {
        "Mahamed Mostafa": ("12890", "MUHAMMAD, Mustafa"),
        "SAEED, Muhammad": (_record_of("SA'ID, Mohamed"), "SA'ID, Mohamed"),
    }


def _hits(screener: Screener, query: str) -> dict[str, float]:
    """party id → score of every record a query hits (and those collapsed into a hit)."""
    found: dict[str, float] = {}
    for h in screener.screen(query, limit=500):
        for party_id in (h.party_id, *h.explanation.get("duplicates", ())):
            found[str(party_id)] = h.score
    return found


def test_a_name_of_the_same_sounds_is_scored() -> None:
    built, mapped = csl_2022_screeners()
    for screener in (built, mapped):
        for query, (party_id, _name) in _cases().items():
            found = _hits(screener, query)
            assert found.get(party_id, 0.0) >= screener.threshold, (query, found)


def test_without_the_key_it_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases()
    scorer_config_with(monkeypatch, candidates_person_sound_bag=False)
    old = Screener(csl_2022_parties())
    for query, (party_id, _name) in cases.items():
        assert party_id not in _hits(old, query), query


def test_the_key_is_the_parts_sounds_in_any_order() -> None:
    def key(name: str, person: bool = True) -> str:
        return sound_bag_key(analyze(name, person))

    assert key("Mahamed Mostafa") == key("MUHAMMAD, Mustafa") == key("Mustafa Muhammad") == "o:md|mstf"
    # every part counts: a third part, or one part, is another key or none
    assert key("KHAN, Mustafa Hajji Muhammad") != key("Mahamed Mostafa")
    assert key("Mustafa") == ""
    # an organisation's name has none
    assert key("Mustafa Muhammad Trading", person=False) == ""
    # the entries found are the query's key's, none already chosen
    index = csl_2022_screener().index
    query = analyze("Mahamed Mostafa", True)
    found = index._sound_bag(query, [])
    assert found and all(sound_bag_key(index.entries[eid].analysis) == "o:md|mstf" for eid in found)
    assert index._sound_bag(query, found) == []
