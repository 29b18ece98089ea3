"""Background jobs: a file of names screened, or a file of customers imported, while the analyst watches
its progress — the job's state, its validated input and its results, one row per input row.

Why stored and not kept in the process: the page that started a job may be reloaded, another worker
process may answer the next poll, and a restart must not lose a job silently. The validated input is
stored with the job (the file is never needed again), the results are written with the progress in one
transaction (``done`` always counts the results stored), and a job whose process died is marked failed
with the reason by the next process that starts (``fail_interrupted``), never left "running".
Creating, finishing and failing a job are audited; the screening a job does is audited as every other
screening is (``chipguard.service.jobs``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from chipguard.audit import AuditLog, canonical_json, utc_now
from chipguard.store.db import Base
from chipguard.store.errors import ConflictError, NotFoundError

KINDS = ("screen", "customers")
STATUSES = ("queued", "running", "done", "failed", "cancelled")
FINISHED = ("done", "failed", "cancelled")
RETRYABLE = ("failed", "cancelled")  # a job that did not finish its rows may be taken up by a new one
JOB_ID_PATTERN = r"^job_[0-9a-f]{16}$"


class JobRow(Base):
    """One job: what it reads, who started it, how far it is."""

    __tablename__ = "jobs"

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    with_hits: Mapped[int] = mapped_column(Integer, default=0)  # rows (customers) with at least one hit
    alerts: Mapped[int] = mapped_column(Integer, default=0)  # alerts raised (customer imports)
    created_by: Mapped[str] = mapped_column(String(128), index=True)
    created_at: Mapped[str] = mapped_column(String(40), index=True)
    started_at: Mapped[str] = mapped_column(String(40), default="")
    finished_at: Mapped[str] = mapped_column(String(40), default="")
    heartbeat_at: Mapped[str] = mapped_column(String(40), default="")
    runner: Mapped[str] = mapped_column(String(128), default="")  # host:pid:token of the process
    snapshots: Mapped[str] = mapped_column(Text, default="[]")  # the list snapshots screened against
    error: Mapped[str] = mapped_column(Text, default="")
    input_json: Mapped[str] = mapped_column(Text)  # the validated rows, canonical JSON
    summary_json: Mapped[str] = mapped_column(Text, default="{}")
    cancelled_by: Mapped[str] = mapped_column(String(128), default="", server_default="")
    retry_of: Mapped[str] = mapped_column(String(32), default="", server_default="", index=True)


class JobResultRow(Base):
    """The result of one input row of a job, in input order."""

    __tablename__ = "job_results"

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_json: Mapped[str] = mapped_column(Text)


@dataclass(slots=True)
class Job:
    job_id: str
    kind: str
    status: str
    file_name: str
    file_sha256: str
    total: int
    done: int
    with_hits: int
    alerts: int
    created_by: str
    created_at: str
    started_at: str
    finished_at: str
    heartbeat_at: str
    runner: str
    snapshots: list[str] = field(default_factory=list)
    error: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    cancelled_by: str = ""
    retry_of: str = ""  # the failed or cancelled job this one takes up

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("runner")
        out["percent"] = round(100 * self.done / self.total, 1) if self.total else 100.0
        return out


def _job(row: JobRow) -> Job:
    return Job(
        row.job_id,
        row.kind,
        row.status,
        row.file_name,
        row.file_sha256,
        row.total,
        row.done,
        row.with_hits,
        row.alerts,
        row.created_by,
        row.created_at,
        row.started_at,
        row.finished_at,
        row.heartbeat_at,
        row.runner,
        json.loads(row.snapshots or "[]"),
        row.error,
        json.loads(row.summary_json or "{}"),
        row.cancelled_by or "",
        row.retry_of or "",
    )


class JobStore:
    """Jobs and their results; creating, finishing and failing one appends its audit entry in the same
    transaction."""

    def __init__(self, engine: Engine, audit: AuditLog) -> None:
        self.engine = engine
        self.audit = audit

    # ── reading ──────────────────────────────────────────────────────────────────────────────────

    def get(self, job_id: str) -> Job:
        with Session(self.engine) as session:
            row = session.get(JobRow, job_id)
            if row is None:
                raise NotFoundError(f"no job {job_id!r}")
            return _job(row)

    def find(self, limit: int = 50, offset: int = 0, kind: str = "") -> list[Job]:
        """Jobs, newest first."""
        query = select(JobRow)
        if kind:
            query = query.where(JobRow.kind == kind)
        query = query.order_by(JobRow.created_at.desc(), JobRow.job_id).limit(limit).offset(offset)
        with Session(self.engine) as session:
            return [_job(r) for r in session.execute(query).scalars()]

    def input_rows(self, job_id: str) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            text = session.execute(select(JobRow.input_json).where(JobRow.job_id == job_id)).scalar()
            if text is None:
                raise NotFoundError(f"no job {job_id!r}")
            rows: list[dict[str, Any]] = json.loads(text)
            return rows

    def results(self, job_id: str, offset: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """The stored results in input order (``offset``/``limit`` page through them)."""
        query = (
            select(JobResultRow.result_json)
            .where(JobResultRow.job_id == job_id)
            .order_by(JobResultRow.position)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        with Session(self.engine) as session:
            return [json.loads(text) for text in session.execute(query).scalars()]

    def first_results(
        self, job_id: str, keep: Callable[[dict[str, Any]], bool], limit: int, page: int = 1000
    ) -> list[dict[str, Any]]:
        """The first ``limit`` results ``keep`` accepts, in input order, read a page at a time (a page of
        a job's rows that hit reads no further than the rows it shows)."""
        found: list[dict[str, Any]] = []
        offset = 0
        while len(found) < limit:
            chunk = self.results(job_id, offset=offset, limit=page)
            found.extend(r for r in chunk if keep(r))
            if len(chunk) < page:
                break
            offset += page
        return found[:limit]

    def count_results(self, job_id: str) -> int:
        query = select(func.count()).select_from(JobResultRow).where(JobResultRow.job_id == job_id)
        with Session(self.engine) as session:
            return int(session.execute(query).scalar_one())

    # ── writing ──────────────────────────────────────────────────────────────────────────────────

    def create(
        self,
        kind: str,
        file_name: str,
        file_sha256: str,
        rows: Sequence[dict[str, Any]],
        actor: str,
        runner: str,
        *,
        retry_of: str = "",
        summary: dict[str, Any] | None = None,
    ) -> Job:
        """A queued job over ``rows`` (already validated), audited as ``job.create``. With ``retry_of``
        (``rows`` then unused) a retry of that failed or cancelled job over its rows without a result,
        once; ConflictError when it is not failed or cancelled, has every result or was retried."""
        if kind not in KINDS:
            raise ValueError(f"unknown job kind {kind!r}")
        now = utc_now()
        row = JobRow(
            job_id=f"job_{secrets.token_hex(8)}",
            kind=kind,
            status="queued",
            file_name=file_name[:255],
            file_sha256=file_sha256,
            total=len(rows),
            done=0,
            with_hits=0,
            alerts=0,
            created_by=actor,
            created_at=now,
            heartbeat_at=now,
            runner=runner,
            snapshots="[]",
            error="",
            input_json=canonical_json(list(rows)),
            summary_json=canonical_json(summary or {}),
            cancelled_by="",
            retry_of=retry_of,
        )
        payload: dict[str, Any] = {
            "job_id": row.job_id,
            "kind": kind,
            "file_name": row.file_name,
            "file_sha256": file_sha256,
            "rows": len(rows),
        }
        if retry_of:
            payload["retry_of"] = retry_of
        with self.audit.writer_session() as session, session.begin():
            if retry_of:
                # read under the original's lock: no chunk of it lands between choosing the rows and
                # storing the retry (``progress`` refuses a cancelled job's chunk once it is retried)
                rows = self._rows_to_retry(session, retry_of)
                row.total, row.input_json, payload["rows"] = len(rows), canonical_json(rows), len(rows)
            session.add(row)
            self.audit.append(session, actor, "job.create", payload)
            session.flush()
            return _job(row)

    def _rows_to_retry(self, session: Session, job_id: str) -> list[dict[str, Any]]:
        original = self._locked(session, job_id)
        if original.status not in RETRYABLE:
            raise ConflictError(
                f"job {job_id} is {original.status}: only a failed or cancelled job can be retried"
            )
        earlier = session.execute(select(JobRow.job_id).where(JobRow.retry_of == job_id)).scalar()
        if earlier is not None:
            raise ConflictError(f"job {job_id} was retried already as {earlier}; retry that one")
        query = select(JobResultRow.position).where(JobResultRow.job_id == job_id)
        finished = {int(p) for p in session.execute(query).scalars()}
        rows = [r for i, r in enumerate(json.loads(original.input_json)) if i not in finished]
        if not rows:
            raise ConflictError(f"every row of job {job_id} has its result: there is nothing to retry")
        return rows

    def start(self, job_id: str, runner: str, snapshots: Sequence[str]) -> Job:
        """Marks a queued job running in ``runner`` against ``snapshots``; ConflictError when it is no
        longer queued (another process's recovery failed it meanwhile)."""
        now = utc_now()
        with self.audit.writer_session() as session, session.begin():
            row = self._locked(session, job_id)
            if row.status != "queued":
                raise ConflictError(f"job {job_id} is {row.status}, not queued")
            row.status, row.runner, row.started_at, row.heartbeat_at = "running", runner, now, now
            row.snapshots = canonical_json(list(snapshots))
            session.flush()
            return _job(row)

    def progress(
        self,
        job_id: str,
        results: Sequence[tuple[int, dict[str, Any]]],
        *,
        with_hits: int = 0,
        alerts: int = 0,
    ) -> Job:
        """Stores a chunk of results and counts them done, in one transaction (``with_hits`` and
        ``alerts`` are added to the job's counts)."""
        with self.audit.writer_session() as session, session.begin():
            row = self._locked(session, job_id)
            # a job cancelled while it ran keeps the chunk that was under way (its rows were screened,
            # and audited, already): the runner stops before the next one
            if row.status != "running" and not (row.status == "cancelled" and row.started_at):
                raise ConflictError(f"job {job_id} is {row.status}, not running")
            if row.status == "cancelled":
                retry = session.execute(select(JobRow.job_id).where(JobRow.retry_of == job_id)).scalar()
                if retry is not None:
                    raise ConflictError(f"job {job_id} was cancelled and is retried by {retry}")
            for position, result in results:
                session.add(
                    JobResultRow(job_id=job_id, position=position, result_json=canonical_json(result))
                )
            row.done += len(results)
            row.with_hits += with_hits
            row.alerts += alerts
            row.heartbeat_at = utc_now()
            session.flush()
            return _job(row)

    def finish(self, job_id: str, summary: dict[str, Any]) -> Job:
        """Marks a running job done, audited as ``job.done`` with its counts and the snapshots used."""
        with self.audit.writer_session() as session, session.begin():
            row = self._locked(session, job_id)
            if row.status == "cancelled":
                return _job(row)  # cancelled while its last chunk ran: it stays cancelled
            if row.status != "running":
                raise ConflictError(f"job {job_id} is {row.status}, not running")
            row.status, row.finished_at = "done", utc_now()
            row.heartbeat_at = row.finished_at
            row.summary_json = canonical_json(summary)
            # the job acts for the person who started it, as every screening entry it wrote says
            self.audit.append(session, row.created_by, "job.done", self._payload(row))
            session.flush()
            return _job(row)

    def fail(self, job_id: str, error: str, actor: str = "system") -> Job:
        """Marks an unfinished job failed with the reason (audited as ``job.failed``); a finished job is
        left as it is."""
        with self.audit.writer_session() as session, session.begin():
            row = self._locked(session, job_id)
            if row.status in FINISHED:
                return _job(row)
            row.status, row.finished_at, row.error = "failed", utc_now(), error[:4000]
            self.audit.append(session, actor, "job.failed", self._payload(row) | {"error": row.error})
            session.flush()
            return _job(row)

    def cancel(self, job_id: str, actor: str) -> Job:
        """Cancels a queued or running job for ``actor`` (audited as ``job.cancelled``, naming who): a
        queued job never starts, a running one stops after the chunk under way; the results stored are
        kept. A finished job cannot be cancelled (ConflictError)."""
        with self.audit.writer_session() as session, session.begin():
            row = self._locked(session, job_id)
            if row.status in FINISHED:
                raise ConflictError(
                    f"job {job_id} is {row.status}: a finished job cannot be cancelled"
                    + ("" if row.status == "done" else "; retry it to take up the rows not finished")
                )
            was = row.status
            row.status, row.finished_at, row.cancelled_by = "cancelled", utc_now(), actor[:128]
            payload = self._payload(row) | {"cancelled_by": row.cancelled_by, "was": was}
            self.audit.append(session, actor, "job.cancelled", payload)
            session.flush()
            return _job(row)

    def status(self, job_id: str) -> str:
        """The job's status as stored now (the runner asks before each chunk whether it was cancelled)."""
        with Session(self.engine) as session:
            found = session.execute(select(JobRow.status).where(JobRow.job_id == job_id)).scalar()
            if found is None:
                raise NotFoundError(f"no job {job_id!r}")
            return str(found)

    def retried_as(self, job_id: str) -> str:
        """The job that retries ``job_id``, or ''."""
        query = select(JobRow.job_id).where(JobRow.retry_of == job_id)
        with Session(self.engine) as session:
            return str(session.execute(query).scalar() or "")

    def note_in(self, session: Session, job_id: str, summary: dict[str, Any]) -> None:
        """Records ``summary`` on a job in the caller's transaction: a customer import notes that its
        customers are written in the transaction that writes them (``CustomerStore.write_many(along=…)``),
        so a retry screens them without writing them again — never a commit without its mark."""
        row = self._locked(session, job_id)
        row.summary_json = canonical_json(json.loads(row.summary_json or "{}") | summary)

    def fail_interrupted(self, is_alive: Callable[[Job], bool]) -> list[str]:
        """Fails every queued or running job whose process is gone (``is_alive`` says no), naming how far
        it got: a restart never leaves a job looking as if it were still running."""
        with Session(self.engine) as session:
            rows = session.execute(select(JobRow).where(JobRow.status.in_(("queued", "running")))).scalars()
            unfinished = [_job(r) for r in rows]
        failed: list[str] = []
        for job in unfinished:
            if is_alive(job):
                continue
            self.fail(
                job.job_id,
                f"interrupted: the service stopped after {job.done} of {job.total} rows "
                f"(process {job.runner or 'unknown'}); retry the job to screen the rest",
            )
            failed.append(job.job_id)
        return failed

    @staticmethod
    def _payload(row: JobRow) -> dict[str, Any]:
        return {
            "job_id": row.job_id,
            "kind": row.kind,
            "started_by": row.created_by,
            "file_sha256": row.file_sha256,
            "total": row.total,
            "done": row.done,
            "with_hits": row.with_hits,
            "alerts": row.alerts,
            "snapshots": json.loads(row.snapshots or "[]"),
        }

    @staticmethod
    def _locked(session: Session, job_id: str) -> JobRow:
        row = session.execute(select(JobRow).where(JobRow.job_id == job_id).with_for_update()).scalar()
        if row is None:
            raise NotFoundError(f"no job {job_id!r}")
        return row
