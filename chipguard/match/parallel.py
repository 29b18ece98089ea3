"""Screening many names on several cores: worker processes that map one index file.

Why processes: screening is pure Python, so threads share one core. Each worker opens the index file
read-only (``chipguard.match.indexfile``): the operating system keeps one copy of its pages for all of
them, so N workers cost one index plus N small interpreters, not N indexes. Rows go out in chunks and the
results come back in input order, as JSON lines made in the workers, so the output is the same bytes
whatever the number of workers.

How the workers start (:func:`map_chunks`): from a fresh interpreter each (``spawn``: nothing inherited
from the caller — no threads, locks or database connections), or, for an input large enough to pay, forked
from one fresh interpreter that mapped the index and decoded every record first (when the list fits the
decode caches), so the decoding is done once instead of once per worker and the decoded records are
shared copy-on-write.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from chipguard.errors import worker_lost
from chipguard.match import indexfile
from chipguard.match.screener import readable

Row = tuple[Any, ...]  # (query id, name, kind, country[, evidence: chipguard.match.evidence.QueryEvidence])
CHUNK = 200  # rows per task: large enough that the round trip is noise, small enough to keep both busy
# Rows from which the workers are forked from one process that readied the name resources and decoded the
# whole list (map_chunks) instead of starting fresh: each fresh worker imports and readies the same
# resources and decodes the records its rows meet. Measured on 2 workers, CSL 2022-04 (42k names; the
# host's decoding ~0.8 CPU s), synthetic customers, CPU of every process, busy machine, two rounds:
# 1,000 rows 2.96 / 3.44 → 2.76 / 3.15 s; 2,000 rows 4.22 / 5.04 → 4.02 / 4.16; 4,000 rows 7.8 / 7.8 →
# 6.7 / 5.6; 20,000 rows 24.4 → 19.6 s; the 6,360 bench rows 20.7 → 17.6 s
PREDECODE_MIN_ROWS = 1_000

T = TypeVar("T")
R = TypeVar("R")

_WORKER: Any = None  # the worker process's screener
_LISTS: list[dict[str, Any]] | None = None  # the list status every result states
_LIMIT = 10  # the most hits per row (the caller checked it against the rule set's bound)


def _start(
    path: str, threshold: float, snapshots: list[Any], lists: list[dict[str, Any]] | None, limit: int
) -> Any:
    global _WORKER, _LISTS, _LIMIT
    # the parent checked the file's sha256 when it opened it; a worker maps it without reading it all
    _WORKER = indexfile.open_screener(Path(path), verify=False)
    _WORKER.threshold = threshold
    _WORKER.snapshots = snapshots
    _LISTS = lists
    _LIMIT = limit
    return _WORKER


def _line(screener: Any, row: Row, lists: list[dict[str, Any]] | None, limit: int) -> tuple[str | None, int]:
    qid, name, kind, country, *rest = row
    if not readable(name):
        return None, 0
    result = screener.screen_result(
        qid,
        name,
        kind,
        country,
        limit=limit,
        lists=lists,
        evidence=rest[0] if rest else None,
        serialised_at_once=True,
    )
    return json.dumps(result, ensure_ascii=False), len(result["hits"])


def _screen(rows: Sequence[Row]) -> list[tuple[str | None, int]]:
    return [_line(_WORKER, row, _LISTS, _LIMIT) for row in rows]


# ── worker pools ─────────────────────────────────────────────────────────────────────────────────────


def _leave_with_parent() -> None:
    """In a worker forked from the decoding host: exits when the host is gone (a forked pool worker
    holds the writing end of its own task queue, so it would otherwise wait on it for ever)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="chipguard-parent-watch", daemon=True).start()


def _decoding_host(
    conn: Any, workers: int, start: Callable[..., Any], startargs: tuple[Any, ...], fn: Callable[[Any], Any]
) -> None:
    """The process the workers are forked from (itself spawned, so it inherits nothing from the caller):
    sets itself up as a worker would (``start``), readies the name resources and decodes the whole index
    (when it fits the caches), moves
    what it holds out of the collector's sight (``gc.freeze``: the workers' collections neither walk nor
    write to the shared pages), then forks ``workers`` processes — no other thread runs here when they
    are forked. It takes chunks from ``conn`` until None and sends back ("ok", result) per chunk in order,
    with at most ``_window(workers)`` chunks in hand (the caller sends the next chunk for each result, so
    neither side holds the input twice and neither pipe fills), then ("done", None); ("lost", why) when
    a worker died, ("error", exception) when a chunk failed."""
    from collections import deque

    try:
        screener = start(*startargs)
    except Exception as exc:  # noqa: BLE001 - as a spawned worker that cannot start: a lost worker
        conn.send(("lost", f"the worker could not start: {type(exc).__name__}: {exc}"))
        conn.close()
        return
    try:
        from chipguard.names.scripts import warm_up

        warm_up()  # the name resources (transliterators, the Chinese vocabulary): loaded once, shared too
        indexfile.decode_whole(screener)
        gc.collect()
        gc.freeze()
        window = _window(workers)
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_leave_with_parent,
        ) as pool:
            pending: deque[Any] = deque()
            for chunk in iter(conn.recv, None):
                pending.append(pool.submit(fn, chunk))
                if len(pending) >= window:
                    conn.send(("ok", pending.popleft().result()))
            while pending:
                conn.send(("ok", pending.popleft().result()))
        conn.send(("done", None))
    except BrokenProcessPool as exc:
        conn.send(("lost", str(exc)))
    except Exception as exc:  # noqa: BLE001 - the caller raises it
        try:
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle: its text
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def _window(workers: int) -> int:
    """Chunks the decoding host holds at once: enough to keep every worker busy while it sends one back."""
    return 2 * workers + 2


def _predecoded(
    workers: int, start: Callable[..., Any], startargs: tuple[Any, ...], fn: Callable[[T], R], chunks: list[T]
) -> Iterator[R]:
    ctx = multiprocessing.get_context("spawn")
    mine, theirs = ctx.Pipe(duplex=True)
    host = ctx.Process(
        target=_decoding_host, args=(theirs, workers, start, startargs, fn), name="chipguard-decoder"
    )
    host.start()
    theirs.close()
    ahead = iter(chunks)
    window = _window(workers)

    def feed(chunk: T | None) -> None:
        with contextlib.suppress(OSError):  # the host is gone; what it said last (if anything) is read below
            mine.send(chunk)

    try:
        sent = 0
        for chunk in itertools.islice(ahead, window):
            feed(chunk)
            sent += 1
        sent_end = sent < window  # the whole input is in the host's hands: it drains when told so
        if sent_end:
            feed(None)
        while True:
            try:
                kind, value = mine.recv()
            except (EOFError, OSError) as exc:  # the host died: nothing more comes
                raise worker_lost(BrokenProcessPool("the decoding host process ended")) from exc
            if kind == "done":
                return
            if kind == "lost":
                raise worker_lost(BrokenProcessPool(value))
            if kind != "ok":
                raise value
            if not sent_end:  # one result out, one chunk in
                following = next(ahead, None)
                feed(following)
                sent_end = following is None
            yield value
    finally:
        mine.close()
        if host.is_alive():  # the caller stopped early, or a chunk failed: the host goes, its workers follow
            host.terminate()
        host.join()


def fits_decode_caches(screener: Any) -> bool:
    """Whether every name and party of ``screener``'s list fits a mapped worker's decode caches (what
    ``indexfile.decode_whole`` decodes; a larger list is left to the caches)."""
    return bool(
        len(screener.index.entries) <= indexfile.DECODED_ENTRIES
        and len(screener.parties) <= indexfile.DECODED_CACHE
    )


def map_chunks(
    screener: Any,
    workers: int,
    start: Callable[..., Any],
    startargs: tuple[Any, ...],
    fn: Callable[[T], R],
    chunks: list[T],
    rows: int,
) -> Iterator[R]:
    """``fn`` over ``chunks``, results in input order, in ``workers`` processes each set up by
    ``start(*startargs)`` (which maps the index file of ``screener`` into the worker's module state and
    returns it). With ``rows`` ≥ ``PREDECODE_MIN_ROWS`` and a list that fits the decode caches, the
    workers are forked from one spawned process that decoded the list first (:func:`_decoding_host`);
    otherwise each worker is a fresh interpreter (``spawn``) that decodes what its rows meet. A worker
    that dies is ``worker_lost`` (the caller writes nothing). Every result depends only on the index and
    the chunk, so the output is the same either way."""
    if rows >= PREDECODE_MIN_ROWS and fits_decode_caches(screener):
        yield from _predecoded(workers, start, startargs, fn, chunks)
        return
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),  # fresh interpreters: no inherited locks
        initializer=start,
        initargs=startargs,
    ) as pool:
        try:
            yield from pool.map(fn, chunks)
        except BrokenProcessPool as exc:  # a worker was killed: say so, the caller writes nothing
            raise worker_lost(exc) from exc


def screen_lines(
    screener: Any,
    rows: Sequence[Row],
    workers: int,
    lists: list[dict[str, Any]] | None = None,
    limit: int = 10,
) -> Iterator[tuple[str | None, int]]:
    """(JSON line, number of hits) per row, in input order, screened by ``workers`` processes (in this
    process when 1, or when the input is a single chunk; see :func:`map_chunks` for how they start);
    every result states the list status ``lists`` (None: unknown, so stale) and holds at most ``limit``
    hits, saying how many more there were. A row whose name has nothing to compare is (None, 0): the
    caller reports it (the rows are not validated twice, see ``chipguard.cli.screen.read_queries``)."""
    if workers <= 1 or len(rows) <= CHUNK:
        for row in rows:
            yield _line(screener, row, lists, limit)
        return
    mapped = screener.index_file
    with tempfile.TemporaryDirectory(prefix="chipguard-workers-") as tmp:
        if mapped is not None:
            path = mapped.path
        else:  # built in this process (index cache off): written once for the workers to map
            path = Path(tmp) / "index.cgix"
            indexfile.write(screener, path)
        chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
        startargs = (str(path), screener.threshold, list(screener.snapshots), lists, limit)
        for lines in map_chunks(screener, workers, _start, startargs, _screen, chunks, len(rows)):
            yield from lines
