"""The one place that creates database engines, so every table lives in one metadata and every
connection gets the same settings (SQLite: WAL and foreign keys; PostgreSQL: as given by URL)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase

from chipguard import config

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every chipguard table (snapshots, customers, decisions, audit, keys, …)."""

    metadata = MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    url = url or config.database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


@cache
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine(url: str | None = None) -> Engine:
    """A shared engine per URL, with the schema brought up to date on first use."""
    url = url or config.database_url()
    engine = _engine_for(url)
    init_schema(engine)
    return engine


_initialised: set[str] = set()


def init_schema(engine: Engine) -> None:
    """Creates or migrates the schema once per engine per process."""
    key = str(engine.url)
    if key in _initialised:
        return
    # Import every module that declares tables so the metadata is complete.
    import chipguard.store.tables  # noqa: F401

    Base.metadata.create_all(engine)
    _initialised.add(key)
