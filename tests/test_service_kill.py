"""A server killed with SIGKILL loses no decision it acknowledged: every 201 is on disk after a restart
and the audit chain still verifies. Runs `chipguard serve` as a real subprocess on an ephemeral port."""

from __future__ import annotations

import os
import signal
import threading
import time
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


def test_killed_server_loses_no_committed_decision(db_url: str, home: Path, shared: Path) -> None:
    engine = get_engine(db_url)
    SnapshotStore(engine).load_file(shared / "lists/samples/us_csl_sample_2025.csv")
    audit = AuditLog(engine)
    token, _ = KeyStore(engine, audit).create("analyst", actor="test")
    port = free_port()
    proc = start_server(db_url, port, home)
    acknowledged: list[str] = []
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": token}, timeout=10) as c:
            i = 0
            while not stop.is_set():
                i += 1
                tx = {
                    "date": "2025-06-01",
                    "kind": "sale",
                    "destination": "DE",
                    "customer": {
                        "name": "Atlas Sanatgaran" if i % 2 else f"Customer {i} GmbH",
                        "country": "DE",
                    },
                    "items": [{"model": "H100", "quantity": i}],
                }
                try:
                    r = c.post("/v1/decisions", json=tx)
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 201:
                    acknowledged.append(r.json()["decision_id"])

    worker = threading.Thread(target=client)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while len(acknowledged) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream: requests are in flight
        proc.wait(10)
    finally:
        stop.set()
        worker.join(15)
        if proc.poll() is None:
            proc.kill()
    assert len(acknowledged) >= 8

    proc = start_server(db_url, port, home)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": token}, timeout=10) as c:
            for decision_id in acknowledged:
                r = c.get(f"/v1/decisions/{decision_id}")
                assert r.status_code == 200, decision_id
    finally:
        proc.terminate()
        proc.wait(15)
    report = audit.verify()
    assert report.ok, report.problems
    stored = {d.decision_id for d in DecisionStore(engine, audit).find(limit=500)}
    assert set(acknowledged) <= stored
    assert DecisionStore(engine, audit).check_against_audit() == []
    engine.dispose()
