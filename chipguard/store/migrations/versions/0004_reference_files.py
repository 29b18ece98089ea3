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

from chipguard.store.append_only import create_append_only_triggers, drop_append_only_triggers

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
    create_append_only_triggers("reference_files")


def downgrade() -> None:
    drop_append_only_triggers("reference_files")
    op.drop_table("reference_files")
