"""Tables of the service's own records: customers (with every version kept), decisions, the audit
chain with its head anchor, and API keys.

Why JSON columns are stored as *text*: the audit chain hashes canonical JSON, and a decision must be
replayable byte for byte years later. Text survives SQLite and PostgreSQL identically, whereas a native
JSON type may re-order keys or normalise numbers. Timestamps are ISO-8601 UTC strings for the same reason.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chipguard.store.db import Base


class CustomerRow(Base):
    """The current version of a customer's identification data."""

    __tablename__ = "customers"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(512), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)  # canonical JSON of chipguard.model.Customer
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(String(128))


class CustomerVersionRow(Base):
    """Every version a customer record ever had, never updated or deleted (full history)."""

    __tablename__ = "customer_versions"

    customer_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("customers.customer_id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    changed_fields: Mapped[str] = mapped_column(Text)  # JSON list of top-level fields that changed
    changed_at: Mapped[str] = mapped_column(String(40))
    changed_by: Mapped[str] = mapped_column(String(128))
    audit_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class DecisionRow(Base):
    """A stored decision: the transaction it was made on and the full Decision JSON."""

    __tablename__ = "decisions"

    decision_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    decided_at: Mapped[str] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(32), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    transaction_json: Mapped[str] = mapped_column(Text)
    decision_json: Mapped[str] = mapped_column(Text)
    versions_json: Mapped[str] = mapped_column(Text)
    audit_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class AuditEntryRow(Base):
    """One link of the hash chain; see chipguard.audit for what is hashed and why."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The anchor: one row holding the number of entries and the last hash, updated in the same
    transaction as every append and signed with the audit signing key, so cutting entries off the end of the
    log (which leaves a valid shorter chain) is still detected. Its row lock also serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))  # ed25519:<hex> (HMAC hex before revision 0008)
    updated_at: Mapped[str] = mapped_column(String(40))


class ApiKeyRow(Base):
    """An API key: only a salted SHA-256 of its secret is stored; the secret is shown once."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    salt: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(128))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


Index("ix_customer_versions_changed_at", CustomerVersionRow.changed_at)


class RuleSetArchiveRow(Base):
    """The exact text of every rule set a stored decision was made under, keyed by its content hash
    (``versions.rule_set.sha256`` of the decision), so a replay years later uses the rules then in force
    even after the bundled rules or the compliance team's overrides have changed."""

    __tablename__ = "rule_set_archive"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    rule_set_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(64))
    sources: Mapped[str] = mapped_column(Text)  # canonical JSON: file name → file text
    stored_at: Mapped[str] = mapped_column(String(40))


class ReferenceFileRow(Base):
    """One reference-data file (chip catalogue, ECCN rule document, country groups, name-matching
    vocabulary …) exactly as a stored decision read it, keyed by the SHA-256 of its bytes. A decision's
    ``versions.reference_data`` manifest names these hashes; replay re-loads the hardware and geography
    files from here. Content-addressed, so a file is stored once however many decisions rest on it, and
    kept as bytes so the hash is checkable byte for byte on every backend."""

    __tablename__ = "reference_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(String(300))  # relative to chipguard/data, as first archived
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[str] = mapped_column(String(40))
