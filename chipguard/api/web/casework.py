"""Casework pages of the analyst web UI: the alert queue, a case, remembered dispositions, the exports.

Every page calls ``Services`` exactly as the REST routes of ``chipguard.api.casework`` do, under the same
permissions (``alerts:read`` to look, ``alerts:work`` to assign, note, attach and dispose,
``alerts:approve`` to approve or reject another analyst's disposition); nothing here judges a case. A
page shows only the controls the user may use (the proposer of a disposition sees no approve button), and
every POST is checked on its own all the same (four eyes is enforced by ``CaseStore.approve``).

| page | permission | REST equivalent |
|---|---|---|
| /alerts (queue, filters, counts) · export | alerts:read | GET /v1/alerts, /v1/alerts/export |
| /alerts/{id} (case) · export · evidence download | alerts:read | GET /v1/alerts/{id}… |
| assign · note · evidence upload · disposition | alerts:work | POST /v1/alerts/{id}/… |
| approve · reject | alerts:approve | POST /v1/alerts/{id}/approve, /reject |
| /dispositions (remembered, search) · revoke | alerts:read · alerts:work | /v1/dispositions/cleared… |
| /dispositions/log.{csv,json} | alerts:read | GET /v1/dispositions/log |
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chipguard.api.casework import EVENT_COLUMNS, QUEUE_COLUMNS, csv_text
from chipguard.api.web import forms
from chipguard.errors import InputError
from chipguard.service import Services
from chipguard.settings import settings
from chipguard.store.cases import DISPOSITIONS, MAX_ATTACHMENT_BYTES, ORIGINS, STATUSES, AlertFilter
from chipguard.store.errors import NotFoundError
from chipguard.store.permissions import Permission

AlertId = Annotated[str, Path(pattern=r"^alt_[0-9a-f]{16}$")]
AttachmentId = Annotated[str, Path(pattern=r"^att_[0-9a-f]{16}$")]
DECISION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
ClearedId = Annotated[str, Path(pattern=r"^clr_[0-9a-f]{16}$")]
MultipartForm = tuple[dict[str, str], dict[str, forms.UploadedFile]]
STRENGTHS = ("confirmed", "potential", "weak")
QUEUE_PAGE = 50
# What the queue shows when no status is chosen: the work still to do.
OPEN_WORK = ("open", "in_review", "awaiting_approval")
# Short notices shown on the case page after a redirect (``?done=``): fixed texts, never echoed input.
DONE = {
    "proposed": "",  # the result box says it (awaiting approval, and why)
    "disposed": "",
    "approved": "",
    "assigned": "Assigned.",
    "noted": "Note added (audited).",
    "attached": "Evidence file stored with its SHA-256 (audited).",
    "rejected": "Disposition sent back to review.",
}


@dataclass(frozen=True, slots=True)
class PageKit:
    """What the casework pages borrow from the UI application (``create_web_app``): rendering, the
    permission guard, the CSRF-checked form, and the pieces a multipart form needs to check its token."""

    page: Callable[..., HTMLResponse]
    need: Callable[[Permission], Callable[..., Awaitable[Any]]]
    checked_form: Any  # Depends(csrf_form)
    current_user: Callable[..., Awaitable[Any]]
    check_origin: Callable[[Request], None]
    same_token: Callable[[str, str | None], bool]
    base_of: Callable[[Request], str]
    ui_error: Callable[[int, str, str], Exception]


def queue_filter(
    status: str, origin: str, source: str, strength: str, assignee: str, age: str, actor: str
) -> AlertFilter:
    """The queue form's fields as the store's filter; InputError naming the field when one is invalid.
    ``status`` empty means the open work, ``all`` every status; ``assignee`` ``me`` is the user, ``none``
    the alerts nobody has taken, else any analyst's actor (the queue offers ``Services.analysts()``)."""
    if status and status != "all" and status not in STATUSES:
        raise InputError(f"must be one of {', '.join(STATUSES)} or all", field="status")
    if origin and origin not in ORIGINS:
        raise InputError(f"must be one of {', '.join(ORIGINS)}", field="origin")
    if strength and strength not in STRENGTHS:
        raise InputError(f"must be one of {', '.join(STRENGTHS)}", field="strength")
    older: float | None = None
    if age:
        try:
            older = float(age)
        except ValueError as exc:
            raise InputError("must be a number of days", field="age") from exc
        if not 0 <= older <= 36500:
            raise InputError("must be between 0 and 36500 days", field="age")
    statuses: tuple[str, ...] = OPEN_WORK if not status else () if status == "all" else (status,)
    return AlertFilter(
        status=statuses,
        origin=origin,
        source=source.strip()[:64],
        strength=strength,
        assignee="" if assignee == "none" else actor if assignee == "me" else assignee.strip()[:128],
        unassigned=assignee == "none",
        older_than_days=older,
    )


def export_response(
    fmt: str,
    columns: tuple[str, ...],
    rows: list[dict[str, Any]],
    filters: dict[str, Any],
    name: str,
    key: str,
) -> Response:
    """CSV (formula-safe, first line naming the filters) or JSON, as a download."""
    if fmt == "csv":
        body, media = csv_text(columns, rows, filters), "text/csv; charset=utf-8"
    else:
        body = json.dumps({"filters": filters, key: rows}, ensure_ascii=False, default=str)
        media = "application/json"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    )


def make_multipart_form(kit: PageKit) -> Callable[..., Awaitable[MultipartForm]]:
    """The dependency that reads a multipart form (a file upload) once its CSRF token has been checked
    against the session, as ``csrf_form`` does for ordinary forms."""

    async def multipart_form(request: Request, user: Any = Depends(kit.current_user)) -> MultipartForm:
        kit.check_origin(request)
        try:
            fields, files = forms.parse_multipart(
                await request.body(), request.headers.get("content-type", "")
            )
        except InputError as exc:
            raise kit.ui_error(400, "Bad form", str(exc)) from exc
        if not kit.same_token(user.csrf, fields.get("csrf")):
            raise kit.ui_error(
                403,
                "Request refused",
                "The form's security token is missing or out of date. Reload the page and try again.",
            )
        return fields, files

    return multipart_form


def add_casework_pages(ui: FastAPI, services: Services, kit: PageKit) -> None:
    """Adds the casework pages to the UI application."""
    P = Permission
    reader = Depends(kit.need(P.ALERTS_READ))
    worker = Depends(kit.need(P.ALERTS_WORK))
    approver = Depends(kit.need(P.ALERTS_APPROVE))
    checked_form = kit.checked_form

    def check_format(fmt: str) -> None:
        if fmt not in ("csv", "json"):
            raise kit.ui_error(404, "Not found", "Export formats are csv and json.")

    # ── the queue ────────────────────────────────────────────────────────────────────────────────

    @ui.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
    def alerts(
        request: Request,
        user: Any = reader,
        status: str = "",
        origin: str = "",
        source: str = "",
        strength: str = "",
        assignee: str = "",
        age: str = "",
        page_no: Annotated[int, Query(ge=1, le=20_000)] = 1,
    ) -> HTMLResponse:
        filters = {
            "status": status,
            "origin": origin,
            "source": source,
            "strength": strength,
            "assignee": assignee,
            "age": age,
        }
        try:
            flt = queue_filter(status, origin, source, strength, assignee, age, user.key.actor)
        except InputError as exc:
            raise kit.ui_error(422, "Invalid filter", str(exc)) from exc
        found = services.cases.find(flt, limit=QUEUE_PAGE + 1, offset=(page_no - 1) * QUEUE_PAGE)
        query = urlencode({k: v for k, v in filters.items() if v})
        return kit.page(
            request,
            "alerts.html",
            nav="alerts",
            alerts=found[:QUEUE_PAGE],
            total=services.cases.count(flt),
            counts=services.cases.counts_by_status(),
            filters=filters,
            statuses=STATUSES,
            origins=ORIGINS,
            strengths=STRENGTHS,
            sources=[s.source for s in services.snapshots.freshness()],
            analysts=services.analysts(),
            page_no=page_no,
            more=len(found) > QUEUE_PAGE,
            export_query=query,
            back=f"{kit.base_of(request)}/alerts" + (f"?{query}" if query else ""),
            query=lambda **kw: urlencode({k: v for k, v in (filters | kw).items() if v}),
        )

    @ui.get("/alerts/export.{fmt}", include_in_schema=False)
    def alerts_export(
        fmt: str,
        user: Any = reader,
        status: str = "",
        origin: str = "",
        source: str = "",
        strength: str = "",
        assignee: str = "",
        age: str = "",
    ) -> Response:
        check_format(fmt)
        try:
            flt = queue_filter(status, origin, source, strength, assignee, age, user.key.actor)
        except InputError as exc:
            raise kit.ui_error(422, "Invalid filter", str(exc)) from exc
        rows = [a.to_dict() for a in services.cases.find(flt, limit=100_000)]
        return export_response(fmt, QUEUE_COLUMNS, rows, flt.to_dict(), "alerts", "alerts")

    # ── a case ───────────────────────────────────────────────────────────────────────────────────

    def case_page(request: Request, alert_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
        case = services.case(alert_id)
        alert = case["alert"]
        extra.setdefault("errors", [])
        extra.setdefault("result", None)
        extra.setdefault("values", {})
        done = request.query_params.get("done", "")
        if extra["result"] is None and done in ("proposed", "disposed", "approved"):
            extra["result"] = after_disposition(case, done, request.query_params.get("decision", ""))
        return kit.page(
            request,
            "alert.html",
            status,
            nav="alerts",
            case=case,
            alert=alert,
            subject=_subject_of(case.get("customer"), alert),
            policy=services.casework.policy,
            dispositions=DISPOSITIONS,
            analysts=services.analysts(),
            notice=DONE.get(done, ""),
            # what fits in one request (the server's body limit) and in the store
            upload_limit=min(MAX_ATTACHMENT_BYTES, settings().max_body_bytes),
            **extra,
        )

    def after_disposition(case: dict[str, Any], step: str, decision_id: str) -> dict[str, Any]:
        """What the page says after a disposition or an approval (it redirected here, so a reload does not
        post again): awaiting approval and why, or closed — with the decision re-taken, when the query
        names one that follows this alert."""
        alert_id = case["alert"]["alert_id"]
        result: dict[str, Any] = {
            "step": "approve" if step == "approved" else "disposition",
            "alert": case["alert"],
            "needs_approval": case["needs_approval_to_dismiss"] if step == "proposed" else [],
            "decision": None,
        }
        if DECISION_ID.match(decision_id):
            try:
                stored = services.decisions.get(decision_id).to_dict()
            except NotFoundError:
                stored = {}
            if (stored.get("follows") or {}).get("alert_id") == alert_id:
                result["decision"] = stored
        return result

    @ui.get("/alerts/{alert_id}", response_class=HTMLResponse, include_in_schema=False)
    def alert_case(request: Request, alert_id: AlertId, _user: Any = reader) -> HTMLResponse:
        return case_page(request, alert_id)

    @ui.get("/alerts/{alert_id}/export.{fmt}", include_in_schema=False)
    def case_export(alert_id: AlertId, fmt: str, _user: Any = reader) -> Response:
        check_format(fmt)
        case = services.case(alert_id)
        if fmt == "csv":
            return export_response(fmt, EVENT_COLUMNS, case["events"], {"alert_id": alert_id}, alert_id, "")
        body = json.dumps(case, ensure_ascii=False, default=str)
        return Response(
            body,
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{alert_id}.json"'},
        )

    def to_case(request: Request, alert_id: str, done: str) -> RedirectResponse:
        return RedirectResponse(
            f"{kit.base_of(request)}/alerts/{quote(alert_id)}?done={done}", status_code=303
        )

    @ui.post("/alerts/{alert_id}/assign", include_in_schema=False)
    def assign(
        request: Request, alert_id: AlertId, user: Any = worker, form: dict[str, str] = checked_form
    ) -> Response:
        """Assigns the alert to the user (or to the analyst named); back to the queue when asked from it."""
        services.cases.assign(alert_id, form.get("assignee", "").strip() or user.key.actor, user.key.actor)
        back = form.get("back", "")
        base = kit.base_of(request)
        if back.startswith(base + "/alerts") and "//" not in back and "\\" not in back:
            return RedirectResponse(back, status_code=303)
        return to_case(request, alert_id, "assigned")

    @ui.post("/alerts/{alert_id}/notes", response_class=HTMLResponse, include_in_schema=False)
    def note(
        request: Request, alert_id: AlertId, user: Any = worker, form: dict[str, str] = checked_form
    ) -> Response:
        try:
            services.cases.note(alert_id, form.get("text", ""), user.key.actor)
        except InputError as exc:
            return case_page(request, alert_id, 422, errors=[str(exc)], values=form)
        return to_case(request, alert_id, "noted")

    multipart_form = make_multipart_form(kit)

    @ui.post("/alerts/{alert_id}/attachments", response_class=HTMLResponse, include_in_schema=False)
    def attach(
        request: Request,
        alert_id: AlertId,
        user: Any = worker,
        upload: MultipartForm = Depends(multipart_form),
    ) -> Response:
        """An evidence file, kept in the store with its SHA-256 (at most 10 MiB, as over REST)."""
        found = upload[1].get("file")
        try:
            if found is None or not found.file_name:
                raise InputError("choose a file to upload", field="file")
            services.cases.attach(alert_id, found.file_name, found.media_type, found.content, user.key.actor)
        except InputError as exc:
            return case_page(request, alert_id, 422, errors=[str(exc)])
        return to_case(request, alert_id, "attached")

    @ui.get("/alerts/{alert_id}/attachments/{attachment_id}", include_in_schema=False)
    def attachment(alert_id: AlertId, attachment_id: AttachmentId, _user: Any = reader) -> Response:
        """The evidence file as stored, always as a download (never rendered in the UI's origin)."""
        meta, content = services.cases.attachment_content(alert_id, attachment_id)
        return Response(
            content,
            media_type="application/octet-stream",
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(meta.file_name)}",
                "X-Content-SHA256": meta.sha256,
            },
        )

    @ui.post("/alerts/{alert_id}/disposition", response_class=HTMLResponse, include_in_schema=False)
    def dispose(
        request: Request, alert_id: AlertId, user: Any = worker, form: dict[str, str] = checked_form
    ) -> Response:
        """True match, false positive or needs information with a reason code and the analyst's words;
        the page then says whether it waits for a second person and shows a re-taken decision."""
        try:
            if not form.get("reason", "").strip():
                raise InputError("is required", field="reason")
            result = services.dispose(
                alert_id,
                form.get("disposition", ""),
                form.get("reason_code", ""),
                form.get("reason", ""),
                user.key.actor,
            )
        except InputError as exc:
            return case_page(request, alert_id, 422, errors=[str(exc)], values=form)
        return after(request, alert_id, "proposed" if result["needs_approval"] else "disposed", result)

    @ui.post("/alerts/{alert_id}/approve", response_class=HTMLResponse, include_in_schema=False)
    def approve(
        request: Request, alert_id: AlertId, user: Any = approver, form: dict[str, str] = checked_form
    ) -> Response:
        """A second person approves (the store refuses the proposer: four eyes)."""
        result = services.approve(alert_id, user.key.actor, user.key.role, form.get("comment", "")[:2000])
        return after(request, alert_id, "approved", result)

    def after(request: Request, alert_id: str, done: str, result: dict[str, Any]) -> RedirectResponse:
        decision = result.get("decision") or {}
        query = {"done": done} | ({"decision": decision["decision_id"]} if decision else {})
        return RedirectResponse(
            f"{kit.base_of(request)}/alerts/{quote(alert_id)}?{urlencode(query)}", status_code=303
        )

    @ui.post("/alerts/{alert_id}/reject", response_class=HTMLResponse, include_in_schema=False)
    def reject(
        request: Request, alert_id: AlertId, user: Any = approver, form: dict[str, str] = checked_form
    ) -> Response:
        try:
            services.reject(alert_id, user.key.actor, user.key.role, form.get("reason", ""))
        except InputError as exc:
            return case_page(request, alert_id, 422, errors=[str(exc)], values=form)
        return to_case(request, alert_id, "rejected")

    # ── remembered dispositions and the log ──────────────────────────────────────────────────────

    def cleared_page(
        request: Request, q: str, customer_id: str, active: bool, status: int = 200, **extra: Any
    ) -> HTMLResponse:
        found = services.cases.cleared(customer_id[:64], q[:200], active_only=active)
        extra.setdefault("errors", [])
        extra.setdefault("notice", "")
        return kit.page(
            request,
            "dispositions.html",
            status,
            nav="dispositions",
            cleared=found,
            q=q,
            customer_id=customer_id,
            active=active,
            **extra,
        )

    @ui.get("/dispositions", response_class=HTMLResponse, include_in_schema=False)
    def dispositions(
        request: Request,
        _user: Any = reader,
        q: Annotated[str, Query(max_length=200)] = "",
        customer_id: Annotated[str, Query(max_length=64)] = "",
        active: int = 0,
        revoked: int = 0,
    ) -> HTMLResponse:
        return cleared_page(
            request, q, customer_id, bool(active), notice="Remembered disposition revoked." if revoked else ""
        )

    @ui.post("/dispositions/{cleared_id}/revoke", response_class=HTMLResponse, include_in_schema=False)
    def revoke(
        request: Request, cleared_id: ClearedId, user: Any = worker, form: dict[str, str] = checked_form
    ) -> Response:
        """Revokes a remembered false positive (kept, with the reason): the pair alerts again."""
        try:
            services.cases.revoke_cleared(cleared_id, user.key.actor, _required(form, "reason"))
        except InputError as exc:
            return cleared_page(request, "", "", False, 422, errors=[str(exc)])
        return RedirectResponse(f"{kit.base_of(request)}/dispositions?revoked=1", status_code=303)

    @ui.get("/dispositions/log.{fmt}", include_in_schema=False)
    def disposition_log(fmt: str, _user: Any = reader) -> Response:
        """Every step on every alert, in the order taken, with identities and times."""
        check_format(fmt)
        rows = [e.to_dict() for e in services.cases.all_events()]
        return export_response(fmt, EVENT_COLUMNS, rows, {}, "disposition-log", "events")


def _required(form: dict[str, str], field: str) -> str:
    value = form.get(field, "").strip()
    if not value:
        raise InputError("is required", field=field)
    return value


def _subject_of(customer: dict[str, Any] | None, alert: dict[str, Any]) -> dict[str, Any]:
    """The screened subject of the customer as stored now (the owner, the parent …) for the side-by-side
    view: its entry in the customer record when it is still there, else only the name as screened."""
    name = alert.get("subject_name", "")
    role = alert.get("subject_role", "")
    data = (customer or {}).get("customer") or {}
    found: dict[str, Any] = {}
    if role == "owner":
        found = next((o for o in data.get("owners") or [] if o.get("name") == name), {})
    elif role == "ultimate_parent":
        parent = data.get("ultimate_parent") or {}
        found = parent if parent.get("name") == name else {}
    elif role in ("customer", "other_name"):
        found = {"name": name, "country": data.get("country", "")}
    return {"role": role, "name": name, "record": found, "still_on_record": bool(found)}
