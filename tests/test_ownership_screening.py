"""Screening owners with the real Screener over real lists: the 50 % rules with dates, and 1260H parents."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_ownership_support import csl_screener as shared_csl_screener

from chipguard.match.screener import Screener
from chipguard.model import Customer, Owner, UltimateParent
from chipguard.ownership.formats import load_graph
from chipguard.ownership.regimes import load_regimes
from chipguard.ownership.screening import screen_ownership
from chipguard.sources.us_other import parse_dod_1260h

# Real Entity List names as they stand in the bundled CSL snapshot (2022-04).
HIKVISION = "Hangzhou Hikvision Digital Technology Co., Ltd."
MEGVII = "Megvii Technology"
ENTITY_LIST = "Entity List (EL) - Bureau of Industry and Security"


@pytest.fixture(scope="module")
def csl_screener() -> Screener:
    """A Screener over the bundled CSL snapshot (built once: ~5 s)."""
    return shared_csl_screener()


def two_listed_owners() -> Customer:
    return Customer(
        name="Lion Peak Compute Pte. Ltd.",
        country="SG",
        owners=[
            Owner(HIKVISION, country="CN", percent=30),
            Owner(MEGVII, country="CN", percent=25),
            Owner("Priya Raman", kind="person", country="SG", percent=45),
        ],
    )


def finding(report, regime: str):  # type: ignore[no-untyped-def]
    return next(f for f in report.findings if f.regime.id == regime)


def test_two_entity_listed_owners_aggregate_to_55_and_follow_the_affiliates_rule_dates(
    csl_screener: Screener,
) -> None:
    customer = two_listed_owners()
    assert csl_screener.screen("Priya Raman", kind="person", country="SG") == []  # the premise: unlisted
    in_force = screen_ownership(customer, csl_screener, on=date(2025, 10, 15))
    bis = finding(in_force, "bis_affiliates")
    assert bis.aggregate.low == pytest.approx(55.0) and bis.aggregate.high == pytest.approx(55.0)
    assert bis.in_force and bis.triggered
    contributors = {in_force.graph.name(h.holder): h.low for h in bis.aggregate.contributors}
    assert contributors == {HIKVISION: pytest.approx(30.0), MEGVII: pytest.approx(25.0)}
    facts = in_force.to_facts()["ownership"]
    assert facts["bis_affiliates_percent"] == pytest.approx(55.0)
    assert facts["triggered_regimes"] == ["bis_affiliates"]
    (bis_fact,) = [f for f in facts["findings"] if f["regime"] == "bis_affiliates"]
    paths = [p for c in bis_fact["contributors"] for p in c["paths"]]
    assert f"{HIKVISION} 30 % → Lion Peak Compute Pte. Ltd." in paths
    assert f"{MEGVII} 25 % → Lion Peak Compute Pte. Ltd." in paths
    assert all(ENTITY_LIST in c["lists"] for c in bis_fact["contributors"])
    # the unlisted individual shareholder is not counted
    assert "Priya Raman" not in contributors
    # neither is on the SDN list: the OFAC 50 % rule sees nothing (CMIC is "Non-SDN")
    assert finding(in_force, "ofac_50").aggregate.low == 0.0

    suspended = screen_ownership(customer, csl_screener, on=date(2026, 1, 15))
    bis = finding(suspended, "bis_affiliates")
    assert bis.aggregate.low == pytest.approx(55.0)  # the ownership is the same …
    assert not bis.in_force and not bis.triggered  # … but the rule is suspended
    assert "suspended 2025-11-10" in bis.status
    assert suspended.to_facts()["ownership"]["triggered_regimes"] == []
    # and in force again the day after the suspension ends
    assert finding(
        screen_ownership(customer, csl_screener, on=date(2026, 11, 10)), "bis_affiliates"
    ).triggered


def test_dates_come_from_the_regimes_file() -> None:
    bis = load_regimes().get("bis_affiliates")
    assert bis.effective == date(2025, 9, 29)
    assert not bis.in_force(date(2025, 9, 28))
    assert bis.in_force(date(2025, 11, 9))
    assert not bis.in_force(date(2025, 11, 10)) and not bis.in_force(date(2026, 11, 9))


def test_indirect_listed_owner_through_a_holding_graph(csl_screener: Screener, tmp_path: Path) -> None:
    """Megvii holds 60 % of an intermediate, which holds 100 % of the customer: caught through layers."""
    path = tmp_path / "graph.csv"
    path.write_text(
        f"owner,owned,percent\n{MEGVII},Bright Harbor Holdings Ltd,60\n"
        "Bright Harbor Holdings Ltd,Kestrel GPU Cloud Pte Ltd,100\n",
        encoding="utf-8",
    )
    graph = load_graph(path)
    customer = Customer(name="Kestrel GPU Cloud Pte Ltd", country="SG")
    report = screen_ownership(customer, csl_screener, on=date(2025, 10, 1), graph=graph)
    bis = finding(report, "bis_affiliates")
    assert bis.triggered and bis.aggregate.low == pytest.approx(100.0)
    text = report.explain(bis)
    assert f"{MEGVII} 60 % → Bright Harbor Holdings Ltd" in text
    assert "Kestrel GPU Cloud Pte Ltd" in text
    # majority owners all the way up: the listed group is the ultimate parent
    assert report.parent is not None and report.parent["name"] == MEGVII
    assert report.parent["chain"] == f"{MEGVII} → Bright Harbor Holdings Ltd → Kestrel GPU Cloud Pte Ltd"
    assert report.parent["listed"] is True


def test_unknown_percentage_listed_owner_is_review(csl_screener: Screener) -> None:
    customer = Customer(
        name="Harbour Cloud Pte Ltd",
        country="SG",
        owners=[Owner(MEGVII, country="CN", percent=None), Owner("Priya Raman", kind="person", percent=40)],
    )
    report = screen_ownership(customer, csl_screener, on=date(2025, 10, 15))
    bis = finding(report, "bis_affiliates")
    assert not bis.triggered and bis.review
    assert (bis.aggregate.low, bis.aggregate.high) == (0.0, 60.0)
    facts = report.to_facts()["ownership"]
    assert facts["unknown_percent_listed_owners"] == [MEGVII]
    assert facts["review_regimes"] == ["bis_affiliates"]


def test_declared_ultimate_parent_with_headquarters(csl_screener: Screener) -> None:
    customer = Customer(
        name="Orchid Compute Sdn Bhd", country="MY", ultimate_parent=UltimateParent("Sugon", country="CN")
    )
    report = screen_ownership(customer, csl_screener, on=date(2025, 10, 15))
    assert report.parent is not None
    assert report.parent["name"] == "Sugon" and report.parent["headquarters"] == "CN"
    assert report.parent["listed"] is True
    bis = finding(report, "bis_affiliates")
    # a listed parent of undisclosed share: possibly ≥ 50 %, so review
    assert bis.review and bis.aggregate.unknown_listed


def test_1260h_subsidiary_is_reported_with_its_listed_parent(shared: Path) -> None:
    parties = parse_dod_1260h(shared / "lists" / "other" / "us_dod_1260h.csv").parties
    screener = Screener(parties)
    customer = Customer(name="AVIC Jonhon Optronic Technology Co., Ltd.", country="CN")
    report = screen_ownership(customer, screener, on=date(2025, 10, 15))
    (rel,) = report.parent_1260h
    assert rel["role"] == "customer"
    assert rel["parent_name"] == "Aviation Industry Corporation of China Ltd."
    assert rel["parent_lists"] == ["DoD Section 1260H Chinese Military Companies"]
    assert "subsidiary of listed parent Aviation Industry Corporation of China Ltd." in rel["explanation"]
    # an owner that is a 1260H subsidiary is reported the same way
    holder = Customer(
        name="Blue Finch Avionics Ltd", owners=[Owner("AVIC Heavy Machinery Company Limited", percent=20)]
    )
    (rel,) = screen_ownership(holder, screener, on=date(2025, 10, 15)).parent_1260h
    assert rel["role"] == "owner" and rel["parent_name"] == "Aviation Industry Corporation of China Ltd."
