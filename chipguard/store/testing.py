"""Helpers for running the store, audit and API tests on both databases.

Why in the package and not in a conftest: several test modules need the same throw-away databases,
and ``.ci/run`` exports ``CHIPGUARD_TEST_PG_URL`` so that every such test also runs on a real
PostgreSQL server. Each PostgreSQL test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text

from chipguard.settings import env_name, settings
from chipguard.store.db import forget_engine

PG_ENV = env_name("test_pg_url")


def pg_url() -> str | None:
    """The PostgreSQL server URL the tests may use (a database on it that they may create others from)."""
    return settings().test_pg_url


def backends() -> list[str]:
    """Backend names to parametrise tests with: always sqlite, postgresql when a server is configured."""
    return ["sqlite", "postgresql"] if pg_url() else ["sqlite"]


@contextmanager
def fresh_pg_database(server_url: str) -> Iterator[str]:
    name = f"cg_test_{secrets.token_hex(6)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        try:
            yield url
        finally:
            forget_engine(url)
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def database(backend: str, directory: Path) -> Iterator[str]:
    """A URL of an empty database of ``backend``; SQLite files live in ``directory``."""
    if backend == "sqlite":
        url = f"sqlite:///{directory / 'chipguard-test.db'}"
        try:
            yield url
        finally:
            forget_engine(url)
        return
    server = pg_url()
    if server is None:
        raise RuntimeError(f"{PG_ENV} is not set")
    with fresh_pg_database(server) as url:
        yield url


def allow_tampering(engine: Engine) -> None:
    """Removes the append-only triggers (migration 0002), as an attacker owning the schema could, so
    tamper tests can show that ``audit verify`` still catches what the triggers no longer stop."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for table in (
                "audit_log",
                "decisions",
                "customer_versions",
                "audit_head",
                "reference_files",
                "rule_set_archive",
                "list_snapshots",
                "list_snapshot_parties",
                "list_activations",
                "customers",
                "api_keys",
                "alert_events",
                "alert_attachments",
            ):
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            names = (
                conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
            )
            for name in names:
                if name.endswith(("_no_update", "_no_delete", "_no_replace", "_guard_update")):
                    conn.execute(text(f'DROP TRIGGER "{name}"'))
