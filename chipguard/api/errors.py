"""One JSON shape for every error the API returns: ``{"error": {"status", "code", "message", "details"}}``.

Why: onboarding systems act on errors programmatically; a stable code and a field path let them show
the user what to fix. Internal errors say nothing about internals (details go to the server log).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from chipguard.errors import AuditUnavailableError, ChipguardError, InputError, ListsUnavailableError
from chipguard.service import EngineError
from chipguard.service.inputs import error_path
from chipguard.store.errors import ConflictError, ForbiddenError, NotFoundError
from chipguard.store.snapshot_update import ListUpdateError

log = logging.getLogger("chipguard.api")


@dataclass(frozen=True, slots=True)
class ErrorKind:
    """How the HTTP faces (REST and web UI) answer one kind of ChipguardError."""

    status: int
    code: str  # the REST error code
    title: str  # the web UI error page's title


# The one mapping from the core's and the service's errors to HTTP, first match wins (subclasses first).
ERROR_KINDS: tuple[tuple[type[ChipguardError], ErrorKind], ...] = (
    (NotFoundError, ErrorKind(404, "not_found", "Not found")),
    (ForbiddenError, ErrorKind(403, "forbidden", "Forbidden")),
    (ConflictError, ErrorKind(409, "conflict", "Conflict")),
    (ListsUnavailableError, ErrorKind(503, "lists_unavailable", "No restricted-party lists")),
    (AuditUnavailableError, ErrorKind(503, "audit_unavailable", "Audit trail unavailable")),
    (InputError, ErrorKind(422, "invalid_input", "Invalid input")),
    (EngineError, ErrorKind(500, "engine_error", "Decision engine error")),
    (ListUpdateError, ErrorKind(502, "list_update_failed", "List update failed")),
)
OTHER_ERROR = ErrorKind(400, "bad_request", "Request failed")


def error_kind(exc: ChipguardError) -> ErrorKind:
    """The HTTP answer to ``exc``; an engine error (the server's rules or data) is also logged."""
    kind = next((k for cls, k in ERROR_KINDS if isinstance(exc, cls)), OTHER_ERROR)
    if kind.status >= 500:
        log.error("%s: %s", kind.code, exc)
    return kind


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers


def _encodable(value: Any) -> Any:
    """Error texts may quote client input; anything UTF-8 cannot encode (lone surrogates) is escaped."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_encodable(k): _encodable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encodable(v) for v in value]
    return value


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content=_encodable(
            {"error": {"status": status, "code": code, "message": message, "details": details or []}}
        ),
        headers=headers,
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}


def _clean(value: Any) -> Any:
    """Validation error inputs can be anything a client sent; keep them short and JSON-safe."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value if not isinstance(value, str) else value[:200]
    return str(value)[:200]


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = []
        for err in exc.errors():
            details.append(
                {
                    "field": error_path(err.get("loc", ())),
                    "message": str(err.get("msg", "")),
                    "type": str(err.get("type", "")),
                }
                | ({"input": _clean(err["input"])} if "input" in err and err.get("type") != "missing" else {})
            )
        first = details[0] if details else {"field": "", "message": "invalid request"}
        message = f"{first['field']}: {first['message']}" if first["field"] else str(first["message"])
        return error_response(422, "validation_error", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(ChipguardError)
    async def _chipguard(_request: Request, exc: ChipguardError) -> JSONResponse:
        kind = error_kind(exc)
        details = [{"field": exc.field or "", "message": exc.detail}] if isinstance(exc, InputError) else None
        return error_response(kind.status, kind.code, str(exc), details)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "internal error; the server log has the details")
