"""Shared set-up for the API tests (no tests here): an app on a throw-away database of each backend, with
a small real list (the CSL 2025 sample from ../shared/data) loaded through the SnapshotStore, and one API
key per role."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chipguard.api.app import create_app
from chipguard.service import Services
from chipguard.store import testing

CSL_SAMPLE = "lists/samples/us_csl_sample_2025.csv"


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    services: Services
    tokens: dict[str, str]
    sample: Path

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def sample_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@contextmanager
def api(backend: str, tmp_path: Path, shared: Path, *, load: bool = True) -> Iterator[Api]:
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
