"""Customer records (the customer identification data of chipguard.model.Customer) with full history.

Why every version is kept: a decision is made on the customer as known *at that moment*; when a
customer later changes its owners or address, the auditor must still see what the record said when
each decision was taken, and who changed it. The current row is a convenience; ``customer_versions``
holds every version ever written, each with its audit entry, committed in one transaction.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from chipguard.audit import AuditLog, canonical_json, utc_now
from chipguard.errors import InputError
from chipguard.model import Customer
from chipguard.store import context, evidence
from chipguard.store.errors import ConflictError, NotFoundError
from chipguard.store.records import CustomerRow, CustomerVersionRow

CUSTOMER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


@dataclass(slots=True)
class CustomerRecord:
    customer_id: str
    version: int
    data: dict[str, Any]
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "version": self.version,
            "customer": self.data,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
        }


@dataclass(slots=True)
class CustomerVersion:
    customer_id: str
    version: int
    data: dict[str, Any]
    changed_fields: list[str]
    changed_at: str
    changed_by: str
    audit_seq: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "version": self.version,
            "customer": self.data,
            "changed_fields": self.changed_fields,
            "changed_at": self.changed_at,
            "changed_by": self.changed_by,
            "audit_seq": self.audit_seq,
        }


def _record(row: CustomerRow) -> CustomerRecord:
    return CustomerRecord(
        row.customer_id,
        row.version,
        json.loads(row.data),
        row.created_at,
        row.created_by,
        row.updated_at,
        row.updated_by,
    )


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


class CustomerStore:
    def __init__(self, engine: Engine, audit: AuditLog) -> None:
        self.engine = engine
        self.audit = audit

    def create(self, customer: Customer, actor: str) -> CustomerRecord:
        """Stores version 1; the id is the customer's own ``customer_id`` when given, else generated."""
        versions = context.versions(self.engine)
        with self.audit.writer_session() as session, session.begin():
            return self._create(session, customer, actor, versions)

    def _create(
        self, session: Session, customer: Customer, actor: str, versions: dict[str, Any]
    ) -> CustomerRecord:
        """Version 1 of ``customer`` and its audit entry, in the caller's transaction."""
        customer_id = customer.customer_id or f"cus_{secrets.token_hex(8)}"
        if not CUSTOMER_ID.match(customer_id):
            raise InputError(
                "customer_id must be 1–64 letters, digits or . _ : - and start with a letter or digit",
                field="customer_id",
            )
        customer.customer_id = customer_id
        data = customer.to_dict()
        text = canonical_json(data)
        now = utc_now()
        current = CustomerRow(
            customer_id=customer_id,
            name=customer.name[:512],
            version=1,
            data=text,
            created_at=now,
            created_by=actor,
            updated_at=now,
            updated_by=actor,
        )
        first = {
            "customer_id": customer_id,
            "version": 1,
            "data": text,
            "changed_fields": canonical_json(sorted(data)),
            "changed_at": now,
            "changed_by": actor,
        }
        if session.get(CustomerRow, customer_id) is not None:
            raise ConflictError(f"customer {customer_id!r} exists already; update it instead")
        session.add(current)
        session.flush()
        seals = [evidence.seal_object(current), evidence.seal("customer_versions", first)]
        entry = self.audit.append(
            session,
            actor,
            "customer.create",
            {
                "customer_id": customer_id,
                "version": 1,
                "inputs": data,
                "versions": versions,
                "evidence": seals,
            },
        )
        session.add(CustomerVersionRow(**first, audit_seq=entry.seq))
        session.flush()
        return CustomerRecord(customer_id, 1, data, now, actor, now, actor)

    def write_many(
        self,
        customers: list[Customer],
        actor: str,
        *,
        along: Callable[[Session], None] | None = None,
    ) -> list[tuple[CustomerRecord, str]]:
        """Creates or updates every customer (each by its ``customer_id``) in one transaction, each with
        its own version and audit entry: all of them are written, or — on any error — none. Returns each
        record with what happened to it: ``created``, ``updated`` or ``unchanged`` (same data).

        ``along`` writes something that must commit with the customers or not at all (an import job's
        ``written`` mark: a crash between two commits would have let a retry write them again). It runs
        first, so a job row it locks is taken before the audit head, in the order every job write takes
        them (no deadlock with a cancel on PostgreSQL)."""
        versions = context.versions(self.engine)
        done: list[tuple[CustomerRecord, str]] = []
        with self.audit.writer_session() as session, session.begin():
            if along is not None:
                along(session)
            for customer in customers:
                row = session.execute(
                    select(CustomerRow)
                    .where(CustomerRow.customer_id == customer.customer_id)
                    .with_for_update()
                ).scalar_one_or_none()
                if row is None:
                    done.append((self._create(session, customer, actor, versions), "created"))
                    continue
                before = row.version
                record = self._update(session, row, customer, actor, None, versions)
                done.append((record, "updated" if record.version != before else "unchanged"))
        return done

    def get(self, customer_id: str) -> CustomerRecord:
        with Session(self.engine) as session:
            row = session.get(CustomerRow, customer_id)
            if row is None:
                raise NotFoundError(f"no customer {customer_id!r}")
            return _record(row)

    def update(
        self, customer_id: str, customer: Customer, actor: str, expected_version: int | None = None
    ) -> CustomerRecord:
        """Writes a new version (full replacement). ``expected_version`` guards against lost updates:
        when the record moved on since the caller read it, ConflictError and nothing is written."""
        if customer.customer_id and customer.customer_id != customer_id:
            raise InputError(
                f"customer_id {customer.customer_id!r} in the body differs from {customer_id!r} in the path",
                field="customer_id",
            )
        customer.customer_id = customer_id
        versions = context.versions(self.engine)
        with self.audit.writer_session() as session, session.begin():
            row = session.execute(
                select(CustomerRow).where(CustomerRow.customer_id == customer_id).with_for_update()
            ).scalar_one_or_none()
            if row is None:
                raise NotFoundError(f"no customer {customer_id!r}")
            return self._update(session, row, customer, actor, expected_version, versions)

    def _update(
        self,
        session: Session,
        row: CustomerRow,
        customer: Customer,
        actor: str,
        expected_version: int | None,
        versions: dict[str, Any],
    ) -> CustomerRecord:
        """The next version of the locked ``row`` and its audit entry, in the caller's transaction (the
        record as it is when nothing changed)."""
        customer_id = row.customer_id
        customer.customer_id = customer_id
        data = customer.to_dict()
        text = canonical_json(data)
        now = utc_now()
        if expected_version is not None and expected_version != row.version:
            raise ConflictError(
                f"customer {customer_id!r} is at version {row.version}, not {expected_version}: "
                "read it again and retry"
            )
        old = json.loads(row.data)
        changes = changed_fields(old, data)
        if not changes:
            return _record(row)
        version = row.version + 1
        row.version = version
        row.data = text
        row.name = customer.name[:512]
        row.updated_at = now
        row.updated_by = actor
        new = {
            "customer_id": customer_id,
            "version": version,
            "data": text,
            "changed_fields": canonical_json(changes),
            "changed_at": now,
            "changed_by": actor,
        }
        entry = self.audit.append(
            session,
            actor,
            "customer.update",
            {
                "customer_id": customer_id,
                "version": version,
                "changed_fields": changes,
                "inputs": data,
                "versions": versions,
                "evidence": [evidence.seal_object(row), evidence.seal("customer_versions", new)],
            },
        )
        session.add(CustomerVersionRow(**new, audit_seq=entry.seq))
        session.flush()
        return _record(row)

    def history(self, customer_id: str) -> list[CustomerVersion]:
        """Every version, oldest first."""
        with Session(self.engine) as session:
            if session.get(CustomerRow, customer_id) is None:
                raise NotFoundError(f"no customer {customer_id!r}")
            rows = session.execute(
                select(CustomerVersionRow)
                .where(CustomerVersionRow.customer_id == customer_id)
                .order_by(CustomerVersionRow.version)
            ).scalars()
            return [
                CustomerVersion(
                    r.customer_id,
                    r.version,
                    json.loads(r.data),
                    json.loads(r.changed_fields),
                    r.changed_at,
                    r.changed_by,
                    r.audit_seq,
                )
                for r in rows
            ]

    def as_of_audit_seq(self, seq: int) -> list[dict[str, Any]]:
        """Every customer as its record stood just before audit entry ``seq`` (the latest version
        written earlier in the chain), in ``Customer.to_dict()`` form with its ``customer_id``: what a
        decision recorded at ``seq`` could see, so its replay compares with the same customers."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(CustomerVersionRow)
                .where(CustomerVersionRow.audit_seq < seq)
                .order_by(CustomerVersionRow.customer_id, CustomerVersionRow.version)
            ).scalars()
            latest: dict[str, dict[str, Any]] = {}
            for row in rows:
                latest[row.customer_id] = {**json.loads(row.data), "customer_id": row.customer_id}
        return list(latest.values())

    def find(self, limit: int = 100, offset: int = 0) -> list[CustomerRecord]:
        with Session(self.engine) as session:
            rows = session.execute(
                select(CustomerRow)
                .order_by(CustomerRow.created_at, CustomerRow.customer_id)
                .limit(limit)
                .offset(offset)
            ).scalars()
            return [_record(r) for r in rows]

    def check_against_audit(self) -> list[tuple[str, str]]:
        """(customer_id@version, problem) for every stored version whose data differs from the inputs its
        audit entry recorded, or whose audit entry is missing: the versions table cannot be rewritten
        unnoticed either."""
        recorded: dict[int, dict[str, Any]] = {}
        for entry in self.audit.entries():
            if entry.action in ("customer.create", "customer.update"):
                recorded[entry.seq] = entry.payload
        problems: list[tuple[str, str]] = []
        with Session(self.engine) as session:
            rows = session.execute(
                select(CustomerVersionRow).order_by(
                    CustomerVersionRow.customer_id, CustomerVersionRow.version
                )
            ).scalars()
            for row in rows:
                label = f"{row.customer_id}@{row.version}"
                payload = recorded.get(row.audit_seq) if row.audit_seq is not None else None
                if payload is None or payload.get("customer_id") != row.customer_id:
                    problems.append((label, "has no audit entry"))
                elif (
                    payload.get("version") != row.version or canonical_json(payload.get("inputs")) != row.data
                ):
                    problems.append((label, "was edited after it was recorded"))
        return problems
