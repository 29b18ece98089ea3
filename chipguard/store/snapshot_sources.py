"""Where official lists are downloaded from and how old they may get — read from data, not code.

Why: download URLs move and compliance teams set their own freshness ceiling; both must change
without a release. The defaults live in chipguard/data/list_sources.yml; a file of the same shape at
list_sources.yml in the reference-data override root (``CHIPGUARD_DATA_OVERRIDES``, default
``$CHIPGUARD_HOME/data``) is merged over them (per source, key by key), and CHIPGUARD_LISTS_MAX_AGE_DAYS
overrides the global ``max_age_days``. A file at the former place, ``$CHIPGUARD_HOME/list_sources.yml``,
is refused with where it goes now rather than silently ignored.

Interface::

    load_config() -> ListsConfig             # merged config (fresh read each call: cheap, small files)
    max_age_days(source=None) -> float       # the staleness ceiling for a source
    bundled_manifest() -> list[BundledList]  # chipguard/data/lists/manifest.yml entries, paths resolved
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chipguard import config
from chipguard.datafiles import read_yaml_mapping
from chipguard.errors import InputError
from chipguard.settings import settings as env_settings

CONFIG_NAME = "list_sources.yml"


@dataclass(frozen=True, slots=True)
class ListSource:
    """One downloadable official list: one file (``url``) or a set of files (``files``: file name → URL,
    the primary file first), such as OFAC's legacy CSV set (sdn.csv + add.csv + alt.csv + sdn_comments.csv),
    which is fetched in full and loaded as one snapshot."""

    name: str
    url: str  # the single file's URL; for a set, the primary (first) file's
    format: str = ""  # "" → detect from content
    default: bool = False  # updated by a plain `chipguard lists update`
    max_age_days: float | None = None
    files: tuple[tuple[str, str], ...] = ()  # (file name, URL) of every member of a multi-file list

    @property
    def multi_file(self) -> bool:
        return bool(self.files)


@dataclass(frozen=True, slots=True)
class ListsConfig:
    max_age_days: float
    max_download_bytes: int
    timeout_seconds: float
    # A load with fewer records than this share of the source's active snapshot is refused unless
    # forced with a reason (a truncated download or a wrong file must not replace the list); 0 = off.
    min_record_share: float = 0.8
    sources: dict[str, ListSource] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # config files read, in order (shown when something is wrong)


@dataclass(frozen=True, slots=True)
class BundledList:
    path: Path
    source: str
    format: str
    file_date: str
    title: str
    url: str


def _number(value: Any, path: Path, key: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"'{value}' is not a number", file=str(path), field=key) from exc
    if number <= 0:
        raise InputError(f"must be positive, got {value}", file=str(path), field=key)
    return number


def config_files() -> list[Path]:
    """The bundled configuration, then the override root's when there is one."""
    files = [config.data_dir() / CONFIG_NAME]
    former = config.home(create=False) / CONFIG_NAME
    override = config.overrides_dir() / CONFIG_NAME
    if former.is_file() and former != override:
        raise InputError(
            f"this file is no longer read: move it to {override} (CHIPGUARD_DATA_OVERRIDES/{CONFIG_NAME})",
            file=str(former),
        )
    if override.is_file():
        files.append(override)
    return files


def _share(value: Any, path: Path) -> float:
    """min_record_share: a number from 0 (guard off) to 1."""
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"'{value}' is not a number", file=str(path), field="min_record_share") from exc
    if not 0 <= number <= 1:
        raise InputError(
            f"must be a share between 0 and 1, not {number}", file=str(path), field="min_record_share"
        )
    return float(number)


def load_config() -> ListsConfig:
    """The merged configuration (bundled defaults, then the override root's file)."""
    top: dict[str, Any] = {}
    sources: dict[str, dict[str, Any]] = {}
    origin: dict[str, Path] = {}  # the config file that last set each source (named in errors)
    files = config_files()
    for path in files:
        data = read_yaml_mapping(path, empty_ok=True)
        for key in ("max_age_days", "max_download_bytes", "timeout_seconds"):
            if key in data:
                top[key] = (_number(data[key], path, key), path)
        if "min_record_share" in data:
            top["min_record_share"] = (_share(data["min_record_share"], path), path)
        raw_sources = data.get("sources") or {}
        if not isinstance(raw_sources, dict):
            raise InputError(
                "'sources' must be a mapping of source name → settings", file=str(path), field="sources"
            )
        for name, settings in raw_sources.items():
            if not isinstance(settings, dict):
                raise InputError(
                    "expected a mapping (url, format, default)", file=str(path), field=f"sources.{name}"
                )
            merged = sources.setdefault(str(name), {})
            # A later file switching a source between one file and a set replaces what it inherited.
            if "files" in settings and "url" not in settings:
                merged.pop("url", None)
            if "url" in settings and "files" not in settings:
                merged.pop("files", None)
            merged.update(settings)
            origin[str(name)] = path
            if "max_age_days" in settings:
                merged["max_age_days"] = _number(
                    settings["max_age_days"], path, f"sources.{name}.max_age_days"
                )
    max_age = top["max_age_days"][0] if "max_age_days" in top else 30.0
    env_age = env_settings().lists_max_age_days
    if env_age is not None:
        max_age = env_age
    out: dict[str, ListSource] = {}
    for name, settings in sources.items():
        where = origin.get(name, files[-1])
        members = _members(settings.get("files"), where, name)
        url = str(settings.get("url") or "").strip()
        if members and url:
            raise InputError(
                "give either 'url' (one file) or 'files' (a multi-file list), not both",
                file=str(where),
                field=f"sources.{name}",
            )
        if not members and not url:
            raise InputError("no url (or files)", file=str(where), field=f"sources.{name}.url")
        out[name] = ListSource(
            name=name,
            url=url or members[0][1],
            format=str(settings.get("format") or ""),
            default=bool(settings.get("default", False)),
            max_age_days=settings.get("max_age_days"),
            files=members,
        )
    return ListsConfig(
        max_age_days=max_age,
        max_download_bytes=int(top["max_download_bytes"][0])
        if "max_download_bytes" in top
        else 256 * 1024 * 1024,
        timeout_seconds=top["timeout_seconds"][0] if "timeout_seconds" in top else 60.0,
        min_record_share=top["min_record_share"][0] if "min_record_share" in top else 0.8,
        sources=out,
        files=tuple(str(f) for f in files),
    )


_MEMBER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,119}")


def _members(raw: Any, path: Path, source: str) -> tuple[tuple[str, str], ...]:
    """``files`` of a multi-file source: a mapping of plain file names (what the parser recognises the
    members by, e.g. ``sdn.csv``) to their URLs, in order, the primary file first."""
    if raw is None:
        return ()
    field = f"sources.{source}.files"
    if not isinstance(raw, dict) or not raw:
        raise InputError("expected a mapping of file name → URL", file=str(path), field=field)
    out = []
    for name, url in raw.items():
        if not isinstance(name, str) or not _MEMBER_NAME.fullmatch(name) or name in (".", ".."):
            raise InputError(
                f"{name!r} is not a plain file name (letters, digits, '_', '-', '.')",
                file=str(path),
                field=field,
            )
        if not isinstance(url, str) or not url.strip():
            raise InputError("needs a URL", file=str(path), field=f"{field}.{name}")
        out.append((name, url.strip()))
    lowered = [n.lower() for n, _ in out]
    if len(set(lowered)) != len(lowered):
        raise InputError("file names must differ (case-insensitively)", file=str(path), field=field)
    return tuple(out)


def max_age_days(source: str | None = None, cfg: ListsConfig | None = None) -> float:
    """How many days a source's list may age before it is stale. The environment variable wins over
    everything (operators need one switch), then a per-source setting, then the global one."""
    cfg = cfg or load_config()
    if env_settings().lists_max_age_days is not None:
        return cfg.max_age_days
    if source and source in cfg.sources and cfg.sources[source].max_age_days is not None:
        return float(cfg.sources[source].max_age_days or cfg.max_age_days)
    return cfg.max_age_days


def bundled_dir() -> Path:
    return config.data_dir() / "lists"


def bundled_manifest() -> list[BundledList]:
    """The offline snapshot shipped in the package (chipguard/data/lists/manifest.yml)."""
    path = bundled_dir() / "manifest.yml"
    data = read_yaml_mapping(path, empty_ok=True)
    entries = data.get("lists")
    if not isinstance(entries, list) or not entries:
        raise InputError("expected a non-empty 'lists' array", file=str(path), field="lists")
    out = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("file") or not entry.get("source"):
            raise InputError("each entry needs 'file' and 'source'", file=str(path), field=f"lists[{index}]")
        out.append(
            BundledList(
                path=bundled_dir() / str(entry["file"]),
                source=str(entry["source"]),
                format=str(entry.get("format") or ""),
                file_date=str(entry.get("file_date") or ""),
                title=str(entry.get("title") or ""),
                url=str(entry.get("url") or ""),
            )
        )
    return out
