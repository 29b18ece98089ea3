"""Several uvicorn worker processes share one database: decisions posted concurrently through
`chipguard serve --workers 2` all land, and their audit entries form one unbroken chain (SQLite's
BEGIN IMMEDIATE and PostgreSQL's row lock on the head serialise the appends across processes)."""

from __future__ import annotations

import os
import socket
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


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]


def _tcp(port: int) -> list[list[str]]:
    """The /proc/net/tcp rows of sockets on local ``port``."""
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return [r for r in rows if int(r[1].split(":")[1], 16) == port]


def _listening(port: int) -> int:
    return sum(r[3] == "0A" for r in _tcp(port))


def _accepted_by(workers: list[int], port: int) -> dict[int, int]:
    """How many established connections to ``port`` each worker process holds (from /proc)."""
    inodes = {r[9] for r in _tcp(port) if r[3] == "01"}  # ESTABLISHED
    held: dict[int, int] = {}
    for pid in workers:
        links = []
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                links.append(os.readlink(fd))
            except OSError:
                continue  # closed meanwhile
        held[pid] = sum(link[8:-1] in inodes for link in links if link.startswith("socket:["))
    return held


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads the sockets of the workers from /proc")
def test_connections_opened_together_reach_every_worker(home: Path, tmp_path: Path, shared: Path) -> None:
    """``serve --workers 2`` gives each worker a listening socket of its own (SO_REUSEPORT), so sixteen
    keep-alive connections opened at once are spread by the kernel over both workers. With one shared
    socket the worker that woke first accepted them all and the other idled (bench.load)."""
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    SnapshotStore(get_engine(url)).load_file(shared / "lists/samples/us_csl_sample_2025.csv")
    port = free_port()
    proc = start_server(url, port, home, workers=2)
    sockets: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while _listening(port) < 2 and time.monotonic() < deadline:  # the second worker may still start
            time.sleep(0.1)
        assert _listening(port) == 2
        workers = _children(proc.pid)  # the workers (and multiprocessing's resource tracker)
        for _ in range(16):
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        held = _accepted_by(workers, port)
        while sum(held.values()) < 16 and time.monotonic() < deadline:
            time.sleep(0.1)
            held = _accepted_by(workers, port)
        assert sum(held.values()) == 16, held
        assert sorted(held.values())[-2] > 0, f"one worker accepted every connection: {held}"
    finally:
        for sock in sockets:
            sock.close()
        proc.terminate()
        proc.wait(30)
