"""Row seals: every evidence row's full content on the audit chain, and the check that recomputes them.

Why: the hash chain proves that the *audit entries* were not altered, but an examiner relies on the
tables too — a decision's outcome, a customer's data, an API key's role, a list snapshot's records, the
pointer saying which list was in force. Each write that creates or changes such a row now puts the row's
*seal* into the audit entry it appends in the same transaction: the SHA-256 of the canonical JSON of
every column (``sha256``) and a short hash per column (``columns``), so that :func:`check_evidence` can
recompute every row from the tables and name the first table, row and column that disagree, a row no
entry accounts for (inserted outside chipguard), and a sealed row that is gone. List-snapshot parties
are sealed per snapshot: one digest over all rows plus a short hash per row, in file order.

``audit_seq`` columns are not sealed (the entry's number is not known before the entry is written);
instead the check requires them to equal the number of the entry that sealed the row.

Seal format in an entry's payload (``payload["evidence"]``)::

    {"table": "decisions", "key": ["dec_…"], "sha256": "…", "columns": {"outcome": "<16 hex>", …}}
    {"table": "list_active", "key": ["us_csl"], "deleted": true}
    {"table": "list_snapshot_parties", "key": [7], "rows": 115, "sha256": "…", "row_sha256": ["<16 hex>", …]}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, select
from sqlalchemy.orm import Session

from chipguard.store.db import Base, import_all_tables

# The tables whose every row is evidence, in the order the check reports them. Parties are sealed per
# snapshot (see PARTIES). Content-addressed archives (rule sets, reference files) carry their own hash.
SEALED_TABLES: tuple[str, ...] = (
    "decisions",
    "customers",
    "customer_versions",
    "api_keys",
    "list_snapshots",
    "list_active",
    "list_activations",
    "alerts",
    "alert_events",
    "alert_attachments",
    "cleared_hits",
)
PARTIES = "list_snapshot_parties"
UNSEALED_COLUMNS = frozenset({"audit_seq"})
SHORT = 16  # hex digits of a column's or party row's hash: 64 bits, enough to name what changed


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def normalise(value: Any) -> Any:
    """A column value as both backends read it back: times as UTC ISO text (SQLite hands back naive
    datetimes, PostgreSQL aware ones), everything else as JSON holds it."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    return value


def table(name: str) -> Table:
    import_all_tables()
    return Base.metadata.tables[name]


def _columns(name: str) -> list[str]:
    return [c.name for c in table(name).columns if c.name not in UNSEALED_COLUMNS]


def _key_columns(name: str) -> list[str]:
    return [c.name for c in table(name).primary_key.columns]


def seal(name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The seal of one row of table ``name`` from its column values (by column name)."""
    row = {c: normalise(values.get(c)) for c in _columns(name)}
    return {
        "table": name,
        "key": [row[k] for k in _key_columns(name)],
        "sha256": _sha(_canonical({"table": name, "row": row})),
        "columns": {c: _sha(_canonical(v))[:SHORT] for c, v in row.items()},
    }


def seal_object(obj: Any) -> dict[str, Any]:
    """The seal of an ORM row object (flushed, so generated keys are set)."""
    name = obj.__table__.name
    return seal(name, {c.name: getattr(obj, c.key) for c in obj.__table__.columns})


def deleted(name: str, key: Iterable[Any]) -> dict[str, Any]:
    return {"table": name, "key": list(key), "deleted": True}


def party_row_hash(snapshot_id: int, seq: int, party_id: str, name: str, data: Any) -> str:
    row = {"snapshot_id": snapshot_id, "seq": seq, "party_id": party_id, "name": name, "data": data}
    return _sha(_canonical(row))[:SHORT]


def seal_parties(snapshot_id: int, row_hashes: list[str]) -> dict[str, Any]:
    return {
        "table": PARTIES,
        "key": [snapshot_id],
        "rows": len(row_hashes),
        "sha256": _sha("\n".join(row_hashes)),
        "row_sha256": row_hashes,
    }


# ── the check ─────────────────────────────────────────────────────────────────────────────────────


def _expected(entries: Iterable[Any]) -> dict[tuple[str, tuple[Any, ...]], tuple[dict[str, Any], int]]:
    """(table, key) → (latest seal, entry seq), from every entry's ``evidence`` in chain order."""
    out: dict[tuple[str, tuple[Any, ...]], tuple[dict[str, Any], int]] = {}
    for entry in entries:
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        for item in payload.get("evidence") or ():
            if isinstance(item, dict) and "table" in item and "key" in item:
                out[(str(item["table"]), tuple(item["key"]))] = (item, entry.seq)
    return out


def _rows(session: Session, name: str) -> Iterator[dict[str, Any]]:
    t = table(name)
    order = list(t.primary_key.columns)
    for row in session.execute(select(t).order_by(*order)).mappings():
        yield dict(row)


def check_evidence(engine: Engine, entries: Iterable[Any]) -> list[tuple[str, str]]:
    """(record, problem) for every evidence row that disagrees with the seal its latest audit entry
    recorded: a changed column (named), a row no entry sealed (forged), a sealed row that is missing
    (deleted), an ``audit_seq`` pointing elsewhere, party rows edited, reordered, added or removed."""
    expected = _expected(entries)
    problems: list[tuple[str, str]] = []
    with Session(engine) as session:
        for name in SEALED_TABLES:
            has_seq = "audit_seq" in table(name).columns
            for values in _rows(session, name):
                got = seal(name, values)
                key = tuple(got["key"])
                record = f"{name}[{', '.join(str(k) for k in key)}]"
                found = expected.pop((name, key), None)
                if found is None or found[0].get("deleted"):
                    problems.append(
                        (record, "no audit entry sealed this row: it was inserted outside chipguard")
                    )
                    continue
                sealed, seq = found
                if got["sha256"] != sealed.get("sha256"):
                    recorded = sealed.get("columns") or {}
                    changed = [c for c, h in got["columns"].items() if recorded.get(c) != h]
                    what = f"column {changed[0]}" if changed else "its content"
                    problems.append(
                        (
                            record,
                            f"{what} differs from what audit entry {seq} recorded: edited after the fact",
                        )
                    )
                if has_seq and values.get("audit_seq") != seq:
                    problems.append(
                        (record, f"column audit_seq is {values.get('audit_seq')}, but entry {seq} sealed it")
                    )
        for (name, key), (sealed, seq) in expected.items():
            if name in SEALED_TABLES and not sealed.get("deleted"):
                record = f"{name}[{', '.join(str(k) for k in key)}]"
                problems.append((record, f"sealed by audit entry {seq} but missing: deleted"))
        problems.extend(_check_parties(session, expected))
    return problems


def _check_parties(
    session: Session, expected: dict[tuple[str, tuple[Any, ...]], tuple[dict[str, Any], int]]
) -> list[tuple[str, str]]:
    t = table(PARTIES)
    problems: list[tuple[str, str]] = []
    sealed_ids = {key[0] for (name, key) in expected if name == PARTIES}
    current: int | None = None
    hashes: list[tuple[int, str, str]] = []  # (seq, party_id, hash)

    def finish(snapshot_id: int, rows: list[tuple[int, str, str]]) -> None:
        record = f"{PARTIES}[snapshot {snapshot_id}]"
        found = expected.get((PARTIES, (snapshot_id,)))
        if found is None:
            problems.append((record, "no audit entry sealed these rows: inserted outside chipguard"))
            return
        sealed, seq = found
        recorded = list(sealed.get("row_sha256") or [])
        for i, (row_seq, party_id, got) in enumerate(rows):
            if i >= len(recorded):
                problems.append(
                    (
                        f"{PARTIES}[{snapshot_id}, {row_seq}]",
                        f"row {party_id!r} beyond the {len(recorded)} rows entry {seq} sealed: inserted",
                    )
                )
                return
            if row_seq != i or got != recorded[i]:
                problems.append(
                    (
                        f"{PARTIES}[{snapshot_id}, {row_seq}]",
                        f"row {party_id!r} differs from row {i} sealed by "
                        f"entry {seq}: edited, reordered or a row before it removed",
                    )
                )
                return
        if len(rows) < len(recorded):
            problems.append(
                (
                    record,
                    f"{len(recorded) - len(rows)} of the {len(recorded)} rows sealed by entry "
                    f"{seq} are missing: deleted",
                )
            )

    for row in session.execute(select(t).order_by(t.c.snapshot_id, t.c.seq)).mappings():
        if row["snapshot_id"] != current:
            if current is not None:
                finish(current, hashes)
                sealed_ids.discard(current)
            current, hashes = row["snapshot_id"], []
        hashes.append(
            (
                row["seq"],
                row["party_id"],
                party_row_hash(row["snapshot_id"], row["seq"], row["party_id"], row["name"], row["data"]),
            )
        )
    if current is not None:
        finish(current, hashes)
        sealed_ids.discard(current)
    for snapshot_id in sorted(sealed_ids):
        _sealed, seq = expected[(PARTIES, (snapshot_id,))]
        problems.append(
            (f"{PARTIES}[snapshot {snapshot_id}]", f"every row sealed by entry {seq} is missing: deleted")
        )
    return problems


# ── the guards ────────────────────────────────────────────────────────────────────────────────────

# Tables the database itself keeps append-only (revisions 0002, 0004, 0005, 0006, 0007) and those it
# keeps from being deleted or changed other than chipguard's way (0007).
APPEND_ONLY_TABLES: tuple[str, ...] = (
    "audit_log",
    "decisions",
    "customer_versions",
    "rule_set_archive",
    "reference_files",
    "list_snapshots",
    "list_snapshot_parties",
    "list_activations",
    "alert_events",
    "alert_attachments",
)
GUARDED_TABLES: tuple[str, ...] = ("customers", "api_keys")


def expected_triggers(dialect: str) -> list[str]:
    """The trigger names the migrations create on this backend (see chipguard.store.append_only)."""
    if dialect == "postgresql":
        names = [f"{t}_{s}" for t in APPEND_ONLY_TABLES for s in ("append_only", "no_truncate")]
        names += ["audit_head_no_delete", "audit_head_no_truncate"]
        names += [f"{t}_{s}" for t in GUARDED_TABLES for s in ("no_delete", "no_truncate", "guard_update")]
        return names
    names = [f"{t}_{s}" for t in APPEND_ONLY_TABLES for s in ("no_update", "no_delete", "no_replace")]
    names += ["audit_head_no_delete"]
    names += [f"{t}_{s}" for t in GUARDED_TABLES for s in ("no_delete", "guard_update")]
    return names


def check_triggers(engine: Engine) -> list[tuple[str, str]]:
    """(trigger, problem) for every guard trigger that was dropped or disabled: someone with schema
    rights removed what stops edits (the seals still show what was edited)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        dialect = conn.dialect.name
        if dialect == "postgresql":
            live = set(
                conn.execute(
                    text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")
                )
                .scalars()
                .all()
            )
        else:
            live = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
            )
    return [
        (f"trigger {name}", "is missing or disabled: the table it guards can be changed in place")
        for name in expected_triggers(dialect)
        if name not in live
    ]


def unsealed(engine: Engine, entries: Iterable[Any]) -> list[dict[str, Any]]:
    """The seals of every evidence row no audit entry has sealed yet: the rows of a database written
    before row seals existed (revision 0007), for a one-time ``evidence.baseline`` entry. Rows that *are*
    sealed are never re-sealed, so a baseline cannot hide an edit of one."""
    expected = _expected(entries)
    out: list[dict[str, Any]] = []
    with Session(engine) as session:
        for name in SEALED_TABLES:
            for values in _rows(session, name):
                got = seal(name, values)
                if (name, tuple(got["key"])) not in expected:
                    out.append(got)
        t = table(PARTIES)
        sealed_ids = {key[0] for (name, key) in expected if name == PARTIES}
        current: int | None = None
        hashes: list[str] = []
        for row in session.execute(select(t).order_by(t.c.snapshot_id, t.c.seq)).mappings():
            if row["snapshot_id"] != current:
                if current is not None and current not in sealed_ids:
                    out.append(seal_parties(current, hashes))
                current, hashes = row["snapshot_id"], []
            hashes.append(
                party_row_hash(row["snapshot_id"], row["seq"], row["party_id"], row["name"], row["data"])
            )
        if current is not None and current not in sealed_ids:
            out.append(seal_parties(current, hashes))
    return out
