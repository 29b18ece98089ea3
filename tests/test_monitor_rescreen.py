"""Re-screening on list changes, on real CSL records: a slice of the real 2022-04 CSL as the old list and
the same slice with real rows removed, added and amended as the new one, and customers named like the
real listed parties. The incremental path must agree with the full re-screen."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chipguard.audit import AuditLog
from chipguard.cli import app
from chipguard.errors import InputError
from chipguard.match.screener import Screener
from chipguard.model import Customer, Owner, Party, UltimateParent
from chipguard.service.rescreen import diff_parties, rescreen_customers, run_rescreen, targets
from chipguard.settings import settings
from chipguard.sources import parse_file
from chipguard.store.customers import CustomerStore
from chipguard.store.db import get_engine
from chipguard.store.snapshots import SnapshotStore

csv.field_size_limit(10**9)

ADDED = ("Tianjin Phytium Information Technology", "Megvii Technology")  # EL rows added in the new list
REMOVED = "Hangzhou Hikvision Digital Technology Co., Ltd."  # its EL row is dropped (CMIC row stays)
AMENDED = "Sugon"  # its EL row gets an alias


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    shared = settings().shared_data
    source = shared / "lists" / "us_csl_2022-04.csv.gz"
    if not source.is_file():
        pytest.skip("../shared/data is not present")
    with gzip.open(source, "rt", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)

    def named(name: str, list_prefix: str = "Entity List") -> dict[str, str]:
        return next(r for r in rows if r["name"] == name and r["source"].startswith(list_prefix))

    hik_el = named(REMOVED)
    hik_cmic = next(r for r in rows if r["name"] == "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.")
    sugon = named(AMENDED)
    added = [named(n) for n in ADDED]
    base = [*rows[:600], hik_el, hik_cmic, sugon]
    amended = {**sugon, "alt_names": "Dawning Information Industry Co., Ltd."}
    new = [r for r in base if r is not hik_el and r is not sugon] + [amended, *added]
    out = tmp_path_factory.mktemp("csl")
    old_path = _write(out / "us_csl_2022-04-01.csv", fields, base)
    new_path = _write(out / "us_csl_2022-05-01.csv", fields, new)
    return {
        "old_path": old_path,
        "new_path": new_path,
        "old": parse_file(old_path).parties,
        "new": parse_file(new_path).parties,
        "ids": {"removed": hik_el["_id"], "added": [r["_id"] for r in added], "amended": sugon["_id"]},
    }


CUSTOMERS = [
    Customer(
        name="Tianjin Phytium Information Technology Co., Ltd.", country="CN", customer_id="cus-phytium"
    ),
    Customer(name="Hangzhou Hikvision Digital Technology Co Ltd", country="CN", customer_id="cus-hik"),
    Customer(
        name="Blue Harbour Compute Pte. Ltd.",
        country="SG",
        customer_id="cus-blueharbour",
        owners=[Owner(name="Megvii Technology Limited", country="CN", percent=60.0)],
    ),
    Customer(name="Sugon", country="CN", customer_id="cus-sugon"),
    Customer(
        name="Nordlicht Rechenzentrum GmbH",
        country="DE",
        customer_id="cus-nordlicht",
        ultimate_parent=UltimateParent(name="Nordlicht Holding AG", country="DE"),
    ),
]


def _by_id(changes: list[Any]) -> dict[str, Any]:
    return {c.customer_id: c for c in changes}


def test_diff_of_real_lists(lists: dict[str, Any]) -> None:
    diff = diff_parties(lists["old"], lists["new"])
    ids = lists["ids"]
    assert sorted(p.party_id for p in diff.added) == sorted(ids["added"])
    assert [p.party_id for p in diff.removed] == [ids["removed"]]
    assert list(diff.changed) == [("us_csl", ids["amended"])]
    assert "aliases" in diff.changed[("us_csl", ids["amended"])]
    assert diff.to_dict(detail=False) == {
        "old_parties": len(lists["old"]),
        "new_parties": len(lists["new"]),
        "added": 2,
        "removed": 1,
        "changed": 1,
    }
    assert diff_parties(lists["old"], lists["old"]).size == 0


def test_targets_cover_names_owners_and_parent() -> None:
    data = CUSTOMERS[2].to_dict() | {
        "other_names": ["BHC"],
        "ultimate_parent": {"name": "Megvii", "country": "CN"},
    }
    roles = [(t.role, t.name) for t in targets(data)]
    assert roles == [
        ("customer", "Blue Harbour Compute Pte. Ltd."),
        ("other_name", "BHC"),
        ("owner", "Megvii Technology Limited"),
        ("ultimate_parent", "Megvii"),
    ]


def test_incremental_agrees_with_full(lists: dict[str, Any]) -> None:
    customers = [c.to_dict() for c in CUSTOMERS]
    mode, diff, screened, candidates, changes = rescreen_customers(customers, lists["old"], lists["new"])
    assert mode == "incremental"
    assert screened == 5 and 0 < candidates < 5
    full_mode, _, _, _, full_changes = rescreen_customers(customers, lists["old"], lists["new"], full=True)
    assert full_mode == "full"
    summary = {c.customer_id: c.to_dict() for c in changes}
    assert summary == {c.customer_id: c.to_dict() for c in full_changes}
    got = _by_id(changes)
    ids = lists["ids"]
    assert set(got) == {"cus-phytium", "cus-hik", "cus-blueharbour", "cus-sugon"}  # not the German one
    assert {h["party_id"] for h in got["cus-phytium"].new} == {ids["added"][0]}
    assert [(h["role"], h["party_id"]) for h in got["cus-blueharbour"].new] == [("owner", ids["added"][1])]
    assert [h["party_id"] for h in got["cus-hik"].gone] == [ids["removed"]] and not got["cus-hik"].new
    assert [h["party_id"] for h in got["cus-sugon"].record_changed] == [ids["amended"]]
    assert "aliases" in got["cus-sugon"].record_changed[0]["fields"]


def test_run_against_the_store_chains_baselines_and_audits(home: Path, lists: dict[str, Any]) -> None:
    engine = get_engine()
    audit = AuditLog(engine)
    snapshots = SnapshotStore(engine)
    store = CustomerStore(engine, audit)
    for c in CUSTOMERS:
        store.create(c, actor="test")
    first_snap = snapshots.load_file(lists["old_path"])
    first = run_rescreen(snapshots, store, audit, actor="test")
    assert first.mode == "full" and first.baseline == {"us_csl": None}
    # first run: every current hit is new (never screened before), the German customer has none
    assert set(_by_id(first.changes)) == {"cus-hik", "cus-sugon"}

    snapshots.load_file(lists["new_path"])
    second = run_rescreen(snapshots, store, audit, actor="test")
    assert second.mode == "incremental"
    assert second.baseline == {"us_csl": first_snap.ref}
    assert set(_by_id(second.changes)) == {"cus-phytium", "cus-hik", "cus-blueharbour", "cus-sugon"}

    third = run_rescreen(snapshots, store, audit, actor="test")
    assert third.mode == "unchanged" and not third.changes

    since = run_rescreen(snapshots, store, audit, since=first_snap.ref, actor="test")
    assert since.mode == "incremental" and len(since.changes) == 4

    entries = [e for e in audit.entries() if e.action == "monitor.rescreen"]
    assert [e.payload["mode"] for e in entries] == ["full", "incremental", "unchanged", "incremental"]
    assert entries[1].payload["diff"]["added"] == 2
    assert {tuple(x) for x in _by_id_payload(entries[1].payload)["cus-hik"]["gone_hits"]} == {
        ("customer", "us_csl", lists["ids"]["removed"])
    }
    assert audit.verify().ok


def _by_id_payload(payload: dict[str, Any]) -> dict[str, Any]:
    return {c["customer_id"]: c for c in payload["changed_customers"]}


def test_cli_rescreen(home: Path, lists: dict[str, Any]) -> None:
    runner = CliRunner()
    engine = get_engine()
    audit = AuditLog(engine)
    CustomerStore(engine, audit).create(CUSTOMERS[0], actor="test")
    snapshots = SnapshotStore(engine)
    old = snapshots.load_file(lists["old_path"])
    snapshots.load_file(lists["new_path"])
    result = runner.invoke(app, ["monitor", "rescreen", "--since", old.ref, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["baseline"] == {"us_csl": old.ref}
    assert [c["customer_id"] for c in doc["changed_customers"]] == ["cus-phytium"]
    text = runner.invoke(app, ["monitor", "rescreen", "--since", old.ref, "--exit-code"])
    assert text.exit_code == 1  # a customer's hits changed
    assert "NEW HIT" in text.output and "Tianjin Phytium" in text.output
    quiet = runner.invoke(app, ["monitor", "rescreen", "--exit-code"])  # nothing changed since that run
    assert quiet.exit_code == 0 and "no customer's hits changed" in quiet.output
    bad = runner.invoke(app, ["monitor", "rescreen", "--since", "nothing-like-a-ref"])
    assert isinstance(bad.exception, InputError)


def test_cli_rescreen_without_lists_fails_closed(home: Path) -> None:
    result = CliRunner().invoke(app, ["monitor", "rescreen"])
    assert result.exit_code != 0
    assert "lists" in str(result.exception)


def test_incremental_builds_only_the_lists_it_needs(lists: dict[str, Any]) -> None:
    built: list[int] = []

    def factory(parties: Sequence[Party]) -> Screener:
        built.append(len(parties))
        return Screener(list(parties))

    added_only = [*lists["old"], *(p for p in lists["new"] if p.party_id in lists["ids"]["added"])]
    phytium = [CUSTOMERS[0].to_dict()]
    mode, _, _, candidates, changes = rescreen_customers(phytium, lists["old"], added_only, factory=factory)
    assert mode == "incremental" and candidates == 1 and len(changes) == 1
    assert built == [len(added_only)]  # additions only: the old lists are never needed
    built.clear()
    german = [CUSTOMERS[-1].to_dict()]
    mode, _, _, candidates, changes = rescreen_customers(german, lists["old"], lists["new"], factory=factory)
    assert (mode, candidates, changes, built) == ("incremental", 0, [], [])  # nobody near the diff


def test_two_real_sample_snapshots_take_the_full_path(home: Path, shared: Path) -> None:
    """The 2019 and 2025 CSL samples share almost nothing: the diff is most of the list, so every customer
    is screened against both in full."""
    engine = get_engine()
    audit = AuditLog(engine)
    store = CustomerStore(engine, audit)
    store.create(
        Customer(
            name="China Electronics Technology Group Corp. 13th Research Institute",
            country="CN",
            customer_id="cus-cetc13",
        ),
        actor="test",
    )
    store.create(
        Customer(name="32 Group China Limited", country="HK", customer_id="cus-32group"), actor="test"
    )
    store.create(
        Customer(name="Nordlicht Rechenzentrum GmbH", country="DE", customer_id="cus-de"), actor="test"
    )
    snapshots = SnapshotStore(engine)
    old = snapshots.load_file(shared / "lists" / "samples" / "us_csl_sample_2019.csv")
    snapshots.load_file(shared / "lists" / "samples" / "us_csl_sample_2025.csv")
    report = run_rescreen(snapshots, store, audit, actor="test")  # baseline: the snapshot it replaced
    assert report.baseline == {"us_csl": old.ref}
    assert report.mode == "full" and report.customers_screened == 3
    assert report.diff.to_dict(detail=False)["removed"] > 100
    got = _by_id(report.changes)
    assert set(got) == {"cus-cetc13", "cus-32group"}
    (cetc,) = got["cus-cetc13"].new
    assert cetc["name"].startswith("China Electronics Technology Group Corporation 13th Research Institute")
    assert cetc["list_name"].startswith("Entity List")
    assert [h["name"] for h in got["cus-32group"].gone] == ["32 Group China Ltd."]


def test_the_active_screener_serves_the_new_lists(home: Path, lists: dict[str, Any]) -> None:
    """Given the service's screener of exactly the active snapshots, a re-screen uses it for the new side
    instead of indexing the active lists again, and finds the same changes; a screener built from other
    snapshots is not used."""
    from chipguard.service.screening import screener_of

    engine = get_engine()
    audit = AuditLog(engine)
    snapshots = SnapshotStore(engine)
    store = CustomerStore(engine, audit)
    for c in CUSTOMERS:
        store.create(c, actor="test")
    first = snapshots.load_file(lists["old_path"])
    stale = screener_of(snapshots)
    snapshots.load_file(lists["new_path"])
    active = screener_of(snapshots)
    built: list[int] = []

    def factory(parties: Sequence[Party]) -> Screener:
        built.append(len(parties))
        return Screener(list(parties))

    reused = run_rescreen(
        snapshots, store, audit, since=first.ref, full=True, factory=factory, active_screener=active
    )
    assert built == [len(lists["old"])]  # only the old lists were indexed
    built.clear()
    rebuilt = run_rescreen(
        snapshots, store, audit, since=first.ref, full=True, factory=factory, active_screener=stale
    )
    assert sorted(built) == sorted([len(lists["old"]), len(lists["new"])])
    assert [c.to_dict() for c in reused.changes] == [c.to_dict() for c in rebuilt.changes]
    assert set(_by_id(reused.changes)) == {"cus-phytium", "cus-hik", "cus-blueharbour", "cus-sugon"}
