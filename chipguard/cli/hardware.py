"""CLI commands: ``chipguard hardware classify|list`` — a thin face over ``chipguard.hardware``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

from chipguard.errors import InputError

hardware_app = typer.Typer(
    name="hardware",
    help="Accelerator catalogue and export classification (TPP, performance density, ECCN 3A090/4A090).",
    no_args_is_help=True,
)


def _parse_date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"expected a date YYYY-MM-DD, got '{text}'", field="--date") from exc


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "unknown"
    return f"{value:,.{digits}f}"


@hardware_app.command("classify")
def classify_cmd(
    model: str | None = typer.Argument(
        None, help="Model or instance name, e.g. 'H100 SXM5 80GB', 'p5.48xlarge'."
    ),
    spec: Path | None = typer.Option(None, "--spec", help="JSON spec of a chip not in the catalogue."),
    date: str | None = typer.Option(
        None, "--date", help="Apply the rules in force on this date (YYYY-MM-DD; default today)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the classification as JSON."),
) -> None:
    """Classify an accelerator, HBM stack, system or cloud instance under the ECCN rules in force on a date."""
    from chipguard.hardware import classify
    from chipguard.hardware.classify import flag_note

    if (model is None) == (spec is None):
        raise InputError("give either a MODEL or --spec FILE.json", field="model")
    on = _parse_date(date)
    result = classify(spec if spec is not None else str(model), on)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    eccn = (
        result.eccn if result.controlled or result.undetermined else "not 3A090/4A090 (EAR99 or another ECCN)"
    )
    lines = [f"{result.name} ({result.model})", f"  ECCN on {on.isoformat()}: {eccn}"]
    if result.tpp_basis is not None:
        b = result.tpp_basis
        lines.append(f"  TPP: {_fmt(result.tpp)} = {b.precision} {b.dense_tops:g} dense TOPS x {b.bits} bits")
    else:
        lines.append("  TPP: unknown")
    if result.kind != "memory":
        lines.append(
            f"  Performance density: {_fmt(result.performance_density, 2)} (die {_fmt(result.die_area)} mm2); "
            f"datacenter: {'unknown' if result.datacenter is None else ('yes' if result.datacenter else 'no')}"
        )
    for comp in result.components:
        lines.append(f"  component: {comp['count']} x {comp['name']} -> {comp['eccn']}")
    lines.append(f"  rule set: {result.rule_set}")
    flag_rules = {f.rule_id for f in result.flags}
    for cite in result.citations:
        if cite["rule_id"] not in flag_rules:
            lines.append(f"  cites {cite['rule_id']}: {cite['text']} [{cite['citation']}]")
    for flag in result.flags:
        lines.append(f"  FLAG {flag.flag}: {flag.text} [{flag.citation}]")
    flag_notes = {flag_note(f) for f in result.flags}
    for note in result.notes:
        if note not in flag_notes:
            lines.append(f"  note: {note}")
    typer.echo("\n".join(lines))


@hardware_app.command("show")
def show_cmd(
    model: str = typer.Argument(..., help="Model or instance name."),
    as_json: bool = typer.Option(False, "--json", help="Print the entry as JSON."),
) -> None:
    """Show a catalogue entry with the source of every figure."""
    from chipguard.hardware import resolve_model

    entry = resolve_model(model)
    if as_json:
        typer.echo(json.dumps(entry.to_dict(), ensure_ascii=False, indent=2))
        return
    lines = [f"{entry.name} ({entry.id}), {entry.vendor}, {entry.kind}"]
    if entry.aliases:
        lines.append(f"  aliases: {', '.join(entry.aliases)}")
    for precision, tops in entry.throughput.items():
        lines.append(
            f"  {precision}: {tops:g} dense TOPS  [{entry.describe_source('throughput.' + precision)}]"
        )
    for name, unit in (
        ("die_area_mm2", "mm2"),
        ("memory_gb", "GB"),
        ("memory_bandwidth_gbs", "GB/s"),
        ("io_bandwidth_gbs", "GB/s"),
        ("package_area_mm2", "mm2"),
    ):
        value = getattr(entry, name)
        if value is not None:
            lines.append(f"  {name}: {value:g} {unit}  [{entry.describe_source(name)}]")
    if entry.kind == "accelerator":
        lines.append(f"  datacenter: {entry.datacenter}; memory: {entry.memory_type or 'unknown'}")
    for comp in entry.components:
        lines.append(f"  component: {comp.count} x {comp.model}  [{entry.describe_source('components')}]")
    if entry.note:
        lines.append(f"  note: {entry.note}")
    typer.echo("\n".join(lines))


@hardware_app.command("list")
def list_cmd(
    kind: str | None = typer.Option(None, "--kind", help="accelerator | memory | system"),
    as_json: bool = typer.Option(False, "--json", help="Print the catalogue entries as JSON."),
) -> None:
    """List the catalogue: id, name, vendor and headline figures."""
    from chipguard.hardware import catalogue
    from chipguard.hardware.tpp import tpp_basis

    if kind is not None and kind not in ("accelerator", "memory", "system"):
        raise InputError("expected accelerator, memory or system", field="--kind")
    entries = [e for e in catalogue() if kind is None or e.kind == kind]
    if as_json:
        typer.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return
    for e in entries:
        if e.kind == "system":
            parts = ", ".join(f"{c.count}x {c.model}" for c in e.components)
            typer.echo(f"{e.id:28} {e.name:48} {e.system_type or 'system'}: {parts}")
        elif e.kind == "memory":
            typer.echo(f"{e.id:28} {e.name:48} {_fmt(e.memory_bandwidth_gbs)} GB/s")
        else:
            basis = tpp_basis(e.throughput)
            tpp = _fmt(basis.tpp) if basis else "unknown"
            typer.echo(f"{e.id:28} {e.name:48} TPP {tpp:>8}  die {_fmt(e.die_area_mm2):>6} mm2")


def register(app: typer.Typer) -> None:
    """Adds the ``hardware`` sub-app to the main app."""
    app.add_typer(hardware_app, name="hardware")
