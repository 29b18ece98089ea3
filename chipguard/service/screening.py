"""The one provider of "the screener and the list status" for a store's list snapshots.

Why one place: every face (CLI, REST, web UI, batch, replay) screens against the same active snapshots,
and each used to build its screener its own way (a class method on the Screener that opened the store, a
holder in the REST face, a per-process dict in the decision engine). The core (``chipguard.match``,
``chipguard.policy``) now only receives a screener and a ``ListsStatus``; this module is where the store's
snapshots become both.

- ``lists_status(store)``: ok / stale / missing, with the active snapshots, never raising.
- ``screener_of(store, infos, threshold)``: a screener over given (default: the active) snapshots, through
  the on-disk index cache; fails closed (``ListsUnavailableError``) when no list is loaded.
- ``ScreenerProvider``: one per process and database — builds once, re-reads the active snapshot hashes
  at most every ``check_seconds`` and rebuilds when another process loaded new lists.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from chipguard.errors import ListsUnavailableError
from chipguard.match import index as match_index
from chipguard.match.screener import Screener
from chipguard.policy.facts import ListsStatus
from chipguard.service import index_cache
from chipguard.store.db import get_engine
from chipguard.store.snapshots import NO_LISTS_MESSAGE, SnapshotInfo, SnapshotStore, require_lists


def serving_requests() -> None:
    """Declares this process a request server (the REST face): the cycle collector's first threshold stays
    at the one for a process whose framework leaves garbage in cycles, not the screening workers' higher
    one (chipguard.match.index.serving_requests)."""
    match_index.serving_requests()


def lists_status(store: SnapshotStore) -> ListsStatus:
    """The status of the active lists (ok / stale / missing) as the decision engine records it."""
    active = store.active()
    if not active:
        return ListsStatus("missing", NO_LISTS_MESSAGE)
    snaps = [s.to_dict() for s in active]
    stale = [s for s in store.freshness() if s.stale]
    if stale:
        detail = ", ".join(f"{s.source} ({s.age_days:.0f} days old, max {s.max_age_days:g})" for s in stale)
        return ListsStatus("stale", f"restricted-party lists are stale: {detail}", snaps)
    return ListsStatus("ok", "", snaps)


def snapshot_status(store: SnapshotStore, screener: Screener) -> list[dict[str, Any]]:
    """Age and stale flag of each list snapshot ``screener`` was built from (the store's freshness rule),
    for every screening result to state which lists it used and whether they were stale."""
    refs = {str(r) for r in screener.snapshot_refs()}
    return [s.to_dict() for s in store.freshness() if s.snapshot.ref in refs]


def screener_of(
    store: SnapshotStore, infos: Sequence[SnapshotInfo] | None = None, threshold: float | None = None
) -> Screener:
    """A screener over ``infos`` (default: every active snapshot of ``store``), loaded from the index
    cache when one was built for the same snapshots, code and name data; ListsUnavailableError when no
    list is loaded (fail closed)."""
    if infos is None:
        infos = require_lists(store)
    infos = list(infos)
    key = index_cache.cache_key([i.sha256 for i in infos]) if index_cache.enabled() else ""
    screener = index_cache.load(key) if key else None
    if screener is None:
        parties = store.parties_of([i.id for i in infos])
        if not parties:
            raise ListsUnavailableError(NO_LISTS_MESSAGE)
        # built straight into the cache file and answered from it, as every later process will: the
        # index is never held as Python objects (several KB per name), and its pages are shared with the
        # other processes mapping the file
        screener = index_cache.build(key, parties, threshold) if key else None
        if screener is None:
            screener = Screener(parties, threshold=threshold, snapshots=infos)
    screener.set_threshold(threshold)
    screener.snapshots = infos
    return screener


def active_screener(threshold: float | None = None, database_url: str | None = None) -> Screener:
    """A screener over the active lists of the database at ``database_url`` (default: the home's),
    for one-shot commands (``chipguard screen``, ``ownership explain --screen``, batch jobs)."""
    return screener_of(SnapshotStore(get_engine(database_url)), threshold=threshold)


def _hashes(infos: Sequence[SnapshotInfo]) -> tuple[str, ...]:
    return tuple(sorted(f"{i.source}:{i.sha256}" for i in infos))


class ScreenerProvider:
    """The screener of a store's active lists, built once and shared by every request of a process.

    Another worker or the CLI may load new lists at any time, so the set of active snapshot hashes is
    re-read at most every ``check_seconds`` and the screener rebuilt when it changed. One caller re-reads
    and rebuilds; every other caller meanwhile gets the current screener at once (a build can take
    minutes) — only before the first screener exists do callers wait, there being nothing to answer with.
    Lists found missing drop the screener: every caller then fails closed (ListsUnavailableError)."""

    def __init__(self, store: SnapshotStore, check_seconds: float = 2.0) -> None:
        self.store = store
        self.check_seconds = check_seconds
        self._lock = threading.Lock()  # held by the one caller re-reading the lists / building
        self._screener: Screener | None = None
        self._hashes: tuple[str, ...] = ()
        self._checked = 0.0
        self._list_status: tuple[tuple[str, ...], float, list[dict[str, Any]]] | None = None

    def invalidate(self) -> None:
        """The next request re-reads the active snapshots (no lock: a rebuild may be holding it)."""
        self._checked = 0.0

    def get(self) -> Screener:
        """The screener for the active lists; ListsUnavailableError when none is loaded (fail closed)."""
        current = self._screener
        if current is not None and time.monotonic() - self._checked < self.check_seconds:
            return current
        if current is None:
            self._lock.acquire()  # nothing to answer with yet: wait for the first build
        elif not self._lock.acquire(blocking=False):
            return current  # another caller is re-reading the lists or building: answer meanwhile
        try:
            current = self._screener
            if current is not None and time.monotonic() - self._checked < self.check_seconds:
                return current
            try:
                infos = require_lists(self.store)
                if current is None or _hashes(infos) != self._hashes:
                    current = screener_of(self.store, infos)
                    # what the screener was really built from (the lists may have moved on meanwhile)
                    self._hashes = _hashes(current.snapshots)
                    self._screener = current
            except ListsUnavailableError:
                self._screener, self._hashes = None, ()  # no request answers from removed lists
                raise
            self._checked = time.monotonic()
            return current
        finally:
            self._lock.release()

    def status(self) -> ListsStatus:
        return lists_status(self.store)

    @staticmethod
    def decode_whole(screener: Screener) -> bool:
        """Every record of a mapped list decoded now rather than by the first queries that meet it, when
        the list fits the worker's caches (chipguard.match.indexfile.decode_whole): for a serving worker
        before it takes requests."""
        from chipguard.match import indexfile

        return indexfile.decode_whole(screener)

    def for_decision(self) -> tuple[Screener | None, ListsStatus]:
        """(screener, status) for a decision; never raises for missing lists — the decision then records
        them as a fact and fails closed (REVIEW with the reason), instead of erroring."""
        status = self.status()
        try:
            return self.get(), status
        except ListsUnavailableError:
            return None, status

    def list_status(self, screener: Screener) -> list[dict[str, Any]]:
        """:func:`snapshot_status` of ``screener``, re-read from the store at most every ``check_seconds``
        (a list turns stale with the clock, not only with a new load)."""
        refs = tuple(str(r) for r in screener.snapshot_refs())
        cached = self._list_status
        if cached is not None and cached[0] == refs and time.monotonic() - cached[1] < self.check_seconds:
            return cached[2]
        status = snapshot_status(self.store, screener)
        self._list_status = (refs, time.monotonic(), status)
        return status

    def screen(self, query_id: Any, name: str, kind: str | None, country: str | None) -> dict[str, Any]:
        screener = self.get()
        result: dict[str, Any] = screener.screen_result(
            query_id, name, kind, country, lists=self.list_status(screener)
        )
        return result
