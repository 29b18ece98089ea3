"""POST /v1/lists/update (admin) against a local HTTP server on 127.0.0.1 serving a real list file: the
new snapshot is in force for screening at once and audited; a failed download changes nothing (502)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_api_support import Api, api

from chipguard.store import testing


@pytest.fixture
def mirror(shared: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(shared / "lists/samples"))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=testing.backends())
def srv(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Api]:
    with api(request.param, tmp_path, shared) as a:
        yield a


def _configure(home: Path, url: str) -> None:
    """The home's list-source override ($CHIPGUARD_HOME/data/list_sources.yml, the default override root)."""
    (home / "data").mkdir(exist_ok=True)
    (home / "data" / "list_sources.yml").write_text(
        f"sources:\n  us_csl:\n    url: {url}\n    format: csl_csv\n    default: true\n  un:\n    default: false\n",
        encoding="utf-8",
    )


def test_update_from_mirror_is_used_at_once_and_audited(
    srv: Api, home: Path, mirror: str, shared: Path
) -> None:
    new_file = shared / "lists/samples/us_csl_sample_2019.csv"
    _configure(home, f"{mirror}/{new_file.name}")
    name_only_in_2019 = "183rd Guard Air Defense Missile Regiment"
    before = srv.client.post(
        "/v1/screen", json={"name": name_only_in_2019}, headers=srv.headers("screen")
    ).json()
    assert before["hits"] == []

    r = srv.client.post("/v1/lists/update", json={"sources": ["us_csl"]}, headers=srv.headers("admin"))
    assert r.status_code == 200, r.text
    digest = hashlib.sha256(new_file.read_bytes()).hexdigest()
    assert [s["sha256"] for s in r.json()["loaded"]] == [digest]

    lists = srv.client.get("/v1/lists", headers=srv.headers("screen")).json()
    assert [s["sha256"] for s in lists["snapshots"]] == [digest]
    after = srv.client.post(
        "/v1/screen", json={"name": name_only_in_2019}, headers=srv.headers("screen")
    ).json()
    assert after["hits"] and after["hits"][0]["name"] == name_only_in_2019

    entry = next(e for e in srv.services.audit.entries() if e.action == "lists.update")
    assert entry.seq == r.json()["audit_seq"]
    assert entry.payload["snapshots"][0]["sha256"] == digest and entry.payload["sources"] == ["us_csl"]
    assert entry.payload["versions"]["lists"] == {"us_csl": digest}
    assert srv.services.audit.verify().ok


def test_failed_update_changes_nothing(srv: Api, home: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _configure(home, f"http://127.0.0.1:{port}/consolidated.csv")
    before = [s.sha256 for s in srv.services.snapshots.active()]
    r = srv.client.post("/v1/lists/update", json={"sources": ["us_csl"]}, headers=srv.headers("admin"))
    assert r.status_code == 502 and r.json()["error"]["code"] == "list_update_failed"
    assert [s.sha256 for s in srv.services.snapshots.active()] == before
    assert not [e for e in srv.services.audit.entries() if e.action == "lists.update"]
