"""CLI commands: ``chipguard lists`` — show, load, update, inspect and retire list snapshots.

A thin face over the service layer (``chipguard.service``): every rule (hashing, atomic replacement,
staleness, download limits, the audit entry of each change) lives behind it, so the REST API and
`make run` behave exactly like the CLI.

    chipguard lists [--json]                          table of active snapshots (exit 3 when none)
    chipguard lists load FILE… [--format F] [--source NAME] [--json]
    chipguard lists load --bundled                    the offline snapshot shipped in the package
    chipguard lists update [--source NAME]…           download the official current files
    chipguard lists show SOURCE|SNAPSHOT [--limit N]  one snapshot's details and first records
    chipguard lists history [SOURCE]                  every snapshot kept, newest first
    chipguard lists remove SOURCE                     stop screening against SOURCE (snapshots kept)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from chipguard.cli.common import actor, errors, services
from chipguard.errors import InputError, ListsUnavailableError

lists_app = typer.Typer(
    name="lists",
    help="Restricted-party list snapshots: show, load, update.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def _console() -> Console:
    console = Console()
    # Piped or captured output: do not squeeze the table to 80 columns and cut the hashes.
    return console if console.is_terminal else Console(width=200)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _store() -> Any:
    return services().snapshots


def _stale_lines(store: Any) -> list[str]:
    return [
        f"warning: {s.source} is stale ({s.age_days:.0f} days old by {s.basis.replace('_', ' ')}, "
        f"max {s.max_age_days:g}): decisions against it never auto-ALLOW; run `chipguard lists update`"
        for s in store.freshness()
        if s.stale
    ]


def _print_loaded(infos: list[Any], as_json: bool, store: Any) -> None:
    if as_json:
        typer.echo(json.dumps([info.to_dict() for info in infos], indent=2))
        return
    for info in infos:
        date = f", file date {info.file_date}" if info.file_date else ""
        typer.echo(
            f"{info.source}: {info.status} — {info.record_count} records ({info.format}, "
            f"{info.file_name}{date}) snapshot {info.ref}"
        )
    for line in _stale_lines(store):
        typer.echo(line, err=True)


def show_table(as_json: bool = False) -> None:
    """Prints the active snapshots; exits 3 with the how-to-load message when there are none."""
    from chipguard.store.snapshots import NO_LISTS_MESSAGE

    store = _store()
    statuses = store.freshness()
    if not statuses:
        raise ListsUnavailableError(NO_LISTS_MESSAGE)
    if as_json:
        rows = [{**s.snapshot.to_dict(), "freshness": s.to_dict()} for s in statuses]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Active restricted-party list snapshots")
    for column, justify in (
        ("source", "left"),
        ("format", "left"),
        ("records", "right"),
        ("file date", "left"),
        ("loaded", "left"),
        ("hash", "left"),
        ("stale?", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for s in statuses:
        info = s.snapshot
        stale = f"STALE ({s.age_days:.0f} d > {s.max_age_days:g})" if s.stale else f"no ({s.age_days:.0f} d)"
        table.add_row(
            info.source,
            info.format,
            str(info.record_count),
            info.file_date or "—",
            _when(info.loaded_at),
            info.sha256[:12],
            stale,
        )
    _console().print(table)
    for line in _stale_lines(store):
        typer.echo(line, err=True)


@lists_app.callback()
def lists_main(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Show each active list snapshot: source, format, records, file date, load time, hash, staleness."""
    if ctx.invoked_subcommand is None:
        with errors():
            show_table(as_json)


FORCE_OPTION = typer.Option(
    "",
    "--force",
    metavar="REASON",
    help="Load even when a source would drop below min_record_share (list_sources.yml, default 80 %) of "
    "its active snapshot's records; the reason is written to the audit entry.",
)


@lists_app.command("load")
def load(
    files: list[Path] = typer.Argument(
        None, help="List files (CSL CSV/JSON, OFAC, UN, EU, UK, custom CSV…)."
    ),
    format: str | None = typer.Option(None, "--format", "-f", help="Force a format instead of detecting it."),
    source: str | None = typer.Option(None, "--source", "-s", help="Source name for the snapshot."),
    bundled: bool = typer.Option(
        False, "--bundled", help="Load the offline snapshot shipped in the package."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the loaded snapshots as JSON."),
    force: str = FORCE_OPTION,
) -> None:
    """Load list files as new snapshots (all or nothing); same bytes again is a no-op ("unchanged").
    The load and its audit entry commit together."""
    with errors():
        from chipguard.store.snapshots import LoadSpec

        if bundled and (files or format or source):
            raise InputError("--bundled loads the packaged lists; give FILE… or --bundled, not both")
        if not bundled and not files:
            raise InputError("give one or more list files, or --bundled")
        service = services()
        specs = [LoadSpec(Path(f), format, source) for f in files or []]
        change = service.load_lists(specs, actor(), bundled=bundled, force_reason=force)
        _print_loaded(change.snapshots, as_json, service.snapshots)


@lists_app.command("update")
def update(
    source: list[str] = typer.Option(None, "--source", "-s", help="Update only this source (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print the resulting snapshots as JSON."),
    force: str = FORCE_OPTION,
) -> None:
    """Download the official current lists (URLs in list_sources.yml) and load them atomically, with
    their audit entry in the same transaction."""
    with errors():
        service = services()
        change = service.update_lists(source or None, actor(), force_reason=force)
        _print_loaded(change.snapshots, as_json, service.snapshots)


def _resolve(store: Any, ref: str) -> Any:
    for info in store.active():
        if info.source == ref:
            return info
    try:
        return store.get_snapshot(ref)
    except InputError as exc:
        raise InputError(f"no active list or snapshot '{ref}' (see `chipguard lists history`)") from exc


@lists_app.command("show")
def show(
    ref: str = typer.Argument(..., help="A source name (its active snapshot) or a snapshot id / hash."),
    limit: int = typer.Option(10, "--limit", "-n", min=0, help="How many records to print."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Details of one snapshot and its first records."""
    with errors():
        store = _store()
        info = _resolve(store, ref)
        parties = store.parties_of([info.id])[:limit] if limit else []
        if as_json:
            typer.echo(json.dumps({**info.to_dict(), "parties": [p.to_dict() for p in parties]}, indent=2))
            return
        fields: list[tuple[str, Callable[[Any], Any]]] = [
            ("snapshot", lambda i: f"{i.ref} (id {i.id}{', active' if i.active else ''})"),
            ("source", lambda i: i.source),
            ("format", lambda i: i.format),
            ("file", lambda i: i.file_name),
            ("file date", lambda i: i.file_date or "—"),
            ("source url", lambda i: i.source_url or "—"),
            ("loaded", lambda i: _when(i.loaded_at)),
            ("records", lambda i: i.record_count),
            ("sha256", lambda i: i.sha256),
        ]
        for label, get in fields:
            typer.echo(f"{label:>10}: {get(info)}")
        for warning in info.warnings:
            typer.echo(f"{'warning':>10}: {warning}")
        for party in parties:
            typer.echo(f"  - {party.party_id}  {party.kind}  {party.name}  [{party.list_name}]")


@lists_app.command("history")
def history(
    source: str | None = typer.Argument(None, help="Only this source."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every snapshot kept (old ones stay so past decisions can be replayed), newest first."""
    with errors():
        infos = _store().history(source)
        if as_json:
            typer.echo(json.dumps([i.to_dict() for i in infos], indent=2))
            return
        for info in infos:
            mark = "*" if info.active else " "
            typer.echo(
                f"{mark} {info.id:>4}  {info.ref:<26}  {_when(info.loaded_at)}  {info.record_count:>7}  "
                f"{info.file_date or '—':<10}  {info.file_name}"
            )


@lists_app.command("remove")
def remove(source: str = typer.Argument(..., help="Source to stop screening against.")) -> None:
    """Stop screening against SOURCE; its snapshots are kept for replay."""
    with errors():
        change = services().remove_list(source, actor())
        typer.echo(f"{source}: no longer active (its snapshots are kept; audit entry #{change.audit_seq})")


def register(app: typer.Typer) -> None:
    """Adds ``chipguard lists …`` to the main app."""
    app.add_typer(lists_app, name="lists")
