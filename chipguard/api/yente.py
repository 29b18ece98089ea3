"""A yente-compatible ``/match`` endpoint: FollowTheMoney-shaped query by example, so tools written for the
OpenSanctions matching API (yente) can point at chipguard.

Request (as yente's ``POST /match/{dataset}``)::

    {"queries": {"q1": {"schema": "Person", "properties": {"name": ["…"], "birthDate": ["1961"],
                                                          "nationality": ["ru"], "country": ["ru"]}}}}

Response: ``{"responses": {"q1": {"status": 200, "results": [...], "total": {"value": n, "relation":
"eq"}, "query": {...}}}, "limit": n}``; each result is the listed record as an FtM entity (``id``,
``caption``, ``schema``, ``properties``, ``datasets``) with ``score``, ``match`` and ``features``.

What maps where: the schema gives the kind (Person → person, Company/Organization/LegalEntity → org,
Vessel, Airplane); ``name`` and ``alias`` are each screened (a record is reported once, at its best score);
the first of ``country``, ``jurisdiction``, ``nationality``, ``citizenship`` is the country. Identifying
properties (``birthDate``, ``registrationNumber``, ``leiCode``, ``imoNumber`` …) are echoed in the query
and listed under ``evidence_ignored`` until screening takes them as evidence. ``match`` is true for a confirmed match
(the strength screening gives every hit), and ``features`` names the score, the strength and the evidence
that decided it. ``dataset`` ``default`` screens every active list; a source name (``us_csl``, ``un`` …)
keeps that list's records. The call is audited like every ad-hoc screen.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query
from pydantic import BaseModel, Field

from chipguard.errors import InputError
from chipguard.model import Party
from chipguard.service import Services
from chipguard.service.services import ScreenQuery
from chipguard.store.keys import ApiKey
from chipguard.store.permissions import Permission

SCHEMA_KINDS: dict[str, str | None] = {
    "Person": "person",
    "Company": "org",
    "Organization": "org",
    "LegalEntity": "org",
    "PublicBody": "org",
    "Vessel": "vessel",
    "Airplane": "aircraft",
    "Thing": None,
}
KIND_SCHEMAS = {"person": "Person", "org": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}
COUNTRY_PROPS = ("country", "jurisdiction", "nationality", "citizenship")
# FtM properties that identify a party besides its name → the screening evidence field they feed
EVIDENCE_PROPS = {
    "birthDate": "date_of_birth",
    "nationality": "nationality",
    "registrationNumber": "registration_number",
    "idNumber": "registration_number",
    "taxNumber": "registration_number",
    "leiCode": "lei",
    "imoNumber": "imo",
    "address": "address",
    "website": "website",
}
MAX_QUERIES = 100
Values = Annotated[list[Annotated[str, Field(max_length=512)]], Field(max_length=20)]


class EntityQuery(BaseModel):
    """One FollowTheMoney-shaped example to match."""

    model_config = {"extra": "ignore"}  # yente clients send id, datasets … which matching does not use

    schema_: Annotated[str, Field(alias="schema", max_length=64)]
    properties: Annotated[dict[Annotated[str, Field(max_length=64)], Values], Field(max_length=40)]


class MatchRequest(BaseModel):
    model_config = {"extra": "forbid"}

    queries: Annotated[
        dict[Annotated[str, Field(max_length=128)], EntityQuery], Field(max_length=MAX_QUERIES)
    ]


def _entity(party: Party | None, hit: dict[str, Any]) -> dict[str, Any]:
    """The listed record as a FollowTheMoney entity."""
    if party is None:
        return {
            "id": f"{hit['source']}-{hit['party_id']}",
            "caption": hit["name"],
            "schema": KIND_SCHEMAS.get(str(hit.get("kind")), "LegalEntity"),
            "properties": {"name": [hit["name"]]},
            "datasets": [hit["source"]],
        }
    props: dict[str, list[str]] = {"name": [party.name]}
    aliases = [a.name for a in party.aliases if a.name and a.name != party.name]
    if aliases:
        props["alias"] = aliases
    if party.countries:
        props["country"] = [c.lower() for c in party.countries]
    if party.addresses:
        props["address"] = [a.text for a in party.addresses if getattr(a, "text", "")]
    if party.programs:
        props["program"] = list(party.programs)
    if party.remarks:
        props["notes"] = [party.remarks]
    if party.source_url:
        props["sourceUrl"] = [party.source_url]
    nationalities = getattr(party, "nationalities", None)
    if nationalities:
        props["nationality"] = [str(n).lower() for n in nationalities]
    birth = party.dates.get("birth") if party.dates else None
    if birth:
        props["birthDate"] = [birth]
    return {
        "id": f"{party.source}-{party.party_id}",
        "caption": party.name,
        "schema": KIND_SCHEMAS.get(str(party.kind), "LegalEntity"),
        "properties": {k: v for k, v in props.items() if v},
        "datasets": [party.source],
    }


def _features(hit: dict[str, Any]) -> dict[str, Any]:
    """What decided the score and the match flag, yente-style (name → value)."""
    features: dict[str, Any] = {"name_score": hit["score"]}
    strength = hit.get("strength")
    if strength:
        features["strength"] = strength
    for item in hit.get("evidence") or []:
        if isinstance(item, dict) and item.get("feature"):
            features[str(item["feature"])] = item.get("value", item.get("effect", True))
    for pen in (hit.get("explanation") or {}).get("penalties", []) or []:
        if isinstance(pen, dict) and pen.get("reason"):
            features.setdefault("penalties", []).append({"reason": pen["reason"], "value": pen.get("value")})
    return features


def match_queries(
    services: Services, request: MatchRequest, dataset: str, limit: int, threshold: float | None, actor: str
) -> dict[str, Any]:
    """Screens every example (each of its names), keeps the best hit per record, and renders yente's
    response shape."""
    keys = list(request.queries)
    screens: list[ScreenQuery] = []
    owners: list[str] = []
    for key in keys:
        q = request.queries[key]
        if q.schema_ not in SCHEMA_KINDS:
            raise InputError(
                f"schema must be one of {', '.join(SCHEMA_KINDS)}", field=f"queries.{key}.schema"
            )
        names = [n for prop in ("name", "alias") for n in q.properties.get(prop, []) if n.strip()]
        if not names:
            raise InputError("needs at least one name", field=f"queries.{key}.properties.name")
        country = next((v[0] for p in COUNTRY_PROPS if (v := q.properties.get(p))), None)
        for name in names:
            screens.append(
                ScreenQuery(
                    name,
                    SCHEMA_KINDS[q.schema_],
                    country.upper() if country else None,
                    id=key,
                    limit=max(limit, 10),
                    threshold=threshold,
                )
            )
            owners.append(key)
    results = services.screen(screens, actor)
    responses: dict[str, Any] = {}
    for key in keys:
        best: dict[tuple[str, str], dict[str, Any]] = {}
        # records a name's screening found above the threshold but left past its limit: the total is
        # then a lower bound ("gte", as yente says of a count it did not finish), never silently exact
        left_out = 0
        for owner, result in zip(owners, results, strict=True):
            if owner != key:
                continue
            left_out = max(left_out, int(result.get("omitted") or 0))
            for hit in result["hits"]:
                if dataset != "default" and hit["source"] != dataset:
                    continue
                pk = (hit["source"], hit["party_id"])
                if pk not in best or hit["score"] > best[pk]["score"]:
                    best[pk] = hit
        ranked = sorted(best.values(), key=lambda h: (-h["score"], h["source"], h["party_id"]))
        rendered = []
        for hit in ranked[:limit]:
            entity = _entity(services.party(hit["source"], hit["party_id"]), hit)
            strength = hit.get("strength")
            rendered.append(
                entity
                | {
                    "score": hit["score"],
                    "match": strength == "confirmed" if strength else hit["score"] >= (threshold or 0.0),
                    "features": _features(hit),
                    "referents": [],
                    "target": True,
                }
            )
        q = request.queries[key]
        # identifying properties this screener does not weigh yet (query-by-example evidence, issue 12)
        ignored = sorted(p for p in q.properties if p in EVIDENCE_PROPS)
        responses[key] = {
            "status": 200,
            "results": rendered,
            "total": {"value": len(ranked), "relation": "gte" if left_out else "eq"},
            "query": {"schema": q.schema_, "properties": q.properties},
            "evidence_ignored": ignored,
        }
    return {"responses": responses, "limit": limit}


def add_yente_routes(
    app: FastAPI,
    services: Services,
    require: Callable[[Permission], Callable[..., Any]],
    errors: dict[Any, Any],
) -> None:
    """Adds ``POST /match/{dataset}`` to the REST application (permission: screen)."""
    may_screen = Depends(require(Permission.SCREEN))
    tags: list[str | Enum] = ["screening"]

    @app.post("/match/{dataset}", responses=errors, tags=tags)
    def match(
        body: MatchRequest,
        dataset: Annotated[str, Path(pattern=r"^[a-z0-9_]{1,64}$")],
        key: ApiKey = may_screen,
        limit: Annotated[int, Query(ge=1, le=50)] = 5,
        threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
        algorithm: Annotated[str, Query(max_length=64)] = "chipguard",
    ) -> dict[str, Any]:
        """yente-compatible matching: FollowTheMoney examples in, the listed records they match out, each
        with score, match flag and features. ``dataset``: ``default`` (every active list) or one source.
        Audited like every ad-hoc screen."""
        out = match_queries(services, body, dataset, limit, threshold, key.actor)
        return out | {"algorithm": algorithm}
