"""The audit chain covers every evidence record (issue 14): decisions, customers and their versions, API
keys, list snapshots and their parties, the active-list pointer and its history are sealed in the audit
entry of the write that made them, and `audit verify` recomputes them from the tables and names the first
table, row and column that disagree. Tampering as someone with write access to the database would —
rewriting every column of every evidence table, deleting and reordering rows, forging rows, INSERT OR
REPLACE, dropping the guard triggers — is refused by the triggers or detected, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from chipguard.model import Customer, Owner
from chipguard.service.services import Services
from chipguard.store import evidence, testing
from chipguard.store.snapshots import LoadSpec

SAMPLE = "lists/samples/us_csl_sample_2019.csv"


@pytest.fixture
def services(db_url: str, home: Path, shared: Path) -> Iterator[Services]:
    """A store with one of every evidence record, made through the service layer as the faces do."""
    s = Services.open(db_url)
    s.load_lists([LoadSpec(shared / SAMPLE)], "cli:test")
    s.keys.create("screen", "onboarding", actor="cli:test")
    s.customers.create(Customer(name="Acme Rechenzentrum GmbH", customer_id="acme", country="DE"), "cli:test")
    s.customers.update("acme", Customer(name="Acme Rechenzentrum AG", customer_id="acme", country="DE"), "t")
    transaction = {
        "date": "2025-06-01",
        "kind": "sale",
        "destination": "DE",
        "customer": {"name": "Acme Rechenzentrum AG", "country": "DE", "customer_id": "acme"},
        "items": [{"model": "H100 SXM"}],
    }
    s.decide(transaction, "key:analyst")
    # casework: an alert on a listed owner with an evidence file, dismissed and remembered
    listed = s.snapshots.parties_of([s.snapshots.active()[0].id])[0]
    owner = Owner(listed.name, "org", "", 40.0)
    s.customers.create(
        Customer(name="Kestrel Compute LLC", customer_id="kestrel", owners=[owner]), "cli:test"
    )
    alert_id = s.screen_customer("kestrel", "key:analyst")["alerts"]["raised"][0]["alert_id"]
    s.cases.attach(alert_id, "extract.pdf", "application/pdf", b"%PDF-1.4\n", "key:analyst")
    if s.dispose(alert_id, "false_positive", "COMMON_NAME", "generic name", "key:analyst")["needs_approval"]:
        s.approve(alert_id, "key:approver", "analyst")
    s.remove_list("us_csl", "cli:test")
    s.load_lists([LoadSpec(shared / SAMPLE)], "cli:test")  # reactivated: a second flip of the pointer
    yield s
    s.engine.dispose()


def _problems(s: Services) -> list[tuple[str, str]]:
    check = s.verify_audit()
    assert not check.ok
    return check.evidence


def _changed(value: Any, column: Any) -> Any:
    if value is None and isinstance(column.type, DateTime):
        return datetime(2020, 1, 1, tzinfo=UTC)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1000
    if isinstance(value, float):
        return value + 1.0
    if isinstance(value, bytes):
        return value[:-1] + b"x"
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if value is None:
        return "forged"
    if isinstance(value, dict | list):
        return None  # JSON columns: the whole document replaced
    text_value = str(value)  # same length: PostgreSQL enforces the column's length
    return text_value[:-1] + ("y" if text_value.endswith("x") else "x")


def test_a_clean_store_verifies(services: Services) -> None:
    check = services.verify_audit()
    assert check.ok, (check.chain.problems, check.records, check.evidence)
    actions = [e.action for e in services.audit.entries()]
    assert actions.count("lists.load") == 2 and "lists.remove" in actions
    sealed = {item["table"] for e in services.audit.entries() for item in e.payload.get("evidence", [])}
    assert sealed == {*evidence.SEALED_TABLES, evidence.PARTIES}


def test_every_column_of_every_evidence_table_is_covered(services: Services) -> None:
    """Each non-key column of one row of each sealed table is rewritten in turn: verify names that
    table, row and column; put back, verify is clean again."""
    testing.allow_tampering(services.engine)
    checked = 0
    for name in evidence.SEALED_TABLES:
        table = evidence.table(name)
        keys = [c.name for c in table.primary_key.columns]
        with services.engine.connect() as conn:
            row = dict(conn.execute(table.select().limit(1)).mappings().one())
        where = " AND ".join(f"{k} = :k_{k}" for k in keys)
        params = {f"k_{k}": row[k] for k in keys}
        record = f"{name}[{', '.join(str(row[k]) for k in keys)}]"
        for column in table.columns:
            if column.name in keys:
                continue
            original = row[column.name]
            new = _changed(original, column)
            if column.foreign_keys:
                continue  # the database refuses a dangling reference itself (a foreign key)
            with services.engine.begin() as conn:
                conn.execute(table.update().where(text(where)).values({column.name: new}), params)
            found = _problems(services)
            if column.name == "audit_seq":
                assert (record, f"column audit_seq is {new}, but entry {original} sealed it") in found
            else:
                assert found[0][0] == record and found[0][1].startswith(f"column {column.name} differs"), (
                    name,
                    column.name,
                    found,
                )
            with services.engine.begin() as conn:
                conn.execute(table.update().where(text(where)).values({column.name: original}), params)
            rows_left = [p for p in services.verify_audit().evidence if not p[0].startswith("trigger ")]
            assert rows_left == [], (name, column.name, rows_left)
            checked += 1
    assert checked >= 30


def test_party_rows_rewritten_reordered_deleted_or_forged(services: Services) -> None:
    testing.allow_tampering(services.engine)
    snapshot = services.snapshots.active()[0].id
    with services.engine.begin() as conn:
        conn.execute(
            text("UPDATE list_snapshot_parties SET name = 'Someone Else' WHERE snapshot_id = :s AND seq = 7"),
            {"s": snapshot},
        )
    record, problem = _problems(services)[0]
    assert record == f"list_snapshot_parties[{snapshot}, 7]" and "differs from row 7" in problem
    with services.engine.begin() as conn:  # swap rows 7 and 8 (restoring 7's name is moot: 7 is now 8's)
        conn.execute(
            text("UPDATE list_snapshot_parties SET seq = -1 WHERE snapshot_id = :s AND seq = 8"),
            {"s": snapshot},
        )
        conn.execute(
            text("UPDATE list_snapshot_parties SET seq = 8 WHERE snapshot_id = :s AND seq = 7"),
            {"s": snapshot},
        )
        conn.execute(
            text("UPDATE list_snapshot_parties SET seq = 7 WHERE snapshot_id = :s AND seq = -1"),
            {"s": snapshot},
        )
    assert _problems(services)[0][0] == f"list_snapshot_parties[{snapshot}, 7]"
    with services.engine.begin() as conn:
        conn.execute(
            text("DELETE FROM list_snapshot_parties WHERE snapshot_id = :s AND seq >= 7"), {"s": snapshot}
        )
    record, problem = _problems(services)[0]
    assert record == f"list_snapshot_parties[snapshot {snapshot}]" and "are missing: deleted" in problem
    with services.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO list_snapshot_parties (snapshot_id, seq, party_id, name, data) "
                "VALUES (:s, 7, 'forged', 'Forged Party', '{}')"
            ),
            {"s": snapshot},
        )
    assert _problems(services)[0][0] == f"list_snapshot_parties[{snapshot}, 7]"


def test_forged_and_deleted_rows_are_named(services: Services) -> None:
    testing.allow_tampering(services.engine)
    now = datetime.now(UTC).isoformat()
    with services.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO api_keys (key_id, role, salt, secret_hash, label, created_at, created_by, revoked) "
                "VALUES ('0123456789ab', 'admin', :salt, :hash, 'backdoor', :now, 'cli:root', :no)"
            ),
            {"salt": "00" * 16, "hash": "11" * 32, "now": now, "no": False},
        )
        conn.execute(text("DELETE FROM customer_versions WHERE version = 1"))
        conn.execute(text("DELETE FROM list_active"))
    found = dict(_problems(services))
    assert "inserted outside chipguard" in found["api_keys[0123456789ab]"]
    assert "deleted" in found["customer_versions[acme, 1]"]
    assert "deleted" in found["list_active[us_csl]"]


def test_the_guards_refuse_edits_replace_and_deletes(services: Services) -> None:
    attempts = [
        "UPDATE decisions SET outcome = 'ALLOW'",
        "UPDATE api_keys SET role = 'admin'",
        "UPDATE api_keys SET revoked = :no",
        "DELETE FROM api_keys",
        "DELETE FROM customers",
        "UPDATE customers SET version = version + 5",
        "UPDATE list_snapshot_parties SET name = 'x'",
        "DELETE FROM list_snapshots",
        "DELETE FROM list_activations",
    ]
    services.keys.revoke(services.keys.find()[0].key_id, actor="cli:test")
    for sql in attempts:
        with pytest.raises((IntegrityError, DBAPIError)), services.engine.begin() as conn:
            conn.execute(text(sql), {"no": False})
    if services.engine.dialect.name == "sqlite":
        with pytest.raises(IntegrityError, match="append-only"), services.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT OR REPLACE INTO decisions SELECT decision_id, decided_at, 'ALLOW', customer_id, "
                    "actor, transaction_json, decision_json, versions_json, audit_seq FROM decisions"
                )
            )
    assert services.verify_audit().ok


def test_dropped_triggers_are_reported(services: Services) -> None:
    testing.allow_tampering(services.engine)
    found = dict(_problems(services))
    assert "trigger decisions_no_update" in found or "trigger decisions_append_only" in found
    assert all("missing or disabled" in p for p in found.values())


def test_baseline_seals_rows_of_an_older_database_once(services: Services, db_url: str) -> None:
    """Rows written before seals existed (simulated by inserting them directly) are reported until the
    operator runs `audit baseline`; the baseline never re-seals a sealed row, so an earlier edit stays
    visible, and a baselined row edited afterwards is caught like any other."""
    from typer.testing import CliRunner

    from chipguard.cli import app as cli_app

    testing.allow_tampering(services.engine)
    now = datetime.now(UTC).isoformat()
    with services.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO api_keys (key_id, role, salt, secret_hash, label, created_at, created_by, revoked) "
                "VALUES ('00000000beef', 'screen', :salt, :hash, 'from 2025', :now, 'cli:old', :no)"
            ),
            {"salt": "00" * 16, "hash": "11" * 32, "now": now, "no": False},
        )
        conn.execute(text("UPDATE decisions SET outcome = 'ALLOW'"))  # an edit of a sealed row
    found = dict(_problems(services))
    assert "inserted outside chipguard" in found["api_keys[00000000beef]"]
    result = CliRunner().invoke(cli_app, ["audit", "baseline", "--db", db_url])
    assert result.exit_code == 0 and "sealed 1 row(s)" in result.output, result.output
    rows = [p for p in services.verify_audit().evidence if not p[0].startswith("trigger ")]
    assert [r for r, _ in rows] == [f"decisions[{services.decisions.find(limit=1)[0].decision_id}]"]
    with services.engine.begin() as conn:
        conn.execute(text("UPDATE api_keys SET label = 'changed' WHERE key_id = '00000000beef'"))
    assert "column label differs" in dict(_problems(services))["api_keys[00000000beef]"]
    assert CliRunner().invoke(cli_app, ["audit", "baseline", "--db", db_url]).output.startswith("every")
