"""The batch screening model: one subject (an input row or a stored customer) → one output record.

This is the only place a batch output record is made. The local engine calls it in a loop, the Spark
engine calls it inside ``mapPartitions`` on each executor; both hand it the same Screener (the same
index) and the same :class:`BatchContext`, so both produce the same records — the Splink idea of "one model,
several back ends". Records are flat (one column per field, the hits as a JSON string) so they fit a
Parquet schema as well as a JSON line.

A record carries what an audit needs to stand on its own: the snapshot refs, ids and sha256 of the lists
screened against, the threshold and the engine version; and the flags a decision reads: whether anything
hit, the list codes of the hits (the rule set's ``list_codes`` table: SDN, EL, MEU …), which roles of a
customer are listed, and whether the lists were stale (a stale screening is never a clean one): per source
its snapshot, the date its age counts from, its age in whole days at the start of the run, the age limit
and the stale flag (``lists_json``; ``stale_sources`` names the stale ones), the same on every record of
a run whichever engine wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from chipguard.model import Customer, Hit, ScreeningSubject, SubjectRole

# Output columns, in order, with their Spark SQL type (the Parquet schema of both engines).
FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "string"),
    ("position", "long"),
    ("line", "long"),
    ("name", "string"),
    ("kind", "string"),
    ("country", "string"),
    ("evidence_json", "string"),
    ("names_screened", "long"),
    ("hit_count", "long"),
    ("hits_omitted", "long"),
    ("has_hit", "boolean"),
    ("best_party_id", "string"),
    ("best_source", "string"),
    ("best_list", "string"),
    ("best_list_code", "string"),
    ("best_name", "string"),
    ("best_matched_alias", "string"),
    ("best_score", "double"),
    ("best_strength", "string"),
    ("best_role", "string"),
    ("list_codes", "array<string>"),
    ("hit_roles", "array<string>"),
    ("lists_stale", "boolean"),
    ("stale_sources", "array<string>"),
    ("lists_json", "string"),
    ("needs_review", "boolean"),
    ("hits_json", "string"),
    ("threshold", "double"),
    ("snapshot_refs", "array<string>"),
    ("snapshot_ids", "array<long>"),
    ("snapshot_sha256", "array<string>"),
    ("engine_version", "string"),
    ("rules_version", "string"),
)
FIELD_NAMES = tuple(name for name, _ in FIELDS)


@dataclass(frozen=True, slots=True)
class Subject:
    """What one output record is about: an input row (one target) or a customer (its names, owners and
    ultimate parent)."""

    id: str
    position: int
    line: int
    name: str
    kind: str | None
    country: str | None
    targets: tuple[ScreeningSubject, ...]


@dataclass(frozen=True, slots=True)
class BatchContext:
    """Everything besides the index that shapes a record; small plain data, shipped to every executor."""

    threshold: float
    limit: int
    snapshot_refs: tuple[str, ...]
    snapshot_ids: tuple[int, ...]
    snapshot_sha256: tuple[str, ...]
    lists_stale: bool
    engine_version: str
    rules_version: str
    list_code_table: tuple[dict[str, Any], ...] = field(default=())
    # the status of every source screened against (see ``list_status``), as the records state it
    stale_sources: tuple[str, ...] = ()
    lists_json: str = "[]"


def list_status(
    snapshots: Sequence[Any], freshness: Sequence[Any], lists_stale: bool
) -> list[dict[str, Any]]:
    """Per snapshot screened against, in run order: its source and ref, the date its age counts from
    (``as_of``) and why (``basis``), its age in whole days at the start of the run, the age limit and
    whether it was stale — from ``freshness`` (the store's ``SourceStatus`` list, taken once when the run
    opened its lists). Whole days, so two runs of one input on one day (the two engines) write the same
    bytes. A snapshot the store gave no status for has an unknown age and counts as stale when the run
    was (``lists_stale``)."""
    by_ref = {str(s.snapshot.ref): s for s in freshness}
    out: list[dict[str, Any]] = []
    for snap in snapshots:
        status = by_ref.get(str(snap.ref))
        if status is None:
            out.append(
                {
                    "source": str(snap.source),
                    "snapshot": str(snap.ref),
                    "as_of": None,
                    "basis": "unknown",
                    "age_days": None,
                    "max_age_days": None,
                    "stale": bool(lists_stale),
                }
            )
            continue
        now = status.as_of + timedelta(days=status.age_days)
        out.append(
            {
                "source": status.source,
                "snapshot": str(snap.ref),
                "as_of": status.as_of.date().isoformat(),
                "basis": status.basis,
                "age_days": (now.date() - status.as_of.date()).days,
                "max_age_days": status.max_age_days,
                "stale": bool(status.stale),
            }
        )
    return out


def context_for(
    snapshots: Sequence[Any],
    *,
    threshold: float,
    limit: int,
    lists_stale: bool,
    freshness: Sequence[Any] = (),
) -> BatchContext:
    """The context of a run over ``snapshots`` (SnapshotInfo) under the bundled rule set in force;
    ``freshness``: the store's status of its sources when the run opened them (``Lists.freshness``)."""
    from chipguard import ENGINE_VERSION
    from chipguard.policy.rules import default_rule_set

    rules = default_rule_set()
    status = list_status(snapshots, freshness, lists_stale)
    return BatchContext(
        threshold=float(threshold),
        limit=int(limit),
        snapshot_refs=tuple(str(s.ref) for s in snapshots),
        snapshot_ids=tuple(int(s.id) for s in snapshots),
        snapshot_sha256=tuple(str(s.sha256) for s in snapshots),
        lists_stale=bool(lists_stale),
        engine_version=ENGINE_VERSION,
        rules_version=f"{rules.id}@{rules.version}",
        list_code_table=tuple(dict(e) for e in rules.data.get("list_codes") or ()),
        stale_sources=tuple(sorted({s["source"] for s in status if s["stale"]})),
        lists_json=json.dumps(status, ensure_ascii=False, separators=(",", ":")),
    )


def _list_code(hit: Hit, ctx: BatchContext) -> str:
    from chipguard.policy.core_facts import list_code

    return str(list_code(hit, list(ctx.list_code_table)).get("code") or "OTHER")


def screen_subject(screener: Any, subject: Subject, ctx: BatchContext) -> dict[str, Any]:
    """Screens every target of ``subject`` and returns its output record (keys: ``FIELD_NAMES``).

    Per target the screener's own ranking is kept; across targets hits are listed role by role in target
    order, and the best hit is the highest score (the first target wins a tie), so the record does not
    depend on anything but the screener and the subject."""
    hits: list[dict[str, Any]] = []
    best: tuple[float, Hit, str, str] | None = None
    codes: set[str] = set()
    roles: set[str] = set()
    from chipguard.match.evidence import query_evidence

    omitted = 0
    for target in subject.targets:
        screening = screener.screening(
            target.name,
            kind=target.kind,
            country=target.country,
            limit=ctx.limit,
            threshold=ctx.threshold,
            evidence=query_evidence(country=target.country, **dict(target.evidence))
            if target.evidence
            else None,
        )
        role = target.role.value
        omitted += screening.omitted
        found: list[Hit] = screening.hits
        for hit in found:
            code = _list_code(hit, ctx)
            codes.add(code)
            roles.add(role)
            hits.append({"role": role, "screened_name": target.name, "list_code": code, **hit.json_fields()})
            if best is None or hit.score > best[0]:
                best = (hit.score, hit, code, role)
    record: dict[str, Any] = {
        "id": subject.id,
        "position": subject.position,
        "line": subject.line,
        "name": subject.name,
        "kind": subject.kind,
        "country": subject.country,
        # the identifying details screened with each name (what a confirmed or weak strength rests on)
        "evidence_json": json.dumps(
            [{"screened": t.label, **dict(t.evidence)} for t in subject.targets if t.evidence],
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        "names_screened": len(subject.targets),
        "hit_count": len(hits),
        "hits_omitted": omitted,  # records past the limit (per screened name), never silently dropped
        "has_hit": bool(hits),
        "best_party_id": best[1].party_id if best else None,
        "best_source": best[1].source if best else None,
        "best_list": (best[1].list_name or best[1].source) if best else None,
        "best_list_code": best[2] if best else None,
        "best_name": best[1].name if best else None,
        "best_matched_alias": best[1].matched_name if best else None,
        "best_score": float(best[0]) if best else None,
        "best_strength": best[1].strength if best else None,
        "best_role": best[3] if best else None,
        "list_codes": sorted(codes),
        "hit_roles": sorted(roles),
        "lists_stale": ctx.lists_stale,
        "stale_sources": list(ctx.stale_sources),
        "lists_json": ctx.lists_json,
        # nothing screened (a customer record without any name) is never a clean result; a weak hit (a
        # conflicting identifier or kind) is recorded in hits_json but is no alert
        "needs_review": any(h["strength"] != "weak" for h in hits) or ctx.lists_stale or not subject.targets,
        "hits_json": json.dumps(hits, ensure_ascii=False, separators=(",", ":")),
        "threshold": ctx.threshold,
        "snapshot_refs": list(ctx.snapshot_refs),
        "snapshot_ids": list(ctx.snapshot_ids),
        "snapshot_sha256": list(ctx.snapshot_sha256),
        "engine_version": ctx.engine_version,
        "rules_version": ctx.rules_version,
    }
    return record


def screen_subjects(
    screener: Any, subjects: Iterable[Subject], ctx: BatchContext
) -> Iterator[dict[str, Any]]:
    """The records of ``subjects`` in order (one Screener, many subjects: the per-partition loop)."""
    for subject in subjects:
        yield screen_subject(screener, subject, ctx)


def to_json_line(record: Mapping[str, Any]) -> str:
    """A record as one JSON line; byte-identical for equal records whichever engine made them."""
    return json.dumps({k: record[k] for k in FIELD_NAMES}, ensure_ascii=False, separators=(",", ":"))


# ── subjects ─────────────────────────────────────────────────────────────────────────────────────


def query_subject(row: Any) -> Subject:
    """An input row (``chipguard.service.query_files.QueryRow``) as a subject with one target, its own name."""
    return Subject(
        id=row.id,
        position=row.position,
        line=row.line,
        name=row.name,
        kind=row.kind,
        country=row.country,
        targets=(
            ScreeningSubject(
                SubjectRole.QUERY, row.name, row.kind, row.country, evidence=tuple(row.evidence)
            ),
        ),
    )


def customer_subject(customer: Mapping[str, Any], position: int) -> Subject:
    """A stored customer (``Customer.to_dict()`` plus ``customer_id``) with the names every screening of
    a customer covers: its own, its other names, its owners and its ultimate parent
    (``Customer.screening_subjects``)."""
    kind = str(customer.get("kind") or "") or None
    country = str(customer.get("country") or "") or None
    return Subject(
        id=str(customer.get("customer_id") or ""),
        position=position,
        line=position + 1,
        name=str(customer.get("name") or ""),
        kind=kind,
        country=country,
        targets=tuple(Customer.from_dict(dict(customer)).screening_subjects()),
    )
