"""Screening many names on several cores: worker processes that map one index file.

Why processes: screening is pure Python, so threads share one core. Each worker opens the index file
read-only (``chipguard.match.indexfile``): the operating system keeps one copy of its pages for all of
them, so N workers cost one index plus N small interpreters, not N indexes. Rows go out in chunks and the
results come back in input order, as JSON lines made in the workers, so the output is the same bytes
whatever the number of workers.
"""

from __future__ import annotations

import json
import multiprocessing
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from chipguard.errors import worker_lost
from chipguard.match import indexfile
from chipguard.match.screener import readable

Row = tuple[Any, ...]  # (query id, name, kind, country[, evidence: chipguard.match.evidence.QueryEvidence])
CHUNK = 200  # rows per task: large enough that the round trip is noise, small enough to keep both busy

_WORKER: Any = None  # the worker process's screener
_LISTS: list[dict[str, Any]] | None = None  # the list status every result states
_LIMIT = 10  # the most hits per row (the caller checked it against the rule set's bound)


def _start(
    path: str, threshold: float, snapshots: list[Any], lists: list[dict[str, Any]] | None, limit: int
) -> None:
    global _WORKER, _LISTS, _LIMIT
    # the parent checked the file's sha256 when it opened it; a worker maps it without reading it all
    _WORKER = indexfile.open_screener(Path(path), verify=False)
    _WORKER.threshold = threshold
    _WORKER.snapshots = snapshots
    _LISTS = lists
    _LIMIT = limit


def _line(screener: Any, row: Row, lists: list[dict[str, Any]] | None, limit: int) -> tuple[str | None, int]:
    qid, name, kind, country, *rest = row
    if not readable(name):
        return None, 0
    result = screener.screen_result(
        qid, name, kind, country, limit=limit, lists=lists, evidence=rest[0] if rest else None
    )
    return json.dumps(result, ensure_ascii=False), len(result["hits"])


def _screen(rows: Sequence[Row]) -> list[tuple[str | None, int]]:
    return [_line(_WORKER, row, _LISTS, _LIMIT) for row in rows]


def screen_lines(
    screener: Any,
    rows: Sequence[Row],
    workers: int,
    lists: list[dict[str, Any]] | None = None,
    limit: int = 10,
) -> Iterator[tuple[str | None, int]]:
    """(JSON line, number of hits) per row, in input order, screened by ``workers`` processes (in this
    process when 1, or when the input is a single chunk); every result states the list status ``lists``
    (None: unknown, so stale) and holds at most ``limit`` hits, saying how many more there were. A row whose name has nothing to compare is (None, 0): the caller reports
    it (the rows are not validated twice, see ``chipguard.cli.screen.read_queries``)."""
    if workers <= 1 or len(rows) <= CHUNK:
        for row in rows:
            yield _line(screener, row, lists, limit)
        return
    mapped = getattr(screener, "index_file", None)
    with tempfile.TemporaryDirectory(prefix="chipguard-workers-") as tmp:
        if mapped is not None:
            path = mapped.path
        else:  # built in this process (index cache off): written once for the workers to map
            path = Path(tmp) / "index.cgix"
            indexfile.write(screener, path)
        chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
        # spawn: fresh interpreters that inherit no threads, locks or database connections
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(str(path), screener.threshold, list(screener.snapshots), lists, limit),
        ) as pool:
            try:
                for lines in pool.map(_screen, chunks):
                    yield from lines
            except BrokenProcessPool as exc:  # a worker was killed: say so, the caller writes nothing
                raise worker_lost(exc) from exc
