"""A near match on a weak alias (issue 12, session 11). A weak alias is the list's own word for a name too
broad to identify (OFAC's "weak AKA", the UN's "low quality" alias). "MOALIM, Mahad" (a person listed on
CSL 2022-04, of Somalia) met the SDN person ADEN, Mohamoud Abdi (Kenya) through his weak alias "MAHADI,
Moalim" (0.885, potential), and "ARI International, Ltd." (a Chinese firm) the Army of the Republic of
Ilirida through its weak alias "ARI" (0.86): a query that is not the alias — a near name, a part of a longer
name — is weak on it unless something beyond the name agrees (``strength.weak_alias_needs_evidence``): an
identifier, the date of birth, the nationality, an address, the query's country among the record's. The
alias itself, queried, stays a review. Real records: OFAC SDN 2024-05-03; skipped without the shared data."""

from __future__ import annotations

from functools import cache

import pytest

from chipguard.match import evidence as ev
from chipguard.match.screener import Screener

SDN = "lists/ofac_sdn_2024-05-03.csv"


@cache
def _screener() -> Screener:
    from chipguard.sources import parse_file
    from tests.conftest import SHARED

    if not (SHARED / SDN).exists():
        pytest.skip("../shared/data is not present")
    return Screener(parse_file(SHARED / SDN).parties)


def _on(record: str, query: str, kind: str, country: str, **fields: str) -> tuple[str, str, str]:
    """(matched name, alias kind, strength) of the hit on ``record``."""
    result = _screener().screen_result(1, query, kind=kind, country=country, fields=fields)
    hits = [h for h in result["hits"] if h["name"] == record]
    assert hits, (query, record)
    return hits[0]["matched_name"], hits[0]["explanation"]["alias_kind"], hits[0]["strength"]


def _without_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    full = ev.config()
    monkeypatch.setattr(ev, "config", lambda: {**full, "weak_alias_needs_evidence": False})


ADEN = "ADEN, Mohamoud Abdi"
ILIRIDA = "ARMY OF THE REPUBLIC OF ILIRIDA"


def test_a_near_match_on_a_weak_alias_is_weak(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _on(ADEN, "MOALIM, Mahad", "person", "SO") == ("MAHADI, Moalim", "weak_aka", "weak")
    assert _on(ILIRIDA, "ARI International, Ltd.", "org", "CN") == ("ARI", "weak_aka", "weak")
    _without_rule(monkeypatch)
    assert _on(ADEN, "MOALIM, Mahad", "person", "SO")[2] == "potential"  # before: a review
    assert _on(ILIRIDA, "ARI International, Ltd.", "org", "CN")[2] == "potential"


def test_something_beyond_the_name_agreeing_keeps_the_review() -> None:
    # the record's country (ADEN's record: Kenya) or nationality given by the query
    assert _on(ADEN, "MOALIM, Mahad", "person", "KE")[2] == "potential"


def test_the_weak_alias_itself_stays_a_review() -> None:
    assert _on(ILIRIDA, "ARI", "org", "CN") == ("ARI", "weak_aka", "potential")
    assert _on(ADEN, "MAHADI, Moalim", "person", "SO")[2] == "potential"
