"""The Spark engine: the batch model (``chipguard.batch.model``) mapped over partitions of subjects.

How the index reaches the executors: the driver holds the screening index as an index file
(``chipguard.match.indexfile``) — the on-disk index cache file ``chipguard.service.screening`` already
wrote, hard-linked into the job's work folder so a cache eviction during the job cannot pull it away, or
a fresh file when the cache is off. Executors on the same machine (``local[N]``, or a cluster with a
shared filesystem) *map* that path read-only, so every Python worker shares one copy of its pages;
elsewhere the bytes go out once as a Spark broadcast and each executor writes them to a local file it
maps. Either way an executor's Python worker checks the sha256, opens the index once and keeps it for
every later partition and task it runs (``spark.python.worker.reuse``), and each partition is screened
by that one Screener through ``mapPartitions`` — never an index per row.

pyspark is an optional dependency (``pip install 'chipguard[spark]'``) and needs a Java runtime (17 here);
:func:`unavailable` says why Spark cannot run instead of failing deep inside the JVM launcher.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipguard.batch.model import FIELD_NAMES, FIELDS, BatchContext, Subject, screen_subjects
from chipguard.errors import ChipguardError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"
MIN_ROWS_PER_PARTITION = 500
# a partition is one task: with the Python workers reused, a task costs milliseconds, so a large input is
# cut into many (the cores stay busy to the end, each task's rows and records stay small in memory)
MAX_ROWS_PER_PARTITION = 5_000


class SparkUnavailableError(ChipguardError):
    """pyspark or a Java runtime is missing: the Spark engine cannot start."""

    exit_code = 4


def unavailable() -> str | None:
    """Why the Spark engine cannot run here (None when pyspark and a Java runtime are both present)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'chipguard[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return None
    if shutil.which("java") is None:
        return (
            "no Java runtime: install one (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
        )
    return None


def is_local_master(master: str) -> bool:
    return master == "local" or master.startswith("local[") or master.startswith("local-cluster[")


def session(
    master: str = DEFAULT_MASTER, app_name: str = "chipguard-batch", partitions: int = 2
) -> SparkSession:
    """A SparkSession for a batch run. For local masters everything binds to 127.0.0.1 and the UI is off:
    a screening job opens no port to the network. Executors run this very Python (the venv's)."""
    reason = unavailable()
    if reason:
        raise SparkUnavailableError(f"the Spark engine cannot start: {reason}")
    from pyspark.sql import SparkSession

    if is_local_master(master):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(1, partitions)))
        .config("spark.python.worker.reuse", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.pyspark.python", sys.executable)
    )
    if is_local_master(master):
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - the JVM launcher fails in many ways; say which
        raise SparkUnavailableError(f"the Spark engine cannot start: {exc}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def active_session() -> SparkSession | None:
    """The SparkSession already running in this process, if any (never starts one)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    return SparkSession.getActiveSession()


# ── shipping the index ───────────────────────────────────────────────────────────────────────────


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class IndexFile:
    """A screening index file on the driver's disk, with its sha256."""

    path: Path
    sha256: str
    size: int

    @classmethod
    def of(cls, screener: Any, workdir: Path, cached: Path | None = None) -> IndexFile:
        """The index of ``screener`` as a file in ``workdir``: a hard link to ``cached`` (the on-disk
        index cache file holding this very screener) when there is one, else a new index file."""
        target = workdir / "index.cgix"
        if cached is not None:
            try:
                os.link(cached, target)
            except FileNotFoundError:
                if screener is None:
                    raise ChipguardError(
                        f"the index cache file {cached} went away (pruned by another run?); run again"
                    ) from None
            except OSError:  # another filesystem, or links unsupported
                shutil.copyfile(cached, target)
        if not target.exists():
            from chipguard.match import indexfile

            indexfile.write(screener, target)
        return cls(target, sha256_file(target), target.stat().st_size)


@dataclass(frozen=True, slots=True)
class Shipment:
    """What an executor needs to get the index: a path it can read, the name of a file Spark copied to
    every executor (``SparkContext.addFile``), or a broadcast of the bytes."""

    sha256: str
    path: str | None = None
    broadcast: Any = None  # pyspark Broadcast[bytes]
    file: str | None = None  # a name for SparkFiles.get

    def read(self) -> bytes:
        if self.path is not None:
            return Path(self.path).read_bytes()
        return bytes(self.broadcast.value)


def ship(spark: SparkSession, index: IndexFile, mode: str = "auto") -> Shipment:
    """``path`` for executors that share the driver's disk (the default for local masters), ``file``
    (the default elsewhere: Spark copies the file once to each executor machine, whose workers all map
    that copy), or ``broadcast`` (the bytes through Spark's broadcast, written to a local file there)."""
    master = spark.sparkContext.master or ""
    if mode == "auto":
        mode = "path" if is_local_master(master) else "file"
    if mode == "path":
        return Shipment(index.sha256, path=str(index.path))
    if mode == "file":
        # named by content: a session may ship several indexes, and Spark refuses a changed file under a
        # name it already serves
        named = index.path.with_name(f"chipguard-index-{index.sha256[:16]}.cgix")
        if not named.exists():
            try:
                os.link(index.path, named)
            except OSError:  # links unsupported here
                shutil.copyfile(index.path, named)
        spark.sparkContext.addFile(str(named))
        return Shipment(index.sha256, file=named.name)
    if mode == "broadcast":
        return Shipment(index.sha256, broadcast=spark.sparkContext.broadcast(index.path.read_bytes()))
    raise ValueError(f"unknown shipment mode {mode!r} (auto, path, file or broadcast)")


_LOADED: dict[str, Any] = {}  # per executor Python worker: sha256 → Screener


def executor_screener(shipment: Shipment) -> Any:
    """The Screener of ``shipment`` in this worker process, opened once and checked against its sha256
    (only the file the driver hashed is ever used). A path is mapped where it lies; broadcast bytes are
    written once per executor machine to a local file named by their sha256, then mapped."""
    screener = _LOADED.get(shipment.sha256)
    if screener is None:
        from chipguard.match import indexfile

        if shipment.path is not None or shipment.file is not None:
            if shipment.file is not None:
                from pyspark import SparkFiles

                path = Path(SparkFiles.get(shipment.file))
            else:
                path = Path(str(shipment.path))
            if sha256_file(path) != shipment.sha256:
                raise RuntimeError("the screening index shipped to this executor does not match its sha256")
        else:
            data = shipment.read()
            if hashlib.sha256(data).hexdigest() != shipment.sha256:
                raise RuntimeError("the screening index shipped to this executor does not match its sha256")
            path = Path(tempfile.gettempdir()) / f"chipguard-index-{shipment.sha256}.cgix"
            if not path.exists() or sha256_file(path) != shipment.sha256:
                fd, tmp = tempfile.mkstemp(prefix=".chipguard-index-", dir=path.parent)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
        screener = indexfile.open_screener(path, verify=False)  # its sha256 was checked just above
        _LOADED.clear()  # one index per worker: a new job's index replaces the last one
        _LOADED[shipment.sha256] = screener
    return screener


def _screen_partition(
    shipment: Shipment, ctx: BatchContext, counters: tuple[Any, Any], slices: Iterator[list[Subject]]
) -> Iterator[dict[str, Any]]:
    rows, hits = counters
    screener = executor_screener(shipment)
    subjects = (subject for chunk in slices for subject in chunk)
    for record in screen_subjects(screener, subjects, ctx):
        rows.add(1)
        if record["has_hit"]:
            hits.add(1)
        yield record


def records(
    spark: SparkSession,
    shipment: Shipment,
    subjects: Sequence[Subject],
    ctx: BatchContext,
    partitions: int | None = None,
) -> tuple[Any, Any, Any]:
    """(RDD of records in input order, row counter, hit counter). Subjects are split into ``partitions``
    slices; by default twice the default parallelism (so a slow slice does not leave a core idle), but
    no slice under ``MIN_ROWS_PER_PARTITION`` rows (each worker that gets a slice maps the index and
    readies its name resources first, which a few hundred rows do not repay) and none over
    ``MAX_ROWS_PER_PARTITION`` (a million rows in four slices would leave a core idle for the last
    one's tail and hold a quarter of the input per task)."""
    from functools import partial

    sc = spark.sparkContext
    by_size = -(-len(subjects) // MIN_ROWS_PER_PARTITION)  # ceiling division
    slices = partitions or max(
        min(2 * sc.defaultParallelism, by_size), -(-len(subjects) // MAX_ROWS_PER_PARTITION)
    )
    slices = max(1, min(slices, len(subjects)))
    # Equal contiguous slices, one per partition: parallelize() on the rows themselves splits by its
    # serialisation batches (1,024 rows), which leaves partitions of very unequal size.
    size = -(-len(subjects) // slices)
    chunks = [list(subjects[i : i + size]) for i in range(0, len(subjects), size)]
    rows, hits = sc.accumulator(0), sc.accumulator(0)
    rdd = sc.parallelize(chunks, len(chunks)).mapPartitions(
        partial(_screen_partition, shipment, ctx, (rows, hits))
    )
    return rdd, rows, hits


def ddl_schema() -> str:
    """The output columns as a Spark DDL schema (the same columns and order as the local engine's)."""
    return ", ".join(f"`{name}` {kind}" for name, kind in FIELDS)


def write_jsonl(rdd: Any, workdir: Path) -> Path:
    """Spark writes JSON lines as part files in ``workdir/parts``; they are concatenated in partition
    order (= input order) into ``workdir/out.jsonl``, which the caller renames into place."""
    from chipguard.batch.model import to_json_line

    parts = workdir / "parts"
    rdd.map(to_json_line).saveAsTextFile(str(parts))
    target = workdir / "out.jsonl"
    with target.open("wb") as out:
        for part in sorted(parts.glob("part-*")):
            with part.open("rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    shutil.rmtree(parts)
    return target


def write_parquet(spark: SparkSession, rdd: Any, workdir: Path) -> Path:
    """A Parquet dataset (a folder of part files, Spark's layout) in ``workdir/out.parquet``."""
    rows = rdd.map(lambda r: tuple(r[k] for k in FIELD_NAMES))
    target = workdir / "out.parquet"
    spark.createDataFrame(rows, schema=ddl_schema()).write.mode("error").parquet(str(target))
    return target
