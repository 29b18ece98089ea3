"""Routes, sign-in and error pages of the analyst web UI (see the package docstring for why it is a
sub-application). Pages call ``Services`` like the REST routes do; the role each page needs is the role
of the REST route it mirrors:

| page | permission (``chipguard.store.permissions``) | REST equivalent |
|---|---|---|
| dashboard (lists; decision counts with decisions:read) | lists:read | GET /v1/lists, GET /v1/decisions |
| screen | screen | POST /v1/screen |
| customers (list, detail) · new · "Screen" | customers:read · customers:write · customers:screen | /v1/customers… |
| decisions (list, detail) · new · replay | decisions:read · decisions:create · decisions:replay | /v1/decisions… |
| audit · verify · export | audit:read · audit:verify · audit:export | GET /v1/audit/verify, /v1/audit/export |
| keys | keys:manage | POST /v1/keys |
| alerts, a case, remembered dispositions, exports | alerts:read · alerts:work · alerts:approve | /v1/alerts…, /v1/dispositions… (``chipguard.api.web.casework``) |
| batch upload, customer import, jobs and their results | screen · customers:write · jobs:read | /v1/jobs… (``chipguard.api.web.batch``) |

A page shows only the buttons and forms the user's role may use (an auditor sees no create form); the
POST behind each is checked on its own all the same.

Every POST form carries a CSRF token; responses are ``no-store`` and framed by a strict CSP (no inline
script or style, nothing from another origin).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path as FsPath
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlencode, urlsplit

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from chipguard import ENGINE_VERSION
from chipguard.api.errors import error_kind
from chipguard.api.export import MEDIA_TYPES, audit_export_response
from chipguard.api.limits import TokenBucket
from chipguard.api.schemas import ScreenRequest
from chipguard.api.web import forms, views
from chipguard.api.web.batch import add_batch_pages
from chipguard.api.web.casework import PageKit, add_casework_pages
from chipguard.api.web.lists import add_list_pages
from chipguard.api.web.session import LOGIN_COOKIE, SESSION_COOKIE, Session, SessionSigner, session_hours
from chipguard.errors import ChipguardError, InputError
from chipguard.limits import LIMITS, load_json
from chipguard.model import EVIDENCE_FIELDS, Outcome
from chipguard.service import Services
from chipguard.service.inputs import CustomerModel, find_bad_text
from chipguard.service.jobs import JobRunner
from chipguard.service.services import ScreenQuery, max_hits_per_name
from chipguard.settings import settings
from chipguard.store.cases import AlertFilter
from chipguard.store.customers import CUSTOMER_ID
from chipguard.store.decisions import DecisionSummary, check_range, parse_day
from chipguard.store.errors import ConflictError, NotFoundError
from chipguard.store.keys import ROLES, ApiKey
from chipguard.store.permissions import Permission, needs

log = logging.getLogger("chipguard.ui")

HERE = FsPath(__file__).resolve().parent.parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

CustomerId = Annotated[str, Path(pattern=CUSTOMER_ID.pattern)]
DecisionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,128}$")]
# display order: least to most severe (every outcome the engine knows, unknown ones last)
_SEVERITY = ("ALLOW", "REVIEW", "LICENCE_REQUIRED", "DENY")
OUTCOMES = tuple(
    sorted((o.value for o in Outcome), key=lambda o: _SEVERITY.index(o) if o in _SEVERITY else len(_SEVERITY))
)
ATTENTION = ("DENY", "LICENCE_REQUIRED", "REVIEW")
PAGE_SIZE = 50
# the screen form's limit when the field is left empty: what REST /v1/screen returns by default
SCREEN_DEFAULT_LIMIT: int = ScreenRequest.model_fields["limit"].default
# The furthest page a list goes to (the offset limit of chipguard/data/limits): an invalid-request page
# beyond it, never a database overflow.
PageNo = Annotated[int, Query(le=LIMITS.page_offset // PAGE_SIZE)]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class SignInRequired(Exception):
    """No valid session: GET pages redirect to the sign-in form."""


class UiError(Exception):
    """An error page with this status, title and message (never a stack trace)."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


@dataclass(frozen=True, slots=True)
class User:
    key: ApiKey
    session: Session
    csrf: str

    def can(self, permission: Permission | str) -> bool:
        """Templates ask with the permission's value (``user.can('decisions:create')``); an unknown name
        raises rather than hiding or showing a control by mistake."""
        return self.key.can(permission)


def _pretty_json(value: Any) -> str:
    """Readable JSON for <pre> blocks; a plain string, so autoescaping applies to it."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def _when(value: Any) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM:SS UTC`` (the stored times are UTC)."""
    text = str(value or "")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.strftime("%Y-%m-%d %H:%M:%S UTC")


def _outcome_class(outcome: Any) -> str:
    return "badge badge-" + str(outcome or "unknown").lower().replace("_", "-")


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        # optional fields of explanations and decisions vary; a missing one renders empty, never a 500
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pretty_json"] = _pretty_json
    env.filters["when"] = _when
    env.filters["outcome_class"] = _outcome_class
    return env


class SecurityHeaders:
    """ASGI middleware: CSP and related headers on every UI response, ``no-store`` on pages (they show
    screening and customer data), and an HTML 500 page for anything unexpected — logged, never shown."""

    def __init__(self, app: Any, render_500: Callable[[str], bytes]) -> None:
        self.app = app
        self.render_500 = render_500

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        static = scope.get("path", "").startswith(scope.get("root_path", "") + "/static/")

        async def wrapped(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        except Exception:
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                return
            body = self.render_500(str(scope.get("root_path", "")).rstrip("/"))
            await wrapped(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"text/html; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})


def create_web_app(
    services: Services, limiter: TokenBucket | None = None, jobs: JobRunner | None = None
) -> FastAPI:
    """The UI application over ``services``; the API app mounts it at ``/ui``. ``limiter`` is the API's
    per-key rate limiter, so a key's UI and API requests draw from one bucket; ``jobs`` the API's job
    runner, so a job started from either face runs in the same threads."""
    env = make_environment()
    signer = SessionSigner()
    rate = limiter or TokenBucket()
    # Sign-in attempts per client address: keys cannot be guessed, but a flood must not reach the database.
    attempts = TokenBucket(rate=1.0, burst=20.0)
    secure_cookies = settings().ui_secure_cookies

    def render_500(base: str) -> bytes:
        return env.get_template("error.html").render(error_context(base, 500)).encode("utf-8")

    ui = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, title="chipguard UI")
    ui.add_middleware(SecurityHeaders, render_500=render_500)
    ui.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    # ── rendering ────────────────────────────────────────────────────────────────────────────────

    def base_of(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    def error_context(base: str, status: int, title: str = "", message: str = "") -> dict[str, Any]:
        return {
            "base": base,
            "user": None,
            "csrf": "",
            "lists_status": None,
            "nav": "",
            "engine_version": ENGINE_VERSION,
            "status": status,
            "title": title or "Internal error",
            "message": message or "Something went wrong on the server; the server log has the details.",
        }

    def page(request: Request, template: str, status: int = 200, nav: str = "", **ctx: Any) -> HTMLResponse:
        """Renders a page for the signed-in user with the list-freshness banner (fail closed: a stale or
        missing list is announced on every page)."""
        user: User | None = getattr(request.state, "ui_user", None)
        context = {
            "base": base_of(request),
            "user": user,
            "csrf": user.csrf if user else "",
            "lists_status": services.lists_status() if user else None,
            "nav": nav,
            "engine_version": ENGINE_VERSION,
            "roles": ROLES,
        } | ctx
        return HTMLResponse(env.get_template(template).render(context), status_code=status)

    def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
        context = error_context(base_of(request), status, title, message)
        user: User | None = getattr(request.state, "ui_user", None)
        context["user"] = user
        context["csrf"] = user.csrf if user else ""  # the sign-out button works from error pages too
        return HTMLResponse(env.get_template("error.html").render(context), status_code=status)

    # ── authentication ───────────────────────────────────────────────────────────────────────────

    def lookup_key(key_id: str) -> ApiKey | None:
        """The key a session names, read afresh on every page (people click, they do not stream), so a
        revoked key ends its sessions at once in every worker."""
        return next((k for k in services.keys.find() if k.key_id == key_id), None)

    async def current_user(request: Request) -> User:
        session = signer.read(request.cookies.get(SESSION_COOKIE))
        if session is None:
            raise SignInRequired()
        key = await run_in_threadpool(lookup_key, session.key_id)
        if key is None or key.revoked:
            raise SignInRequired()
        request.state.key_id = key.key_id  # the access log names the key id
        wait = rate.take(key.key_id)
        if wait > 0:
            raise UiError(
                429, "Too many requests", f"This key is over its rate limit; retry in {wait:.1f} s."
            )
        user = User(key, session, signer.csrf_token(session))
        request.state.ui_user = user
        return user

    def need(permission: Permission) -> Callable[..., Awaitable[User]]:
        """The page's guard: a signed-in user whose role holds ``permission``, else a 403 page. The
        permission is kept on the dependency (``.permission``) so a test can check every page has one."""

        async def dependency(user: User = Depends(current_user)) -> User:
            if not user.can(permission):
                raise UiError(
                    403,
                    "Not allowed",
                    f"This {needs(permission, user.key.role).replace('the key has', 'you are signed in with')}"
                    " key.",
                )
            return user

        dependency.permission = permission  # type: ignore[attr-defined]
        return dependency

    async def read_form(request: Request) -> dict[str, str]:
        body = await request.body()
        try:
            return forms.parse_urlencoded(body, request.headers.get("content-type", ""))
        except InputError as exc:
            raise UiError(400, "Bad form", str(exc)) from exc

    def check_origin(request: Request) -> None:
        """Browsers send Origin on POST; one that is not this site is refused before anything else."""
        origin = request.headers.get("origin")
        if (
            origin
            and origin != "null"
            and origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}"
        ):
            raise UiError(403, "Request refused", "The form was sent from another site.")

    async def csrf_form(request: Request, user: User = Depends(current_user)) -> dict[str, str]:
        """The posted form, once its CSRF token has been checked against the session."""
        check_origin(request)
        form = await read_form(request)
        if not signer.same(user.csrf, form.get("csrf")):
            raise UiError(
                403,
                "Request refused",
                "The form's security token is missing or out of date. Reload the page and try again.",
            )
        return form

    P = Permission
    list_reader = Depends(need(P.LISTS_READ))
    screener = Depends(need(P.SCREEN))
    customer_reader = Depends(need(P.CUSTOMERS_READ))
    customer_writer = Depends(need(P.CUSTOMERS_WRITE))
    customer_screener = Depends(need(P.CUSTOMERS_SCREEN))
    decision_reader = Depends(need(P.DECISIONS_READ))
    decider = Depends(need(P.DECISIONS_CREATE))
    replayer = Depends(need(P.DECISIONS_REPLAY))
    audit_reader = Depends(need(P.AUDIT_READ))
    audit_verifier = Depends(need(P.AUDIT_VERIFY))
    audit_exporter = Depends(need(P.AUDIT_EXPORT))
    key_manager = Depends(need(P.KEYS_MANAGE))
    checked_form = Depends(csrf_form)

    def ui_error(status: int, title: str, message: str) -> Exception:
        return UiError(status, title, message)

    kit = PageKit(
        page=page,
        need=need,
        checked_form=checked_form,
        current_user=current_user,
        check_origin=check_origin,
        same_token=signer.same,
        base_of=base_of,
        ui_error=ui_error,
    )
    add_casework_pages(ui, services, kit)
    add_list_pages(ui, services, kit)
    add_batch_pages(ui, jobs or JobRunner(services), kit)

    # ── errors ───────────────────────────────────────────────────────────────────────────────────

    @ui.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _exc: SignInRequired) -> Response:
        base = base_of(request)
        target = f"{base}/login"
        if request.method == "GET":
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target += "?" + urlencode({"next": here})
        return RedirectResponse(target, status_code=303)

    @ui.exception_handler(UiError)
    async def _ui_error(request: Request, exc: UiError) -> Response:
        return error_page(request, exc.status, exc.title, exc.message)

    @ui.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed"}
        message = "There is no such page." if exc.status_code == 404 else str(exc.detail)
        return error_page(request, exc.status_code, titles.get(exc.status_code, "Error"), message)

    @ui.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("path", "query", "body"))
            parts.append(f"{loc}: {err.get('msg', '')}" if loc else str(err.get("msg", "")))
        status = 404 if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()) else 422
        title = "Not found" if status == 404 else "Invalid request"
        return error_page(request, status, title, "; ".join(parts) or "invalid request")

    @ui.exception_handler(ChipguardError)
    async def _chipguard(request: Request, exc: ChipguardError) -> Response:
        kind = error_kind(exc)
        return error_page(request, kind.status, kind.title, str(exc))

    # ── sign-in ──────────────────────────────────────────────────────────────────────────────────

    def safe_next(request: Request, target: str | None) -> str:
        """Only a plain path inside the UI is a place to return to after sign-in (no open redirect:
        no scheme, host, ``//``, backslash, control character or dot segment)."""
        base = base_of(request)
        home = base + "/"
        if not target or not target.startswith(home) or "\\" in target or "//" in target:
            return home
        if any(ord(c) < 32 or c == "\x7f" for c in target):
            return home
        parts = urlsplit(target)
        path = unquote(parts.path)  # browsers read %2e%2e as ..
        if parts.scheme or parts.netloc or "//" in path or any(seg in (".", "..") for seg in path.split("/")):
            return home
        return target

    def cookie_secure(request: Request) -> bool:
        return secure_cookies or request.url.scheme == "https"

    def login_page(request: Request, nonce: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("error", "")
        ctx.setdefault("notice", "")
        ctx.setdefault("next", request.query_params.get("next", ""))
        response = page(request, "login.html", status, login_csrf=signer.login_token(nonce), **ctx)
        response.set_cookie(
            LOGIN_COOKIE,
            nonce,
            max_age=3600,
            path=base_of(request) or "/",
            httponly=True,
            samesite="strict",
            secure=cookie_secure(request),
        )
        return response

    @ui.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, signed_out: int = 0) -> Response:
        if signer.read(request.cookies.get(SESSION_COOKIE)) is not None:
            return RedirectResponse(safe_next(request, request.query_params.get("next")), status_code=303)
        import secrets

        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(16)
        return login_page(request, nonce, notice="You are signed out." if signed_out else "")

    @ui.post("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login(request: Request) -> Response:
        import secrets

        check_origin(request)
        form = await read_form(request)
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        fresh = secrets.token_urlsafe(16)
        next_url = form.get("next", "")
        if not nonce or not signer.same(signer.login_token(nonce), form.get("csrf")):
            return await run_in_threadpool(
                login_page,
                request,
                fresh,
                403,
                error="The sign-in form expired. Please try again.",
                next=next_url,
            )
        client = request.client.host if request.client else "-"
        if attempts.take(f"signin:{client}") > 0:
            return await run_in_threadpool(
                login_page,
                request,
                nonce,
                429,
                error="Too many sign-in attempts; wait a moment.",
                next=next_url,
            )
        token = form.get("api_key", "").strip()
        key = await run_in_threadpool(services.keys.authenticate, token) if token else None
        if key is None:
            log.info("ui sign-in refused from %s", client)
            return await run_in_threadpool(
                login_page, request, nonce, 401, error="Unknown or revoked API key.", next=next_url
            )
        value, _session = signer.issue(key.key_id)
        request.state.key_id = key.key_id
        log.info("ui sign-in key=%s role=%s", key.key_id, key.role)
        response = RedirectResponse(safe_next(request, next_url), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=int(session_hours() * 3600),
            path=base_of(request) or "/",
            httponly=True,
            samesite="strict",
            secure=cookie_secure(request),
        )
        response.delete_cookie(LOGIN_COOKIE, path=base_of(request) or "/")
        return response

    @ui.post("/logout", include_in_schema=False)
    def logout(request: Request, _form: dict[str, str] = checked_form) -> Response:
        response = RedirectResponse(f"{base_of(request)}/login?signed_out=1", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=base_of(request) or "/")
        return response

    # ── dashboard ────────────────────────────────────────────────────────────────────────────────

    @ui.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(request: Request, user: User = list_reader) -> HTMLResponse:
        freshness = services.snapshots.freshness()
        counts: dict[str, int] = {}
        recent_counts: dict[str, int] = {}
        attention: list[DecisionSummary] = []
        alert_counts = services.cases.counts_by_status() if user.can(P.ALERTS_READ) else {}
        if user.can(P.DECISIONS_READ):
            counts = services.decisions.outcome_counts()
            recent_counts = services.decisions.outcome_counts(date_from=date.today() - timedelta(days=30))
            attention = services.decisions.summaries(outcomes=ATTENTION, limit=10)
        return page(
            request,
            "dashboard.html",
            nav="dashboard",
            freshness=freshness,
            counts=counts,
            recent_counts=recent_counts,
            outcomes=OUTCOMES,
            attention=attention,
            alert_counts=alert_counts,
        )

    # ── screening ────────────────────────────────────────────────────────────────────────────────

    def screen_page(request: Request, status: int = 200, **ctx: Any) -> HTMLResponse:
        """The screen form: its limit field offers what REST and the CLI offer (1 to the rule set's
        screening_hit_limit, the bound a decision weighs), so an analyst told "N more not shown" can ask
        for them here instead of on another face."""
        return page(
            request,
            "screen.html",
            status,
            nav="screen",
            default_limit=SCREEN_DEFAULT_LIMIT,
            max_limit=max_hits_per_name(),
            **ctx,
        )

    @ui.get("/screen", response_class=HTMLResponse, include_in_schema=False)
    def screen_form(request: Request, _user: User = screener) -> HTMLResponse:
        return screen_page(request, values={}, result=None, errors=[])

    @ui.post("/screen", response_class=HTMLResponse, include_in_schema=False)
    def screen(request: Request, user: User = screener, form: dict[str, str] = checked_form) -> HTMLResponse:
        values = {k: form.get(k, "") for k in ("name", "kind", "country", "limit", *EVIDENCE_FIELDS)}
        limit = values["limit"].strip()
        try:
            query = ScreenRequest.model_validate(
                {
                    "name": values["name"].strip(),
                    "kind": values["kind"] or None,
                    "country": values["country"].strip() or None,
                    **({"limit": limit} if limit else {}),  # an empty field: the REST default
                    **{k: values[k].strip() or None for k in EVIDENCE_FIELDS},
                }
            )
        except ValidationError as exc:
            return screen_page(request, 422, values=values, result=None, errors=_errors(exc))
        try:
            query_ = ScreenQuery(
                query.name,
                query.kind,
                (query.country or "").upper() or None,
                limit=query.limit,
                fields=tuple(query.evidence_fields().items()),
            )
            result = services.screen([query_], user.key.actor)[0]
        except InputError as exc:
            return screen_page(request, 422, values=values, result=None, errors=[str(exc)])
        return screen_page(request, values=values, result=result, errors=[])

    # ── hardware ─────────────────────────────────────────────────────────────────────────────────

    @ui.get("/hardware", response_class=HTMLResponse, include_in_schema=False)
    def hardware_form(request: Request, _user: User = screener, model: str = "") -> HTMLResponse:
        values = {"model": model[:200]}
        result = None
        errors: list[str] = []
        if values["model"].strip():  # a link to a model's classification (GET, nothing stored)
            try:
                result = services.classify_hardware(values["model"].strip())
            except InputError as exc:
                errors = [str(exc)]
        status = 422 if errors else 200
        return page(
            request, "hardware.html", status, nav="hardware", values=values, result=result, errors=errors
        )

    @ui.post("/hardware", response_class=HTMLResponse, include_in_schema=False)
    def hardware(
        request: Request, _user: User = screener, form: dict[str, str] = checked_form
    ) -> HTMLResponse:
        """Classifies a model or a spec under the rules in force on a date, as POST /v1/hardware/classify."""
        values = {k: form.get(k, "") for k in ("model", "spec", "date")}
        try:
            what: str | dict[str, Any]
            if values["spec"].strip():
                try:
                    spec = load_json(values["spec"])
                except InputError as exc:
                    raise InputError(f"the spec is not valid JSON: {exc.detail}", field="spec") from exc
                if not isinstance(spec, dict):
                    raise InputError("the spec must be a JSON object", field="spec")
                what = spec
            elif values["model"].strip():
                what = values["model"].strip()[:200]
            else:
                raise InputError("give a model or a spec", field="model")
            result = services.classify_hardware(what, values["date"].strip() or None)
        except InputError as exc:
            return page(
                request, "hardware.html", 422, nav="hardware", values=values, result=None, errors=[str(exc)]
            )
        return page(request, "hardware.html", nav="hardware", values=values, result=result, errors=[])

    # ── customers ────────────────────────────────────────────────────────────────────────────────

    @ui.get("/customers", response_class=HTMLResponse, include_in_schema=False)
    def customers(
        request: Request, _user: User = customer_reader, q: str = "", page_no: PageNo = 1
    ) -> HTMLResponse:
        page_no = max(1, page_no)
        found = views.customers(
            services.engine, q[:200], limit=PAGE_SIZE + 1, offset=(page_no - 1) * PAGE_SIZE
        )
        return page(
            request,
            "customers.html",
            nav="customers",
            q=q,
            customers=found[:PAGE_SIZE],
            page_no=page_no,
            more=len(found) > PAGE_SIZE,
            query=lambda **kw: urlencode({k: v for k, v in ({"q": q} | kw).items() if v}),
        )

    @ui.get("/customers/new", response_class=HTMLResponse, include_in_schema=False)
    def customer_new(request: Request, _user: User = customer_writer) -> HTMLResponse:
        return page(request, "customer_new.html", nav="customers", values={}, errors=[])

    @ui.post("/customers/new", include_in_schema=False)
    def customer_create(
        request: Request, user: User = customer_writer, form: dict[str, str] = checked_form
    ) -> Response:
        try:
            model = CustomerModel.model_validate(forms.customer_body(form))
            record = services.customers.create(model.to_customer(), user.key.actor)
        except ValidationError as exc:
            return page(request, "customer_new.html", 422, nav="customers", values=form, errors=_errors(exc))
        except (InputError, ConflictError) as exc:
            status = 409 if isinstance(exc, ConflictError) else 422
            return page(request, "customer_new.html", status, nav="customers", values=form, errors=[str(exc)])
        return RedirectResponse(
            f"{base_of(request)}/customers/{quote(record.customer_id)}?created=1", status_code=303
        )

    @ui.get("/customers/{customer_id}/edit", response_class=HTMLResponse, include_in_schema=False)
    def customer_edit(
        request: Request, customer_id: CustomerId, _user: User = customer_writer
    ) -> HTMLResponse:
        record = services.customers.get(customer_id)
        values = forms.customer_form(record.data | {"customer_id": customer_id})
        return page(request, "customer_new.html", nav="customers", values=values, errors=[], edit=record)

    @ui.post("/customers/{customer_id}/edit", include_in_schema=False)
    def customer_save(
        request: Request,
        customer_id: CustomerId,
        user: User = customer_writer,
        form: dict[str, str] = checked_form,
    ) -> Response:
        """A new version of the customer from the edit form (as a REST PUT would write it), refused with
        409 when someone saved another version since the form was opened."""
        record = services.customers.get(customer_id)
        try:
            version = int(form.get("version", ""))
        except ValueError:
            raise UiError(
                400, "Bad form", "The form does not say which version it edits; reload it."
            ) from None
        values = form | {"customer_id": customer_id}
        try:
            body = forms.customer_update(record.data | {"customer_id": customer_id}, values)
            model = CustomerModel.model_validate(body)
            services.customers.update(customer_id, model.to_customer(), user.key.actor, version)
        except ValidationError as exc:
            return page(
                request,
                "customer_new.html",
                422,
                nav="customers",
                values=values,
                errors=_errors(exc),
                edit=record,
            )
        except (InputError, ConflictError) as exc:
            status = 409 if isinstance(exc, ConflictError) else 422
            return page(
                request,
                "customer_new.html",
                status,
                nav="customers",
                values=values,
                errors=[str(exc)],
                edit=record,
            )
        return RedirectResponse(
            f"{base_of(request)}/customers/{quote(customer_id)}?updated=1", status_code=303
        )

    def customer_page(request: Request, customer_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
        record = services.customers.get(customer_id)
        extra.setdefault("screening", None)
        extra.setdefault("created", False)
        extra.setdefault("updated", False)
        return page(
            request,
            "customer.html",
            status,
            nav="customers",
            record=record,
            history=list(reversed(services.customers.history(customer_id))),
            decisions=services.decisions.summaries(customer_id=customer_id, limit=PAGE_SIZE),
            alerts=services.cases.find(AlertFilter(customer_id=customer_id), limit=200),
            screenings=services.screenings_of(customer_id, limit=PAGE_SIZE),
            **extra,
        )

    @ui.get("/customers/{customer_id}", response_class=HTMLResponse, include_in_schema=False)
    def customer(
        request: Request,
        customer_id: CustomerId,
        _user: User = customer_reader,
        created: int = 0,
        updated: int = 0,
    ) -> HTMLResponse:
        return customer_page(request, customer_id, created=bool(created), updated=bool(updated))

    @ui.post("/customers/{customer_id}/screen", response_class=HTMLResponse, include_in_schema=False)
    def customer_screen(
        request: Request,
        customer_id: CustomerId,
        user: User = customer_screener,
        _form: dict[str, str] = checked_form,
    ) -> HTMLResponse:
        result = services.screen_customer(customer_id, user.key.actor)
        return customer_page(request, customer_id, screening=result)

    # ── decisions ────────────────────────────────────────────────────────────────────────────────

    @ui.get("/decisions", response_class=HTMLResponse, include_in_schema=False)
    def decisions(
        request: Request,
        _user: User = decision_reader,
        outcome: str = "",
        date_from: str = "",
        date_to: str = "",
        customer_id: str = "",
        page_no: PageNo = 1,
    ) -> HTMLResponse:
        if outcome and outcome not in OUTCOMES:
            raise UiError(422, "Invalid filter", f"outcome must be one of {', '.join(OUTCOMES)}")
        if customer_id and not CUSTOMER_ID.match(customer_id):
            raise UiError(422, "Invalid filter", "customer id: letters, digits and . _ : - only")
        page_no = max(1, page_no)
        try:
            day_from, day_to = parse_day(date_from, "date_from"), parse_day(date_to, "date_to")
            check_range(day_from, day_to)
        except InputError as exc:
            raise UiError(422, "Invalid filter", str(exc)) from exc
        found = services.decisions.summaries(
            outcomes=(outcome,) if outcome else (),
            date_from=day_from,
            date_to=day_to,
            customer_id=customer_id or None,
            limit=PAGE_SIZE + 1,
            offset=(page_no - 1) * PAGE_SIZE,
        )
        filters = {"outcome": outcome, "date_from": date_from, "date_to": date_to, "customer_id": customer_id}
        return page(
            request,
            "decisions.html",
            nav="decisions",
            decisions=found[:PAGE_SIZE],
            outcomes=OUTCOMES,
            filters=filters,
            page_no=page_no,
            more=len(found) > PAGE_SIZE,
            query=lambda **kw: urlencode({k: v for k, v in (filters | kw).items() if v}),
        )

    def transaction_customer_keys() -> set[str]:
        return set(CustomerModel.model_fields)

    def decision_form_page(
        request: Request, values: dict[str, str], errors: list[str], status: int = 200
    ) -> HTMLResponse:
        return page(
            request,
            "decision_new.html",
            status,
            nav="decisions",
            values=values,
            errors=errors,
            today=date.today().isoformat(),
        )

    @ui.get("/decisions/new", response_class=HTMLResponse, include_in_schema=False)
    def decision_new(request: Request, _user: User = decider, customer_id: str = "") -> HTMLResponse:
        values = {"customer_id": customer_id} if customer_id and CUSTOMER_ID.match(customer_id) else {}
        return decision_form_page(request, values, [])

    @ui.post("/decisions/new", include_in_schema=False)
    def decision_create(
        request: Request, user: User = decider, form: dict[str, str] = checked_form
    ) -> Response:
        try:
            body = decision_body(form)
            stored = services.decide(body, user.key.actor)
        except InputError as exc:
            return decision_form_page(request, form, [str(exc)], 422)
        except NotFoundError as exc:
            return decision_form_page(request, form, [str(exc)], 404)
        return RedirectResponse(f"{base_of(request)}/decisions/{quote(stored.decision_id)}", status_code=303)

    def decision_body(form: dict[str, str]) -> Any:
        """The transaction the form describes: the pasted JSON when given, else the form fields around
        the stored customer (by id) or the customer typed in."""
        raw = form.get("transaction_json", "").strip()
        if raw:
            try:
                body = load_json(raw)
            except InputError as exc:
                raise InputError(
                    f"the transaction JSON is not valid: {exc.detail}", field="transaction_json"
                ) from exc
            bad = find_bad_text(body)
            if bad is not None:
                raise InputError("text contains a NUL character or an unpaired surrogate", field=bad)
            return body
        customer_id = form.get("customer_id", "").strip()
        if customer_id:
            if not CUSTOMER_ID.match(customer_id):
                raise InputError("not a valid customer id", field="customer_id")
            record = services.customers.get(customer_id)
            customer = forms.transaction_customer(record.data, customer_id, transaction_customer_keys())
        else:
            customer = forms.adhoc_customer(form)
        return forms.transaction_body(form, customer)

    @ui.get("/decisions/{decision_id}", response_class=HTMLResponse, include_in_schema=False)
    def decision(request: Request, decision_id: DecisionId, _user: User = decision_reader) -> HTMLResponse:
        return decision_page(request, decision_id, None)

    def decision_page(request: Request, decision_id: str, replay: dict[str, Any] | None) -> HTMLResponse:
        stored = services.decisions.get(decision_id)
        data = stored.decision
        found = data.get("versions")
        versions: dict[str, Any] = found if isinstance(found, dict) else {}
        return page(
            request,
            "decision.html",
            nav="decisions",
            stored=stored,
            data=data,
            versions=versions,
            lists=versions.get("lists") if isinstance(versions.get("lists"), dict) else {},
            rule_set=versions.get("rule_set") if isinstance(versions.get("rule_set"), dict) else {},
            replay=replay,
        )

    @ui.post("/decisions/{decision_id}/replay", response_class=HTMLResponse, include_in_schema=False)
    def decision_replay(
        request: Request,
        decision_id: DecisionId,
        _user: User = replayer,
        _form: dict[str, str] = checked_form,
    ) -> HTMLResponse:
        return decision_page(request, decision_id, services.replay(decision_id))

    # ── audit (admin, auditor) and keys (admin) ───────────────────────────────────────────────────────────────────

    @ui.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit(request: Request, _user: User = audit_reader) -> HTMLResponse:
        return page(
            request, "audit.html", nav="audit", entries=views.latest_audit(services.engine), report=None
        )

    @ui.get("/audit/verify", response_class=HTMLResponse, include_in_schema=False)
    def audit_verify(request: Request, _user: User = audit_verifier) -> HTMLResponse:
        check = services.verify_audit()
        return page(
            request,
            "audit.html",
            nav="audit",
            entries=views.latest_audit(services.engine),
            report=check.chain,
            records=check.records + check.evidence,
            ok=check.ok,
        )

    @ui.get("/audit/export.{fmt}", include_in_schema=False)
    def audit_export(request: Request, fmt: str, user: User = audit_exporter) -> Response:
        if fmt not in MEDIA_TYPES:
            raise UiError(404, "Not found", "Export formats are csv and jsonl.")
        response, count = audit_export_response(services.audit, fmt)
        log.info("ui audit export key=%s format=%s entries=%d", user.key.key_id, fmt, count)
        return response

    @ui.get("/keys", response_class=HTMLResponse, include_in_schema=False)
    def keys(request: Request, _user: User = key_manager) -> HTMLResponse:
        return page(request, "keys.html", nav="keys", keys=services.keys.find(), created=None, errors=[])

    @ui.post("/keys", response_class=HTMLResponse, include_in_schema=False)
    def key_create(
        request: Request, user: User = key_manager, form: dict[str, str] = checked_form
    ) -> HTMLResponse:
        try:
            token, created = services.keys.create(
                form.get("role", ""), form.get("label", "").strip(), actor=user.key.actor
            )
        except InputError as exc:
            return page(
                request,
                "keys.html",
                422,
                nav="keys",
                keys=services.keys.find(),
                created=None,
                errors=[str(exc)],
            )
        return page(
            request,
            "keys.html",
            201,
            nav="keys",
            keys=services.keys.find(),
            created={"key": created, "token": token},
            errors=[],
        )

    @ui.post("/keys/{key_id}/revoke", include_in_schema=False)
    def key_revoke(
        request: Request,
        key_id: Annotated[str, Path(pattern=r"^[0-9a-f]{12}$")],
        user: User = key_manager,
        _form: dict[str, str] = checked_form,
    ) -> Response:
        services.keys.revoke(key_id, actor=user.key.actor)
        return RedirectResponse(f"{base_of(request)}/keys", status_code=303)

    return ui


def _errors(exc: ValidationError) -> list[str]:
    """Pydantic errors as ``field: message`` lines, the fields named as the REST API names them."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        out.append(f"{loc}: {err.get('msg', '')}" if loc else str(err.get("msg", "")))
    return out
