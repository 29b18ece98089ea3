"""A long-running worker's memory: resident memory of one screening worker as it screens a stream of
distinct customers, through the mapped CSL index decoded whole (as serving, ``screen-file`` and Spark
workers open it: ``indexfile.decode_whole``).

Why: ``bench.scale`` reads a worker's memory after 2,000 queries; a worker that serves for days or
screens a million-row file meets hundreds of thousands of distinct names, and every per-process cache
keyed by a name keeps one entry per name met until its bound. Before session 18 those bounds were
100,000–300,000 entries and a worker grew ~2.9 KB per distinct name (``chipguard.names.cache_bounds``).
This prints the worker's resident set every ``--step`` names, its CPU rows/s over each step, and the
growth per name over the second half of the stream (after the first step's caches of words and records
have filled, the part that grows with the stream).

    python -m bench.worker_memory --shared ../shared/data [--rows 60000] [--step 10000]

The customers are ``bench.batch.synthetic_customers`` (names drawn from the CSL's own name distributions,
seed 23), screened one by one with their kind, in a fresh process of their own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CSL = "lists/us_csl_2022-04.csv.gz"

_WORKER = r"""
import json, sys, time
from pathlib import Path
from chipguard.match import indexfile

def rss_kb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

index, names_file, step = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
rows = json.loads(names_file.read_text())
screener = indexfile.open_screener(index)
indexfile.decode_whole(screener)
print(json.dumps({"rows": 0, "rss_kb": rss_kb(), "rows_per_s": None}), flush=True)
for start in range(0, len(rows), step):
    cpu = time.process_time()
    for name, kind in rows[start : start + step]:
        screener.screen(name, kind)
    cpu = time.process_time() - cpu
    done = min(start + step, len(rows))
    print(json.dumps({"rows": done, "rss_kb": rss_kb(), "rows_per_s": (done - start) / cpu}), flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.worker_memory", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--rows", type=int, default=60_000, help="distinct customers screened")
    parser.add_argument("--step", type=int, default=10_000, help="customers between two readings")
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / CSL).exists():
        print(f"bench.worker_memory: {shared / CSL} is missing; nothing to run.")
        return 0
    from bench.batch import synthetic_customers
    from chipguard.match import indexfile
    from chipguard.sources import parse_file

    rows = [(p.name, p.kind.value) for p in synthetic_customers(shared, args.rows)]
    print("## A long-running worker's memory (`python -m bench.worker_memory`)\n")
    with tempfile.TemporaryDirectory(prefix="chipguard-worker-memory-") as tmp:
        index, names = Path(tmp) / "csl.cgix", Path(tmp) / "names.json"
        indexfile.build(parse_file(shared / CSL).parties, index)
        names.write_text(json.dumps(rows), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", _WORKER, str(index), str(names), str(args.step)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
    readings = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    print("| distinct names screened | resident MB | CPU rows/s over the step |")
    print("|---:|---:|---:|")
    for r in readings:
        rate = f"{r['rows_per_s']:,.0f}" if r["rows_per_s"] else "—"
        print(f"| {r['rows']:,} | {r['rss_kb'] / 1024:,.0f} | {rate} |")
    half = readings[len(readings) // 2]
    last = readings[-1]
    if last["rows"] > half["rows"]:
        per_name = (last["rss_kb"] - half["rss_kb"]) * 1024 / (last["rows"] - half["rows"])
        print(
            f"\ngrowth from {half['rows']:,} to {last['rows']:,} names: {per_name / 1024:.2f} KB per distinct "
            f"name ({(last['rss_kb'] - half['rss_kb']) / 1024:,.0f} MB); the CSL index mapped and decoded "
            "whole, synthetic customers of bench.batch (seed 23), one fresh worker"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
