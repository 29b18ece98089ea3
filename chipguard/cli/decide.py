"""CLI commands: decide — a transaction file in, an explained decision out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import typer

from chipguard.errors import ChipguardError, InputError
from chipguard.model import Outcome

# With --exit-code scripts can branch on the outcome without parsing output.
EXIT_CODES = {Outcome.ALLOW: 0, Outcome.REVIEW: 10, Outcome.LICENCE_REQUIRED: 11, Outcome.DENY: 12}


@contextmanager
def _errors() -> Iterator[None]:
    """A ChipguardError becomes its message on stderr and its exit code (also under CliRunner, which
    bypasses ``chipguard.cli.main``)."""
    try:
        yield
    except ChipguardError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from exc


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the main app."""

    @app.command("decide")
    def decide_cmd(
        file: Path = typer.Argument(
            ...,
            help="Transaction JSON, or - for standard input (schema: chipguard/data/schemas/transaction.schema.json).",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the decision as JSON."),
        on: str = typer.Option(
            "", "--on", help="Evaluate the rules on this ISO date instead of the transaction's."
        ),
        exit_code: bool = typer.Option(
            False, "--exit-code", help="Exit 10 / 11 / 12 for REVIEW / LICENCE_REQUIRED / DENY (0 for ALLOW)."
        ),
    ) -> None:
        """Decide whether a sale, export or rental may go ahead: ALLOW / REVIEW / LICENCE_REQUIRED / DENY,
        with every reason, its rule and citation, and the list, rule-set and engine versions. Without
        loaded, current lists the outcome is never ALLOW."""
        from chipguard.policy import decide, load_transaction
        from chipguard.policy.report import summary

        with _errors():
            if on:
                try:
                    date.fromisoformat(on)
                except ValueError as exc:
                    raise InputError(f"not an ISO date: {on!r}", field="--on") from exc
            transaction = load_transaction(file)
            decision = decide(transaction, on=on or None)
        if as_json:
            typer.echo(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))
        else:
            typer.echo(summary(decision))
        if exit_code:
            raise typer.Exit(EXIT_CODES[decision.outcome])
