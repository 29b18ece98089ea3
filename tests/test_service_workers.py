"""Several uvicorn worker processes share one database: decisions posted concurrently through
`chipguard serve --workers 2` all land, and their audit entries form one unbroken chain (SQLite's
BEGIN IMMEDIATE and PostgreSQL's row lock on the head serialise the appends across processes)."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from test_api_support import free_port, start_server

from chipguard.audit import AuditLog
from chipguard.store.db import get_engine
from chipguard.store.decisions import DecisionStore
from chipguard.store.keys import KeyStore
from chipguard.store.snapshots import SnapshotStore

pytestmark = pytest.mark.slow


def test_two_workers_share_state_and_one_chain(db_url: str, home: Path, shared: Path) -> None:
    engine = get_engine(db_url)
    SnapshotStore(engine).load_file(shared / "lists/samples/us_csl_sample_2025.csv")
    audit = AuditLog(engine)
    token, _ = KeyStore(engine, audit).create("analyst", actor="test")
    port = free_port()
    proc = start_server(db_url, port, home, workers=2)
    ids: list[str] = []
    failures: list[str] = []

    def client(n: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": token}, timeout=30) as c:
            for i in range(5):
                tx = {
                    "date": "2025-06-01",
                    "kind": "rental",
                    "destination": "US",
                    "customer": {"name": f"Client {n}-{i} Inc", "country": "US"},
                    "items": [{"model": "H100", "quantity": 1}],
                }
                r = c.post("/v1/decisions", json=tx)
                if r.status_code == 201:
                    ids.append(r.json()["decision_id"])
                else:
                    failures.append(f"{r.status_code} {r.text[:200]}")

    try:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": token}, timeout=30) as c:
            listed = c.get("/v1/decisions", params={"limit": 100}).json()["decisions"]
    finally:
        proc.terminate()
        proc.wait(20)
    assert failures == []
    assert len(ids) == 20 and {d["decision_id"] for d in listed} == set(ids)
    report = audit.verify()
    assert report.ok, report.problems
    seqs = sorted(
        d.audit_seq for d in DecisionStore(engine, audit).find(limit=100) if d.audit_seq is not None
    )
    assert len(set(seqs)) == 20
    engine.dispose()
