"""The ``chipguard`` command. Each face module registers its own commands; none holds business logic."""

from __future__ import annotations

import importlib
import sys

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


def main() -> None:
    """Entry point: turns a ChipguardError into its message on stderr and its exit code."""
    try:
        app()
    except ChipguardError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
