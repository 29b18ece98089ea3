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


def _hashes(infos: Any) -> tuple[str, ...]:
    return tuple(sorted(f"{i.source}:{i.sha256}" for i in infos))


class ScreenerHolder:
    def __init__(self, store: SnapshotStore, check_seconds: float = 2.0) -> None:
        self.store = store
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._screener: Any = None
        self._hashes: tuple[str, ...] = ()
        self._checked = 0.0
        self._building = False

    def invalidate(self) -> None:
        """The next request re-reads the active snapshots (no lock: a rebuild may be holding it)."""
        self._checked = 0.0

    def get(self) -> Any:
        """The screener for the active lists; ListsUnavailableError when none is loaded (fail closed).
        While a new screener is being built, requests keep using the previous one."""
        current = self._screener
        if current is not None and (self._building or time.monotonic() - self._checked < self.check_seconds):
            return current
        with self._lock:
            current = self._screener
            if current is not None and time.monotonic() - self._checked < self.check_seconds:
                return current
            infos = require_lists(self.store)
            if current is None or _hashes(infos) != self._hashes:
                from chipguard.match.screener import Screener

                self._building = current is not None
                try:
                    screener = Screener.from_store(self.store)
                finally:
                    self._building = False
                # what the screener was really built from (the lists may have moved on meanwhile)
                self._hashes = _hashes(screener.snapshots)
                self._screener = current = screener
            self._checked = time.monotonic()
            return current

    def screen(self, query_id: Any, name: str, kind: str | None, country: str | None) -> dict[str, Any]:
        result: dict[str, Any] = self.get().screen_result(query_id, name, kind, country)
        return result
