"""A real customer file end to end: ``chipguard screen-file --workers N`` on a CSV of N synthetic customers
against the bundled lists, in a fresh home, timed on the wall clock.

Why: issue 16 asks for 1M customers against the full bundled lists in ≤ 15 minutes on 2 cores. ``bench.batch
--customers`` derives that time from the CPU per row of a 20,000-row file screened inside one process; this
runs the product as an operator would — the CLI, its CSV reader and row checks, its worker processes
mapping the index, its atomic JSONL output — on the whole file, and reports what the operator waits for.

    python -m bench.customers_file --shared ../shared/data [--rows 1000000] [--workers 2]

The customers are the ones ``bench.batch --customers`` screens (``bench.batch.synthetic_customers``: names drawn
from the CSL's own name distributions, so most are unlisted look-alikes and a few per thousand close to a
listed name), here with the synthetic party's first known country as the customer's country. The lists are the
bundled snapshot (``chipguard lists load --bundled``); the index is built by one warm-up screen first and
reported separately (a service builds it once per snapshot). Peak memory is the largest resident set of
the CLI process or any of its workers (``getrusage`` of the children). Loopback only, no network.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.scale import CSL


def write_customers(shared: Path, rows: int, path: Path, seed: int = 23) -> int:
    """Writes ``rows`` customers (id, name, kind, country) to ``path``; returns the number written."""
    from bench.batch import synthetic_customers
    from chipguard.geo.countries import lookup_country

    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "name", "kind", "country"])
        for party in synthetic_customers(shared, rows, seed):
            # a customer gives a country the product knows (the CSL's own "NM" on one record is no country)
            country = next((c for c in party.countries if lookup_country(c) is not None), "")
            out.writerow([f"c{written}", party.name, party.kind.value, country])
            written += 1
    return written


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done.stderr.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.customers_file", description=__doc__)
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--rows", type=int, default=1_000_000, help="customers in the file (default 1M)")
    parser.add_argument("--workers", type=int, default=2, help="screen-file worker processes (default 2)")
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / CSL).exists():
        print(f"bench.customers_file: {shared} holds no {CSL}; nothing to run.")
        return 0

    work = Path(tempfile.mkdtemp(prefix="chipguard-bench-customers-"))
    env = {**os.environ, "CHIPGUARD_HOME": str(work / "home")}
    cli = [sys.executable, "-c", "from chipguard.cli import main; main()"]
    try:
        customers = work / "customers.csv"
        start = time.perf_counter()
        count = write_customers(shared, args.rows, customers)
        print(f"# screen-file on {count:,} synthetic customers, --workers {args.workers}, bundled lists")
        print(
            f"\nfile written in {time.perf_counter() - start:.0f} s ({customers.stat().st_size / 1e6:.0f} MB)"
        )
        _run([*cli, "lists", "load", "--bundled"], env)
        warm = work / "warm.csv"
        warm.write_text("id,name\n1,warm-up\n", encoding="utf-8")
        built, _ = _run([*cli, "screen-file", str(warm), "--out", str(work / "warm.jsonl")], env)
        print(f"index built by a one-row warm-up screen: {built:.0f} s (once per snapshot)")
        out = work / "out.jsonl"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, summary = _run(
            [*cli, "screen-file", str(customers), "--out", str(out), "--workers", str(args.workers)], env
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        with out.open("rb") as fh:
            lines = sum(1 for _ in fh)
        print(f"CLI: {summary}")
        print("\n| rows | wall s | rows/s | CPU s | 1M rows at this rate, min | output lines | peak RSS MB |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {count:,} | {seconds:.0f} | {count / seconds:,.0f} | {cpu:.0f} "
            f"| {1_000_000 / (count / seconds) / 60:.1f} | {lines:,} | {after.ru_maxrss / 1024:.0f} |"
        )
        if lines != count:
            print(f"\nOUTPUT HAS {lines} LINES FOR {count} ROWS")
            return 1
        return 0
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    raise SystemExit(main())
