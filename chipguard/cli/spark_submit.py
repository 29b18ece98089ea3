"""The file to hand ``spark-submit``: the chipguard command line as a Spark application.

``spark-submit`` runs a Python application from a ``.py`` file, not from a console script, so this file
runs the ``chipguard`` command line with the arguments given after it::

    $SPARK_HOME/bin/spark-submit --master spark://MASTER:7077 \\
        "$(.venv/bin/python -c 'import chipguard.cli.spark_submit as s; print(s.__file__)')" \\
        batch screen customers.parquet --out hits.parquet --engine spark

Under ``spark-submit`` the Spark engine takes the master and every other option from ``spark-submit``
(``chipguard.batch.spark.session``), ships the index as a file Spark copies to each executor machine
(``--ship file``, the default for a cluster master) and writes the same records as the local engine.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    # run as a script, this file's folder comes first on sys.path, where chipguard.cli's own modules
    # (batch, common, screen …) would shadow top-level modules of those names: take it away
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    from chipguard.cli import main

    main()
