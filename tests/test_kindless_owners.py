"""An owner (or any screened name) whose kind nobody gave is a person or an organisation, never a vessel
or an aircraft (issue 12: "an organisation query never matches a vessel, aircraft or person record at
strength above weak"; ``strength.kindless_person_or_org``). An owner sent without a ``kind`` defaulted to
an organisation, and a name screened without one met a ship's record like any other: "Artemis Offshore"
(no kind) was a confirmed hit on the SDN tanker ARTEMIS OFFSHORE. Now such an owner is of unknown kind —
read as a person and as an organisation — and a vessel's or aircraft's record is a weak hit for it, as for
an organisation. Decisions through the service layer on the bundled CSL 2022-04 snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from owner_decision_support import owner_transaction, services_over_bundled_lists

from chipguard.model import Outcome
from chipguard.policy.customer import CustomerModel, OwnerModel
from chipguard.service.services import ScreenQuery, Services


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from services_over_bundled_lists(tmp_path_factory, "kindless-owners")


def transaction(owner: dict[str, Any]) -> dict[str, Any]:
    return owner_transaction(owner, "sale")


def owner_hits(services: Services, owner: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    decision = services.evaluate(transaction(owner))
    return decision, list(decision.screening.get(f"owner:{owner['name']}", []))


def test_an_owner_sent_without_a_kind_is_of_unknown_kind() -> None:
    assert OwnerModel(name="Artemis Offshore").kind == "unknown"
    assert CustomerModel(name="Artemis Offshore").kind == "unknown"


def test_a_customer_sent_without_a_kind_is_screened_as_a_person_too(services: Services) -> None:
    """An individual customer whose onboarding system sent no kind: "Viktor Zolotov" (RU), the SDN
    person, is confirmed and the rental denied — as for the customer declared a person. Before, a customer
    without a kind defaulted to an organisation, so the listed person was only a potential hit (REVIEW)."""
    outcomes = {}
    for kind in (None, "person", "org"):
        tx = owner_transaction({"name": "Tan Ah Kow", "kind": "person", "percent": 10}, "rental")
        customer = {k: v for k, v in tx["customer"].items() if k != "kind"}
        tx["customer"] = (
            customer | {"name": "Viktor Zolotov", "country": "RU"} | ({"kind": kind} if kind else {})
        )
        decision = services.evaluate(tx)
        strengths = [
            h["strength"]
            for k, v in decision.screening.items()
            if k.startswith("customer")
            for h in v
            if h["name"] == "ZOLOTOV, Viktor"
        ]
        outcomes[kind] = (decision.outcome, strengths)
    assert outcomes[None] == outcomes["person"] == (Outcome.DENY, ["confirmed"])
    assert outcomes["org"] == (Outcome.REVIEW, ["potential"])


@pytest.mark.parametrize("name", ["Artemis Offshore", "Maksim Gorky", "Adrian Darya 1"])
def test_an_owner_without_a_kind_named_like_a_listed_vessel_is_not_listed(
    services: Services, name: str
) -> None:
    """A 60 % owner named exactly like an SDN vessel (an organisation's name, a person's name, a ship's
    name with its number), no kind sent: the vessel is a weak hit saying why, the owner is not listed,
    and nothing is denied for it. Screened as a vessel, the same name is the listed ship (confirmed)."""
    decision, hits = owner_hits(services, {"name": name, "percent": 60})
    vessels = [h for h in hits if h["kind"] == "vessel" and h["name"].casefold() == name.casefold()]
    assert vessels, hits
    for hit in vessels:
        assert hit["strength"] == "weak" and hit["score"] == 1.0
        (kind,) = [e for e in hit["evidence"] if e["feature"] == "kind"]
        assert kind["result"] == "conflict" and "no kind given" in kind["detail"]
    assert all(h["strength"] != "confirmed" for h in hits)
    assert decision.outcome != Outcome.DENY
    assert not [r for r in decision.reasons if r.outcome == "DENY"]
    assert not [r for r in decision.reasons if r.code in ("OFAC_50_PERCENT", "POTENTIAL_LIST_MATCH")]
    (as_vessel,) = services.screen([ScreenQuery(name, "vessel", id=1)], "test")
    assert [h["strength"] for h in as_vessel["hits"] if h["kind"] == "vessel"][:1] == ["confirmed"]


def test_an_owner_without_a_kind_that_is_a_listed_organisation_is_denied(services: Services) -> None:
    """A 50 % owner "Iran Electronics Industries" (IR), no kind sent: the SDN organisation, confirmed, and
    the OFAC 50 % rule denies — exactly as for the owner declared an organisation."""
    for owner in (
        {"name": "Iran Electronics Industries", "country": "IR", "percent": 50},
        {"name": "Iran Electronics Industries", "country": "IR", "percent": 50, "kind": "org"},
    ):
        decision, hits = owner_hits(services, owner)
        listed = [h for h in hits if h["name"] == "IRAN ELECTRONICS INDUSTRIES"]
        assert listed and all(h["strength"] == "confirmed" for h in listed), owner
        assert decision.outcome == Outcome.DENY
        assert [r for r in decision.reasons if r.code == "OFAC_50_PERCENT"]


@pytest.mark.parametrize(
    ("name", "country", "listed"),
    [("Viktor Zolotov", "GB", "ZOLOTOV, Viktor"), ("Nabil Kaouk", "FR", "QAOUK, Nabil")],
)
def test_a_person_named_owner_without_a_kind_near_a_listed_person_abroad_is_reviewed(
    services: Services, name: str, country: str, listed: str
) -> None:
    """A 60 % owner named like an SDN person (the same name; a spelling of it), in another country than
    the record's, no kind sent: a potential hit to review, never confirmed and never a DENY."""
    decision, hits = owner_hits(services, {"name": name, "country": country, "percent": 60})
    found = [h for h in hits if h["name"] == listed]
    assert found and all(h["strength"] == "potential" for h in found), hits
    assert decision.outcome == Outcome.REVIEW
    assert [r for r in decision.reasons if r.code == "POTENTIAL_LIST_MATCH" and name in r.message]
    assert not [r for r in decision.reasons if r.outcome == "DENY"]


def test_no_kind_and_unknown_are_one_reading_in_an_ad_hoc_screen(services: Services) -> None:
    """The ad-hoc screen (CLI ``screen`` without ``--kind``, REST ``/v1/screen``, a file row without a
    kind) reads no kind and ``unknown`` alike: the SDN aircraft EP-MNC is weak for either, confirmed for
    kind aircraft; an organisation query is weak on it as before."""
    queries = [
        ScreenQuery("EP-MNC", kind, id=i) for i, kind in enumerate((None, "unknown", "org", "aircraft"))
    ]
    strengths = [
        [h["strength"] for h in result["hits"] if h["name"] == "EP-MNC"]
        for result in services.screen(queries, "test")
    ]
    assert strengths == [["weak"], ["weak"], ["weak"], ["confirmed"]]


def test_an_identical_imo_number_still_names_the_vessel_for_a_name_without_a_kind(services: Services) -> None:
    """No kind was declared against the ship: the SDN tanker ADRIAN DARYA 1's IMO number given with the
    name confirms it (an identifier outweighs the kind nobody gave), a declared organisation stays weak."""
    kindless, org = services.screen(
        [
            ScreenQuery("Adrian Darya 1", None, id=1, fields=(("imo", "9116412"),)),
            ScreenQuery("Adrian Darya 1", "org", id=2, fields=(("imo", "9116412"),)),
        ],
        "test",
    )
    assert [h["strength"] for h in kindless["hits"] if h["name"] == "ADRIAN DARYA 1"] == ["confirmed"]
    assert [h["strength"] for h in org["hits"] if h["name"] == "ADRIAN DARYA 1"] == ["weak"]
