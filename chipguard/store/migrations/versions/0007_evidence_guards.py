"""evidence guards: every table that carries evidence refuses the changes chipguard never makes

Why: the audit chain now seals every evidence row (chipguard.store.evidence), so an edit is *detected*;
these triggers make the casual edit *impossible* without first altering the schema. The list snapshots,
their parties and the activation history become append-only like the decisions (0002); the current
customer row and the API keys are updated by chipguard but never deleted, and only in the way chipguard
updates them (a customer's id and creation never change and its version only goes up by one; a key's
role, secret hash, salt, label and creation never change, and a revoked key stays revoked). On SQLite
``INSERT OR REPLACE`` deleted the old row without firing the delete triggers: every append-only table
now refuses an insert whose key exists already.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from chipguard.store.append_only import (
    create_append_only_triggers,
    create_no_delete_trigger,
    create_no_replace_trigger,
    create_update_guard,
    drop_append_only_triggers,
    drop_guard_triggers,
    drop_no_replace_trigger,
)

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CONTENT_ADDRESSED = ("rule_set_archive", "reference_files")  # keyed by the content's SHA-256
NEW_APPEND_ONLY = ("list_snapshots", "list_snapshot_parties", "list_activations")
# every append-only table and its key (for the SQLite no-replace trigger)
KEYS = {
    "audit_log": ("seq",),
    "decisions": ("decision_id",),
    "customer_versions": ("customer_id", "version"),
    "rule_set_archive": ("sha256",),
    "reference_files": ("sha256",),
    "list_snapshots": ("id",),
    "list_snapshot_parties": ("snapshot_id", "seq"),
    "list_activations": ("id",),
    "alert_events": ("event_id",),
    "alert_attachments": ("attachment_id",),
}


def upgrade() -> None:
    for table in NEW_APPEND_ONLY:
        create_append_only_triggers(table)
    for table, key in KEYS.items():
        create_no_replace_trigger(table, key, content_addressed=table in CONTENT_ADDRESSED)
    for table in ("customers", "api_keys"):
        create_no_delete_trigger(table)
    create_update_guard(
        "customers",
        ("customer_id", "created_at", "created_by"),
        extra_sqlite="NEW.version IS NOT OLD.version + 1",
        extra_pg="NEW.version IS DISTINCT FROM OLD.version + 1",
    )
    create_update_guard(
        "api_keys",
        ("key_id", "role", "salt", "secret_hash", "label", "created_at", "created_by"),
        extra_sqlite="(OLD.revoked AND NOT NEW.revoked)",
        extra_pg="(OLD.revoked AND NOT NEW.revoked)",
    )


def downgrade() -> None:
    for table in ("customers", "api_keys"):
        drop_guard_triggers(table)
    for table in KEYS:
        drop_no_replace_trigger(table)
    for table in NEW_APPEND_ONLY:
        drop_append_only_triggers(table)
