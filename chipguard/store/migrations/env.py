"""Alembic environment: runs chipguard's migrations on the connection chipguard.store.db hands over, or
on CHIPGUARD_DATABASE_URL when invoked as ``alembic -c chipguard/store/alembic.ini …`` (autogenerate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from chipguard import config
from chipguard.store.db import import_all_tables

target_metadata = import_all_tables()


def _configure_and_run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or config.database_url()
    engine = create_engine(url)
    with engine.begin() as conn:
        _configure_and_run(conn)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run()
