"""Same lists, same query → the same hits, scores and order in any process.

Python salts the hash of every string per process (PYTHONHASHSEED), so anything that walks a set or
lets the order of a walk decide a tie can answer differently in another process — a replayed decision,
another batch worker, the other engine. Two ``chipguard screen-file`` runs under two hash seeds, each
building its own index (index cache off), must write byte-identical output for a sample of the real
screening benchmark set plus names from a list that is not loaded, with a typo in each (short names
with a typo meet many one-edit neighbours and equal candidate weights: where the hash order used to
show). The local and Spark engines are compared in tests/test_batch_spark.py; `make bench` runs the
full sets (bench/determinism.py).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from test_batch_support import home_copy, sample_queries

from chipguard.sources import parse_file

SEEDS = ("1", "2")


def typo(name: str, at: int) -> str:
    """``name`` with two adjacent letters swapped at a position chosen by ``at`` (a common keying slip)."""
    i = 1 + at % max(len(name) - 3, 1)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def determinism_queries(shared: Path) -> list[dict[str, str]]:
    """A few hundred rows: every 10th benchmark query, and short names of the OFAC SDN 2024 file (not
    among the bundled lists) with a typo."""
    rows = [
        {"id": f"dev-{i}", "name": r["name"], "kind": r.get("kind", ""), "country": r.get("country", "")}
        for i, r in enumerate(sample_queries(shared, step=10))
    ]
    sdn = parse_file(shared / "lists/ofac_sdn_2024-05-03.csv").parties
    short = [p for p in sdn if len(p.name.split()) <= 2 and len(p.name) >= 5][::25]
    rows += [
        {"id": f"sdn-{i}", "name": typo(p.name, i), "kind": "", "country": ""} for i, p in enumerate(short)
    ]
    return rows


def test_screen_file_output_is_identical_under_two_hash_seeds(shared: Path, tmp_path: Path) -> None:
    rows = determinism_queries(shared)
    assert len(rows) > 400
    src = tmp_path / "queries.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "name", "kind", "country"])
        writer.writeheader()
        writer.writerows(rows)
    home = home_copy(tmp_path / "home")
    runs = []
    for seed in SEEDS:
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "CHIPGUARD_HOME": str(home),
            "CHIPGUARD_INDEX_CACHE": "0",  # each process builds its own index under its own seed
        }
        env.pop("CHIPGUARD_DATABASE_URL", None)
        out = tmp_path / f"seed{seed}.jsonl"
        cmd = [
            sys.executable,
            "-c",
            "from chipguard.cli import main; main()",
            "screen-file",
            str(src),
            "--out",
            str(out),
        ]
        runs.append((out, subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)))
    for _out, proc in runs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    first, second = (out.read_text(encoding="utf-8").splitlines() for out, _ in runs)
    assert len(first) == len(rows)
    differ = [(a[:200], b[:200]) for a, b in zip(first, second, strict=True) if a != b]
    assert not differ, f"{len(differ)} of {len(rows)} rows differ between hash seeds, e.g. {differ[:3]}"
    assert sum('"hits": [{' in line for line in first) > 100  # the sample does hit: hits were compared
