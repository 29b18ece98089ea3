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
"""

from __future__ import annotations

import gc
import sys


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
    try:
        preload()
    except Exception:  # noqa: BLE001 - never keep Spark from starting its workers
        import traceback

        traceback.print_exc(file=sys.stderr)
    from pyspark import daemon

    daemon.manager()


if __name__ == "__main__":
    main()
