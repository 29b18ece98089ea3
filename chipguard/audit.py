"""Append-only, hash-chained audit log of every decision and analyst action, and its verifier.

Why a chain: an auditor must be able to see, years later (EAR record retention, 15 CFR 762.6), that no
record was altered, removed or re-ordered since it was written. Each entry carries the SHA-256 of the
previous entry, and its own hash covers its sequence number, time, actor, action, payload and that
previous hash, so editing, deleting or moving any entry breaks the chain at a point ``verify`` names.

Why a head anchor: cutting entries off the *end* leaves a shorter chain that is still internally valid.
The single ``audit_head`` row records the number of entries and the last hash, is updated in the same
transaction as every append, and is signed with an HMAC key kept outside the database
(``CHIPGUARD_AUDIT_KEY``, else ``$CHIPGUARD_HOME/audit.key``), so a truncation — or a rewrite of the head
by someone holding only database access — is detected.

Appends are serialised: on PostgreSQL by locking the head row (``SELECT … FOR UPDATE``), on SQLite by
starting the transaction with ``BEGIN IMMEDIATE``; the entry commits together with the record it
describes (a decision, a customer version), so there is never a record without its audit entry. An entry
that stands alone (an ad-hoc screen) is committed by ``record``, which lets the concurrent callers of a
process share one transaction and one fsync (:class:`GroupCommit`) and returns only once it is durable.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import logging
import os
import secrets
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, cast

from sqlalchemy import Connection, Engine, Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from chipguard import checkpoints, config, signing
from chipguard.errors import AuditUnavailableError, InputError
from chipguard.settings import settings
from chipguard.store.db import SQLITE_BEGIN
from chipguard.store.records import AuditEntryRow, AuditHeadRow

GENESIS = "0" * 64
HEAD_ID = 1
EXPORT_FORMATS = ("jsonl", "csv")
# Cells a spreadsheet would evaluate as a formula (OWASP CSV injection guidance).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_COMMITTERS_LOCK = threading.Lock()
# The chain's tables, written with Core statements: an append is a few statements on the hot path of every
# audited request, and the ORM's unit of work (identity map, flush planning) cost more CPU than the SQL.
_ENTRIES = cast(Table, AuditEntryRow.__table__)
_HEAD = cast(Table, AuditHeadRow.__table__)
# ... built once: constructing a statement costs more CPU than running its cached compiled form
_READ_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
_INSERT_ENTRIES = insert(_ENTRIES)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(
        seq=bindparam("new_seq"),
        hash=bindparam("new_hash"),
        signature=bindparam("new_signature"),
        updated_at=bindparam("new_updated_at"),
    )
)
log = logging.getLogger("chipguard.audit")


def canonical_json(value: Any) -> str:
    """The one JSON spelling that is hashed: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def entry_hash(seq: int, ts: str, actor: str, action: str, payload: str, prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of the entry's fields; ``payload`` is its stored JSON text."""
    body = canonical_json(
        {"seq": seq, "ts": ts, "actor": actor, "action": action, "payload": payload, "prev_hash": prev_hash}
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def audit_key() -> bytes:
    """The HMAC key that signs the head: ``CHIPGUARD_AUDIT_KEY`` or a key file created on first use.
    Several hosts sharing one PostgreSQL database must share the key through the environment."""
    env = settings().audit_key
    if env:
        return env.encode("utf-8")
    path = config.home() / "audit.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def head_signature(key: bytes, seq: int, last_hash: str) -> str:
    return hmac.new(key, f"{seq}:{last_hash}".encode(), hashlib.sha256).hexdigest()


@dataclass(slots=True)
class AuditEntry:
    seq: int
    ts: str
    actor: str
    action: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "ts": self.ts,
            "actor": self.actor,
            "action": self.action,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(slots=True)
class Problem:
    """One thing ``verify`` found wrong: at which entry, what kind (edited, deleted, reordered,
    inserted, truncated, head) and a sentence for the auditor."""

    seq: int | None
    kind: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "message": self.message}


@dataclass(slots=True)
class VerifyReport:
    entries: int
    head_seq: int | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "problems": [p.to_dict() for p in self.problems],
        }


def _row_entry(row: AuditEntryRow) -> AuditEntry:
    try:
        payload = json.loads(row.payload)
    except ValueError:
        payload = {"_unparseable": row.payload}
    return AuditEntry(row.seq, row.ts, row.actor, row.action, payload, row.prev_hash, row.hash)


class AuditLog:
    """The audit log of one database. ``append`` joins the caller's session (same transaction as the
    record it audits); ``record`` is a convenience that commits an entry on its own."""

    def __init__(self, engine: Engine, key: bytes | None = None) -> None:
        """``key``: sign the head with this HMAC key (the scheme before Ed25519, kept for stores that
        name one); by default the head is signed with the Ed25519 key of chipguard.signing."""
        self.engine = engine
        self._key = key
        self._hmac = key is not None
        self._chain: str | None = None
        self._committer: GroupCommit | None = None
        self._writer_engine = engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})

    @property
    def key(self) -> bytes:
        """The HMAC key: verifies heads signed before Ed25519 (and signs, when given explicitly)."""
        if self._key is None:
            self._key = audit_key()
        return self._key

    def sign_head(self, seq: int, last_hash: str) -> str:
        if self._hmac:
            return head_signature(self.key, seq, last_hash)
        return signing.sign(signing.head_message(seq, last_hash))

    def head_signature_ok(self, seq: int, last_hash: str, signature: str) -> bool:
        if signature.startswith(signing.PREFIX):
            return signing.verify(signing.head_message(seq, last_hash), signature)
        return hmac.compare_digest(signature, head_signature(self.key, seq, last_hash))

    def writer_session(self) -> Session:
        """A session whose transaction may append: on SQLite it begins IMMEDIATE (takes the write lock)."""
        return Session(self._writer_engine, expire_on_commit=False)

    def writer_connection(self) -> Connection:
        """A connection whose transaction may append (as :meth:`writer_session`), for a transaction that
        writes only the chain and needs no ORM session."""
        return self._writer_engine.connect()

    def lock_head(self, db: Session | Connection) -> tuple[int, str]:
        """The head's (seq, hash), its row locked for this transaction; created (once, race-free) on the
        first append."""
        head = db.execute(_READ_HEAD).one_or_none()
        if head is not None:
            return int(head.seq), str(head.hash)
        bind = db.get_bind() if isinstance(db, Session) else db
        insert_head: Any = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
        db.execute(
            insert_head(_HEAD)
            .values(
                id=HEAD_ID,
                seq=0,
                hash=GENESIS,
                signature=self.sign_head(0, GENESIS),
                updated_at=utc_now(),
            )
            .on_conflict_do_nothing(index_elements=["id"])
        )
        head = db.execute(_READ_HEAD).one()
        return int(head.seq), str(head.hash)

    def append(self, session: Session, actor: str, action: str, payload: dict[str, Any]) -> AuditEntry:
        """Appends one entry inside ``session``'s transaction (the caller commits). The session must come
        from ``writer_session()`` so that SQLite serialises concurrent appenders."""
        return self.append_many(session, [(actor, action, canonical_json(payload))])[0]

    def append_many(
        self,
        db: Session | Connection,
        items: Sequence[tuple[str, str, str]],
        *,
        checkpoint_on_commit: bool = True,
        head: tuple[int, str] | None = None,
    ) -> list[AuditEntry]:
        """Appends entries ``(actor, action, canonical JSON of the payload)`` in this order inside
        ``session``'s transaction, each linked to the one before; the head is locked once, moved once and
        signed once, and one checkpoint is written when the transaction commits — unless
        ``checkpoint_on_commit`` is False: then the caller writes it (:meth:`checkpoint_of`) once the
        session has let go of the chain, so the next writer need not wait for a second fsync. ``db`` may
        be a plain connection when the transaction writes only the chain (then the caller checkpoints);
        ``head`` is what :meth:`lock_head` returned if the caller locked it in this transaction already."""
        if not items:
            return []
        seq, prev = head if head is not None else self.lock_head(db)
        ts = ""
        rows: list[dict[str, Any]] = []
        entries: list[AuditEntry] = []
        for actor, action, text in items:
            seq += 1
            ts = utc_now()
            digest = entry_hash(seq, ts, actor, action, text, prev)
            rows.append(
                {
                    "seq": seq,
                    "ts": ts,
                    "actor": actor,
                    "action": action,
                    "payload": text,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            entries.append(AuditEntry(seq, ts, actor, action, json.loads(text), prev, digest))
            prev = digest
        db.execute(_INSERT_ENTRIES, rows)
        db.execute(
            _MOVE_HEAD,
            {
                "new_seq": seq,
                "new_hash": prev,
                "new_signature": self.sign_head(seq, prev),
                "new_updated_at": ts,
            },
        )
        if isinstance(db, Session):
            db.flush()  # the caller's own pending rows, as before: it may read them back before committing
            if checkpoint_on_commit:
                chain = entries[0].hash if entries[0].seq == 1 else self._chain_of(db)
                if chain:
                    checkpoints.after_commit(db, chain, seq, prev, self._hmac and self.key or None)
        elif checkpoint_on_commit:
            raise ValueError("an append on a plain connection is checkpointed by its caller (checkpoint_of)")
        return entries

    def checkpoint_of(self, db: Session | Connection, entries: Sequence[AuditEntry]) -> tuple[Any, ...]:
        """The arguments of :func:`checkpoints.write_committed` for the head after ``entries`` (the last
        entries appended in ``session``); read inside the session, written after it committed."""
        chain = entries[0].hash if entries[0].seq == 1 else self._chain_of(db)
        return (chain, entries[-1].seq, entries[-1].hash, self._hmac and self.key or None)

    def _chain_of(self, db: Session | Connection) -> str | None:
        """The chain's identity: its first entry's hash (what checkpoints are filed under)."""
        if self._chain is None:
            self._chain = db.execute(select(_ENTRIES.c.hash).where(_ENTRIES.c.seq == 1)).scalar()
        return self._chain

    def checkpoint(self) -> dict[str, Any]:
        """Signs the current head and appends it to the checkpoint file; the line is returned, for an
        external timestamping or transparency-log service too (``chipguard audit checkpoint``)."""
        with Session(self.engine) as session:
            head = session.get(AuditHeadRow, HEAD_ID)
            chain = self._chain_of(session)
        if head is None or not chain:
            raise InputError("the audit log is empty: nothing to checkpoint")
        return checkpoints.write(chain, head.seq, head.hash, self._hmac and self.key or None)

    def record(self, actor: str, action: str, payload: dict[str, Any]) -> AuditEntry:
        """Appends one entry in a transaction of its own and returns once it is committed (durable).
        Concurrent callers of this process share commits (:class:`GroupCommit`); a commit that fails
        raises AuditUnavailableError in every caller whose entry it held."""
        return self._group_commit().record(actor, action, payload)

    def _group_commit(self) -> GroupCommit:
        committer = self._committer
        if committer is None or committer.pid != os.getpid():  # a forked child starts its own
            with _COMMITTERS_LOCK:
                committer = self._committer
                if committer is None or committer.pid != os.getpid():
                    committer = self._committer = GroupCommit(self)
        return committer

    def entries_of(self, action: str, *, newest_first: bool = False, page: int = 500) -> Iterator[AuditEntry]:
        """The entries of one action (indexed), in pages, oldest or newest first."""
        last: int | None = None
        while True:
            query = select(AuditEntryRow).where(AuditEntryRow.action == action)
            if last is not None:
                query = query.where(AuditEntryRow.seq < last if newest_first else AuditEntryRow.seq > last)
            order = AuditEntryRow.seq.desc() if newest_first else AuditEntryRow.seq
            with Session(self.engine) as session:
                rows = list(session.execute(query.order_by(order).limit(page)).scalars())
            if not rows:
                return
            for row in rows:
                yield _row_entry(row)
            last = rows[-1].seq

    def entries(self, start: int = 1, limit: int | None = None) -> Iterator[AuditEntry]:
        """Entries in sequence order, read in pages so a long log does not load into memory at once."""
        page = 1000
        next_seq = start
        remaining = limit
        while True:
            size = page if remaining is None else min(page, remaining)
            if size <= 0:
                return
            with Session(self.engine) as session:
                rows = list(
                    session.execute(
                        select(AuditEntryRow)
                        .where(AuditEntryRow.seq >= next_seq)
                        .order_by(AuditEntryRow.seq)
                        .limit(size)
                    ).scalars()
                )
            if not rows:
                return
            for row in rows:
                yield _row_entry(row)
            next_seq = rows[-1].seq + 1
            if remaining is not None:
                remaining -= len(rows)

    def _pages(self, size: int = 2000) -> Iterator[AuditEntryRow]:
        after = 0
        while True:
            with Session(self.engine) as session:
                rows = list(
                    session.execute(
                        select(AuditEntryRow)
                        .where(AuditEntryRow.seq > after)
                        .order_by(AuditEntryRow.seq)
                        .limit(size)
                    ).scalars()
                )
            if not rows:
                return
            yield from rows
            after = rows[-1].seq

    def verify(self) -> VerifyReport:
        """Walks the whole chain and the head; every problem names the entry and what happened to it."""
        with Session(self.engine) as session:
            head = session.get(AuditHeadRow, HEAD_ID)
            # First pass: only (hash, seq) of every entry, to tell a reordering from an edit; the second
            # pass streams the entries page by page, so years of log never sit in memory at once.
            by_hash = {h: q for h, q in session.execute(select(AuditEntryRow.hash, AuditEntryRow.seq))}
        count, last_seq, last_hash, problems = _check_chain(self._pages(), by_hash)
        if head is None:
            if count:
                problems.append(Problem(None, "head", "the head anchor record is missing (deleted)"))
        else:
            if not self.head_signature_ok(head.seq, head.hash, head.signature):
                problems.append(
                    Problem(head.seq, "head", "the head anchor's signature does not match: it was rewritten")
                )
            if head.seq > last_seq:
                problems.append(
                    Problem(
                        last_seq + 1,
                        "truncated",
                        f"the log is truncated: the head records {head.seq} entries but the log ends at "
                        f"seq {last_seq}; entries {last_seq + 1}–{head.seq} are missing",
                    )
                )
            elif head.seq < last_seq:
                problems.append(
                    Problem(
                        head.seq + 1,
                        "inserted",
                        f"entries {head.seq + 1}–{last_seq} lie beyond the head ({head.seq} entries): "
                        "they were added outside chipguard",
                    )
                )
            elif head.hash != last_hash:
                problems.append(
                    Problem(last_seq, "edited", f"entry {last_seq} differs from the hash the head recorded")
                )
        # a head whose signature fails is reported as such; the checkpoint is the witness for the case the
        # signature cannot catch: a validly signed but older head (a restored copy)
        signed = head is not None and not any(p.kind == "head" for p in problems)
        problems.extend(self._check_checkpoints(head if signed else None, compare=signed or head is None))
        return VerifyReport(entries=count, head_seq=head.seq if head else None, problems=problems)

    def _check_checkpoints(self, head: AuditHeadRow | None, *, compare: bool = True) -> list[Problem]:
        """The database against the latest checkpoint of its chain written outside it: a head behind
        the checkpoint is a database restored from an older copy (or its tail cut and re-signed)."""
        with Session(self.engine) as session:
            chain = self._chain_of(session)
            if not chain:
                return []
            latest, forged = checkpoints.latest(chain, self._hmac and self.key or None)
            problems = [
                Problem(
                    None, "checkpoint", f"checkpoint line {n} of {checkpoints.path()} has no valid signature"
                )
                for n in forged
            ]
            if latest is None or not compare:
                return problems
            seq, digest = int(latest["seq"]), str(latest["hash"])
            if head is None or head.seq < seq:
                problems.append(
                    Problem(
                        seq,
                        "rollback",
                        f"the database is behind its checkpoint: the checkpoint of {latest['ts']} records "
                        f"{seq} entries, the database's head {head.seq if head else 0}; it was restored "
                        "from an older copy or its newest entries were removed",
                    )
                )
                return problems
            stored = session.execute(select(AuditEntryRow.hash).where(AuditEntryRow.seq == seq)).scalar()
            if stored is not None and stored != digest:
                problems.append(
                    Problem(
                        seq,
                        "rollback",
                        f"entry {seq} differs from the checkpoint of {latest['ts']}: "
                        "the chain was rewritten from there on",
                    )
                )
        return problems

    def export(self, out: TextIO, fmt: str) -> int:
        """Writes every entry as JSON lines or CSV (formula-safe); returns the number written."""
        if fmt not in EXPORT_FORMATS:
            raise InputError(
                f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}", field="format"
            )
        count = 0
        if fmt == "jsonl":
            for entry in self.entries():
                out.write(canonical_json(entry.to_dict()) + "\n")
                count += 1
            return count
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["seq", "ts", "actor", "action", "payload", "prev_hash", "hash"])
        for entry in self.entries():
            writer.writerow(
                csv_safe_row(
                    [
                        entry.seq,
                        entry.ts,
                        entry.actor,
                        entry.action,
                        canonical_json(entry.payload),
                        entry.prev_hash,
                        entry.hash,
                    ]
                )
            )
            count += 1
        return count

    def export_file(self, path: Path, fmt: str) -> int:
        """Exports to ``path`` atomically: a temporary file renamed into place, never half-written."""
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                count = self.export(fh, fmt)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        return count


@dataclass(slots=True)
class _Waiter:
    """One caller's entry on its way into a group commit, and what became of it."""

    actor: str
    action: str
    text: str  # the payload's canonical JSON, made by the caller (its content never depends on timing)
    taken: bool = False  # a leader holding the chain has it in its transaction
    entry: AuditEntry | None = None
    error: Exception | None = None
    done: bool = False


class GroupCommit:
    """Commits the entries of concurrent callers of one process together: one transaction, one fsync,
    one head signature and one checkpoint line for every entry that arrived while the previous commit
    was in flight.

    Why: an entry is durable only once its transaction is synced to disk (~10 ms), and the chain admits
    one writer at a time (the head row's lock; on SQLite also the writer lock file shared by every
    process). With a transaction per entry, a REST worker's requests queue on that lock one fsync each,
    and a second worker only lengthens the queue. Grouping makes the cost per commit, not per entry.

    How (leader and followers, no background thread): a caller queues its entry; if no other caller of
    this process is waiting for the chain it becomes the leader, waits for the chain's lock, then takes
    up to ``max_entries`` queued entries (oldest first: those that arrived while it waited for the lock
    too) and commits them; otherwise it waits. Once a leader has taken its batch the next caller may
    lead and wait for the chain while that commit runs, so the lock passes on without a gap. When the
    commit returns, every caller whose entry it held is woken with its entry — or, if the commit failed,
    with the error, so no caller ever answers before its entry is durable and none loses its entry
    silently. Nothing waits for more entries to arrive: a
    lone caller commits at once, so grouping adds no latency. The checkpoint line of the commit (a
    second fsync, to a file outside the database) is written by the leader after the chain is let go and
    the callers are woken: an entry is durable once its transaction is, and the witness may lag the
    database (it only has to be no newer; lines of one process may land out of order, the highest seq
    counts), as when its write fails. Across processes the head lock
    still serialises commits, so the chain stays one sequence; which entries share a commit, and their
    order, depend on timing, their content does not."""

    def __init__(self, log: AuditLog, max_entries: int = 256) -> None:
        self.log = log
        self.max_entries = max_entries
        self.pid = os.getpid()
        self.commits = 0  # transactions committed by this process (tests and benchmarks read it)
        self._cond = threading.Condition()
        self._queue: list[_Waiter] = []
        self._leading = False  # a caller is waiting for the chain to take the queued entries

    def record(self, actor: str, action: str, payload: dict[str, Any]) -> AuditEntry:
        """Appends one entry and returns it once committed; AuditUnavailableError if its commit failed."""
        me = _Waiter(actor, action, canonical_json(payload))
        with self._cond:
            self._queue.append(me)
        while True:
            with self._cond:
                while not me.done and (me.taken or self._leading):
                    self._cond.wait()
                if me.done:
                    break
                self._leading = True  # this caller leads the next commit
            checkpoint = None
            try:
                checkpoint = self._commit()
            finally:
                with self._cond:
                    self._cond.notify_all()
            if checkpoint is not None:  # after the callers are woken
                checkpoints.write_committed(*checkpoint)
        if me.error is not None:  # the cause (logged by the leader) stays out of the message: it may
            # quote the SQL and the other callers' entries
            raise AuditUnavailableError(
                f"the audit entry ({action}) could not be committed, so the action is not answered; "
                "nothing of it was kept: retry later"
            ) from me.error
        assert me.entry is not None
        return me.entry

    def waiting(self) -> int:
        """Entries queued for the next commit (not yet taken by a leader)."""
        with self._cond:
            return len(self._queue)

    def leading(self) -> bool:
        """Whether a caller of this process is waiting for the chain to commit the queued entries."""
        with self._cond:
            return self._leading

    def _take(self) -> list[_Waiter]:
        """The leader's batch; from now on the next caller may lead (and wait for the chain meanwhile)."""
        with self._cond:
            batch = self._queue[: self.max_entries]
            del self._queue[: self.max_entries]
            for waiter in batch:
                waiter.taken = True
            self._leading = False
            self._cond.notify_all()
        return batch

    def _commit(self) -> tuple[Any, ...] | None:
        """One transaction: waits for the chain (the head lock; on SQLite the writer lock first), then
        takes the queued entries — so those that arrived while it waited go in too — and commits them.
        Every waiter taken is marked done, with its entry or the error. Returns the checkpoint to write
        (None when the commit failed)."""
        batch: list[_Waiter] = []
        try:
            with self.log.writer_connection() as conn, conn.begin():
                head = self.log.lock_head(conn)
                batch = self._take()
                entries = self.log.append_many(
                    conn, [(w.actor, w.action, w.text) for w in batch], checkpoint_on_commit=False, head=head
                )
                checkpoint = self.log.checkpoint_of(conn, entries)
        except BaseException as exc:
            # the entries taken (or, when it failed before taking any, those it would have taken) fail
            error = (
                exc
                if isinstance(exc, Exception)
                else RuntimeError(f"the commit was interrupted ({type(exc).__name__})")
            )
            failed = batch or self._take()
            for waiter in failed:
                waiter.error, waiter.done = error, True
            # the first line only: the rest of a database error quotes the statement and its parameters
            cause = (str(error).splitlines() or [""])[0]
            log.error("audit commit of %d entries failed: %s: %s", len(failed), type(error).__name__, cause)
            if not isinstance(exc, Exception):
                raise
            return None
        self.commits += 1
        for waiter, entry in zip(batch, entries, strict=True):
            waiter.entry, waiter.done = entry, True
        return checkpoint if checkpoint[0] else None


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet will show as text: values starting with = + - @ TAB or CR get a leading quote."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_safe_row(values: Iterable[Any]) -> list[str]:
    return [csv_safe(v) for v in values]


def _check_chain(
    rows: Iterable[AuditEntryRow], by_hash: dict[str, int]
) -> tuple[int, int, str, list[Problem]]:
    """(entries, last seq, last hash, problems) of the chain read in sequence order."""
    problems: list[Problem] = []
    expected_seq = 1
    expected_prev = GENESIS
    count = 0
    last_seq, last_hash = 0, GENESIS
    for row in rows:
        count += 1
        last_seq, last_hash = row.seq, row.hash
        gap = row.seq > expected_seq
        if gap:
            missing = f"{expected_seq}" if row.seq - 1 == expected_seq else f"{expected_seq}–{row.seq - 1}"
            problems.append(
                Problem(expected_seq, "deleted", f"entry {missing} deleted: the log jumps to seq {row.seq}")
            )
        content_ok = (
            entry_hash(row.seq, row.ts, row.actor, row.action, row.payload, row.prev_hash) == row.hash
        )
        link_ok = row.prev_hash == expected_prev
        if not (content_ok and link_ok):
            points_to = by_hash.get(row.prev_hash)
            if points_to is not None and points_to != row.seq - 1:
                problems.append(
                    Problem(
                        row.seq,
                        "reordered",
                        f"entry at seq {row.seq} was written after the entry now at seq {points_to}: "
                        "entries were reordered",
                    )
                )
            elif not content_ok:
                problems.append(
                    Problem(
                        row.seq,
                        "edited",
                        f"entry {row.seq} was edited: its contents no longer match its hash",
                    )
                )
            elif not gap:
                problems.append(
                    Problem(
                        row.seq,
                        "deleted" if points_to is None else "edited",
                        f"entry {row.seq} does not follow entry {row.seq - 1}: an entry before it was removed "
                        "or replaced",
                    )
                )
        expected_seq = row.seq + 1
        expected_prev = row.hash
    return count, last_seq, last_hash, problems


def cli_actor() -> str:
    """How the audit log names a person acting through the CLI: their operating-system user."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def open_log(engine: Engine | None = None) -> AuditLog:
    from chipguard.store.db import get_engine

    return AuditLog(engine or get_engine())


def write_report(report: VerifyReport) -> str:
    """Human-readable verification result for the CLI."""
    buf = io.StringIO()
    if report.ok:
        buf.write(f"audit log OK: {report.entries} entries, chain and head anchor verified\n")
    else:
        buf.write(f"audit log FAILED verification ({report.entries} entries):\n")
        for p in report.problems:
            where = f"seq {p.seq}" if p.seq is not None else "head"
            buf.write(f"  [{p.kind}] {where}: {p.message}\n")
    return buf.getvalue()


def verify_export(lines: Iterable[str], checkpoint: dict[str, Any], public_key_pem: bytes) -> list[str]:
    """What an auditor runs on an exported chain (``audit export --format jsonl``) with a signed
    checkpoint (``audit checkpoint``) and the public key only — no database, no private key: every
    entry's hash is recomputed, every link followed, and the checkpoint's signature checked and its head
    found in the chain. Returns the problems, empty when the export is the chain the checkpoint signed."""
    from cryptography.hazmat.primitives import serialization

    problems: list[str] = []
    key = serialization.load_pem_public_key(public_key_pem)
    prev, first, by_seq = GENESIS, "", {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        entry = json.loads(text)
        payload = canonical_json(entry["payload"])
        digest = entry_hash(
            entry["seq"], entry["ts"], entry["actor"], entry["action"], payload, entry["prev_hash"]
        )
        if digest != entry["hash"]:
            problems.append(f"line {number}: entry {entry['seq']} does not match its hash (edited)")
        if entry["prev_hash"] != prev:
            problems.append(f"line {number}: entry {entry['seq']} does not follow the one before it")
        prev = entry["hash"]
        first = first or entry["hash"]
        by_seq[int(entry["seq"])] = entry["hash"]
    chain, seq, last = (
        str(checkpoint.get("chain")),
        int(checkpoint.get("seq", 0)),
        str(checkpoint.get("hash")),
    )
    message = signing.checkpoint_message(chain, seq, last, str(checkpoint.get("ts")))
    if not signing.verify(message, str(checkpoint.get("signature", "")), [key]):  # type: ignore[list-item]
        problems.append("the checkpoint's signature does not verify with this public key")
    if chain != first:
        problems.append("the checkpoint belongs to another chain (its first entry differs)")
    if by_seq.get(seq) != last:
        problems.append(f"entry {seq} of the export is not the head the checkpoint signed")
    return problems
