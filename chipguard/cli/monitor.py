"""CLI commands: ``chipguard monitor usage|links|rescreen`` — the face of chipguard.monitor (no logic here)."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Any

import typer

from chipguard.errors import InputError

monitor_app = typer.Typer(
    name="monitor",
    help="Monitoring: usage → compute estimates vs thresholds, linked accounts, re-screening on list changes.",
    no_args_is_help=True,
)

PRECISION = typer.Option(None, "--precision", help="bf16 (default), fp16, fp8, int8, fp32, fp64 or max.")
UTILISATION = typer.Option(
    None, "--utilisation", help="Fixed utilisation 0–1 (default 0.4, with the 0.3–0.5 range reported)."
)
WINDOW = typer.Option(
    None, "--window-days", help="Rolling window for the busiest-period figure (default 90)."
)
WARN = typer.Option(None, "--warn-fraction", help="Early warning at this share of a threshold (default 0.5).")
BASIS = typer.Option(
    "cumulative", "--basis", help="Which FLOP figure training thresholds see: cumulative or window."
)
AS_OF = typer.Option(None, "--as-of", help="Threshold status on this date (YYYY-MM-DD; default today).")
FAIL_ON = typer.Option(
    None,
    "--fail-on",
    help="Exit 1 when any account (or cluster) reaches this level: warning, may_exceed or exceeds.",
)
DB = typer.Option(
    None, "--db", help="Database URL (default: CHIPGUARD_DATABASE_URL or the home's SQLite file)."
)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _settings(
    precision: str | None,
    utilisation: float | None,
    window_days: float | None,
    warn_fraction: float | None,
    basis: str,
    as_of: str | None,
) -> Any:
    from chipguard.monitor.compute import settings

    on: dt.date | None = None
    if as_of:
        try:
            on = dt.date.fromisoformat(as_of)
        except ValueError:
            raise InputError(f"expected YYYY-MM-DD, got {as_of!r}", field="as-of") from None
    return settings(precision, utilisation, window_days, warn_fraction, basis, on)


def _check_fail_on(fail_on: str | None) -> None:
    from chipguard.monitor.compute import LEVELS

    if fail_on is not None and fail_on not in LEVELS[1:]:
        raise InputError(f"expected one of {', '.join(LEVELS[1:])}, got {fail_on!r}", field="fail-on")


def _exit_if(levels: list[str], fail_on: str | None) -> None:
    """Scripts (cron, CI) branch on the exit status instead of parsing the report."""
    from chipguard.monitor.compute import LEVELS

    if fail_on is not None and any(LEVELS.index(x) >= LEVELS.index(fail_on) for x in levels):
        raise typer.Exit(1)


def _e(value: float) -> str:
    return f"{value:.2e}"


def _estimate_lines(est: Any, indent: str = "  ") -> list[str]:
    lines = [
        f"{indent}{est.records} records, {est.chip_hours:,.0f} accelerator-hours, "
        f"{est.first:%Y-%m-%d} .. {est.last:%Y-%m-%d}",
        f"{indent}compute: {_e(est.flop)} FLOP (range {_e(est.flop_low)} – {_e(est.flop_high)}); "
        f"busiest {est.window_days:g} days from {est.window_start:%Y-%m-%d}: {_e(est.window_flop)}"
        if est.window_start
        else f"{indent}compute: undetermined",
        f"{indent}peak: {est.peak_chips:,} accelerators, {_e(est.peak_ops_per_s)} ops/s",
    ]
    for c in est.checks:
        mark = "" if c.alerting else f" [{c.status}, not alerting]"
        lines.append(
            f"{indent}  {c.level:<10} {c.threshold.regime}: {_e(c.figure)} vs {_e(c.threshold.value)} "
            f"({c.figure / c.threshold.value:.1%}){mark}"
        )
    for u in est.undetermined:
        lines.append(f"{indent}  undetermined: line {u['line']} {u['model']}: {u['reason']}")
    return lines


@monitor_app.command("usage")
def usage_cmd(
    file: Path = typer.Argument(..., help="Usage records, CSV or JSON Lines."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    precision: str | None = PRECISION,
    utilisation: float | None = UTILISATION,
    window_days: float | None = WINDOW,
    warn_fraction: float | None = WARN,
    basis: str = BASIS,
    as_of: str | None = AS_OF,
    fail_on: str | None = FAIL_ON,
    alert: bool = typer.Option(
        False, "--alert", help="Raise a casework alert for each stored customer that may exceed a threshold."
    ),
    db: str | None = DB,
) -> None:
    """Estimate each account's compute from usage records and compare it with the compute thresholds.
    With --alert, an account that is a stored customer and may exceed or exceeds a threshold raises a
    casework alert (audited)."""
    from chipguard.monitor.compute import estimate_accounts
    from chipguard.monitor.usage import read_usage

    _check_fail_on(fail_on)
    cfg = _settings(precision, utilisation, window_days, warn_fraction, basis, as_of)
    records = read_usage(file)
    if alert:
        from chipguard.cli.common import services

        accounts = services(db).monitor_usage(records, cfg, _actor())
    else:
        accounts = estimate_accounts(records, cfg)
    if as_json:
        doc = {"file": str(file), "settings": cfg.to_dict(), "accounts": [a.to_dict() for a in accounts]}
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        _exit_if([a.alert for a in accounts], fail_on)
        return
    lines = [
        f"{len(records)} usage records, {len(accounts)} accounts; {cfg.precision} dense peak × "
        f"utilisation {cfg.utilisation:g} (range {cfg.utilisation_low:g}–{cfg.utilisation_high:g})"
    ]
    for est in accounts:
        lines.append(f"{est.accounts[0]}: {est.alert.upper()}")
        lines += _estimate_lines(est)
    typer.echo("\n".join(lines))
    _exit_if([a.alert for a in accounts], fail_on)


@monitor_app.command("links")
def links_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print the clusters as JSON."),
    usage: Path | None = typer.Option(
        None, "--usage", help="Usage file (account = customer_id): add each cluster's combined compute."
    ),
    precision: str | None = PRECISION,
    utilisation: float | None = UTILISATION,
    window_days: float | None = WINDOW,
    warn_fraction: float | None = WARN,
    basis: str = BASIS,
    as_of: str | None = AS_OF,
    history: bool = typer.Option(
        True, "--history/--current-only", help="Also link on values from earlier versions of a record."
    ),
    fail_on: str | None = FAIL_ON,
    db: str | None = DB,
) -> None:
    """Cluster stored customers that share payment, IP, e-mail domain, phone, address or owners. A cluster
    whose combined compute may exceed a threshold, or that holds a confirmed listed party, raises a
    casework alert for each member (audited)."""
    from chipguard.cli.common import services

    _check_fail_on(fail_on)
    cfg = _settings(precision, utilisation, window_days, warn_fraction, basis, as_of)
    records = None
    if usage is not None:
        from chipguard.monitor.usage import read_usage

        records = read_usage(usage)
    clusters, hubs = services(db).monitor_links(_actor(), records=records, cfg=cfg, history=history)
    if as_json:
        doc: dict[str, Any] = {
            "clusters": [c.to_dict() for c in clusters],
            "hubs": [h.to_dict() for h in hubs],
        }
        if records is not None:
            doc["settings"] = cfg.to_dict()
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        _exit_if([c.compute.alert for c in clusters if c.compute], fail_on)
        return
    lines: list[str] = [] if clusters else ["no linked customers"]
    for c in clusters:
        alert = f": {c.compute.alert.upper()}" if c.compute else ""
        lines.append(f"{c.cluster_id} ({len(c.members)} customers){alert}")
        for m in c.members:
            lines.append(f"  {m['customer_id']}  {m['name']}")
        for e in c.evidence:
            was = f" (earlier value of {', '.join(e.past)})" if e.past else ""
            lines.append(f"  linked by {e.kind} {e.value!r}: {', '.join(e.customers)}{was}")
        if c.compute:
            lines += _estimate_lines(c.compute, "    ")
    for h in hubs:
        lines.append(f"hub (not linking): {h.kind} {h.value!r} shared by {len(h.customers)} customers")
    typer.echo("\n".join(lines))
    _exit_if([c.compute.alert for c in clusters if c.compute], fail_on)


@monitor_app.command("rescreen")
def rescreen_cmd(
    since: str | None = typer.Option(
        None, "--since", help="Compare with this snapshot (id, sha256 prefix or source:hash) for its source."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    full: bool = typer.Option(False, "--full", help="Screen every customer against the full lists."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when any customer's hits changed."),
    db: str | None = DB,
) -> None:
    """Re-screen every stored customer against the active lists; report hits that appeared or went."""
    from chipguard.cli.common import services

    report = services(db).rescreen(_actor(), since=since, full=full)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        if exit_code and report.changes:
            raise typer.Exit(1)
        return
    d = report.diff.to_dict(detail=False)
    base = ", ".join(f"{s}: {r or 'never screened'}" for s, r in report.baseline.items()) or "none"
    lines = [
        f"lists: {', '.join(report.snapshots.values())} (baseline {base})",
        f"diff: +{d['added']} added, -{d['removed']} removed, ~{d['changed']} changed; "
        f"{report.mode} re-screen of {report.customers_screened} customers, {report.candidates} candidates",
    ]
    for c in report.changes:
        lines.append(f"{c.customer_id}  {c.name}")
        for h in c.new:
            lines.append(
                f"  NEW HIT  {h['role']} {h['screened_name']!r} ~ {h['name']} [{h['list_name'] or h['source']}] {h['score']:.2f}"
            )
        for h in c.gone:
            lines.append(
                f"  GONE     {h['role']} {h['screened_name']!r} ~ {h['name']} [{h['list_name'] or h['source']}]"
            )
        for h in c.record_changed:
            lines.append(
                f"  CHANGED  {h['role']} {h['screened_name']!r} ~ {h['name']}: {', '.join(h['fields'])}"
            )
    if not report.changes:
        lines.append("no customer's hits changed")
    for o in report.omitted:
        lines.append(
            f"{o['customer_id']}  {o['role']} {o['screened_name']!r}: {o['omitted']} more hit(s) on the "
            f"{o['lists']} lists not shown, past the limit of {o['limit']} (not compared)"
        )
    lines.append(f"audit entry #{report.audit_seq}")
    typer.echo("\n".join(lines))
    if exit_code and report.changes:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the main app."""
    app.add_typer(monitor_app, name="monitor")
