"""The service's CLI faces: keys, customers, audit verify/export (exit 1 on tampering), decisions
list/replay — run through the real Typer app on a real store."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from chipguard.cli import app
from chipguard.service import Services
from chipguard.store import testing
from chipguard.store.records import AuditEntryRow

runner = CliRunner()


@pytest.fixture
def db(home: Path, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_keys_customers_and_audit_cli(db: str, tmp_path: Path) -> None:
    code, out = _run("keys", "create", "--role", "analyst", "--label", "=cmd", "--db", db)
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert token.startswith("cg_")
    code, out = _run("keys", "list", "--db", db)
    assert code == 0 and "analyst" in out and token not in out

    customer = tmp_path / "c.json"
    customer.write_text(json.dumps({"name": "Acme GmbH", "country": "DE", "customer_id": "acme"}))
    code, out = _run("customers", "create", str(customer), "--db", db)
    assert code == 0 and json.loads(out)["version"] == 1
    customer.write_text(json.dumps({"name": "Acme GmbH", "country": "AT"}))
    code, out = _run("customers", "update", "acme", str(customer), "--version", "1", "--db", db)
    assert code == 0 and json.loads(out)["version"] == 2
    code, out = _run("customers", "history", "acme", "--db", db)
    assert [v["customer"]["country"] for v in json.loads(out)] == ["DE", "AT"]

    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "X", "country": "Atlantis"}')
    with pytest.raises(Exception, match="country"):
        _run("customers", "create", str(bad), "--db", db)

    code, out = _run("audit", "verify", "--db", db)
    assert code == 0 and "3 entries" in out

    out_csv = tmp_path / "audit.csv"
    code, _ = _run("audit", "export", "--format", "csv", "--out", str(out_csv), "--db", db)
    assert code == 0
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert [r["action"] for r in rows] == ["key.create", "customer.create", "customer.update"]
    assert all(r["actor"].startswith("cli") for r in rows)
    assert json.loads(rows[0]["payload"])["label"] == "=cmd"  # the payload cell starts with '{': safe as is
    out_jsonl = tmp_path / "audit.jsonl"
    assert _run("audit", "export", "--format", "jsonl", "--out", str(out_jsonl), "--db", db)[0] == 0
    assert len(out_jsonl.read_text().splitlines()) == 3

    services = Services.open(db)
    testing.allow_tampering(services.engine)
    with Session(services.engine) as s, s.begin():
        s.execute(delete(AuditEntryRow).where(AuditEntryRow.seq == 2))
    code, out = _run("audit", "verify", "--db", db)
    assert code == 1 and "[deleted] seq 2" in out
    code, out = _run("audit", "verify", "--json", "--db", db)
    assert code == 1 and json.loads(out)["problems"][0]["kind"] == "deleted"
    # the customer versions no longer all have their audit entry either
    assert {"record": "acme@1", "problem": "has no audit entry"} in json.loads(out)["records"]


def test_decisions_list_and_replay_cli(db: str, shared: Path) -> None:
    services = Services.open(db)
    services.snapshots.load_file(shared / "lists/samples/us_csl_sample_2025.csv")
    stored = services.decide(
        {
            "date": "2025-06-01",
            "kind": "sale",
            "destination": "AM",
            "customer": {"name": "Atlas Sanatgaran", "country": "AM"},
            "items": [{"model": "H100", "quantity": 1}],
        },
        "test",
    )
    code, out = _run("decisions", "list", "--db", db)
    assert code == 0 and stored.decision_id in out and "Atlas Sanatgaran" in out
    code, out = _run("decisions", "replay", stored.decision_id, "--db", db)
    assert code == 0 and "same outcome" in out
    code, out = _run("decisions", "replay", stored.decision_id, "--json", "--db", db)
    assert json.loads(out)["same"] is True
    with pytest.raises(Exception, match="no decision"):
        _run("decisions", "replay", "dec_nope", "--db", db)


def test_list_loads_are_audited(home: Path, shared: Path) -> None:
    sample = shared / "lists/samples/us_csl_sample_2025.csv"
    code, _ = _run("lists", "load", str(sample))
    assert code == 0
    services = Services.open()
    entries = [e for e in services.audit.entries() if e.action == "lists.load"]
    assert len(entries) == 1 and entries[0].actor.startswith("cli")
    snap = entries[0].payload["snapshots"][0]
    assert snap["source"] == "us_csl" and snap["status"] == "loaded"
    assert entries[0].payload["versions"]["lists"] == {"us_csl": snap["sha256"]}
    assert services.audit.verify().ok


def test_serve_sets_the_database_for_its_workers_only_while_it_serves(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve --db`` hands the database to the workers uvicorn starts through their environment, and
    gives the calling process its own environment back when the server returns."""
    import uvicorn

    seen: list[str | None] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda *a, **kw: seen.append(os.environ.get("CHIPGUARD_DATABASE_URL"))
    )
    assert _run("serve", "--db", db, "--port", "8099")[0] == 0
    assert seen == [db] and "CHIPGUARD_DATABASE_URL" not in os.environ
    own = f"sqlite:///{tmp_path / 'own.db'}"
    monkeypatch.setenv("CHIPGUARD_DATABASE_URL", own)
    assert _run("serve", "--db", db, "--port", "8099")[0] == 0
    assert seen == [db, db] and os.environ["CHIPGUARD_DATABASE_URL"] == own
