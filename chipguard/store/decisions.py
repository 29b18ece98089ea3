"""Stored decisions: the transaction, the full Decision JSON and the versions it was made on.

Why the decision and its audit entry commit in one transaction: a decision the caller was told about
must never be missing from the record, and no record may exist without its link in the audit chain.
The audit entry carries the SHA-256 of the stored decision JSON, so editing a decision row after the
fact is caught by ``chipguard audit verify`` even though the row itself lives outside the chain.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from chipguard.audit import AuditLog, canonical_json, utc_now
from chipguard.errors import InputError
from chipguard.model import Decision
from chipguard.refdata import ArchiveItem
from chipguard.store import evidence
from chipguard.store.errors import NotFoundError
from chipguard.store.records import DecisionRow, ReferenceFileRow, RuleSetArchiveRow


def decision_digest(decision_json: str) -> str:
    return hashlib.sha256(decision_json.encode("utf-8")).hexdigest()


def archive_rule_set(session: Session, info: dict[str, Any], sources: dict[str, str]) -> None:
    """Inserts the rule set's files unless that content hash is archived already (idempotent, and safe
    when two workers archive the same set at once)."""
    values = {
        "sha256": str(info["sha256"]),
        "rule_set_id": str(info.get("id", ""))[:128],
        "version": str(info.get("version", ""))[:64],
        "sources": canonical_json(sources),
        "stored_at": utc_now(),
    }
    dialect = session.get_bind().dialect.name
    insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(RuleSetArchiveRow).values(**values).on_conflict_do_nothing())


def archive_reference_files(session: Session, items: Sequence[ArchiveItem], known: set[str]) -> list[str]:
    """Stores the bytes of every reference file not archived yet (content-addressed; idempotent and safe
    when two workers archive the same file at once). ``known``: hashes this process already saw archived,
    so the common case costs no query. Returns the hashes now known archived."""
    wanted = {item.sha256: item for item in items if item.sha256 not in known}
    if not wanted:
        return []
    present = set(
        session.execute(select(ReferenceFileRow.sha256).where(ReferenceFileRow.sha256.in_(list(wanted))))
        .scalars()
        .all()
    )
    dialect = session.get_bind().dialect.name
    insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    stored = list(present)
    now = utc_now()
    for sha, item in sorted(wanted.items()):
        if sha in present:
            continue
        data = item.data
        if hashlib.sha256(data).hexdigest() != sha:
            raise ValueError(
                f"reference file {item.path}: bytes do not hash to {sha[:12]}"
            )  # a bug, not input
        session.execute(
            insert(ReferenceFileRow)
            .values(sha256=sha, path=item.path[:300], size=len(data), content=data, stored_at=now)
            .on_conflict_do_nothing()
        )
        stored.append(sha)
    return stored


@dataclass(slots=True)
class StoredDecision:
    decision_id: str
    decided_at: str
    outcome: str
    customer_id: str | None
    actor: str
    transaction: dict[str, Any]
    decision: dict[str, Any]
    audit_seq: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.decision,
            "decision_id": self.decision_id,
            "decided_at": self.decided_at,
            "actor": self.actor,
            "audit_seq": self.audit_seq,
        }


def _stored(row: DecisionRow) -> StoredDecision:
    return StoredDecision(
        row.decision_id,
        row.decided_at,
        row.outcome,
        row.customer_id,
        row.actor,
        json.loads(row.transaction_json),
        json.loads(row.decision_json),
        row.audit_seq,
    )


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value: str | None, field: str) -> date | None:
    """A ``YYYY-MM-DD`` filter value as a date (None when empty); anything else is an InputError naming
    ``field``. Why not ``date.fromisoformat`` alone: it also takes ``20240102`` and week dates, which a
    filter in a URL should not silently accept."""
    if not value:
        return None
    try:
        if not _DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{value[:40]!r} is not a date (YYYY-MM-DD)", field=field) from exc


def check_range(date_from: date | None, date_to: date | None) -> None:
    """A range that ends before it starts is a mistake in the filter, not an empty answer."""
    if date_from is not None and date_to is not None and date_to < date_from:
        raise InputError(f"date_to {date_to} is before date_from {date_from}", field="date_to")


@dataclass(frozen=True, slots=True)
class DecisionSummary:
    """One line of a decision list (what fits in a table row), read without the full decision JSON."""

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


def _conditions(
    outcomes: Sequence[str] = (),
    date_from: date | None = None,
    date_to: date | None = None,
    customer_id: str | None = None,
) -> list[ColumnElement[bool]]:
    """The filters every decision list shares (REST, UI, dashboard). Dates are UTC days, both ends
    inclusive: ``decided_at`` is an ISO UTC time, so comparing its text with day boundaries is exact."""
    where: list[ColumnElement[bool]] = []
    if outcomes:
        where.append(DecisionRow.outcome.in_(list(outcomes)))
    if date_from is not None:
        where.append(DecisionRow.decided_at >= date_from.isoformat())
    if date_to is not None:
        where.append(DecisionRow.decided_at < (date_to + timedelta(days=1)).isoformat())
    if customer_id:
        where.append(DecisionRow.customer_id == customer_id)
    return where


class DecisionStore:
    def __init__(self, engine: Engine, audit: AuditLog) -> None:
        self.engine = engine
        self.audit = audit
        self._archived: set[str] = set()  # reference-file hashes known to be in the archive
        self._archived_lock = threading.Lock()

    def save(
        self,
        decision: Decision,
        transaction: dict[str, Any],
        actor: str,
        customer_id: str | None = None,
        context: dict[str, Any] | None = None,
        rule_sources: dict[str, str] | None = None,
        reference_files: Sequence[ArchiveItem] = (),
    ) -> StoredDecision:
        """Stores the decision and appends its audit entry atomically; fills id and time if unset.

        ``rule_sources``: the text of the rule files the decision was made under (``RuleSet.sources``),
        archived once per content hash in the same transaction, for replay. ``reference_files``: the
        reference data its ``versions.reference_data`` manifest names (``chipguard.refdata``), archived
        by content hash in the same transaction."""
        if not decision.decision_id:
            decision.decision_id = f"dec_{uuid.uuid4().hex}"
        if not decision.decided_at:
            decision.decided_at = utc_now()
        if not decision.transaction:
            decision.transaction = transaction
        data = decision.to_dict()
        text = canonical_json(data)
        outcome = str(decision.outcome)
        reasons = [
            {"code": r.code, "rule_id": r.rule_id, "outcome": r.outcome, "citation": r.citation}
            for r in decision.reasons
        ]
        row_values = {
            "decision_id": decision.decision_id,
            "decided_at": decision.decided_at,
            "outcome": outcome,
            "customer_id": customer_id,
            "actor": actor,
            "transaction_json": canonical_json(transaction),
            "decision_json": text,
            "versions_json": canonical_json(decision.versions),
        }
        with self.audit.writer_session() as session, session.begin():
            rule_info = decision.versions.get("rule_set") if isinstance(decision.versions, dict) else None
            if rule_sources and isinstance(rule_info, dict) and rule_info.get("sha256"):
                archive_rule_set(session, rule_info, rule_sources)
            with self._archived_lock:
                known = set(self._archived)
            newly = archive_reference_files(session, reference_files, known)
            entry = self.audit.append(
                session,
                actor,
                "decision.create",
                {
                    "decision_id": decision.decision_id,
                    "decided_at": decision.decided_at,
                    "outcome": outcome,
                    "reasons": reasons,
                    # What the decision says to verify (issue 15), so the audit export carries it too.
                    "uncertain": [u.to_dict() for u in decision.uncertain],
                    "inputs": transaction,
                    "versions": decision.versions,
                    "context": context or {},
                    "decision_sha256": decision_digest(text),
                    "evidence": [evidence.seal("decisions", row_values)],
                },
            )
            session.add(DecisionRow(**row_values, audit_seq=entry.seq))
        with self._archived_lock:
            self._archived.update(newly)  # only once the transaction has committed
        return StoredDecision(
            decision.decision_id,
            decision.decided_at,
            outcome,
            customer_id,
            actor,
            transaction,
            json.loads(text),
            entry.seq,
        )

    def rule_set_sources(self, sha256: str) -> dict[str, str] | None:
        """The archived rule files of the rule set with this content hash, or None if never archived."""
        with Session(self.engine) as session:
            row = session.get(RuleSetArchiveRow, sha256)
            return None if row is None else dict(json.loads(row.sources))

    def reference_blobs(self, hashes: Iterable[str]) -> dict[str, bytes]:
        """The archived bytes of the reference files with these content hashes (absent ones left out)."""
        wanted = sorted(set(hashes))
        if not wanted:
            return {}
        with Session(self.engine) as session:
            rows = session.execute(
                select(ReferenceFileRow.sha256, ReferenceFileRow.content).where(
                    ReferenceFileRow.sha256.in_(wanted)
                )
            ).all()
        return {str(sha): bytes(content) for sha, content in rows}

    def get(self, decision_id: str) -> StoredDecision:
        with Session(self.engine) as session:
            row = session.get(DecisionRow, decision_id)
            if row is None:
                raise NotFoundError(f"no decision {decision_id!r}")
            return _stored(row)

    def find(
        self,
        limit: int = 50,
        offset: int = 0,
        outcome: str | None = None,
        customer_id: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> list[StoredDecision]:
        """Whole stored decisions, most recent first (the REST list)."""
        query = (
            select(DecisionRow)
            .where(*_conditions((outcome,) if outcome else (), date_from, date_to, customer_id))
            .order_by(DecisionRow.decided_at.desc(), DecisionRow.decision_id)
        )
        with Session(self.engine) as session:
            return [_stored(r) for r in session.execute(query.limit(limit).offset(offset)).scalars()]

    def summaries(
        self,
        *,
        outcomes: Sequence[str] = (),
        date_from: date | None = None,
        date_to: date | None = None,
        customer_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[DecisionSummary]:
        """Table rows for the same filters as :meth:`find`, most recent first, without loading each
        decision's JSON (a page of the UI list, the dashboard's recent decisions)."""
        cols = (
            DecisionRow.decision_id,
            DecisionRow.decided_at,
            DecisionRow.outcome,
            DecisionRow.customer_id,
            DecisionRow.actor,
            DecisionRow.transaction_json,
        )
        query = (
            select(*cols)
            .where(*_conditions(outcomes, date_from, date_to, customer_id))
            .order_by(DecisionRow.decided_at.desc(), DecisionRow.decision_id)
        )
        with Session(self.engine) as session:
            return [_summary(r) for r in session.execute(query.limit(limit).offset(offset))]

    def outcome_counts(self, date_from: date | None = None, date_to: date | None = None) -> dict[str, int]:
        """Number of stored decisions per outcome, optionally within a date range (UTC days, inclusive)."""
        query = (
            select(DecisionRow.outcome, func.count())
            .where(*_conditions((), date_from, date_to))
            .group_by(DecisionRow.outcome)
        )
        with Session(self.engine) as session:
            return {str(outcome): int(n) for outcome, n in session.execute(query)}

    def check_against_audit(self) -> list[tuple[str, str]]:
        """(decision_id, problem) for every stored decision whose JSON no longer matches the digest its
        audit entry recorded, or that has no audit entry at all."""
        digests: dict[str, str] = {}
        for entry in self.audit.entries():
            if entry.action == "decision.create":
                digests[str(entry.payload.get("decision_id"))] = str(entry.payload.get("decision_sha256"))
        problems: list[tuple[str, str]] = []
        with Session(self.engine) as session:
            for row in session.execute(select(DecisionRow).order_by(DecisionRow.decided_at)).scalars():
                recorded = digests.get(row.decision_id)
                if recorded is None:
                    problems.append((row.decision_id, "has no audit entry"))
                elif recorded != decision_digest(row.decision_json):
                    problems.append((row.decision_id, "was edited after it was recorded (digest mismatch)"))
        return problems
