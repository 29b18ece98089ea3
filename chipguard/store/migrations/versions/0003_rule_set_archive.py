"""rule set archive: the rule files every stored decision was made under, by content hash

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rule_set_archive",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rule_set_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_rule_set_archive")),
    )


def downgrade() -> None:
    op.drop_table("rule_set_archive")
