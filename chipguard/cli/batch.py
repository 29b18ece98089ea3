"""CLI commands: ``chipguard batch screen INPUT --out OUT`` and ``chipguard batch rescreen --out OUT``.

The face of chipguard.batch (no logic here): pick the engine (``local`` in this process, ``spark`` on a
Spark master, local mode by default), print a one-line summary on stderr, and turn every ChipguardError
into its message and exit code — bad input 2, no or stale lists 3, Spark unavailable 4.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from chipguard.cli.common import actor, fail
from chipguard.errors import ChipguardError

batch_app = typer.Typer(
    name="batch",
    help="Batch screening of files and of every stored customer, locally or on Spark (same results).",
    no_args_is_help=True,
)

ENGINE = typer.Option("local", "--engine", help="local (this process) or spark.")
MASTER = typer.Option(
    None, "--master", help="Spark master for --engine spark (default local[2]: Spark in local mode)."
)
PARTITIONS = typer.Option(
    None, "--partitions", help="Spark partitions (default: twice the default parallelism)."
)
THRESHOLD = typer.Option(None, "--threshold", help="Override the default threshold.")
LIMIT = typer.Option(
    10,
    "--limit",
    help="Maximum hits per screened name: 1 to the rule set's screening_hit_limit (200), the bound of "
    "every face; each row's hits_omitted counts the records past it.",
)
ALLOW_STALE = typer.Option(
    False,
    "--allow-stale",
    help="Screen against stale lists anyway; every row is then flagged lists_stale and needs_review.",
)
SHIP = typer.Option(
    "auto",
    "--ship",
    help="How Spark executors get the index: path (shared disk), file (Spark copies it to each executor "
    "machine), broadcast, or auto (path for local masters, file otherwise).",
)
AS_JSON = typer.Option(False, "--json", help="Print the run summary as JSON on stdout.")
WORKERS = typer.Option(
    1,
    "--workers",
    min=1,
    max=64,
    help="Processes of the local engine (they map one index file; same output whatever the number).",
)


@batch_app.command("screen")
def screen_cmd(
    input_file: Path = typer.Argument(
        ...,
        help="CSV, JSON Lines or Parquet with id,name[,kind,country,date_of_birth,nationality,registration_number,lei,imo,address,website]; any other column is an error.",
    ),
    out: Path = typer.Option(..., "--out", help="Output: .jsonl (one record per row, in order) or .parquet."),
    input_format: str | None = typer.Option(
        None, "--format", help="csv, jsonl or parquet (default: suffix)."
    ),
    engine: str = ENGINE,
    master: str | None = MASTER,
    partitions: int | None = PARTITIONS,
    threshold: float | None = THRESHOLD,
    limit: int = LIMIT,
    allow_stale: bool = ALLOW_STALE,
    ship: str = SHIP,
    as_json: bool = AS_JSON,
    workers: int = WORKERS,
) -> None:
    """Screen every row of a file against the active lists; one output record per row, in input order."""
    from chipguard.batch.jobs import screen_file
    from chipguard.service.services import check_limit

    try:
        check_limit(limit)  # the bound of every face, before a row is read
        summary = screen_file(
            input_file,
            out,
            engine=engine,
            threshold=threshold,
            limit=limit,
            allow_stale=allow_stale,
            input_format=input_format,
            master=master,
            partitions=partitions,
            ship_mode=ship,
            workers=workers,
        )
    except ChipguardError as exc:
        raise fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    stale = " (STALE lists: every row flagged for review)" if summary.lists_stale else ""
    typer.echo(
        f"screened {summary.rows} row(s) on {summary.engine}, {summary.rows_with_hits} with hits, "
        f"against {lists_phrase(summary)}{stale} → {summary.out}",
        err=True,
    )


@batch_app.command("rescreen")
def rescreen_cmd(
    out: Path = typer.Option(..., "--out", help="Output: .jsonl (one record per customer) or .parquet."),
    engine: str = ENGINE,
    master: str | None = MASTER,
    partitions: int | None = PARTITIONS,
    threshold: float | None = THRESHOLD,
    limit: int = LIMIT,
    allow_stale: bool = ALLOW_STALE,
    ship: str = SHIP,
    as_json: bool = AS_JSON,
    db: str | None = typer.Option(
        None, "--db", help="Database URL (default: CHIPGUARD_DATABASE_URL or the home's SQLite file)."
    ),
    workers: int = WORKERS,
) -> None:
    """Re-screen every stored customer (names, owners, ultimate parent) against the active lists;
    audited as one batch.rescreen entry."""
    from chipguard.batch.jobs import rescreen_customers
    from chipguard.service.services import check_limit

    try:
        check_limit(limit)  # the bound of every face, before a customer is read
        summary = rescreen_customers(
            out,
            engine=engine,
            threshold=threshold,
            limit=limit,
            allow_stale=allow_stale,
            db=db,
            actor=actor(),
            master=master,
            partitions=partitions,
            ship_mode=ship,
            workers=workers,
        )
    except ChipguardError as exc:
        raise fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    stale = " (STALE lists)" if summary.lists_stale else ""
    typer.echo(
        f"re-screened {summary.rows} customer(s) on {summary.engine}, {summary.rows_with_hits} with hits, "
        f"against {lists_phrase(summary)}{stale} → {summary.out} "
        f"(audit entry #{summary.extra.get('audit_seq')})",
        err=True,
    )


def lists_phrase(summary: Any) -> str:
    """The snapshots a run used, each with its age and stale flag ("un:… (12 days)", "… (400 days, STALE)")."""
    parts = []
    for status in summary.lists or [{"snapshot": ref} for ref in summary.snapshot_refs]:
        age = status.get("age_days")
        notes = ([f"{age} days"] if age is not None else []) + (["STALE"] if status.get("stale") else [])
        parts.append(str(status["snapshot"]) + (f" ({', '.join(notes)})" if notes else ""))
    return ", ".join(parts)


def register(app: typer.Typer) -> None:
    """Adds ``chipguard batch``."""
    app.add_typer(batch_app, name="batch")
