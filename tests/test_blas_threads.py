"""chipguard keeps numpy's OpenBLAS to one thread (chipguard/__init__.py): the library spins a thread per
core at import for ~0.1 CPU s per process and chipguard does no linear algebra with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import os, chipguard, numpy, chipguard.match.indexfile; "
    "print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))"
)


def _run(env_value: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env["PYTHONPATH"] = str(ROOT)
    if env_value is not None:
        env["OPENBLAS_NUM_THREADS"] = env_value
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_one_blas_thread_by_default_and_the_callers_value_kept() -> None:
    assert _run(None) == ["1", "1"]  # the setting, and the process's only thread
    value, threads = _run("2")
    assert value == "2" and int(threads) == 2  # the caller's choice stands: OpenBLAS starts its thread
