"""Background jobs in the analyst web UI: upload a file of names to screen (Batch) or of customers to
import (Customers → Import), then watch the job's progress and take its results.

The pages only hand the file to ``chipguard.service.jobs`` and show what the store says about the job;
the whole file is validated before a job exists (a bad row is shown with its line and field, nothing is
screened or written), and the job runs in the service's worker threads, so a page reload — or another
analyst opening the job's page — shows the same job moving on. The progress is read from
``/jobs/{id}/status.json`` by ``app.js`` every second (without JavaScript the page refreshes itself).

| page | permission | REST equivalent |
|---|---|---|
| /batch (form) · POST /batch | screen | POST /v1/jobs/screen |
| /customers/import (form) · POST | customers:write (and customers:screen) | POST /v1/jobs/customers |
| /jobs · /jobs/{id} · status.json · results.{csv,jsonl} | jobs:read (an import also customers:read) | GET /v1/jobs… |
| POST /jobs/{id}/cancel · /retry | screen, and the job's starter or an admin (a retry: the start permission) | POST /v1/jobs/{id}/cancel · /retry |
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from chipguard.api.jobs import job_csv, job_jsonl
from chipguard.api.web.casework import MultipartForm, PageKit, make_multipart_form
from chipguard.errors import InputError, ListsUnavailableError
from chipguard.limits import LIMITS
from chipguard.service.jobs import DEFAULT_JOB_LIMIT, JobRunner, may_control
from chipguard.service.services import max_hits_per_name
from chipguard.settings import settings
from chipguard.store.errors import ForbiddenError
from chipguard.store.jobs import JOB_ID_PATTERN, RETRYABLE, Job
from chipguard.store.permissions import Permission

JobId = Annotated[str, Path(pattern=JOB_ID_PATTERN)]
RESULTS_SHOWN = 200  # rows of results on the page; the downloads hold them all
FORMATS = {"csv": "CSV", "jsonl": "JSONL"}


def add_batch_pages(ui: FastAPI, runner: JobRunner, kit: PageKit) -> None:
    """Adds the upload forms and the job pages to the UI application."""
    services = runner.services
    P = Permission
    screener = Depends(kit.need(P.SCREEN))
    importer = Depends(kit.need(P.CUSTOMERS_WRITE))
    reader = Depends(kit.need(P.JOBS_READ))
    multipart_form = make_multipart_form(kit)
    checked_form = kit.checked_form

    def upload_limit() -> int:
        return settings().max_body_bytes

    def form_page(request: Request, template: str, nav: str, status: int = 200, **extra: Any) -> HTMLResponse:
        extra.setdefault("errors", [])
        return kit.page(
            request,
            template,
            status,
            nav=nav,
            max_rows=LIMITS.job_rows,
            max_customers=LIMITS.job_customers,
            upload_limit=upload_limit(),
            default_limit=DEFAULT_JOB_LIMIT,
            max_limit=max_hits_per_name(),
            formats=FORMATS,
            recent=[j for j in services.jobs.find(limit=10) if can_see(j, request)],
            **extra,
        )

    def can_see(job: Job, request: Request) -> bool:
        user = request.state.ui_user
        return job.kind != "customers" or bool(user.can(P.CUSTOMERS_READ))

    def visible(job_id: str, request: Request) -> Job:
        job = services.jobs.get(job_id)
        if not can_see(job, request):
            raise kit.ui_error(
                403, "Not allowed", "A customer import shows customers: it needs customers:read."
            )
        return job

    def may_change(job: Job, user: Any) -> bool:
        try:
            may_control(job, user.key.actor, user.key.role)
        except ForbiddenError:
            return False
        return True

    def may_start(kind: str, user: Any) -> bool:
        if kind == "screen":
            return bool(user.can(P.SCREEN))
        return bool(user.can(P.CUSTOMERS_WRITE) and user.can(P.CUSTOMERS_SCREEN))

    async def start(
        request: Request, upload: MultipartForm, actor: str, template: str, nav: str, kind: str
    ) -> Response:
        fields, files = upload
        found = files.get("file")
        fmt = fields.get("format", "").strip() or None
        try:
            if found is None or not found.file_name or not found.content:
                raise InputError("choose a file to upload", field="file")
            if kind == "screen":
                job = await run_in_threadpool(
                    runner.screen_names, found.file_name, found.content, fmt, actor, _limit(fields)
                )
            else:
                job = await run_in_threadpool(
                    runner.import_customers, found.file_name, found.content, fmt, actor
                )
        except (InputError, ListsUnavailableError) as exc:
            status = 422 if isinstance(exc, InputError) else 503
            return await run_in_threadpool(form_page, request, template, nav, status, errors=[str(exc)])
        return RedirectResponse(f"{kit.base_of(request)}/jobs/{job.job_id}", status_code=303)

    # ── starting ─────────────────────────────────────────────────────────────────────────────────

    @ui.get("/batch", response_class=HTMLResponse, include_in_schema=False)
    def batch_form(request: Request, _user: Any = screener) -> HTMLResponse:
        return form_page(request, "batch.html", "batch")

    @ui.post("/batch", include_in_schema=False)
    async def batch(
        request: Request, user: Any = screener, upload: MultipartForm = Depends(multipart_form)
    ) -> Response:
        return await start(request, upload, user.key.actor, "batch.html", "batch", "screen")

    @ui.get("/customers/import", response_class=HTMLResponse, include_in_schema=False)
    def import_form(request: Request, _user: Any = importer) -> HTMLResponse:
        return form_page(request, "customers_import.html", "customers")

    @ui.post("/customers/import", include_in_schema=False)
    async def customers_import(
        request: Request, user: Any = importer, upload: MultipartForm = Depends(multipart_form)
    ) -> Response:
        if not user.can(P.CUSTOMERS_SCREEN):
            raise kit.ui_error(
                403, "Not allowed", "An import screens every customer: it needs customers:screen."
            )
        return await start(request, upload, user.key.actor, "customers_import.html", "customers", "customers")

    # ── following ────────────────────────────────────────────────────────────────────────────────

    @ui.get("/jobs", response_class=HTMLResponse, include_in_schema=False)
    def jobs(request: Request, _user: Any = reader) -> HTMLResponse:
        found = [j for j in services.jobs.find(limit=100) if can_see(j, request)]
        return kit.page(request, "jobs.html", nav="jobs", jobs=found)

    @ui.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(request: Request, job_id: JobId, user: Any = reader) -> HTMLResponse:
        job = visible(job_id, request)
        retried_by = services.jobs.retried_as(job_id) if job.status in RETRYABLE else ""
        # names: the rows that hit (most do not); an import: every customer, what was written and found
        shown = services.jobs.first_results(
            job_id, lambda r: bool(r.get("hits")) or job.kind == "customers", RESULTS_SHOWN
        )
        # every row of a job is screened on the same snapshots: the first says whether they were stale
        # (a row that does not say, from before, is read as stale: fail closed); None before any row
        first = services.jobs.results(job_id, offset=0, limit=1)
        lists_stale = bool(first[0].get("lists_stale", True)) if first else None
        return kit.page(
            request,
            "job.html",
            nav="batch" if job.kind == "screen" else "customers",
            job=job,
            shown=shown,
            shown_limit=RESULTS_SHOWN,
            lists_stale=lists_stale,
            max_limit=max_hits_per_name(),
            may_cancel=not job.finished and may_change(job, user),
            may_retry=job.status in RETRYABLE
            and not retried_by
            and job.done < job.total
            and may_change(job, user)
            and may_start(job.kind, user),
            retried_by=retried_by,
        )

    @ui.post("/jobs/{job_id}/cancel", include_in_schema=False)
    def cancel_job(
        request: Request, job_id: JobId, user: Any = screener, _form: dict[str, str] = checked_form
    ) -> Response:
        """Cancels the job (its starter or an admin); a finished job is a 409 page."""
        visible(job_id, request)
        try:
            runner.cancel(job_id, user.key.actor, user.key.role)
        except ForbiddenError as exc:
            raise kit.ui_error(403, "Not allowed", str(exc)) from exc
        return RedirectResponse(f"{kit.base_of(request)}/jobs/{job_id}", status_code=303)

    @ui.post("/jobs/{job_id}/retry", include_in_schema=False)
    def retry_job(
        request: Request, job_id: JobId, user: Any = screener, _form: dict[str, str] = checked_form
    ) -> Response:
        """Starts a new job over the rows a failed or cancelled job did not finish, and shows it."""
        job = visible(job_id, request)
        if not may_start(job.kind, user):
            raise kit.ui_error(403, "Not allowed", "A retry starts a job: your role may not start this kind.")
        try:
            retried = runner.retry(job_id, user.key.actor, user.key.role)
        except ForbiddenError as exc:
            raise kit.ui_error(403, "Not allowed", str(exc)) from exc
        return RedirectResponse(f"{kit.base_of(request)}/jobs/{retried.job_id}", status_code=303)

    @ui.get("/jobs/{job_id}/status.json", include_in_schema=False)
    def job_status(request: Request, job_id: JobId, _user: Any = reader) -> JSONResponse:
        return JSONResponse(visible(job_id, request).to_dict())

    @ui.get("/jobs/{job_id}/results.{fmt}", include_in_schema=False)
    def job_download(request: Request, job_id: JobId, fmt: str, _user: Any = reader) -> Response:
        if fmt not in FORMATS:
            raise kit.ui_error(404, "Not found", "Results download as csv or jsonl.")
        job = visible(job_id, request)
        results = services.jobs.results(job_id)
        headers = {"Content-Disposition": f'attachment; filename="{job_id}-results.{fmt}"'}
        if fmt == "csv":
            return Response(job_csv(job, results), media_type="text/csv; charset=utf-8", headers=headers)
        return Response(job_jsonl(results), media_type="application/x-ndjson", headers=headers)


def _limit(fields: dict[str, str]) -> int:
    """The batch form's limit field: empty is the default; anything not a whole number is an InputError
    naming ``limit`` (its bound is checked where the job starts, as for every face)."""
    text = fields.get("limit", "").strip()
    if not text:
        return DEFAULT_JOB_LIMIT
    try:
        return int(text)
    except ValueError:
        raise InputError(f"must be a whole number, not {text!r}", field="limit") from None
