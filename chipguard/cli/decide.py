"""CLI commands: decide — a transaction file in, an explained decision out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from chipguard.model import Outcome

# Exit codes let scripts branch on the outcome without parsing output.
EXIT_CODES = {Outcome.ALLOW: 0, Outcome.REVIEW: 10, Outcome.LICENCE_REQUIRED: 11, Outcome.DENY: 12}


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the main app."""

    @app.command("decide")
    def decide_cmd(
        file: Path = typer.Argument(
            ..., help="Transaction JSON (see chipguard/data/schemas/transaction.schema.json)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the decision as JSON."),
        on: str = typer.Option(
            "", "--on", help="Evaluate the rules on this ISO date instead of the transaction's."
        ),
        exit_code: bool = typer.Option(
            False, "--exit-code", help="Exit 10/11/12 for REVIEW/LICENCE_REQUIRED/DENY (0 for ALLOW)."
        ),
    ) -> None:
        """Decide whether a sale, export or rental may go ahead: ALLOW / REVIEW / LICENCE_REQUIRED / DENY,
        with every reason, its rule and citation, and the list, rule-set and engine versions."""
        from chipguard.errors import InputError
        from chipguard.policy import decide, load_transaction
        from chipguard.policy.report import summary

        transaction = load_transaction(file)
        if on:
            try:
                from datetime import date

                date.fromisoformat(on)
            except ValueError as exc:
                raise InputError(f"not an ISO date: {on!r}", field="--on") from exc
        decision = decide(transaction, on=on or None)
        if as_json:
            typer.echo(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))
        else:
            typer.echo(summary(decision))
        if exit_code:
            sys.exit(EXIT_CODES[decision.outcome])
