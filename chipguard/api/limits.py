"""Request-size and rate limits.

Rate limiting is a token bucket per API key, held in the memory of each worker process: with N uvicorn
workers a key may reach up to N × the configured rate. That is the documented trade-off for needing no
shared cache; put a gateway in front when a hard global limit is required. Settings (environment,
parsed in chipguard.settings):

- ``CHIPGUARD_RATE_PER_SEC`` (default 50): sustained requests per second per key;
- ``CHIPGUARD_RATE_BURST`` (default 100): bucket size, the burst a key may send at once;
- ``CHIPGUARD_MAX_BODY_BYTES`` (default 1 MiB): larger request bodies are refused with 413.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from chipguard.settings import settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class TokenBucket:
    """Per-key token buckets: each request takes one token; tokens refill at ``rate`` per second."""

    def __init__(self, rate: float | None = None, burst: float | None = None) -> None:
        self.rate = rate if rate is not None else settings().rate_per_sec
        self.burst = burst if burst is not None else settings().rate_burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, cost: float = 1.0) -> float:
        """What :meth:`take` would answer, without taking: 0.0 when a token is there."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= cost:
            return 0.0
        return (cost - tokens) / self.rate if self.rate > 0 else 3600.0

    def take(self, key: str, cost: float = 1.0) -> float:
        """0.0 when allowed, else the seconds to wait before a retry can succeed."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (cost - tokens) / self.rate if self.rate > 0 else 3600.0


def max_body_bytes() -> int:
    return settings().max_body_bytes


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """ASGI middleware refusing bodies over the limit (by Content-Length, and by counting the bytes
    actually received, since a client may send chunked bodies without a length)."""

    def __init__(self, app: ASGIApp, limit: int | None = None) -> None:
        self.app = app
        self.limit = limit if limit is not None else max_body_bytes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(send)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Raised inside the endpoint that reads the body, so the app's handlers turn it
                    # into the usual JSON error.
                    raise HTTPException(413, f"request body over the {self.limit}-byte limit")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "error": {
                    "status": 413,
                    "code": "body_too_large",
                    "message": f"request body over the {self.limit}-byte limit",
                    "details": [],
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
