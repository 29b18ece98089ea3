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

from chipguard.store.append_only import create_append_only_triggers, drop_append_only_triggers

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_append_only_triggers("rule_set_archive")


def downgrade() -> None:
    drop_append_only_triggers("rule_set_archive")
