"""CLI faces of screening: ``chipguard screen NAME`` and ``chipguard screen-file IN.csv --out OUT.jsonl``.

Thin wrappers over :class:`chipguard.match.screener.Screener`. Both fail closed: with no list loaded they
exit non-zero and say how to load one. ``screen-file`` validates the whole input before screening and
writes its output to a temporary file renamed into place, so a bad row or a crash never leaves a
half-written result that could be mistaken for a clean screening.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import typer

from chipguard.cli.common import fail
from chipguard.errors import ChipguardError, InputError, bad_rows, unwritable_output
from chipguard.model import QUERY_KIND_NAMES, QUERY_KINDS, QUERY_NAME_MAX_LENGTH

KINDS = QUERY_KINDS
MAX_NAME_LENGTH = QUERY_NAME_MAX_LENGTH
MAX_ERRORS_SHOWN = 20
if TYPE_CHECKING:  # the matching modules load when a command screens, not for `chipguard version`
    from chipguard.match.evidence import QueryEvidence

QueryTuple: TypeAlias = "tuple[int, str, str, str | None, str | None, QueryEvidence]"


def _kind(value: str | None, *, file: str | None = None, line: int | None = None) -> str | None:
    key = (value or "").strip().lower()
    if key not in KINDS:
        raise InputError(
            f"unknown kind '{value}' (use {QUERY_KIND_NAMES})", file=file, line=line, field="kind"
        )
    return KINDS[key]


def _country(value: str | None, *, file: str | None = None, line: int | None = None) -> str | None:
    from chipguard.geo.countries import lookup_country

    code = (value or "").strip().upper()
    if not code:
        return None
    if len(code) != 2 or not code.isalpha():
        raise InputError(
            f"country '{value}' is not an ISO 3166-1 alpha-2 code", file=file, line=line, field="country"
        )
    if lookup_country(code) is None:
        raise InputError(f"unknown country '{value}'", file=file, line=line, field="country")
    return code


def _evidence(
    values: dict[str, str | None], country: str | None, *, file: str | None = None, line: int | None = None
) -> QueryEvidence:
    """The evidence fields of one query, validated; the error names the field (and file, line)."""
    from chipguard.geo.countries import country as known_country
    from chipguard.match.evidence import query_evidence

    try:
        if values.get("nationality"):
            known_country(str(values["nationality"]), field="nationality")
        return query_evidence(country=country, **values)
    except InputError as exc:
        raise InputError(exc.detail, file=file, line=line, field=exc.field) from exc


def _load_screener(threshold: float | None) -> Any:
    from chipguard.service.screening import active_screener

    return active_screener(threshold)


def list_status(screener: Any) -> list[dict[str, Any]]:
    """Age and stale flag of each list snapshot ``screener`` was built from (the service's rule)."""
    from chipguard.service.screening import snapshot_status
    from chipguard.store.db import get_engine
    from chipguard.store.snapshots import SnapshotStore

    return snapshot_status(SnapshotStore(get_engine(None)), screener)


def _lists_line(result: dict[str, Any]) -> str:
    status = result.get("lists") or []
    if not status:
        return f"lists: {', '.join(map(str, result['snapshot']))} (status unknown)"
    parts = [
        f"{s['snapshot']} as of {s['as_of'][:10]}" + (" STALE" if s.get("stale") else "") for s in status
    ]
    warning = " — lists are stale: a clean result is not a clearance" if result.get("lists_stale") else ""
    return "lists: " + ", ".join(parts) + warning


def _short_reason(explanation: dict[str, Any]) -> str:
    parts: list[str] = []
    hows = sorted({a["how"] for a in explanation.get("alignment", []) if a.get("how") not in ("exact",)})
    if hows:
        parts.append("tokens: " + ", ".join(hows))
    if explanation.get("normalisations", {}).get("query"):
        parts.append("query: " + ", ".join(explanation["normalisations"]["query"]))
    if explanation.get("query_transliteration"):
        parts.append("via " + explanation["query_transliteration"]["method"])
    if explanation.get("list_transliteration"):
        parts.append("list via " + explanation["list_transliteration"]["method"])
    for pen in explanation.get("penalties", []):
        parts.append(f"{pen['reason']} ({pen['value']:+.2f})")
    if explanation.get("acronym_match"):
        parts.append("acronym")
    grouped = explanation.get("grouped_by")
    if grouped:
        parts.append(f"one entity with {grouped['with']} ({grouped['feature']}: {grouped['detail']})")
    return "; ".join(parts) or "exact"


def feature_lines(result: dict[str, Any]) -> list[str]:
    """Each hit's score as the sum of the contributions of the features that made it (weight × value,
    from matching.yml), one line per feature: what ``--explain`` prints."""
    lines: list[str] = []
    for hit in result.get("hits", []):
        lines.append(f"{hit['source']}:{hit['party_id']} {hit['name']} — score {hit['score']:.4f} =")
        for f in (hit.get("explanation") or {}).get("features", []):
            lines.append(
                f"  {f['contribution']:+.4f}  {f['feature']} (weight {f['weight']:g} × value {f['value']:g}): "
                f"{f['detail']}"
            )
    return lines


def _print_table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    query = result["query"]
    hits = result["hits"]
    title = f"Screening '{query['name']}'"
    if query.get("kind"):
        title += f" ({query['kind']})"
    if query.get("country"):
        title += f" [{query['country']}]"
    if not hits:
        console.print(f"{title}: no hit at or above {result['threshold']:.2f}")
        console.print(_lists_line(result))
        return
    table = Table(title=title)
    for col in ("strength", "score", "listed name", "matched alias", "list", "id", "countries", "why"):
        table.add_column(col, overflow="fold")
    leads = {e["entity"] for e in result.get("entities", [])}
    for hit in hits:
        decided = [f["detail"] for f in hit.get("evidence", []) if f.get("feature") == "strength"]
        # a record of an entity already shown above (on another list) is marked as such
        same = hit.get("entity") and f"{hit['source']}:{hit['party_id']}" not in leads
        table.add_row(
            f"{hit.get('strength', '')}" + (f"\n({decided[0]})" if decided else ""),
            f"{hit['score']:.3f}",
            ("↳ " if same else "") + hit["name"],
            hit["matched_name"],
            hit.get("list_name") or hit["source"],
            f"{hit['source']}:{hit['party_id']}",
            ",".join(hit.get("countries", [])),
            _short_reason(hit["explanation"]),
        )
    console.print(table)
    if all(hit.get("strength") == "weak" for hit in hits):
        console.print("only weak hits: recorded, not alerts (a conflicting identifier or kind)")
    if result.get("omitted"):
        console.print(f"{result['omitted']} more record(s) past --limit {result['limit']}")
    for hit in hits:
        record = hit.get("record") or {}
        facts = [
            f"listed {record['dates'].get('start') or record['dates'].get('listed')}"
            if record.get("dates", {}).get("start") or record.get("dates", {}).get("listed")
            else "",
            ", ".join(record.get("programs", [])),
            record.get("federal_register", ""),
            f"licence required: {record['license_requirement']}" if record.get("license_requirement") else "",
            f"licence review: {record['license_policy']}" if record.get("license_policy") else "",
            "; ".join(record.get("addresses", [])[:2])
            + (f" (+{len(record['addresses']) - 2} more)" if len(record.get("addresses", [])) > 2 else ""),
            record.get("remarks", ""),
            record.get("source_url", ""),
        ]
        line = " · ".join(f for f in facts if f)
        if line:
            console.print(f"[bold]{hit['source']}:{hit['party_id']}[/bold] {line}", highlight=False)
    console.print(f"threshold {result['threshold']:.2f}; {_lists_line(result)}")


def read_queries(path: Path, names_checked_later: bool = False) -> list[QueryTuple]:
    """Reads and validates the whole input CSV (whatever its suffix) with the service's reader of files of
    names (``query_files.read_input``: the checks, messages and lines of ``batch screen`` and the jobs):
    (line, id, name, kind, country, evidence) per row. Every bad row is reported (up to 20) with its line
    before anything is screened; ``names_checked_later`` as there (:func:`screen_file_to` reports such
    rows the same way)."""
    from chipguard.match.evidence import query_evidence
    from chipguard.service.query_files import read_input

    return [
        (r.line, r.id, r.name, r.kind, r.country, query_evidence(country=r.country, **dict(r.evidence)))
        for r in read_input(path, "csv", names_checked_later=names_checked_later)
    ]


def _output_temp(out: Path) -> tuple[int, str]:
    """A temporary file beside ``out`` (same folder, so the final rename is atomic), open for writing;
    an output that cannot be written there (a folder, no permission) is an InputError naming ``--out``."""
    try:
        if out.is_dir():
            raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file")
        out.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=str(out.parent))
    except OSError as exc:
        raise unwritable_output(str(out), exc) from exc


def check_output(out: Path) -> None:
    """Says up front, before the lists are opened and a single row screened, that ``out`` cannot be
    written (else a long run would fail only when its result is renamed into place)."""
    fd, tmp_name = _output_temp(out.expanduser())
    os.close(fd)
    Path(tmp_name).unlink(missing_ok=True)


def screen_file_to(
    screener: Any,
    rows: list[QueryTuple],
    out: Path,
    workers: int = 1,
    lists: list[dict[str, Any]] | None = None,
    source: str | None = None,
    limit: int = 10,
) -> int:
    """Screens ``rows`` (on ``workers`` processes sharing the mapped index) and writes JSONL to ``out``
    atomically (temp file in the same folder, renamed); the same bytes whatever the number of workers.
    Every row states the list status ``lists`` (see :func:`list_status`; None: unknown, so stale) and holds
    at most ``limit`` hits, with ``omitted`` saying how many more cleared the threshold.

    A row whose name has nothing to compare (rows read with ``names_checked_later``) is an error naming
    ``source`` and the row's line; every such row is reported at the end and nothing is written."""
    from chipguard.match.parallel import screen_lines
    from chipguard.service.query_files import unreadable_name

    out = out.expanduser()
    fd, tmp_name = _output_temp(out)
    hits_total = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            progress: Any = None
            task: Any = None
            if sys.stderr.isatty():
                from rich.progress import Progress

                progress = Progress(transient=True)
                progress.start()
                task = progress.add_task("screening", total=len(rows))
            try:
                queries = [(qid, name, kind, country, ev) for _line, qid, name, kind, country, ev in rows]
                unreadable: list[InputError] = []
                for row, (line, hits) in zip(
                    rows, screen_lines(screener, queries, workers, lists, limit), strict=True
                ):
                    if line is None:
                        unreadable.append(unreadable_name(source, row[0]))
                        continue
                    hits_total += hits
                    fh.write(line + "\n")
                    if progress is not None:
                        progress.advance(task)
            finally:
                if progress is not None:
                    progress.stop()
            if unreadable:
                raise bad_rows(unreadable, MAX_ERRORS_SHOWN)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return hits_total


def register(app: typer.Typer) -> None:
    """Adds ``screen`` and ``screen-file``."""

    @app.command("screen")
    def screen(
        name: str = typer.Argument(..., help="The name to screen (any script)."),
        kind: str | None = typer.Option(None, "--kind", help=QUERY_KIND_NAMES),
        country: str | None = typer.Option(None, "--country", help="ISO 3166-1 alpha-2 country qualifier"),
        as_json: bool = typer.Option(False, "--json", help="Print the result JSON instead of a table."),
        explain: bool = typer.Option(
            False,
            "--explain",
            help="Under the table, each hit's score as the sum of its features' contributions "
            "(docs/MATCHING_FEATURES.md); the JSON always carries them (explanation.features).",
        ),
        threshold: float | None = typer.Option(None, "--threshold", help="Override the default threshold."),
        limit: int = typer.Option(
            10,
            "--limit",
            help="Maximum number of hits: 1 to the rule set's screening_hit_limit (200), the bound of every "
            "face; the result says how many records are past it.",
        ),
        date_of_birth: str | None = typer.Option(None, "--date-of-birth", "--dob", help="YYYY-MM-DD or YYYY"),
        nationality: str | None = typer.Option(None, "--nationality", help="ISO 3166-1 alpha-2"),
        registration_number: str | None = typer.Option(
            None, "--registration-number", help="company registration number (a Chinese USCC is checked)"
        ),
        lei: str | None = typer.Option(None, "--lei", help="Legal Entity Identifier (ISO 17442, checked)"),
        imo: str | None = typer.Option(None, "--imo", help="IMO ship number (check digit verified)"),
        address: str | None = typer.Option(None, "--address", help="address as written"),
        website: str | None = typer.Option(None, "--website", help="web address or e-mail domain"),
    ) -> None:
        """Screen one name against the loaded restricted-party lists; every hit explained, with its match
        strength (confirmed / potential / weak) from the name and the identifiers given."""
        try:
            if not name.strip():
                raise InputError("empty name", field="name")
            if len(name) > MAX_NAME_LENGTH:
                raise InputError(f"name longer than {MAX_NAME_LENGTH} characters", field="name")
            from chipguard.cli.common import actor, services
            from chipguard.service.services import ScreenQuery

            c = _country(country)
            fields = {
                "date_of_birth": date_of_birth,
                "nationality": nationality,
                "registration_number": registration_number,
                "lei": lei,
                "imo": imo,
                "address": address,
                "website": website,
            }
            _evidence(fields, c)  # checked here so the error names the flag before lists are opened
            query = ScreenQuery(
                name, _kind(kind), c, limit=limit, threshold=threshold, fields=tuple(fields.items())
            )
            result = services().screen([query], actor())[0]  # audited: screen.adhoc
        except ChipguardError as exc:
            raise fail(exc) from exc
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            _print_table(result)
            if explain:
                for line in feature_lines(result):
                    typer.echo(line)

    @app.command("screen-file")
    def screen_file(
        input_csv: Path = typer.Argument(
            ...,
            help="CSV with columns id,name and optional kind,country,date_of_birth,nationality,"
            "registration_number,lei,imo,address,website.",
        ),
        out: Path = typer.Option(
            ..., "--out", help="JSONL output, one object per input row, in input order."
        ),
        threshold: float | None = typer.Option(None, "--threshold", help="Override the default threshold."),
        workers: int = typer.Option(
            1, "--workers", min=1, max=64, help="Worker processes (they share one mapped index)."
        ),
        limit: int = typer.Option(
            10,
            "--limit",
            help="Maximum hits per row: 1 to the rule set's screening_hit_limit (200), the bound of every "
            "face; each row's omitted counts the records past it.",
        ),
    ) -> None:
        """Screen every row of a CSV file; writes one result JSON object per row."""
        try:
            from chipguard.service.services import check_limit

            check_limit(limit)  # the bound of every face, before a row is read
            rows = read_queries(input_csv, names_checked_later=True)
            check_output(out)
            screener = _load_screener(threshold)
            status = list_status(screener)
            hits = screen_file_to(
                screener, rows, out, workers=workers, lists=status, source=str(input_csv), limit=limit
            )
        except ChipguardError as exc:
            raise fail(exc) from exc
        stale = [s["source"] for s in status if s.get("stale")]
        typer.echo(
            f"screened {len(rows)} row(s), {hits} hit(s) → {out}; lists "
            + ", ".join(s["snapshot"] for s in status)
            + (f" (STALE: {', '.join(stale)}; every row says lists_stale)" if stale else ""),
            err=True,
        )
