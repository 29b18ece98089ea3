"""Plain CSV ``owner,owned,percent`` → OwnershipGraph: the format an analyst types by hand.

Names are the node keys (joined case- and punctuation-insensitively, so "ACME Ltd." and "Acme Ltd"
are one node). ``percent`` may be empty (unknown — Red Flag 29 if the owner is listed), a number
("60", "60 %") or a range ("25-50"). Optional columns ``owner_country``, ``owned_country``,
``owner_kind`` fill in node details. An owner without ``owner_kind`` is of unknown kind (a person or an
organisation: screened as both, chipguard.match.screener); what is owned is an entity.
"""

from __future__ import annotations

import csv
from pathlib import Path

from chipguard.errors import InputError
from chipguard.ownership.ftm import parse_percentage
from chipguard.ownership.graph import OWNERSHIP, Edge, Node, OwnershipGraph, Share, normalise_name
from chipguard.ownership.limits import check_size

REQUIRED = ("owner", "owned", "percent")


def parse_csv(path: Path) -> OwnershipGraph:
    """Reads the CSV; raises InputError naming the line and column of the first bad cell."""
    check_size(path)
    graph = OwnershipGraph(source=str(path), format="csv")
    edges: list[Edge] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputError(
                f"header must contain owner,owned,percent; missing {', '.join(missing)}",
                file=str(path),
                line=1,
                field=missing[0],
            )
        reader.fieldnames = header
        for row in reader:
            line = reader.line_num
            if None in row:
                raise InputError("row has more cells than the header", file=str(path), line=line)
            owner = (row.get("owner") or "").strip()
            owned = (row.get("owned") or "").strip()
            if not owner:
                raise InputError("owner is empty", file=str(path), line=line, field="owner")
            if not owned:
                raise InputError("owned is empty", file=str(path), line=line, field="owned")
            raw = (row.get("percent") or "").strip()
            share = Share.unknown()
            if raw and raw not in ("?", "unknown"):
                parsed = parse_percentage(raw)
                if parsed is None:
                    raise InputError(
                        f"percent {raw!r} is not a number between 0 and 100",
                        file=str(path),
                        line=line,
                        field="percent",
                    )
                share = parsed
            owner_id = _node(
                graph, owner, line, (row.get("owner_country") or "").strip(), row.get("owner_kind"), "unknown"
            )
            owned_id = _node(graph, owned, line, (row.get("owned_country") or "").strip(), None, "entity")
            if owner_id == owned_id:
                raise InputError(
                    "owner and owned are the same party", file=str(path), line=line, field="owned"
                )
            edges.append(Edge(owner_id, owned_id, share, OWNERSHIP, record=f"line {line}"))
    for edge in edges:
        graph.add_edge(edge)
    return graph


def _node(graph: OwnershipGraph, name: str, line: int, country: str, kind: str | None, default: str) -> str:
    """The node of ``name`` (made on its first line); ``kind`` as the line gives it, else ``default``:
    "unknown" for an owner ("Tan Wei Ming" without a kind was screened as an organisation and missed the
    Entity List person "Tan Wei"), "entity" for what is owned (a node first met as an owner of unknown
    kind and then as owned is an entity)."""
    key = normalise_name(name)
    node = graph.nodes.get(key)
    if node is None:
        node = graph.add_node(Node(node_id=key, name=name, kind=default, record=f"line {line}"))
    elif node.kind == "unknown" and default != "unknown":
        node.kind = default
    if country and not node.country:
        node.country = country.upper()
        node.headquarters = node.headquarters or country.upper()
    if kind and kind.strip():
        node.kind = kind.strip().lower()
    return key
