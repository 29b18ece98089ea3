"""FollowTheMoney (OpenSanctions / Aleph) entities as JSON lines → OwnershipGraph.

Each line is an entity ``{"id", "schema", "properties": {name: [values]}}``. ``Ownership`` entities
link ``owner`` → ``asset`` with a ``percentage``; Person/Company/Organization/LegalEntity entities give
names, countries and identifiers. FtM percentages are free text ("50", "50%", "25-50"), parsed into
an interval; anything else is an error naming the line. Ownerships whose ``endDate`` has passed are
kept out (they no longer confer ownership).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from chipguard.errors import InputError
from chipguard.limits import load_json
from chipguard.ownership.graph import OWNERSHIP, Edge, Node, OwnershipGraph, Share
from chipguard.ownership.limits import check_size

PARTY_SCHEMATA = {
    "Person": "person",
    "Company": "entity",
    "Organization": "entity",
    "LegalEntity": "entity",
    "PublicBody": "entity",
    "Asset": "entity",
}
ID_PROPERTIES = ("leiCode", "registrationNumber", "innCode", "ogrnCode", "taxNumber", "uscCode", "idNumber")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*$")
_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*%?\s*$")


def parse_percentage(text: str) -> Share | None:
    """ "50" / "50 %" / "25-50%" → Share; None when the text is not a percentage."""
    match = _PERCENT.match(text)
    if match:
        value = float(match.group(1))
        return Share.exact(value) if value <= 100 else None
    match = _RANGE.match(text)
    if match:
        low, high = float(match.group(1)), float(match.group(2))
        return Share(low, high) if low <= high <= 100 else None
    return None


def _ref(value: Any) -> str:
    """An entity reference: an id string, or a nested entity object with an id."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def parse_ftm(path: Path, *, today: date | None = None) -> OwnershipGraph:
    """Reads FtM JSON lines; raises InputError naming the line and property on bad input."""
    check_size(path)
    today = today or date.today()
    graph = OwnershipGraph(source=str(path), format="ftm")
    edges: list[Edge] = []
    with path.open(encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            entity = load_json(line, file=str(path), line=number)
            if not isinstance(entity, dict):
                raise InputError("an entity must be a JSON object", file=str(path), line=number)
            eid = entity.get("id")
            schema = entity.get("schema")
            props = entity.get("properties")
            if not isinstance(eid, str) or not eid:
                raise InputError("entity has no id", file=str(path), line=number, field="id")
            if not isinstance(schema, str):
                raise InputError(f"entity {eid}: no schema", file=str(path), line=number, field="schema")
            if not isinstance(props, dict):
                raise InputError(
                    f"entity {eid}: properties must be an object",
                    file=str(path),
                    line=number,
                    field="properties",
                )
            if schema == "Ownership":
                edge = _ownership(path, number, eid, props, today)
                if edge is not None:
                    edges.append(edge)
            elif schema in PARTY_SCHEMATA:
                graph.add_node(_party(eid, schema, props, number))
    for edge in edges:
        graph.add_edge(edge)
    return graph


def _values(props: dict[str, Any], key: str) -> list[Any]:
    value = props.get(key) or []
    return value if isinstance(value, list) else [value]


def _party(eid: str, schema: str, props: dict[str, Any], number: int) -> Node:
    names = [str(v) for v in _values(props, "name") if v]
    countries = [str(v).upper()[:2] for v in _values(props, "country") + _values(props, "jurisdiction") if v]
    identifiers = [(key, str(v)) for key in ID_PROPERTIES for v in _values(props, key) if v]
    return Node(
        node_id=eid,
        name=names[0] if names else eid,
        kind=PARTY_SCHEMATA[schema],
        country=countries[0] if countries else "",
        headquarters=countries[0] if countries else "",
        identifiers=identifiers,
        other_names=names[1:] + [str(v) for v in _values(props, "alias") if v],
        addresses=[str(v) for v in _values(props, "address") if v],
        founding_date=str((_values(props, "incorporationDate") or [""])[0]),
        record=f"line {number}",
    )


def _ownership(path: Path, number: int, eid: str, props: dict[str, Any], today: date) -> Edge | None:
    owners = [_ref(v) for v in _values(props, "owner") if _ref(v)]
    assets = [_ref(v) for v in _values(props, "asset") if _ref(v)]
    if len(owners) != 1:
        raise InputError(
            f"Ownership {eid}: needs exactly one owner, got {len(owners)}",
            file=str(path),
            line=number,
            field="owner",
        )
    if len(assets) != 1:
        raise InputError(
            f"Ownership {eid}: needs exactly one asset, got {len(assets)}",
            file=str(path),
            line=number,
            field="asset",
        )
    end = next((str(v) for v in _values(props, "endDate") if v), "")
    if end and end[:10] < today.isoformat():
        return None
    share = Share.unknown()
    for raw in _values(props, "percentage"):
        parsed = parse_percentage(str(raw))
        if parsed is None:
            raise InputError(
                f"Ownership {eid}: percentage {raw!r} is not a percentage between 0 and 100",
                file=str(path),
                line=number,
                field="percentage",
            )
        share = parsed
    return Edge(
        owner=owners[0],
        owned=assets[0],
        share=share,
        kind=OWNERSHIP,
        record=f"line {number} ({eid})",
        interests=[str(v) for v in _values(props, "role") if v] or ["ownership"],
    )
