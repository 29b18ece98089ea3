"""The audit trail as a download, for the REST API (``GET /v1/audit/export``) and the UI
(``/ui/audit/export.csv``, ``.jsonl``): the same file ``chipguard audit export`` writes.

Why a temporary file and not a string: the log grows without bound; ``AuditLog.export_file`` reads it in
pages and writes it atomically, and the response streams the file and deletes it once sent.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from chipguard.audit import AuditLog

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def audit_export_response(audit: AuditLog, fmt: str) -> tuple[FileResponse, int]:
    """(the download response, number of entries) for ``fmt`` ``csv`` or ``jsonl`` (InputError otherwise)."""
    fd, name = tempfile.mkstemp(prefix="chipguard-audit-", suffix=f".{fmt}")
    os.close(fd)
    path = Path(name)
    try:
        count = audit.export_file(path, fmt)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    response = FileResponse(
        path,
        media_type=MEDIA_TYPES[fmt],
        filename=f"chipguard-audit-{stamp}.{fmt}",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
    return response, count
