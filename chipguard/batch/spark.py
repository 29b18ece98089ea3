"""The Spark engine: the batch model (``chipguard.batch.model``) mapped over partitions of subjects.

How the index reaches the executors: the driver holds the screening index as an index file
(``chipguard.match.indexfile``) — the on-disk index cache file ``chipguard.service.screening`` already
wrote, hard-linked into the job's work folder so a cache eviction during the job cannot pull it away, or
a fresh file when the cache is off. Executors on the same machine (``local[N]``, or a cluster with a
shared filesystem) *map* that path read-only, so every Python worker shares one copy of its pages;
elsewhere the bytes go out once as a Spark broadcast and each executor writes them to a local file it
maps. Either way an executor's Python worker checks the file against the driver's sha256, opens the
index once and keeps it for every later partition and task it runs (``spark.python.worker.reuse``), and
each partition is screened by that one Screener through ``mapPartitions`` — never an index per row.

The sha256 is computed once per machine, not once per Python worker: whoever hashes a file (the driver,
or the first worker on an executor machine) leaves a *verification stamp* and the other workers of that
machine trust the stamp instead of reading the whole file again (1.2 GB at a million entities). See
:func:`verify_index` for what a stamp is keyed by and why it keeps the guarantee the hash gives.

pyspark is an optional dependency (``pip install 'chipguard[spark]'``) and needs a Java runtime (17 here);
:func:`unavailable` says why Spark cannot run instead of failing deep inside the JVM launcher.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from itertools import pairwise
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipguard.batch.model import FIELD_NAMES, FIELDS, BatchContext, Subject, screen_subjects
from chipguard.errors import ChipguardError
from chipguard.model import ScreeningSubject
from chipguard.settings import env_name, settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"
# The JVM of a local run (driver and executor in one) only schedules tasks and moves the Python workers'
# bytes to files; its own CPU is mostly JIT compiling Spark's code with both compilers. C1 alone
# (``TieredStopAtLevel=1``) halves it — measured session start-up 4.9 → 2.5 CPU s, a first job's 2.0 → 1.1,
# a later one's 0.5 → 0.2 — and the slower peak code of C1 costs nothing a screening run can see (the
# screening is in Python). Only for local masters started here: a cluster's executors and a driver
# started by spark-submit keep their own settings.
LOCAL_DRIVER_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1"
# The Python worker daemon of a local run: pyspark's, with chipguard's screening code and name resources
# loaded once before it forks the workers (see chipguard.batch.spark_daemon)
LOCAL_DAEMON_MODULE = "chipguard.batch.spark_daemon"
# Names the job's index to that daemon through the Python workers' environment (JSON: path and sha256 of
# a file that outlives the job), so it maps and decodes the index once before it forks the workers
# (:func:`daemon_index`)
DAEMON_INDEX_ENV = env_name("spark_daemon_index")
MIN_ROWS_PER_PARTITION = 500
# a partition is one task: with the Python workers reused, a task costs milliseconds, so a large input is
# cut into many (the cores stay busy to the end, each task's rows and records stay small in memory)
MAX_ROWS_PER_PARTITION = 5_000
# The relative screening cost of one name, known from its script alone (the driver cuts the partitions
# without analysing any name): a name in Han script is segmented, transliterated and screened in several
# Latin forms — about 2.5 times the CPU of a Latin-script name. Measured in one ready process (mapped index,
# decoded whole): the 40 companies of real_cn_queries named both ways, 5.16 vs 1.89 ms per row (2.7x);
# the bench rows' Han and Latin names 4.54 vs 1.91 ms (2.4x); 800 synthetic customers 1.27 ms
# (BENCHMARKS.md, "Issue 16, session 16"). Integers, so a cut is exact arithmetic.
LATIN_NAME_COST = 2
HAN_NAME_COST = 5


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


def is_loopback_master(master: str) -> bool:
    """A standalone master on this machine's loopback (``spark://127.0.0.1:PORT``): the driver then
    binds there too, so nothing of the job listens on the network."""
    return master.startswith(("spark://127.0.0.1:", "spark://localhost:"))


def under_spark_submit() -> bool:
    """Whether this Python process is a driver launched by ``spark-submit`` (the JVM started first and
    handed its gateway to Python): then ``--master`` and the other ``spark-submit`` options are in the
    JVM's configuration already, and a master is set here only when the caller names one."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def session(
    master: str | None = None, app_name: str = "chipguard-batch", partitions: int = 2
) -> SparkSession:
    """A SparkSession for a batch run on ``master`` (default ``local[2]``; under ``spark-submit``, the
    master given to ``spark-submit``). For local and loopback masters everything binds to 127.0.0.1, and
    the UI is off: a screening job opens no port to the network; a local master's JVM compiles with C1
    only (``LOCAL_DRIVER_JAVA_OPTIONS``) and its Python workers are forked from a daemon that loaded the
    screening code once (``LOCAL_DAEMON_MODULE``). Executors run this very Python (the venv's)."""
    reason = unavailable()
    if reason:
        raise SparkUnavailableError(f"the Spark engine cannot start: {reason}")
    from pyspark.sql import SparkSession

    if master is None and not under_spark_submit():
        master = DEFAULT_MASTER
    loopback = master is not None and (is_local_master(master) or is_loopback_master(master))
    if loopback:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder
    if master is not None:
        builder = builder.master(master)
    builder = (
        builder.appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(1, partitions)))
        .config("spark.python.worker.reuse", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.pyspark.python", sys.executable)
    )
    if loopback:
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    if master is not None and is_local_master(master) and not under_spark_submit():
        builder = builder.config("spark.driver.extraJavaOptions", LOCAL_DRIVER_JAVA_OPTIONS).config(
            "spark.python.daemon.module", LOCAL_DAEMON_MODULE
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


# ── verification stamps: the sha256 of an index file computed once per machine ───────────────────────

# the fixed head of an index file: magic, format version, header length and the sha256 of its content
# (``chipguard.match.indexfile``); part of a stamp's key, read in one small read
_HEAD_BYTES = 44
# a file whose change time is more recent than this when its hashing starts is never stamped: the kernel
# stamps times from a coarse clock (a few ms per tick), so a second change within the same tick as the
# last one would leave ctime as it was (git's "racily clean" files); seconds are far beyond any tick
RACY_SECONDS = 2.0


def _identity(path: Path) -> dict[str, Any]:
    """What a stamp is keyed by: which file (device, inode), its size, its modification *and* change
    times in nanoseconds, and its first bytes (magic, format, the content's own sha256)."""
    with path.open("rb") as fh:
        st = os.fstat(fh.fileno())
        head = fh.read(_HEAD_BYTES)
    return {
        "dev": st.st_dev,
        "ino": st.st_ino,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
        "head": head.hex(),
    }


def stamp_dir() -> Path | None:
    """This user's folder of verification stamps (``$TMPDIR/chipguard-verified-UID``, mode 0700), or
    None when it cannot be made or is not safely ours (another owner, other permissions, a symlink): then
    nothing is stamped or trusted and every worker hashes the file, as without stamps."""
    import stat

    folder = Path(tempfile.gettempdir()) / f"chipguard-verified-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return folder


def _stamp_path(folder: Path, sha256: str, identity: dict[str, Any]) -> Path:
    key = json.dumps([sha256, identity], sort_keys=True).encode()
    return folder / f"{hashlib.sha256(key).hexdigest()}.stamp"


def _stamped(folder: Path, path: Path, sha256: str) -> bool:
    """Whether a stamp of this user says the file at ``path``, exactly as it is now, has ``sha256``."""
    import stat

    try:
        identity = _identity(path)
        stamp = _stamp_path(folder, sha256, identity)
        st = os.lstat(stamp)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            return False
        record = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(record == {"sha256": sha256, "identity": identity})


def _hash_and_stamp(folder: Path | None, path: Path) -> str:
    """Reads the whole file for its sha256 and, when ``folder`` is given and the file stayed the same
    while it was read and had not changed in the last ``RACY_SECONDS`` before, leaves a stamp."""
    started = time.time_ns()
    before = _identity(path)
    digest = sha256_file(path)
    if folder is None or started - before["ctime_ns"] < RACY_SECONDS * 1e9 or _identity(path) != before:
        return digest
    with contextlib.suppress(OSError):
        fd, tmp = tempfile.mkstemp(prefix=".stamp-", dir=folder)  # mode 0600
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"sha256": digest, "identity": before}, fh, sort_keys=True)
        os.replace(tmp, _stamp_path(folder, digest, before))
    return digest


def hash_and_stamp(path: Path) -> str:
    """The sha256 of ``path``, read in full (the driver's: it is the value every executor checks)."""
    return _hash_and_stamp(stamp_dir(), path)


def verify_index(path: Path, sha256: str) -> None:
    """Raises unless the file at ``path`` has the driver's ``sha256``; reads the whole file only when no
    process of this machine has done so for this very file since it last changed. Workers that start
    together wait for the one that hashes (a lock per file), then trust its stamp.

    Why a stamp keeps the guarantee. The hash is there so that an executor screens with exactly the
    index the driver chose: not a stale copy left under the same name, not a file replaced or rewritten
    since, not one damaged in transit or by a short write. A stamp is trusted only when it names the
    same expected sha256 *and* the same file as it is now: device and inode (a file put in its place by a
    rename or a copy is another inode), size, mtime and ctime in nanoseconds, and the file's fixed head
    (format, and the sha256 of its content the index writer stored). Any write to the file through the
    filesystem — even resetting its mtime with ``touch``/``utime`` — sets its ctime to the current time,
    which no unprivileged process can set back, so a file changed after it was hashed no longer matches
    its stamp and is hashed again. A file changed while it was hashed, or changed within
    ``RACY_SECONDS`` before (a second change inside the same tick of the kernel's coarse clock could keep
    the ctime), is not stamped. The stamps live in a 0700 folder of this user and are trusted only when
    owned by this user with no group/other permissions: forging one takes this user's (or root's)
    rights, which already allow changing the Python code the worker runs.
    What a stamp does not see — and the hash at open never saw either — is a change that bypasses the
    filesystem (a raw block-device write, the clock set back by root) or damage to the pages *after*
    they were checked: the hash is taken once, when a worker maps the file, not on every read of the
    mapped pages. (Times come from the file's own filesystem: on a network filesystem whose server clock
    runs behind this machine's, the racy margin shrinks by the difference.)"""
    folder = stamp_dir()
    if folder is not None and _stamped(folder, path, sha256):
        return
    lock = None
    if folder is not None:
        import fcntl

        with contextlib.suppress(OSError):
            lock = (folder / f"{hashlib.sha256(str(path.resolve()).encode()).hexdigest()}.lock").open("a")
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed (or the worker dies)
    try:
        if folder is not None and lock is not None and _stamped(folder, path, sha256):
            return  # another worker hashed it while this one waited
        if _hash_and_stamp(folder, path) != sha256:
            raise RuntimeError("the screening index shipped to this executor does not match its sha256")
    finally:
        if lock is not None:
            lock.close()


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
        digest = hash_and_stamp(target)  # executors on this machine trust the stamp (verify_index)
        return cls(target, digest, target.stat().st_size)


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


@contextlib.contextmanager
def daemon_index(spark: SparkSession, shipment: Shipment, stable: Path | None) -> Iterator[None]:
    """Within it, the Python functions of the jobs this process starts name the index to chipguard's
    worker daemon (``DAEMON_INDEX_ENV`` in ``SparkContext.environment``): the daemon maps ``stable`` —
    the on-disk index cache file, a path that outlives the job — checks it against the shipment's
    sha256, decodes every record when the list fits the decode caches (``indexfile.decode_whole``) and
    only then forks the workers, which find the screener in ``_LOADED`` and share its decoded records
    copy-on-write (``chipguard.batch.spark_daemon``).

    Why: a fresh worker pays for the first touch of each record it meets (15–20 % of a mapped worker's
    CPU per query over its first queries), and two workers each decoded for themselves nearly every
    record a large file meets — a one-time cost the local engine pays once. Spark keys its daemons by the
    workers' environment, so every job naming the same file and sha256 reuses the same daemon and
    workers ("workers ready"); another index gets a daemon of its own. Only for a session whose workers
    come from chipguard's daemon and an index shipped by path (executors on this machine); otherwise, and
    without a stable file (the index cache off), nothing is set and each worker maps the index itself.
    The previous value is restored afterwards, so other jobs of a shared session are not affected."""
    sc = spark.sparkContext
    ours = sc.getConf().get("spark.python.daemon.module") == LOCAL_DAEMON_MODULE
    if not ours or stable is None or shipment.path is None:
        yield
        return
    env = sc.environment
    before = env.get(DAEMON_INDEX_ENV)
    env[DAEMON_INDEX_ENV] = json.dumps({"path": str(stable), "sha256": shipment.sha256})
    try:
        yield
    finally:
        if before is None:
            env.pop(DAEMON_INDEX_ENV, None)
        else:
            env[DAEMON_INDEX_ENV] = before


def preload_daemon_index() -> bool:
    """In the worker daemon (``chipguard.batch.spark_daemon``) before it forks: maps the index
    ``DAEMON_INDEX_ENV`` names, checked against its sha256 exactly as a worker checks it
    (:func:`verify_index`), decodes every record when it fits the caches, and keeps it in ``_LOADED``,
    where :func:`executor_screener` in each forked worker finds it. False when no index is named."""
    named = settings().spark_daemon_index
    if not named:
        return False
    from chipguard.match import indexfile

    spec = json.loads(named)
    path, sha256 = Path(spec["path"]), str(spec["sha256"])
    verify_index(path, sha256)
    screener = indexfile.open_screener(path, verify=False)  # its sha256 was checked just above
    indexfile.decode_whole(screener)
    _LOADED.clear()
    _LOADED[sha256] = screener
    return True


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
            verify_index(path, shipment.sha256)  # once per machine: the other workers trust its stamp
        else:
            data = shipment.read()
            if hashlib.sha256(data).hexdigest() != shipment.sha256:
                raise RuntimeError("the screening index shipped to this executor does not match its sha256")
            path = Path(tempfile.gettempdir()) / f"chipguard-index-{shipment.sha256}.cgix"
            try:
                verify_index(path, shipment.sha256)
            except (OSError, RuntimeError):  # not there yet, or not these bytes: (re)written
                fd, tmp = tempfile.mkstemp(prefix=".chipguard-index-", dir=path.parent)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
        screener = indexfile.open_screener(path, verify=False)  # its sha256 was checked just above
        if _LOADED:
            # one index per worker: a new job's index replaces the last one. Its objects were frozen
            # (settle_worker_heap): unfrozen first, so the collector can free what reference counting
            # cannot (cycles) instead of keeping the old index's objects for the worker's lifetime
            gc.unfreeze()
            _LOADED.clear()
            gc.collect()
        _LOADED[shipment.sha256] = screener
    return screener


def settle_worker_heap() -> None:
    """Collects this worker's garbage once, then moves every object left (the screener, the name
    resources, the caches of decoded names and analyses) out of the cycle collector's sight
    (``gc.freeze``).

    Why: a reused PySpark worker runs a full ``gc.collect()`` between any two tasks (pyspark's daemon), and
    the collector's automatic full passes during a task walk the same objects; in a screening worker
    those are hundreds of thousands of long-lived cached objects (more with a larger list), walked again
    for every task — CPU the local engine, one process running one loop, never spends. Frozen objects are
    still freed by reference counting; only cycles among them would outlive the worker, and the collect
    just before each freeze leaves none of the task's garbage behind. Results do not depend on it."""
    gc.collect()
    gc.freeze()


def _screen_partition(
    shipment: Shipment, ctx: BatchContext, counters: tuple[Any, Any], slices: Iterator[list[tuple[Any, ...]]]
) -> Iterator[dict[str, Any]]:
    rows, hits = counters
    screener = executor_screener(shipment)
    subjects = (subject for chunk in slices for subject in unpack_subjects(chunk))
    done = with_hit = 0
    for record in screen_subjects(screener, subjects, ctx):
        done += 1
        with_hit += bool(record["has_hit"])
        yield record
    rows.add(done)  # once per partition: Spark sends a task's accumulator updates when it ends anyway
    hits.add(with_hit)
    settle_worker_heap()


_SUBJECT_HEAD = attrgetter(*(f.name for f in dataclass_fields(Subject) if f.name != "targets"))
_TARGET = attrgetter(*(f.name for f in dataclass_fields(ScreeningSubject)))


def pack_subjects(subjects: Iterable[Subject]) -> list[tuple[Any, ...]]:
    """Subjects as plain tuples, the form a partition's rows are shipped in: each subject's fields in
    their declared order, its targets last, each target as the tuple of its fields.

    Why: pickling a frozen dataclass with slots goes through ``copyreg`` and a Python ``__setstate__``
    per object; 20,000 customer rows (a subject and a target each) took 117 ms to pickle on the driver
    and 160 ms to unpickle on the workers, as tuples 43 ms and 105 ms with the rebuilding
    (:func:`unpack_subjects`). The subjects the workers rebuild are equal to the driver's."""
    head, target = _SUBJECT_HEAD, _TARGET
    return [(*head(s), tuple(target(t) for t in s.targets)) for s in subjects]


def unpack_subjects(rows: Iterable[tuple[Any, ...]]) -> Iterator[Subject]:
    """The subjects :func:`pack_subjects` packed."""
    for *head, targets in rows:
        yield Subject(*head, tuple(ScreeningSubject(*t) for t in targets))  # type: ignore[call-arg]


def locality_order(subjects: Sequence[Subject]) -> list[int]:
    """The indexes of ``subjects`` in the order the Spark engine screens them: by name (casefolded),
    ties in input order — deterministic, and independent of anything but the names.

    Why: a screening worker keeps the index records it decoded, the postings it looked up and the
    analyses of the words it met in bounded per-process caches. Names that sort together share their
    first words, so they retrieve the same candidates: screened one after another, each candidate is
    decoded once while it is still cached, and each worker's caches hold one range of the alphabet
    instead of both workers warming the whole of it. Measured on 20,000 synthetic customers (plain
    processes, no Spark): two halves in input order 21.8 CPU s, two halves of the sorted order 18.1 s,
    the whole file in one process 20.4 s. The output is put back in input order when it is written
    (:func:`write_jsonl`), so the records and their bytes do not change."""
    return sorted(range(len(subjects)), key=lambda i: (subjects[i].name.casefold(), i))


def row_costs(subjects: Iterable[Subject]) -> list[int]:
    """The estimated screening cost of each subject: the sum over the names it screens (a customer's own,
    its other names, owners and parent) of ``HAN_NAME_COST`` for a name with Han characters, else
    ``LATIN_NAME_COST``; a subject without targets (nothing to screen) still costs one Latin name.
    ~2 µs a row on the driver."""
    from chipguard.names.chinese import has_han

    han, latin = HAN_NAME_COST, LATIN_NAME_COST
    return [sum(han if has_han(t.name) else latin for t in s.targets) or latin for s in subjects]


def cost_cuts(costs: Sequence[int], slices: int) -> list[int]:
    """Where to cut rows of ``costs`` (in the order they are screened) into at most ``slices`` contiguous
    runs of about equal total cost: the boundaries, 0 first and ``len(costs)`` last. Run k (counted from
    1) ends with the first row, after run k-1's, at which the running total reaches k/``slices`` of the
    whole. No run is empty; there are fewer than ``slices`` runs only when some row alone costs more
    than a share (or there are fewer rows than slices).

    Why not equal row counts: rows differ in cost (a Han-script name ~2.5x a Latin one), and a name order
    groups them — the 6,360 bench rows sorted by name are Latin names then Chinese ones, so four slices
    of equal counts held 1.6, 2.7, 3.8 and 3.6 CPU s of screening (each task timed in its worker, a
    ready session); cut by cost 3.1, 3.5, 2.7, 2.7 — while contiguous runs keep each worker's caches on
    one range of names (:func:`locality_order`). A run of cheap rows holds more rows than the average, up to
    ``HAN_NAME_COST / LATIN_NAME_COST`` times."""
    total = sum(costs)
    bounds = [0]
    running = 0
    for i, cost in enumerate(costs[:-1]):
        running += cost
        # the next run starts after row i once the running total reaches the next share
        if len(bounds) < slices and running * slices >= total * len(bounds):
            bounds.append(i + 1)
    bounds.append(len(costs))
    return bounds


def records(
    spark: SparkSession,
    shipment: Shipment,
    subjects: Sequence[Subject],
    ctx: BatchContext,
    partitions: int | None = None,
    *,
    by_name: bool = False,
) -> tuple[Any, Any, Any, list[int] | None]:
    """(RDD of records, row counter, hit counter, the order the RDD holds them in). Subjects are split
    into ``partitions`` slices; by default twice the default parallelism (so a slow slice does not leave
    a core idle), but no slice under ``MIN_ROWS_PER_PARTITION`` rows (each worker that gets a slice maps
    the index and readies its name resources first, which a few hundred rows do not repay) and none over
    ``MAX_ROWS_PER_PARTITION`` (a million rows in four slices would leave a core idle for the last
    one's tail and hold a quarter of the input per task). The slices are contiguous runs of the rows in
    the order they are screened, of about equal estimated cost (:func:`row_costs`, :func:`cost_cuts`),
    not of equal row counts.

    ``by_name``: the slices are cut from :func:`locality_order` instead of the input order, which is
    returned (the RDD's n-th record is that of ``subjects[order[n]]``) for the writer to restore the
    input order; otherwise the RDD holds the records in input order and the order is None."""
    from functools import partial

    sc = spark.sparkContext
    by_size = -(-len(subjects) // MIN_ROWS_PER_PARTITION)  # ceiling division
    slices = partitions or max(
        min(2 * sc.defaultParallelism, by_size), -(-len(subjects) // MAX_ROWS_PER_PARTITION)
    )
    slices = max(1, min(slices, len(subjects)))
    order = locality_order(subjects) if by_name else None
    ordered = [subjects[i] for i in order] if order is not None else list(subjects)
    # Contiguous slices of equal estimated cost, one per partition (parallelize() on the rows themselves
    # splits by its serialisation batches of 1,024 rows, which leaves partitions of very unequal size)
    bounds = cost_cuts(row_costs(ordered), slices)
    chunks = [pack_subjects(ordered[a:b]) for a, b in pairwise(bounds)]
    rows, hits = sc.accumulator(0), sc.accumulator(0)
    rdd = sc.parallelize(chunks, len(chunks)).mapPartitions(
        partial(_screen_partition, shipment, ctx, (rows, hits))
    )
    return rdd, rows, hits, order


def ddl_schema() -> str:
    """The output columns as a Spark DDL schema (the same columns and order as the local engine's)."""
    return ", ".join(f"`{name}` {kind}" for name, kind in FIELDS)


def write_jsonl(
    rdd: Any, workdir: Path, order: Sequence[int] | None = None, *, local_files: bool = False
) -> Path:
    """The JSON lines go to part files in ``workdir/parts``, concatenated in partition order into
    ``workdir/out.jsonl``, which the caller renames into place. ``order`` (from :func:`records`): the
    n-th line the parts hold is that of input row ``order[n]``, and the lines are copied from the parts
    straight into input order instead (:func:`_write_in_input_order`).

    ``local_files``: the executors run on this machine (a local master), so each task writes its own
    part file (:func:`write_part`) and only its count of lines goes back through the JVM; otherwise
    (any cluster) Spark's text output writes them. The same lines either way (test). Why: through the
    text output every line is pickled by the Python worker, unpickled and written by the JVM (with
    Hadoop's checksum files and commit renames): the output of the 6,360 bench rows (9.2 MB) written by a
    ready session, 10 alternated runs each way, CPU 0.55 → 0.31 s (JVM 0.26 → 0.10, Python workers
    0.24 → 0.18), ~2.3 % of the job (BENCHMARKS.md, "Session 15, spark11")."""
    from chipguard.batch.model import to_json_line

    parts = workdir / "parts"
    if local_files:
        from functools import partial

        parts.mkdir()
        rdd.mapPartitionsWithIndex(partial(write_part, str(parts))).collect()
    else:
        rdd.map(to_json_line).saveAsTextFile(str(parts))
    target = workdir / "out.jsonl"
    files = sorted(parts.glob("part-*"))
    with target.open("wb") as out:
        if order is None:
            for part in files:
                with part.open("rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
        else:
            _write_in_input_order(files, order, out)
        out.flush()
        os.fsync(out.fileno())
    shutil.rmtree(parts)
    return target


def write_part(folder: str, partition: int, records: Iterable[dict[str, Any]]) -> Iterator[int]:
    """In an executor on the driver's machine: writes the JSON lines of ``records`` (one partition) to
    ``folder/part-NNNNN``, named as Spark's text output names its part files, and yields how many. The
    file appears whole (written under a temporary name, then renamed), so a task run twice (a retry)
    leaves one complete part of the same bytes."""
    from chipguard.batch.model import to_json_line

    target = Path(folder) / f"part-{partition:05d}"
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # not matched by part-*
    count = 0
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        write = fh.write
        for record in records:
            write(to_json_line(record) + "\n")
            count += 1
    os.replace(tmp, target)
    yield count


def _write_in_input_order(paths: Sequence[Path], order: Sequence[int], out: Any) -> None:
    """Copies the lines of the files ``paths``, read one after the other (their n-th line is that of
    input row ``order[n]``), to ``out`` in input order. The files are mapped, not read into memory, and
    not joined into one first: three integers are held per row (which file, where its line starts, its
    length: 20 bytes), and the work folder never holds the output twice beside its part files (session
    17: the parts were first copied into one file in the RDD's order, then that file was reordered)."""
    import mmap
    from array import array

    rows = len(order)
    source, start, length = (
        array("i", bytes(4 * rows)),
        array("q", bytes(8 * rows)),
        array("q", bytes(8 * rows)),
    )
    maps: list[Any] = []
    try:
        n = 0
        for k, path in enumerate(paths):
            with path.open("rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            maps.append(data)
            at = 0
            while at < size:
                stop = data.find(b"\n", at)
                if stop < 0 or n >= rows:
                    raise RuntimeError("the Spark part files do not hold one line per input row")
                row = order[n]
                source[row], start[row], length[row] = k, at, stop + 1 - at
                at, n = stop + 1, n + 1
        if n != rows:
            raise RuntimeError(f"the Spark part files hold {n} lines for {rows} input rows")
        write = out.write
        for row in range(rows):
            at = start[row]
            write(maps[source[row]][at : at + length[row]])
    finally:
        for data in maps:
            if isinstance(data, mmap.mmap):
                data.close()


def write_parquet(spark: SparkSession, rdd: Any, workdir: Path) -> Path:
    """A Parquet dataset (a folder of part files, Spark's layout) in ``workdir/out.parquet``."""
    rows = rdd.map(lambda r: tuple(r[k] for k in FIELD_NAMES))
    target = workdir / "out.parquet"
    spark.createDataFrame(rows, schema=ddl_schema()).write.mode("error").parquet(str(target))
    return target
