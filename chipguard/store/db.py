"""The one place that creates database engines, so every table lives in one metadata and every
connection gets the same settings (SQLite: WAL and foreign keys; PostgreSQL: as given by URL), and the
one place that brings a schema up to date (Alembic migrations in chipguard/store/migrations)."""

from __future__ import annotations

import contextlib
import os
import threading
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.orm import DeclarativeBase

from chipguard import config

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIGRATIONS = Path(__file__).parent / "migrations"

# Execution option: ``conn.execution_options(sqlite_begin="IMMEDIATE")`` makes an SQLite transaction take
# the write lock when it begins. Read-then-write transactions (the audit chain's append) need it: a
# deferred transaction that read a snapshot cannot upgrade to a writer once another writer committed.
SQLITE_BEGIN = "sqlite_begin"


class Base(DeclarativeBase):
    """Declarative base of every chipguard table (snapshots, customers, decisions, audit, keys, …)."""

    metadata = MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own implicit BEGIN is switched off so SQLAlchemy's "begin" event below emits it,
    # which is what lets a caller ask for BEGIN IMMEDIATE (SQLAlchemy's documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    _journal_mode_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: a committed decision or audit entry must survive a crash of the machine, not only of the
    # process; writes are rare next to screening reads, so the fsync per commit is affordable.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _journal_mode_wal(cursor: Any) -> None:
    """Switches the database to WAL, waiting (up to the busy timeout) while another connection holds it.

    Why the loop: switching a new database to WAL needs its exclusive lock, and SQLite answers "database
    is locked" at once — without its busy handler — when another connection is doing the same or writing
    (each would wait for the other). Several workers opening a new database together (``serve --workers
    N``, the first migration) met that on a busy machine. Once the file is in WAL the statement is a no-op."""
    import sqlite3
    import time

    deadline = time.monotonic() + WRITER_LOCK_WAIT
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(SQLITE_BEGIN, "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())


WRITER_LOCK_WAIT = 30.0  # seconds a writer waits for the lock, as long as SQLite's busy timeout
_LOCK_FD = "chipguard_writer_lock_fd"  # key of a connection's lock file descriptor in its info dict


class WriterLock:
    """Serialises SQLite writers of one database file across processes (``serve --workers N``) with an
    advisory lock on a file beside it, taken before ``BEGIN IMMEDIATE`` and let go when the connection
    returns to the pool (after its commit or rollback).

    Why: SQLite lets a writer that finds the database locked sleep and retry (1, 2, 5 … 100 ms), so two
    worker processes that each append an audit entry per request spend most of their time asleep —
    two workers served fewer requests than one. A waiter on this lock polls every half millisecond
    instead, and gives up after ``WRITER_LOCK_WAIT`` (then SQLite's own timeout decides), so a writer
    opened inside another writer's transaction fails as before instead of hanging."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def take(self, conn: Connection) -> None:
        import fcntl
        import time

        info = conn.info
        fd = info.get(_LOCK_FD)
        if fd is None:
            fd = info[_LOCK_FD] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + WRITER_LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.0005)

    @staticmethod
    def release(_dbapi_connection: Any, record: Any) -> None:
        import fcntl

        fd = record.info.get(_LOCK_FD) if record is not None else None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)

    @staticmethod
    def close(_dbapi_connection: Any, record: Any, *_exc: Any) -> None:
        fd = record.info.pop(_LOCK_FD, None) if record is not None else None
        if fd is not None:
            os.close(fd)  # closing the descriptor lets go of its lock too

    def listen(self, engine: Engine) -> None:
        def begin(conn: Connection) -> None:
            if conn.get_execution_options().get(SQLITE_BEGIN, "") == "IMMEDIATE":
                self.take(conn)
            _sqlite_begin(conn)

        event.listen(engine, "begin", begin)
        event.listen(engine, "checkin", self.release)
        event.listen(engine, "close", self.close)
        event.listen(engine, "invalidate", self.close)


def _sqlite_file(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str | None = None) -> Engine:
    url = url or config.database_url()
    if url.startswith("sqlite"):
        _create_private(url)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        database = _sqlite_file(url)
        if database is not None and os.name == "posix":
            WriterLock(database.with_name(database.name + "-writer.lock")).listen(engine)
        else:
            event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _create_private(url: str) -> None:
    """Creates a new SQLite database file readable by its owner only (0600; SQLite gives its journal
    and WAL files the same mode): it holds customers' data and the audit trail."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another process created it first
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@cache
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine(url: str | None = None) -> Engine:
    """A shared engine per URL, with the schema brought up to date on first use."""
    url = url or config.database_url()
    engine = _engine_for(url)
    _known_urls.add(url)
    init_schema(engine)
    return engine


def forget_engine(url: str) -> None:
    """Disposes the shared engine of ``url`` (tests that drop a database call this first)."""
    if url in _known_urls:
        engine = _engine_for(url)
        engine.dispose()
        _initialised.discard(engine.url.render_as_string(hide_password=False))


_initialised: set[str] = set()
_known_urls: set[str] = set()
_lock = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Any:
    """An Alembic Config for the package's migrations (no alembic.ini needed on disk)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def import_all_tables() -> MetaData:
    """Imports every module that declares tables, so the metadata is complete, and returns it."""
    import chipguard.store.tables  # noqa: F401

    return Base.metadata


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return head or ""


# The newest migration's revision. Why a constant: a database already at head is the common case (every
# CLI command and worker start), and reading the head from the migration scripts imports Alembic (~0.1 s of
# a single `chipguard screen`). A stale constant only sends start-up down the Alembic path below, which
# reads the true head; test_store_migrations checks it equals the scripts' head.
SCHEMA_HEAD = "0010"


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database's ``alembic_version`` table; None when there is none."""
    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return None
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return str(rows[0]) if len(rows) == 1 else None


def migrate(engine: Engine) -> None:
    """Runs the Alembic migrations up to head under a database-wide lock, so several workers starting
    at once (uvicorn --workers N on one database) never race to create the same tables."""
    if _stored_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    head = head_revision()
    with engine.connect() as probe:
        if MigrationContext.configure(probe).get_current_revision() == head:
            return
    with engine.connect().execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7310452)"))
        if MigrationContext.configure(conn).get_current_revision() != head:
            command.upgrade(alembic_config(conn), "head")


def init_schema(engine: Engine) -> None:
    """Migrates the schema once per engine per process. Tables declared by a module that has no
    migration yet are then created from the metadata, so work in progress still runs; the test
    ``test_store_migrations`` fails until a migration covers them."""
    key = str(engine.url.render_as_string(hide_password=False))
    if key in _initialised:
        return
    with _lock:
        if key in _initialised:
            return
        metadata = import_all_tables()
        migrate(engine)
        metadata.create_all(engine)
        _initialised.add(key)
