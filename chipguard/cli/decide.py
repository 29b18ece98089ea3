"""CLI commands: decide — a transaction file in, an explained decision out.

A face over the service layer, like ``POST /v1/decisions``: the same lists, the same stored customers (the
shared-address red flag compares with them), the same rules, so the same stored state gives the same
decision. The decision is stored and audited (actor ``cli:<user>``) unless ``--on`` evaluates it on
another date than the transaction's: that is a what-if, printed but not recorded.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from chipguard.cli.common import DB_OPTION, actor, errors, services
from chipguard.errors import InputError
from chipguard.model import Decision, Outcome

# With --exit-code scripts can branch on the outcome without parsing output.
EXIT_CODES = {Outcome.ALLOW: 0, Outcome.REVIEW: 10, Outcome.LICENCE_REQUIRED: 11, Outcome.DENY: 12}


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
            "",
            "--on",
            help="Evaluate the rules on this ISO date instead of the transaction's (a what-if: not recorded).",
        ),
        exit_code: bool = typer.Option(
            False, "--exit-code", help="Exit 10 / 11 / 12 for REVIEW / LICENCE_REQUIRED / DENY (0 for ALLOW)."
        ),
        db: str | None = DB_OPTION,
    ) -> None:
        """Decide whether a sale, export or rental may go ahead: ALLOW / REVIEW / LICENCE_REQUIRED / DENY,
        with every reason, its rule and citation, and the list, rule-set and engine versions. Without
        loaded, current lists the outcome is never ALLOW. The decision is stored and audited like one made
        through the REST API."""
        from chipguard.policy.report import summary
        from chipguard.policy.transaction import load_transaction_body

        with errors():
            when = None
            if on:
                try:
                    when = date.fromisoformat(on)
                except ValueError as exc:
                    raise InputError(f"not an ISO date: {on!r}", field="--on") from exc
            body = load_transaction_body(file)
            service = services(db)
            if when is None:
                stored = service.decide(body, actor())
                output = stored.to_dict()
                decision = Decision.from_dict(output)
            else:
                decision = service.evaluate(body, on=when)
                output = decision.to_dict()
        if as_json:
            typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
        else:
            typer.echo(summary(decision))
            if when is None:
                typer.echo(
                    f"Recorded as decision {output['decision_id']} (audit entry #{output['audit_seq']})"
                )
            else:
                typer.echo(f"(evaluated on {when.isoformat()}: a what-if, not recorded)")
        if exit_code:
            raise typer.Exit(EXIT_CODES[decision.outcome])
