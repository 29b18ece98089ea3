"""Read-only queries the analyst screens need and the stores do not offer: decision counts by outcome,
decision summaries filtered by date, customer search by name or id, the latest audit entries.

Why here and not in the stores: these are presentation queries (what fits on one screen), they never
write and they decide nothing; every action (screen, decide, replay, create, verify) goes through
``Services`` exactly as the REST API does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from chipguard.store.records import AuditEntryRow, CustomerRow, DecisionRow


@dataclass(frozen=True, slots=True)
class DecisionSummary:
    decision_id: str
    decided_at: str
    outcome: str
    customer_id: str | None
    customer_name: str
    destination: str
    kind: str
    items: str
    actor: str


def _summary(row: Any) -> DecisionSummary:
    try:
        tx = json.loads(row.transaction_json)
    except ValueError:
        tx = {}
    tx = tx if isinstance(tx, dict) else {}
    found = tx.get("customer")
    customer: dict[str, Any] = found if isinstance(found, dict) else {}
    items = [
        f"{i.get('model', '?')} × {i.get('quantity', 1)}"
        for i in tx.get("items") or []
        if isinstance(i, dict)
    ]
    return DecisionSummary(
        decision_id=row.decision_id,
        decided_at=row.decided_at,
        outcome=row.outcome,
        customer_id=row.customer_id,
        customer_name=str(customer.get("name", "")),
        destination=str(tx.get("destination", "")),
        kind=str(tx.get("kind", "")),
        items=", ".join(items),
        actor=row.actor,
    )


def outcome_counts(engine: Engine, since: date | None = None) -> dict[str, int]:
    """Number of stored decisions per outcome (optionally only those decided on or after ``since``)."""
    with Session(engine) as session:
        query = select(DecisionRow.outcome, func.count()).group_by(DecisionRow.outcome)
        if since is not None:
            query = query.where(DecisionRow.decided_at >= since.isoformat())
        return {str(outcome): int(n) for outcome, n in session.execute(query)}


def decisions(
    engine: Engine,
    *,
    outcomes: tuple[str, ...] = (),
    date_from: date | None = None,
    date_to: date | None = None,
    customer_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[DecisionSummary]:
    """Most recent first. Dates are UTC days, both ends inclusive (``decided_at`` is an ISO UTC time)."""
    cols = (
        DecisionRow.decision_id,
        DecisionRow.decided_at,
        DecisionRow.outcome,
        DecisionRow.customer_id,
        DecisionRow.actor,
        DecisionRow.transaction_json,
    )
    query = select(*cols).order_by(DecisionRow.decided_at.desc(), DecisionRow.decision_id)
    if outcomes:
        query = query.where(DecisionRow.outcome.in_(outcomes))
    if date_from is not None:
        query = query.where(DecisionRow.decided_at >= date_from.isoformat())
    if date_to is not None:
        query = query.where(DecisionRow.decided_at < (date_to + timedelta(days=1)).isoformat())
    if customer_id:
        query = query.where(DecisionRow.customer_id == customer_id)
    with Session(engine) as session:
        return [_summary(r) for r in session.execute(query.limit(limit).offset(offset))]


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
