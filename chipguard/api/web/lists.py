"""List snapshot pages of the analyst web UI: every snapshot kept (the ones in force marked), a
snapshot's records with search, and — for admins — loading a list file or updating from the official
sources, so nobody needs the CLI for it.

| page | permission | REST / CLI equivalent |
|---|---|---|
| /lists, /lists/{id} (records, search) | lists:read | GET /v1/lists · ``chipguard lists history`` |
| load a file · update | lists:write | ``chipguard lists load`` · POST /v1/lists/update |

Loading and updating go through ``Services.load_lists`` / ``Services.update_lists`` (all or nothing,
audited as ``lists.load`` / ``lists.update``); a failure — offline, a bad file — is shown and changes
nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from chipguard.api.web.casework import MultipartForm, PageKit, make_multipart_form
from chipguard.errors import ChipguardError, InputError
from chipguard.model import Party
from chipguard.service import Services
from chipguard.store.permissions import Permission
from chipguard.store.snapshots import LoadSpec

RECORDS_PAGE = 50
FILE_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def matches(party: Party, needle: str) -> bool:
    """Whether a record's id, name or any alias contains ``needle`` (already lower-cased)."""
    if needle in party.party_id.lower():
        return True
    return any(needle in alias.name.lower() for alias in party.all_names())


def add_list_pages(ui: FastAPI, services: Services, kit: PageKit) -> None:
    """Adds the list snapshot pages to the UI application."""
    reader = Depends(kit.need(Permission.LISTS_READ))
    writer = Depends(kit.need(Permission.LISTS_WRITE))
    multipart_form = make_multipart_form(kit)

    def lists_page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
        extra.setdefault("errors", [])
        extra.setdefault("change", None)
        return kit.page(
            request,
            "lists.html",
            status,
            nav="lists",
            snapshots=services.snapshots.history(),
            freshness={s.source: s for s in services.snapshots.freshness()},
            **extra,
        )

    @ui.get("/lists", response_class=HTMLResponse, include_in_schema=False)
    def lists(request: Request, _user: Any = reader) -> HTMLResponse:
        return lists_page(request)

    @ui.get("/lists/{snapshot_id}", response_class=HTMLResponse, include_in_schema=False)
    def snapshot_records(
        request: Request,
        snapshot_id: Annotated[int, Path(ge=1, le=2**31)],
        _user: Any = reader,
        q: Annotated[str, Query(max_length=200)] = "",
        page_no: Annotated[int, Query(ge=1, le=100_000)] = 1,
    ) -> HTMLResponse:
        """A snapshot's records in file order, those whose id, name or alias contains ``q``."""
        info = services.snapshots.get_snapshot(snapshot_id)
        parties = services.snapshots.parties_of([info.id])
        needle = q.strip().lower()
        found = [p for p in parties if matches(p, needle)] if needle else parties
        start = (page_no - 1) * RECORDS_PAGE
        return kit.page(
            request,
            "list_records.html",
            nav="lists",
            info=info,
            records=found[start : start + RECORDS_PAGE],
            total=len(found),
            q=q,
            page_no=page_no,
            more=len(found) > start + RECORDS_PAGE,
            query=lambda **kw: urlencode({k: v for k, v in ({"q": q} | kw).items() if v}),
        )

    @ui.post("/lists/update", response_class=HTMLResponse, include_in_schema=False)
    def lists_update(
        request: Request, user: Any = writer, form: dict[str, str] = kit.checked_form
    ) -> HTMLResponse:
        """Downloads the official lists (the sources named, else every default one) or loads the bundled
        snapshot; all or nothing."""
        names = [n.strip() for n in form.get("sources", "").replace(",", " ").split() if n.strip()]
        try:
            change = services.update_lists(names or None, user.key.actor, bundled=form.get("bundled") == "1")
        except ChipguardError as exc:
            return lists_page(request, 502 if not isinstance(exc, InputError) else 422, errors=[str(exc)])
        return lists_page(request, change=change)

    @ui.post("/lists/load", response_class=HTMLResponse, include_in_schema=False)
    def lists_load(
        request: Request, user: Any = writer, upload: MultipartForm = Depends(multipart_form)
    ) -> Response:
        """Loads an uploaded list file as a new snapshot (format and source detected unless given)."""
        fields, files = upload
        found = files.get("file")
        try:
            if found is None or not found.file_name or not found.content:
                raise InputError("choose a list file to load", field="file")
            name = "".join(c if c in FILE_NAME_CHARS else "_" for c in found.file_name)[:120] or "list"
            with tempfile.TemporaryDirectory(prefix="chipguard-ui-load-") as folder:
                path = FsPath(folder, name)
                path.write_bytes(found.content)
                spec = LoadSpec(
                    path, fields.get("format", "").strip() or None, fields.get("source", "").strip() or None
                )
                try:
                    change = services.load_lists([spec], user.key.actor)
                except ChipguardError as exc:
                    # name the file the admin uploaded, not the temporary copy the loader read
                    raise InputError(str(exc).replace(str(path), found.file_name)) from None
        except ChipguardError as exc:
            return lists_page(request, 422, errors=[str(exc)])
        return lists_page(request, change=change)
