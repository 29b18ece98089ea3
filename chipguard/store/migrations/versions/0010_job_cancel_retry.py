"""jobs.cancelled_by and jobs.retry_of: a job can be cancelled (by whom) and retried (the new job names
the one it takes up)

Why columns and not the audit trail alone: the job page and ``GET /v1/jobs/{id}`` show who cancelled a
job and which job a retry continues without reading the chain, and a retry of a customer import must
know, from the job it continues, that the customers are already written (chipguard.service.jobs).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("cancelled_by", sa.String(length=128), nullable=False, server_default=""))
        batch.add_column(sa.Column("retry_of", sa.String(length=32), nullable=False, server_default=""))
    op.create_index(op.f("ix_jobs_retry_of"), "jobs", ["retry_of"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_jobs_retry_of"), table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("retry_of")
        batch.drop_column("cancelled_by")
