"""Batch throughput: rows/s of ``chipguard batch`` on the local engine, of ``screen-file --workers 1`` and
``2``, and of ``chipguard batch`` on Spark in local mode, same input, all from the mapped index file.

Run: ``.venv/bin/python -m bench.batch --shared ../shared/data`` (also run by ``make bench``). The input is
``bench/screening_queries.csv`` and ``bench/xscript_queries.csv`` (2,866 Latin-script and 3,494 Chinese
names) screened against CSL 2022-04, the index built once and
excluded; each engine writes the JSONL output through the real job code (``chipguard.batch.jobs.run``),
and the outputs must be byte-identical. Two sets of figures: wall-clock rows/s (Spark is about using both
cores; meaningless on a busy machine) and **CPU time per engine**, which depends far less on the load (not at all: two processes on one cache pay for each other) — the
local engine's process, and for Spark this driver process plus its JVM and its Python workers (the JVM's
process tree, read from ``/proc``); rows per CPU-second is an engine's rows/s per core. Two comparisons:

- **new processes**, what one CLI run pays: the local engine on a new mapping of the index with every per-text
  cache cleared (it would otherwise start warm from building the index and validating the input in this
  process), and Spark ``local[2]``'s first job on a new session (its daemon maps and decodes the index inside
  the job; the session's own start-up is reported apart);
- **ready engines, per core** (issue 16 item 4): each engine's processes first screen the same other names
  as a job of their own (:func:`ready_history`), then the input — the local engine on a new mapping, Spark
  on a new session — alternated ``--rounds`` times per input; the median ratio and the range are reported.

Unlike ``python -m bench`` this is not pinned to one core.
"""

from __future__ import annotations

import argparse
import atexit
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

CSL = "lists/us_csl_2022-04.csv.gz"
QUERIES = ("bench/screening_queries.csv", "bench/xscript_queries.csv")
WARMUP = "bench/real_cn_queries.csv"  # other names: readies the workers without warming the caches
# The history both engines' processes have before the per-core comparison ("ready"): the WARMUP names and
# this many synthetic customers of another seed (READY_SEED; the measured customers are seed 23), screened
# by each engine as a job of its own. See ready_history().
READY_CUSTOMERS = 2_000
READY_SEED = 29
# alternated rounds of the per-core comparison: one round's ratio moves ±0.1 even on a quiet machine (the
# VM's neighbours), so the median of 5 is reported (3 until session 15)
ROUNDS = 5


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (screen-file's worker processes)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _stat_times(pid: int) -> tuple[int, float, float]:
    """(parent pid, CPU seconds of the process itself, CPU seconds of its reaped children) from
    ``/proc/<pid>/stat`` (fields 4, 14+15 and 16+17; the command name may hold spaces or parentheses,
    so the fields are counted from the last ``)``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (
        int(fields[1]),
        (int(fields[11]) + int(fields[12])) / tick,
        (int(fields[13]) + int(fields[14])) / tick,
    )


def tree_cpu(root: int) -> tuple[float, float]:
    """(CPU seconds of process ``root`` itself, CPU seconds of all its descendants, living or reaped).

    For Spark: the JVM, and the Python daemon with its workers. Living descendants are found by their
    parent pids in ``/proc``; a reaped one counts in its parent's children's time (a worker that pyspark's
    daemon reaps by ignoring SIGCHLD is lost, which is why a session is measured before it stops: reused
    workers live as long as the session)."""
    parents: dict[int, int] = {}
    own: dict[int, tuple[float, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid, cpu, reaped = _stat_times(int(entry.name))
        except (OSError, ValueError, IndexError):  # gone meanwhile, or not readable
            continue
        parents[int(entry.name)] = ppid
        own[int(entry.name)] = (cpu, reaped)
    if root not in own:
        return 0.0, 0.0
    descendants, frontier = [], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        descendants += frontier
    root_cpu, root_reaped = own[root]
    return root_cpu, root_reaped + sum(sum(own[pid]) for pid in descendants)


@dataclass(frozen=True, slots=True)
class EngineCpu:
    """CPU seconds one engine spent on a job: this (driver) process, and for Spark its JVM and the Python
    workers (the JVM's descendants)."""

    driver: float
    jvm: float = 0.0
    workers: float = 0.0

    @property
    def total(self) -> float:
        return self.driver + self.jvm + self.workers


def cpu_of(fn: Any, jvm_pid: int | None = None) -> tuple[Any, EngineCpu]:
    """(what ``fn()`` returns, the CPU it cost this process and, given ``jvm_pid``, that JVM's tree)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    jvm = tree_cpu(jvm_pid) if jvm_pid else (0.0, 0.0)
    out = fn()
    me2 = resource.getrusage(resource.RUSAGE_SELF)
    jvm2 = tree_cpu(jvm_pid) if jvm_pid else (0.0, 0.0)
    driver = me2.ru_utime + me2.ru_stime - me.ru_utime - me.ru_stime
    return out, EngineCpu(driver, jvm2[0] - jvm[0], jvm2[1] - jvm[1])


def cpu_with_workers(fn: Any) -> tuple[Any, EngineCpu]:
    """(what ``fn()`` returns, the CPU it cost this process and the worker processes it started and
    waited for — with their own children: the local engine's ``--workers`` pool)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = fn()
    me2 = resource.getrusage(resource.RUSAGE_SELF)
    kids2 = resource.getrusage(resource.RUSAGE_CHILDREN)
    driver = me2.ru_utime + me2.ru_stime - me.ru_utime - me.ru_stime
    return out, EngineCpu(driver, 0.0, kids2.ru_utime + kids2.ru_stime - kids.ru_utime - kids.ru_stime)


def jvm_pid(session: Any) -> int | None:
    """The pid of the JVM pyspark launched for ``session`` (None under spark-submit, which started the JVM
    first, or where pyspark keeps no handle on it)."""
    proc = getattr(getattr(session.sparkContext, "_gateway", None), "proc", None)
    return getattr(proc, "pid", None)


def clear_name_caches() -> None:
    """Forgets every per-text cache of the name and match code (the bounded ``lru_cache`` functions of
    ``chipguard.names`` and ``chipguard.match``; the per-process resources — transliterators, the Chinese
    vocabulary — are caches of one or a few entries and stay). ``bench.run.clear_query_caches`` clears
    only the caches of a query's analysis; the per-word ones below them stay warm from building the index
    and validating the input in this process, which a Spark worker (another process) never had — so the
    local engine would start its run with an advantage no engine has in a real run of its own."""
    import sys

    for name, module in list(sys.modules.items()):
        if not name.startswith(("chipguard.names", "chipguard.match")) or module is None:
            continue
        for value in list(vars(module).values()):
            info = getattr(value, "cache_info", None)
            if callable(info) and getattr(value, "__module__", None) == name:
                size = info().maxsize
                if size is not None and size > 64:
                    value.cache_clear()


def screen_file_run(screener: Any, rows: list[Any], out: Path, workers: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the parent and its workers) of one screen-file pass."""
    from bench.run import clear_query_caches
    from chipguard.cli.screen import screen_file_to

    clear_query_caches()
    cpu = _cpu()
    _, seconds = _timed(lambda: screen_file_to(screener, rows, out, workers=workers))
    return seconds, _cpu() - cpu


def synthetic_customers(shared: Path, count: int, seed: int = 23) -> Iterator[Any]:
    """``count`` synthetic customers (parties, one at a time): names drawn from the list's own name
    distributions (``bench.scale.synthetic_parties``, another seed), so most are unlisted look-alikes as
    a real customer file's are, a few per thousand close to a listed name."""
    from bench.scale import synthetic_parties
    from chipguard.match.screener import readable
    from chipguard.sources import parse_file

    real = parse_file(shared / CSL).parties
    made = 0
    for party in synthetic_parties(real, 2 * count, seed=seed):
        if readable(party.name):  # a draw of punctuation-only words is not a customer name
            yield party
            made += 1
            if made == count:
                return


def customer_rows(shared: Path, count: int, seed: int = 23) -> list[Any]:
    """``count`` customer rows (:func:`synthetic_customers`) as screen-file reads them."""
    return [
        (i + 2, f"c{i}", party.name, party.kind.value, None, None)
        for i, party in enumerate(synthetic_customers(shared, count, seed))
    ]


def bench_input(shared: Path) -> tuple[list[Any], Any]:
    """The subjects (every row of ``QUERIES``, numbered) and the batch context of every run here."""
    from chipguard import ENGINE_VERSION
    from chipguard.batch.model import BatchContext, query_subject
    from chipguard.names.data import default_threshold
    from chipguard.service.query_files import read_input

    rows = [r for path in QUERIES for r in read_input(screen_columns(shared / path))]
    subjects = [replace(query_subject(r), position=i) for i, r in enumerate(rows)]
    ctx = BatchContext(
        threshold=default_threshold(),
        limit=10,
        snapshot_refs=("us_csl:bench",),
        snapshot_ids=(0,),
        snapshot_sha256=("0" * 64,),
        lists_stale=False,
        engine_version=ENGINE_VERSION,
        rules_version="bench",
    )
    return subjects, ctx


def screen_columns(path: Path) -> Path:
    """The bench CSV ``path`` cut to the columns an input file of names has (id, name, kind, country):
    the sets also carry their answers (category, expect, accept_ids …), which the reader refuses as
    unknown columns. Written beside the other temporary files of the run."""
    import csv

    out = Path(tempfile.mkdtemp(prefix="chipguard-bench-input-")) / path.name
    atexit.register(shutil.rmtree, out.parent, True)
    with (
        path.open(encoding="utf-8-sig", newline="") as src,
        out.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.DictReader(src)
        keep = [c for c in ("id", "name", "kind", "country") if c in (reader.fieldnames or [])]
        writer = csv.DictWriter(dst, fieldnames=keep, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(reader)
    return out


def engine_cpu_table(runs: list[tuple[str, int, EngineCpu, EngineCpu]]) -> str:
    """The engines compared by CPU time (every process of each: load-independent, unlike the wall-clock
    rows/s above). ``runs``: (label, rows, CPU of the run, CPU of the local engine on the same rows). Rows
    per CPU-second is the rows/s one core gives: Spark ``local[2]`` is at least as fast per core as the
    local engine when its figure is at least the local one (issue 16 item 4)."""
    lines = [
        "\nCPU time per engine (driver = this process; Spark adds its JVM and its Python workers, summed "
        "from /proc over the JVM's process tree): rows per CPU-second is the rows/s of one core\n",
        "| engine | rows | CPU s | driver / JVM / Python workers s | CPU ms per row | rows/s per core | × local |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for label, rows, cpu, local in runs:
        lines.append(
            f"| {label} | {rows} | {cpu.total:.1f} | {cpu.driver:.1f} / {cpu.jvm:.1f} / {cpu.workers:.1f} "
            f"| {1000 * cpu.total / rows:.2f} | {rows / cpu.total:.0f} | {local.total / cpu.total:.2f} |"
        )
    return "\n".join(lines)


def customer_subjects(rows: list[Any]) -> list[Any]:
    """The synthetic customer rows (:func:`customer_rows`) as the subjects of a batch run."""
    from chipguard.batch.model import query_subject
    from chipguard.service.query_files import QueryRow

    return [
        query_subject(QueryRow(id=cid, name=name, kind=kind, country=country, line=line, position=i))
        for i, (line, cid, name, kind, country, _) in enumerate(rows)
    ]


def ready_history(shared: Path, warmup: list[Any]) -> list[Any]:
    """What each engine screens before it is measured per core: the ``WARMUP`` names and
    ``READY_CUSTOMERS`` synthetic customers of another seed, as one job on each engine (local: a new
    mapping of the index with the per-text caches cleared; Spark: a new session), then the measured input.

    Why the same history for both: per-core throughput is what an engine gives once its processes are
    past their one-off costs — for the local engine decoding the records its queries meet and filling its
    caches, for Spark the same in each worker plus the daemon's decoding (which its workers share) and the
    copy-on-write copies of the pages they touch. Until session 12 Spark's workers were readied (daemon
    decoding, 80 names) and the local engine was not: its first touch of every record was charged to its
    per-core figure, Spark's was not (BENCHMARKS.md, "session 12, spark8")."""
    return warmup + customer_subjects(customer_rows(shared, READY_CUSTOMERS, READY_SEED))


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


def per_core_line(
    master: str,
    history: int,
    rounds: dict[str, list[tuple[EngineCpu, EngineCpu]]],
    load: tuple[float, float] | None = None,
) -> str:
    """The verdict on issue 16 item 4: Spark's rows per CPU-second over the local engine's, both ready,
    per input — the median of the alternated rounds' ratios and their range, then each engine's median
    CPU seconds and their ratio (a second reading of the same runs: a round whose one engine met a burst
    of load moves the first less than a mean would, the second not at all through its partner). ``load``:
    the 1-minute load average before and after the rounds (other processes' CPU inflates both engines'
    CPU time through the shared caches: the figures are comparable only at a like load)."""
    parts = []
    for label, pairs in rounds.items():
        ratios = sorted(local.total / spark.total for local, spark in pairs)
        local_cpu = _median([local.total for local, _ in pairs])
        spark_cpu = _median([spark.total for _, spark in pairs])
        parts.append(
            f"{label} {_median(ratios):.2f}× ({ratios[0]:.2f}–{ratios[-1]:.2f}); median CPU s local "
            f"{local_cpu:.2f} / Spark {spark_cpu:.2f} = {local_cpu / spark_cpu:.2f}×"
        )
    said = f" (load average {load[0]:.1f} → {load[1]:.1f})" if load is not None else ""
    return (
        f"\nSpark {master} vs the local engine per core, both ready ({history} other names screened first), "
        f"median of {max(len(p) for p in rounds.values())} alternated rounds (range){said}: "
        + "; ".join(parts)
    )


def determinism_line(seeds_agree: bool, engines_agree: bool | None) -> str:
    """The verdict ``make bench`` prints on the rule "same input, same answer"."""
    if seeds_agree and engines_agree:
        return "\nidentical output under two hash seeds and both engines"
    seeds = "identical" if seeds_agree else "DIFFERENT"
    engines = {True: "identical", False: "DIFFERENT", None: "not compared (no Spark)"}[engines_agree]
    return f"\noutput under two hash seeds: {seeds}; local vs Spark: {engines}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.batch", description=__doc__)
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    parser.add_argument("--partitions", type=int, default=None, help="Spark partitions")
    parser.add_argument(
        "--rounds",
        type=int,
        default=ROUNDS,
        help=f"alternated rounds of the per-core comparison of ready engines (default {ROUNDS}): one round "
        "is good to about ±0.1 on a busy machine, the median of several is what is reported",
    )
    parser.add_argument(
        "--customers",
        type=int,
        default=0,
        help="also screen this many synthetic customer names with screen-file --workers 1 and 2 "
        "(CPU per row → the time of 1M customers on 2 cores; 20000 takes ~1 min of CPU per run)",
    )
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not all((shared / p).exists() for p in (CSL, *QUERIES)):
        print(f"bench.batch: {shared} holds no benchmark data ({CSL}, {', '.join(QUERIES)}); nothing to run.")
        return 0

    from bench.determinism import seeded_runs
    from chipguard.batch import jobs
    from chipguard.batch import spark as sp
    from chipguard.batch.model import query_subject
    from chipguard.match import indexfile
    from chipguard.match.screener import Screener
    from chipguard.service.query_files import read_input
    from chipguard.sources import parse_file

    parties = parse_file(shared / CSL).parties
    built_screener, built = _timed(lambda: Screener(parties))
    work = Path(tempfile.mkdtemp(prefix="chipguard-bench-batch-"))
    atexit.register(shutil.rmtree, work, True)
    index_path = work / "built.cgix"
    indexfile.write(built_screener, index_path)
    del built_screener
    screener = indexfile.open_screener(index_path)  # as every face uses it: the mapped index file
    subjects, ctx = bench_input(shared)
    customers = customer_rows(shared, args.customers) if args.customers else []
    print(f"# chipguard batch benchmark ({len(subjects)} rows of {' + '.join(QUERIES)} vs CSL 2022-04)")
    print(f"\nindex build {built:.1f}s ({len(screener.index.entries)} indexed names), excluded below\n")
    print("| engine | rows | seconds | rows/s |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clear_name_caches()
        local, local_cpu = cpu_of(
            lambda: jobs.run(subjects, folder / "local.jsonl", screener=screener, ctx=ctx)
        )
        print(
            f"| local (one process) | {local.rows} | {local.seconds:.1f} | {local.rows / local.seconds:.0f} |"
        )
        plain = [
            (s.position, str(s.position), s.name, s.kind, s.country, None)
            for s in subjects  # the rows as screen-file reads them (line, id, name, kind, country, evidence)
        ]
        cpu_rows: list[str] = []
        for label, rows in (("", plain), (" (synthetic customers)", customers)):
            for workers in (1, 2) if rows else ():
                seconds, cpu = screen_file_run(
                    screener, rows, folder / f"sf{label and 'c'}{workers}.jsonl", workers
                )
                print(
                    f"| screen-file --workers {workers}{label} | {len(rows)} | {seconds:.1f} "
                    f"| {len(rows) / seconds:.0f} |"
                )
                cpu_rows.append(
                    f"| screen-file --workers {workers}{label} | {len(rows)} | {cpu:.1f} | {1000 * cpu / len(rows):.2f} "
                    f"| {len(rows) / cpu:.0f} | {1_000_000 * cpu / len(rows) / 2 / 60:.1f} |"
                )
        if (folder / "sf1.jsonl").read_bytes() != (folder / "sf2.jsonl").read_bytes():
            print("\nscreen-file --workers 2 DIFFERS from --workers 1")
        if customers and (folder / "sfc1.jsonl").read_bytes() != (folder / "sfc2.jsonl").read_bytes():
            print("\nscreen-file --workers 2 DIFFERS from --workers 1 on the synthetic customers")
        print(
            "\nCPU time (the parent and its workers): what scales with cores — N workers on N free cores "
            "take wall time ≈ CPU / N plus their start-up\n"
        )
        print("| run | rows | CPU s | CPU ms per row | rows/s per core | 1M rows on 2 cores, min |")
        print("|---|---:|---:|---:|---:|---:|")
        print("\n".join(cpu_rows))
        print()
        seeded = seeded_runs(shared, folder)  # the same rows in two processes under two hash seeds
        seeds_agree = all(sha == local.sha256 for sha in seeded.values())
        reason = sp.unavailable()
        if reason:
            print(f"\nSpark skipped: {reason}")
            print(determinism_line(seeds_agree, None))
            return 0
        index = sp.IndexFile.of(None, folder, cached=index_path)  # as the on-disk cache file would be

        def spark_run(session: Any, items: list[Any], name: str, partitions: int | None) -> Any:
            return jobs.run(
                items,
                folder / name,
                screener=screener,
                ctx=ctx,
                engine="spark",
                spark=session,
                partitions=partitions,
                cache_file=index.path,
            )

        def same(run: Any) -> str:
            return "identical to local" if run.sha256 == local.sha256 else "DIFFERS from local"

        # 1. what one CLI run pays: a new session whose Python workers load the index in the job
        (session, start_cpu), started = _timed(lambda: cpu_of(lambda: sp.session(args.master, partitions=2)))
        start_cpu = replace(
            start_cpu, jvm=sum(tree_cpu(jvm_pid(session) or 0))
        )  # the JVM's whole life so far
        try:
            cold, cold_cpu = cpu_of(
                lambda: spark_run(session, subjects, "cold.jsonl", args.partitions), jvm_pid(session)
            )
        finally:
            session.stop()
        print(
            f"| spark {args.master}, first job (workers load the index) | {cold.rows} | {cold.seconds:.1f} | "
            f"{cold.rows / cold.seconds:.0f} | ({same(cold)})"
        )
        # 2. per core, ready engines: each engine's processes first screen the same other names (see
        # ready_history), then the measured input; local and Spark alternate, ``--rounds`` times per input
        warmup = [query_subject(r) for r in read_input(screen_columns(shared / WARMUP))]
        history = ready_history(shared, warmup)
        sets: list[tuple[str, list[Any], str]] = [("bench rows", subjects, local.sha256)]
        people: list[Any] = []
        local_c = None
        if customers:
            people = customer_subjects(customers)
            fresh = indexfile.open_screener(index_path)  # no per-screener cache left from the runs above
            clear_name_caches()
            local_c, local_c_cpu = cpu_of(
                lambda: jobs.run(people, folder / "local-c.jsonl", screener=fresh, ctx=ctx)
            )
            sets.append(("synthetic customers", people, local_c.sha256))

        def local_ready(items: list[Any]) -> tuple[Any, EngineCpu]:
            mapped = indexfile.open_screener(index_path)  # a new process's mapping: nothing decoded yet
            clear_name_caches()
            jobs.run(history, folder / "history-local.jsonl", screener=mapped, ctx=ctx)
            return cpu_of(lambda: jobs.run(items, folder / "ready-local.jsonl", screener=mapped, ctx=ctx))

        def spark_ready(items: list[Any]) -> tuple[Any, EngineCpu]:
            session = sp.session(args.master, partitions=2)
            try:
                spark_run(session, history, "history-spark.jsonl", session.sparkContext.defaultParallelism)
                return cpu_of(
                    lambda: spark_run(session, items, "ready-spark.jsonl", args.partitions), jvm_pid(session)
                )
            finally:
                session.stop()

        rounds: dict[str, list[tuple[EngineCpu, EngineCpu]]] = {}
        spark_agrees = cold.sha256 == local.sha256
        load_before = os.getloadavg()[0]
        for label, items, reference in sets:
            for n in range(max(1, args.rounds)):
                if n % 2 == 0:  # alternated, so that a drift of the machine's load falls on both
                    (lr, lcpu), (sr, scpu) = local_ready(items), spark_ready(items)
                else:
                    (sr, scpu), (lr, lcpu) = spark_ready(items), local_ready(items)
                spark_agrees = spark_agrees and sr.sha256 == lr.sha256 == reference
                rounds.setdefault(label, []).append((lcpu, scpu))
                print(
                    f"| spark {args.master}, ready, round {n + 1} ({label}) | {sr.rows} | {sr.seconds:.1f} | "
                    f"{sr.rows / sr.seconds:.0f} | (local ready {lr.rows / lr.seconds:.0f} rows/s; "
                    f"{'identical' if sr.sha256 == reference else 'DIFFERS'})"
                )
        load = (load_before, os.getloadavg()[0])
        print(
            f"\nSpark session start-up {started:.1f}s ({start_cpu.total:.1f} CPU s: driver {start_cpu.driver:.1f}, "
            f"JVM {start_cpu.jvm:.1f}; on top of a CLI run's first job); index file {index.size / 1e6:.0f} MB "
            "shipped by path"
        )
        # for reference only (the measure is Spark local[2] against one local process): the local
        # engine on two worker processes, which pays what two processes screening at once pay here
        local2, local2_cpu = cpu_with_workers(
            lambda: jobs.run(subjects, folder / "local2.jsonl", screener=screener, ctx=ctx, workers=2)
        )
        runs = [
            ("local (one process, new)", local.rows, local_cpu, local_cpu),
            (f"spark {args.master}, first job (new session)", cold.rows, cold_cpu, local_cpu),
            ("*reference:* local engine, --workers 2", local2.rows, local2_cpu, local_cpu),
        ]
        if local2.sha256 != local.sha256:
            print("\nlocal --workers 2 DIFFERS from one process")
        if local_c is not None:
            runs.append(
                ("local (one process, new) (synthetic customers)", local_c.rows, local_c_cpu, local_c_cpu)
            )
            local2_c, local2_c_cpu = cpu_with_workers(
                lambda: jobs.run(people, folder / "local2-c.jsonl", screener=fresh, ctx=ctx, workers=2)
            )
            runs.append(
                (
                    "*reference:* local engine, --workers 2 (synthetic customers)",
                    local2_c.rows,
                    local2_c_cpu,
                    local_c_cpu,
                )
            )
            if local2_c.sha256 != local_c.sha256:
                print("\nlocal --workers 2 DIFFERS from one process on the synthetic customers")
        for label, items, _ in sets:
            for n, (lcpu, scpu) in enumerate(rounds[label]):
                runs.append((f"local (one process), ready, round {n + 1} ({label})", len(items), lcpu, lcpu))
                runs.append((f"spark {args.master}, ready, round {n + 1} ({label})", len(items), scpu, lcpu))
        print(engine_cpu_table(runs))
        print(per_core_line(args.master, len(history), rounds, load))
        print(determinism_line(seeds_agree, spark_agrees))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
