"""What every CLI command module shares: the one error wrapper, the service opener, JSON in and out.

Why one place: each command must turn a ChipguardError into its message on stderr and its exit code the
same way (also under CliRunner, which bypasses ``chipguard.cli.main``), and every command that changes
state goes through the same service layer with the operating-system user as the audited actor.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from chipguard.errors import ChipguardError, InputError

if TYPE_CHECKING:
    from chipguard.service import Services

DB_OPTION = typer.Option(
    None, "--db", help="Database URL (default: CHIPGUARD_DATABASE_URL or the home's SQLite file)."
)


@contextmanager
def errors() -> Iterator[None]:
    """A ChipguardError inside becomes ``error: message`` on stderr and the error's exit code."""
    try:
        yield
    except ChipguardError as exc:
        raise fail(exc) from exc


def fail(exc: ChipguardError) -> typer.Exit:
    """What ``errors()`` does, for a command that catches the error itself: prints ``error: message`` on
    stderr and returns the Exit to raise (``raise fail(exc) from exc``)."""
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(exc.exit_code)


def actor() -> str:
    """The audited actor of a CLI command: ``cli:<operating-system user>``."""
    from chipguard.audit import cli_actor

    return cli_actor()


def services(db: str | None = None) -> Services:
    """The service layer over ``db`` (default: CHIPGUARD_DATABASE_URL or the home's SQLite file).
    Imported here, not at module level, so that ``chipguard --help`` and ``version`` stay fast."""
    from chipguard.service import Services

    return Services.open(db)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def read_json(path: Path) -> Any:
    """A JSON file (``-`` for standard input); InputError naming the file and line when unreadable.
    (The limits module is imported here: every command imports this module, few read JSON.)"""
    from chipguard.limits import load_json

    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        text = typer.get_text_stream("stdin").read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=name) from exc
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", file=name) from exc
    return load_json(text, file=name)
