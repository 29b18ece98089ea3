"""`make bench` runs every benchmark step and fails at the end naming the steps that failed: bench.load
exits 1 on any failed request, and the Makefile used to stop there, leaving cold start, scale, name length
and the fresh-machine install unmeasured. Driven through the real Makefile with GNU make, the venv's
python replaced by a script that records each step and fails the ones asked to."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STEPS = [
    "bench --shared SHARED",
    "bench.batch --shared SHARED --customers 20000",
    "bench.load",
    "bench.coldstart",
    "bench.scale --shared SHARED --million",
    "bench.worker_memory --shared SHARED",
    "bench.name_length --shared SHARED",
    "bench.install",
]


def make_bench(tmp_path: Path, fail: dict[str, int]) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Runs `make bench` with a stand-in venv whose python logs its arguments and exits with
    ``fail[module]`` (0 for any other module); returns make's result and the logged steps."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("GNU make is not installed")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "steps.log"
    cases = "".join(f"  {module}) exit {status} ;;\n" for module, status in fail.items())
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$*" >> {log}\ncase "$2" in\n{cases}esac\nexit 0\n')
    python.chmod(0o755)
    newer = max(time.time(), (REPO / "pyproject.toml").stat().st_mtime + 1)
    for stamp in (venv / ".installed-dev", venv / ".installed-run"):  # newer than pyproject.toml: make
        stamp.touch()  # installs nothing (installing the dev extra touches both)
        os.utime(stamp, (newer, newer))
    result = subprocess.run(
        [make, "-C", str(REPO), "bench", f"VENV={venv}", "SHARED=SHARED"],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")},
    )
    ran = [line.removeprefix("-m ") for line in (log.read_text().splitlines() if log.is_file() else [])]
    # before the steps, the compiled scorer's build and the package's bytecode (no-ops when current)
    assert ran[:2] == ["chipguard.native build", "compileall -q chipguard"], (ran, result.stderr)
    return result, ran[2:]


def test_every_step_runs_and_the_failed_ones_are_named(tmp_path: Path) -> None:
    result, ran = make_bench(tmp_path, {"bench.load": 1, "bench.scale": 3})
    assert ran == STEPS, result.stderr  # the steps after the failed ones ran, in order
    assert result.returncode != 0
    assert (
        "make bench: 2 of 8 steps failed: python -m bench.load (exit 1); "
        "python -m bench.scale --shared SHARED --million (exit 3)"
    ) in result.stderr.splitlines(), result.stderr


def test_all_steps_passing_is_a_success(tmp_path: Path) -> None:
    result, ran = make_bench(tmp_path, {})
    assert ran == STEPS and result.returncode == 0, result.stderr
    assert "failed" not in result.stderr


def test_an_interrupted_step_stops_the_run(tmp_path: Path) -> None:
    result, ran = make_bench(tmp_path, {"bench.batch": 130})
    assert ran == STEPS[:2] and result.returncode != 0
    assert "make bench: interrupted" in result.stderr


def test_the_bench_clears_every_query_cache_it_names() -> None:
    # bench.run.clear_query_caches names the analysis's caches one by one (the screen-file pass times
    # queries with them empty); a renamed cache broke `make bench`'s first two steps once (session 10)
    from bench.run import clear_query_caches
    from chipguard.names import analysis

    analysis.analyze("Acme Trading Co., Ltd.")
    clear_query_caches()
    assert analysis.analyze.cache_info().currsize == 0
