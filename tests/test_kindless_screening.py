"""A name or an owner given without a kind is screened as an organisation and as a person (issue 12): it
finds at least what either kind finds. A record whose kind the list does not state (the Entity List's
"Tan Wei", CN) is indexed under its organisation reading, so an owner "Tan Wei Ming" (SG) given without a
kind found nothing, while the same owner as a person found "Tan Wei" — a potential hit that the issue's
scenario says must give REVIEW, never DENY and never silence. Through the service layer (ad-hoc screens
and decisions) on the bundled CSL 2022-04 snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from owner_decision_support import owner_transaction, services_over_bundled_lists

from chipguard.model import Outcome
from chipguard.service.services import ScreenQuery, Services


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from services_over_bundled_lists(tmp_path_factory, "kindless")


def transaction(owner: dict[str, Any]) -> dict[str, Any]:
    return owner_transaction(owner, "rental")


def tan_wei(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [h for h in hits if h["name"] == "Tan Wei" and h["list_name"].startswith("Entity List")]


def test_a_name_without_a_kind_finds_what_a_person_finds(services: Services) -> None:
    """The ad-hoc screen (CLI, REST, UI): without a kind, the hit kind person finds, at its score and
    strength, the explanation saying the name was read as a person's."""
    kindless, person = services.screen(
        [ScreenQuery("Tan Wei Ming", None, "SG", id=1), ScreenQuery("Tan Wei Ming", "person", "SG", id=2)],
        "test",
    )
    (found,) = tan_wei(kindless["hits"])
    (as_person,) = tan_wei(person["hits"])
    assert found["strength"] == as_person["strength"] == "potential"
    assert found["score"] == as_person["score"] and 0.8 <= found["score"] < 0.95
    assert "person" in found["explanation"]["query_kind"]


def test_an_organisation_without_a_kind_is_scored_as_before(services: Services) -> None:
    """The person reading is not taken against a list name with a legal form or a word of an
    organisation's kind: a firm's name without a kind scores exactly as with kind org."""
    for name in (
        "AVIC Aircraft",
        "Wuxi Biologics (Shanghai)",
        "SMIC Northern Integrated Circuit Manufacturing",
    ):
        kindless, org = services.screen(
            [ScreenQuery(name, None, "CN", id=1), ScreenQuery(name, "org", "CN", id=2)], "t"
        )
        pairs = [(h["party_id"], h["score"], h["strength"]) for h in kindless["hits"]]
        assert pairs and pairs == [(h["party_id"], h["score"], h["strength"]) for h in org["hits"]], name


@pytest.mark.parametrize("kind", ["unknown", "person"])
def test_an_owner_without_a_kind_is_reviewed_like_a_person(services: Services, kind: str) -> None:
    """A 40 % owner "Tan Wei Ming" (SG) of unknown kind: REVIEW with the potential hit "Tan Wei" to
    resolve (it found nothing before), exactly as the same owner declared a person; never a DENY."""
    decision = services.evaluate(
        transaction({"name": "Tan Wei Ming", "kind": kind, "country": "SG", "percent": 40})
    )
    hits = tan_wei(list(decision.screening.get("owner:Tan Wei Ming", [])))
    assert hits and all(h["strength"] == "potential" for h in hits)
    assert decision.outcome == Outcome.REVIEW
    (reason,) = [r for r in decision.reasons if r.code == "POTENTIAL_LIST_MATCH"]
    assert "Tan Wei Ming" in reason.message and "Tan Wei" in reason.message
    assert not [r for r in decision.reasons if r.outcome == "DENY"]
