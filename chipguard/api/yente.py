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
empty: chipguard's weights are data (``matching.yml``), the same for every caller. yente's ``algorithm``
query parameter takes the names yente knows (``logic-v1``, ``logic-v2``, ``name-based``, ``best`` …:
``data/yente.yml``), each scored by chipguard's one scorer, and the response's ``algorithm`` says so
(``name``, ``description``, ``requested``); any other value is a 422 naming ``algorithm``. ``limit`` goes
up to the rule set's ``screening_hit_limit`` (200), the bound of every face. The call is audited like
every ad-hoc screen.

As yente's, the response's ``matcher`` documents every feature a result's ``features`` may hold
(nomenklatura's FeatureDocs: description, coefficient, url; the score is the sum of coefficient × value),
and ``GET /algorithms`` lists the algorithm names /match takes (yente's AlgorithmResponse: ``algorithms``
with name, description, config and features; ``default``; ``best``), each scored by the one scorer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query
from pydantic import BaseModel, Field, field_validator

from chipguard.config import data_dir
from chipguard.datafiles import read_yaml_mapping
from chipguard.errors import InputError
from chipguard.match.config import FEATURES
from chipguard.model import Party
from chipguard.service import Services
from chipguard.service.services import ScreenQuery, check_limit, check_query
from chipguard.store.keys import ApiKey
from chipguard.store.permissions import Permission

# which ``algorithm`` values /match takes, and the scorer its answer names (see algorithm_used)
ALGORITHMS_FILE = "yente.yml"

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


@dataclass(frozen=True, slots=True)
class YenteData:
    """data/yente.yml read and checked: what /match and /algorithms say about chipguard's scorer."""

    scorer: dict[str, str]  # name, description
    accepted: tuple[str, ...]  # the ``algorithm`` values /match takes (lower case)
    default: str  # the algorithm a call that names none is scored with (as yente's ``default``)
    features_url: str  # where the scoring features are documented
    name_score: str  # what ``name_score`` in a result's features is
    evidence_features: dict[str, str]  # identifying detail → what its +1 / 0 / -1 says


@cache
def yente_data() -> YenteData:
    """data/yente.yml, checked: a missing or mistyped key is an error naming it."""
    path = data_dir() / ALGORITHMS_FILE
    raw = read_yaml_mapping(path)
    scorer, accepted = raw.get("scorer"), raw.get("accepted")
    if not isinstance(scorer, dict) or not all(
        isinstance(scorer.get(k), str) for k in ("name", "description")
    ):
        raise InputError("needs scorer.name and scorer.description (texts)", file=str(path), field="scorer")
    if not isinstance(accepted, list) or not accepted or not all(isinstance(a, str) for a in accepted):
        raise InputError("needs a list of algorithm names", file=str(path), field="accepted")
    names = tuple(a.strip().lower() for a in accepted)
    for key in ("default", "features_url", "name_score"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise InputError("needs a text", file=str(path), field=key)
    if raw["default"] not in names:
        raise InputError(f"must be one of accepted ({', '.join(names)})", file=str(path), field="default")
    evidence = raw.get("evidence_features")
    if not isinstance(evidence, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in evidence.items()
    ):
        raise InputError("needs detail → description (texts)", file=str(path), field="evidence_features")
    return YenteData(
        {"name": scorer["name"], "description": scorer["description"]},
        names,
        raw["default"],
        raw["features_url"],
        raw["name_score"],
        dict(evidence),
    )


def feature_docs() -> dict[str, dict[str, Any]]:
    """The features of a /match result's ``features`` map, as nomenklatura documents a matcher's
    (FeatureDocs: name → description, coefficient, url): ``name_score`` (the score again, coefficient
    0), each scoring feature of chipguard.match.config.FEATURES (their contributions add up to the
    score: coefficient 1) and each identifying detail (+1 / 0 / -1; it decides the strength, not the
    score: coefficient 0). A yente client reads /match's ``matcher`` and /algorithms' ``features``."""
    data = yente_data()
    docs: dict[str, dict[str, Any]] = {
        "name_score": {"description": data.name_score, "coefficient": 0.0, "url": data.features_url}
    }
    for feature in FEATURES:
        docs[feature.name] = {
            "description": feature.description,
            "coefficient": 1.0,
            "url": data.features_url,
        }
    for name, description in data.evidence_features.items():
        if name in docs:  # one name, one meaning: a result's features map holds each name once
            raise InputError(
                "names a scoring feature, not an identifying detail",
                file=str(data_dir() / ALGORITHMS_FILE),
                field=f"evidence_features.{name}",
            )
        docs[name] = {"description": description, "coefficient": 0.0, "url": data.features_url}
    return docs


def algorithms_docs() -> dict[str, Any]:
    """GET /algorithms in yente's shape (``algorithms``: nomenklatura's AlgorithmDocs, ``default``,
    ``best``): every name /match takes, each scored by chipguard's one scorer and saying so, with the
    features its results carry; ``config`` is empty (chipguard takes no per-call settings). yente's
    ``best`` is a name for its best algorithm, not an algorithm of its own, so it is not listed; here
    it is chipguard's scorer, as is ``default``."""
    data = yente_data()
    features = feature_docs()
    scorer = data.scorer["name"]
    algorithms = [
        {
            "name": name,
            "description": data.scorer["description"]
            if name == scorer
            else f"yente's name '{name}', taken for compatibility: scored by chipguard's one scorer "
            f"({scorer}), as every /match call is",
            "config": {},
            "features": features,
        }
        for name in data.accepted
        if name != "best"
    ]
    return {"algorithms": algorithms, "default": data.default, "best": scorer}


def algorithm_used(requested: str) -> dict[str, str]:
    """What scores a /match call asking for ``requested``: chipguard's one scorer for any name yente
    knows (case and spaces ignored, as yente does), as yente describes an algorithm (``name``,
    ``description``) with the name asked for; InputError naming ``algorithm`` for any other."""
    data = yente_data()
    scorer, accepted = data.scorer, data.accepted
    name = requested.strip().lower()
    if name not in accepted:
        raise InputError(
            f"unknown algorithm {requested!r}: chipguard scores every call with its one scorer, and takes "
            f"the names yente knows for it ({', '.join(accepted)})",
            field="algorithm",
        )
    return scorer | {"requested": name}


def add_yente_routes(
    app: FastAPI,
    services: Services,
    require: Callable[[Permission], Callable[..., Any]],
    errors: dict[Any, Any],
) -> None:
    """Adds ``POST /match/{dataset}`` (permission: screen) and ``GET /algorithms`` (lists:read) to the
    REST application."""
    may_screen = Depends(require(Permission.SCREEN))
    # the scorer's documentation is a read, as the lists' status is: every role may read it
    may_read = Depends(require(Permission.LISTS_READ))
    tags: list[str | Enum] = ["screening"]
    default_algorithm = yente_data().default

    @app.post("/match/{dataset}", responses=errors, tags=tags)
    def match(
        body: MatchRequest,
        dataset: Annotated[str, Path(pattern=r"^[a-z0-9_]{1,64}$")],
        key: ApiKey = may_screen,
        limit: Annotated[
            int, Query(ge=1, description="results per example: 1 to the rule set's screening_hit_limit (200)")
        ] = 5,
        threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
        algorithm: Annotated[
            str,
            Query(
                max_length=64,
                description="a yente algorithm name (e.g. logic-v1, name-based, best: those listed in "
                "chipguard/data/yente.yml), all scored by chipguard's one scorer as the response's "
                "`algorithm` says; another name is a 422",
            ),
        ] = default_algorithm,
    ) -> dict[str, Any]:
        """yente-compatible matching: FollowTheMoney examples in, the listed records they match out, each
        with score, match flag and features. ``dataset``: ``default`` (every active list) or one source.
        ``limit``: at most the rule set's screening_hit_limit, as every face. ``algorithm``: any name
        yente knows (data/yente.yml) is scored by chipguard's one scorer, and ``algorithm`` in the
        response says so; another name is a 422 naming it. Audited like every ad-hoc screen."""
        check_limit(limit, "limit")
        used = algorithm_used(algorithm)  # before anything is screened
        out = match_queries(services, body, dataset, limit, threshold, key.actor)
        # yente's response documents the features of its results (EntityMatchResponse.matcher)
        return out | {"matcher": feature_docs(), "algorithm": used}

    @app.get("/algorithms", responses=errors, tags=tags)
    def algorithms(key: ApiKey = may_read) -> dict[str, Any]:
        """yente's list of scoring algorithms (``algorithms``: name, description, config, features;
        ``default``; ``best``): the ``algorithm`` names /match takes, every one scored by chipguard's one
        scorer, and the features a /match result's ``features`` map holds. A yente client reads it to
        choose or check an algorithm name."""
        return algorithms_docs()
