"""pyspark's Python worker daemon, with chipguard's screening code loaded once before it forks the workers.

Why: on every executor pyspark runs one daemon (``python -m pyspark.daemon``) that forks each Python
worker. With the stock daemon every worker imports chipguard and readies the name resources (ICU
transliterators, OpenCC, the Chinese vocabulary and segmentation costs) on its first task — measured
~0.6 CPU s per worker, paid again by every worker of every new session. Run as the daemon instead
(``spark.python.daemon.module``, set by :func:`chipguard.batch.spark.session` for local masters), this
module loads them once per executor; the forked workers share those pages copy-on-write, and the loaded
objects are frozen out of the cycle collector's sight (``gc.freeze``) so the workers' collections neither
walk nor write to them.

The index is not loaded here: the daemon does not know which index a job brings, so each worker still maps
and checks it on its first task (``chipguard.batch.spark.executor_screener``). Results do not depend on
this module: a worker finds in memory what it would otherwise have imported.
"""

from __future__ import annotations

import gc
import sys


def preload() -> None:
    """Imports the code every screening task runs and readies the name resources, then freezes them."""
    from chipguard.batch import model, spark  # noqa: F401 - what every task unpickles and runs
    from chipguard.match import evidence, indexfile, screener  # noqa: F401 - the screening path
    from chipguard.names.scripts import warm_up
    from chipguard.policy import core_facts  # noqa: F401 - list codes of every record

    warm_up()
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
