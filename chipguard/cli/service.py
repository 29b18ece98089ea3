"""CLI commands of the service: ``serve``, ``run``, ``audit``, ``decisions``, ``customers``, ``keys``.

Thin faces over the service layer (``chipguard.service``); every change they make is audited with the
operating-system user as the actor (``cli:<user>``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer

from chipguard.cli.common import DB_OPTION, print_json, read_json
from chipguard.cli.common import actor as _actor
from chipguard.cli.common import services as _services
from chipguard.settings import env_name, settings

audit_app = typer.Typer(
    help="The tamper-evident audit trail: verify it, export it for auditors.", no_args_is_help=True
)
decisions_app = typer.Typer(
    help="Stored decisions: list them, replay one on its recorded lists and rules.", no_args_is_help=True
)
customers_app = typer.Typer(
    help="Customer records (identification data) with full history.", no_args_is_help=True
)
jobs_app = typer.Typer(
    help="Background jobs of the service (files of names screened, customer imports): list, show, cancel, "
    "retry.",
    no_args_is_help=True,
)
keys_app = typer.Typer(
    help="API keys (roles: screen < analyst < admin, and the read-only auditor).", no_args_is_help=True
)

PROXIES_OPTION = typer.Option(
    None,
    "--trusted-proxies",
    help="Comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto headers are believed "
    "(default: CHIPGUARD_TRUSTED_PROXIES, else none: the TCP peer is the client).",
)


def _customer(path: Path) -> Any:
    from chipguard.service.inputs import parse_customer

    return parse_customer(read_json(path), file=str(path))


# ── serve / run ──────────────────────────────────────────────────────────────────────────────────


APP = "chipguard.api.asgi:serve_app"  # the factory each worker process imports


def _serve(host: str, port: int, workers: int, db: str | None, trusted_proxies: str | None = None) -> None:
    import uvicorn

    from chipguard.cli.workers import reuse_port_supported, serve_workers
    from chipguard.store.db import get_engine

    # --db reaches the workers uvicorn starts through the environment they inherit; it is set for the
    # server's lifetime only, so a caller in the same process (tests, an embedding) finds its own again
    name = env_name("database_url")
    before = os.environ.get(name)
    if db:
        os.environ[name] = db
    try:
        get_engine()  # migrate once here, before the workers start
        # X-Forwarded-For names the client only when it comes from a proxy the operator named: trusted by
        # default (uvicorn trusts 127.0.0.1), anyone on the host could pick the address the sign-in and
        # bad-key rate limits are keyed on.
        proxies = trusted_proxies.strip() if trusted_proxies is not None else settings().trusted_proxies
        options: dict[str, Any] = {
            "factory": True,
            "log_level": settings().log_level.lower(),
            "server_header": False,
            "proxy_headers": bool(proxies),
            "forwarded_allow_ips": proxies or None,
        }
        if workers > 1 and reuse_port_supported():
            # a listening socket per worker: uvicorn's shared one hands connections opened together to
            # whichever worker wakes first (chipguard.cli.workers)
            code = serve_workers(APP, host=host, port=port, workers=workers, options=options)
            if code:
                raise typer.Exit(code)
            return
        uvicorn.run(APP, host=host, port=port, workers=workers if workers > 1 else None, **options)
    finally:
        if db and before is None:
            del os.environ[name]
        elif db:
            os.environ[name] = str(before)


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8080, help="TCP port."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes (each holds its own screener)."),
    db: str | None = DB_OPTION,
    trusted_proxies: str | None = PROXIES_OPTION,
) -> None:
    """Start the REST API (OpenAPI docs at /docs)."""
    _serve(host, port, workers, db, trusted_proxies)


def run(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8080, help="TCP port."),
    workers: int = typer.Option(1, min=1, max=64),
    db: str | None = DB_OPTION,
    trusted_proxies: str | None = PROXIES_OPTION,
) -> None:
    """What `make run` does: load the bundled lists on first use, create the first admin API key (printed
    once), then serve."""
    services = _services(db)
    for info in services.load_bundled_if_empty(_actor()).snapshots:
        typer.echo(f"loaded bundled list {info.ref} ({info.record_count} records)")
    if services.keys.count("admin") == 0:
        token, key = services.keys.create("admin", "first admin key (chipguard run)", actor=_actor())
        typer.echo("")
        typer.echo("  First admin API key — shown once, store it now (only its hash is kept):")
        typer.echo(f"    {token}")
        typer.echo(f"  Use: curl -H 'Authorization: Bearer {token}' http://{host}:{port}/v1/lists")
        typer.echo("")
    typer.echo("building the screening index of the active lists (once per worker; can take a while)…")
    typer.echo(f"chipguard serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    sys.stdout.flush()
    _serve(host, port, workers, db, trusted_proxies)


# ── audit ────────────────────────────────────────────────────────────────────────────────────────


@audit_app.command("verify")
def audit_verify(
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    db: str | None = DB_OPTION,
) -> None:
    """Check the whole hash chain, its signed head, and every stored decision and customer version
    against its audit entry.
    Exit status 1 when anything was edited, deleted, reordered or truncated."""
    from chipguard.audit import write_report

    check = _services(db).verify_audit()
    if as_json:
        print_json(check.to_dict())
    else:
        typer.echo(write_report(check.chain), nl=False)
        for record, problem in check.records:
            typer.echo(f"  [record] {record}: {problem}")
        for record, problem in check.evidence:
            typer.echo(f"  [evidence] {record}: {problem}")
    if not check.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(db: str | None = DB_OPTION) -> None:
    """Sign the chain's current head, append it to the checkpoint file (CHIPGUARD_CHECKPOINT_DIR) and
    print it as JSON, for an external timestamping or transparency-log service: `audit verify` fails
    when the database is ever behind a checkpoint (restored from an older copy)."""
    print_json(_services(db).audit.checkpoint())


@audit_app.command("baseline")
def audit_baseline(db: str | None = DB_OPTION) -> None:
    """Once, after upgrading a database written before row seals (revision 0007): seal every evidence row
    no audit entry has sealed yet, in one audited entry (evidence.baseline). Rows sealed before are never
    re-sealed, so this cannot hide an edit of one; it trusts what the older rows hold today."""
    from chipguard.audit import cli_actor
    from chipguard.store import evidence

    audit = _services(db).audit
    seals = evidence.unsealed(audit.engine, audit.entries())
    if not seals:
        typer.echo("every evidence row is sealed already; nothing to do")
        return
    entry = audit.record(cli_actor(), "evidence.baseline", {"evidence": seals})
    typer.echo(f"sealed {len(seals)} row(s) and snapshot(s) in audit entry {entry.seq}")


@audit_app.command("verify-export")
def audit_verify_export(
    export: Path = typer.Argument(..., help="The chain as `audit export --format jsonl` wrote it."),
    checkpoint: Path = typer.Option(..., "--checkpoint", help="A checkpoint JSON (`audit checkpoint`)."),
    public_key: Path = typer.Option(..., "--public-key", help="The Ed25519 public key (PEM)."),
) -> None:
    """What an auditor runs without the database or any secret: recompute every entry of an exported
    chain and check it against a signed checkpoint with the public key. Exit 1 on any problem."""
    from chipguard.audit import verify_export

    with export.open(encoding="utf-8") as fh:
        problems = verify_export(fh, read_json(checkpoint), public_key.read_bytes())
    for problem in problems:
        typer.echo(f"  {problem}")
    if problems:
        raise typer.Exit(1)
    typer.echo("export verified: every entry, every link and the signed checkpoint check out")


@audit_app.command("export")
def audit_export(
    out: Path = typer.Option(..., "--out", help="File to write (replaced atomically)."),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv (CSV cells are formula-safe)."),
    db: str | None = DB_OPTION,
) -> None:
    """Write every audit entry for auditors."""
    count = _services(db).audit.export_file(out, fmt)
    typer.echo(f"wrote {count} audit entries to {out}", err=True)


# ── decisions ────────────────────────────────────────────────────────────────────────────────────


@decisions_app.command("replay")
def decisions_replay(
    decision_id: str = typer.Argument(..., help="The stored decision's id."),
    as_json: bool = typer.Option(False, "--json"),
    db: str | None = DB_OPTION,
) -> None:
    """Re-run a stored decision on its recorded list snapshots and rule set; exit 1 on any difference."""
    report = _services(db).replay(decision_id)
    if as_json:
        print_json(report)
    else:
        typer.echo(
            f"decision {decision_id}: recorded {report['recorded_outcome']}, replayed {report['replayed_outcome']}"
        )
        typer.echo(f"  snapshots: {', '.join(str(s) for s in report['snapshots']) or '(none recorded)'}")
        for note in report["notes"]:
            typer.echo(f"  note: {note}")
        for name, component in report.get("components", {}).items():
            archived = (
                "archived version" if component["reproduced_with_archived"] else "not the archived version"
            )
            typer.echo(f"  {name}: {component['status']} ({archived})")
        if report["same"]:
            typer.echo("  same outcome, reasons and hits")
        for diff in report["differences"]:
            typer.echo(f"  DIFFERENT: {diff}")
    if not report["same"]:
        raise typer.Exit(1)


@decisions_app.command("list")
def decisions_list(
    limit: int = typer.Option(20, min=1, max=1000),
    outcome: str | None = typer.Option(
        None, help="Only this outcome (ALLOW, REVIEW, DENY, LICENCE_REQUIRED)."
    ),
    customer: str | None = typer.Option(None, help="Only this customer id."),
    as_json: bool = typer.Option(False, "--json"),
    db: str | None = DB_OPTION,
) -> None:
    """Most recent decisions first."""
    found = _services(db).decisions.find(limit=limit, outcome=outcome, customer_id=customer)
    if as_json:
        print_json([d.to_dict() for d in found])
        return
    for d in found:
        name = (
            (d.transaction.get("customer") or {}).get("name", "") if isinstance(d.transaction, dict) else ""
        )
        typer.echo(f"{d.decided_at}  {d.decision_id}  {d.outcome:<16} {name}")


# ── customers ────────────────────────────────────────────────────────────────────────────────────


@customers_app.command("create")
def customers_create(
    file: Path = typer.Argument(..., help="Customer JSON."), db: str | None = DB_OPTION
) -> None:
    """Store a new customer record (version 1)."""
    customer = _customer(file)
    print_json(_services(db).customers.create(customer, _actor()).to_dict())


@customers_app.command("update")
def customers_update(
    customer_id: str,
    file: Path = typer.Argument(..., help="The customer's full new data as JSON."),
    version: int | None = typer.Option(None, help="Fail unless the record is still at this version."),
    db: str | None = DB_OPTION,
) -> None:
    """Write a new version of a customer record (the old one stays in the history)."""
    customer = _customer(file)
    print_json(_services(db).customers.update(customer_id, customer, _actor(), version).to_dict())


@customers_app.command("import")
def customers_import(
    file: Path = typer.Argument(..., help="Customers: JSON Lines (one customer object per line) or CSV."),
    fmt: str | None = typer.Option(None, "--format", help="csv or jsonl (default: from the suffix)."),
    db: str | None = DB_OPTION,
) -> None:
    """Create or update every customer of FILE (each row names its customer_id) and screen each, raising
    alerts as onboarding does — the web UI's and REST API's import job, run here. The whole file is
    checked first: a bad row names its line and field and nothing is written. Prints the job with the
    results' file; exits non-zero when the job failed."""
    from chipguard.errors import ChipguardError
    from chipguard.service.jobs import JobRunner

    services = _services(db)
    job = JobRunner(services, workers=1).import_customer_file(file, fmt, _actor())
    print_json(job.to_dict() | {"results": services.jobs.results(job.job_id)})
    if job.status != "done":
        raise ChipguardError(f"the import failed: {job.error}")


@jobs_app.command("list")
def jobs_list(
    limit: int = typer.Option(50, "--limit", min=1, max=500, help="How many, newest first."),
    db: str | None = DB_OPTION,
) -> None:
    """Jobs, newest first: id, kind, status, done of total, who started it."""
    for job in _services(db).jobs.find(limit=limit):
        typer.echo(
            f"{job.job_id}  {job.kind:<9} {job.status:<9} {job.done}/{job.total}  {job.created_by}  "
            f"{job.created_at}  {job.file_name}"
        )


@jobs_app.command("show")
def jobs_show(job_id: str, db: str | None = DB_OPTION) -> None:
    """A job as GET /v1/jobs/{id} shows it."""
    print_json(_services(db).jobs.get(job_id).to_dict())


@jobs_app.command("cancel")
def jobs_cancel(job_id: str, db: str | None = DB_OPTION) -> None:
    """Cancels a queued or running job (the service running it stops after the chunk under way; the
    results stored are kept), audited as job.cancelled by this user. Whoever holds the database acts as an
    admin here, as `chipguard keys create` does. A finished job is an error."""
    from chipguard.service.jobs import JobRunner

    services = _services(db)
    runner = JobRunner(services, workers=1)
    try:
        print_json(runner.cancel(job_id, _actor(), "admin").to_dict())
    finally:
        runner.shutdown()


@jobs_app.command("retry")
def jobs_retry(job_id: str, db: str | None = DB_OPTION) -> None:
    """Retries a failed or cancelled job as POST /v1/jobs/{id}/retry does — a new job over the rows that
    have no result, naming the old one (audited job.create) — and runs it here, in the foreground, with
    its progress on stderr: a job queued for this command's process would be left behind when it exits.
    Whoever holds the database acts as an admin here, as `jobs cancel` does. Prints the new job with its
    results; exits non-zero when it did not finish (Ctrl-C stops it after the chunk under way, marked
    failed: retry it again)."""
    from chipguard.errors import ChipguardError
    from chipguard.service.jobs import JobRunner

    services = _services(db)
    runner = JobRunner(services, workers=1)
    try:
        job = runner.retry(job_id, _actor(), "admin")
        typer.echo(f"{job.job_id}: retrying {job_id}, {job.total} row(s)", err=True)
        job = runner.follow(job.job_id, lambda j: typer.echo(f"{j.job_id}: {j.done}/{j.total}", err=True))
    finally:
        runner.shutdown()
    job = services.jobs.get(job.job_id)
    print_json(job.to_dict() | {"results": services.jobs.results(job.job_id)})
    if job.status != "done":
        raise ChipguardError(f"the retry {job.job_id} is {job.status}: {job.error}")


@customers_app.command("show")
def customers_show(customer_id: str, db: str | None = DB_OPTION) -> None:
    print_json(_services(db).customers.get(customer_id).to_dict())


@customers_app.command("history")
def customers_history(customer_id: str, db: str | None = DB_OPTION) -> None:
    """Every version of the record, oldest first."""
    print_json([v.to_dict() for v in _services(db).customers.history(customer_id)])


@customers_app.command("list")
def customers_list(limit: int = typer.Option(100, min=1, max=10000), db: str | None = DB_OPTION) -> None:
    for record in _services(db).customers.find(limit=limit):
        typer.echo(f"{record.customer_id}  v{record.version}  {record.data.get('name', '')}")


# ── keys ─────────────────────────────────────────────────────────────────────────────────────────


@keys_app.command("create")
def keys_create(
    role: str = typer.Option(..., "--role", help="screen, analyst, admin or auditor (read-only)."),
    label: str = typer.Option("", help="What the key is for (shown in listings)."),
    db: str | None = DB_OPTION,
) -> None:
    """Create an API key and print it once (only its salted hash is stored)."""
    token, key = _services(db).keys.create(role, label, actor=_actor())
    typer.echo(f"created {key.role} key {key.key_id}; the key (shown once):", err=True)
    typer.echo(token)


@keys_app.command("list")
def keys_list(db: str | None = DB_OPTION) -> None:
    for key in _services(db).keys.find():
        state = "revoked" if key.revoked else "active"
        typer.echo(f"{key.key_id}  {key.role:<8} {state:<8} {key.created_at}  {key.label}")


@keys_app.command("revoke")
def keys_revoke(key_id: str, db: str | None = DB_OPTION) -> None:
    key = _services(db).keys.revoke(key_id, actor=_actor())
    typer.echo(f"revoked {key.key_id} ({key.role})")


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the main app."""
    app.command("serve")(serve)
    app.command("run")(run)
    app.add_typer(audit_app, name="audit")
    app.add_typer(decisions_app, name="decisions")
    app.add_typer(customers_app, name="customers")
    app.add_typer(keys_app, name="keys")
    app.add_typer(jobs_app, name="jobs")
