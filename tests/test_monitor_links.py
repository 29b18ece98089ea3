"""Linked accounts: shells sharing a payment instrument, a phone number (written differently), an owner or
a postal address are clustered with the evidence of each link; free-mail domains, private IPs and generic
payment words link nobody; a cluster's combined compute crosses a threshold no member crosses alone."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from chipguard.audit import AuditLog
from chipguard.cli import app
from chipguard.model import Address, Customer, Identifier, Owner, UltimateParent
from chipguard.monitor.compute import estimate_accounts, settings
from chipguard.monitor.links import (
    cluster_compute,
    find_clusters,
    link_keys,
    norm_address,
    norm_domain,
    norm_ip,
    norm_phone,
)
from chipguard.monitor.usage import read_usage
from chipguard.store.customers import CustomerStore
from chipguard.store.db import get_engine

SPLIT = Path(__file__).parent / "fixtures" / "monitor" / "usage_split.jsonl"

CUSTOMERS = [
    Customer(
        name="Apex Pinnacle Computing Pte. Ltd.",
        country="SG",
        customer_id="cus-shell-a",
        payment_instruments=["card_fp:9f2c11aa47"],
        emails=["ops@apexpinnacle.sg"],
        ip_addresses=["10.0.0.5"],
        payment_method="card",
    ),
    Customer(
        name="Lumen Ridge Cloud Sdn. Bhd.",
        country="MY",
        customer_id="cus-shell-b",
        payment_instruments=["CARD_FP:9F2C11AA47"],
        phones=["+60 3-2181 5555"],
        ip_addresses=["10.0.0.5"],
        payment_method="card",
    ),
    Customer(
        name="Harbor Zenith AI Limited",
        country="HK",
        customer_id="cus-shell-c",
        phones=["0060 3 2181 5555"],
        owners=[Owner(name="ZHANG, Wei", kind="person", country="CN", percent=100.0)],
    ),
    Customer(
        name="Eastgate Data Services Ltd",
        country="HK",
        customer_id="cus-owned",
        owners=[Owner(name="Zhang Wei", kind="person", country="CN", percent=51.0)],
    ),
    Customer(
        name="Kowloon Bay Render Farm Ltd",
        country="HK",
        customer_id="cus-addr-1",
        addresses=[Address(text="12 Harbour Road, Floor 3", city="Wan Chai", country="HK")],
        identifiers=[Identifier(scheme="registration", value="7733-1024")],
    ),
    Customer(
        name="KBRF Trading Co.",
        country="HK",
        customer_id="cus-addr-2",
        addresses=[Address(text="12 Harbour Rd. Fl 3", city="Wan Chai", country="HK")],
        identifiers=[Identifier(scheme="Registration", value="77331024")],
    ),
    Customer(
        name="Nordlicht Rechenzentrum GmbH",
        country="DE",
        customer_id="cus-unrelated",
        emails=["it.nordlicht@gmail.com"],
        ip_addresses=["10.0.0.5"],
        ultimate_parent=UltimateParent(name="Nordlicht Holding AG", country="DE"),
    ),
    Customer(
        name="Jane Doe",
        kind="person",
        country="US",
        customer_id="cus-free",
        emails=["jane.doe@gmail.com"],
        payment_method="card",
    ),
]


def _records() -> list[dict[str, object]]:
    return [c.to_dict() for c in CUSTOMERS]


def test_normalisers() -> None:
    assert norm_phone("+60 3-2181 5555") == norm_phone("0060 3 2181 5555") == "60321815555"
    assert norm_phone("5555") == ""
    assert norm_ip("10.0.0.5") == "" and norm_ip("192.168.1.1") == "" and norm_ip("not an ip") == ""
    assert norm_ip("45.77.12.34") == "45.77.12.34"
    assert norm_ip("2001:4860:4860:0000:0000:0000:0000:8888") == "2001:4860:4860::8888"
    assert norm_domain("gmail.com") == "" and norm_domain("@WWW.ApexPinnacle.SG") == "apexpinnacle.sg"
    a = norm_address({"text": "12 Harbour Road, Floor 3", "city": "Wan Chai", "country": "hk"})
    assert a == norm_address({"text": "12 HARBOUR RD. FL 3", "city": "wan chai", "country": "HK"})
    assert norm_address({"text": "Beijing", "city": "Beijing"}) == ""


def test_link_keys_ignore_uninformative_values() -> None:
    keys = link_keys(CUSTOMERS[0].to_dict())
    assert ("payment_instrument", "card_fp:9f2c11aa47") in keys
    assert ("email_domain", "apexpinnacle.sg") in keys
    assert not any(k == "ip_address" for k, _ in keys)  # private
    assert ("payment_instrument", "card") not in keys  # generic word
    free = link_keys(CUSTOMERS[-1].to_dict())
    assert free == {("email", "jane.doe@gmail.com")}  # the address itself, never gmail.com


def test_clusters_with_evidence() -> None:
    clusters = find_clusters(_records())
    members = [c.customer_ids for c in clusters]
    assert members == [
        ["cus-owned", "cus-shell-a", "cus-shell-b", "cus-shell-c"],
        ["cus-addr-1", "cus-addr-2"],
    ]
    shells = clusters[0]
    evidence = {(e.kind, tuple(e.customers)) for e in shells.evidence}
    assert evidence == {
        ("payment_instrument", ("cus-shell-a", "cus-shell-b")),
        ("phone", ("cus-shell-b", "cus-shell-c")),
        ("beneficial_owner", ("cus-owned", "cus-shell-c")),
    }
    assert {e.kind for e in clusters[1].evidence} == {"address", "identifier"}
    assert (
        clusters[0].cluster_id.startswith("cl-")
        and clusters[0].cluster_id == find_clusters(_records())[0].cluster_id
    )


def test_split_accounts_cross_a_threshold_together() -> None:
    cfg = settings(as_of=dt.date(2026, 1, 1))
    records = read_usage(SPLIT)
    alone = {e.accounts[0]: e for e in estimate_accounts(records, cfg)}
    eu = "eu-ai-act-51-2"

    def level(est: object) -> str:
        return next(c.level for c in est.checks if c.threshold.id == eu)  # type: ignore[attr-defined]

    members = ("cus-shell-a", "cus-shell-b", "cus-shell-c")
    assert all(alone[m].flop < 1e25 for m in members)
    assert {level(alone[m]) for m in members} <= {"warning", "may_exceed"}
    clusters = cluster_compute(find_clusters(_records()), records, cfg)
    shells = clusters[0]
    assert shells.compute is not None and shells.accounts_with_usage == list(members)
    assert shells.compute.flop == sum(alone[m].flop for m in members)
    assert (
        shells.compute.flop > 1e25
        and level(shells.compute) == "exceeds"
        and shells.compute.alert == "exceeds"
    )
    # the three ran at the same time: the cluster held 12,000 H100 at once
    assert shells.compute.peak_chips == 12_000
    assert clusters[1].compute is None  # the address pair has no usage


def test_cli_links_over_stored_customers(home: Path) -> None:
    engine = get_engine()
    store = CustomerStore(engine, AuditLog(engine))
    for c in CUSTOMERS:
        store.create(c, actor="test")
    runner = CliRunner()
    result = runner.invoke(
        app, ["monitor", "links", "--json", "--usage", str(SPLIT), "--as-of", "2026-01-01"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    first = doc["clusters"][0]
    assert [m["customer_id"] for m in first["members"]] == [
        "cus-owned",
        "cus-shell-a",
        "cus-shell-b",
        "cus-shell-c",
    ]
    assert first["compute"]["alert"] == "exceeds"
    assert first["link_kinds"] == ["beneficial_owner", "payment_instrument", "phone"]
    text = runner.invoke(app, ["monitor", "links"])
    assert "linked by phone '60321815555': cus-shell-b, cus-shell-c" in text.output


def test_cli_links_without_customers(home: Path) -> None:
    result = CliRunner().invoke(app, ["monitor", "links"])
    assert result.exit_code == 0 and "no linked customers" in result.output


def test_past_values_still_link(home: Path) -> None:
    engine = get_engine()
    store = CustomerStore(engine, AuditLog(engine))
    store.create(
        Customer(name="Quiet Lake Compute Ltd", customer_id="cus-q", phones=["+852 5555 0101"]), "test"
    )
    store.create(Customer(name="Still Water AI Ltd", customer_id="cus-s", phones=["+852 5555 0101"]), "test")
    # the first shell changes its phone after onboarding
    store.update("cus-q", Customer(name="Quiet Lake Compute Ltd", phones=["+852 6666 0202"]), "test")
    runner = CliRunner()
    current = json.loads(runner.invoke(app, ["monitor", "links", "--json", "--current-only"]).output)
    assert current["clusters"] == []
    linked = json.loads(runner.invoke(app, ["monitor", "links", "--json"]).output)
    (cluster,) = linked["clusters"]
    assert cluster["links"] == [
        {"kind": "phone", "value": "85255550101", "customers": ["cus-q", "cus-s"], "past": ["cus-q"]}
    ]


def test_hub_values_do_not_fuse_clusters() -> None:
    from chipguard.monitor.links import hub_values, index_links

    agent = Address(text="1209 Orange Street", city="Wilmington", postal_code="19801", country="US")
    shells = [
        Customer(
            name=f"Shell {i} LLC", country="US", customer_id=f"cus-agent-{i}", addresses=[agent]
        ).to_dict()
        for i in range(4)
    ]
    index = index_links([*shells, *_records()])
    agents = [f"cus-agent-{i}" for i in range(4)]
    # over the fan-out the registered agent's address links nobody, and is listed as a hub
    assert agents not in [c.customer_ids for c in find_clusters(index, max_fanout=3)]
    assert [(h.kind, h.customers) for h in hub_values(index, max_fanout=3)] == [("address", agents)]
    assert agents in [c.customer_ids for c in find_clusters(index, max_fanout=4)]
    assert hub_values(index, max_fanout=4) == []


def test_linked_split_accounts_raise_casework_alerts(home: Path) -> None:
    """Monitoring feeds casework: a cluster whose combined compute exceeds a threshold raises one alert per
    member (origin links), and usage with --alert one per stored customer that may exceed (origin usage);
    running again adds none."""
    from chipguard.service import Services
    from chipguard.store.cases import AlertFilter

    services = Services.open()
    for c in CUSTOMERS:
        services.customers.create(c, actor="test")
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["monitor", "links", "--usage", str(SPLIT), "--as-of", "2026-01-01"])
        assert result.exit_code == 0, result.output
    links = services.cases.find(AlertFilter(origin="links"))
    assert sorted(a.customer_id for a in links) == ["cus-owned", "cus-shell-a", "cus-shell-b", "cus-shell-c"]
    assert {a.party_id for a in links} == {links[0].party_id} and links[0].party_id.startswith("cl-")
    assert all("compute exceeds" in a.party_name for a in links)
    usage = runner.invoke(app, ["monitor", "usage", str(SPLIT), "--as-of", "2026-01-01", "--alert"])
    assert usage.exit_code == 0, usage.output
    alerted = sorted(a.customer_id for a in services.cases.find(AlertFilter(origin="usage")))
    assert alerted and set(alerted) <= {"cus-shell-a", "cus-shell-b", "cus-shell-c"}
    assert "cus-unrelated" not in alerted  # not a stored customer
