"""CLI commands: ``chipguard ownership import|explain`` — a thin face over ``chipguard.ownership``.

``import`` reads an ownership file (BODS, GLEIF, FtM, CSV) and prints what it holds, so an analyst sees
at once whether the file is usable (unknown shares, cycles, declared indirect holdings that the direct
links contradict). ``explain`` shows who holds a target, through which paths, and the aggregate held by
the parties the analyst names (``--listed``) or by the parties on the loaded lists (``--screen``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import typer

from chipguard.cli.common import fail
from chipguard.errors import ChipguardError, InputError

ownership_app = typer.Typer(
    name="ownership",
    help="Ownership graphs (BODS, GLEIF, FollowTheMoney, CSV): indirect holdings, 50 % rules, ultimate parent.",
    no_args_is_help=True,
)


def _date(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"expected a date YYYY-MM-DD, got {text!r}", field="--date") from exc


def _load(path: Path, fmt: str | None, lei_file: Path | None) -> Any:
    from chipguard.ownership.formats import FORMATS, load_graph

    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}", field="--format")
    return load_graph(path, fmt, lei_file=lei_file)


def _declared_checks(graph: Any) -> list[dict[str, Any]]:
    """Each declared indirect holding next to what the direct links allow."""
    from chipguard.ownership.compute import indirect_ownership

    out = []
    for edge in graph.declared_indirect:
        holding = indirect_ownership(graph, edge.owned).get(edge.owner)
        out.append(
            {
                "holder": graph.name(edge.owner),
                "target": graph.name(edge.owned),
                "declared_indirect": edge.share.label(),
                "computed": (
                    f"{holding.computed_low:g}–{holding.computed_high:g} %" if holding else "no path"
                ),
                "total": holding.label() if holding else None,
                "consistent": holding is not None and not holding.note,
                "record": edge.record,
            }
        )
    return out


@ownership_app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help="Ownership file: BODS JSON, GLEIF RR XML, FtM JSON lines or CSV."),
    fmt: str | None = typer.Option(None, "--format", help="bods | gleif | ftm | csv (default: detected)."),
    lei_file: Path | None = typer.Option(
        None, "--lei-file", help="GLEIF LEI-CDF file for names and countries."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Read an ownership file completely (nothing is stored) and summarise it."""
    try:
        graph = _load(file, fmt, lei_file)
    except ChipguardError as exc:
        raise fail(exc) from exc
    summary = graph.summary()
    summary["declared_indirect_checks"] = _declared_checks(graph)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{file} ({summary['format']}): {summary['nodes']} parties ({summary['persons']} persons)")
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary["edges_by_kind"].items())) or "none"
    typer.echo(f"  relationships: {summary['edges']} ({kinds})")
    typer.echo(f"  ownership links of unknown share: {summary['unknown_share_edges']}")
    for over in summary["over_allocated"]:
        typer.echo(
            f"  over-allocated: owners of {over['party']} hold at least {over['stated_minimum_total']:g} %"
        )
    for cycle in summary["cycles"]:
        typer.echo(f"  cycle: {' ↔ '.join(cycle)}")
    for check in summary["declared_indirect_checks"]:
        mark = "ok" if check["consistent"] else "CONTRADICTED"
        typer.echo(
            f"  declared indirect: {check['holder']} → {check['target']} {check['declared_indirect']}"
            f" (direct links allow {check['computed']}; total {check['total']}) {mark}"
        )


@ownership_app.command("explain")
def explain_cmd(
    file: Path = typer.Argument(..., help="Ownership file (any supported format)."),
    target: str = typer.Option(..., "--target", help="Name, id or LEI of the party to explain."),
    listed: list[str] = typer.Option(
        [], "--listed", help="A party (name or id) to treat as listed; repeat for several."
    ),
    screen: bool = typer.Option(
        False, "--screen", help="Screen every upstream party against the loaded lists."
    ),
    date: str | None = typer.Option(
        None, "--date", help="Evaluate the regimes on this date (default today)."
    ),
    threshold: float = typer.Option(
        50.0, "--threshold", help="Aggregate threshold for --listed, in percent."
    ),
    fmt: str | None = typer.Option(None, "--format", help="bods | gleif | ftm | csv (default: detected)."),
    lei_file: Path | None = typer.Option(
        None, "--lei-file", help="GLEIF LEI-CDF file for names and countries."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Who holds TARGET, through which paths, and how much the listed parties hold in the aggregate."""
    from chipguard.ownership.compute import aggregate_listed, indirect_ownership, ultimate_parent

    try:
        if not 0.0 < threshold <= 100.0:  # NaN fails too: a share above 100 % is never reached
            raise InputError(
                f"the aggregate threshold is a percentage above 0 and at most 100, not {threshold!r}",
                field="--threshold",
            )
        graph = _load(file, fmt, lei_file)
        node = graph.find(target)
        if node is None:
            raise InputError(f"no party named or identified {target!r} in the file", field="--target")
        listed_ids = []
        for name in listed:
            found = graph.find(name)
            if found is None:
                raise InputError(f"no party named or identified {name!r} in the file", field="--listed")
            listed_ids.append(found)
        on = _date(date)
        out: dict[str, Any] = {"target": graph.name(node), "id": node, "holders": []}
        for holder in sorted(
            indirect_ownership(graph, node).values(), key=lambda h: (-h.high, graph.name(h.holder))
        ):
            out["holders"].append(
                {
                    "holder": graph.name(holder.holder),
                    "percent": holder.label(),
                    "paths": [p.render(graph) for p in holder.paths],
                    "declared_indirect": holder.declared_indirect or None,
                    "note": holder.note or None,
                }
            )
        up = ultimate_parent(graph, node)
        if up is not None:
            parent = graph.nodes[up.node]
            out["ultimate_parent"] = {
                "name": parent.name,
                "headquarters": parent.headquarters or parent.country or None,
                "basis": up.basis,
                "chain": " → ".join(graph.name(n) for n in reversed(up.chain)),
            }
        if listed_ids:
            agg = aggregate_listed(graph, node, listed_ids, threshold=threshold)
            out["listed_aggregate"] = agg.to_dict(graph)
        if screen:
            out["regimes"], out["screened_owners"] = _screened(graph, node, on)
    except ChipguardError as exc:
        raise fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    _print_explain(out)


def _screened(graph: Any, node: str, on: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The regimes' findings, and every upstream party with a confirmed or potential hit and its
    strongest one: a potential owner that cannot bring a regime within reach is in no finding, yet a
    decision on the same customer asks to resolve it (RP-POTENTIAL-MATCH), so the analyst sees it here."""
    from chipguard.model import Customer, Identifier
    from chipguard.ownership.screening import screen_ownership, screening_kind
    from chipguard.policy.facts import hit_limit
    from chipguard.policy.rules import default_rule_set
    from chipguard.service.screening import active_screener

    target = graph.nodes[node]
    customer = Customer(
        name=target.name,
        kind=screening_kind(target) or "unknown",
        country=target.country,
        identifiers=[Identifier(scheme=s, value=v) for s, v in target.identifiers],
    )
    # as many hits per node as a decision weighs; a node with more says so (never cut silently)
    limit = hit_limit(default_rule_set())
    report = screen_ownership(customer, active_screener(), on=on, graph=graph, limit=limit)
    facts = report.to_facts()["ownership"]
    owners = [
        {
            "name": owner["name"],
            "strength": owner["hits"][0]["strength"],
            "regimes": owner["regimes"],
            "hits": owner["hits"],
        }
        for owner in (
            o | {"hits": sorted(o["hits"], key=lambda h: (_STRENGTHS.index(h["strength"]), -h["score"]))}
            for o in report.listed_owners()
        )
    ]
    regimes = (
        [
            {
                "regime": f["title"],
                "percent": f["percent"],
                "in_force": f["in_force"],
                "status": f["status"],
                "explanation": f["explanation"],
            }
            for f in facts["findings"]
        ]
        + [{"regime": "DoD 1260H parent", "explanation": r["explanation"]} for r in facts["parent_1260h"]]
        + [
            {
                "regime": "hits left out",
                "explanation": f"{name}: {count} more hit(s) above the threshold not weighed (limit {limit})",
            }
            for name, count in facts["omitted"].items()
        ]
    )
    return regimes, sorted(owners, key=lambda o: (_STRENGTHS.index(o["strength"]), o["name"]))


# a hit's strengths, strongest first (chipguard.match.evidence)
_STRENGTHS = ("confirmed", "potential", "weak")


def _print_explain(out: dict[str, Any]) -> None:
    typer.echo(f"{out['target']} ({out['id']})")
    if not out["holders"]:
        typer.echo("  no owners in the file")
    for holder in out["holders"]:
        extra = f" (declared indirect {holder['declared_indirect']})" if holder["declared_indirect"] else ""
        typer.echo(f"  {holder['holder']}: {holder['percent']}{extra}")
        for path in holder["paths"]:
            typer.echo(f"      {path}")
        if holder["note"]:
            typer.echo(f"      note: {holder['note']}")
    parent = out.get("ultimate_parent")
    if parent:
        typer.echo(
            f"  ultimate parent: {parent['name']} (headquarters {parent['headquarters'] or 'unknown'};"
            f" {parent['basis']}: {parent['chain']})"
        )
    agg = out.get("listed_aggregate")
    if agg:
        verdict = (
            "at or above"
            if agg["definitely_at_or_above"]
            else "possibly at or above"
            if agg["possibly_at_or_above"]
            else "below"
        )
        typer.echo(f"  listed parties hold {agg['percent']} ({verdict} {agg['threshold']:g} %)")
        for c in agg["contributors"]:
            typer.echo(f"    {c['owner']}: {c['percent']}")
            for path in c["paths"]:
                typer.echo(f"      {path}")
        for name, why in agg["caught_by_propagation"].items():
            typer.echo(f"    counts as listed: {name} — {why}")
        if agg["unknown_percentage_listed_owners"]:
            typer.echo(
                "    listed owner(s) of unknown percentage (Red Flag 29): "
                + ", ".join(agg["unknown_percentage_listed_owners"])
            )
    for regime in out.get("regimes", []):
        typer.echo(f"  {regime['explanation']}")
    for owner in out.get("screened_owners", []):
        best = owner["hits"][0]
        more = f" (+{len(owner['hits']) - 1} more)" if len(owner["hits"]) > 1 else ""
        typer.echo(
            f"  {owner['name']}: {owner['strength']} hit {best['name']} "
            f"({best['list_name'] or best['source']}, {best['score']:.3f}){more}"
            + (
                ""
                if owner["strength"] == "confirmed"
                else " — resolve it before relying on the regimes above"
            )
        )


def register(app: typer.Typer) -> None:
    """Adds ``chipguard ownership …`` to the main app."""
    app.add_typer(ownership_app, name="ownership")
