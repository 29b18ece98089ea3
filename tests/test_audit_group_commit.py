"""Group commit of audit entries (``AuditLog.record``): concurrent callers share transactions, yet every
entry is present once, with the content its caller gave, in one chain that verifies — from threads and
from two processes, on SQLite and PostgreSQL — and a commit that fails fails every caller it held."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from test_api_support import Api

from chipguard.audit import AuditEntry, AuditLog
from chipguard.errors import AuditUnavailableError
from chipguard.store.db import get_engine

KEY = b"group-commit-test-key"


@pytest.fixture
def engine(db_url: str) -> Engine:
    return get_engine(db_url)


def _payloads(log: AuditLog) -> list[tuple[str, int, int]]:
    return sorted((e.actor, e.payload["t"], e.payload["i"]) for e in log.entries())


def _until(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.005)


def test_threads_appending_at_once_give_one_verifiable_chain(engine: Engine) -> None:
    """8 threads × 25 entries through one log: every entry present exactly once with its own content,
    sequence numbers 1…200 without a gap, the chain and the signed head verified, and what each caller
    got back is what the database holds."""
    log = AuditLog(engine, key=KEY)
    returned: list[AuditEntry] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def caller(t: int) -> None:
        try:
            for i in range(25):
                entry = log.record(f"worker{t}", "screen.adhoc", {"t": t, "i": i, "name": "Ünïcode 华为"})
                with lock:
                    returned.append(entry)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=caller, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = log.verify()
    assert report.ok, report.problems
    stored = list(log.entries())
    assert [e.seq for e in stored] == list(range(1, 201))
    assert _payloads(log) == sorted((f"worker{t}", t, i) for t in range(8) for i in range(25))
    assert sorted((e.seq, e.hash) for e in returned) == [(e.seq, e.hash) for e in stored]
    assert all(e.payload["name"] == "Ünïcode 华为" for e in stored)


def _hold_the_chain(log: AuditLog) -> Callable[[], None]:
    """Starts a transaction that appends one entry and keeps the chain's lock (the head row; on SQLite
    also the writer lock) until the returned function is called: a commit started meanwhile blocks."""
    ready, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def holder() -> None:
        try:
            with log.writer_session() as session, session.begin():
                log.append(session, "holder", "test.hold", {"t": -1, "i": 0})
                ready.set()
                release.wait(60)
        except BaseException as exc:  # noqa: BLE001 - re-raised by finish()
            failures.append(exc)
            ready.set()

    thread = threading.Thread(target=holder)
    thread.start()
    assert ready.wait(60)

    def finish() -> None:
        release.set()
        thread.join()
        assert failures == []

    return finish


def _start_callers(
    log: AuditLog, payloads: list[dict[str, object]]
) -> tuple[list[threading.Thread], dict[int, AuditEntry | BaseException]]:
    outcome: dict[int, AuditEntry | BaseException] = {}

    def caller(n: int, payload: dict[str, object]) -> None:
        try:
            outcome[n] = log.record(f"worker{n}", "screen.adhoc", payload)
        except BaseException as exc:  # noqa: BLE001 - checked by the test
            outcome[n] = exc

    threads = [threading.Thread(target=caller, args=(n, p)) for n, p in enumerate(payloads)]
    return threads, outcome


def test_entries_arriving_while_a_commit_waits_for_the_chain_share_it(engine: Engine) -> None:
    """While another transaction holds the chain, the first caller's commit waits for it and five more
    callers queue behind; all six are then written in one transaction, in the order they came, and each
    caller gets its own entry back."""
    log = AuditLog(engine, key=KEY)
    committer = log._group_commit()
    finish = _hold_the_chain(log)
    threads, outcome = _start_callers(log, [{"t": n, "i": 0} for n in range(6)])
    threads[0].start()
    _until(committer.leading, "the first caller waits for the chain")
    for n, thread in enumerate(threads[1:], start=2):
        thread.start()
        _until(lambda n=n: committer.waiting() == n, f"{n} callers are queued")
    finish()
    for thread in threads:
        thread.join()
    assert committer.commits == 1
    entries = {n: e for n, e in outcome.items() if isinstance(e, AuditEntry)}
    assert sorted(entries) == list(range(6)), outcome
    assert [entries[n].seq for n in range(6)] == list(range(2, 8))
    assert all(e.payload == {"t": n, "i": 0} and e.actor == f"worker{n}" for n, e in entries.items())
    report = log.verify()
    assert report.ok and report.entries == 7, report.problems


def _refuse_poison(engine: Engine, word: str = "poison") -> None:
    """A database rule that refuses an audit entry whose payload holds ``word`` (the real database
    failing a commit: the whole transaction is rolled back)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"IF NEW.payload LIKE '%{word}%' THEN RAISE EXCEPTION 'poison refused'; END IF; "
                    "RETURN NEW; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_poison BEFORE INSERT ON audit_log "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_poison BEFORE INSERT ON audit_log "
                    f"WHEN NEW.payload LIKE '%{word}%' BEGIN SELECT RAISE(ABORT, 'poison refused'); END"
                )
            )


def test_a_failed_commit_fails_every_caller_waiting_on_it(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Six callers share a commit that the database refuses (one entry breaks a rule): all six get
    AuditUnavailableError (the cause logged, not told), none of their entries is written, the entry committed
    before them stays, the chain verifies, and the next caller commits normally."""
    _refuse_poison(engine)
    log = AuditLog(engine, key=KEY)
    committer = log._group_commit()
    finish = _hold_the_chain(log)
    payloads: list[dict[str, object]] = [{"t": n, "i": 0} for n in range(6)]
    payloads[3] = {"t": 3, "i": 0, "note": "poison"}
    threads, outcome = _start_callers(log, payloads)
    threads[0].start()
    _until(committer.leading, "the first caller waits for the chain")
    for n, thread in enumerate(threads[1:], start=2):
        thread.start()
        _until(lambda n=n: committer.waiting() == n, f"{n} callers are queued")
    finish()
    for thread in threads:
        thread.join()
    for n in range(6):
        error = outcome[n]
        assert isinstance(error, AuditUnavailableError), (n, error)
        assert "could not be committed" in str(error) and "poison refused" in str(error.__cause__)
        assert "poison" not in str(error)  # the cause may quote the other callers' entries: logged only
    assert committer.commits == 0 and committer.waiting() == 0
    logged = [r.getMessage() for r in caplog.records if r.name == "chipguard.audit"]
    assert len(logged) == 1 and logged[0].startswith("audit commit of 6 entries failed: ")
    assert logged[0].endswith("poison refused") and "INSERT" not in logged[0]
    report = log.verify()
    assert report.ok and report.entries == 1, report.problems
    assert [e.actor for e in log.entries()] == ["holder"]
    after = log.record("worker9", "screen.adhoc", {"t": 9, "i": 0})
    assert after.seq == 2 and log.verify().ok and committer.commits == 1


def _append_from_threads(url: str, process: int, threads: int, count: int) -> None:
    log = AuditLog(get_engine(url), key=KEY)
    errors: list[BaseException] = []

    def caller(t: int) -> None:
        try:
            for i in range(count):
                log.record(f"p{process}", "screen.adhoc", {"t": t, "i": i})
        except BaseException as exc:  # noqa: BLE001 - makes the process fail
            errors.append(exc)

    pool = [threading.Thread(target=caller, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise SystemExit(f"process {process}: {errors[0]!r}")


def test_two_processes_with_threads_interleave_into_one_chain(db_url: str, tmp_path: Path) -> None:
    """Two processes (``serve --workers 2``), four threads each, group-committing into one database:
    one chain, verified, every entry of both present exactly once."""
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_from_threads, args=(db_url, p, 4, 15)) for p in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(240)
        assert proc.exitcode == 0
    log = AuditLog(get_engine(db_url), key=KEY)
    report = log.verify()
    assert report.ok, report.problems
    assert [e.seq for e in log.entries()] == list(range(1, 121))
    assert _payloads(log) == sorted((f"p{p}", t, i) for p in range(2) for t in range(4) for i in range(15))


def test_a_screen_whose_audit_entry_cannot_be_committed_is_not_answered(srv: Api) -> None:
    """The REST face fails closed: when the database refuses the screen's audit entry the client gets
    503 audit_unavailable and no result (no hits, no screening), and nothing of the entry is stored."""
    _refuse_poison(srv.services.engine, "Refused Trading")
    before = srv.services.audit.verify().entries
    r = srv.client.post("/v1/screen", json={"name": "Refused Trading LLC"}, headers=srv.headers("screen"))
    assert r.status_code == 503, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == "audit_unavailable"
    assert "could not be committed" in body["error"]["message"]
    assert "Refused" not in body["error"]["message"] and "INSERT" not in body["error"]["message"]
    report = srv.services.audit.verify()
    assert report.ok and report.entries == before
    ok = srv.client.post("/v1/screen", json={"name": "Northwind Bakery"}, headers=srv.headers("screen"))
    assert ok.status_code == 200 and srv.services.audit.verify().entries == before + 1
