"""``serve --workers N`` on Linux: N uvicorn worker processes, each listening on its own socket bound to the
same address with ``SO_REUSEPORT``, so the kernel spreads new connections over the workers.

Why not uvicorn's own supervisor: it shares one listening socket among the workers, and the worker whose
event loop wakes first accepts every connection waiting (asyncio accepts up to the backlog per wake-up).
A client that opens its keep-alive connections together — a load generator, a proxy filling its pool —
then sends everything to one worker while the others idle (measured with ``python -m bench.load``: eight
connections, one worker served 1,500 of 1,532 requests, the other only warm-up requests). With a socket
per worker the kernel hashes each connection to one of them, whichever is awake.

The supervisor binds the address first (without listening, so it takes no connections), which fails at
once with a clear error when the port is taken, and lets each worker bind it again. A worker that dies
is replaced; one that fails to start stops the server (a restart would fail the same way); SIGINT and
SIGTERM stop the workers gracefully (uvicorn finishes the requests in flight).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from typing import Any

log = logging.getLogger("chipguard.serve")

STOP_TIMEOUT = 30.0  # seconds a worker gets to finish its requests after SIGTERM before it is killed
STARTUP_FAILURE = 3  # uvicorn's exit code for a server that could not start


def reuse_port_supported() -> bool:
    """Linux spreads connections over SO_REUSEPORT sockets; other systems (BSD, macOS) give them all to
    one socket, so there uvicorn's shared socket is kept."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` with SO_REUSEPORT, not listening yet (as uvicorn binds: IPv6
    when the host has a colon)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _worker(app: str, host: str, port: int, options: dict[str, Any]) -> None:
    """One worker process: its own listening socket on the shared address, one uvicorn server."""
    import uvicorn

    sock = _bind(host, port)
    config = uvicorn.Config(app, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(app: str, *, host: str, port: int, workers: int, options: dict[str, Any]) -> int:
    """Runs ``workers`` uvicorn processes serving ``app`` (an import string) on ``host:port`` until SIGINT
    or SIGTERM; returns the exit code (non-zero when a worker could not start)."""
    try:
        holder = _bind(host, port)  # keeps the address while the workers (re)bind it; never listens
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", host, port, exc)
        return 1
    port = holder.getsockname()[1]  # port 0: the one the system chose, for every worker
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_worker, args=(app, host, port, options), name="chipguard-worker")
        process.start()
        return process

    def on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes = [start() for _ in range(workers)]
    log.info("serving on %s:%d with %d worker processes", host, port, workers)
    code = 0
    try:
        while not stop.wait(0.5):
            for n, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    log.error("a worker could not start (see above): stopping")
                    code = STARTUP_FAILURE
                    stop.set()
                    break
                if process.exitcode == 0:  # shut down cleanly (a signal to the process group): stop too
                    stop.set()
                    break
                log.warning("worker %s exited with %s: starting another", process.pid, process.exitcode)
                processes[n] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for process in processes:
            process.join(STOP_TIMEOUT)
            if process.is_alive():
                process.kill()
                process.join()
        holder.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code
