"""Re-screening stored customers when the lists change.

Given the previously screened list snapshots and the active ones, ``diff_parties`` finds the parties
added, removed and changed (by source + party_id), and ``rescreen`` reports every customer whose hits
changed — a new hit (the customer, one of its other names, an owner or its ultimate parent now matches a
listed party) or a hit gone (delisted, or the record changed so it no longer matches). Each run appends
one ``monitor.rescreen`` audit entry; the next run, by default, starts from the snapshots that entry names,
so no list change is ever skipped between runs.

Two paths, one answer:
- incremental (small diff): customers are screened only against the changed parties, at the screening
  threshold minus a margin, to find candidates; each candidate is then confirmed at the threshold against
  the full old and new lists (built only if there is a candidate). Token rarity in a small index differs
  from the full list's, hence the margin and the confirmation.
- full (large diff, no baseline, or ``full=True``): every customer against the full old and new lists.

Why: a customer onboarded clean last month may be Entity-Listed today (the Inspur subsidiaries, March
2025); screening only at onboarding is "self-blinding" (May 13 2025 BIS guidance, REGULATIONS.md §3).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from chipguard.audit import AuditLog, canonical_json
from chipguard.datafiles import load_yaml
from chipguard.errors import InputError
from chipguard.match.evidence import subject_evidence
from chipguard.match.screener import Screener, Screening
from chipguard.model import Customer, Hit, Party, ScreeningSubject
from chipguard.monitor.config import monitor_dir
from chipguard.names.data import default_threshold
from chipguard.store.customers import CustomerStore
from chipguard.store.records import AuditEntryRow
from chipguard.store.snapshots import ActivationRow, SnapshotInfo, SnapshotStore

AUDIT_ACTION = "monitor.rescreen"
PartyKey = tuple[str, str]  # (source, party_id)
DETAIL_LIMIT = 1000  # parties per category listed in a report; above it, counts only


@dataclass(frozen=True, slots=True)
class RescreenConfig:
    incremental_max_parties: int
    incremental_max_share: float
    candidate_margin: float
    hit_limit: int


@cache
def rescreen_config() -> RescreenConfig:
    path = monitor_dir() / "estimation.yml"
    raw = (load_yaml(path.read_text(encoding="utf-8")) or {}).get("rescreen") or {}
    try:
        return RescreenConfig(
            incremental_max_parties=int(raw.get("incremental_max_parties", 2000)),
            incremental_max_share=float(raw.get("incremental_max_share", 0.1)),
            candidate_margin=float(raw.get("candidate_margin", 0.1)),
            hit_limit=int(raw.get("hit_limit", 200)),
        )
    except (TypeError, ValueError) as exc:
        raise InputError(f"bad rescreen settings: {exc}", file=str(path), field="rescreen") from None


# ── list diff ────────────────────────────────────────────────────────────────────────────────────


def _key(party: Party) -> PartyKey:
    return (party.source, party.party_id)


def _group(parties: Iterable[Party]) -> dict[PartyKey, list[Party]]:
    out: dict[PartyKey, list[Party]] = defaultdict(list)
    for p in parties:
        out[_key(p)].append(p)
    return out


def _content(parties: Sequence[Party]) -> str:
    return canonical_json(sorted((p.to_dict() for p in parties), key=canonical_json))


def _changed_fields(old: Sequence[Party], new: Sequence[Party]) -> list[str]:
    if len(old) != 1 or len(new) != 1:
        return ["records"]
    a, b = old[0].to_dict(), new[0].to_dict()
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


@dataclass(slots=True)
class ListDiff:
    """Parties added, removed and changed between two sets of snapshots, keyed by source + party_id
    (a key repeated inside one file, as the real CSL does, is compared as the group of its records)."""

    added: list[Party] = field(default_factory=list)
    removed: list[Party] = field(default_factory=list)
    changed_old: list[Party] = field(default_factory=list)
    changed_new: list[Party] = field(default_factory=list)
    changed: dict[PartyKey, list[str]] = field(default_factory=dict)  # key → changed fields
    old_count: int = 0
    new_count: int = 0

    @property
    def keys(self) -> set[PartyKey]:
        return {_key(p) for p in (*self.added, *self.removed)} | set(self.changed)

    @property
    def size(self) -> int:
        return len(self.keys)

    def to_dict(self, detail: bool = True) -> dict[str, Any]:
        def brief(p: Party) -> dict[str, Any]:
            return {"source": p.source, "party_id": p.party_id, "name": p.name, "list_name": p.list_name}

        out: dict[str, Any] = {
            "old_parties": self.old_count,
            "new_parties": self.new_count,
            "added": len({_key(p) for p in self.added}),
            "removed": len({_key(p) for p in self.removed}),
            "changed": len(self.changed),
        }
        if detail:
            new_by_key = {_key(p): p for p in self.changed_new}
            parts = {
                "added": [brief(p) for p in self.added],
                "removed": [brief(p) for p in self.removed],
                "changed": [
                    {**brief(new_by_key[k]), "fields": fields}
                    for k, fields in sorted(self.changed.items())
                    if k in new_by_key
                ],
            }
            # a first run or a new source lists thousands of parties: name them only when a reader can
            out["parties"] = {k: v if len(v) <= DETAIL_LIMIT else None for k, v in parts.items()}
        return out


def diff_parties(old: Sequence[Party], new: Sequence[Party]) -> ListDiff:
    """What changed from ``old`` to ``new`` (both: parties of one or more snapshots)."""
    a, b = _group(old), _group(new)
    diff = ListDiff(old_count=len(old), new_count=len(new))
    for key, parties in b.items():
        if key not in a:
            diff.added.extend(parties)
        elif a[key] != parties and _content(a[key]) != _content(parties):  # dataclass == first: fast
            diff.changed_old.extend(a[key])
            diff.changed_new.extend(parties)
            diff.changed[key] = _changed_fields(a[key], parties)
    for key, parties in a.items():
        if key not in b:
            diff.removed.extend(parties)
    return diff


# ── screening targets and hits ───────────────────────────────────────────────────────────────────


def targets(customer: Mapping[str, Any]) -> list[ScreeningSubject]:
    """The names of a stored customer (``Customer.to_dict()``) screened on every list change: the same
    subjects a decision screens (``Customer.screening_subjects``)."""
    return Customer.from_dict(dict(customer)).screening_subjects()


HitKey = tuple[str, str, str, str]  # role, screened name, source, party_id


def _screen(
    screener: Screener, target: ScreeningSubject, limit: int, threshold: float | None = None
) -> Screening:
    return screener.screening(
        target.name,
        kind=target.kind,
        country=target.country,
        limit=limit,
        threshold=threshold,
        evidence=subject_evidence(target),
    )


# One screened name whose hits went past the limit: customer_id, role, screened_name, lists ("old" or
# "new"), omitted (how many), limit. A hit past the limit is compared with nothing: it can neither
# appear nor go, so a re-screen that cut says so rather than reporting "no change".
Omitted = dict[str, Any]


def _hits(
    screener: Screener | None,
    tgts: Sequence[ScreeningSubject],
    limit: int,
    only: set[PartyKey] | None = None,
    *,
    customer_id: str = "",
    lists: str = "",
    omitted: list[Omitted] | None = None,
) -> dict[HitKey, Hit]:
    """The hits of a customer's subjects (of the parties ``only`` names, when given), at most ``limit``
    per subject; each subject whose hits went past it is appended to ``omitted``."""
    out: dict[HitKey, Hit] = {}
    if screener is None:
        return out
    for t in tgts:
        found = _screen(screener, t, limit)
        if found.omitted and omitted is not None:
            omitted.append(
                {
                    "customer_id": customer_id,
                    "role": str(t.role),
                    "screened_name": t.name,
                    "lists": lists,
                    "omitted": found.omitted,
                    "limit": found.limit,
                }
            )
        for h in found.hits:
            if only is None or (h.source, h.party_id) in only:
                out[(t.role, t.name, h.source, h.party_id)] = h
    return out


def _hit_dict(key: HitKey, hit: Hit) -> dict[str, Any]:
    return {
        "role": key[0],
        "screened_name": key[1],
        "source": hit.source,
        "party_id": hit.party_id,
        "name": hit.name,
        "matched_name": hit.matched_name,
        "list_name": hit.list_name,
        "score": hit.score,
        "strength": hit.strength,
    }


@dataclass(slots=True)
class CustomerChange:
    customer_id: str
    name: str
    new: list[dict[str, Any]]
    gone: list[dict[str, Any]]
    record_changed: list[dict[str, Any]]  # still a hit, but the listed record changed
    # the subject and full hit (explanation, list record) behind each new and record-changed hit, in
    # that order: what the service raises alerts from, so it need not screen the customer again
    alerting: list[tuple[ScreeningSubject, Hit]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "name": self.name,
            "new_hits": self.new,
            "gone_hits": self.gone,
            "record_changed": self.record_changed,
        }


@dataclass(slots=True)
class RescreenReport:
    mode: str  # incremental | full | unchanged
    baseline: dict[str, str | None]  # source → snapshot ref screened last time (None: never)
    snapshots: dict[str, str]  # source → active snapshot ref
    snapshot_ids: dict[str, int]
    diff: ListDiff
    customers_screened: int
    candidates: int
    changes: list[CustomerChange]
    audit_seq: int | None = None
    # every screened name whose hits went past the re-screen's hit limit (see ``Omitted``)
    omitted: list[Omitted] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "baseline": self.baseline,
            "snapshots": self.snapshots,
            "diff": self.diff.to_dict(),
            "customers_screened": self.customers_screened,
            "candidates": self.candidates,
            "changed_customers": [c.to_dict() for c in self.changes],
            "omitted": self.omitted,
            "audit_seq": self.audit_seq,
        }


def _compare(
    customer: Mapping[str, Any],
    subjects: Sequence[ScreeningSubject],
    old: dict[HitKey, Hit],
    new: dict[HitKey, Hit],
    diff: ListDiff,
) -> CustomerChange | None:
    added = sorted(set(new) - set(old))
    gone = sorted(set(old) - set(new))
    persisted = sorted(k for k in set(new) & set(old) if (k[2], k[3]) in diff.changed)
    if not (added or gone or persisted):
        return None
    by_key: dict[tuple[str, str], ScreeningSubject] = {(str(s.role), s.name): s for s in subjects}
    return CustomerChange(
        customer_id=str(customer.get("customer_id") or ""),
        name=str(customer.get("name") or ""),
        new=[_hit_dict(k, new[k]) for k in added],
        gone=[_hit_dict(k, old[k]) for k in gone],
        record_changed=[{**_hit_dict(k, new[k]), "fields": diff.changed[(k[2], k[3])]} for k in persisted],
        alerting=[(by_key[(k[0], k[1])], new[k]) for k in added + persisted],
    )


ScreenerFactory = Callable[[Sequence[Party]], Screener]


def rescreen_customers(
    customers: Iterable[Mapping[str, Any]],
    old_parties: Sequence[Party] | None,
    new_parties: Sequence[Party],
    *,
    full: bool = False,
    threshold: float | None = None,
    factory: ScreenerFactory | None = None,
    new_screener: Screener | None = None,
    omitted: list[Omitted] | None = None,
) -> tuple[str, ListDiff, int, int, list[CustomerChange]]:
    """Compares every customer's hits against ``old_parties`` (None: never screened) and ``new_parties``.

    Returns (mode, diff, customers screened, candidates, changes). ``factory`` builds a Screener from
    parties (tests and the service may cache); both paths give the same answer. ``new_screener``, when
    given, is a screener already built over ``new_parties`` at the default threshold (the service's
    active screener): it is used instead of building the new lists' index again. Each screened name
    whose hits went past the configured ``hit_limit`` is appended to ``omitted`` (see ``Omitted``).
    """
    cfg = rescreen_config()

    def build(parties: Sequence[Party], cut: float | None = threshold) -> Screener:
        reusable = new_screener is not None and new_screener.threshold == default_threshold()
        if reusable and parties is new_parties and cut is None:
            return cast(Screener, new_screener)
        return (
            factory(parties)
            if factory is not None and cut == threshold
            else Screener(list(parties), threshold=cut)
        )

    diff = diff_parties(old_parties or [], new_parties)
    people = list(customers)
    limit = cfg.hit_limit
    if old_parties is not None and diff.size == 0:
        return "unchanged", diff, 0, 0, []
    small = diff.size <= cfg.incremental_max_parties and diff.size <= cfg.incremental_max_share * max(
        len(new_parties), 1
    )
    changes: list[CustomerChange] = []
    if full or old_parties is None or not small:
        old_s = build(old_parties) if old_parties else None
        new_s = build(new_parties) if new_parties else None
        for c in people:
            tgts = targets(c)
            cid = str(c.get("customer_id") or "")
            old_hits = _hits(old_s, tgts, limit, customer_id=cid, lists="old", omitted=omitted)
            new_hits = _hits(new_s, tgts, limit, customer_id=cid, lists="new", omitted=omitted)
            change = _compare(c, tgts, old_hits, new_hits, diff)
            if change:
                changes.append(change)
        return "full", diff, len(people), len(people), changes
    probe_threshold = (threshold if threshold is not None else default_threshold()) - cfg.candidate_margin
    side_new = (
        Screener(diff.added + diff.changed_new, threshold=probe_threshold)
        if diff.added or diff.changed_new
        else None
    )
    side_old = (
        Screener(diff.removed + diff.changed_old, threshold=probe_threshold)
        if diff.removed or diff.changed_old
        else None
    )
    # Per customer, which side can have changed: hits on added/changed parties can only appear in the
    # new lists, hits on removed/changed ones only in the old. A full list is built only for a side some
    # customer is a candidate on (additions alone never need the old lists).
    candidates: list[tuple[Mapping[str, Any], list[ScreeningSubject], bool, bool]] = []
    for c in people:
        tgts = targets(c)
        # a candidate has any hit at the probe threshold: one is enough to know
        on_new = side_new is not None and any(_screen(side_new, t, 1).hits for t in tgts)
        on_old = side_old is not None and any(_screen(side_old, t, 1).hits for t in tgts)
        if on_new or on_old:
            candidates.append((c, tgts, on_new, on_old))
    full_old: Screener | None = None
    full_new: Screener | None = None
    keys = diff.keys
    for c, tgts, on_new, on_old in candidates:
        if on_old and full_old is None and old_parties:
            full_old = build(old_parties)
        if on_new and full_new is None and new_parties:
            full_new = build(new_parties)
        cid = str(c.get("customer_id") or "")
        old_hits = (
            _hits(full_old, tgts, limit, keys, customer_id=cid, lists="old", omitted=omitted)
            if on_old
            else {}
        )
        new_hits = (
            _hits(full_new, tgts, limit, keys, customer_id=cid, lists="new", omitted=omitted)
            if on_new
            else {}
        )
        change = _compare(c, tgts, old_hits, new_hits, diff)
        if change:
            changes.append(change)
    return "incremental", diff, len(people), len(candidates), changes


# ── the stored-customer run ──────────────────────────────────────────────────────────────────────


def iter_customers(store: CustomerStore, page: int = 500) -> Iterator[dict[str, Any]]:
    """Every stored customer's current record (``Customer.to_dict()`` form)."""
    offset = 0
    while True:
        batch = store.find(limit=page, offset=offset)
        for rec in batch:
            data = dict(rec.data)
            data["customer_id"] = rec.customer_id
            yield data
        if len(batch) < page:
            return
        offset += page


def past_versions(store: CustomerStore, customer_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """customer_id → every earlier version of its record (the current one excluded), oldest first."""
    out: dict[str, list[dict[str, Any]]] = {}
    for cid in customer_ids:
        versions = store.history(cid)
        if len(versions) > 1:
            out[cid] = [v.data for v in versions[:-1]]
    return out


def last_rescreened(engine: Engine) -> dict[str, int] | None:
    """The snapshot ids the last ``monitor.rescreen`` run screened against (source → id), or None."""
    with Session(engine) as session:
        payload = session.scalars(
            select(AuditEntryRow.payload)
            .where(AuditEntryRow.action == AUDIT_ACTION)
            .order_by(AuditEntryRow.seq.desc())
            .limit(1)
        ).first()
    if payload is None:
        return None
    return {str(k): int(v) for k, v in (json.loads(payload).get("snapshot_ids") or {}).items()}


def previous_active(engine: Engine, source: str, snapshot_id: int) -> int | None:
    """The snapshot that was in force for ``source`` before ``snapshot_id`` was activated."""
    with Session(engine) as session:
        return session.scalars(
            select(ActivationRow.previous_snapshot_id)
            .where(ActivationRow.source == source, ActivationRow.snapshot_id == snapshot_id)
            .order_by(ActivationRow.id.desc())
            .limit(1)
        ).first()


def baselines(
    snapshots: SnapshotStore, active: Sequence[SnapshotInfo], since: str | None = None
) -> dict[str, int | None]:
    """source → the snapshot to compare against. ``since`` (a snapshot ref) sets it for that snapshot's
    source; otherwise the last re-screen's snapshot, else the one the active snapshot replaced."""
    engine = snapshots.engine
    last = last_rescreened(engine) or {}
    out: dict[str, int | None] = {}
    for info in active:
        out[info.source] = (
            last[info.source] if info.source in last else previous_active(engine, info.source, info.id)
        )
    for source, sid in last.items():  # sources screened last time and deactivated since: all removed
        out.setdefault(source, sid)
    if since:
        ref = snapshots.get_snapshot(since)
        out[ref.source] = ref.id
    return out


def run_rescreen(
    snapshots: SnapshotStore,
    customers: CustomerStore,
    audit: AuditLog,
    *,
    since: str | None = None,
    full: bool = False,
    actor: str = "monitor",
    factory: ScreenerFactory | None = None,
    active_screener: Screener | None = None,
) -> RescreenReport:
    """Re-screens every stored customer against the active lists, reports changed hits against the
    baseline snapshots (see ``baselines``) and appends one audit entry naming both sets of snapshots.
    ``active_screener`` (the service's screener of the active lists) spares building their index again,
    used only when it was built from exactly the active snapshots."""
    active = snapshots.active()
    base = baselines(snapshots, active, since)
    new_parties = snapshots.parties_of([i.id for i in active], _infos=active) if active else []
    # never screened before: every hit is new. A source without a baseline among others that have one
    # contributes all its parties as added.
    old_ids = [sid for sid in base.values() if sid is not None]
    old_parties: list[Party] | None = snapshots.parties_of(old_ids) if old_ids else None
    built_from = (
        sorted(int(getattr(i, "id", -1)) for i in active_screener.snapshots) if active_screener else None
    )
    reuse = active_screener if built_from == sorted(i.id for i in active) else None
    omitted: list[Omitted] = []
    mode, diff, screened, candidates, changes = rescreen_customers(
        iter_customers(customers),
        old_parties,
        new_parties,
        full=full,
        factory=factory,
        new_screener=reuse,
        omitted=omitted,
    )
    base_refs = {
        s: (snapshots.get_snapshot(i).ref if i is not None else None) for s, i in sorted(base.items())
    }
    report = RescreenReport(
        mode=mode,
        baseline=base_refs,
        snapshots={i.source: i.ref for i in active},
        snapshot_ids={i.source: i.id for i in active},
        diff=diff,
        customers_screened=screened,
        candidates=candidates,
        changes=changes,
        omitted=omitted,
    )
    entry = audit.record(
        actor,
        AUDIT_ACTION,
        {
            "mode": mode,
            "baseline": base_refs,
            "snapshots": report.snapshots,
            "snapshot_ids": report.snapshot_ids,
            "diff": diff.to_dict(detail=False),
            "customers_screened": screened,
            "candidates": candidates,
            "changed_customers": [
                {
                    "customer_id": c.customer_id,
                    "new_hits": [(h["role"], h["source"], h["party_id"]) for h in c.new],
                    "gone_hits": [(h["role"], h["source"], h["party_id"]) for h in c.gone],
                    "record_changed": [(h["role"], h["source"], h["party_id"]) for h in c.record_changed],
                }
                for c in changes
            ],
            "omitted": omitted,
        },
    )
    report.audit_seq = entry.seq
    return report
