"""Helpers shared by the snapshot, update and ``chipguard lists`` tests (no tests of its own).

Real data only: trimmed copies of the real CSL file, and a real HTTP server on 127.0.0.1 serving them.
"""

from __future__ import annotations

import csv
import gzip
import io
import socket
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CSL_NAME = "lists/us_csl_2022-04.csv.gz"
CSL_ROWS = 14160


def trimmed_csl(shared: Path, dest: Path, rows: int, skip: int = 0) -> Path:
    """The real CSL's header plus ``rows`` real records (from record ``skip``), written as CSV."""
    with gzip.open(shared / CSL_NAME, "rt", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for index, row in enumerate(reader):
            if index < skip:
                continue
            if index >= skip + rows:
                break
            writer.writerow(row)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(out.getvalue(), encoding="utf-8")
    return dest


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real HTTP server on 127.0.0.1 (ephemeral port) serving a temporary folder: (folder, base URL)."""
    folder = tmp_path / "www"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def write_sources(path: Path, sources: dict[str, dict[str, object]], **top: object) -> Path:
    """A list_sources.yml override (the same shape as chipguard/data/list_sources.yml)."""
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({**top, "sources": sources}), encoding="utf-8")
    return path
