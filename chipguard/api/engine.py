"""The screening and decision engine as the service sees it: one screener per worker process, built from
the active list snapshots and rebuilt when they change.

Why a holder: building the candidate index takes seconds, so it is built once and shared by every
request; but another worker or the CLI may load new lists at any time, so the set of active snapshot
hashes is re-read at most every ``check_seconds`` and the screener rebuilt when it changed.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from chipguard.store.snapshots import SnapshotStore, require_lists


class ScreenerHolder:
    def __init__(self, store: SnapshotStore, check_seconds: float = 2.0) -> None:
        self.store = store
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._screener: Any = None
        self._hashes: tuple[str, ...] = ()
        self._checked = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._checked = 0.0

    def get(self) -> Any:
        """The screener for the active lists; ListsUnavailableError when none is loaded (fail closed)."""
        now = time.monotonic()
        if self._screener is not None and now - self._checked < self.check_seconds:
            return self._screener
        with self._lock:
            now = time.monotonic()
            if self._screener is not None and now - self._checked < self.check_seconds:
                return self._screener
            infos = require_lists(self.store)
            hashes = tuple(sorted(f"{i.source}:{i.sha256}" for i in infos))
            if self._screener is None or hashes != self._hashes:
                from chipguard.match.screener import Screener

                self._screener = Screener.from_store(self.store)
                self._hashes = hashes
            self._checked = time.monotonic()
            return self._screener

    def screen(self, query_id: Any, name: str, kind: str | None, country: str | None) -> dict[str, Any]:
        result: dict[str, Any] = self.get().screen_result(query_id, name, kind, country)
        return result
