"""Batch jobs: screen a file of names, or re-screen every stored customer, on the local or the Spark engine.

Fail closed, as everywhere in chipguard: no active list → refused (ListsUnavailableError). Stale lists →
refused too unless the caller says ``allow_stale``; then every record carries ``lists_stale`` and
``needs_review`` so no row of a stale run can pass for a clean screening.

Nothing is half-written: output goes to a work folder beside ``--out`` (same filesystem) and is renamed
into place only when complete; a failed run removes its work folder and leaves any earlier output as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chipguard.batch.model import (
    FIELD_NAMES,
    FIELDS,
    BatchContext,
    Subject,
    context_for,
    screen_subjects,
    to_json_line,
)
from chipguard.errors import InputError, ListsUnavailableError, unwritable_output

ENGINES = ("local", "spark")
SHIP_MODES = ("auto", "path", "file", "broadcast")
OUTPUT_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet"}
AUDIT_RESCREEN = "batch.rescreen"


def output_format(out: Path) -> str:
    """jsonl or parquet, from the suffix of ``--out``."""
    fmt = OUTPUT_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot tell the output format from '{out.suffix}' (use .jsonl or .parquet)",
            file=str(out),
            field="out",
        )
    return fmt


def check_engine(engine: str, spark: Any = None) -> str:
    """The engine name; for ``spark`` without a session given, SparkUnavailableError up front (before any
    list is read) when pyspark or Java is missing."""
    value = engine.strip().lower()
    if value not in ENGINES:
        raise InputError(f"unknown engine '{engine}' (use local or spark)", field="engine")
    if value == "spark" and spark is None:
        from chipguard.batch import spark as sp

        reason = sp.unavailable()
        if reason:
            raise sp.SparkUnavailableError(f"the Spark engine cannot start: {reason}")
    return value


# ── lists (fail closed) ──────────────────────────────────────────────────────────────────────────


@dataclass(slots=True)
class Lists:
    """The active snapshots, whether they are stale, the threshold in force, and the index: ``screener``
    in this process and/or ``cache_file``, the on-disk index cache file holding it (what Spark executors
    load). The Spark engine needs only the file, so the driver does not load an index it never uses."""

    snapshots: list[Any]
    stale: list[str]
    threshold: float
    screener: Any = None
    cache_file: Path | None = None
    freshness: list[Any] = field(default_factory=list)  # SourceStatus per active source, taken once


def open_lists(
    threshold: float | None = None, *, allow_stale: bool = False, store: Any = None, load: bool = True
) -> Lists:
    """The active lists, or ListsUnavailableError (none loaded; stale without ``allow_stale``).
    ``load=False``: skip loading the screener here when the index cache file already holds it."""
    from chipguard.names.data import checked_threshold
    from chipguard.service import index_cache
    from chipguard.service.screening import screener_of
    from chipguard.store.snapshots import SnapshotStore, require_lists

    cut = checked_threshold(threshold)  # a bad cut is the caller's input error, before the lists are read
    store = store or SnapshotStore()
    try:
        active = require_lists(store, fresh=not allow_stale)
    except ListsUnavailableError as exc:
        if allow_stale or "stale" not in str(exc):
            raise
        raise ListsUnavailableError(
            f"{exc}; or pass --allow-stale to screen anyway (every row is then flagged lists_stale and "
            "needs_review)"
        ) from None
    freshness = store.freshness()  # once: every record of the run states the same ages
    stale = [s.source for s in freshness if s.stale]

    def cache_file(snapshots: list[Any]) -> Path | None:
        if not index_cache.enabled():
            return None
        key = index_cache.cache_key([s.sha256 for s in snapshots])
        path = index_cache.path_for(key)
        return path if path.is_file() else None

    if not load:
        cached = cache_file(list(active))
        if cached is not None:
            return Lists(list(active), stale, cut, None, cached, freshness)
    screener = screener_of(store, threshold=threshold)
    snapshots = list(screener.snapshots)
    return Lists(snapshots, stale, cut, screener, cache_file(snapshots), freshness)


# ── writing ──────────────────────────────────────────────────────────────────────────────────────


@contextlib.contextmanager
def work_folder(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out`` (same filesystem, so the final rename is atomic); removed
    whatever happens."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=str(out.parent)))
    except OSError as exc:  # no permission, a file where a parent folder should be …
        raise unwritable_output(str(out), exc) from exc
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def put_in_place(done: Path, out: Path) -> None:
    """Renames the finished ``done`` (file or folder) to ``out``. A file replaces a file atomically; an
    existing folder (a Parquet dataset) is first moved aside and removed only after the rename."""
    if out.is_dir() and not out.is_symlink():
        aside = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, aside)
        try:
            os.replace(done, out)
        except OSError:
            os.replace(aside, out)
            raise
        shutil.rmtree(aside, ignore_errors=True)
    elif done.is_dir() and out.exists():
        aside = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, aside)
        os.replace(done, out)
        aside.unlink(missing_ok=True)
    else:
        os.replace(done, out)


def arrow_schema() -> Any:
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "long": pa.int64(),
        "double": pa.float64(),
        "boolean": pa.bool_(),
        "array<string>": pa.list_(pa.string()),
        "array<long>": pa.list_(pa.int64()),
    }
    return pa.schema([(name, types[kind]) for name, kind in FIELDS])


def _write_local(records: Iterator[dict[str, Any]], fmt: str, workdir: Path) -> tuple[Path, int, int]:
    rows = hits = 0
    if fmt == "jsonl":
        target = workdir / "out.jsonl"
        with target.open("w", encoding="utf-8", newline="\n") as fh:
            for record in records:
                rows += 1
                hits += bool(record["has_hit"])
                fh.write(to_json_line(record) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return target, rows, hits
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            "writing Parquet needs pyarrow: pip install 'chipguard[spark]'", field="out"
        ) from None
    target = workdir / "out.parquet"
    schema = arrow_schema()
    with pq.ParquetWriter(target, schema) as writer:
        chunk: list[dict[str, Any]] = []
        for record in records:
            rows += 1
            hits += bool(record["has_hit"])
            chunk.append({k: record[k] for k in FIELD_NAMES})
            if len(chunk) >= 5000:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                chunk = []
        if chunk or rows == 0:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
    return target, rows, hits


def output_sha256(path: Path) -> str:
    """sha256 of an output file, or of a Parquet folder's data files (name + bytes, in name order)."""
    digest = hashlib.sha256()
    if path.is_file():
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    for part in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))):
        digest.update(part.relative_to(path).as_posix().encode() + b"\0" + part.read_bytes())
    return digest.hexdigest()


# ── the local engine on several processes ─────────────────────────────────────────────────────────

LOCAL_CHUNK = 500  # subjects per task: the round trip is noise next to their screening, the cores stay busy

_WORKER_SCREENER: Any = None  # a worker process's screener, mapped from the index file


def _start_worker(path: str) -> Any:
    global _WORKER_SCREENER
    from chipguard.match import indexfile

    # the parent opened (and checked) the same file; a worker maps it without reading it all
    _WORKER_SCREENER = indexfile.open_screener(Path(path), verify=False)
    return _WORKER_SCREENER


def _screen_chunk(subjects: Sequence[Subject], ctx: BatchContext) -> list[dict[str, Any]]:
    return list(screen_subjects(_WORKER_SCREENER, subjects, ctx))


def local_records(
    screener: Any, subjects: Sequence[Subject], ctx: BatchContext, workers: int, workdir: Path
) -> Iterator[dict[str, Any]]:
    """The records of ``subjects`` in input order, screened in this process (``workers`` 1, or one chunk)
    or by ``workers`` processes that map the screener's index file (written to ``workdir`` when the
    screener was built in memory; how they start: ``chipguard.match.parallel.map_chunks``). Every record
    depends only on the screener, the subject and ``ctx``, so the output is the same bytes whatever the
    number of workers."""
    if workers <= 1 or len(subjects) <= LOCAL_CHUNK:
        yield from screen_subjects(screener, subjects, ctx)
        return
    from functools import partial

    from chipguard.match import indexfile
    from chipguard.match.parallel import map_chunks

    mapped = screener.index_file
    if mapped is not None:
        path = mapped.path
    else:
        path = workdir / "index.cgix"
        indexfile.write(screener, path)
    chunks = [subjects[i : i + LOCAL_CHUNK] for i in range(0, len(subjects), LOCAL_CHUNK)]
    screen = partial(_screen_chunk, ctx=ctx)
    for records in map_chunks(screener, workers, _start_worker, (str(path),), screen, chunks, len(subjects)):
        yield from records


# ── running ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(slots=True)
class BatchSummary:
    """What a run did: how many records, how many with a hit, against which lists, how long it took."""

    engine: str
    out: Path
    format: str
    rows: int
    rows_with_hits: int
    seconds: float
    snapshot_refs: list[str]
    lists_stale: bool
    sha256: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    lists: list[dict[str, Any]] = field(default_factory=list)  # per source: snapshot, age, stale

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "out": str(self.out),
            "format": self.format,
            "rows": self.rows,
            "rows_with_hits": self.rows_with_hits,
            "seconds": round(self.seconds, 3),
            "snapshots": self.snapshot_refs,
            "lists_stale": self.lists_stale,
            "lists": self.lists,
            "sha256": self.sha256,
            **self.extra,
        }


def run(
    subjects: Sequence[Subject],
    out: Path,
    *,
    screener: Any,
    ctx: BatchContext,
    engine: str = "local",
    master: str | None = None,
    partitions: int | None = None,
    spark: Any = None,
    cache_file: Path | None = None,
    ship_mode: str = "auto",
    workers: int = 1,
) -> BatchSummary:
    """Screens ``subjects`` with ``screener`` on ``engine`` and writes the records to ``out`` (.jsonl or
    .parquet) atomically. ``spark``: a SparkSession to use (left running); without one, the session this
    process already runs is used, else one is started on ``master`` and stopped at the end. ``workers``:
    processes of the local engine (see :func:`local_records`)."""
    engine = check_engine(engine)
    out = out.expanduser()
    fmt = output_format(out)
    if not subjects:
        raise InputError("nothing to screen", field="input")
    if screener is None and (engine == "local" or cache_file is None):
        raise ValueError("run() needs a screener, or for Spark the index cache file holding it")
    start = time.perf_counter()
    with work_folder(out) as workdir:
        if engine == "local":
            records = local_records(screener, subjects, ctx, workers, workdir)
            done, rows, hits = _write_local(records, fmt, workdir)
        else:
            done, rows, hits = _run_spark(
                subjects, fmt, workdir, screener, ctx, master, partitions, spark, cache_file, ship_mode
            )
        put_in_place(done, out)
    return BatchSummary(
        engine=engine,
        out=out,
        format=fmt,
        rows=rows,
        rows_with_hits=hits,
        seconds=time.perf_counter() - start,
        snapshot_refs=list(ctx.snapshot_refs),
        lists_stale=ctx.lists_stale,
        sha256=output_sha256(out),
        lists=json.loads(ctx.lists_json),
    )


def _run_spark(
    subjects: Sequence[Subject],
    fmt: str,
    workdir: Path,
    screener: Any,
    ctx: BatchContext,
    master: str | None,
    partitions: int | None,
    spark: Any,
    cache_file: Path | None,
    ship_mode: str,
) -> tuple[Path, int, int]:
    from chipguard.batch import spark as sp

    own = False
    if spark is None:
        spark = sp.active_session()  # a session this process already runs (a notebook, a test) is used
    if spark is None:
        spark = sp.session(master, partitions=partitions or 2)
        own = True
    try:
        index = sp.IndexFile.of(screener, workdir, cache_file)
        shipment = sp.ship(spark, index, ship_mode)
        # JSON lines are screened in name order (each worker's caches see one range of names) and
        # written back in input order; a Parquet dataset's part files keep the input order as they are
        jsonl = fmt == "jsonl"
        with sp.daemon_index(spark, shipment, cache_file):  # decoded once per machine, before the fork
            rdd, rows, hits, order = sp.records(spark, shipment, subjects, ctx, partitions, by_name=jsonl)
            if jsonl:
                on_this_machine = sp.is_local_master(spark.sparkContext.master or "")
                done = sp.write_jsonl(rdd, workdir, order, local_files=on_this_machine)
            else:
                done = sp.write_parquet(spark, rdd, workdir)
        if shipment.broadcast is not None:
            shipment.broadcast.unpersist()
        index.path.unlink(missing_ok=True)
        return done, int(rows.value), int(hits.value)
    finally:
        if own:
            spark.stop()


# ── the two jobs ─────────────────────────────────────────────────────────────────────────────────


def screen_file(
    path: Path,
    out: Path,
    *,
    engine: str = "local",
    threshold: float | None = None,
    limit: int = 10,
    allow_stale: bool = False,
    input_format: str | None = None,
    master: str | None = None,
    partitions: int | None = None,
    spark: Any = None,
    ship_mode: str = "auto",
    workers: int = 1,
) -> BatchSummary:
    """``chipguard batch screen``: validate the whole input, open the lists (fail closed), screen, write."""
    from chipguard.batch.model import query_subject
    from chipguard.service.query_files import read_input

    engine = check_engine(engine, spark)
    output_format(out)
    _check_options(limit, partitions, ship_mode)
    rows = read_input(path, input_format)
    lists = open_lists(threshold, allow_stale=allow_stale, load=engine == "local")
    ctx = context_for(
        lists.snapshots,
        threshold=lists.threshold,
        limit=limit,
        lists_stale=bool(lists.stale),
        freshness=lists.freshness,
    )
    return run(
        [query_subject(r) for r in rows],
        out,
        screener=lists.screener,
        ctx=ctx,
        engine=engine,
        master=master,
        partitions=partitions,
        spark=spark,
        cache_file=lists.cache_file,
        ship_mode=ship_mode,
        workers=workers,
    )


def _check_options(limit: int, partitions: int | None, ship_mode: str) -> None:
    if limit < 1:
        raise InputError(f"limit must be at least 1, got {limit}", field="limit")
    if partitions is not None and partitions < 1:
        raise InputError(f"partitions must be at least 1, got {partitions}", field="partitions")
    if ship_mode not in SHIP_MODES:
        raise InputError(f"unknown shipping mode '{ship_mode}' (use {', '.join(SHIP_MODES)})", field="ship")


def rescreen_customers(
    out: Path,
    *,
    engine: str = "local",
    threshold: float | None = None,
    limit: int = 10,
    allow_stale: bool = False,
    db: str | None = None,
    actor: str = "batch",
    master: str | None = None,
    partitions: int | None = None,
    spark: Any = None,
    ship_mode: str = "auto",
    workers: int = 1,
) -> BatchSummary:
    """``chipguard batch rescreen``: every stored customer (its name, other names, owners, ultimate
    parent) against the active lists, one record per customer; one ``batch.rescreen`` audit entry names
    the snapshots, the counts, the customers with hits and the output's sha256.

    This is the full re-screen at scale after a list update; ``chipguard monitor rescreen`` remains the
    job that diffs against the last baseline and reports hits that appeared or went."""
    from chipguard.batch.model import customer_subject
    from chipguard.service import Services
    from chipguard.service.rescreen import iter_customers

    engine = check_engine(engine, spark)
    output_format(out)
    _check_options(limit, partitions, ship_mode)
    services = Services.open(db)
    lists = open_lists(threshold, allow_stale=allow_stale, store=services.snapshots, load=engine == "local")
    audit = services.audit
    customers = list(iter_customers(services.customers))
    if not customers:
        raise InputError("no stored customers to re-screen (add some with `chipguard customers`)")
    subjects = [customer_subject(c, i) for i, c in enumerate(customers)]
    ctx = context_for(
        lists.snapshots,
        threshold=lists.threshold,
        limit=limit,
        lists_stale=bool(lists.stale),
        freshness=lists.freshness,
    )
    summary = run(
        subjects,
        out,
        screener=lists.screener,
        ctx=ctx,
        engine=engine,
        master=master,
        partitions=partitions,
        spark=spark,
        cache_file=lists.cache_file,
        ship_mode=ship_mode,
        workers=workers,
    )
    with_hits = _ids_with_hits(summary.out, summary.format)
    entry = audit.record(
        actor,
        AUDIT_RESCREEN,
        {
            "engine": summary.engine,
            "snapshots": list(ctx.snapshot_refs),
            "snapshot_ids": list(ctx.snapshot_ids),
            "snapshot_sha256": list(ctx.snapshot_sha256),
            "lists_stale": ctx.lists_stale,
            "lists": json.loads(ctx.lists_json),
            "threshold": ctx.threshold,
            "customers_screened": summary.rows,
            "customers_with_hits": with_hits,
            "output": {"path": str(summary.out), "format": summary.format, "sha256": summary.sha256},
        },
    )
    summary.extra["audit_seq"] = entry.seq
    summary.extra["customers_with_hits"] = with_hits
    return summary


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of a batch output (JSONL file, Parquet file or Spark's Parquet folder), in order."""
    if output_format(path) == "jsonl":
        with path.open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return sorted(rows, key=lambda r: r["position"])


def _ids_with_hits(path: Path, fmt: str) -> list[str]:
    return [r["id"] for r in read_records(path) if r["has_hit"]]
