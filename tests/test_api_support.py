"""Shared set-up for the API tests (no tests here): an app on a throw-away database of each backend, with
a small real list (the CSL 2025 sample from ../shared/data) loaded through the SnapshotStore, and one API
key per role."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from chipguard.api.app import create_app
from chipguard.api.services import Services
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
