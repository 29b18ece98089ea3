"""REST routes of casework: the alert queue, a case, dispositions with four eyes, notes, evidence files,
remembered false positives, and the exports auditors take away (``chipguard.service.casework``).

Every route names one permission (``chipguard.store.permissions``): reading the queue and cases is
``alerts:read`` (the auditor too), working a case ``alerts:work``, approving or rejecting another analyst's
disposition ``alerts:approve`` — and the roles ``casework.yml`` names as approvers, never the proposer.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Response
from pydantic import Field

from chipguard.audit import csv_safe_row
from chipguard.errors import InputError
from chipguard.service import Services
from chipguard.service.inputs import Strict
from chipguard.store.cases import DISPOSITIONS, ORIGINS, STATUSES, AlertFilter
from chipguard.store.keys import ApiKey
from chipguard.store.permissions import Permission

AlertId = Annotated[str, Path(pattern=r"^alt_[0-9a-f]{16}$", description="alert id")]
AttachmentId = Annotated[str, Path(pattern=r"^att_[0-9a-f]{16}$", description="attachment id")]
ClearedId = Annotated[str, Path(pattern=r"^clr_[0-9a-f]{16}$", description="remembered disposition id")]
Ident = Annotated[str | None, Query(max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Assignee = Annotated[
    str | None,
    Query(
        max_length=128,
        description="an analyst's key actor (key:ID, see GET /v1/alerts/analysts), me for your own key, "
        "or none for the alerts nobody has taken",
    ),
]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
MAX_ATTACHMENT_B64 = 14 * 1024 * 1024  # 10 MiB of content, base64-encoded


class AssignRequest(Strict):
    assignee: Annotated[str, Field(max_length=128)] = Field(
        "", description="the analyst's key actor (key:ID); empty: assign to yourself"
    )


class NoteRequest(Strict):
    text: Annotated[str, Field(min_length=1, max_length=4000)]


class DispositionRequest(Strict):
    disposition: Literal["true_match", "false_positive", "needs_information"]
    reason_code: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ApproveRequest(Strict):
    comment: Annotated[str, Field(max_length=2000)] = ""


class ReasonRequest(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class AttachmentRequest(Strict):
    file_name: Annotated[str, Field(min_length=1, max_length=255)]
    media_type: Annotated[str, Field(max_length=128)] = "application/octet-stream"
    content_base64: Annotated[str, Field(max_length=MAX_ATTACHMENT_B64)]


def _filter(
    status: list[str] | None,
    origin: str | None,
    source: str | None,
    strength: str | None,
    assignee: str | None,
    customer_id: str | None,
    older_than_days: float | None,
    actor: str,
) -> AlertFilter:
    """The query's filters; ``assignee=me`` is the caller's own key, ``assignee=none`` the alerts nobody
    has taken."""
    if assignee == "me":
        assignee = actor
    unassigned = assignee == "none"
    return AlertFilter(
        unassigned=unassigned,
        status=tuple(status or ()),
        origin=origin or "",
        source=source or "",
        strength=strength or "",
        assignee="" if unassigned else assignee or "",
        customer_id=customer_id or "",
        older_than_days=older_than_days,
    )


QUEUE_COLUMNS = (
    "alert_id",
    "status",
    "origin",
    "origin_ref",
    "origin_outcome",
    "customer_id",
    "subject_role",
    "subject_name",
    "source",
    "party_id",
    "party_name",
    "list_name",
    "strength",
    "score",
    "assignee",
    "disposition",
    "reason_code",
    "reason",
    "proposed_by",
    "proposed_at",
    "approved_by",
    "approved_at",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = ("event_id", "alert_id", "at", "actor", "action", "payload", "audit_seq")


def csv_text(columns: tuple[str, ...], rows: list[dict[str, Any]], filters: dict[str, Any]) -> str:
    """Formula-safe CSV with a first comment line naming the filters applied."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(csv_safe_row([f"# filters: {json.dumps(filters, sort_keys=True)}"]))
    writer.writerow(columns)
    for row in rows:
        values = [
            json.dumps(row[c], sort_keys=True) if isinstance(row.get(c), dict) else row.get(c)
            for c in columns
        ]
        writer.writerow(csv_safe_row(values))
    return buf.getvalue()


def add_casework_routes(
    app: FastAPI,
    services: Services,
    require: Callable[[Permission], Callable[..., Any]],
    errors: dict[Any, Any],
) -> None:
    """Adds the casework routes to the REST application."""
    may_read = Depends(require(Permission.ALERTS_READ))
    may_work = Depends(require(Permission.ALERTS_WORK))
    may_approve = Depends(require(Permission.ALERTS_APPROVE))
    tags: list[str | Enum] = ["casework"]
    not_found = {**errors, 404: errors[422], 409: errors[422]}

    @app.get("/v1/alerts", responses=errors, tags=tags)
    def list_alerts(
        key: ApiKey = may_read,
        status: Annotated[list[str] | None, Query(description=f"any of {', '.join(STATUSES)}")] = None,
        origin: Annotated[str | None, Query(pattern="^(" + "|".join(ORIGINS) + ")$")] = None,
        source: Ident = None,
        strength: Annotated[str | None, Query(pattern="^(confirmed|potential|weak)$")] = None,
        assignee: Assignee = None,
        customer_id: Ident = None,
        older_than_days: Annotated[float | None, Query(ge=0, le=36500)] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        """The alert queue, oldest first, with the filters applied, the total and the counts by status."""
        flt = _filter(status, origin, source, strength, assignee, customer_id, older_than_days, key.actor)
        return {
            "alerts": [a.to_dict() for a in services.cases.find(flt, limit=limit, offset=offset)],
            "total": services.cases.count(flt),
            "counts": services.cases.counts_by_status(),
            "filters": flt.to_dict(),
        }

    @app.get("/v1/alerts/analysts", responses=errors, tags=tags)
    def analysts(_key: ApiKey = may_read) -> dict[str, Any]:
        """Whom alerts can be assigned to and the queue filtered by: every live key whose role works
        alerts and everyone an alert is assigned to, each with its label, role and open alerts."""
        return {"analysts": services.analysts()}

    @app.get("/v1/alerts/export", responses=errors, tags=tags, response_class=Response)
    def export_alerts(
        key: ApiKey = may_read,
        fmt: Annotated[str, Query(alias="format", pattern="^(csv|json)$")] = "json",
        status: Annotated[list[str] | None, Query()] = None,
        origin: Annotated[str | None, Query(pattern="^(" + "|".join(ORIGINS) + ")$")] = None,
        source: Ident = None,
        strength: Annotated[str | None, Query(pattern="^(confirmed|potential|weak)$")] = None,
        assignee: Assignee = None,
        customer_id: Ident = None,
        older_than_days: Annotated[float | None, Query(ge=0, le=36500)] = None,
    ) -> Response:
        """The queue as CSV or JSON for auditors, naming the filters applied (at most 100,000 alerts)."""
        flt = _filter(status, origin, source, strength, assignee, customer_id, older_than_days, key.actor)
        rows = [a.to_dict() for a in services.cases.find(flt, limit=100_000)]
        if fmt == "csv":
            return Response(
                csv_text(QUEUE_COLUMNS, rows, flt.to_dict()), media_type="text/csv; charset=utf-8"
            )
        body = json.dumps({"filters": flt.to_dict(), "alerts": rows}, ensure_ascii=False, default=str)
        return Response(body, media_type="application/json")

    @app.get("/v1/alerts/{alert_id}", responses=not_found, tags=tags)
    def get_case(alert_id: AlertId, _key: ApiKey = may_read) -> dict[str, Any]:
        """A case: the alert with the hit explanation and the list record as screened, every step taken,
        the evidence files, the customer as stored, and the customer's other alerts and decisions."""
        return services.case(alert_id)

    @app.get("/v1/alerts/{alert_id}/export", responses=not_found, tags=tags, response_class=Response)
    def export_case(
        alert_id: AlertId,
        _key: ApiKey = may_read,
        fmt: Annotated[str, Query(alias="format", pattern="^(csv|json)$")] = "json",
    ) -> Response:
        """One case for auditors: JSON (the whole case) or CSV (its steps)."""
        case = services.case(alert_id)
        if fmt == "csv":
            rows = [e for e in case["events"]]
            return Response(
                csv_text(EVENT_COLUMNS, rows, {"alert_id": alert_id}), media_type="text/csv; charset=utf-8"
            )
        return Response(json.dumps(case, ensure_ascii=False, default=str), media_type="application/json")

    @app.post("/v1/alerts/{alert_id}/assign", responses=not_found, tags=tags)
    def assign(alert_id: AlertId, body: AssignRequest, key: ApiKey = may_work) -> dict[str, Any]:
        """Assigns the alert (to yourself when no assignee is given); an open alert moves to in review."""
        return services.cases.assign(alert_id, body.assignee or key.actor, key.actor).to_dict()

    @app.post("/v1/alerts/{alert_id}/notes", status_code=201, responses=not_found, tags=tags)
    def add_note(alert_id: AlertId, body: NoteRequest, key: ApiKey = may_work) -> dict[str, Any]:
        return services.cases.note(alert_id, body.text, key.actor).to_dict()

    @app.post("/v1/alerts/{alert_id}/attachments", status_code=201, responses=not_found, tags=tags)
    def add_attachment(alert_id: AlertId, body: AttachmentRequest, key: ApiKey = may_work) -> dict[str, Any]:
        """An evidence file (base64 in JSON, at most 10 MiB), kept in the store with its SHA-256."""
        try:
            content = base64.b64decode(body.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InputError("not valid base64", field="content_base64") from exc
        return services.cases.attach(alert_id, body.file_name, body.media_type, content, key.actor).to_dict()

    @app.get(
        "/v1/alerts/{alert_id}/attachments/{attachment_id}",
        responses=not_found,
        tags=tags,
        response_class=Response,
    )
    def get_attachment(alert_id: AlertId, attachment_id: AttachmentId, _key: ApiKey = may_read) -> Response:
        meta, content = services.cases.attachment_content(alert_id, attachment_id)
        return Response(
            content,
            media_type="application/octet-stream",
            headers={
                "Content-Disposition": f'attachment; filename="{attachment_id}"',
                "X-Content-SHA256": meta.sha256,
            },
        )

    @app.post("/v1/alerts/{alert_id}/disposition", responses=not_found, tags=tags)
    def dispose(alert_id: AlertId, body: DispositionRequest, key: ApiKey = may_work) -> dict[str, Any]:
        """True match, false positive or needs information, with a reason code (``GET /v1/casework/policy``)
        and your reason. Dismissing a strong hit or overriding a DENY / LICENCE_REQUIRED waits for a
        second person (``needs_approval`` says why); a closed alert that a decision raised re-takes it."""
        return services.dispose(alert_id, body.disposition, body.reason_code, body.reason, key.actor)

    @app.post("/v1/alerts/{alert_id}/approve", responses=not_found, tags=tags)
    def approve(alert_id: AlertId, body: ApproveRequest, key: ApiKey = may_approve) -> dict[str, Any]:
        """Approves another analyst's disposition (four eyes: never your own)."""
        return services.approve(alert_id, key.actor, key.role, body.comment)

    @app.post("/v1/alerts/{alert_id}/reject", responses=not_found, tags=tags)
    def reject(alert_id: AlertId, body: ReasonRequest, key: ApiKey = may_approve) -> dict[str, Any]:
        """Sends another analyst's disposition back to review, with the reason."""
        return services.reject(alert_id, key.actor, key.role, body.reason)

    @app.get("/v1/casework/policy", responses=errors, tags=tags)
    def policy(_key: ApiKey = may_read) -> dict[str, Any]:
        """Reason codes by disposition, who approves, and when four eyes are needed."""
        return services.casework.policy.to_dict() | {"dispositions": list(DISPOSITIONS)}

    @app.get("/v1/dispositions/cleared", responses=errors, tags=tags)
    def cleared(
        _key: ApiKey = may_read,
        customer_id: Ident = None,
        q: Annotated[str | None, Query(max_length=200)] = None,
        active: bool = False,
    ) -> dict[str, Any]:
        """Remembered false positives (searchable; ``active`` leaves out revoked ones)."""
        found = services.cases.cleared(customer_id or "", q or "", active_only=active)
        return {"cleared": [c.to_dict() for c in found]}

    @app.post("/v1/dispositions/cleared/{cleared_id}/revoke", responses=not_found, tags=tags)
    def revoke(cleared_id: ClearedId, body: ReasonRequest, key: ApiKey = may_work) -> dict[str, Any]:
        """Revokes a remembered false positive (kept, with the reason): the pair alerts again."""
        return services.cases.revoke_cleared(cleared_id, key.actor, body.reason).to_dict()

    @app.get("/v1/dispositions/log", responses=errors, tags=tags, response_class=Response)
    def disposition_log(
        _key: ApiKey = may_read, fmt: Annotated[str, Query(alias="format", pattern="^(csv|json)$")] = "json"
    ) -> Response:
        """Every step on every alert, in the order taken, with identities and times (CSV or JSON)."""
        rows = [e.to_dict() for e in services.cases.all_events()]
        if fmt == "csv":
            return Response(csv_text(EVENT_COLUMNS, rows, {}), media_type="text/csv; charset=utf-8")
        return Response(json.dumps({"events": rows}, ensure_ascii=False), media_type="application/json")
