"""The Alembic migrations build exactly the schema the table classes declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from chipguard.store.db import (
    SCHEMA_HEAD,
    alembic_config,
    get_engine,
    head_revision,
    import_all_tables,
    make_engine,
    migrate,
)


def test_migrations_match_metadata(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine)  # migrations only: no create_all safety net
        metadata = import_all_tables()
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert ctx.get_current_revision() == head_revision()
            diff = compare_metadata(ctx, metadata)
        assert diff == [], f"migrations differ from the table classes; add a migration: {diff}"
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        assert {
            "audit_log",
            "audit_head",
            "decisions",
            "customers",
            "customer_versions",
            "api_keys",
        } <= tables
    finally:
        engine.dispose()


def test_migrate_is_idempotent_and_get_engine_migrates(db_url: str) -> None:
    engine = get_engine(db_url)
    migrate(engine)  # a second run at head changes nothing
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()


def test_schema_head_is_the_newest_migration() -> None:
    """The constant start-up compares with (to skip importing Alembic) is the migration scripts' head: a
    new migration must move it, or every start takes the slower Alembic path."""
    assert head_revision() == SCHEMA_HEAD


def test_a_database_at_head_opens_without_alembic(db_url: str) -> None:
    """A database already at head (every command after the first) is opened without importing Alembic;
    one behind head is still migrated by it."""
    import subprocess
    import sys

    migrate(make_engine(db_url))
    probe = (
        "import sys; from chipguard.store.db import get_engine; get_engine(sys.argv[1]); "
        "print('alembic' in sys.modules)"
    )
    opened = subprocess.run([sys.executable, "-c", probe, db_url], capture_output=True, text=True, check=True)
    assert opened.stdout.strip() == "False"

    from alembic import command

    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0009")  # the jobs table loses two columns
        migrate(engine)
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == SCHEMA_HEAD
        assert {"retry_of", "cancelled_by"} <= {c["name"] for c in inspect(engine).get_columns("jobs")}
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
    assert create_engine(url).dialect.name == "sqlite"


def test_a_new_database_switches_to_wal_while_another_connection_holds_it(tmp_path: Path) -> None:
    """Switching a new SQLite file to WAL while another connection holds its lock (another worker
    switching it, or migrating) waits for it: SQLite refuses that switch at once, without its busy
    timeout, which made concurrent first migrations fail on a busy machine."""
    import sqlite3
    import threading

    path = tmp_path / "new.db"
    first = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    first.execute("BEGIN IMMEDIATE")  # still in the rollback journal: as a first opener mid-switch
    first.execute("CREATE TABLE t (a)")
    release = threading.Timer(0.3, lambda: first.execute("COMMIT"))
    release.start()
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    finally:
        release.join()
        first.close()
        engine.dispose()


def test_concurrent_first_migrations_do_not_collide(db_url: str) -> None:
    """Several workers starting on an empty database at once: one migrates, the others wait and find
    the schema at head (PostgreSQL advisory lock / SQLite write lock)."""
    import threading

    engines = [make_engine(db_url) for _ in range(4)]
    errors: list[BaseException] = []

    def start(engine: object) -> None:
        try:
            migrate(engine)  # type: ignore[arg-type]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        with engines[0].connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    finally:
        for e in engines:
            e.dispose()
