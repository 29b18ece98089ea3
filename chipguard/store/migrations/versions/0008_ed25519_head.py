"""Ed25519 head signatures: audit_head.signature holds ``ed25519:`` and 128 hex digits

Why: the head is now signed with an Ed25519 private key kept outside the home (chipguard.signing), so
that verifying the chain needs only the public key and cannot forge it; an HMAC signature (64 hex
digits) fitted the old column.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _resize(old: int, new: int) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("audit_head", "signature", type_=sa.String(new), existing_type=sa.String(old))
        return
    # SQLite rebuilds the table to change a column, which drops its trigger: create it again (0002)
    with op.batch_alter_table("audit_head") as batch:
        batch.alter_column("signature", type_=sa.String(new), existing_type=sa.String(old))
    op.execute("DROP TRIGGER IF EXISTS audit_head_no_delete")
    op.execute(
        "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
        "BEGIN SELECT RAISE(ABORT, 'chipguard: audit_head cannot be deleted'); END"
    )


def upgrade() -> None:
    _resize(64, 200)


def downgrade() -> None:
    _resize(200, 64)
