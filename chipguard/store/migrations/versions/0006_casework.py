"""casework: alerts raised by screening, every step analysts take on them, remembered false positives
and evidence files (issue 13)

Why the events and attachments are append-only: they are the trail an examiner reads — who looked at
which hit, what they decided, why and who approved — each step with its audit entry. The alert row is the
queue's current state and changes as the case moves; a remembered false positive is revoked by filling
its revocation columns (kept, with the reason), never deleted.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chipguard.store.append_only import create_append_only_triggers, drop_append_only_triggers

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_attachments',
    sa.Column('attachment_id', sa.String(length=32), nullable=False),
    sa.Column('alert_id', sa.String(length=32), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=128), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('added_by', sa.String(length=128), nullable=False),
    sa.Column('added_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('attachment_id', name=op.f('pk_alert_attachments'))
    )
    op.create_index(op.f('ix_alert_attachments_alert_id'), 'alert_attachments', ['alert_id'], unique=False)
    op.create_table('alert_events',
    sa.Column('event_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('alert_id', sa.String(length=32), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('audit_seq', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_alert_events'))
    )
    op.create_index(op.f('ix_alert_events_alert_id'), 'alert_events', ['alert_id'], unique=False)
    op.create_table('alerts',
    sa.Column('alert_id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('customer_id', sa.String(length=64), nullable=False),
    sa.Column('customer_version', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=32), nullable=False),
    sa.Column('origin_ref', sa.String(length=128), nullable=False),
    sa.Column('origin_outcome', sa.String(length=32), nullable=False),
    sa.Column('subject_role', sa.String(length=32), nullable=False),
    sa.Column('subject_name', sa.String(length=512), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('party_id', sa.String(length=128), nullable=False),
    sa.Column('party_name', sa.String(length=512), nullable=False),
    sa.Column('list_name', sa.String(length=256), nullable=False),
    sa.Column('strength', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('hit_json', sa.Text(), nullable=False),
    sa.Column('record_json', sa.Text(), nullable=False),
    sa.Column('record_hash', sa.String(length=64), nullable=False),
    sa.Column('facts_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('assignee', sa.String(length=128), nullable=False),
    sa.Column('disposition', sa.String(length=24), nullable=False),
    sa.Column('reason_code', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_by', sa.String(length=128), nullable=False),
    sa.Column('proposed_at', sa.String(length=40), nullable=False),
    sa.Column('approved_by', sa.String(length=128), nullable=False),
    sa.Column('approved_at', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('alert_id', name=op.f('pk_alerts'))
    )
    op.create_index(op.f('ix_alerts_assignee'), 'alerts', ['assignee'], unique=False)
    op.create_index(op.f('ix_alerts_created_at'), 'alerts', ['created_at'], unique=False)
    op.create_index(op.f('ix_alerts_customer_id'), 'alerts', ['customer_id'], unique=False)
    op.create_index(op.f('ix_alerts_key'), 'alerts', ['key'], unique=False)
    op.create_index(op.f('ix_alerts_origin'), 'alerts', ['origin'], unique=False)
    op.create_index(op.f('ix_alerts_source'), 'alerts', ['source'], unique=False)
    op.create_index(op.f('ix_alerts_status'), 'alerts', ['status'], unique=False)
    op.create_index(op.f('ix_alerts_strength'), 'alerts', ['strength'], unique=False)
    op.create_table('cleared_hits',
    sa.Column('cleared_id', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.String(length=64), nullable=False),
    sa.Column('facts_hash', sa.String(length=64), nullable=False),
    sa.Column('record_hash', sa.String(length=64), nullable=False),
    sa.Column('subject_name', sa.String(length=512), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('party_id', sa.String(length=128), nullable=False),
    sa.Column('party_name', sa.String(length=512), nullable=False),
    sa.Column('alert_id', sa.String(length=32), nullable=False),
    sa.Column('reason_code', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=128), nullable=False),
    sa.Column('approved_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('revoked_at', sa.String(length=40), nullable=False),
    sa.Column('revoked_by', sa.String(length=128), nullable=False),
    sa.Column('revoke_reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('cleared_id', name=op.f('pk_cleared_hits'))
    )
    op.create_index(op.f('ix_cleared_hits_customer_id'), 'cleared_hits', ['customer_id'], unique=False)
    op.create_index(op.f('ix_cleared_hits_facts_hash'), 'cleared_hits', ['facts_hash'], unique=False)
    create_append_only_triggers("alert_events")
    create_append_only_triggers("alert_attachments")


def downgrade() -> None:
    drop_append_only_triggers("alert_attachments")
    drop_append_only_triggers("alert_events")
    op.drop_index(op.f('ix_cleared_hits_facts_hash'), table_name='cleared_hits')
    op.drop_index(op.f('ix_cleared_hits_customer_id'), table_name='cleared_hits')
    op.drop_table('cleared_hits')
    op.drop_index(op.f('ix_alerts_strength'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_status'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_source'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_origin'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_key'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_customer_id'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_created_at'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_assignee'), table_name='alerts')
    op.drop_table('alerts')
    op.drop_index(op.f('ix_alert_events_alert_id'), table_name='alert_events')
    op.drop_table('alert_events')
    op.drop_index(op.f('ix_alert_attachments_alert_id'), table_name='alert_attachments')
    op.drop_table('alert_attachments')
