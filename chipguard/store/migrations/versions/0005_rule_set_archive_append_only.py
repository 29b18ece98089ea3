"""rule-set archive append-only: the database refuses UPDATE and DELETE (and TRUNCATE) on it

Why: ``decisions replay`` re-runs a stored decision with the rule files archived under the hash its
decision recorded (revision 0003). The archive is evidence like the decisions themselves, so it gets the
same guard the decisions (0002) and the reference-file archive (0004) have; replay also checks the
archived rule files against their hash.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":  # chipguard_append_only() comes from revision 0002
        op.execute(
            "CREATE TRIGGER rule_set_archive_append_only BEFORE UPDATE OR DELETE ON rule_set_archive "
            "FOR EACH ROW EXECUTE FUNCTION chipguard_append_only()"
        )
        op.execute(
            "CREATE TRIGGER rule_set_archive_no_truncate BEFORE TRUNCATE ON rule_set_archive "
            "FOR EACH STATEMENT EXECUTE FUNCTION chipguard_append_only()"
        )
    elif dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER rule_set_archive_no_{verb.lower()} BEFORE {verb} ON rule_set_archive "
                f"BEGIN SELECT RAISE(ABORT, 'chipguard: rule_set_archive is append-only ({verb} refused)'); END"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS rule_set_archive_append_only ON rule_set_archive")
        op.execute("DROP TRIGGER IF EXISTS rule_set_archive_no_truncate ON rule_set_archive")
    elif dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS rule_set_archive_no_{verb}")
