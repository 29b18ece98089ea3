"""Getting lists into the store: the bundled offline snapshot and downloads of the official files.

Why here and not in the CLI: `make run`, the service and the CLI all need "load the bundled lists on
first use" and "update from the publishers", with the same guarantees — every file is fetched to a
temporary file under a size limit first, and only when every requested file has arrived intact are
they loaded, in one transaction. Offline, nothing changes and the error says so.

Interface::

    load_bundled(store=None, audit=None) -> list[SnapshotInfo]              # chipguard/data/lists/manifest.yml
    load_bundled_if_empty(store=None, audit=None) -> list[SnapshotInfo]     # [] when the home already has lists
    update_lists(sources=None, store=None, audit=None) -> list[SnapshotInfo]   # None → every source with default: true;
                                                                   # a multi-file source (``files:``) is
                                                                   # fetched in full, then loaded as one
    download(url, dest, max_bytes, timeout) -> DownloadResult
    ListUpdateError                                             # offline / HTTP error / too large
"""

from __future__ import annotations

import email.utils
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from urllib.parse import unquote, urlparse

from chipguard.errors import ChipguardError, InputError
from chipguard.sources.base import SourceError
from chipguard.store.snapshot_sources import ListSource, bundled_manifest, load_config
from chipguard.store.snapshots import ListsAudit, LoadSpec, SnapshotInfo, SnapshotStore

_CHUNK = 1 << 16


class ListUpdateError(ChipguardError):
    """A list could not be fetched (offline, HTTP error, over the size limit); nothing was changed."""

    exit_code = 4


@dataclass(frozen=True, slots=True)
class DownloadResult:
    path: Path
    url: str
    size: int
    last_modified: str = ""  # ISO date from the Last-Modified header, "" when absent


def load_bundled(store: SnapshotStore | None = None, audit: ListsAudit | None = None) -> list[SnapshotInfo]:
    """Loads every list of the offline snapshot shipped in the package, all or nothing (audited in the
    same transaction when ``audit`` is given)."""
    store = store or SnapshotStore()
    specs = [
        LoadSpec(
            path=entry.path,
            format=entry.format or None,
            source=entry.source,
            file_date=entry.file_date or None,
            source_url=entry.url or None,
        )
        for entry in bundled_manifest()
    ]
    return store.load_files(specs, audit)


def load_bundled_if_empty(
    store: SnapshotStore | None = None, audit: ListsAudit | None = None
) -> list[SnapshotInfo]:
    """First-use convenience for `make run` and the service: a home without lists gets the bundled ones
    (which are old, so they are reported stale and decisions against them never auto-ALLOW)."""
    store = store or SnapshotStore()
    if store.active():
        return []
    return load_bundled(store, audit)


def _file_name_for(url: str, fallback: str) -> str:
    name = Path(unquote(urlparse(url).path)).name
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120]
    return name if name and name not in (".", "..") else fallback


def download(url: str, dest: Path, max_bytes: int, timeout: float) -> DownloadResult:
    """Fetches ``url`` (http, https, file:// or a local path) into ``dest``, refusing anything over
    ``max_bytes`` — by Content-Length up front and by counting while streaming."""
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        source = Path(unquote(parsed.path) if parsed.scheme == "file" else url)
        if not source.is_file():
            raise ListUpdateError(f"{url}: no such file")
        size = source.stat().st_size
        if size > max_bytes:
            raise ListUpdateError(f"{url}: {size} bytes is over the {max_bytes}-byte download limit")
        dest.write_bytes(source.read_bytes())
        return DownloadResult(dest, url, size)
    if parsed.scheme not in ("http", "https"):
        raise ListUpdateError(f"{url}: unsupported URL scheme '{parsed.scheme}' (use https, http or file)")
    import httpx  # only `lists update` downloads: the other commands that reach this module start faster

    try:
        with (
            httpx.Client(
                timeout=timeout, follow_redirects=True, headers={"User-Agent": "chipguard"}
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise ListUpdateError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ListUpdateError(f"{url}: {declared} bytes is over the {max_bytes}-byte download limit")
            size = 0
            with dest.open("wb") as out:
                for chunk in response.iter_bytes(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise ListUpdateError(f"{url}: over the {max_bytes}-byte download limit")
                    out.write(chunk)
            last_modified = ""
            if header := response.headers.get("last-modified"):
                try:
                    stamp = email.utils.parsedate_to_datetime(header)
                    last_modified = stamp.astimezone(UTC).date().isoformat()
                except (TypeError, ValueError):
                    last_modified = ""
    except httpx.TimeoutException as exc:
        raise ListUpdateError(f"{url}: timed out after {timeout:g} s; nothing was changed") from exc
    except httpx.HTTPError as exc:
        raise ListUpdateError(
            f"{url}: cannot download ({type(exc).__name__}: {exc}); are you offline? nothing was changed"
        ) from exc
    if size == 0:
        raise ListUpdateError(f"{url}: the server sent an empty file; nothing was changed")
    return DownloadResult(dest, url, size, last_modified)


def update_lists(
    sources: Sequence[str] | None = None, store: SnapshotStore | None = None, audit: ListsAudit | None = None
) -> list[SnapshotInfo]:
    """Downloads the official current file of each source (all configured ``default`` sources when none
    are named), then loads them all in one transaction. Any failure → ListUpdateError or a
    SourceError naming the URL, and the store is exactly as before."""
    cfg = load_config()
    if sources:
        unknown = [name for name in sources if name not in cfg.sources]
        if unknown:
            raise InputError(
                f"no download URL configured for source(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(cfg.sources))} (configure in {cfg.files[-1]})",
                field="source",
            )
        chosen = [cfg.sources[name] for name in sources]
    else:
        chosen = [s for s in cfg.sources.values() if s.default]
        if not chosen:
            raise InputError("no list source is marked default: true; name one with --source", field="source")
    store = store or SnapshotStore()
    with tempfile.TemporaryDirectory(prefix="chipguard-update-") as tmp:
        specs = []
        shown: dict[Path, str] = {}  # downloaded member file → what errors call it
        for src in chosen:
            folder = Path(tmp) / src.name
            folder.mkdir()
            if src.multi_file:
                specs.append(_download_set(src, folder, cfg.max_download_bytes, cfg.timeout_seconds, shown))
                continue
            dest = folder / _file_name_for(src.url, f"{src.name}.download")
            result = download(src.url, dest, cfg.max_download_bytes, cfg.timeout_seconds)
            specs.append(
                LoadSpec(
                    path=result.path,
                    format=src.format or None,
                    source=src.name,
                    fallback_file_date=result.last_modified or None,  # the content's own date wins
                    source_url=src.url,
                    display_name=src.url,
                    confirmed_current=True,
                )
            )
        try:
            return store.load_files(specs, audit)
        except InputError as exc:
            # A member of a multi-file list that does not parse: name the member and its URL, not
            # the temporary copy.
            where = shown.get(Path(exc.file)) if exc.file else None
            if where is None:
                raise
            raise SourceError(
                f"{exc.detail}; nothing was changed, the previous snapshot stays in force",
                file=where,
                line=exc.line,
                field=exc.field,
            ) from exc


def _download_set(
    src: ListSource, folder: Path, max_bytes: int, timeout: float, shown: dict[Path, str]
) -> LoadSpec:
    """Fetches every file of a multi-file list into one directory, loaded as one snapshot. Every member
    must arrive (HTTP 200, not empty, under the size limit); one that does not fails the whole update,
    naming the source, the member and its URL, before anything is loaded."""
    members = folder  # named after the source: the snapshot's file name
    dates: list[str] = []
    for name, url in src.files:
        try:
            result = download(url, members / name, max_bytes, timeout)
        except ListUpdateError as exc:
            raise ListUpdateError(
                f"{src.name}: member {name} of {len(src.files)} files: {exc}; "
                "nothing was changed, the previous snapshot stays in force"
            ) from exc
        shown[result.path] = f"{src.name}: {name} ({url})"
        if result.last_modified:
            dates.append(result.last_modified)
    return LoadSpec(
        path=members,
        format=src.format or None,
        source=src.name,
        fallback_file_date=max(dates) if dates else None,
        source_url=src.url,
        display_name=f"{src.name} ({', '.join(n for n, _ in src.files)})",
        confirmed_current=True,
        members=tuple(n for n, _ in src.files),
    )
