"""Replaying a decision's screening with the name-matching data it was made with, in a fresh process.

Why a process: the matching code (``chipguard.names``, ``chipguard.match``) reads its vocabularies,
Chinese name data and threshold once per process into caches that every name analysis shares, so the
archived files of an old decision cannot be swapped in next to the current ones. The replay writes the
archived files (each checked against its sha256) into a temporary folder laid out like
``chipguard/data``, and runs the screening in ``python -m chipguard.service.replay_worker`` with
its reference-data override root (``CHIPGUARD_DATA_OVERRIDES``) pointing at that folder and the
recorded threshold in ``CHIPGUARD_MATCH_THRESHOLD``. The worker reads the recorded list snapshots from the database and
answers every screening query with hits, as JSON on stdout; the parent replays the decision with a
screener that hands out those hits (``ArchivedScreener``), so the outcome, reasons and hits it compares
rest on the archived matching data. The code itself is not archived: a replay runs the current engine.

The queries are the ones the decision engine asks (customer and its other names, owners, parent,
ownership-graph nodes, the listed parents a hit names): the parent first runs the decision with no
answers to learn them, asks the worker, and runs it again; a hit can lead to a further query (its
listed parent), answered in a further round.

A query is its name, kind, country *and* the identifying details the subject declared (date of birth,
nationality, registration number, LEI, IMO, address, website: ``QueryEvidence.given``, as the archived
transaction states them): a hit's strength, and so the outcome, can rest on them (an owner's conflicting
date of birth makes a hit weak, an agreeing LEI confirms one), so the worker screens with the same
evidence the decision was taken with, validated again on its side.

Protocol (stdin → stdout, one JSON document each)::

    {"database_url": str, "snapshots": [ref, ...], "limit": int,
     "queries": [[name, kind|null, country|null, {field: value, ...}], ...]}
    → {"results": [{"query": [name, kind, country, {field: value}], "hits": [Hit.to_dict(), ...],
                    "omitted": int, "limit": int}, ...]}

(A three-element query, as older parents sent it, has no evidence.) ``limit`` is the most hits the
decision asked for (the rule set's ``screening_hit_limit``; 10 when absent, the bound decisions had
before it); ``omitted`` counts the records above the threshold past it, so a replayed decision sees the
same cut, and says so, as the decision did.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from chipguard import refdata
from chipguard.errors import ChipguardError
from chipguard.match import protocol
from chipguard.match.screener import Screening
from chipguard.model import Hit
from chipguard.settings import env_name

T = TypeVar("T")
# name, kind, country, and the declared evidence as (field, value) pairs in field order
Query = tuple[str, str | None, str | None, tuple[tuple[str, str], ...]]

OVERRIDES_ENV = env_name("data_overrides")
THRESHOLD_ENV = env_name("match_threshold")
MAX_ROUNDS = 4  # a dry run, the queries, the listed parents hits name, and one to spare
TIMEOUT_SECONDS = (
    900.0  # building the index over large lists takes seconds; a hung worker must not hang a replay
)


class WorkerError(ChipguardError):
    """The archived matching data could not be used (missing, tampered, or the worker failed)."""


@dataclass
class ArchivedScreener(protocol.Screening):
    """A screener whose answers come from the worker. A query it has no answer for yet — or one answered
    with fewer hits than now asked for while records were left out — is noted in ``missing`` and
    answered with no hit for now; the round is then repeated with the worker's answers, asked with the
    largest ``limit`` any call wanted. Its screenings carry no entity groups (``Hit.entity`` still
    names each hit's group): a decision reads hits, not groups."""

    snapshots: list[Any]
    answers: dict[Query, Screening] = field(default_factory=dict)
    missing: set[Query] = field(default_factory=set)
    limit: int = 0  # the most hits any call asked for: what the worker is asked to return

    def screening(
        self,
        name: str,
        kind: str | None = None,
        country: str | None = None,
        limit: int = 10,
        threshold: float | None = None,
        evidence: Any = None,
    ) -> Screening:
        query: Query = (name, kind, country, evidence_key(evidence))
        limit = max(int(limit), 0)
        self.limit = max(self.limit, limit)
        found = self.answers.get(query)
        if found is None or (found.omitted and found.limit < limit):
            self.missing.add(query)
            return Screening([], 0, limit, [])
        # copies: a caller may mark a hit (an analyst's confirmation), which must not leak into the answer
        # another subject of the same query is given
        hits = [Hit.from_dict(h.to_dict()) for h in found.hits[:limit]]
        return Screening(hits, found.omitted + max(len(found.hits) - limit, 0), limit, [])

    def snapshot_refs(self) -> list[Any]:
        return [getattr(s, "ref", s) for s in self.snapshots]


def evidence_key(evidence: Any) -> tuple[tuple[str, str], ...]:
    """The evidence fields of a query as given (``QueryEvidence.given``), in field order: part of the
    key an answer is kept under and what the worker screens with. No evidence → ()."""
    given = getattr(evidence, "given", None) or {}
    return tuple(sorted((str(k), str(v)) for k, v in given.items()))


def archived_matching(recorded: Mapping[str, Any], fetch: Callable[[list[str]], Mapping[str, bytes]]) -> Any:
    """The decision's archived matching files (``refdata.ReferenceData``), each checked against the hash
    its manifest records; WorkerError naming the file when one is missing or does not hash to it."""
    files = {str(p): str(h) for p, h in (recorded.get("files") or {}).items()}
    if not files:
        raise WorkerError("the decision recorded no matching files")
    try:
        return refdata.from_archive(files, fetch(sorted(set(files.values()))))
    except ChipguardError as exc:
        raise WorkerError(f"archive refused: {exc}") from exc


def replay_with_archived(
    data: refdata.ReferenceData,
    threshold: float | None,
    database_url: str,
    snapshot_refs: list[str | int],
    snapshots: list[Any],
    run: Callable[[ArchivedScreener], T],
) -> T:
    """``run(screener)`` with a screener answering from a worker process that reads ``data`` (the
    archived matching files) and ``threshold`` (the recorded one; None keeps the archived file's)."""
    with tempfile.TemporaryDirectory(prefix="chipguard-replay-") as tmp:
        overlay = Path(tmp)
        for rel, ref in data.files.items():
            path = overlay / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(ref.data)
        env = dict(os.environ, **{OVERRIDES_ENV: str(overlay)})
        env.pop(THRESHOLD_ENV, None)
        if threshold is not None:
            env[THRESHOLD_ENV] = repr(float(threshold))
        screener = ArchivedScreener(snapshots)
        for _ in range(MAX_ROUNDS):
            result = run(screener)
            if not screener.missing:
                return result
            queries = sorted(screener.missing, key=lambda q: (q[0], q[1] or "", q[2] or "", q[3]))
            screener.missing.clear()
            request = {
                "database_url": database_url,
                "snapshots": snapshot_refs,
                "limit": screener.limit,
                "queries": [[name, kind, country, dict(given)] for name, kind, country, given in queries],
            }
            screener.answers.update(_ask(request, env))
    raise WorkerError(f"the screening queries did not settle in {MAX_ROUNDS} rounds")


def _ask(request: dict[str, Any], env: dict[str, str]) -> dict[Query, Screening]:
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "chipguard.service.replay_worker"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            env=env,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise WorkerError(f"the replay worker did not run: {exc}") from exc
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise WorkerError(f"the replay worker failed (exit {proc.returncode}): {last}")
    try:
        results = json.loads(proc.stdout)["results"]
        return {
            _query_of(r["query"]): Screening(
                [Hit(**h) for h in r["hits"]], int(r["omitted"]), int(r["limit"]), []
            )
            for r in results
        }
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise WorkerError(f"the replay worker's answer is not readable: {exc}") from exc


def _query_of(raw: list[Any]) -> Query:
    """A query as the protocol writes it ([name, kind, country] or [name, kind, country, {evidence}])."""
    given = raw[3] if len(raw) > 3 else {}
    if not isinstance(given, dict):
        raise TypeError("a query's evidence must be an object")
    return (str(raw[0]), raw[1], raw[2], tuple(sorted((str(k), str(v)) for k, v in given.items())))


def main() -> int:
    """The worker: one request on stdin, the hits of every query on stdout. Its screener is built with
    this process's name data through the index cache, whose key covers the name-data override folder, so
    an index of other name data is never reused."""
    from chipguard.match.evidence import query_evidence
    from chipguard.service.screening import screener_of
    from chipguard.store.db import get_engine
    from chipguard.store.snapshots import SnapshotStore

    request = json.load(sys.stdin)
    store = SnapshotStore(get_engine(str(request["database_url"])))
    infos = [store.get_snapshot(ref) for ref in request["snapshots"]]
    screener = screener_of(store, infos)
    limit = int(request.get("limit") or 10)  # 10: what a parent that did not say asked for
    results = []
    for raw in request["queries"]:
        name, kind, country, given = _query_of(raw)
        # the evidence as the decision gave it, validated as then (same country for a USCC check)
        evidence = query_evidence(country=country, **dict(given)) if given else None
        more: dict[str, Any] = {"evidence": evidence} if evidence is not None else {}
        found = screener.screening(name, kind=kind, country=country, limit=limit, **more)
        results.append(
            {
                "query": [name, kind, country, dict(given)],
                "hits": [h.to_dict() for h in found.hits],
                "omitted": found.omitted,
                "limit": found.limit,
            }
        )
    json.dump({"results": results}, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
