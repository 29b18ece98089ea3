"""Cold-start times of the CLI: ``chipguard version``, a single ``chipguard screen`` and ``decide``.

Why a benchmark and not a test: start-up time depends on the machine and its load; the figures belong in
BENCHMARKS.md next to the command that produced them, not in an assertion that fails on a busy CI box.

Each command runs as a new process, as an analyst would type it, in a temporary CHIPGUARD_HOME holding the
bundled list snapshot (never the user's home). ``screen`` is reported twice: the first call of a new home
builds and writes the index cache ("cache cold"), later calls read it ("cache warm"). Wall-clock and CPU
time (user + system of the child) are both printed: on a shared 2-core machine wall-clock includes waiting
for a core, CPU time does not.

    python -m bench.coldstart [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCENARIO = Path(__file__).resolve().parent.parent / "tests" / "scenarios" / "a100_export_china.json"
TARGETS = {"version": 0.5, "screen (cache warm)": 2.0, "decide (cache warm)": 3.0}


def _command() -> list[str]:
    """The installed console script when there is one (what a user runs), else the same entry point."""
    script = Path(sys.executable).parent / "chipguard"
    if script.exists():
        return [str(script)]
    return [
        sys.executable,
        "-c",
        "import sys; sys.argv[0] = 'chipguard'; from chipguard.cli import main; main()",
    ]


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run; a failing command stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([*_command(), *args], env=env, stdin=subprocess.DEVNULL, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 10, 11, 12):  # decide --exit-code style outcomes are not failures
        raise SystemExit(
            f"`chipguard {' '.join(args)}` failed ({proc.returncode}): {proc.stderr.decode()[-400:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(runs: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="chipguard-coldstart-") as home:
        env = {**os.environ, "CHIPGUARD_HOME": home}
        _timed(["lists", "load", "--bundled"], env)
        rows: list[dict[str, Any]] = []

        def record(label: str, args: list[str], n: int) -> None:
            samples = [_timed(args, env) for _ in range(n)]
            rows.append(
                {
                    "command": label,
                    "runs": n,
                    "wall_s": round(statistics.median(s[0] for s in samples), 3),
                    "cpu_s": round(statistics.median(s[1] for s in samples), 3),
                    "target_s": TARGETS.get(label),
                }
            )

        record("version", ["version"], runs)
        record("screen (cache cold)", ["screen", "Huawei Technologies", "--json"], 1)
        record("screen (cache warm)", ["screen", "Huawei Technologies", "--json"], runs)
        record("decide (cache warm)", ["decide", str(SCENARIO), "--json"], runs)
        return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coldstart", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (median reported)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    rows = measure(max(1, args.runs))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print("## CLI cold start (`python -m bench.coldstart`; median of the runs, new process each)\n")
    print("| command | runs | wall s | CPU s | target s |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        target = "" if row["target_s"] is None else f"≤ {row['target_s']}"
        print(f"| {row['command']} | {row['runs']} | {row['wall_s']:.2f} | {row['cpu_s']:.2f} | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
