"""Casework records: alerts raised by screening, every step an analyst takes on one (assignment, notes,
evidence files, a proposed disposition, its approval or rejection), and the memory of cleared hits.

Why an event log beside the alert row: an examiner asks who looked at which hit, what they decided, why
and who approved. The alert row holds the current state for the queue; ``alert_events`` holds every
step, never updated or deleted, each with its audit entry in the same transaction. A remembered false
positive (``cleared_hits``) is tied to the content hash of the customer's screened facts and of the list
record, so the same pair stays quiet and either side changing alerts again; revoking one is a step of
its own, kept with its reason.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Engine, Float, Integer, LargeBinary, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from chipguard.audit import AuditLog, canonical_json, utc_now
from chipguard.errors import InputError
from chipguard.store import evidence
from chipguard.store.db import Base
from chipguard.store.errors import ConflictError, NotFoundError

STATUSES = ("open", "in_review", "awaiting_approval", "closed")
DISPOSITIONS = ("true_match", "false_positive", "needs_information")
ORIGINS = ("customer_screen", "decision", "rescreen", "usage", "links")
MAX_NOTE = 4000
MAX_REASON = 2000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class AlertRow(Base):
    """The current state of one alert: a customer's subject (its name, an owner …) × one list record."""

    __tablename__ = "alerts"

    alert_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(400), index=True)  # customer × list record (× finding)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    origin: Mapped[str] = mapped_column(String(32), index=True)
    origin_ref: Mapped[str] = mapped_column(String(128), default="")  # decision id, rescreen run …
    origin_outcome: Mapped[str] = mapped_column(String(32), default="")  # the decision's outcome
    subject_role: Mapped[str] = mapped_column(String(32))
    subject_name: Mapped[str] = mapped_column(String(512))
    source: Mapped[str] = mapped_column(String(64), index=True)
    party_id: Mapped[str] = mapped_column(String(128))
    party_name: Mapped[str] = mapped_column(String(512))
    list_name: Mapped[str] = mapped_column(String(256), default="")
    strength: Mapped[str] = mapped_column(String(16), default="", index=True)
    score: Mapped[float] = mapped_column(Float)
    hit_json: Mapped[str] = mapped_column(Text)  # the hit with its explanation, as screened
    record_json: Mapped[str] = mapped_column(Text)  # the list record, as screened
    record_hash: Mapped[str] = mapped_column(String(64))
    facts_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24), index=True)
    assignee: Mapped[str] = mapped_column(String(128), default="", index=True)
    disposition: Mapped[str] = mapped_column(String(24), default="")
    reason_code: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[str] = mapped_column(String(128), default="")
    proposed_at: Mapped[str] = mapped_column(String(40), default="")
    approved_by: Mapped[str] = mapped_column(String(128), default="")
    approved_at: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[str] = mapped_column(String(40), index=True)
    created_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[str] = mapped_column(String(40))


class AlertEventRow(Base):
    """One step on an alert, never updated or deleted."""

    __tablename__ = "alert_events"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    audit_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ClearedHitRow(Base):
    """A remembered false positive: this customer's screened facts × this list record's content."""

    __tablename__ = "cleared_hits"

    cleared_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    facts_hash: Mapped[str] = mapped_column(String(64), index=True)
    record_hash: Mapped[str] = mapped_column(String(64))
    subject_name: Mapped[str] = mapped_column(String(512))
    source: Mapped[str] = mapped_column(String(64))
    party_id: Mapped[str] = mapped_column(String(128))
    party_name: Mapped[str] = mapped_column(String(512))
    alert_id: Mapped[str] = mapped_column(String(32))
    reason_code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(128))
    approved_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str] = mapped_column(String(40), default="")
    revoked_by: Mapped[str] = mapped_column(String(128), default="")
    revoke_reason: Mapped[str] = mapped_column(Text, default="")


class AlertAttachmentRow(Base):
    """An evidence file on a case, kept in the store by content hash."""

    __tablename__ = "alert_attachments"

    attachment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(32), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(128), default="application/octet-stream")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    added_by: Mapped[str] = mapped_column(String(128))
    added_at: Mapped[str] = mapped_column(String(40))


@dataclass(slots=True)
class NewAlert:
    """What screening found that an analyst must look at."""

    customer_id: str
    customer_version: int | None
    origin: str
    origin_ref: str
    origin_outcome: str
    subject_role: str
    subject_name: str
    hit: dict[str, Any]
    record: dict[str, Any]
    record_hash: str
    facts_hash: str

    @property
    def key(self) -> str:
        return "|".join(
            (self.customer_id, str(self.hit.get("source", "")), str(self.hit.get("party_id", "")))
        )


@dataclass(slots=True)
class Alert:
    alert_id: str
    customer_id: str
    customer_version: int | None
    origin: str
    origin_ref: str
    origin_outcome: str
    subject_role: str
    subject_name: str
    source: str
    party_id: str
    party_name: str
    list_name: str
    strength: str
    score: float
    hit: dict[str, Any]
    record: dict[str, Any]
    record_hash: str
    facts_hash: str
    status: str
    assignee: str
    disposition: str
    reason_code: str
    reason: str
    proposed_by: str
    proposed_at: str
    approved_by: str
    approved_at: str
    created_at: str
    created_by: str
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(slots=True)
class AlertEvent:
    event_id: int
    alert_id: str
    at: str
    actor: str
    action: str
    payload: dict[str, Any]
    audit_seq: int | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(slots=True)
class ClearedHit:
    cleared_id: str
    customer_id: str
    facts_hash: str
    record_hash: str
    subject_name: str
    source: str
    party_id: str
    party_name: str
    alert_id: str
    reason_code: str
    reason: str
    decided_by: str
    approved_by: str
    created_at: str
    revoked_at: str
    revoked_by: str
    revoke_reason: str

    @property
    def active(self) -> bool:
        return not self.revoked_at

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"active": self.active}


@dataclass(slots=True)
class Attachment:
    attachment_id: str
    alert_id: str
    file_name: str
    media_type: str
    sha256: str
    size: int
    added_by: str
    added_at: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(slots=True)
class AlertFilter:
    """The queue's filters (all optional, combined with AND)."""

    status: Sequence[str] = ()
    origin: str = ""
    source: str = ""
    strength: str = ""
    assignee: str = ""
    customer_id: str = ""
    older_than_days: float | None = None
    unassigned: bool = False  # only alerts nobody has taken

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": list(self.status),
            "origin": self.origin,
            "source": self.source,
            "strength": self.strength,
            "assignee": self.assignee,
            "customer_id": self.customer_id,
            "older_than_days": self.older_than_days,
            "unassigned": self.unassigned,
        }


def now() -> datetime:
    """The current UTC time (one function, so a test can fix the clock the age filter reads)."""
    return datetime.now(UTC)


def older_than_cut(days: float) -> str:
    """The ``created_at`` at or before which an alert is older than ``days``, written exactly as
    ``utc_now`` writes ``created_at`` (microseconds and ``Z``): the filter compares the stored text, and
    ``…T12:00:00+00:00`` against ``…T12:00:00.500000Z`` would order by the ``+``/``.`` character, not by
    time (an alert half a second older than the cut was left out)."""
    cut = now() - timedelta(days=days)
    return cut.isoformat(timespec="microseconds").replace("+00:00", "Z")


# The casework rows a step seals in its audit entry (besides its own alert_events row).
SEALED_ROWS = (AlertRow, ClearedHitRow, AlertAttachmentRow)


def _alert(row: AlertRow) -> Alert:
    return Alert(
        row.alert_id,
        row.customer_id,
        row.customer_version,
        row.origin,
        row.origin_ref,
        row.origin_outcome,
        row.subject_role,
        row.subject_name,
        row.source,
        row.party_id,
        row.party_name,
        row.list_name,
        row.strength,
        row.score,
        json.loads(row.hit_json),
        json.loads(row.record_json),
        row.record_hash,
        row.facts_hash,
        row.status,
        row.assignee,
        row.disposition,
        row.reason_code,
        row.reason,
        row.proposed_by,
        row.proposed_at,
        row.approved_by,
        row.approved_at,
        row.created_at,
        row.created_by,
        row.updated_at,
    )


def _cleared(row: ClearedHitRow) -> ClearedHit:
    return ClearedHit(
        row.cleared_id,
        row.customer_id,
        row.facts_hash,
        row.record_hash,
        row.subject_name,
        row.source,
        row.party_id,
        row.party_name,
        row.alert_id,
        row.reason_code,
        row.reason,
        row.decided_by,
        row.approved_by,
        row.created_at,
        row.revoked_at,
        row.revoked_by,
        row.revoke_reason,
    )


def _attachment(r: AlertAttachmentRow) -> Attachment:
    return Attachment(
        r.attachment_id, r.alert_id, r.file_name, r.media_type, r.sha256, r.size, r.added_by, r.added_at
    )


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InputError("is required", field=field)
    if len(text) > limit:
        raise InputError(f"is longer than {limit} characters", field=field)
    return text


class CaseStore:
    """Alerts, their events, cleared hits and attachments; every write audited in its own transaction."""

    def __init__(self, engine: Engine, audit: AuditLog) -> None:
        self.engine = engine
        self.audit = audit

    # ── reading ──────────────────────────────────────────────────────────────────────────────────

    def get(self, alert_id: str) -> Alert:
        with Session(self.engine) as session:
            row = session.get(AlertRow, alert_id)
            if row is None:
                raise NotFoundError(f"no alert {alert_id!r}")
            return _alert(row)

    def find(self, flt: AlertFilter | None = None, limit: int = 100, offset: int = 0) -> list[Alert]:
        """Alerts matching ``flt``, oldest open work first (created_at, then id: a stable order)."""
        query = self._filtered(select(AlertRow), flt or AlertFilter())
        query = query.order_by(AlertRow.created_at, AlertRow.alert_id).limit(limit).offset(offset)
        with Session(self.engine) as session:
            return [_alert(r) for r in session.execute(query).scalars()]

    def count(self, flt: AlertFilter | None = None) -> int:
        query = self._filtered(select(func.count()).select_from(AlertRow), flt or AlertFilter())
        with Session(self.engine) as session:
            return int(session.execute(query).scalar_one())

    def counts_by_status(self) -> dict[str, int]:
        query = select(AlertRow.status, func.count()).group_by(AlertRow.status)
        with Session(self.engine) as session:
            found = {str(s): int(n) for s, n in session.execute(query)}
        return {status: found.get(status, 0) for status in STATUSES}

    @staticmethod
    def _filtered(query: Any, flt: AlertFilter) -> Any:
        for status in flt.status:
            if status not in STATUSES:
                raise InputError(f"status must be one of {', '.join(STATUSES)}", field="status")
        if flt.status:
            query = query.where(AlertRow.status.in_(list(flt.status)))
        if flt.origin:
            if flt.origin not in ORIGINS:
                raise InputError(f"origin must be one of {', '.join(ORIGINS)}", field="origin")
            query = query.where(AlertRow.origin == flt.origin)
        if flt.source:
            query = query.where(AlertRow.source == flt.source)
        if flt.strength:
            query = query.where(AlertRow.strength == flt.strength)
        if flt.assignee:
            query = query.where(AlertRow.assignee == flt.assignee)
        if flt.unassigned:
            query = query.where(AlertRow.assignee == "")
        if flt.customer_id:
            query = query.where(AlertRow.customer_id == flt.customer_id)
        if flt.older_than_days is not None:
            if flt.older_than_days < 0:
                raise InputError("must not be negative", field="older_than_days")
            query = query.where(AlertRow.created_at <= older_than_cut(flt.older_than_days))
        return query

    def assignees(self) -> dict[str, int]:
        """Everyone an alert is assigned to, with the number of their alerts not yet closed (0 when all
        of theirs are closed): who the queue can be filtered by besides the analysts holding keys."""
        query = select(AlertRow.assignee, AlertRow.status, func.count()).where(AlertRow.assignee != "")
        found: dict[str, int] = {}
        with Session(self.engine) as session:
            for assignee, status, n in session.execute(query.group_by(AlertRow.assignee, AlertRow.status)):
                found[str(assignee)] = found.get(str(assignee), 0) + (int(n) if status != "closed" else 0)
        return dict(sorted(found.items()))

    def events(self, alert_id: str) -> list[AlertEvent]:
        query = (
            select(AlertEventRow).where(AlertEventRow.alert_id == alert_id).order_by(AlertEventRow.event_id)
        )
        with Session(self.engine) as session:
            return [
                AlertEvent(
                    r.event_id, r.alert_id, r.at, r.actor, r.action, json.loads(r.payload), r.audit_seq
                )
                for r in session.execute(query).scalars()
            ]

    def all_events(self, limit: int = 100_000) -> list[AlertEvent]:
        """Every step on every alert, in the order taken: the disposition log auditors export."""
        query = select(AlertEventRow).order_by(AlertEventRow.event_id).limit(limit)
        with Session(self.engine) as session:
            return [
                AlertEvent(
                    r.event_id, r.alert_id, r.at, r.actor, r.action, json.loads(r.payload), r.audit_seq
                )
                for r in session.execute(query).scalars()
            ]

    def open_alert(self, key: str) -> Alert | None:
        """The alert not yet closed for ``key`` (one customer × list record), if any."""
        query = select(AlertRow).where(AlertRow.key == key, AlertRow.status != "closed")
        with Session(self.engine) as session:
            row = session.execute(query.order_by(AlertRow.created_at)).scalars().first()
            return _alert(row) if row else None

    def cleared(self, customer_id: str = "", query: str = "", active_only: bool = False) -> list[ClearedHit]:
        stmt = select(ClearedHitRow)
        if customer_id:
            stmt = stmt.where(ClearedHitRow.customer_id == customer_id)
        if active_only:
            stmt = stmt.where(ClearedHitRow.revoked_at == "")
        if query:
            like = f"%{query.strip().lower()}%"
            stmt = stmt.where(
                func.lower(ClearedHitRow.subject_name).like(like)
                | func.lower(ClearedHitRow.party_name).like(like)
                | func.lower(ClearedHitRow.reason).like(like)
                | func.lower(ClearedHitRow.customer_id).like(like)
            )
        with Session(self.engine) as session:
            rows = session.execute(
                stmt.order_by(ClearedHitRow.created_at, ClearedHitRow.cleared_id)
            ).scalars()
            return [_cleared(r) for r in rows]

    def is_cleared(self, facts_hash: str, record_hash: str) -> ClearedHit | None:
        stmt = select(ClearedHitRow).where(
            ClearedHitRow.facts_hash == facts_hash,
            ClearedHitRow.record_hash == record_hash,
            ClearedHitRow.revoked_at == "",
        )
        with Session(self.engine) as session:
            row = session.execute(stmt.order_by(ClearedHitRow.created_at)).scalars().first()
            return _cleared(row) if row else None

    def confirmed(self, facts_hash: str, record_hash: str) -> Alert | None:
        """The closed alert in which an analyst confirmed this pair as a true match, if any: the same
        customer facts × list record is then a match, not a question, until either side changes."""
        stmt = select(AlertRow).where(
            AlertRow.facts_hash == facts_hash,
            AlertRow.record_hash == record_hash,
            AlertRow.status == "closed",
            AlertRow.disposition == "true_match",
        )
        with Session(self.engine) as session:
            row = (
                session.execute(stmt.order_by(AlertRow.updated_at.desc(), AlertRow.alert_id))
                .scalars()
                .first()
            )
            return _alert(row) if row else None

    def attachments(self, alert_id: str) -> list[Attachment]:
        stmt = select(AlertAttachmentRow).where(AlertAttachmentRow.alert_id == alert_id)
        with Session(self.engine) as session:
            return [
                Attachment(
                    r.attachment_id,
                    r.alert_id,
                    r.file_name,
                    r.media_type,
                    r.sha256,
                    r.size,
                    r.added_by,
                    r.added_at,
                )
                for r in session.execute(stmt.order_by(AlertAttachmentRow.added_at)).scalars()
            ]

    def attachment_content(self, alert_id: str, attachment_id: str) -> tuple[Attachment, bytes]:
        with Session(self.engine) as session:
            r = session.get(AlertAttachmentRow, attachment_id)
            if r is None or r.alert_id != alert_id:
                raise NotFoundError(f"no attachment {attachment_id!r} on alert {alert_id!r}")
            meta = Attachment(
                r.attachment_id,
                r.alert_id,
                r.file_name,
                r.media_type,
                r.sha256,
                r.size,
                r.added_by,
                r.added_at,
            )
            return meta, bytes(r.content)

    # ── writing ──────────────────────────────────────────────────────────────────────────────────

    def _event(
        self, session: Session, alert_id: str, actor: str, action: str, payload: dict[str, Any]
    ) -> int:
        """Appends the step's audit entry and its ``alert_events`` row in the caller's transaction. The
        entry seals (``chipguard.store.evidence``) every casework row the step created or changed — the
        alert, a remembered disposition, an evidence file — and the event row itself, so ``audit verify``
        names any of them edited, forged or deleted later."""
        changed = [o for o in (*session.new, *session.dirty) if isinstance(o, SEALED_ROWS)]
        session.flush()  # column defaults applied, as the seal must see them
        event = {
            "event_id": (session.execute(select(func.max(AlertEventRow.event_id))).scalar() or 0) + 1,
            "alert_id": alert_id,
            "at": utc_now(),
            "actor": actor,
            "action": action,
            "payload": canonical_json(payload),
        }
        seals = [evidence.seal_object(o) for o in changed] + [evidence.seal("alert_events", event)]
        entry = self.audit.append(
            session, actor, f"alert.{action}", {"alert_id": alert_id, **payload, "evidence": seals}
        )
        session.add(AlertEventRow(**event, audit_seq=entry.seq))
        return entry.seq

    def raise_alert(self, new: NewAlert, actor: str) -> tuple[Alert, bool]:
        """The open alert for the same customer × list record when there is one (no second alert for
        what an analyst already has), else a new alert. (alert, created)."""
        now = utc_now()
        hit = new.hit
        with self.audit.writer_session() as session, session.begin():
            query = select(AlertRow).where(AlertRow.key == new.key, AlertRow.status != "closed")
            row = session.execute(query.with_for_update()).scalars().first()
            if row is not None:  # the hit as first alerted stays the evidence of this alert
                return _alert(row), False
            alert_id = f"alt_{secrets.token_hex(8)}"
            row = AlertRow(
                alert_id=alert_id,
                key=new.key,
                customer_id=new.customer_id,
                customer_version=new.customer_version,
                origin=new.origin,
                origin_ref=new.origin_ref,
                origin_outcome=new.origin_outcome,
                subject_role=new.subject_role,
                subject_name=new.subject_name[:512],
                source=str(hit.get("source", "")),
                party_id=str(hit.get("party_id", "")),
                party_name=str(hit.get("name", ""))[:512],
                list_name=str(hit.get("list_name", ""))[:256],
                strength=str(hit.get("strength") or ""),
                score=float(hit.get("score") or 0.0),
                hit_json=canonical_json(hit),
                record_json=canonical_json(new.record),
                record_hash=new.record_hash,
                facts_hash=new.facts_hash,
                status="open",
                created_at=now,
                created_by=actor,
                updated_at=now,
            )
            session.add(row)
            self._event(
                session,
                alert_id,
                actor,
                "create",
                {
                    "customer_id": new.customer_id,
                    "customer_version": new.customer_version,
                    "origin": new.origin,
                    "origin_ref": new.origin_ref,
                    "subject": {"role": new.subject_role, "name": new.subject_name},
                    "source": row.source,
                    "party_id": row.party_id,
                    "score": row.score,
                    "strength": row.strength,
                    "record_hash": new.record_hash,
                    "facts_hash": new.facts_hash,
                },
            )
            return _alert(row), True

    def _locked(self, session: Session, alert_id: str) -> AlertRow:
        row = session.execute(
            select(AlertRow).where(AlertRow.alert_id == alert_id).with_for_update()
        ).scalar()
        if row is None:
            raise NotFoundError(f"no alert {alert_id!r}")
        return row

    def assign(self, alert_id: str, assignee: str, actor: str) -> Alert:
        assignee = _text(assignee, "assignee", 128)
        with self.audit.writer_session() as session, session.begin():
            row = self._locked(session, alert_id)
            if row.status == "closed":
                raise ConflictError(f"alert {alert_id} is closed")
            row.assignee = assignee
            if row.status == "open":
                row.status = "in_review"
            row.updated_at = utc_now()
            self._event(session, alert_id, actor, "assign", {"assignee": assignee, "status": row.status})
            return _alert(row)

    def note(self, alert_id: str, text: str, actor: str) -> AlertEvent:
        text = _text(text, "text", MAX_NOTE)
        with self.audit.writer_session() as session, session.begin():
            row = self._locked(session, alert_id)
            row.updated_at = utc_now()
            seq = self._event(session, alert_id, actor, "note", {"text": text})
        return next(e for e in self.events(alert_id) if e.audit_seq == seq)

    def propose(
        self,
        alert_id: str,
        disposition: str,
        reason_code: str,
        reason: str,
        actor: str,
        *,
        needs_approval: bool,
    ) -> Alert:
        """Records a disposition. Without ``needs_approval`` it takes effect at once (a true match or a
        false positive closes the alert; needs-information keeps it in review); with it the alert waits
        for a second person."""
        if disposition not in DISPOSITIONS:
            raise InputError(f"must be one of {', '.join(DISPOSITIONS)}", field="disposition")
        reason = _text(reason, "reason", MAX_REASON)
        now = utc_now()
        with self.audit.writer_session() as session, session.begin():
            row = self._locked(session, alert_id)
            if row.status == "closed":
                raise ConflictError(f"alert {alert_id} is closed")
            if row.status == "awaiting_approval":
                raise ConflictError(f"alert {alert_id} already awaits approval of a disposition")
            row.disposition, row.reason_code, row.reason = disposition, reason_code, reason
            row.proposed_by, row.proposed_at, row.updated_at = actor, now, now
            row.approved_by = row.approved_at = ""
            if needs_approval:
                row.status = "awaiting_approval"
            elif disposition == "needs_information":
                row.status = "in_review"
            else:
                row.status = "closed"
            self._event(
                session,
                alert_id,
                actor,
                "disposition",
                {
                    "disposition": disposition,
                    "reason_code": reason_code,
                    "reason": reason,
                    "needs_approval": needs_approval,
                    "status": row.status,
                },
            )
            if row.status == "closed" and disposition == "false_positive":
                self._remember(session, row, actor, approved_by="")
            return _alert(row)

    def approve(self, alert_id: str, actor: str, comment: str = "") -> Alert:
        comment = _text(comment, "comment", MAX_REASON, required=False)
        with self.audit.writer_session() as session, session.begin():
            row = self._locked(session, alert_id)
            if row.status != "awaiting_approval":
                raise ConflictError(f"alert {alert_id} has no disposition awaiting approval")
            if row.proposed_by == actor:
                raise ConflictError("four eyes: the analyst who proposed a disposition cannot approve it")
            now = utc_now()
            row.approved_by, row.approved_at, row.updated_at = actor, now, now
            row.status = "in_review" if row.disposition == "needs_information" else "closed"
            self._event(
                session,
                alert_id,
                actor,
                "approve",
                {"disposition": row.disposition, "proposed_by": row.proposed_by, "comment": comment},
            )
            if row.disposition == "false_positive":
                self._remember(session, row, row.proposed_by, approved_by=actor)
            return _alert(row)

    def reject(self, alert_id: str, actor: str, reason: str) -> Alert:
        reason = _text(reason, "reason", MAX_REASON)
        with self.audit.writer_session() as session, session.begin():
            row = self._locked(session, alert_id)
            if row.status != "awaiting_approval":
                raise ConflictError(f"alert {alert_id} has no disposition awaiting approval")
            if row.proposed_by == actor:
                raise ConflictError(
                    "four eyes: the analyst who proposed a disposition cannot reject it either"
                )
            proposed = {"disposition": row.disposition, "proposed_by": row.proposed_by}
            row.status, row.disposition, row.reason_code, row.reason = "in_review", "", "", ""
            row.updated_at = utc_now()
            self._event(session, alert_id, actor, "reject", {**proposed, "reason": reason})
            return _alert(row)

    def _remember(self, session: Session, row: AlertRow, decided_by: str, approved_by: str) -> None:
        cleared_id = f"clr_{secrets.token_hex(8)}"
        session.add(
            ClearedHitRow(
                cleared_id=cleared_id,
                customer_id=row.customer_id,
                facts_hash=row.facts_hash,
                record_hash=row.record_hash,
                subject_name=row.subject_name,
                source=row.source,
                party_id=row.party_id,
                party_name=row.party_name,
                alert_id=row.alert_id,
                reason_code=row.reason_code,
                reason=row.reason,
                decided_by=decided_by,
                approved_by=approved_by,
                created_at=utc_now(),
            )
        )
        self._event(
            session,
            row.alert_id,
            approved_by or decided_by,
            "remember",
            {
                "cleared_id": cleared_id,
                "facts_hash": row.facts_hash,
                "record_hash": row.record_hash,
                "source": row.source,
                "party_id": row.party_id,
            },
        )

    def revoke_cleared(self, cleared_id: str, actor: str, reason: str) -> ClearedHit:
        reason = _text(reason, "reason", MAX_REASON)
        with self.audit.writer_session() as session, session.begin():
            row = session.get(ClearedHitRow, cleared_id)
            if row is None:
                raise NotFoundError(f"no remembered disposition {cleared_id!r}")
            if row.revoked_at:
                raise ConflictError(f"remembered disposition {cleared_id} is revoked already")
            row.revoked_at, row.revoked_by, row.revoke_reason = utc_now(), actor, reason
            self._event(session, row.alert_id, actor, "revoke", {"cleared_id": cleared_id, "reason": reason})
            return _cleared(row)

    def attach(
        self, alert_id: str, file_name: str, media_type: str, content: bytes, actor: str
    ) -> Attachment:
        name = _text(file_name, "file_name", 255)
        if "/" in name or "\\" in name or any(ord(c) < 32 for c in name):
            raise InputError("must be a plain file name", field="file_name")
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise InputError(f"is larger than {MAX_ATTACHMENT_BYTES} bytes", field="file")
        digest = hashlib.sha256(content).hexdigest()
        attachment_id = f"att_{secrets.token_hex(8)}"
        now = utc_now()
        with self.audit.writer_session() as session, session.begin():
            self._locked(session, alert_id).updated_at = now
            session.add(
                AlertAttachmentRow(
                    attachment_id=attachment_id,
                    alert_id=alert_id,
                    file_name=name,
                    media_type=(media_type or "application/octet-stream")[:128],
                    sha256=digest,
                    size=len(content),
                    content=content,
                    added_by=actor,
                    added_at=now,
                )
            )
            self._event(
                session,
                alert_id,
                actor,
                "attach",
                {"attachment_id": attachment_id, "file_name": name, "sha256": digest, "size": len(content)},
            )
        return Attachment(attachment_id, alert_id, name, media_type, digest, len(content), actor, now)
