"""The ownership and red-flag providers inside real decisions (bundled CSL snapshot, bundled rule set)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ownership_support import csl_screener

from chipguard.match.screener import Screener
from chipguard.model import Address, Customer, Item, Outcome, Owner, Transaction
from chipguard.ownership.facts import set_graph_source
from chipguard.ownership.formats import load_graph
from chipguard.policy.engine import decide

HIKVISION = "Hangzhou Hikvision Digital Technology Co., Ltd."
MEGVII = "Megvii Technology"


@pytest.fixture(scope="module")
def screener() -> Screener:
    return csl_screener()


def shell(**changes: object) -> Customer:
    customer = Customer(
        name="Lion Peak Compute Pte. Ltd.",
        country="SG",
        headquarters="SG",
        owners=[
            Owner(HIKVISION, country="CN", percent=30),
            Owner(MEGVII, country="CN", percent=25),
            Owner("Priya Raman", kind="person", country="SG", percent=45),
        ],
        addresses=[Address(text="2 Science Park Drive, Ascent Tower, Singapore 118222", country="SG")],
        ip_countries=["SG"],
        payment_country="SG",
        incorporation_date="2015-03-01",
        business_type="cloud",
    )
    for key, value in changes.items():
        setattr(customer, key, value)
    return customer


def sale(on: str, customer: Customer, end_use: str = "hosting inference for retail customers") -> Transaction:
    return Transaction(
        date=on,
        kind="sale",
        customer=customer,
        items=[Item("H100 SXM", 8)],
        destination="SG",
        end_use=end_use,
    )


def test_affiliates_rule_on_aggregated_owners_follows_its_dates(screener: Screener) -> None:
    in_force = decide(sale("2025-10-15", shell()), screener=screener)
    assert in_force.outcome == Outcome.LICENCE_REQUIRED
    (reason,) = [r for r in in_force.reasons if r.code == "BIS_AFFILIATES_RULE"]
    assert "55 %" in reason.message
    # the reason names the owners and their paths
    assert f"{HIKVISION} 30 % → Lion Peak Compute Pte. Ltd." in reason.message
    assert f"{MEGVII} 25 % → Lion Peak Compute Pte. Ltd." in reason.message
    assert "2025-19001" in reason.citation

    suspended = decide(sale("2026-01-15", shell()), screener=screener)
    assert not [r for r in suspended.reasons if r.code == "BIS_AFFILIATES_RULE"]
    assert suspended.outcome != Outcome.LICENCE_REQUIRED


def test_red_flags_become_cited_review_reasons(screener: Screener) -> None:
    customer = shell(owners=[], ip_countries=["CN"], payment_country="HK", incorporation_date="2025-08-01")
    decision = decide(sale("2025-10-15", customer, end_use=""), screener=screener)
    codes = {r.code: r for r in decision.reasons}
    assert {"RED_FLAG_COUNTRY_MISMATCH", "RED_FLAG_RECENT_INCORPORATION", "RED_FLAG_NO_END_USE"} <= set(codes)
    assert codes["RED_FLAG_COUNTRY_MISMATCH"].message.endswith(
        "declared SG but IP addresses in CN and payment from HK"
    )
    assert "May 13 2025" in codes["RED_FLAG_RECENT_INCORPORATION"].citation
    assert decision.outcome == Outcome.REVIEW


def test_clean_customer_raises_no_ownership_or_flag_reason(screener: Screener) -> None:
    decision = decide(
        sale("2025-10-15", shell(owners=[Owner("Priya Raman", kind="person", percent=100)])),
        screener=screener,
    )
    assert not [r for r in decision.reasons if r.code.startswith(("RED_FLAG", "BIS_AFFILIATES", "OWNERSHIP"))]


def test_an_imported_graph_reaches_the_decision(screener: Screener, tmp_path: Path) -> None:
    """Megvii holds 60 % of the customer's declared owner: the customer is caught through the layer."""
    path = tmp_path / "graph.csv"
    path.write_text(
        f"owner,owned,percent\n{MEGVII},Bright Harbor Holdings Ltd,60\n"
        "Bright Harbor Holdings Ltd,Lion Peak Compute Pte. Ltd.,100\n",
        encoding="utf-8",
    )
    graph = load_graph(path)
    customer = shell(owners=[Owner("Bright Harbor Holdings Ltd", country="HK", percent=100)])
    assert decide(sale("2025-10-15", customer), screener=screener).outcome != Outcome.LICENCE_REQUIRED
    set_graph_source(lambda c: graph if c.name == customer.name else None)
    try:
        decision = decide(sale("2025-10-15", customer), screener=screener)
    finally:
        set_graph_source(None)
    assert decision.outcome == Outcome.LICENCE_REQUIRED
    (reason,) = [r for r in decision.reasons if r.code == "BIS_AFFILIATES_RULE"]
    assert "100 %" in reason.message and f"{MEGVII} 60 % → Bright Harbor Holdings Ltd" in reason.message
