"""A worker started with ``warm=True`` (``chipguard serve``) builds its screener and screens a few listed
names before it takes requests, so its first real requests do not each do the scoring path's one-time
work, and decodes every record of a mapped list that fits its caches; those warm-up screens answer nobody
and leave no audit entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chipguard.api import app as api_app
from chipguard.api.app import create_app
from chipguard.audit import AuditLog
from chipguard.match.indexfile import MappedEntries
from chipguard.store.db import get_engine
from chipguard.store.snapshots import SnapshotStore


def test_a_warm_start_screens_listed_names_and_audits_nothing(
    home: Path, tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'warm.db'}"
    engine = get_engine(url)
    SnapshotStore(engine).load_file(shared / "lists/samples/us_csl_sample_2025.csv")
    before = AuditLog(engine).verify().entries
    screened: list[tuple[str, int]] = []
    decoded: list[bool] = []
    real = api_app._warm_queries

    def counting(services: object, screener: object) -> None:
        original = type(screener).screen_result  # type: ignore[attr-defined]

        def spy(self: object, query_id: object, name: str, *args: object, **kwargs: object) -> object:
            result = original(self, query_id, name, *args, **kwargs)
            screened.append((name, len(result["hits"])))
            return result

        monkeypatch.setattr(type(screener), "screen_result", spy)
        real(services, screener)  # type: ignore[arg-type]
        entries = screener.index.entries  # type: ignore[attr-defined]
        decoded.append(isinstance(entries, MappedEntries) and len(entries._cache) == len(entries))

    monkeypatch.setattr(api_app, "_warm_queries", counting)
    with TestClient(create_app(url, warm=True)) as client:
        assert client.get("/readyz").status_code == 200
    assert len(screened) == api_app.WARM_QUERIES
    assert all(hits > 0 for _name, hits in screened)  # listed names: the scoring path ran
    assert decoded == [True]  # the mapped list fits the worker's caches: every name decoded before requests
    report = AuditLog(engine).verify()
    assert report.ok and report.entries == before
