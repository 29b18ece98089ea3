"""`chipguard run` (what `make run` calls): creates the first admin key and prints it once, then serves;
a second start prints no key. The lists are pre-loaded here (the bundled-list path is the lists
engineer's load_bundled_if_empty, tested with the snapshot store)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from chipguard.store.db import get_engine
from chipguard.store.snapshots import SnapshotStore

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_until_ready(home: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    env = dict(os.environ, CHIPGUARD_HOME=str(home), CHIPGUARD_LOG_LEVEL="warning")
    env.pop("CHIPGUARD_DATABASE_URL", None)
    out = home / f"run-{time.monotonic_ns()}.out"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from chipguard.cli import main; main()", "run", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=out.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, out.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc, out.read_text()
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("chipguard run did not become ready: " + out.read_text())


def test_run_prints_the_first_admin_key_once(home: Path, shared: Path) -> None:
    engine = get_engine()
    SnapshotStore(engine).load_file(shared / "lists/samples/us_csl_sample_2025.csv")
    port = _free_port()
    proc, output = _run_until_ready(home, port)
    try:
        tokens = [w.strip("'") for w in output.split() if w.startswith("cg_")]
        assert len(set(tokens)) == 1, output
        r = httpx.get(f"http://127.0.0.1:{port}/v1/lists", headers={"Authorization": f"Bearer {tokens[0]}"})
        assert r.status_code == 200 and r.json()["snapshots"][0]["source"] == "us_csl"
        r = httpx.post(
            f"http://127.0.0.1:{port}/v1/keys", json={"role": "screen"}, headers={"X-API-Key": tokens[0]}
        )
        assert r.status_code == 201
    finally:
        proc.terminate()
        proc.wait(15)
    proc, output = _run_until_ready(home, port)
    proc.terminate()
    proc.wait(15)
    assert "cg_" not in output and "serving on" in output
