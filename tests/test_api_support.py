"""Shared set-up for the API tests (no tests here): an app on a throw-away database of each backend, with
a small real list (the CSL 2025 sample from ../shared/data) loaded through the SnapshotStore, and one API
key per role; the inputs and helpers the casework and jobs tests share (their fixture ``srv`` is in
conftest.py)."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chipguard.api.app import create_app
from chipguard.service import Services
from chipguard.store import testing

CSL_SAMPLE = "lists/samples/us_csl_sample_2025.csv"
# The keys the casework and jobs tests add to the key per role: who → (role, label).
SECOND_ANALYST_AND_AUDITOR = {"analyst_b": ("analyst", "analyst B"), "auditor": ("auditor", "auditor")}
# A customer whose 40 % owner is listed (Atlas Sanatgaran, Unverified List, on the CSL 2025 sample): it
# raises an alert when screened.
KESTREL: dict[str, Any] = {
    "customer_id": "kestrel",
    "name": "Kestrel Compute LLC",
    "country": "AM",
    "owners": [{"name": "Atlas Sanatgaran", "country": "AM", "percent": 40}],
}
# A file of names: one listed on the sample (c1), one nobody has (c2), one listed on other lists (c3).
NAMES_CSV = (
    "id,name,kind,country\nc1,Atlas Sanatgaran,org,AM\nc2,Zyxwv Quonk Holdings,org,DE\nc3,Mahan Air,org,IR\n"
)


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    services: Services
    tokens: dict[str, str]
    sample: Path

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def actor(self, who: str) -> str:
        """The audit actor of ``who``'s key (``key:ID``)."""
        key = self.services.keys.authenticate(self.tokens[who])
        assert key is not None
        return key.actor

    def actions(self, action: str) -> list[Any]:
        """The audit entries of one action, oldest first."""
        return [e for e in self.services.audit.entries() if e.action == action]

    def wait_job(self, job_id: str, who: str = "admin", seconds: float = 120) -> dict[str, Any]:
        """The job, polled as ``who`` until it is no longer queued or running; its progress must only
        move forward meanwhile."""
        deadline = time.monotonic() + seconds
        seen: list[int] = []
        while True:
            r = self.client.get(f"/v1/jobs/{job_id}", headers=self.headers(who))
            assert r.status_code == 200, r.text
            job: dict[str, Any] = r.json()
            seen.append(job["done"])
            if job["status"] not in ("queued", "running"):
                assert seen == sorted(seen), seen  # progress only moves forward
                return job
            assert time.monotonic() < deadline, job
            time.sleep(0.1)


def sample_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@contextmanager
def api(
    backend: str,
    tmp_path: Path,
    shared: Path,
    *,
    load: bool = True,
    more_keys: Mapping[str, tuple[str, str]] | None = None,
) -> Iterator[Api]:
    """The app on a fresh database of ``backend``, the CSL sample loaded (``load``), a key per role named
    after it (screen, analyst, admin) and one per ``more_keys`` entry (who → role, label)."""
    with testing.database(backend, tmp_path) as url:
        app = create_app(url)
        services: Services = app.state.services
        sample = shared / CSL_SAMPLE
        if load:
            services.snapshots.load_file(sample)
        tokens = {
            role: services.keys.create(role, f"test {role}", actor="test")[0]
            for role in ("screen", "analyst", "admin")
        }
        for who, (role, label) in (more_keys or {}).items():
            tokens[who] = services.keys.create(role, label, actor="test")[0]
        with TestClient(app) as client:
            yield Api(app, client, services, tokens, sample)
        services.engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, home: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ, CHIPGUARD_HOME=str(home), CHIPGUARD_LOG_LEVEL="warning", CHIPGUARD_RATE_PER_SEC="10000"
    )
    env.pop("CHIPGUARD_DATABASE_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from chipguard.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--db",
            url,
            "--workers",
            str(workers),
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(home / "server.log").open("ab"),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {(home / 'server.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not become ready in 60 s")
