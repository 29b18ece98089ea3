"""Read-only queries only the analyst screens need: customer search by name or id, the latest audit
entries. (Decision lists and counts by outcome live in ``DecisionStore``, shared with the REST API.)

Why here and not in the stores: these are presentation queries (what fits on one screen), they never
write and they decide nothing; every action (screen, decide, replay, create, verify) goes through
``Services`` exactly as the REST API does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from chipguard.store.records import AuditEntryRow, CustomerRow


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    customer_id: str
    name: str
    version: int
    updated_at: str
    updated_by: str
    country: str
    kind: str


def customers(engine: Engine, q: str = "", limit: int = 50, offset: int = 0) -> list[CustomerSummary]:
    """Customers whose name or id contains ``q`` (case-insensitive; ``%`` and ``_`` are literal),
    most recently changed first."""
    query = select(CustomerRow).order_by(CustomerRow.updated_at.desc(), CustomerRow.customer_id)
    needle = q.strip().lower()
    if needle:
        query = query.where(
            or_(
                func.lower(CustomerRow.name).contains(needle, autoescape=True),
                func.lower(CustomerRow.customer_id).contains(needle, autoescape=True),
            )
        )
    with Session(engine) as session:
        out = []
        for row in session.execute(query.limit(limit).offset(offset)).scalars():
            try:
                data = json.loads(row.data)
            except ValueError:
                data = {}
            out.append(
                CustomerSummary(
                    row.customer_id,
                    row.name,
                    row.version,
                    row.updated_at,
                    row.updated_by,
                    str(data.get("country", "")),
                    str(data.get("kind", "")),
                )
            )
        return out


@dataclass(frozen=True, slots=True)
class AuditLine:
    seq: int
    ts: str
    actor: str
    action: str
    hash: str


def latest_audit(engine: Engine, limit: int = 25) -> list[AuditLine]:
    """The newest audit entries (sequence, time, actor, action, hash), newest first."""
    with Session(engine) as session:
        rows = session.execute(
            select(
                AuditEntryRow.seq,
                AuditEntryRow.ts,
                AuditEntryRow.actor,
                AuditEntryRow.action,
                AuditEntryRow.hash,
            )
            .order_by(AuditEntryRow.seq.desc())
            .limit(limit)
        )
        return [AuditLine(int(r.seq), str(r.ts), str(r.actor), str(r.action), str(r.hash)) for r in rows]
