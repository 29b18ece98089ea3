"""Same input, same answer: the batch benchmark's rows screened in two fresh processes under two hash seeds.

Python salts string hashes per process (PYTHONHASHSEED), so set order differs between processes; the
output of a run must not. ``seeded_runs`` starts one process per seed (``python -m bench.determinism``),
each building its own index over CSL 2022-04 and writing the local engine's JSONL for the rows of
``bench.batch``; ``bench.batch`` compares their sha256 with its own local and Spark runs and prints the
verdict (also run by ``make bench``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

SEEDS = ("1", "2")


def seeded_runs(shared: Path, folder: Path) -> dict[str, str]:
    """seed → sha256 of the output written by a fresh process under that hash seed (run side by side)."""
    procs = []
    for seed in SEEDS:
        out = folder / f"seed{seed}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        cmd = [sys.executable, "-m", "bench.determinism", "--shared", str(shared), "--out", str(out)]
        procs.append((seed, subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)))
    shas: dict[str, str] = {}
    for seed, proc in procs:
        stdout, _ = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"the run under PYTHONHASHSEED={seed} failed (exit {proc.returncode})")
        shas[seed] = stdout.strip().splitlines()[-1]
    return shas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.determinism", description=__doc__)
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--out", required=True, help="JSONL output of the local engine")
    args = parser.parse_args(argv)
    shared = Path(args.shared)

    from bench.batch import CSL, bench_input
    from chipguard.batch import jobs
    from chipguard.match.screener import Screener
    from chipguard.sources import parse_file

    screener = Screener(parse_file(shared / CSL).parties)
    subjects, ctx = bench_input(shared)
    run = jobs.run(subjects, Path(args.out), screener=screener, ctx=ctx)
    print(run.sha256)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
