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
properties are screening evidence, as the ``chipguard screen`` flags are (``EVIDENCE_PROPS``:
``birthDate`` → date of birth, ``nationality``/``citizenship`` → nationality, ``registrationNumber``,
``idNumber``, ``taxNumber`` … → registration number, ``leiCode``, ``imoNumber``, ``address``,
``website``/``email`` → web domain): the first value of the first property feeding a field is weighed,
and every value not weighed (a second value, another property for the same field) is named under
``evidence_ignored``. A bad value (no date, a failing LEI / IMO / USCC check, an unknown country) is a
422 naming ``queries.<key>.properties.<property>``, and no example of the request is screened.

``match`` is true for a confirmed match (the strength screening gives every hit); ``features`` is yente's
name → number map: ``name_score``, each scoring feature's contribution (``matching.yml``) and each
identifying detail compared (+1 agrees, 0 close or differs, −1 conflicts); ``strength``, ``evidence``
(each comparison in words) and ``record`` (the list record as every face shows it: programmes, dates,
Federal Register citation, licence requirement and policy …) ride along; the response's ``lists`` and
``lists_stale`` state the snapshots screened against and whether they are stale. ``dataset`` ``default`` screens every active list; a source name
(``us_csl``, ``un`` …) keeps that list's records. yente's ``weights`` and ``config`` are taken only
empty: chipguard's weights are data (``matching.yml``), the same for every caller. The call is audited
like every ad-hoc screen.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query
from pydantic import BaseModel, Field, field_validator

from chipguard.errors import InputError
from chipguard.model import Party
from chipguard.service import Services
from chipguard.service.services import ScreenQuery, check_query
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
# FtM properties that identify a party besides its name → the screening evidence field they feed; for
# a field fed by several, the first property in this order that has a value is weighed
EVIDENCE_PROPS = {
    "birthDate": "date_of_birth",
    "nationality": "nationality",
    "citizenship": "nationality",
    "registrationNumber": "registration_number",
    "uscCode": "registration_number",
    "innCode": "registration_number",
    "ogrnCode": "registration_number",
    "taxNumber": "registration_number",
    "idNumber": "registration_number",
    "passportNumber": "registration_number",
    "leiCode": "lei",
    "imoNumber": "imo",
    "address": "address",
    "website": "website",
    "email": "website",
}
# a compared detail's result (chipguard.match.evidence) as yente's numeric feature value
EVIDENCE_VALUES = {"agree": 1.0, "close": 0.0, "differs": 0.0, "conflict": -1.0}
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
    # yente's per-request scoring weights and algorithm settings: taken only empty (see the module doc)
    weights: Annotated[dict[Annotated[str, Field(max_length=64)], float], Field(max_length=40)] = {}
    config: Annotated[dict[Annotated[str, Field(max_length=64)], Any], Field(max_length=40)] = {}

    @field_validator("weights", "config")
    @classmethod
    def _none_per_request(cls, value: dict[str, Any]) -> dict[str, Any]:
        if value:
            raise ValueError(
                "not taken: chipguard's scoring weights and settings are data (names/matching.yml), the "
                "same for every caller; send {} or leave it out"
            )
        return value


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


def _features(hit: dict[str, Any]) -> dict[str, float]:
    """What decided the score, yente-style (name → number): the name score, each scoring feature's
    contribution and each identifying detail compared (EVIDENCE_VALUES)."""
    features: dict[str, float] = {"name_score": hit["score"]}
    for item in (hit.get("explanation") or {}).get("features", []) or []:
        if (
            isinstance(item, dict)
            and item.get("feature")
            and isinstance(item.get("contribution"), int | float)
        ):
            features[str(item["feature"])] = float(item["contribution"])
    for item in hit.get("evidence") or []:
        if isinstance(item, dict) and item.get("result") in EVIDENCE_VALUES:
            features[str(item["feature"])] = EVIDENCE_VALUES[item["result"]]
    return features


def _evidence(q: EntityQuery) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """An example's identifying properties as screening evidence: (field → value, field → the property
    it came from, the properties or values not weighed, as ``prop`` or ``prop[i]``)."""
    fields: dict[str, str] = {}
    came_from: dict[str, str] = {}
    ignored: list[str] = []
    for prop, field in EVIDENCE_PROPS.items():
        values = [v for v in q.properties.get(prop, []) if v.strip()]
        for i, value in enumerate(values):
            if field in fields:
                ignored.append(f"{prop}[{i}]" if i else prop)
                continue
            fields[field] = value
            came_from[field] = prop
    return fields, came_from, ignored


def _checked_country(key: str, q: EntityQuery) -> str | None:
    """The example's country qualifier (the first of COUNTRY_PROPS), checked: an unknown code is a 422
    naming the property, never a qualifier that silently matches nothing."""
    from chipguard.geo.countries import lookup_country

    for prop in COUNTRY_PROPS:
        for value in q.properties.get(prop, []):
            if value.strip() and lookup_country(value.strip()) is None:
                raise InputError(
                    f"unknown country '{value}' (ISO 3166-1 alpha-2 such as 'cn', 'sg', 'us')",
                    field=f"queries.{key}.properties.{prop}",
                )
    country = next((v[0] for p in COUNTRY_PROPS if (v := q.properties.get(p))), None)
    return country.strip().upper() if country else None


def match_queries(
    services: Services, request: MatchRequest, dataset: str, limit: int, threshold: float | None, actor: str
) -> dict[str, Any]:
    """Screens every example (each of its names), keeps the best hit per record, and renders yente's
    response shape."""
    keys = list(request.queries)
    screens: list[ScreenQuery] = []
    owners: list[str] = []
    ignored: dict[str, list[str]] = {}
    for key in keys:
        q = request.queries[key]
        if q.schema_ not in SCHEMA_KINDS:
            raise InputError(
                f"schema must be one of {', '.join(SCHEMA_KINDS)}", field=f"queries.{key}.schema"
            )
        names = [n for prop in ("name", "alias") for n in q.properties.get(prop, []) if n.strip()]
        if not names:
            raise InputError("needs at least one name", field=f"queries.{key}.properties.name")
        country = _checked_country(key, q)
        fields, came_from, ignored[key] = _evidence(q)
        for name in names:
            query = ScreenQuery(
                name,
                SCHEMA_KINDS[q.schema_],
                country,
                id=key,
                limit=max(limit, 10),
                threshold=threshold,
                fields=tuple(fields.items()),
            )
            try:
                check_query(query)  # every example checked before any is screened
            except InputError as exc:
                prop = came_from.get(exc.field or "", exc.field or "")
                raise InputError(exc.detail, field=f"queries.{key}.properties.{prop}") from exc
            screens.append(query)
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
                    "strength": strength,
                    "evidence": hit.get("evidence") or [],
                    "record": hit.get("record") or {},
                    "referents": [],
                    "target": True,
                }
            )
        q = request.queries[key]
        responses[key] = {
            "status": 200,
            "results": rendered,
            "total": {"value": len(ranked), "relation": "gte" if left_out else "eq"},
            "query": {"schema": q.schema_, "properties": q.properties},
            "evidence_ignored": ignored[key],
        }
    # the lists screened against and whether they are stale, as every screen states (one call, one set)
    status = results[0].get("lists", []) if results else []
    return {
        "responses": responses,
        "limit": limit,
        "lists": status,
        "lists_stale": any(s.get("stale") for s in status) or not status,
    }


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
