"""Beneficial Ownership Data Standard (BODS) 0.4 JSON → OwnershipGraph.

BODS publishes *statements* about *records*: a later statement about the same ``recordId`` replaces the
earlier one and ``recordStatus: closed`` ends the record, so the graph is built from the latest state of
each record (statements ordered by ``statementDate``, file order breaking ties). Relationship interests
are split: ``shareholding`` (or an untyped interest) is equity and becomes an ownership edge; voting
rights, board seats and the like become control edges (not counted by the 50 % rules); a holding
declared ``indirect`` is kept as a declared indirect holding, not as an edge (see OwnershipGraph).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chipguard.errors import InputError
from chipguard.limits import load_json
from chipguard.ownership.graph import CONTROL, OWNERSHIP, Edge, Node, OwnershipGraph, Share
from chipguard.ownership.limits import check_size

OWNERSHIP_INTERESTS = frozenset({"shareholding", ""})
RECORD_TYPES = frozenset({"entity", "person", "relationship"})


def _fail(path: Path, where: str, message: str, field: str) -> InputError:
    return InputError(f"{where}: {message}", file=str(path), field=field)


def read_statements(path: Path) -> list[dict[str, Any]]:
    """A BODS package is a JSON array of statements; JSON Lines (one statement a line) is accepted."""
    check_size(path)
    text = path.read_text(encoding="utf-8-sig")
    stripped = text.lstrip()
    if stripped.startswith("["):
        data = load_json(text, file=str(path))
        if not isinstance(data, list):
            raise InputError("a BODS package must be a JSON array of statements", file=str(path))
        return data
    if stripped.startswith("{") and '"statements"' in stripped[:200]:
        data = load_json(text, file=str(path))
        statements = data.get("statements")
        if not isinstance(statements, list):
            raise InputError("'statements' must be an array", file=str(path), field="statements")
        return statements
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        out.append(load_json(line, file=str(path), line=number))
    return out


def parse_share(path: Path, where: str, share: Any, field: str) -> Share:
    """``{"exact": 60}``, ``{"minimum": 75, "exclusiveMaximum": 100}`` … → an interval in percent."""
    if share is None:
        return Share.unknown()
    if not isinstance(share, dict):
        raise _fail(path, where, "share must be an object", field)
    values: dict[str, float] = {}
    for key in ("exact", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if key not in share or share[key] is None:
            continue
        value = share[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(path, where, f"{key} must be a number, got {value!r}", f"{field}.{key}")
        if not 0 <= value <= 100:
            raise _fail(path, where, f"{key} must be between 0 and 100, got {value}", f"{field}.{key}")
        values[key] = float(value)
    if "exact" in values:
        return Share.exact(values["exact"])
    low = values.get("minimum", values.get("exclusiveMinimum"))
    high = values.get("maximum", values.get("exclusiveMaximum"))
    if low is not None and high is not None and low > high:
        raise _fail(path, where, f"minimum {low} is above maximum {high}", field)
    return Share(low, high)


def _where(statement: dict[str, Any], index: int) -> str:
    sid = statement.get("statementId") if isinstance(statement, dict) else None
    return f"statement {sid!r} (#{index + 1})" if sid else f"statement #{index + 1}"


def _country(code: Any) -> str:
    """ISO alpha-2 from a BODS country/jurisdiction code ("GB", "US-DE" → "US")."""
    if isinstance(code, str) and len(code) >= 2 and code[:2].isalpha():
        return code[:2].upper()
    return ""


def _entity_node(path: Path, where: str, rid: str, details: dict[str, Any], sid: str) -> Node:
    name = details.get("name")
    if not isinstance(name, str) or not name.strip():
        unspecified = details.get("unspecifiedReason") or details.get("reason")
        if unspecified:
            name = f"Unspecified entity ({unspecified})"
        else:
            raise _fail(path, where, "entity has no name", "recordDetails.name")
    jurisdiction = details.get("jurisdiction") or {}
    country = _country(jurisdiction.get("code")) if isinstance(jurisdiction, dict) else ""
    headquarters = ""
    addresses = []
    for addr in details.get("addresses") or []:
        if not isinstance(addr, dict):
            continue
        addresses.append(str(addr.get("address", "")).strip())
        code = (
            _country((addr.get("country") or {}).get("code")) if isinstance(addr.get("country"), dict) else ""
        )
        if code and addr.get("type") in ("business", "headquarters"):
            headquarters = code
        if code and not country and addr.get("type") == "registered":
            country = code
    identifiers = [
        (str(i.get("scheme") or i.get("schemeName") or ""), str(i.get("id")))
        for i in details.get("identifiers") or []
        if isinstance(i, dict) and i.get("id") is not None
    ]
    entity_type = details.get("entityType") or {}
    kind = (
        "arrangement"
        if isinstance(entity_type, dict) and entity_type.get("type") == "arrangement"
        else "entity"
    )
    return Node(
        node_id=rid,
        name=name.strip(),
        kind=kind,
        country=country,
        headquarters=headquarters or country,
        identifiers=identifiers,
        addresses=[a for a in addresses if a],
        founding_date=str(details.get("foundingDate") or ""),
        record=sid,
        extra={"public_listing": bool((details.get("publicListing") or {}).get("hasPublicListing"))},
    )


def _person_node(path: Path, where: str, rid: str, details: dict[str, Any], sid: str) -> Node:
    names = [n for n in details.get("names") or [] if isinstance(n, dict) and n.get("fullName")]
    names.sort(key=lambda n: 0 if n.get("type") == "legal" else 1)
    if not names:
        if details.get("personType") in ("anonymousPerson", "unknownPerson"):
            name = f"Unknown person ({details.get('personType')})"
        else:
            raise _fail(path, where, "person has no names[].fullName", "recordDetails.names")
    else:
        name = str(names[0]["fullName"]).strip()
    nationalities = details.get("nationalities") or []
    country = next(
        (_country(n.get("code")) for n in nationalities if isinstance(n, dict) and n.get("code")), ""
    )
    return Node(
        node_id=rid,
        name=name,
        kind="person",
        country=country,
        other_names=[str(n["fullName"]) for n in names[1:]],
        record=sid,
    )


def parse_bods(path: Path) -> OwnershipGraph:
    """Reads a BODS 0.4 file; raises InputError naming the statement and field on bad input."""
    statements = read_statements(path)
    latest: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    order = sorted(
        range(len(statements)),
        key=lambda i: (
            str(statements[i].get("statementDate") or "") if isinstance(statements[i], dict) else "",
            i,
        ),
    )
    for i in order:
        st = statements[i]
        where = _where(st, i)
        if not isinstance(st, dict):
            raise InputError(f"{where}: a statement must be a JSON object", file=str(path))
        if not isinstance(st.get("statementId"), str) or not st["statementId"]:
            raise _fail(path, where, "missing statementId", "statementId")
        rtype = st.get("recordType")
        if rtype is None and "statementType" in st:
            raise _fail(
                path, where, "this is BODS 0.3 or older (statementType); BODS 0.4 is required", "recordType"
            )
        if rtype not in RECORD_TYPES:
            raise _fail(
                path, where, f"recordType must be one of {sorted(RECORD_TYPES)}, got {rtype!r}", "recordType"
            )
        rid = st.get("recordId")
        if not isinstance(rid, str) or not rid:
            raise _fail(path, where, "missing recordId", "recordId")
        if not isinstance(st.get("recordDetails"), dict):
            raise _fail(path, where, "recordDetails must be an object", "recordDetails")
        latest[(rtype, rid)] = (i, st)

    graph = OwnershipGraph(source=str(path), format="bods")
    live = {key: v for key, v in latest.items() if v[1].get("recordStatus") != "closed"}
    for (rtype, rid), (i, st) in live.items():
        details = st["recordDetails"]
        where = _where(st, i)
        if rtype == "entity":
            graph.add_node(_entity_node(path, where, rid, details, st["statementId"]))
        elif rtype == "person":
            graph.add_node(_person_node(path, where, rid, details, st["statementId"]))
    for (rtype, _rid), (i, st) in live.items():
        if rtype == "relationship":
            _add_relationship(graph, path, _where(st, i), st)
    return graph


def _add_relationship(graph: OwnershipGraph, path: Path, where: str, st: dict[str, Any]) -> None:
    details = st["recordDetails"]
    sid = st["statementId"]
    subject = details.get("subject")
    if isinstance(subject, dict):
        raise _fail(
            path, where, "subject is unspecified; cannot place the relationship", "recordDetails.subject"
        )
    if not isinstance(subject, str) or not subject:
        raise _fail(path, where, "missing subject", "recordDetails.subject")
    party = details.get("interestedParty")
    if isinstance(party, dict):
        reason = party.get("reason") or "unspecified"
        party_id = f"unspecified:{st['recordId']}"
        graph.ensure_node(party_id, f"Unspecified interested party ({reason})", kind="unspecified")
    elif isinstance(party, str) and party:
        party_id = party
    else:
        raise _fail(path, where, "missing interestedParty", "recordDetails.interestedParty")
    interests = details.get("interests")
    if interests is None:
        interests = []
    if not isinstance(interests, list):
        raise _fail(path, where, "interests must be an array", "recordDetails.interests")
    graph.ensure_node(subject)
    graph.ensure_node(party_id)
    groups: dict[tuple[str, bool], list[tuple[Share, str]]] = {}
    for n, interest in enumerate(interests):
        field = f"recordDetails.interests[{n}]"
        if not isinstance(interest, dict):
            raise _fail(path, where, "an interest must be an object", field)
        if interest.get("endDate"):
            continue  # an interest that has ended no longer confers ownership
        itype = str(interest.get("type") or "")
        share = parse_share(path, where, interest.get("share"), f"{field}.share")
        kind = OWNERSHIP if itype in OWNERSHIP_INTERESTS else CONTROL
        direct = interest.get("directOrIndirect") != "indirect"
        groups.setdefault((kind, direct), []).append((share, itype or "unknown"))
    if not groups:
        groups[(OWNERSHIP, True)] = [(Share.unknown(), "unknown")]
    for (kind, direct), items in groups.items():
        share = items[0][0] if len(items) == 1 or kind == CONTROL else _sum_shares([s for s, _ in items])
        graph.add_edge(
            Edge(
                owner=party_id,
                owned=subject,
                share=share,
                kind=kind,
                record=sid,
                interests=[t for _, t in items],
                direct=direct,
                components=[str(c) for c in details.get("componentRecords") or []],
            )
        )


def _sum_shares(shares: list[Share]) -> Share:
    """Several equity interests of one holder (e.g. share classes) add up, capped at 100 %."""
    if any(s.is_unknown for s in shares):
        return Share.unknown()
    low = min(100.0, sum(s.bounds()[0] for s in shares))
    high = min(100.0, sum(s.bounds()[1] for s in shares))
    return Share(low, high)
