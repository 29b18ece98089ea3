"""The ``chipguard`` command. Each face module registers its own commands; none holds business logic."""

from __future__ import annotations

import gc
import importlib
import sys
import threading

import typer

from chipguard.errors import ChipguardError

app = typer.Typer(
    name="chipguard",
    help="Restricted-party screening, ownership, accelerator classification and explained decisions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Each module defines ``register(app: typer.Typer) -> None``.
COMMAND_MODULES = (
    "chipguard.cli.lists",
    "chipguard.cli.screen",
    "chipguard.cli.hardware",
    "chipguard.cli.decide",
    "chipguard.cli.ownership",
    "chipguard.cli.service",
    "chipguard.cli.monitor",
    "chipguard.cli.batch",
)


@app.callback()
def _root() -> None:
    """Restricted-party screening, ownership, accelerator classification and explained decisions."""


@app.command()
def version() -> None:
    """Print the engine version (recorded in every decision) and whether the scorer runs compiled."""
    from chipguard import ENGINE_VERSION, native

    typer.echo(ENGINE_VERSION)
    typer.echo(f"scorer: {native.status().describe()}")


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


# How long a command's start-up runs without the cyclic garbage collector. Start-up (imports, reference
# data, the mapped screener) allocates about a million objects that live as long as the process; the
# collector re-scanned them ~260 times in a single warm `chipguard screen`, 0.17 of its ~1.8 CPU seconds.
# A short command ends before the time is up; a long one (serve, screen-file, batch) then freezes what
# start-up built (never scanned again) and collects as usual. Time-bound rather than tied to a point in
# each command, so no command can leave the collector off.
STARTUP_SECONDS = 3.0


def _end_startup() -> None:
    gc.freeze()
    gc.enable()


def main() -> None:
    """Entry point: turns a ChipguardError into its message on stderr and its exit code."""
    gc.disable()
    startup = threading.Timer(STARTUP_SECONDS, _end_startup)
    startup.daemon = True
    startup.start()
    try:
        app()
    except ChipguardError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
