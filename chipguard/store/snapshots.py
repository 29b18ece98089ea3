"""List snapshots: immutable, content-hashed sets of ``Party`` records, one ACTIVE snapshot per source.

Why: a screening result or a decision must name exactly which list it was checked against, and an
auditor must be able to replay it years later. So every load stores the parsed records under the
sha256 of the file bytes, never changes them, and keeps old snapshots; "the current list" of a
source is only a pointer, flipped in the same transaction that stores the new records, so a failed
load leaves the previous snapshot in force and leaves nothing of the new one behind.

Interface (screening, decisions, the service and the CLI call this; keep it stable)::

    from chipguard.store.snapshots import SnapshotStore, SnapshotInfo, SourceStatus, LoadSpec, require_lists

    store = SnapshotStore()                    # engine=None → chipguard.store.db.get_engine() (CHIPGUARD_HOME)
    info = store.load_file(path, format=None, source=None)        # → SnapshotInfo; info.status is one of
                                               #   "loaded" (first for its source), "replaced", "unchanged"
                                               #   (same bytes already active: no-op), "reactivated"
    infos = store.load_files([LoadSpec(path, format, source, file_date)])   # several files, all or nothing
    store.active()                -> list[SnapshotInfo]       # one per source, sorted by source
    store.active_parties()        -> tuple[list[Party], list[SnapshotInfo]]
    store.parties_of(snapshot_ids) -> list[Party]             # any snapshot, active or old (replay)
    store.party(snapshot_id, party_id) -> Party | None        # first record with that id (the real
                                               #   CSL repeats some _ids: records are kept by position)
    store.get_snapshot(ref)       -> SnapshotInfo  # ref: id (int, or digits shorter than 6), sha256,
                                               #   sha256 prefix (≥6 hex), "source:prefix"; InputError if
                                               #   unknown or ambiguous. SnapshotInfo.ref = "source:sha12"
    store.history(source=None)    -> list[SnapshotInfo]       # newest first, active flag set
    store.freshness(now=None)     -> list[SourceStatus]       # age, max age, stale flag per active source
    store.stale_sources(now=None) -> list[str]
    store.deactivate(source)      -> None                      # source no longer screened; snapshots kept
    require_lists(store=None, *, fresh=False) -> list[SnapshotInfo]
        # raises ListsUnavailableError (naming `chipguard lists load --bundled` and `chipguard lists
        # update`) when no list is active; with fresh=True also when any active list is stale.

Staleness: a list's age counts from its file date (stated in the file, given by the loader, or in the
file name as YYYY-MM[-DD]), else from its load time — or from the last `chipguard lists update` that
fetched exactly these bytes from the publisher's official URL, when that is later (a list the publisher
has not changed for weeks is still current if we checked yesterday). The maximum age comes from
chipguard/data/list_sources.yml (``max_age_days``, per source overridable), overridable in
$CHIPGUARD_DATA_OVERRIDES/list_sources.yml or by CHIPGUARD_LISTS_MAX_AGE_DAYS. A stale list is still used for
screening (a hit on an old list is still a hit) but a decision must not auto-ALLOW against it.

Parties returned by ``active_parties``/``parties_of`` are cached per immutable snapshot and shared:
treat them as read-only.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import re
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from chipguard.errors import ChipguardError, InputError, ListsUnavailableError
from chipguard.model import Party
from chipguard.sources import FORMATS, SourceError, detect_format, warn_oversize_names
from chipguard.sources.base import MAX_FILE_BYTES, Format, ParsedList, check_size
from chipguard.sources.common import ends_inside_quote
from chipguard.store import evidence
from chipguard.store.db import SQLITE_BEGIN, Base, get_engine, init_schema

NO_LISTS_MESSAGE = (
    "no restricted-party lists are loaded in this home; screening fails closed. "
    "Load the bundled offline snapshot with `chipguard lists load --bundled` "
    "or download the current official lists with `chipguard lists update`."
)

LOAD_STATUSES = ("loaded", "replaced", "unchanged", "reactivated")
_CHUNK = 1 << 20
_INSERT_BATCH = 2000


# ── tables ────────────────────────────────────────────────────────────────────────────────────────


class SnapshotRow(Base):
    """One immutable list snapshot: which file, which bytes (sha256), when, how many records."""

    __tablename__ = "list_snapshots"
    __table_args__ = (UniqueConstraint("source", "sha256", name="uq_list_snapshots_source_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100), index=True)
    format: Mapped[str] = mapped_column(String(50))
    file_name: Mapped[str] = mapped_column(String(500))
    file_date: Mapped[str] = mapped_column(String(40), default="")
    source_url: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    record_count: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)


class SnapshotPartyRow(Base):
    """One Party of a snapshot, as ``Party.to_dict()`` JSON, in file order (``seq``)."""

    __tablename__ = "list_snapshot_parties"
    __table_args__ = (Index("ix_list_snapshot_parties_snapshot_party", "snapshot_id", "party_id"),)

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("list_snapshots.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    party_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ActiveSnapshotRow(Base):
    """The pointer: the snapshot currently in force for a source (at most one per source)."""

    __tablename__ = "list_active"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("list_snapshots.id"))
    activated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Last time `chipguard lists update` fetched the official list and found exactly these bytes: the
    # list is as fresh as that check even when the publisher has not changed it for weeks.
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ActivationRow(Base):
    """Append-only history of pointer flips, so "which list was in force at time T" has an answer."""

    __tablename__ = "list_activations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100), index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("list_snapshots.id"), nullable=True)
    previous_snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("list_snapshots.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(20))  # activate | deactivate
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# ── value objects ─────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """What a screening result or decision records about the list it used."""

    id: int
    source: str
    format: str
    file_name: str
    file_date: str
    source_url: str
    sha256: str
    record_count: int
    loaded_at: datetime
    warnings: tuple[str, ...] = ()
    active: bool = False
    status: str = ""  # result of a load: one of LOAD_STATUSES; "" when read back
    previous_id: int | None = None  # the snapshot this load replaced, if any
    checked_at: datetime | None = None  # active only: last official download that confirmed these bytes

    @property
    def ref(self) -> str:
        """Short, unambiguous label, e.g. ``us_csl:3f1c0a9be2d4`` (accepted by ``get_snapshot``)."""
        return f"{self.source}:{self.sha256[:12]}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ref": self.ref,
            "source": self.source,
            "format": self.format,
            "file_name": self.file_name,
            "file_date": self.file_date,
            "source_url": self.source_url,
            "sha256": self.sha256,
            "record_count": self.record_count,
            "loaded_at": self.loaded_at.isoformat(),
            "warnings": list(self.warnings),
            "active": self.active,
            **({"status": self.status} if self.status else {}),
            **({"previous_id": self.previous_id} if self.previous_id is not None else {}),
            **({"checked_at": self.checked_at.isoformat()} if self.checked_at else {}),
        }


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """Freshness of one active source: how old its list is and whether that is too old to trust."""

    source: str
    snapshot: SnapshotInfo
    as_of: datetime  # the date the age counts from
    basis: str  # "file_date" or "loaded_at"
    age_days: float
    max_age_days: float
    stale: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "snapshot": self.snapshot.ref,
            "as_of": self.as_of.isoformat(),
            "basis": self.basis,
            "age_days": round(self.age_days, 1),
            "max_age_days": self.max_age_days,
            "stale": self.stale,
        }


@dataclass(frozen=True, slots=True)
class LoadSpec:
    """One file to load: format and source default to what the content says; file_date to the file's."""

    path: Path
    format: str | None = None
    source: str | None = None
    file_date: str | None = None  # wins over the date stated in the file (a manifest knows better)
    source_url: str | None = None
    fallback_file_date: str | None = None  # used when the file states no date (HTTP Last-Modified)
    display_name: str | None = None  # shown in errors instead of the path (e.g. a download's URL)
    confirmed_current: bool = False  # fetched just now from the publisher's official URL
    # A directory holding a multi-file list: the member files the parser must read, every one (a member
    # it silently ignored, e.g. a misnamed companion file, would leave aliases or addresses out).
    members: tuple[str, ...] = ()


@dataclass(slots=True)
class ListsAudit:
    """Who changes the lists, how and why: the audit entry a load or removal writes *in the same
    transaction* as the snapshot and the pointer flip, so a list is never in force unaudited (a kill
    between the two commits leaves neither). ``force_reason`` lets a load through the truncation guard
    (fewer records than ``min_record_share`` of the active snapshot); the reason is in the entry.
    ``entry`` is set to the appended AuditEntry."""

    actor: str
    action: str  # lists.load | lists.update | lists.remove
    details: dict[str, Any] = field(default_factory=dict)
    force_reason: str = ""
    entry: Any = None
    # False for the store's own default entry (a load by a test or tool that names no audit): audited
    # and sealed like any load, but not held to the shrink guard.
    guarded: bool = True


def _default_audit(action: str) -> ListsAudit:
    """The entry of a load or removal whose caller named none: every list change is on the chain."""
    from chipguard.audit import cli_actor

    return ListsAudit(cli_actor(), action, guarded=False)


class ListShrinkError(InputError):
    """A load would replace a source's active snapshot with far fewer records: most likely a truncated
    or wrong file. Refused unless forced with a reason (which is audited)."""


@dataclass(slots=True)
class _Prepared:
    spec: LoadSpec
    fmt: Format
    source: str
    sha256: str
    parsed: ParsedList | None = None
    file_date: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# ── helpers ───────────────────────────────────────────────────────────────────────────────────────


def sha256_file(path: Path) -> str:
    """Content hash of a list file; for a multi-file list given as a directory (the OFAC legacy CSV set),
    the hash of every regular file's name and bytes, in name order."""
    if path.is_dir():
        outer = hashlib.sha256()
        for member in sorted(p for p in path.iterdir() if p.is_file()):
            outer.update(member.name.encode() + b"\0" + sha256_file(member).encode() + b"\n")
        return outer.hexdigest()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


_DATE_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_]?(0[1-9]|1[0-2])(?:[-_]?(0[1-9]|[12]\d|3[01]))?(?!\d)")


def date_from_name(name: str) -> str:
    """``us_csl_2022-04.csv.gz`` → ``2022-04``: many list files carry their date only in their name."""
    match = _DATE_IN_NAME.search(name)
    if not match:
        return ""
    year, month, day = match.groups()
    return f"{year}-{month}-{day}" if day else f"{year}-{month}"


def parse_list_date(value: str) -> datetime | None:
    """ISO date, year-month, year or datetime → an aware UTC datetime (start of the period: the
    conservative choice, since an older date can only make a list look older, never fresher)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if re.fullmatch(r"\d{4}", value):
            return datetime(int(value), 1, 1, tzinfo=UTC)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return datetime(int(value[:4]), int(value[5:7]), 1, tzinfo=UTC)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            d = date.fromisoformat(value)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _info(
    row: SnapshotRow,
    *,
    active: bool = False,
    status: str = "",
    previous_id: int | None = None,
    checked_at: datetime | None = None,
) -> SnapshotInfo:
    return SnapshotInfo(
        id=row.id,
        source=row.source,
        format=row.format,
        file_name=row.file_name,
        file_date=row.file_date or "",
        source_url=row.source_url or "",
        sha256=row.sha256,
        record_count=row.record_count,
        loaded_at=_aware(row.loaded_at),
        warnings=tuple(row.warnings or ()),
        active=active,
        status=status,
        previous_id=previous_id,
        checked_at=_aware(checked_at) if checked_at else None,
    )


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """Same result as ``dataclasses.asdict`` (so ``Party.from_dict`` reads it back) at about twice the
    speed: asdict deep-copies every leaf, which dominates storing a large list."""
    cls = type(value)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        is_record = dataclasses.is_dataclass(value) and not isinstance(value, type)
        names = tuple(f.name for f in dataclasses.fields(value)) if is_record else ()
        _FIELD_NAMES[cls] = names
    if names:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _is_gzip(path: Path) -> bool:
    if path.is_dir():
        return False
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _run_parser(fmt: Format, path: Path, display: str) -> ParsedList:
    """Runs a format's parser; errors name the file the user gave (not a temporary copy), and a
    parser's unexpected exception becomes a SourceError instead of a traceback."""
    members = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    if "csv" in fmt.name:
        for member in members:
            if ends_inside_quote(member):
                where = display if member == path else f"{display}: {member.name}"
                raise SourceError(
                    "the file ends inside an open quoted field: it was cut off (an interrupted download "
                    "or copy?); nothing was changed, the previous snapshot stays in force",
                    file=where,
                )
    try:
        parsed = fmt.parse(path)
        warn_oversize_names(parsed)
        return parsed
    except InputError as exc:
        if exc.file and Path(exc.file) == path:
            raise SourceError(exc.detail, file=display, line=exc.line, field=exc.field) from exc
        raise
    except ChipguardError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure must be a clear, named input error
        raise SourceError(f"cannot parse as {fmt.name}: {type(exc).__name__}: {exc}", file=display) from exc


def _parse(fmt: Format, path: Path, display: str) -> ParsedList:
    """Parses with ``fmt``; gzip files are decompressed first (size-limited) so every parser reads
    compressed lists."""
    if not _is_gzip(path):
        return _run_parser(fmt, path, display)
    inner_name = path.name[:-3] if path.name.endswith(".gz") else path.name
    with tempfile.TemporaryDirectory(prefix="chipguard-list-") as tmp:
        plain = Path(tmp) / (inner_name or "list")
        try:
            with gzip.open(path, "rb") as src, plain.open("wb") as dst:
                written = 0
                while chunk := src.read(_CHUNK):
                    written += len(chunk)
                    if written > MAX_FILE_BYTES:
                        raise SourceError(
                            f"decompresses to over the {MAX_FILE_BYTES}-byte limit for list files",
                            file=display,
                        )
                    dst.write(chunk)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise SourceError(f"corrupt or truncated gzip data: {exc}", file=display) from exc
        return _run_parser(fmt, plain, display)


# Immutable snapshots → their parties can be cached per process (keyed by content hash too, so a
# recreated database that reuses an id can never serve another list's records).
_PARTY_CACHE: OrderedDict[tuple[str, int, str], list[Party]] = OrderedDict()
_PARTY_CACHE_SIZE = 8


# ── the store ─────────────────────────────────────────────────────────────────────────────────────


class SnapshotStore:
    """Repository of list snapshots in the chipguard database (SQLite by default, PostgreSQL too)."""

    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else get_engine()
        init_schema(self.engine)

    # loading ------------------------------------------------------------------------------------

    def load_file(
        self,
        path: str | Path,
        format: str | None = None,
        source: str | None = None,
        *,
        file_date: str | None = None,
        source_url: str | None = None,
    ) -> SnapshotInfo:
        """Loads one list file as a new snapshot of its source and makes it active (atomically)."""
        spec = LoadSpec(Path(path), format or None, source or None, file_date, source_url)
        return self.load_files([spec])[0]

    def load_files(self, specs: Sequence[LoadSpec], audit: ListsAudit | None = None) -> list[SnapshotInfo]:
        """Loads several files in one transaction: either every one is in force afterwards or none is.
        With ``audit`` the audit entry is appended in that same transaction (every face passes one).

        Files are hashed and parsed before the transaction opens, so parse errors (SourceError naming
        file, line and field) never touch the database. A CSV file that ends inside an open quote is
        refused. An audited load (every face's) is also refused when a snapshot has fewer records than
        ``min_record_share`` of the source's active one (ListShrinkError) unless ``audit.force_reason``
        says why; an unaudited load (tests, tools replaying history) is not guarded."""
        if not specs:
            raise InputError("no list files given")
        prepared = [self._prepare(spec) for spec in specs]
        seen: dict[str, str] = {}
        for item in prepared:
            name = item.spec.display_name or str(item.spec.path)
            if item.source in seen:
                raise InputError(
                    f"two files for source '{item.source}' ({seen[item.source]} and {name}); "
                    "give each its own --source",
                    file=name,
                )
            seen[item.source] = name

        with Session(self.engine) as session:
            known = {
                item.source
                for item in prepared
                if session.scalars(
                    select(SnapshotRow.id).where(
                        SnapshotRow.source == item.source, SnapshotRow.sha256 == item.sha256
                    )
                ).first()
                is not None
            }

        # Parse only what is new: unchanged and previously-seen content needs no parsing.
        for item in prepared:
            if item.source not in known:
                display = item.spec.display_name or str(item.spec.path)
                item.parsed = _parse(item.fmt, item.spec.path, display)
                if not item.parsed.parties:
                    raise SourceError("no records", file=display)
                if item.spec.members:
                    read = {Path(f).name.lower() for f in item.parsed.files or [str(item.spec.path)]}
                    unread = [m for m in item.spec.members if m.lower() not in read]
                    if unread:
                        raise SourceError(
                            f"the {item.fmt.name} parser did not read {', '.join(unread)} "
                            "(not a file name it recognises); nothing was changed",
                            file=display,
                        )
                item.file_date = (
                    item.spec.file_date
                    or item.parsed.file_date
                    or item.spec.fallback_file_date
                    or date_from_name(item.spec.display_name or item.spec.path.name)
                )
        now = datetime.now(UTC)
        audit = audit or _default_audit("lists.load")
        results: list[SnapshotInfo] = []
        shrunk: list[dict[str, Any]] = []
        seals: list[dict[str, Any]] = []
        # SQLite: take the write lock at BEGIN so the reads below (pointer, existing snapshot) cannot
        # go stale before the writes; PostgreSQL: the pointer row is locked FOR UPDATE.
        writer = self.engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        try:
            with Session(writer) as session, session.begin():
                for item in prepared:
                    results.append(self._store_one(session, item, now, audit, shrunk, seals))
                details = dict(audit.details)
                if shrunk:
                    details["forced"] = {"reason": audit.force_reason, "below_share": shrunk}
                audit.entry = _append_lists_entry(session, self.engine, audit, results, details, seals)
        except SQLAlchemyError as exc:
            raise ChipguardError(
                f"could not store the list snapshot ({type(exc).__name__}: {exc.args[0] if exc.args else exc}); "
                "nothing was changed, the previous snapshots stay in force"
            ) from exc
        return results

    def _prepare(self, spec: LoadSpec) -> _Prepared:
        display = spec.display_name or str(spec.path)
        if not spec.path.exists():
            raise SourceError("file not found", file=display)
        check_size(spec.path)
        if spec.format:
            if spec.format not in FORMATS:
                raise SourceError(
                    f"unknown format '{spec.format}'; known: {', '.join(sorted(FORMATS))}",
                    file=display,
                    field="format",
                )
            fmt = FORMATS[spec.format]
        else:
            try:
                fmt = detect_format(spec.path)
            except InputError as exc:
                raise SourceError(exc.detail, file=display, line=exc.line, field=exc.field) from exc
        source = spec.source or fmt.default_source
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}", source):
            raise InputError(
                f"invalid source name '{source}': use letters, digits, '_', '-', '.'", field="source"
            )
        return _Prepared(spec=spec, fmt=fmt, source=source, sha256=sha256_file(spec.path))

    def _store_one(
        self,
        session: Session,
        item: _Prepared,
        now: datetime,
        audit: ListsAudit,
        shrunk: list[dict[str, Any]],
        seals: list[dict[str, Any]],
    ) -> SnapshotInfo:
        pointer = session.scalars(
            select(ActiveSnapshotRow).where(ActiveSnapshotRow.source == item.source).with_for_update()
        ).first()
        previous = pointer.snapshot_id if pointer is not None else None
        checked = now if item.spec.confirmed_current else None
        row = session.scalars(
            select(SnapshotRow).where(SnapshotRow.source == item.source, SnapshotRow.sha256 == item.sha256)
        ).first()
        if audit.guarded and previous is not None and (row is None or row.id != previous):
            count = row.record_count if row is not None else len(item.parsed.parties if item.parsed else [])
            self._guard_shrink(session, item, previous, count, audit, shrunk)
        if row is not None:
            if pointer is not None and previous == row.id:
                if checked:
                    pointer.checked_at = checked
                    session.flush()
                    seals.append(evidence.seal_object(pointer))
                return _info(row, active=True, status="unchanged", checked_at=pointer.checked_at)
            seals.extend(self._flip(session, pointer, item.source, row.id, previous, now, checked))
            return _info(row, active=True, status="reactivated", previous_id=previous, checked_at=checked)

        parsed = item.parsed
        if parsed is None:  # seen before the transaction, gone now: snapshots are never deleted
            raise ChipguardError(f"snapshot {item.sha256[:12]} of {item.source} vanished during the load")
        row = SnapshotRow(
            source=item.source,
            format=item.fmt.name,
            file_name=item.spec.path.name,
            file_date=item.file_date or "",
            source_url=item.spec.source_url or parsed.source_url or item.fmt.official_url or "",
            sha256=item.sha256,
            record_count=len(parsed.parties),
            loaded_at=now,
            warnings=list(parsed.warnings),
        )
        session.add(row)
        session.flush()
        seals.append(evidence.seal_object(row))
        row_hashes: list[str] = []
        batch: list[dict[str, Any]] = []
        for seq, party in enumerate(parsed.parties):
            data = _plain(party)
            if data["source"] != item.source:
                # A list loaded under another name (a customer deny list, a second CSL) must report the
                # snapshot's source in every hit, or hits could not be traced to the snapshot they came from.
                data["source"] = item.source
            values = {
                "snapshot_id": row.id,
                "seq": seq,
                "party_id": party.party_id[:200],
                "name": party.name,
                "data": data,
            }
            batch.append(values)
            row_hashes.append(evidence.party_row_hash(**values))
            if len(batch) >= _INSERT_BATCH:
                session.execute(insert(SnapshotPartyRow), batch)
                batch = []
        if batch:
            session.execute(insert(SnapshotPartyRow), batch)
        seals.append(evidence.seal_parties(row.id, row_hashes))
        seals.extend(self._flip(session, pointer, item.source, row.id, previous, now, checked))
        return _info(
            row,
            active=True,
            status="replaced" if previous else "loaded",
            previous_id=previous,
            checked_at=checked,
        )

    @staticmethod
    def _guard_shrink(
        session: Session,
        item: _Prepared,
        previous: int,
        count: int,
        audit: ListsAudit,
        shrunk: list[dict[str, Any]],
    ) -> None:
        """Refuses (ListShrinkError) a snapshot with fewer records than the configured share of the
        active one, unless the load is forced with a reason; a forced one is noted for the audit entry."""
        from chipguard.store.snapshot_sources import load_config

        share = load_config().min_record_share
        before = session.get(SnapshotRow, previous)
        if before is None or share <= 0 or count >= share * before.record_count:
            return
        display = item.spec.display_name or str(item.spec.path)
        if not audit.force_reason.strip():
            raise ListShrinkError(
                f"{count} records would replace the {before.record_count} of the active {item.source} "
                f"snapshot ({_info(before).ref}): below {share:.0%} of it, so the file is most likely "
                "truncated or the wrong one; nothing was changed. If the list really shrank, load it "
                "with --force REASON (the reason is audited)",
                file=display,
            )
        shrunk.append(
            {
                "source": item.source,
                "records": count,
                "active_records": before.record_count,
                "active_snapshot": _info(before).ref,
                "min_share": share,
            }
        )

    @staticmethod
    def _flip(
        session: Session,
        pointer: ActiveSnapshotRow | None,
        source: str,
        snapshot_id: int,
        previous: int | None,
        now: datetime,
        checked: datetime | None,
    ) -> list[dict[str, Any]]:
        """Points ``source`` at the snapshot and records the flip; returns the seals of both rows."""
        if pointer is None:
            pointer = ActiveSnapshotRow(
                source=source, snapshot_id=snapshot_id, activated_at=now, checked_at=checked
            )
            session.add(pointer)
        else:
            pointer.snapshot_id = snapshot_id
            pointer.activated_at = now
            pointer.checked_at = checked
        activation = ActivationRow(
            source=source,
            snapshot_id=snapshot_id,
            previous_snapshot_id=previous,
            action="activate",
            at=now,
        )
        session.add(activation)
        session.flush()
        return [evidence.seal_object(pointer), evidence.seal_object(activation)]

    # reading ------------------------------------------------------------------------------------

    @staticmethod
    def _active_ids(session: Session) -> dict[str, int]:
        return {row.source: row.snapshot_id for row in session.scalars(select(ActiveSnapshotRow))}

    def active(self) -> list[SnapshotInfo]:
        """The snapshot in force for each source, sorted by source name."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(SnapshotRow, ActiveSnapshotRow.checked_at)
                .join(ActiveSnapshotRow, ActiveSnapshotRow.snapshot_id == SnapshotRow.id)
                .order_by(SnapshotRow.source)
            )
            return [_info(row, active=True, checked_at=checked) for row, checked in rows]

    def active_parties(self) -> tuple[list[Party], list[SnapshotInfo]]:
        """Every Party of every active snapshot, with the snapshots they came from."""
        infos = self.active()
        return self.parties_of([info.id for info in infos], _infos=infos), infos

    def parties_of(
        self, snapshot_ids: Iterable[int], *, _infos: Sequence[SnapshotInfo] | None = None
    ) -> list[Party]:
        """The Parties of the given snapshots (active or not), in snapshot order then file order."""
        ids = list(snapshot_ids)
        infos = {info.id: info for info in (_infos or [self.get_snapshot(i) for i in ids])}
        out: list[Party] = []
        url = str(self.engine.url)
        for snapshot_id in ids:
            info = infos[snapshot_id]
            key = (url, snapshot_id, info.sha256)
            parties = _PARTY_CACHE.get(key)
            if parties is None:
                with Session(self.engine) as session:
                    data = session.scalars(
                        select(SnapshotPartyRow.data)
                        .where(SnapshotPartyRow.snapshot_id == snapshot_id)
                        .order_by(SnapshotPartyRow.seq)
                    )
                    parties = [Party.from_dict(d) for d in data]
                _PARTY_CACHE[key] = parties
                while len(_PARTY_CACHE) > _PARTY_CACHE_SIZE:
                    _PARTY_CACHE.popitem(last=False)
            else:
                _PARTY_CACHE.move_to_end(key)
            out.extend(parties)
        return out

    def party(self, snapshot_id: int, party_id: str) -> Party | None:
        """One record of a snapshot by its id in the source file (for explaining or replaying a hit)."""
        with Session(self.engine) as session:
            data = session.scalars(
                select(SnapshotPartyRow.data)
                .where(SnapshotPartyRow.snapshot_id == snapshot_id, SnapshotPartyRow.party_id == party_id)
                .order_by(SnapshotPartyRow.seq)
            ).first()
        return Party.from_dict(data) if data is not None else None

    def get_snapshot(self, ref: int | str) -> SnapshotInfo:
        """A snapshot by id, full sha256, sha256 prefix (≥ 6 hex digits) or ``source:prefix``."""
        with Session(self.engine) as session:
            active = set(self._active_ids(session).values())
            text = str(ref).strip()
            query = select(SnapshotRow)
            if isinstance(ref, int) or text.isdigit() and len(text) < 6:
                query = query.where(SnapshotRow.id == int(text))
            else:
                source, _, digest = text.rpartition(":")
                digest = digest.lower()
                if not re.fullmatch(r"[0-9a-f]{6,64}", digest):
                    raise InputError(
                        f"'{text}' is not a snapshot id, sha256 (prefix of 6+ hex digits) or source:hash",
                        field="snapshot",
                    )
                query = query.where(SnapshotRow.sha256.startswith(digest, autoescape=True))
                if source:
                    query = query.where(SnapshotRow.source == source)
            rows = list(session.scalars(query.order_by(SnapshotRow.id).limit(20)))
            if not rows:
                raise InputError(f"no list snapshot '{text}'", field="snapshot")
            if len(rows) > 1:
                refs = ", ".join(_info(r).ref for r in rows)
                raise InputError(
                    f"'{text}' matches several snapshots ({refs}); give source:hash", field="snapshot"
                )
            return _info(rows[0], active=rows[0].id in active)

    def history(self, source: str | None = None) -> list[SnapshotInfo]:
        """Every snapshot kept (of one source, or all), newest first."""
        with Session(self.engine) as session:
            active = set(self._active_ids(session).values())
            query = select(SnapshotRow).order_by(SnapshotRow.loaded_at.desc(), SnapshotRow.id.desc())
            if source:
                query = query.where(SnapshotRow.source == source)
            return [_info(row, active=row.id in active) for row in session.scalars(query)]

    def deactivate(self, source: str, audit: ListsAudit | None = None) -> None:
        """Stops screening against a source; its snapshots stay for replay. The removal is audited in
        the same transaction (``audit``, or the store's default entry)."""
        now = datetime.now(UTC)
        audit = audit or _default_audit("lists.remove")
        writer = self.engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        with Session(writer) as session, session.begin():
            pointer = session.get(ActiveSnapshotRow, source)
            if pointer is None:
                raise InputError(f"no active list for source '{source}'", field="source")
            removed = session.get(SnapshotRow, pointer.snapshot_id)
            activation = ActivationRow(
                source=source,
                snapshot_id=None,
                previous_snapshot_id=pointer.snapshot_id,
                action="deactivate",
                at=now,
            )
            session.add(activation)
            session.delete(pointer)
            session.flush()
            seals = [evidence.seal_object(activation), evidence.deleted("list_active", [source])]
            infos = [_info(removed, status="removed")] if removed is not None else []
            audit.entry = _append_lists_entry(
                session, self.engine, audit, infos, {"source": source, **audit.details}, seals
            )

    # freshness ----------------------------------------------------------------------------------

    def freshness(self, now: datetime | None = None) -> list[SourceStatus]:
        """Age and stale flag of every active source (see the module docstring for the rule)."""
        from chipguard.store.snapshot_sources import load_config, max_age_days

        now = _aware(now) if now else datetime.now(UTC)
        cfg = load_config()
        out = []
        for info in self.active():
            stated = parse_list_date(info.file_date)
            as_of, basis = (stated, "file_date") if stated else (info.loaded_at, "loaded_at")
            if info.checked_at and info.checked_at >= as_of:
                as_of, basis = info.checked_at, "official_download"
            age = (now - as_of).total_seconds() / 86400
            limit = max_age_days(info.source, cfg)
            out.append(
                SourceStatus(
                    source=info.source,
                    snapshot=info,
                    as_of=as_of,
                    basis=basis,
                    age_days=age,
                    max_age_days=limit,
                    stale=age > limit,
                )
            )
        return out

    def stale_sources(self, now: datetime | None = None) -> list[str]:
        return [status.source for status in self.freshness(now) if status.stale]


def lists_payload(infos: Iterable[Any], details: dict[str, Any], lists: dict[str, str]) -> dict[str, Any]:
    """The audit payload of a list change: which snapshots (ref, sha256, status, records), the details
    of the change, and the versions in force afterwards (engine, list hashes, rule set)."""
    from chipguard import ENGINE_VERSION
    from chipguard.store.context import rule_set_version

    snapshots = [
        {
            "ref": getattr(i, "ref", ""),
            "source": getattr(i, "source", ""),
            "sha256": getattr(i, "sha256", ""),
            "status": getattr(i, "status", ""),
            "file_name": getattr(i, "file_name", ""),
            "record_count": getattr(i, "record_count", None),
        }
        for i in infos
    ]
    versions = {"engine": ENGINE_VERSION, "lists": lists, "rule_set": rule_set_version()}
    return {"snapshots": snapshots, **details, "versions": versions}


def _append_lists_entry(
    session: Session,
    engine: Engine,
    audit: ListsAudit,
    infos: Sequence[SnapshotInfo],
    details: dict[str, Any],
    seals: list[dict[str, Any]],
) -> Any:
    """Appends the list change's audit entry, with the seals of every row it wrote, inside the change's
    own transaction."""
    from chipguard.audit import AuditLog

    active = {
        source: sha
        for source, sha in session.execute(
            select(SnapshotRow.source, SnapshotRow.sha256).join(
                ActiveSnapshotRow, ActiveSnapshotRow.snapshot_id == SnapshotRow.id
            )
        )
    }
    payload = lists_payload(infos, details, dict(sorted(active.items()))) | {"evidence": seals}
    return AuditLog(engine).append(session, audit.actor, audit.action, payload)


def require_lists(store: SnapshotStore | None = None, *, fresh: bool = False) -> list[SnapshotInfo]:
    """The active snapshots, or ListsUnavailableError: screening must never run against no list (fail
    closed). With ``fresh=True`` stale lists are refused too (for callers that would otherwise ALLOW)."""
    store = store or SnapshotStore()
    active = store.active()
    if not active:
        raise ListsUnavailableError(NO_LISTS_MESSAGE)
    if fresh:
        stale = [s for s in store.freshness() if s.stale]
        if stale:
            detail = ", ".join(
                f"{s.source} ({s.age_days:.0f} days old, max {s.max_age_days:g})" for s in stale
            )
            raise ListsUnavailableError(
                f"restricted-party lists are stale: {detail}; run `chipguard lists update` "
                "(or `chipguard lists load FILE…` with current files)"
            )
    return active
