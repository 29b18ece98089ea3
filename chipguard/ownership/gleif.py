"""GLEIF Level 2 relationship records (RR-CDF XML) → OwnershipGraph, with names from LEI-CDF XML.

GLEIF states *who consolidates whom* in the accounting sense ("IS_DIRECTLY_CONSOLIDATED_BY",
"IS_ULTIMATELY_CONSOLIDATED_BY"), not percentages: a consolidating parent controls the child but the
equity share is not published, so these become parent edges of unknown share. Fund relations
(managed-by, sub-fund-of, feeder) are kept as control/structure edges. Level 1 records (LEI-CDF) give
the legal name, legal jurisdiction and headquarters country. XML is parsed with defusedxml (no entity
expansion, no external entities).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from chipguard.errors import InputError
from chipguard.ownership.graph import (
    CONSOLIDATION,
    CONTROL,
    STRUCTURE,
    ULTIMATE,
    Edge,
    Node,
    OwnershipGraph,
    Share,
)
from chipguard.ownership.limits import check_size

RR = "{http://www.gleif.org/data/schema/rr/2016}"
LEI = "{http://www.gleif.org/data/schema/leidata/2016}"

RELATIONSHIP_KINDS = {
    "IS_DIRECTLY_CONSOLIDATED_BY": CONSOLIDATION,
    "IS_ULTIMATELY_CONSOLIDATED_BY": ULTIMATE,
    "IS_INTERNATIONAL_BRANCH_OF": CONSOLIDATION,
    "IS_FUND-MANAGED_BY": CONTROL,
    "IS_SUBFUND_OF": STRUCTURE,
    "IS_FEEDER_TO": STRUCTURE,
}


def _parse_xml(path: Path) -> Element:
    check_size(path)
    try:
        root = DET.parse(str(path)).getroot()
    except DefusedXmlException as exc:
        raise InputError(f"refused unsafe XML: {exc}", file=str(path)) from exc
    except DET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(f"not well-formed XML: {exc}", file=str(path), line=line) from exc
    if root is None:
        raise InputError("empty XML document", file=str(path))
    return root


def _text(element: Element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None and found.text else ""


def parse_lei_records(path: Path) -> dict[str, Node]:
    """LEI-CDF file → nodes keyed by LEI (legal name, jurisdiction, headquarters country, addresses)."""
    root = _parse_xml(path)
    nodes: dict[str, Node] = {}
    for n, record in enumerate(root.iter(f"{LEI}LEIRecord"), start=1):
        lei = _text(record, f"{LEI}LEI")
        where = f"LEIRecord #{n}" + (f" ({lei})" if lei else "")
        if not lei:
            raise InputError(f"{where}: missing LEI", file=str(path), field="LEI")
        entity = record.find(f"{LEI}Entity")
        if entity is None:
            raise InputError(f"{where}: missing Entity", file=str(path), field="Entity")
        name = _text(entity, f"{LEI}LegalName")
        if not name:
            raise InputError(f"{where}: missing LegalName", file=str(path), field="Entity/LegalName")
        others = [(e.text or "").strip() for e in entity.iter(f"{LEI}OtherEntityName") if e.text]
        legal_country = _text(entity, f"{LEI}LegalAddress/{LEI}Country")
        hq_country = _text(entity, f"{LEI}HeadquartersAddress/{LEI}Country")
        jurisdiction = _text(entity, f"{LEI}LegalJurisdiction")[:2]
        addresses = []
        for tag in ("LegalAddress", "HeadquartersAddress"):
            addr = entity.find(f"{LEI}{tag}")
            if addr is not None:
                parts = [(c.text or "").strip() for c in addr if c.text and c.text.strip()]
                addresses.append(", ".join(parts))
        nodes[lei] = Node(
            node_id=lei,
            name=name,
            kind="entity",
            country=(jurisdiction or legal_country).upper(),
            headquarters=hq_country.upper(),
            identifiers=[("LEI", lei)],
            other_names=others,
            addresses=addresses,
            founding_date=_text(entity, f"{LEI}EntityCreationDate")[:10],
            record=where,
            extra={
                "entity_status": _text(entity, f"{LEI}EntityStatus"),
                "category": _text(entity, f"{LEI}EntityCategory"),
            },
        )
    return nodes


def parse_gleif(
    path: Path, lei_file: Path | None = None, *, include_inactive: bool = False
) -> OwnershipGraph:
    """RR-CDF file (+ optional LEI-CDF file for names) → graph; edges point child's parent → child.

    Relationships whose RelationshipStatus is not ACTIVE are skipped unless ``include_inactive``.
    """
    root = _parse_xml(path)
    if root.tag != f"{RR}RelationshipData":
        raise InputError(f"not a GLEIF relationship file (root element {root.tag})", file=str(path))
    lei_nodes = parse_lei_records(lei_file) if lei_file else {}
    graph = OwnershipGraph(source=str(path), format="gleif")
    for node in lei_nodes.values():
        graph.add_node(node)
    edges: list[Edge] = []
    for n, record in enumerate(root.iter(f"{RR}RelationshipRecord"), start=1):
        rel = record.find(f"{RR}Relationship")
        where = f"RelationshipRecord #{n}"
        if rel is None:
            raise InputError(f"{where}: missing Relationship", file=str(path), field="Relationship")
        child = _text(rel, f"{RR}StartNode/{RR}NodeID")
        parent = _text(rel, f"{RR}EndNode/{RR}NodeID")
        rtype = _text(rel, f"{RR}RelationshipType")
        where = f"{where} ({child or '?'} {rtype or '?'} {parent or '?'})"
        if not child:
            raise InputError(f"{where}: missing StartNode/NodeID", file=str(path), field="StartNode/NodeID")
        if not parent:
            raise InputError(f"{where}: missing EndNode/NodeID", file=str(path), field="EndNode/NodeID")
        if rtype not in RELATIONSHIP_KINDS:
            raise InputError(
                f"{where}: unknown RelationshipType {rtype!r}", file=str(path), field="RelationshipType"
            )
        status = _text(rel, f"{RR}RelationshipStatus")
        if status != "ACTIVE" and not include_inactive:
            continue
        edges.append(
            Edge(
                owner=parent,
                owned=child,
                share=_quantifier(record),
                kind=RELATIONSHIP_KINDS[rtype],
                record=where,
                interests=[rtype],
            )
        )
    for edge in edges:
        graph.add_edge(edge)
    for node in graph.nodes.values():
        if node.kind == "unknown" and not node.identifiers:
            node.identifiers = [("LEI", node.node_id)]
            node.kind = "entity"
    return graph


def _quantifier(record: Element) -> Share:
    """GLEIF may state an accounting-consolidation percentage (QuantifierUnits PERCENTAGE); usually not."""
    for quant in record.iter(f"{RR}RelationshipQuantifier"):
        units = _text(quant, f"{RR}QuantifierUnits")
        amount = _text(quant, f"{RR}QuantifierAmount")
        if units == "PERCENTAGE" and amount:
            try:
                value = float(amount)
            except ValueError:
                continue
            if 0 <= value <= 100:
                return Share.exact(value)
    return Share.unknown()
