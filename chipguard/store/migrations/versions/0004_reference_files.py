"""reference file archive: every reference-data file a stored decision rested on (chip catalogue, ECCN
rule documents, country groups, name-matching data), by the SHA-256 of its bytes

Why a table of its own, content-addressed: the decision records only the hashes (its
``versions.reference_data`` manifest, inside the audited decision JSON); the bytes are stored once however
many decisions rest on them. Like the decisions, the archive is append-only: the database refuses UPDATE
and DELETE on it (a replay also checks every archived file against its hash). Decisions made before this revision carry no manifest and still replay
(reported as "manifest unavailable").

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_reference_files")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":  # chipguard_append_only() comes from revision 0002
        op.execute(
            "CREATE TRIGGER reference_files_append_only BEFORE UPDATE OR DELETE ON reference_files "
            "FOR EACH ROW EXECUTE FUNCTION chipguard_append_only()"
        )
        op.execute(
            "CREATE TRIGGER reference_files_no_truncate BEFORE TRUNCATE ON reference_files "
            "FOR EACH STATEMENT EXECUTE FUNCTION chipguard_append_only()"
        )
    elif dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER reference_files_no_{verb.lower()} BEFORE {verb} ON reference_files "
                f"BEGIN SELECT RAISE(ABORT, 'chipguard: reference_files is append-only ({verb} refused)'); END"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS reference_files_append_only ON reference_files")
        op.execute("DROP TRIGGER IF EXISTS reference_files_no_truncate ON reference_files")
    elif dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS reference_files_no_{verb}")
    op.drop_table("reference_files")
