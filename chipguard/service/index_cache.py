"""An on-disk cache of built screening indexes, keyed by what shapes them.

Why: building the index over the CSL and UN lists takes several seconds (every alias analysed, every
Chinese or Cyrillic name transliterated), and every CLI call and every API worker start would pay it
again for the same immutable snapshots. The key covers the snapshots' content hashes, the engine
version, and the bytes of the list parsers, the matching code and the name data it reads, so any change
to those builds afresh. The cache lives in the user's own ``CHIPGUARD_HOME``; ``CHIPGUARD_INDEX_CACHE=0`` turns it
off (chipguard.settings).

The cached index is a versioned binary file (``chipguard.match.indexfile``, sha256-checked, no pickle)
that every process *maps* read-only: a CLI call opens it in milliseconds, and the API workers, the
``screen-file`` workers and Spark executors on one machine share one copy of its pages.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from chipguard import config
from chipguard.match import indexfile
from chipguard.match.engine_digest import engine_digest
from chipguard.match.screener import Screener
from chipguard.model import Party
from chipguard.settings import settings

log = logging.getLogger("chipguard.index")

KEEP = 3  # cached indexes kept per home (the newest); older ones are removed
_PREFIX = "screener-"
_SUFFIX = ".cgix"


def enabled() -> bool:
    return settings().index_cache


def cache_key(snapshot_hashes: Sequence[str]) -> str:
    digest = hashlib.sha256()
    digest.update(engine_digest().encode())
    for value in sorted(snapshot_hashes):
        digest.update(b"\0" + value.encode())
    return digest.hexdigest()[:32]


def cache_dir() -> Path:
    path = config.home() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_for(key: str) -> Path:
    """Where the index cached under ``key`` lives (the batch engine ships this file to its workers)."""
    return cache_dir() / f"{_PREFIX}{key}{_SUFFIX}"


def load(key: str) -> Screener | None:
    """The screener mapped from the file cached under ``key``; None when there is none or it cannot be
    used (damaged, or written by another format or code layout: it is removed and rebuilt)."""
    path = path_for(key)
    if not path.exists():
        return None
    try:
        return indexfile.open_screener(path)
    except (indexfile.IndexFileError, OSError, ValueError) as exc:
        # said, not silent: a damaged cache costs a rebuild (seconds to minutes), and an operator seeing
        # it again and again has a disk or a process writing where it should not
        log.warning("index cache cannot be used, rebuilding it from the lists: %s", exc)
        path.unlink(missing_ok=True)
        return None


def store(key: str, screener: Screener) -> None:
    """Writes atomically (temp file + rename) so concurrent workers never read half a file; keeps the
    newest ``KEEP`` files and removes caches of the old pickle format."""
    try:
        indexfile.write(screener, path_for(key))
    except (OSError, indexfile.IndexFileError):
        return
    _prune()


def build(key: str, parties: Iterable[Party], threshold: float | None = None) -> Screener | None:
    """The screener mapped from the index of ``parties`` built straight into the cache file of ``key``
    (``indexfile.build``: never held as Python objects), or None when the file cannot be written.

    One process builds at a time per key: others starting at the same moment (``serve --workers N`` on a
    new home) wait for it and map its file instead of each building their own."""
    path = path_for(key)
    with _build_lock(key):
        found = load(key)
        if found is not None:
            return found
        try:
            indexfile.build(parties, path, threshold=threshold)
        except (OSError, indexfile.IndexFileError):
            return None
        _prune()
        return load(key)


@contextlib.contextmanager
def _build_lock(key: str) -> Iterator[None]:
    lock = cache_dir() / f".{_PREFIX}{key}.lock"
    try:
        import fcntl
    except ImportError:  # no advisory locks here: processes may build the same file, which is only slower
        yield
        return
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _prune() -> None:
    folder = cache_dir()
    for stale in folder.glob(f"{_PREFIX}*.pickle"):
        stale.unlink(missing_ok=True)
    old = sorted(folder.glob(f"{_PREFIX}*{_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in old[KEEP:]:
        path.unlink(missing_ok=True)
    kept = {p.name for p in old[:KEEP]}
    for lock in folder.glob(f".{_PREFIX}*.lock"):
        if lock.name[1:-5] + _SUFFIX not in kept:
            lock.unlink(missing_ok=True)
