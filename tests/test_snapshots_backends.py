"""The snapshot store behaves the same on SQLite and on a real PostgreSQL server (when
CHIPGUARD_TEST_PG_URL names one, as .ci/run does): loading, no-op reloads, replacement, reactivation,
rollback of a failed load, and lookups by hash prefix (LIKE semantics differ between the two)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from test_snapshots_support import CSL_NAME, CSL_ROWS, trimmed_csl

from chipguard.sources import SourceError, parse_file
from chipguard.store.db import get_engine
from chipguard.store.snapshots import SnapshotPartyRow, SnapshotRow, SnapshotStore


@pytest.fixture
def store(db_url: str) -> SnapshotStore:
    return SnapshotStore(get_engine(db_url))


def _counts(store: SnapshotStore) -> tuple[int, int]:
    with Session(store.engine) as session:
        return (
            session.scalar(select(func.count()).select_from(SnapshotRow)) or 0,
            session.scalar(select(func.count()).select_from(SnapshotPartyRow)) or 0,
        )


def test_lifecycle(store: SnapshotStore, shared: Path, tmp_path: Path) -> None:
    a_file = trimmed_csl(shared, tmp_path / "a.csv", 300)
    b_file = trimmed_csl(shared, tmp_path / "b.csv", 150, skip=7000)
    a = store.load_file(a_file)
    assert store.load_file(a_file).status == "unchanged"
    assert store.active_parties()[0] == parse_file(a_file).parties
    b = store.load_file(b_file)
    assert (b.status, b.previous_id) == ("replaced", a.id)
    assert store.get_snapshot(a.sha256[:8]).id == a.id
    assert store.get_snapshot(f"us_csl:{b.sha256[:8].upper()}").id == b.id
    assert store.load_file(a_file).status == "reactivated"
    assert [i.id for i in store.active()] == [a.id]
    assert _counts(store) == (2, 450)


def test_failed_loads_leave_the_previous_snapshot(store: SnapshotStore, shared: Path, tmp_path: Path) -> None:
    before = store.load_file(trimmed_csl(shared, tmp_path / "a.csv", 100))
    lines = (tmp_path / "a.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[50] = lines[50].rstrip("\n") + ',"surplus"\n'
    garbled = tmp_path / "garbled.csv"
    garbled.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        store.load_file(garbled)
    assert err.value.line == 51

    def refuse(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO LIST_ACTIVATIONS"):
            raise RuntimeError("injected failure after the parties were inserted")

    event.listen(store.engine, "before_cursor_execute", refuse)
    try:
        with pytest.raises(RuntimeError):
            store.load_file(trimmed_csl(shared, tmp_path / "b.csv", 80, skip=400))
    finally:
        event.remove(store.engine, "before_cursor_execute", refuse)
    assert [(i.id, i.sha256, i.record_count) for i in store.active()] == [
        (before.id, before.sha256, before.record_count)
    ]
    assert _counts(store) == (1, 100)


def test_full_real_csl(store: SnapshotStore, shared: Path) -> None:
    if store.engine.dialect.name == "sqlite":
        pytest.skip("the full CSL on SQLite is covered by test_snapshots.py")
    info = store.load_file(shared / CSL_NAME)
    assert info.record_count == CSL_ROWS
    parties, _ = store.active_parties()
    # Round trip through PostgreSQL's JSON: exactly what the parser produced (the CSL even repeats some
    # _ids — 14,048 distinct — which is why parties are keyed by position, not by id).
    assert parties == parse_file(shared / CSL_NAME).parties
