"""The host's speed on a fixed workload, so CPU-time figures of different days can be read side by side.

Why: the CPU time of one unit of work drifts on this shared virtual machine. Session 14's end code read
1,065-1,163 fresh-mapped q/s per core in ``bench.scale`` and 741 on 2026-12-06 21:10 UTC, quiet, the same
commit compiled the same way. A figure beside a target (issue 16's 1,000 q/s per core) means little without
the host's speed of that day. This workload never changes (no chipguard code, fixed inputs): what moves its
CPU time is the host. It mixes what screening spends its time on: interpreted Python (string splitting,
dict and set work, small tuples), Unicode normalisation and rapidfuzz's C scorer.

    python -m bench.hostref [--rounds 5] [--json]

Prints the minimum and median CPU seconds of the rounds (each in a new process, so no round warms the
next): the minimum is the least disturbed reading. ``bench.scale`` prints it under its table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from typing import Any

# Version of the workload: change it only with a new version number, and say so in BENCHMARKS.md, since
# readings of different versions cannot be compared.
VERSION = 1

_WORKLOAD = r"""
import random, time, unicodedata
from rapidfuzz import fuzz
rng = random.Random(20261206)
syll = ["zhong", "guo", "hua", "wei", "ke", "ji", "you", "xian", "gong", "si", "tech", "net", "group",
        "holding", "trade", "ltd", "co", "intl", "shen", "zhen", "bei", "jing", "shang", "hai", "an"]
names = [" ".join("".join(rng.choice(syll) for _ in range(rng.randint(1, 3)))
         for _ in range(rng.randint(2, 5))).title() for _ in range(6000)]
start = time.process_time()
counts = {}
total = 0.0
for i, name in enumerate(names * 10):
    folded = unicodedata.normalize("NFKC", name).casefold()
    words = tuple(w for w in folded.split() if len(w) > 1)
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    keys = {w[:3] for w in words} | {w[-3:] for w in words}
    other = names[(i * 7919) % 6000]
    total += fuzz.ratio(folded, other.casefold()) + fuzz.token_sort_ratio(name, other) + len(keys)
for _ in range(3):
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
print(time.process_time() - start, total, len(ranked))
"""


def _one_round() -> float:
    """CPU seconds of the workload's timed part, in a new interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", _WORKLOAD],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONHASHSEED": "0", "PATH": "/usr/bin:/bin"},
    ).stdout.split()
    return float(out[0])


def measure(rounds: int) -> dict[str, Any]:
    """The workload ``rounds`` times (the first run also warms the file cache, so it is run once more)."""
    _one_round()
    samples = [_one_round() for _ in range(rounds)]
    return {
        "version": VERSION,
        "rounds": rounds,
        "min_cpu_s": round(min(samples), 4),
        "median_cpu_s": round(statistics.median(samples), 4),
    }


def line(result: dict[str, Any]) -> str:
    """One line for a benchmark's output."""
    return (
        f"host reference (`python -m bench.hostref`, workload v{result['version']}, fixed code): "
        f"{result['min_cpu_s']:.3f} CPU s min, {result['median_cpu_s']:.3f} median of {result['rounds']} "
        "rounds — a slower host reads higher here and lower in every q/s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostref", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each in a new process")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a line")
    args = parser.parse_args(argv)
    result = measure(max(1, args.rounds))
    print(json.dumps(result) if args.json else line(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
