"""The CLI defers the cyclic garbage collector during a command's start-up only: a command running past
``STARTUP_SECONDS`` gets it back, with what start-up built frozen (never re-scanned)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import gc, time
import chipguard.cli as cli
cli.STARTUP_SECONDS = 2.0
seen = []
cli.app = lambda: seen.append(gc.isenabled())  # the command: what it sees of the collector
cli.main()
deadline = time.monotonic() + 60
while not gc.isenabled() and time.monotonic() < deadline:
    time.sleep(0.05)
print(seen[0], gc.isenabled(), gc.get_freeze_count() > 0)
"""


def test_collection_waits_for_start_up_then_runs_with_start_up_frozen() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert done.stdout.split()[-3:] == ["False", "True", "True"]
