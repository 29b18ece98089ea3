"""The REST API: FastAPI app factory, authentication by API key, permission checks, and the /v1 routes.

Every route names the one :class:`~chipguard.store.permissions.Permission` it needs; which roles hold it
is decided in ``chipguard.store.permissions`` alone (``screen`` screens and reads list status,
``analyst`` also decides and manages customers, ``admin`` also updates lists, manages keys and verifies
and exports the audit trail, ``auditor`` only reads, replays, verifies and exports). A key is sent as
``Authorization: Bearer <key>``, ``X-API-Key: <key>`` or yente's ``Authorization: ApiKey <key>``. No
key → 401, a key whose role lacks the permission → 403, over the rate → 429. Nothing secret is logged: the access log names the key id.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from chipguard import ENGINE_VERSION, native
from chipguard.api import docs, errors
from chipguard.api.casework import add_casework_routes
from chipguard.api.errors import ApiError
from chipguard.api.export import audit_export_response
from chipguard.api.jobs import add_job_routes
from chipguard.api.limits import BodySizeLimit, TokenBucket
from chipguard.api.schemas import (
    AuditVerifyModel,
    ClassificationModel,
    ClassifyRequest,
    CustomerHistoryModel,
    CustomerListModel,
    CustomerRecordModel,
    CustomerScreeningModel,
    DecisionListModel,
    DecisionModel,
    ErrorResponse,
    Health,
    KeyCreated,
    KeyCreateRequest,
    ListsModel,
    ListsUpdateRequest,
    ListsUpdateResult,
    Ready,
    ReplayModel,
    ScreenBatchRequest,
    ScreenBatchResult,
    ScreenRequest,
    ScreenResult,
)
from chipguard.api.yente import add_yente_routes
from chipguard.errors import InputError, ListsUnavailableError
from chipguard.limits import LIMITS, load_json
from chipguard.service import Services
from chipguard.service.inputs import CustomerModel, find_bad_text
from chipguard.service.jobs import JobRunner
from chipguard.service.screening import serving_requests
from chipguard.service.services import ScreenQuery
from chipguard.store.decisions import check_range, parse_day
from chipguard.store.keys import ApiKey
from chipguard.store.permissions import Permission, needs

log = logging.getLogger("chipguard.api")

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="the API key")


def _yente_key(request: Request) -> str | None:
    """The key of an ``Authorization: ApiKey <key>`` header, the scheme yente's clients send (yente's
    own API authenticates that way), so a tool built for yente can point at ``/match`` unchanged."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "apikey" or not key.strip():
        return None
    return key.strip()


# Identifiers in paths and filters are validated before they reach the database (PostgreSQL rejects NUL).
CustomerId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$", description="customer id")]
DecisionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,128}$", description="decision id")]
OutcomeFilter = Annotated[str | None, Query(pattern=r"^[A-Z_]{1,32}$")]
CustomerFilter = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
# Validated by parse_day (a 422 naming the field), declared as dates for the OpenAPI document.
DateFilter = Annotated[
    str | None,
    Query(max_length=40, description="UTC day YYYY-MM-DD, inclusive", json_schema_extra={"format": "date"}),
]

# Paging stops at a bounded offset: an unbounded one overflows the database's integer (a 500 before).
Offset = Annotated[int, Query(ge=0, le=LIMITS.page_offset, description="rows to skip")]

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (401, 403, 413, 422, 429)
}


async def _json_body(request: Request) -> Any:
    """The request body as JSON for the routes that validate it themselves; bad JSON (including nesting
    too deep to parse) and unstorable text are 422s naming the problem, never 500s."""
    raw = await request.body()
    try:
        body = load_json(raw)
    except InputError as exc:
        raise InputError(f"the request body is not valid JSON: {exc.detail}") from exc
    bad = find_bad_text(body)
    if bad is not None:
        raise InputError("text contains a NUL character or an unpaired surrogate", field=bad)
    return body


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: objects merge recursively, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


class AccessLog:
    """ASGI access log: method, path, status, key id (never the key) and duration of every request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def tracking_send(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            key_id = scope.get("state", {}).get("key_id", "-")
            log.info(
                "%s %s %s key=%s %.1fms",
                scope["method"],
                scope["path"],
                status,
                key_id,
                (time.perf_counter() - start) * 1000,
            )


WARM_QUERIES = 8  # listed names a worker screens at start-up, spread over the list


def _warm_queries(services: Services, screener: Any) -> None:
    """Screens a few listed names once (unaudited: nobody asked) before the worker takes requests.

    Why: a screener mapped from an index file another process built leaves the scoring path's one-time
    work (data tables read, patterns compiled, per-word caches) to the first queries that reach a hit, and
    the requests that arrive together each did it at once — with ``serve --workers 2`` each worker's
    first four real requests took ~100 ms of CPU each and ~1 s of wall time (``bench.load``), where the
    worker that had built the index answered in 2 ms. A name on no list never reaches that path.
    Every record of a list that fits the worker's caches is decoded first (the CSL: ~0.8 CPU s), so the
    worker's first requests run as fast as its later ones (ScreenerProvider.decode_whole)."""
    from chipguard.names.scripts import warm_up

    warm_up()  # the non-Latin name resources (Chinese vocabulary, transliteration)
    services.screeners.decode_whole(screener)
    status = services.screeners.list_status(screener)
    parties = screener.parties
    step = max(1, len(parties) // WARM_QUERIES)
    for position in range(0, min(len(parties), WARM_QUERIES * step), step):
        try:
            screener.screen_result("warm-up", parties[position].name, lists=status)
        except Exception:  # noqa: BLE001 - warming is an optimisation: a name it cannot screen stops nothing
            log.debug("warm-up query %d not screened", position, exc_info=True)


def create_app(database_url: str | None = None, *, warm: bool = False) -> FastAPI:
    """The application over the database at ``database_url`` (default: CHIPGUARD_DATABASE_URL or the
    SQLite file in CHIPGUARD_HOME). ``warm`` builds the screener at startup instead of on first use."""
    serving_requests()  # (the cycle collector's pace for a process that serves requests)
    services = Services.open(database_url)
    # Background jobs run in this process's threads; jobs a stopped process left unfinished are marked
    # failed now, naming how far they got.
    jobs = JobRunner(services)
    jobs.recover()
    limiter = TokenBucket()
    # Failed authentications per client address (the TCP peer unless a trusted proxy names another):
    # keys cannot be guessed, but a flood of bad keys must neither reach the database unchecked nor
    # go on for ever. A client over it gets 429 before its key is even looked at.
    bad_keys = TokenBucket(rate=1.0, burst=20.0)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm:
            try:
                screener = await run_in_threadpool(services.screeners.get)
                await run_in_threadpool(_warm_queries, services, screener)
            except ListsUnavailableError:
                log.warning("no lists loaded: /readyz answers 503 until they are")
        yield
        await run_in_threadpool(jobs.shutdown)

    app = FastAPI(
        title="chipguard",
        version=ENGINE_VERSION,
        description=(
            "Restricted-party screening, explained export-control decisions, customer records with "
            "history and a tamper-evident audit trail. Authenticate with an API key "
            "(`Authorization: Bearer <key>`, `X-API-Key` or `Authorization: ApiKey <key>`)."
        ),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    app.state.jobs = jobs
    errors.install(app)
    docs.install(app)  # Swagger UI and ReDoc from local files, no CDN

    def require(permission: Permission) -> Callable[..., Awaitable[ApiKey]]:
        """The dependency that authenticates the request's key and refuses it (403) unless its role
        holds ``permission``. The permission is kept on the dependency (``.permission``) so a test can
        check that every route has one."""

        async def dependency(
            bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
            header_key: Annotated[str | None, Depends(_api_key_header)],
            request: Request,
        ) -> ApiKey:
            # async: answered from the key cache on the event loop; the database only on a cache miss
            token = header_key or (bearer.credentials if bearer else None) or _yente_key(request)
            if not token:
                raise ApiError(
                    401,
                    "unauthorized",
                    "an API key is required (Authorization: Bearer <key>, X-API-Key or Authorization: ApiKey <key>)",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            client = f"badkey:{request.client.host if request.client else '-'}"
            hit, key = services.keys.cached(token)
            if key is None:
                wait = bad_keys.wait(client)
                if wait > 0:
                    raise ApiError(
                        429,
                        "rate_limited",
                        f"too many requests with unknown keys from this address; retry in {wait:.1f} s",
                        headers={"Retry-After": str(max(1, round(wait + 0.5)))},
                    )
            if not hit:
                key = await run_in_threadpool(services.keys.authenticate, token)
            if key is None:
                bad_keys.take(client)
                raise ApiError(
                    401, "unauthorized", "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"}
                )
            request.state.key_id = key.key_id
            wait = limiter.take(key.key_id)
            if wait > 0:
                raise ApiError(
                    429,
                    "rate_limited",
                    f"rate limit for this key exceeded; retry in {wait:.1f} s",
                    headers={"Retry-After": str(max(1, round(wait + 0.5)))},
                )
            if not key.can(permission):
                raise ApiError(403, "forbidden", f"this endpoint {needs(permission, key.role)}")
            return key

        dependency.permission = permission  # type: ignore[attr-defined]
        return dependency

    # Dependencies as defaults (not local Annotated aliases): with postponed annotations FastAPI resolves
    # annotation names in the module's globals, where closure-local aliases do not exist.
    P = Permission
    may_screen = Depends(require(P.SCREEN))
    may_read_lists = Depends(require(P.LISTS_READ))
    may_update_lists = Depends(require(P.LISTS_WRITE))
    may_read_decisions = Depends(require(P.DECISIONS_READ))
    may_decide = Depends(require(P.DECISIONS_CREATE))
    may_replay = Depends(require(P.DECISIONS_REPLAY))
    may_read_customers = Depends(require(P.CUSTOMERS_READ))
    may_write_customers = Depends(require(P.CUSTOMERS_WRITE))
    may_screen_customers = Depends(require(P.CUSTOMERS_SCREEN))
    may_verify_audit = Depends(require(P.AUDIT_VERIFY))
    may_export_audit = Depends(require(P.AUDIT_EXPORT))
    may_manage_keys = Depends(require(P.KEYS_MANAGE))

    # ── health ───────────────────────────────────────────────────────────────────────────────────

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        """The process is up (no database or list checks: use /readyz for that), and whether it screens
        with the compiled scorer."""
        return Health(status="ok", scorer=native.status().scorer)

    @app.get("/readyz", response_model=Ready, responses={503: {"model": Ready}}, tags=["health"])
    def readyz(response: Response) -> Ready:
        """Ready when the database answers and restricted-party lists are loaded; stale lists are reported
        (screening still runs on them, but decisions will not ALLOW)."""
        try:
            freshness = services.snapshots.freshness()
        except Exception:  # noqa: BLE001 - any database failure means not ready
            log.exception("readiness check failed")
            response.status_code = 503
            return Ready(ready=False, reason="the database is not reachable")
        if not freshness:
            response.status_code = 503
            return Ready(ready=False, reason="no restricted-party lists are loaded")
        stale = [s.source for s in freshness if s.stale]
        return Ready(
            ready=True,
            reason=f"stale lists: {', '.join(stale)}" if stale else "",
            lists=[s.to_dict() for s in freshness],
            stale=stale,
        )

    # ── screening ────────────────────────────────────────────────────────────────────────────────

    @app.post(
        "/v1/screen",
        response_model=ScreenResult,
        responses={**ERRORS, 503: {"model": ErrorResponse}},
        tags=["screening"],
    )
    def screen(body: ScreenRequest, key: ApiKey = may_screen) -> dict[str, Any]:
        """Screens one name against the active lists; hits at or above the threshold, best first, explained,
        each with its match strength (confirmed / potential / weak) from the name and the identifying details
        given (date_of_birth, nationality, registration_number, lei, imo, address, website). Audited
        (``screen.adhoc``): who screened what, against which snapshots, with what result."""
        query = ScreenQuery(
            body.name,
            body.kind,
            (body.country or "").upper() or None,
            body.id,
            body.limit,
            fields=tuple(body.evidence_fields().items()),
            where="body",  # a bad detail is body.lei, as the schema's own errors name body.country
        )
        return services.screen([query], key.actor)[0]

    @app.post(
        "/v1/screen/batch",
        response_model=ScreenBatchResult,
        responses={**ERRORS, 503: {"model": ErrorResponse}},
        tags=["screening"],
    )
    def screen_batch(body: ScreenBatchRequest, key: ApiKey = may_screen) -> dict[str, Any]:
        """Screens up to 100 names in one request, results in request order (one audit entry)."""
        queries = [
            ScreenQuery(
                q.name,
                q.kind,
                (q.country or "").upper() or None,
                q.id if q.id is not None else i,
                q.limit,
                fields=tuple(q.evidence_fields().items()),
                where=f"body.queries[{i}]",
            )
            for i, q in enumerate(body.queries)
        ]
        return {"results": services.screen(queries, key.actor)}

    # ── hardware classification ──────────────────────────────────────────────────────────────────

    @app.post(
        "/v1/hardware/classify",
        response_model=ClassificationModel,
        responses=ERRORS,
        tags=["hardware"],
    )
    def classify_hardware(body: ClassifyRequest, _key: ApiKey = may_screen) -> dict[str, Any]:
        """Classifies a model (or a spec) under the ECCN 3A090/4A090 rules in force on ``date`` (default
        today), as ``chipguard hardware classify --json`` does. An unknown or ambiguous model, or a bad spec,
        is a 422 naming the field."""
        from chipguard.hardware import classify

        if (body.model is None) == (body.spec is None):
            raise InputError("give either 'model' or 'spec'", field="model")
        try:
            result = classify(body.spec if body.spec is not None else body.model or "", body.date)
        except InputError as exc:
            where = "spec" if body.spec is not None else "model"
            field = f"{where}.{exc.field}" if exc.field and exc.field != where else where
            raise InputError(exc.detail, field=field) from exc
        return result.to_dict()

    # ── decisions ────────────────────────────────────────────────────────────────────────────────

    @app.post(
        "/v1/decisions",
        status_code=201,
        response_model=DecisionModel,
        responses=ERRORS,
        tags=["decisions"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Transaction"}}},
            }
        },
    )
    async def create_decision(request: Request, key: ApiKey = may_decide) -> dict[str, Any]:
        """Decides a transaction (JSON Schema ``Transaction``): ALLOW / REVIEW / LICENCE_REQUIRED / DENY with
        cited reasons. The decision is stored with its audit entry before this returns."""
        body = await _json_body(request)
        stored = await run_in_threadpool(services.decide, body, key.actor)
        return stored.to_dict()

    @app.get("/v1/decisions", response_model=DecisionListModel, responses=ERRORS, tags=["decisions"])
    def list_decisions(
        _key: ApiKey = may_read_decisions,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Offset = 0,
        outcome: OutcomeFilter = None,
        customer_id: CustomerFilter = None,
        date_from: DateFilter = None,
        date_to: DateFilter = None,
    ) -> dict[str, Any]:
        """Most recent decisions first; ``date_from`` / ``date_to`` are UTC days (YYYY-MM-DD), both
        inclusive, the same filter as the UI's decision list."""
        day_from, day_to = parse_day(date_from, "date_from"), parse_day(date_to, "date_to")
        check_range(day_from, day_to)
        found = services.decisions.find(
            limit=limit,
            offset=offset,
            outcome=outcome,
            customer_id=customer_id,
            date_from=day_from,
            date_to=day_to,
        )
        return {"decisions": [d.to_dict() for d in found]}

    @app.get(
        "/v1/decisions/{decision_id}",
        response_model=DecisionModel,
        responses={**ERRORS, 404: {"model": ErrorResponse}},
        tags=["decisions"],
    )
    def get_decision(decision_id: DecisionId, _key: ApiKey = may_read_decisions) -> dict[str, Any]:
        return services.decisions.get(decision_id).to_dict()

    @app.post(
        "/v1/decisions/{decision_id}/replay",
        response_model=ReplayModel,
        responses={**ERRORS, 404: {"model": ErrorResponse}},
        tags=["decisions"],
    )
    def replay_decision(decision_id: DecisionId, _key: ApiKey = may_replay) -> dict[str, Any]:
        """Re-runs a stored decision on the list snapshots it recorded; ``same`` false lists what differs.
        A POST because it runs the engine, but it stores nothing and appends no audit entry (a read)."""
        return services.replay(decision_id)

    # ── customers ────────────────────────────────────────────────────────────────────────────────

    @app.get("/v1/customers", response_model=CustomerListModel, responses=ERRORS, tags=["customers"])
    def list_customers(
        _key: ApiKey = may_read_customers,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        """Stored customers, oldest first (current versions)."""
        return {"customers": [r.to_dict() for r in services.customers.find(limit=limit, offset=offset)]}

    @app.post(
        "/v1/customers/{customer_id}/screen",
        response_model=CustomerScreeningModel,
        responses={**ERRORS, 404: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
        tags=["customers"],
    )
    def screen_customer(customer_id: CustomerId, key: ApiKey = may_screen_customers) -> dict[str, Any]:
        """Screens the stored customer, its other names, every owner and the ultimate parent (audited)."""
        return services.screen_customer(customer_id, key.actor)

    @app.post(
        "/v1/customers",
        status_code=201,
        response_model=CustomerRecordModel,
        responses={**ERRORS, 409: {"model": ErrorResponse}},
        tags=["customers"],
    )
    def create_customer(body: CustomerModel, key: ApiKey = may_write_customers) -> dict[str, Any]:
        """Stores a customer's identification data as version 1 (audited)."""
        return services.customers.create(body.to_customer(prefix="body"), key.actor).to_dict()

    @app.get(
        "/v1/customers/{customer_id}",
        response_model=CustomerRecordModel,
        responses={**ERRORS, 404: {"model": ErrorResponse}},
        tags=["customers"],
    )
    def get_customer(
        customer_id: CustomerId, response: Response, _key: ApiKey = may_read_customers
    ) -> dict[str, Any]:
        record = services.customers.get(customer_id)
        response.headers["ETag"] = f'"{record.version}"'
        return record.to_dict()

    def _expected(if_match: str | None) -> int | None:
        if not if_match:
            return None
        try:
            return int(if_match.strip().strip("W/").strip('"'))
        except ValueError as exc:
            raise InputError("If-Match must be the version number from the ETag", field="If-Match") from exc

    @app.put(
        "/v1/customers/{customer_id}",
        response_model=CustomerRecordModel,
        responses={**ERRORS, 404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}},
        tags=["customers"],
    )
    def put_customer(
        customer_id: CustomerId,
        body: CustomerModel,
        key: ApiKey = may_write_customers,
        if_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """Replaces the customer's data with a new version; the old one stays in the history.
        ``If-Match: "<version>"`` makes the update fail with 409 when someone else changed it first."""
        record = services.customers.update(
            customer_id, body.to_customer(prefix="body"), key.actor, _expected(if_match)
        )
        return record.to_dict()

    @app.patch(
        "/v1/customers/{customer_id}",
        response_model=CustomerRecordModel,
        responses={**ERRORS, 404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}},
        tags=["customers"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/merge-patch+json": {"schema": {"type": "object"}},
                    "application/json": {"schema": {"type": "object"}},
                },
            }
        },
    )
    async def patch_customer(
        customer_id: CustomerId,
        request: Request,
        key: ApiKey = may_write_customers,
        if_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """JSON Merge Patch (RFC 7386) of the customer's data; the result is validated like a PUT."""
        patch = await _json_body(request)
        if not isinstance(patch, dict):
            raise InputError("a merge patch must be a JSON object")
        current = await run_in_threadpool(services.customers.get, customer_id)
        merged = _merge_patch(current.data, patch)
        try:
            model = CustomerModel.model_validate(merged)
        except Exception as exc:  # pydantic.ValidationError → the same 422 shape as other bodies
            from fastapi.exceptions import RequestValidationError
            from pydantic import ValidationError

            if isinstance(exc, ValidationError):
                raise RequestValidationError(
                    [dict(e) | {"loc": ("body", *e["loc"])} for e in exc.errors()]
                ) from exc
            raise
        expected = _expected(if_match) if if_match else current.version
        record = await run_in_threadpool(
            services.customers.update, customer_id, model.to_customer(prefix="body"), key.actor, expected
        )
        return record.to_dict()

    @app.get(
        "/v1/customers/{customer_id}/history",
        response_model=CustomerHistoryModel,
        responses={**ERRORS, 404: {"model": ErrorResponse}},
        tags=["customers"],
    )
    def customer_history(customer_id: CustomerId, _key: ApiKey = may_read_customers) -> dict[str, Any]:
        """Every version of the customer's data, oldest first, with who changed what and when."""
        versions = services.customers.history(customer_id)
        return {"customer_id": customer_id, "versions": [v.to_dict() for v in versions]}

    @app.get(
        "/v1/customers/{customer_id}/screenings",
        responses={**ERRORS, 404: {"model": ErrorResponse}},
        tags=["customers"],
    )
    def customer_screenings(customer_id: CustomerId, _key: ApiKey = may_read_customers) -> dict[str, Any]:
        """Every screening of the customer, newest first: who, when, which version of the record, against
        which snapshots, and which subjects had hits (from the audit trail)."""
        return {"customer_id": customer_id, "screenings": services.screenings_of(customer_id)}

    # ── lists ────────────────────────────────────────────────────────────────────────────────────

    @app.get("/v1/lists", response_model=ListsModel, responses=ERRORS, tags=["lists"])
    def lists(_key: ApiKey = may_read_lists) -> dict[str, Any]:
        """The active list snapshots and how fresh each is."""
        freshness = services.snapshots.freshness()
        return {
            "snapshots": [s.to_dict() for s in services.snapshots.active()],
            "freshness": [s.to_dict() for s in freshness],
            "stale": [s.source for s in freshness if s.stale],
        }

    @app.post(
        "/v1/lists/update",
        response_model=ListsUpdateResult,
        responses={**ERRORS, 502: {"model": ErrorResponse}},
        tags=["lists"],
    )
    def lists_update(body: ListsUpdateRequest, key: ApiKey = may_update_lists) -> dict[str, Any]:
        """Loads the bundled snapshot (``bundled: true``) or downloads the official lists; atomic — a
        failure (offline, bad file) changes nothing. Audited."""
        change = services.update_lists(
            body.sources, key.actor, bundled=body.bundled, force_reason=body.force_reason
        )
        return {"loaded": [i.to_dict() for i in change.snapshots], "audit_seq": change.audit_seq}

    # ── keys ─────────────────────────────────────────────────────────────────────────────────────

    @app.post("/v1/keys", status_code=201, response_model=KeyCreated, responses=ERRORS, tags=["admin"])
    def create_key(body: KeyCreateRequest, key: ApiKey = may_manage_keys) -> dict[str, Any]:
        """Creates an API key; the token is in this response only (it is stored hashed)."""
        token, created = services.keys.create(body.role, body.label, actor=key.actor)
        return {"key_id": created.key_id, "role": created.role, "label": created.label, "token": token}

    # ── audit ────────────────────────────────────────────────────────────────────────────────────

    @app.get("/v1/audit/verify", response_model=AuditVerifyModel, responses=ERRORS, tags=["audit"])
    def audit_verify(_key: ApiKey = may_verify_audit) -> dict[str, Any]:
        """Verifies the hash chain, its signed head and every stored decision and customer version against
        its audit entry (what ``chipguard audit verify`` does); ``ok`` false names each problem."""
        return services.verify_audit().to_dict()

    @app.get(
        "/v1/audit/export",
        response_class=Response,
        responses={
            **ERRORS,
            200: {
                "description": "every audit entry, in sequence order",
                "content": {"application/x-ndjson": {}, "text/csv": {}},
            },
        },
        tags=["audit"],
    )
    def audit_export(
        key: ApiKey = may_export_audit,
        fmt: Annotated[str, Query(alias="format", pattern=r"^(jsonl|csv)$")] = "jsonl",
    ) -> Response:
        """Every audit entry as JSON lines or CSV (formula-safe), as ``chipguard audit export`` writes them:
        what an auditor takes away to check the chain independently."""
        response, count = audit_export_response(services.audit, fmt)
        log.info("audit export key=%s format=%s entries=%d", key.key_id, fmt, count)
        return response

    add_casework_routes(app, services, require, ERRORS)
    add_job_routes(app, jobs, require, ERRORS)
    add_yente_routes(app, services, require, ERRORS)

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(_transaction_components())
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]

    # ── analyst web UI (same Services, same roles; HTML errors, cookie sessions) ─────────────────
    from fastapi.responses import RedirectResponse

    from chipguard.api.web import create_web_app

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=307)

    app.mount("/ui", create_web_app(services, limiter, jobs))
    app.add_middleware(BodySizeLimit)
    app.add_middleware(AccessLog)
    return app


def _transaction_components() -> dict[str, Any]:
    """The transaction JSON Schema (chipguard/data/schemas) as OpenAPI components, its ``$defs`` moved to
    ``Transaction_<name>`` so its references resolve inside the OpenAPI document."""
    from chipguard.policy.transaction import transaction_schema

    raw = transaction_schema()
    defs = raw.get("$defs", {})

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/"):
                    out[k] = "#/components/schemas/Transaction_" + v[len("#/$defs/") :]
                elif k in ("$schema", "$id", "$defs"):
                    continue
                else:
                    out[k] = rewrite(v)
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    comps = {"Transaction": rewrite(raw)}
    for name, sub in defs.items():
        comps[f"Transaction_{name}"] = rewrite(sub)
    return comps
