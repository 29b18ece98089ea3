"""REST routes of background jobs (``chipguard.service.jobs``): screening a file of names, importing a
file of customers, following a job's progress and taking its results.

The request body of ``POST /v1/jobs/screen`` and ``/v1/jobs/customers`` is the file itself (CSV or JSON
Lines, at most the server's body limit); the format comes from ``format``, else the Content-Type
(``text/csv``, ``application/x-ndjson``), else the file name's suffix. The whole file is validated first:
a bad row is a 422 naming the line and field and no job is created. A job is answered 202 with its
``Location``; ``GET /v1/jobs/{id}`` tells its progress, ``/results`` its results (JSON pages, or the whole
as CSV or JSON Lines).

| route | permission |
|---|---|
| POST /v1/jobs/screen | screen |
| POST /v1/jobs/customers | customers:write (and customers:screen: each customer is screened) |
| GET /v1/jobs, /v1/jobs/{id}, /results | jobs:read (a customer import also customers:read) |
| POST /v1/jobs/{id}/cancel | screen, and the key that started the job or an admin (never the auditor) |
| POST /v1/jobs/{id}/retry | the same, and the permission that starts a job of its kind |

A cancelled job (status ``cancelled``) stops after the chunk under way and keeps its results; a failed or
cancelled job can be retried once: a new job over its rows without a result, naming it in ``retry_of``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from chipguard.api.errors import ApiError
from chipguard.audit import csv_safe_row
from chipguard.service.jobs import DEFAULT_JOB_LIMIT, JobRunner, result_rows_csv
from chipguard.service.services import check_limit
from chipguard.store.jobs import JOB_ID_PATTERN, KINDS, Job
from chipguard.store.keys import ApiKey
from chipguard.store.permissions import Permission, needs

JobId = Annotated[str, Path(pattern=JOB_ID_PATTERN, description="job id")]
FileName = Annotated[
    str, Query(max_length=255, description="the file's name, as the job and its audit entry show it")
]
MEDIA_FORMATS = {"text/csv": "csv", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl"}
FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "the file itself",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


def _format(request: Request, fmt: str | None) -> str | None:
    if fmt:
        return fmt
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return MEDIA_FORMATS.get(media)


def job_csv(job: Job, results: list[dict[str, Any]]) -> str:
    """A job's results as formula-safe CSV, its first line naming the job."""
    columns, rows = result_rows_csv(job.kind, results)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(csv_safe_row([f"# job {job.job_id} ({job.kind}) {job.file_name}: {job.status}"]))
    writer.writerow(columns)
    for row in rows:
        writer.writerow(csv_safe_row(row))
    return buf.getvalue()


def job_jsonl(results: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in results)


def add_job_routes(
    app: FastAPI,
    runner: JobRunner,
    require: Callable[[Permission], Callable[..., Any]],
    errors: dict[Any, Any],
) -> None:
    """Adds the job routes to the REST application."""
    services = runner.services
    may_screen = Depends(require(Permission.SCREEN))
    may_import = Depends(require(Permission.CUSTOMERS_WRITE))
    may_read = Depends(require(Permission.JOBS_READ))
    tags: list[str | Enum] = ["jobs"]
    not_found = {**errors, 404: errors[422]}
    accepted = {**errors, 503: errors[422]}
    changing = {**not_found, 409: errors[422]}

    def readable(job: Job, key: ApiKey) -> Job:
        """A customer import shows customers' data: it needs customers:read besides jobs:read."""
        if job.kind == "customers" and not key.can(Permission.CUSTOMERS_READ):
            raise ApiError(
                403, "forbidden", f"this customer import {needs(Permission.CUSTOMERS_READ, key.role)}"
            )
        return job

    def accepted_response(job: Job, response: Response) -> dict[str, Any]:
        response.headers["Location"] = f"/v1/jobs/{job.job_id}"
        return job.to_dict()

    @app.post("/v1/jobs/screen", status_code=202, responses=accepted, tags=tags, openapi_extra=FILE_BODY)
    async def start_screening(
        request: Request,
        response: Response,
        key: ApiKey = may_screen,
        file_name: FileName = "names.csv",
        fmt: Annotated[str | None, Query(alias="format", pattern="^(csv|jsonl)$")] = None,
        limit: Annotated[
            int,
            Query(
                ge=1,
                description="The most hits per name (1 to the rule set's screening_hit_limit, 200 in the "
                "bundled rules; a larger one is a 422 naming the field); each row's `omitted` counts the "
                "records past it.",
            ),
        ] = DEFAULT_JOB_LIMIT,
    ) -> dict[str, Any]:
        """Screens a file of names (the columns of ``chipguard screen-file``: id, name, kind, country and
        the identifying fields) in the background against the lists in force: 202 with the job. Every row
        is validated first (a bad one is a 422 naming line and field; nothing is screened), at most
        ``job_rows`` rows (``chipguard/data/limits``). The screening is audited as ad-hoc screens are."""
        check_limit(limit, "query.limit")  # named as the schema names its own query errors
        content = await request.body()
        job = await run_in_threadpool(
            runner.screen_names, file_name, content, _format(request, fmt), key.actor, limit
        )
        return accepted_response(job, response)

    @app.post("/v1/jobs/customers", status_code=202, responses=accepted, tags=tags, openapi_extra=FILE_BODY)
    async def start_import(
        request: Request,
        response: Response,
        key: ApiKey = may_import,
        file_name: FileName = "customers.csv",
        fmt: Annotated[str | None, Query(alias="format", pattern="^(csv|jsonl)$")] = None,
    ) -> dict[str, Any]:
        """Imports a file of customers in the background: JSON Lines of customer objects (as
        ``POST /v1/customers`` takes) or CSV (the columns in docs/ANALYST_GUIDE.md), each row naming its
        ``customer_id``. The whole file is validated first (a bad row is a 422 naming line and field;
        nothing is written); then every customer is created or updated in one transaction, and each is
        screened as onboarding screens, raising alerts (origin ``customer_screen``, ``origin_ref``
        ``job:ID``). Needs customers:write and customers:screen."""
        if not key.can(Permission.CUSTOMERS_SCREEN):
            raise ApiError(403, "forbidden", f"an import {needs(Permission.CUSTOMERS_SCREEN, key.role)}")
        content = await request.body()
        job = await run_in_threadpool(
            runner.import_customers, file_name, content, _format(request, fmt), key.actor
        )
        return accepted_response(job, response)

    @app.post("/v1/jobs/{job_id}/cancel", responses=changing, tags=tags)
    def cancel_job(job_id: JobId, key: ApiKey = may_screen) -> dict[str, Any]:
        """Cancels a queued or running job (the key that started it, or an admin): a queued job never
        starts, a running one stops after the chunk under way; the results stored so far are kept and the
        job's status is ``cancelled``, naming who (``cancelled_by``; audited as ``job.cancelled``). A
        finished job (done, failed, cancelled) is a 409."""
        readable(services.jobs.get(job_id), key)
        return runner.cancel(job_id, key.actor, key.role).to_dict()  # ForbiddenError: a 403 (api.errors)

    @app.post("/v1/jobs/{job_id}/retry", status_code=202, responses={**changing, 503: errors[422]}, tags=tags)
    def retry_job(job_id: JobId, response: Response, key: ApiKey = may_screen) -> dict[str, Any]:
        """Retries a failed or cancelled job (the key that started it, or an admin, holding the
        permission that starts a job of its kind): 202 with a new job over the rows that have no result,
        ``retry_of`` naming the original (audited in its ``job.create``). A customer import whose
        customers were written screens them as stored, writing nothing again. A job that is not failed or
        cancelled, has every result, or was retried already is a 409."""
        job = readable(services.jobs.get(job_id), key)
        start_needs = (
            (Permission.SCREEN,)
            if job.kind == "screen"
            else (Permission.CUSTOMERS_WRITE, Permission.CUSTOMERS_SCREEN)
        )
        for permission in start_needs:
            if not key.can(permission):
                raise ApiError(403, "forbidden", f"a retry starts a job: it {needs(permission, key.role)}")
        return accepted_response(runner.retry(job_id, key.actor, key.role), response)

    @app.get("/v1/jobs", responses=errors, tags=tags)
    def list_jobs(
        key: ApiKey = may_read,
        kind: Annotated[str | None, Query(pattern="^(" + "|".join(KINDS) + ")$")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> dict[str, Any]:
        """Jobs, newest first (customer imports only for keys that read customers)."""
        if kind == "customers" and not key.can(Permission.CUSTOMERS_READ):
            return {"jobs": []}
        found = services.jobs.find(limit=limit, offset=offset, kind=kind or "")
        return {
            "jobs": [
                j.to_dict() for j in found if j.kind != "customers" or key.can(Permission.CUSTOMERS_READ)
            ]
        }

    @app.get("/v1/jobs/{job_id}", responses=not_found, tags=tags)
    def get_job(job_id: JobId, key: ApiKey = may_read) -> dict[str, Any]:
        """A job: status (queued, running, done, failed, cancelled), rows done of total, rows with hits,
        alerts raised, who started it and when, the snapshots it screened against, why it failed, who
        cancelled it, and the job it retries (``retry_of``)."""
        return readable(services.jobs.get(job_id), key).to_dict()

    @app.get(
        "/v1/jobs/{job_id}/results",
        responses={
            **not_found,
            200: {
                "description": "the results in input order",
                "content": {"application/json": {}, "application/x-ndjson": {}, "text/csv": {}},
            },
        },
        tags=tags,
        response_class=Response,
    )
    def job_results(
        job_id: JobId,
        key: ApiKey = may_read,
        fmt: Annotated[str, Query(alias="format", pattern="^(json|jsonl|csv)$")] = "json",
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> Response:
        """The results stored so far, in input order: ``json`` a page (``offset``, ``limit``) with the job;
        ``jsonl`` and ``csv`` all of them as a download (names: each row's hits with strength and list
        record; an import: each customer's action, hits and alerts)."""
        job = readable(services.jobs.get(job_id), key)
        if fmt == "json":
            body = {
                "job": job.to_dict(),
                "offset": offset,
                "results": services.jobs.results(job_id, offset=offset, limit=limit),
            }
            return Response(json.dumps(body, ensure_ascii=False, default=str), media_type="application/json")
        results = services.jobs.results(job_id)
        disposition = {"Content-Disposition": f'attachment; filename="{job_id}-results.{fmt}"'}
        if fmt == "csv":
            return Response(job_csv(job, results), media_type="text/csv; charset=utf-8", headers=disposition)
        return Response(job_jsonl(results), media_type="application/x-ndjson", headers=disposition)
