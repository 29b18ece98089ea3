"""pyspark's Python worker daemon, with chipguard's screening code loaded once before it forks the workers.

Why: on every executor pyspark runs one daemon (``python -m pyspark.daemon``) that forks each Python
worker. With the stock daemon every worker imports chipguard and readies the name resources (ICU
transliterators, OpenCC, the Chinese vocabulary and segmentation costs) on its first task — measured
~0.6 CPU s per worker, paid again by every worker of every new session. Run as the daemon instead
(``spark.python.daemon.module``, set by :func:`chipguard.batch.spark.session` for local masters), this
module loads them once per executor; the forked workers share those pages copy-on-write, and the loaded
objects are frozen out of the cycle collector's sight (``gc.freeze``) so the workers' collections neither
walk nor write to them.

The job's index is loaded here too when the job names it (``chipguard.batch.spark.DAEMON_INDEX_ENV``, set
by :func:`chipguard.batch.spark.daemon_index`; Spark starts a daemon per distinct worker environment, so
per index): mapped, checked against its sha256 and — when the list fits the decode caches — every record
decoded, once per machine instead of once by each worker for the records it meets. Without it (or when
it fails) each worker maps and checks the index on its first task (``executor_screener``). Results do not
depend on this module: a worker finds in memory what it would otherwise have loaded itself.

It also spares each task pyspark's re-reading of the zip archives on the import path (see
:class:`ArchiveImporter`).
"""

from __future__ import annotations

import gc
import os
import sys
import zipimport
from typing import Any


def _archive_state(path: str) -> tuple[int, int, int, int] | None:
    """What says an archive is still the one read: device, inode, size and modification time (None when
    it cannot be read: then it is treated as changed)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class ArchiveImporter(zipimport.zipimporter):
    """Python's importer of modules from a zip archive, whose ``invalidate_caches`` re-reads the archive's
    directory only when the archive changed since it was read.

    Why: pyspark's worker calls ``importlib.invalidate_caches()`` before every task (so that files added
    to the job meanwhile can be imported), and Python's zip importer (3.11) answers by re-reading the
    whole central directory of its archive — one importer per package imported from it: the workers' path
    holds pyspark.zip (793 entries, 9 importers) and Spark's core jar (5,221 entries, 2 importers), so
    every task spent ~0.15 CPU s re-reading archives that never change while a session runs (measured:
    a job of 20 tasks of 2 rows each, 0.15 CPU s per task). An archive that did change (another inode,
    size or modification time) is re-read as before, and directories on the path are untouched, so what
    a task can import is the same."""

    def __init__(self, path: Any) -> None:
        super().__init__(path)
        self._read_state = _archive_state(self.archive)

    def invalidate_caches(self) -> None:
        state = _archive_state(self.archive)
        if state is not None and state == self._read_state:
            return
        super().invalidate_caches()
        self._read_state = state


def use_archive_importer() -> None:
    """Makes every zip archive on the import path, now and later, be read by :class:`ArchiveImporter`
    (in the daemon before it forks: the workers inherit it)."""
    sys.path_hooks[:] = [
        ArchiveImporter if hook is zipimport.zipimporter else hook for hook in sys.path_hooks
    ]
    for path, finder in list(sys.path_importer_cache.items()):
        if type(finder) is zipimport.zipimporter:
            sys.path_importer_cache[path] = ArchiveImporter(path)


def preload() -> None:
    """Imports the code every screening task runs, readies the name resources and the index the job names,
    then freezes them."""
    from chipguard.batch import model, spark  # noqa: F401 - what every task unpickles and runs
    from chipguard.match import evidence, indexfile, screener  # noqa: F401 - the screening path
    from chipguard.names.scripts import warm_up
    from chipguard.policy import core_facts  # noqa: F401 - list codes of every record

    warm_up()
    try:
        spark.preload_daemon_index()
    except Exception:  # noqa: BLE001 - each worker then maps and checks the index itself, and fails the task there
        import traceback

        traceback.print_exc(file=sys.stderr)
    gc.collect()
    gc.freeze()


def main() -> None:
    """Preloads (a failure is reported on stderr and leaves the workers to load what they need, where a
    real error then fails the task with its message), then runs pyspark's own daemon loop. Nothing may be
    written to stdout before the daemon's: the JVM reads the daemon's port from it."""
    use_archive_importer()
    try:
        preload()
    except Exception:  # noqa: BLE001 - never keep Spark from starting its workers
        import traceback

        traceback.print_exc(file=sys.stderr)
    from pyspark import daemon

    daemon.manager()


if __name__ == "__main__":
    main()
