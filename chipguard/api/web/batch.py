"""Batch screening from the analyst web UI: upload a file of names (CSV, JSONL or Parquet with id, name,
kind, country — what ``chipguard batch screen`` reads), screen every row, see which rows hit.

Why synchronous: an upload is bounded by the server's request size limit (``CHIPGUARD_MAX_BODY_BYTES``)
and by ``MAX_ROWS`` below, which screen in seconds; the page reports how many rows were done and how long
it took. Larger files, Parquet output and Spark are ``chipguard batch screen``'s job. Screening goes
through ``Services.screen`` (audited once per upload as ``screen.adhoc``: who, which names, which
snapshots, which hits), the file is validated in full first by the batch reader (every bad row named by
line and field) and nothing is screened when one row is bad.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path as FsPath
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse

from chipguard.api.web.casework import MultipartForm, PageKit, make_multipart_form
from chipguard.errors import InputError
from chipguard.service import Services
from chipguard.service.query_files import read_input
from chipguard.service.services import ScreenQuery
from chipguard.store.permissions import Permission

MAX_ROWS = 2000
SUFFIXES = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}


def add_batch_pages(ui: FastAPI, services: Services, kit: PageKit) -> None:
    """Adds the batch screening page to the UI application."""
    screener = Depends(kit.need(Permission.SCREEN))
    multipart_form = make_multipart_form(kit)

    def batch_page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
        extra.setdefault("errors", [])
        extra.setdefault("result", None)
        return kit.page(request, "batch.html", status, nav="batch", max_rows=MAX_ROWS, **extra)

    @ui.get("/batch", response_class=HTMLResponse, include_in_schema=False)
    def batch_form(request: Request, _user: Any = screener) -> HTMLResponse:
        return batch_page(request)

    @ui.post("/batch", response_class=HTMLResponse, include_in_schema=False)
    def batch(
        request: Request, user: Any = screener, upload: MultipartForm = Depends(multipart_form)
    ) -> HTMLResponse:
        fields, files = upload
        found = files.get("file")
        started = time.monotonic()
        try:
            if found is None or not found.file_name or not found.content:
                raise InputError("choose a file of names to screen", field="file")
            fmt = fields.get("format", "").strip() or None
            if fmt is not None and fmt not in SUFFIXES:
                raise InputError(f"must be one of {', '.join(SUFFIXES)}", field="format")
            rows = _read(found.file_name, found.content, fmt)
            if len(rows) > MAX_ROWS:
                raise InputError(
                    f"{len(rows)} rows: the web UI screens at most {MAX_ROWS} per upload; "
                    "use `chipguard batch screen` for larger files",
                    file=found.file_name,
                )
            queries = [ScreenQuery(r.name, r.kind, r.country, r.id) for r in rows]
            results = services.screen(queries, user.key.actor)
        except InputError as exc:
            return batch_page(request, 422, errors=[str(exc)])
        hits = [r for r in results if r["hits"]]
        return batch_page(
            request,
            result={
                "file_name": found.file_name,
                "rows": len(results),
                "with_hits": len(hits),
                "seconds": time.monotonic() - started,
                "results": results,
            },
        )


def _read(file_name: str, content: bytes, fmt: str | None) -> list[Any]:
    """The uploaded file's rows, validated by the batch reader; errors name the uploaded file, not the
    temporary copy the reader needs."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in file_name)[:120] or "upload"
    with tempfile.TemporaryDirectory(prefix="chipguard-ui-batch-") as folder:
        path = FsPath(folder, safe)
        if fmt is not None and not safe.endswith(SUFFIXES[fmt]):
            path = path.with_name(safe + SUFFIXES[fmt])
        path.write_bytes(content)
        try:
            return read_input(path, fmt)
        except InputError as exc:
            raise InputError(str(exc).replace(str(path), file_name)) from None
