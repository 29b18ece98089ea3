"""The hash-chained audit log: appends verify; every kind of tampering is detected and named."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from chipguard.audit import AuditLog, csv_safe, entry_hash
from chipguard.model import Decision, Outcome, Reason
from chipguard.store import testing
from chipguard.store.db import get_engine
from chipguard.store.decisions import DecisionStore
from chipguard.store.records import AuditEntryRow, AuditHeadRow, DecisionRow


@pytest.fixture
def engine(db_url: str) -> Engine:
    return get_engine(db_url)


@pytest.fixture
def log(engine: Engine) -> AuditLog:
    audit = AuditLog(engine, key=b"test-audit-key")
    for i in range(1, 7):
        audit.record(
            f"key:analyst{i % 2}", "customer.update", {"customer_id": f"c{i}", "n": i, "name": "Ünïcode 华为"}
        )
    return audit


def _kinds(audit: AuditLog) -> dict[str, list[int | None]]:
    out: dict[str, list[int | None]] = {}
    for problem in audit.verify().problems:
        out.setdefault(problem.kind, []).append(problem.seq)
    return out


def test_intact_chain_verifies(log: AuditLog) -> None:
    report = log.verify()
    assert report.ok, report.problems
    assert report.entries == 6 and report.head_seq == 6
    entries = list(log.entries())
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].prev_hash == "0" * 64
    for a, b in zip(entries, entries[1:], strict=False):
        assert b.prev_hash == a.hash
    assert entries[2].payload["name"] == "Ünïcode 华为"
    assert [r.seq for r in log._pages(size=4)] == [1, 2, 3, 4, 5, 6]  # verify streams in pages


def test_edited_entry_is_named(log: AuditLog, engine: Engine) -> None:
    testing.allow_tampering(engine)
    with Session(engine) as s, s.begin():
        s.execute(
            update(AuditEntryRow).where(AuditEntryRow.seq == 3).values(payload='{"customer_id":"evil"}')
        )
    assert _kinds(log) == {"edited": [3]}


def test_edited_and_rehashed_entry_breaks_the_next_link(log: AuditLog, engine: Engine) -> None:
    testing.allow_tampering(engine)
    with Session(engine) as s, s.begin():
        row = s.get(AuditEntryRow, 3)
        assert row is not None
        row.actor = "someone-else"
        row.hash = entry_hash(row.seq, row.ts, row.actor, row.action, row.payload, row.prev_hash)
    kinds = _kinds(log)
    assert 4 in kinds.get("deleted", []) + kinds.get("edited", [])
    assert not log.verify().ok


def test_deleted_entry_is_named(log: AuditLog, engine: Engine) -> None:
    testing.allow_tampering(engine)
    with Session(engine) as s, s.begin():
        s.execute(delete(AuditEntryRow).where(AuditEntryRow.seq == 4))
    assert _kinds(log) == {"deleted": [4]}


def test_reordered_entries_are_named(log: AuditLog, engine: Engine) -> None:
    # Swap the contents of entries 2 and 5 (what a re-ordering of rows in the table amounts to).
    testing.allow_tampering(engine)
    with Session(engine) as s, s.begin():
        a, b = s.get(AuditEntryRow, 2), s.get(AuditEntryRow, 5)
        assert a is not None and b is not None
        fields = ("ts", "actor", "action", "payload", "prev_hash", "hash")
        va, vb = ({f: getattr(r, f) for f in fields} for r in (a, b))
        for f in fields:
            setattr(a, f, vb[f])
            setattr(b, f, va[f])
    kinds = _kinds(log)
    assert set(kinds) == {"reordered"}
    # the moved entries, and the entries whose predecessor moved away, are all named
    assert kinds["reordered"] == [2, 3, 5, 6]


def test_truncated_log_is_detected_by_the_head(log: AuditLog, engine: Engine) -> None:
    testing.allow_tampering(engine)
    with Session(engine) as s, s.begin():
        s.execute(delete(AuditEntryRow).where(AuditEntryRow.seq >= 5))
    report = log.verify()
    assert [(p.kind, p.seq) for p in report.problems] == [("truncated", 5)]
    assert "5–6" in report.problems[0].message


def test_truncation_with_a_rewritten_head_fails_the_signature(log: AuditLog, engine: Engine) -> None:
    testing.allow_tampering(engine)
    with Session(engine) as s, s.begin():
        last = s.get(AuditEntryRow, 4)
        assert last is not None
        s.execute(delete(AuditEntryRow).where(AuditEntryRow.seq >= 5))
        s.execute(update(AuditHeadRow).values(seq=4, hash=last.hash))
    assert _kinds(log) == {"head": [4]}


def test_deleted_head_and_appended_rows_are_detected(log: AuditLog, engine: Engine) -> None:
    testing.allow_tampering(engine)
    with Session(engine) as s, s.begin():
        prev = s.get(AuditEntryRow, 6)
        assert prev is not None
        h = entry_hash(7, "2030-01-01T00:00:00Z", "x", "decision.create", "{}", prev.hash)
        s.add(
            AuditEntryRow(
                seq=7,
                ts="2030-01-01T00:00:00Z",
                actor="x",
                action="decision.create",
                payload="{}",
                prev_hash=prev.hash,
                hash=h,
            )
        )
    assert _kinds(log) == {"inserted": [7]}
    with Session(engine) as s, s.begin():
        s.execute(delete(AuditHeadRow))
    assert "head" in _kinds(log)


def test_wrong_key_fails_head_signature(log: AuditLog, engine: Engine) -> None:
    assert not AuditLog(engine, key=b"another key").verify().ok


def test_export_jsonl_and_formula_safe_csv(log: AuditLog, tmp_path: Path) -> None:
    log.record('=HYPERLINK("http://x")', "customer.create", {"name": "+cmd|' /C calc'!A0"})
    out = tmp_path / "audit.jsonl"
    assert log.export_file(out, "jsonl") == 7
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["seq"] for e in lines] == list(range(1, 8))
    assert lines[6]["payload"]["name"].startswith("+cmd")

    buf = io.StringIO()
    assert log.export(buf, "csv") == 7
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows[0] == ["seq", "ts", "actor", "action", "payload", "prev_hash", "hash"]
    assert rows[7][2] == '\'=HYPERLINK("http://x")'
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert csv_safe("-1") == "'-1" and csv_safe("@SUM") == "'@SUM" and csv_safe("\tx") == "'\tx"
    assert csv_safe("plain") == "plain"


def test_decision_rows_are_checked_against_their_audit_digest(engine: Engine) -> None:
    audit = AuditLog(engine, key=b"k")
    store = DecisionStore(engine, audit)
    stored = store.save(
        Decision(outcome=Outcome.DENY, reasons=[Reason("listed", "on the Entity List", "15 CFR 744.11")]),
        {"kind": "sale"},
        "key:abc",
    )
    assert audit.verify().ok and store.check_against_audit() == []
    testing.allow_tampering(engine)
    with Session(engine) as s, s.begin():
        row = s.execute(select(DecisionRow)).scalar_one()
        row.decision_json = row.decision_json.replace("DENY", "ALLOW")
        row.outcome = "ALLOW"
    assert store.check_against_audit() == [
        (stored.decision_id, "was edited after it was recorded (digest mismatch)")
    ]


def test_concurrent_appends_keep_one_unbroken_chain(engine: Engine) -> None:
    """Several writers at once (threads here; uvicorn workers in production) never fork the chain."""
    import threading

    audit = AuditLog(engine, key=b"k")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                audit.record(f"worker{n}", "decision.create", {"n": n, "i": i})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = audit.verify()
    assert report.ok, report.problems
    assert report.entries == 40 and [e.seq for e in audit.entries()] == list(range(1, 41))


def test_sqlite_writers_of_other_processes_wait_on_the_writer_lock(tmp_path: Path, home: Path) -> None:
    """A writer transaction holds the lock file beside the SQLite database from BEGIN IMMEDIATE until its
    connection goes back to the pool (another process's writer waits on it instead of sleeping in
    SQLite's retry loop); readers never take it, and appends from two processes still form one chain."""
    import fcntl
    import multiprocessing
    import os

    from sqlalchemy import text

    from chipguard.store.db import make_engine

    database = tmp_path / "lock.db"
    engine = make_engine(f"sqlite:///{database}")
    get_engine(f"sqlite:///{database}")  # schema
    lock = tmp_path / "lock.db-writer.lock"

    def held() -> bool:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    audit = AuditLog(engine, key=b"k")
    with Session(engine) as reader, reader.begin():
        reader.execute(text("SELECT 1"))
        assert not held()
    with audit.writer_session() as session, session.begin():
        audit.append(session, "a", "decision.create", {"n": 0})
        assert held()
    assert not held()

    url = f"sqlite:///{database}"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(url, n, 15)) for n in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    report = audit.verify()
    assert report.ok, report.problems
    assert report.entries == 31


def _append_many(url: str, n: int, count: int) -> None:
    log = AuditLog(get_engine(url), key=b"k")
    for i in range(count):
        log.record(f"worker{n}", "decision.create", {"n": n, "i": i})


def test_customer_versions_are_checked_against_their_audit_entries(engine: Engine) -> None:
    from chipguard.model import Customer
    from chipguard.store.customers import CustomerStore
    from chipguard.store.records import CustomerVersionRow

    audit = AuditLog(engine, key=b"k")
    store = CustomerStore(engine, audit)
    store.create(Customer(name="Acme", country="DE", customer_id="acme"), "key:a")
    store.update("acme", Customer(name="Acme", country="FR"), "key:a")
    assert store.check_against_audit() == []
    testing.allow_tampering(engine)
    with Session(engine) as s, s.begin():
        s.execute(
            update(CustomerVersionRow)
            .where(CustomerVersionRow.customer_id == "acme", CustomerVersionRow.version == 1)
            .values(data=s.get(CustomerVersionRow, ("acme", 2)).data)  # type: ignore[union-attr]
        )
    assert store.check_against_audit() == [("acme@1", "was edited after it was recorded")]
    assert audit.verify().ok  # the chain itself is intact: only the cross-check sees this edit


def test_the_database_refuses_changes_to_append_only_records(log: AuditLog, engine: Engine) -> None:
    """Migration 0002's triggers: UPDATE and DELETE of audit entries, decisions and customer versions,
    and DELETE of the head, fail in the database itself; appends still work."""
    from sqlalchemy.exc import DatabaseError

    DecisionStore(engine, log).save(Decision(outcome=Outcome.REVIEW), {"kind": "sale"}, "key:a")
    attempts = [
        update(AuditEntryRow).where(AuditEntryRow.seq == 2).values(actor="x"),
        delete(AuditEntryRow).where(AuditEntryRow.seq == 6),
        delete(AuditHeadRow),
        update(DecisionRow).values(outcome="ALLOW"),
        delete(DecisionRow),
    ]
    for statement in attempts:
        with (
            pytest.raises(DatabaseError, match="append-only|cannot be deleted"),
            Session(engine) as s,
            s.begin(),
        ):
            s.execute(statement)
    assert log.verify().ok
    log.record("key:a", "customer.update", {"n": 8})
    assert log.verify().ok and log.verify().entries == 8
