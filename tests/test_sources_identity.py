"""The parsers keep what a list says about who a party is: nationality, dates and places of birth
("circa" kept), identifiers such as a vessel's IMO number, and its flag. Screening weighs these as
evidence (chipguard.match.evidence), so a parser that drops them makes every person a name only."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipguard.model import Party, PartyKind
from chipguard.sources import parse_file


@pytest.fixture(scope="module")
def csl(request: pytest.FixtureRequest) -> list[Party]:
    from tests.conftest import SHARED

    path = SHARED / "lists/us_csl_2022-04.csv.gz"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    return parse_file(path).parties


def test_csl_person_keeps_nationality_birth_date_and_place(csl: list[Party]) -> None:
    person = next(p for p in csl if p.name == "HEJABI, Mahdi")
    assert person.kind == PartyKind.PERSON
    assert person.nationalities == ["IR"]
    assert person.dates["birth"] == "1990-08-26"
    assert person.birth_places == ["Tehran, Iran"]


def test_csl_vessel_keeps_imo_and_flag(csl: list[Party]) -> None:
    vessels = [p for p in csl if p.kind == PartyKind.VESSEL]
    with_imo = [p for p in vessels if any(i.value.startswith("IMO ") for i in p.identifiers)]
    assert len(with_imo) > 100
    assert sum(bool(p.extra.get("vessel_flag")) for p in vessels) > 100


def test_round_trip_keeps_identity_fields(csl: list[Party]) -> None:
    person = next(p for p in csl if p.name == "HEJABI, Mahdi")
    again = Party.from_dict(person.to_dict())
    assert again.nationalities == person.nationalities
    assert again.birth_places == person.birth_places


def test_un_approximate_birth_date_is_circa(shared: Path) -> None:
    parties = parse_file(shared / "lists/un_consolidated_2026-02-27.xml").parties
    births = [p.dates["birth"] for p in parties if "birth" in p.dates]
    assert any(b.startswith("circa ") for b in births)
    assert sum(bool(p.nationalities) for p in parties if p.kind == PartyKind.PERSON) > 300
