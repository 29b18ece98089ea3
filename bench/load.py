"""Bounded load test of the REST API's ``POST /v1/screen`` on 127.0.0.1: p50 / p99 latency and throughput
with 1 and 2 uvicorn workers.

Why it starts its own server: the figures must come from the real service (uvicorn, auth, rate limiter,
JSON) on a store holding real lists, and a benchmark must never touch a user's home — so it creates a
temporary CHIPGUARD_HOME, loads the bundled list snapshot (or ``--list FILE``), starts
``chipguard serve --workers N`` on a free port, waits until every worker has built its screener, sends a
bounded number of requests (``--requests``) for at most ``--seconds``, and stops the server. Query names
are drawn from the loaded list itself (listed names and a few variants) plus unlisted names made from the
list's own name distributions, so both the hit and the no-hit paths are measured — and no name is sent
twice: every worker keeps its own per-name caches, so repeated names favoured one worker (which saw each
name about twice) over two (each saw it about once). The load generator runs in this process (asyncio, a
lean keep-alive HTTP/1.1 client: :class:`_Connection`), on the same 2-core machine as the server: figures
are a floor, not a capacity plan. It also prints the server's
CPU milliseconds per request (its processes' user + system time during the load, from /proc), which,
unlike requests per second, can be compared between runs on a busy machine; the load generator's own CPU
per request (it takes its share of the same cores); and each worker's share of the server's CPU, which
shows whether the workers shared the load.

    python -m bench.load [--workers 1 2] [--requests 600] [--seconds 20] [--concurrency 8] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

LISTED_SHARE = (
    0.75  # of the query names: listed names (as written, upper-cased, last letter cut); the rest unlisted
)


def free_port() -> int:
    """A loopback port nobody listens on now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from chipguard.cli import main; main()", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _prepare(home: Path, list_file: Path | None, count: int) -> tuple[str, list[str]]:
    """Loads the lists and creates a screen key in ``home``; returns (token, ``count`` distinct query
    names, where the lists allow)."""
    os.environ["CHIPGUARD_HOME"] = str(home)
    os.environ.pop("CHIPGUARD_DATABASE_URL", None)
    from chipguard.audit import AuditLog
    from chipguard.store.db import get_engine
    from chipguard.store.keys import KeyStore
    from chipguard.store.snapshot_update import load_bundled
    from chipguard.store.snapshots import SnapshotStore

    engine = get_engine()
    store = SnapshotStore(engine)
    if list_file:
        store.load_file(list_file)
    else:
        load_bundled(store)
    token, _ = KeyStore(engine, AuditLog(engine)).create("screen", "bench.load", actor="bench")
    parties, _infos = store.active_parties()
    engine.dispose()
    return token, query_names(parties, count)


def query_names(parties: list[Any], count: int, seed: int = 7) -> list[str]:
    """``count`` distinct names in a fixed shuffled order: ``LISTED_SHARE`` listed (two thirds as written,
    a sixth upper-cased, a sixth with the last letter cut), the rest unlisted names drawn from the list's
    name distributions (``bench.scale.synthetic_parties``)."""
    from bench.scale import synthetic_parties
    from chipguard.match.screener import readable

    rng = random.Random(seed)
    listed = [p.name for p in rng.sample(parties, min(int(count * LISTED_SHARE), len(parties)))]
    third = len(listed) // 6
    variants = [n.upper() for n in listed[:third]] + [
        n[:-1] if len(n) > 6 else n for n in listed[third : 2 * third]
    ]
    names = dict.fromkeys(variants + listed[2 * third :])
    for party in synthetic_parties(parties, 4 * count, seed=seed):
        if len(names) >= count:
            break
        if readable(party.name):
            names.setdefault(party.name)
    ordered = list(names)
    rng.shuffle(ordered)
    return ordered


async def _wait_ready(base: str, token: str, workers: int, timeout: float) -> None:
    """Until /readyz answers and every worker has its screener and warm caches: rounds of requests, each
    round on new connections (the kernel hands them to the workers), until three rounds in a row are
    fast. One fast round on kept-alive connections could all land on one worker, leaving the other to
    warm up inside the measurement (its first answers took 1.5 s: the 2-worker p99)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as c:
        while time.monotonic() < deadline:
            try:
                if (await c.get("/readyz")).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
        else:
            raise RuntimeError("server not ready in time")
    fast = 0
    while time.monotonic() < deadline:
        async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": token}, timeout=timeout) as c:
            t0 = time.perf_counter()
            await asyncio.gather(
                *(c.post("/v1/screen", json={"name": "warm up"}) for _ in range(workers * 8))
            )
        fast = fast + 1 if time.perf_counter() - t0 < 1.0 else 0
        if fast == 3:
            return
    raise RuntimeError("workers did not warm up in time")


def _cpu_seconds(pid: int) -> dict[int, float] | None:
    """User + system CPU seconds of ``pid`` and of each of its descendants (the server and its workers),
    by process id, read from /proc; None where there is no /proc. CPU per request compares runs on a busy
    machine, where requests per second do not; the share of each process shows whether the workers
    shared the load."""
    proc = Path("/proc")
    if not (proc / str(pid) / "stat").exists():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    seconds: dict[int, float] = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        if current in seconds:
            continue
        try:
            fields = (proc / str(current) / "stat").read_text().rsplit(")", 1)[1].split()
            seconds[current] = (int(fields[11]) + int(fields[12])) / tick
            for task in (proc / str(current) / "task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
    return seconds


class _Connection:
    """One kept-alive HTTP/1.1 connection that POSTs JSON and reads the answer — the load generator's
    client, written on asyncio's streams.

    Why not httpx (kept for start-up and warm-up): the load generator runs on the same two cores as the
    server, and httpx's asyncio client cost 1.0–1.4 ms of CPU per request here — a third of a serving
    worker's 2.5–4 ms — so at the rates two workers reach it took ~0.4 of a core from them, and the
    bench measured the client's share of the machine as much as the second worker's gain. This client
    sends prepared bytes and parses only the status line and Content-Length (uvicorn answers JSON with a
    Content-Length, never chunked): a small fraction of that."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.head = (
            f"POST /v1/screen HTTP/1.1\r\nHost: {host}:{port}\r\nX-API-Key: {token}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> int:
        """POSTs ``body``; returns the status code once the whole answer is read (reconnects after a
        connection the server closed)."""
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(self.head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        if length:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _load(
    base: str, token: str, names: list[str], requests: int, seconds: float, concurrency: int
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    issued = 0
    stop_at = time.monotonic() + seconds
    host, port = base.removeprefix("http://").rsplit(":", 1)
    bodies = [json.dumps({"name": name}).encode() for name in names]

    async def worker(c: _Connection) -> None:
        nonlocal issued, errors
        while issued < requests and time.monotonic() < stop_at:
            body = bodies[issued % len(bodies)]
            issued += 1
            t0 = time.perf_counter()
            try:
                ok = await c.post(body) == 200
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
                c.close()
                ok = False
            if ok:
                latencies.append((time.perf_counter() - t0) * 1000)
            else:
                errors += 1

    connections = [_Connection(host, int(port), token) for _ in range(concurrency)]
    start = time.perf_counter()
    try:
        await asyncio.gather(*(worker(c) for c in connections))
    finally:
        for c in connections:
            c.close()
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))]
            if latencies
            else float("nan")
        )

    return {
        "requests": len(latencies) + errors,
        "ok": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(pct(50), 2),
        "p99_ms": round(pct(99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else float("nan"),
    }


def run_one(
    home: Path, token: str, names: list[str], workers: int, args: argparse.Namespace
) -> dict[str, Any]:
    port = free_port()
    env = dict(
        os.environ,
        CHIPGUARD_HOME=str(home),
        CHIPGUARD_RATE_PER_SEC="1000000",
        CHIPGUARD_RATE_BURST="1000000",
        CHIPGUARD_LOG_LEVEL="warning",
    )
    log = home / f"server-{workers}.log"
    proc = _cli(
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), env=env, log=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_wait_ready(base, token, workers, args.startup_timeout))
        cpu_before = _cpu_seconds(proc.pid)
        client_before = time.process_time()
        result = asyncio.run(_load(base, token, names, args.requests, args.seconds, args.concurrency))
        client_cpu = time.process_time() - client_before
        cpu_after = _cpu_seconds(proc.pid)
        if cpu_before is not None and cpu_after is not None and result["ok"]:
            used = {pid: cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after}
            result["server_cpu_ms_per_request"] = round(sum(used.values()) / result["ok"] * 1000, 2)
            # the busiest processes' shares of the server's CPU: a worker left idle shows as ~0
            busiest = sorted(used.values(), reverse=True)[:workers]
            result["worker_cpu_shares"] = [round(u / (sum(used.values()) or 1.0), 2) for u in busiest]
        if result["ok"]:
            # the load generator shares the cores with the server: what it costs per request
            result["client_cpu_ms_per_request"] = round(client_cpu / result["ok"] * 1000, 2)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return {"workers": workers, "concurrency": args.concurrency, **result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--requests", type=int, default=600, help="at most this many measured requests per run"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="at most this long per run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--startup-timeout", type=float, default=240.0)
    parser.add_argument(
        "--list", type=Path, default=None, help="list file to load instead of the bundled snapshot"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chipguard-load-") as tmp:
        home = Path(tmp)
        t0 = time.perf_counter()
        token, names = _prepare(home, args.list, args.requests)
        prep = time.perf_counter() - t0
        results = [run_one(home, token, names, w, args) for w in args.workers]
    if args.json:
        print(json.dumps({"prepare_seconds": round(prep, 1), "results": results}, indent=2))
        return 0
    print(
        f"POST /v1/screen load test on 127.0.0.1 ({'bundled lists' if not args.list else args.list}; "
        f"{len(names)} distinct query names; lists loaded in {prep:.1f} s)"
    )
    print(
        f"{'workers':>7} {'conc':>5} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'server CPU ms/req':>17} {'client CPU ms/req':>17}  worker CPU shares"
    )
    for r in results:
        cpu = r.get("server_cpu_ms_per_request")
        print(
            f"{r['workers']:>7} {r['concurrency']:>5} {r['requests']:>8} {r['errors']:>6} "
            f"{r['throughput_rps']:>8.1f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
            f"{'-' if cpu is None else f'{cpu:.2f}':>17} {r.get('client_cpu_ms_per_request', '-'):>17}  "
            f"{' / '.join(str(s) for s in r.get('worker_cpu_shares', [])) or '-'}"
        )
    return 0 if all(r["errors"] == 0 and r["ok"] > 0 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
