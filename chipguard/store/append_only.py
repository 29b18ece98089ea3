"""Database triggers that make a table append-only (used by the Alembic revisions that create them).

Why in one place: every table that holds evidence (decisions, audit entries, archived rule and reference
files) gets the same guard — PostgreSQL refuses UPDATE, DELETE and TRUNCATE through
``chipguard_append_only()`` (revision 0002), SQLite refuses UPDATE and DELETE — under the same trigger
names, so tests and ``store.testing.allow_tampering`` can find them. The SQL is fixed text: a revision that
uses it behaves the same whenever it runs.
"""

from __future__ import annotations

from alembic import op


def create_append_only_triggers(table: str) -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on ``table``."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":  # chipguard_append_only() comes from revision 0002
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION chipguard_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION chipguard_append_only()"
        )
    elif dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'chipguard: {table} is append-only ({verb} refused)'); END"
            )


def drop_append_only_triggers(table: str) -> None:
    """Undo :func:`create_append_only_triggers` (downgrade)."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    elif dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def create_no_replace_trigger(
    table: str, key_columns: tuple[str, ...], *, content_addressed: bool = False
) -> None:
    """SQLite only: refuse an INSERT whose key exists already. ``INSERT OR REPLACE`` deletes the old row
    *without firing delete triggers* (unless recursive triggers are on, which a writer need not turn
    on), so an append-only table needs this too; BEFORE INSERT fires before the conflict is resolved.
    A content-addressed table (the key is the content's hash; chipguard inserts with ON CONFLICT DO
    NOTHING) keeps the stored row and skips the insert instead of failing it. PostgreSQL's ``ON
    CONFLICT DO UPDATE`` fires the update triggers, so it needs nothing more."""
    if op.get_bind().dialect.name != "sqlite":
        return
    match = " AND ".join(f"{c} = NEW.{c}" for c in key_columns)
    action = (
        "RAISE(IGNORE)"
        if content_addressed
        else f"RAISE(ABORT, 'chipguard: {table} is append-only (replace refused)')"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {match}) BEGIN SELECT {action}; END"
    )


def create_no_delete_trigger(table: str) -> None:
    """Refuse DELETE (and TRUNCATE on PostgreSQL) on a table whose rows are updated but never removed."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION chipguard_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION chipguard_append_only()"
        )
    elif dialect == "sqlite":
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'chipguard: {table} rows are never deleted (DELETE refused)'); END"
        )


def create_update_guard(
    table: str, frozen: tuple[str, ...], extra_sqlite: str = "", extra_pg: str = ""
) -> None:
    """Refuse an UPDATE that changes any of the ``frozen`` columns (or meets the extra condition, written
    over OLD and NEW): the row may move on only the way chipguard moves it."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        changed = " OR ".join(
            [f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in frozen] + ([extra_pg] if extra_pg else [])
        )
        op.execute(
            f"CREATE OR REPLACE FUNCTION chipguard_{table}_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF {changed} THEN RAISE EXCEPTION 'chipguard: this change of {table} is refused'; END IF; "
            "RETURN NEW; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_guard_update BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION chipguard_{table}_guard()"
        )
    elif dialect == "sqlite":
        changed = " OR ".join(
            [f"NEW.{c} IS NOT OLD.{c}" for c in frozen] + ([extra_sqlite] if extra_sqlite else [])
        )
        op.execute(
            f"CREATE TRIGGER {table}_guard_update BEFORE UPDATE ON {table} WHEN {changed} "
            f"BEGIN SELECT RAISE(ABORT, 'chipguard: this change of {table} is refused'); END"
        )


def drop_no_replace_trigger(table: str) -> None:
    """Undo :func:`create_no_replace_trigger` (downgrade)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")


def drop_guard_triggers(table: str) -> None:
    """Undo :func:`create_no_delete_trigger` and :func:`create_update_guard` of ``table`` (downgrade)."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name in ("no_delete", "no_truncate", "guard_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS chipguard_{table}_guard()")
    elif dialect == "sqlite":
        for name in ("no_delete", "guard_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{name}")
