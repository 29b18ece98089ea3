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
