"""The reference data a decision rests on, by content: which files, which bytes, and how to use old ones.

Why: a stored decision must replay years later to what it was, and it rests on more than the list
snapshots and the policy rule set — on the chip catalogue, the ECCN/TPP rule documents and the country
groups (hardware and geography), and on the name-matching vocabularies and thresholds. Each decision
records a content-hash manifest of every such file (``Decision.versions["reference_data"]``), the
files themselves are archived by content hash next to the decision, and a replay re-loads the archived
hardware and geography files instead of whatever is installed by then.

Two kinds of component:

- ``LOADED`` (``hardware``, ``geo``): read *through this module*. The loaders in ``chipguard.hardware``
  and ``chipguard.geo`` ask ``current()`` for their bytes, so a replay can swap in archived bytes with
  ``using(archived)`` for the duration of one decision. Files under the override directory
  (``CHIPGUARD_DATA_OVERRIDES``, default ``$CHIPGUARD_HOME/data``) at the same relative path as in
  ``chipguard/data`` replace the bundled ones (a compliance team correcting a chip figure or adding an
  ECCN rule document without forking the package); an override file with a new name under
  ``rules/eccn/`` adds a document.
- ``RECORDED`` (``matching``, ``ownership``): read once per process (``recorded_file``), parsed by their
  own packages from those bytes, hashed and archived, and a replay says plainly when the current files
  differ.
  They are read through the same override root (chipguard.names.data, chipguard.ownership), and a
  replay whose matching data differs screens with the archived files in a fresh process
  (chipguard.service.replay_worker) rather than rebuilding this process's tables.

Interface::

    current(refresh=False) -> ReferenceData     # pinned data inside using(), else the installed files
    using(data) -> context manager               # pin data (e.g. archived) for the calls inside
    parsed(kind, key, build) -> T                # parse once per content hash
    manifest(data, settings) -> dict             # {component: {"sha256", "files": {path: sha256}, ...}}
    archive_items(data) -> list[ArchiveItem]     # (sha256, path, read) for the archive
    from_archive(files, blobs) -> ReferenceData  # archived bytes, each checked against its hash
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from chipguard import config
from chipguard.errors import InputError

T = TypeVar("T")

# component → file patterns relative to chipguard/data (a pattern with * is a glob in its folder)
COMPONENTS: dict[str, tuple[str, ...]] = {
    "hardware": ("hardware/catalogue.yaml", "hardware/precisions.yaml", "rules/eccn/*.yaml"),
    "geo": ("geo/country_groups.yml", "geo/countries.csv"),
    "matching": (
        "names/*.yml",
        "names/*.tsv",  # the company-name corpus (token_rarity.corpus_file)
        "zh/listed_party_names.yml",
        "zh/org_terms.yml",
        "zh/cedict_vocab.tsv",
        "zh/cedict_senses.tsv",
        "zh/hanzi_pinyin.tsv",
    ),
    "ownership": ("ownership/regimes.yml", "ownership/red_flag_vocab.yml"),
}
LOADED = ("hardware", "geo")
RECORDED = ("matching", "ownership")
MANIFEST_KEY = "reference_data"  # the key in Decision.versions


@dataclass(frozen=True, slots=True)
class RefFile:
    """One reference file: its path relative to ``chipguard/data``, its bytes and where they came from."""

    path: str
    sha256: str
    data: bytes
    origin: str  # "bundled", "override" or "archive"
    location: str = ""  # the file it was read from ("" for archived bytes)

    def text(self) -> str:
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8: {exc}", file=self.location or self.path) from exc

    @property
    def name(self) -> str:
        """What error messages call the file: where it was read from, or the archived path."""
        return self.location or f"{self.path} (archived {self.sha256[:12]})"


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """The bytes of every ``LOADED`` component's files, as one consistent set."""

    files: Mapping[str, RefFile] = field(default_factory=dict)

    def file(self, path: str) -> RefFile:
        found = self.files.get(path)
        if found is None:
            raise InputError("reference data file is missing", file=path)
        return found

    def folder(self, folder: str, suffix: str) -> list[RefFile]:
        """The files directly in ``folder`` whose names end with ``suffix``, sorted by name."""
        prefix = folder.rstrip("/") + "/"
        return sorted(
            (
                f
                for p, f in self.files.items()
                if p.startswith(prefix) and "/" not in p[len(prefix) :] and p.endswith(suffix)
            ),
            key=lambda f: f.path,
        )

    def component(self, name: str) -> dict[str, RefFile]:
        return {p: f for p, f in self.files.items() if component_of(p) == name}


def component_of(path: str) -> str:
    """The component a relative path belongs to ("" when none)."""
    for name, patterns in COMPONENTS.items():
        for pattern in patterns:
            if _matches(pattern, path):
                return name
    return ""


def _matches(pattern: str, path: str) -> bool:
    if "*" not in pattern:
        return pattern == path
    folder, _, glob = pattern.rpartition("/")
    head, _, tail = path.rpartition("/")
    return head == folder and Path(tail).match(glob)


def overrides_dir() -> Path:
    """``CHIPGUARD_DATA_OVERRIDES`` or ``$CHIPGUARD_HOME/data`` (not created: absent means none)."""
    return config.overrides_dir()


def _candidates(patterns: tuple[str, ...], overrides: Path | None) -> dict[str, tuple[Path, str]]:
    """Relative path → (file, origin) for ``patterns``; an override replaces the bundled file."""
    found: dict[str, tuple[Path, str]] = {}
    roots: list[tuple[Path, str]] = [(config.data_dir(), "bundled")]
    if overrides is not None and overrides.is_dir():
        roots.append((overrides, "override"))
    for root, origin in roots:
        for pattern in patterns:
            if "*" in pattern:
                folder, _, glob = pattern.rpartition("/")
                for path in sorted((root / folder).glob(glob)):
                    if path.is_file():
                        found[f"{folder}/{path.name}"] = (path, origin)
            elif (root / pattern).is_file():
                found[pattern] = (root / pattern, origin)
    return found


def _read(path: Path, rel: str, origin: str) -> RefFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", file=str(path)) from exc
    return RefFile(rel, hashlib.sha256(data).hexdigest(), data, origin, str(path))


_PINNED: ContextVar[ReferenceData | None] = ContextVar("chipguard_reference_data", default=None)
_LOCK = threading.Lock()
_LIVE: tuple[str, tuple[Any, ...], ReferenceData] | None = None  # (override dir, signature, data)


def _signature(found: dict[str, tuple[Path, str]]) -> tuple[Any, ...]:
    out = []
    for rel, (path, origin) in sorted(found.items()):
        st = path.stat()
        out.append((rel, str(path), origin, st.st_mtime_ns, st.st_size))
    return tuple(out)


def current(*, refresh: bool = False) -> ReferenceData:
    """The reference data in force: what ``using`` pinned, else the installed files (bundled plus
    overrides), read once per process and override directory. ``refresh`` re-checks the files (their
    paths, sizes and modification times) and re-reads them when any changed — the service does so once
    per decision, so an edited override applies to the next decision and that decision records it."""
    global _LIVE
    pinned = _PINNED.get()
    if pinned is not None:
        return pinned
    overrides = overrides_dir()
    live = _LIVE
    if live is not None and not refresh and live[0] == str(overrides):
        return live[2]
    patterns = tuple(p for name in LOADED for p in COMPONENTS[name])
    found = _candidates(patterns, overrides)
    signature = _signature(found)
    with _LOCK:
        if _LIVE is not None and _LIVE[0] == str(overrides) and _LIVE[1] == signature:
            return _LIVE[2]
        data = ReferenceData({rel: _read(path, rel, origin) for rel, (path, origin) in found.items()})
        _LIVE = (str(overrides), signature, data)
        return data


@contextmanager
def using(data: ReferenceData) -> Iterator[ReferenceData]:
    """Every loader called inside reads ``data`` (this thread / task only)."""
    token = _PINNED.set(data)
    try:
        yield data
    finally:
        _PINNED.reset(token)


_PARSED: OrderedDict[tuple[str, str], Any] = OrderedDict()
_PARSED_MAX = 32


def parsed(kind: str, key: str, build: Callable[[], T]) -> T:
    """``build()`` once per (kind, content key), the last few kept: the current and the archived
    versions of a file can be in use at once (the service decides while an auditor replays)."""
    with _LOCK:
        if (kind, key) in _PARSED:
            _PARSED.move_to_end((kind, key))
            value: T = _PARSED[(kind, key)]
            return value
    value = build()
    with _LOCK:
        _PARSED[(kind, key)] = value
        while len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return value


def digest(files: Mapping[str, str]) -> str:
    """One hash over a component's (path, file hash) pairs."""
    outer = hashlib.sha256()
    for path, sha in sorted(files.items()):
        outer.update(path.encode() + b"\0" + sha.encode() + b"\n")
    return outer.hexdigest()


def _component_manifest(files: Mapping[str, RefFile]) -> dict[str, Any]:
    hashes = {p: f.sha256 for p, f in sorted(files.items())}
    out: dict[str, Any] = {"sha256": digest(hashes), "files": hashes}
    overridden = sorted(p for p, f in files.items() if f.origin == "override")
    if overridden:
        out["overridden"] = overridden
    return out


def _recorded_files() -> dict[str, dict[str, RefFile]]:
    return _recorded_files_in(str(overrides_dir()))


@cache
def _recorded_files_in(overrides: str) -> dict[str, dict[str, RefFile]]:
    """component → path → file of the ``RECORDED`` components, read and hashed once per process; their
    packages parse these bytes (:func:`recorded_file`), so the manifest names exactly what screening
    used. The bytes are kept (about 4 MB) so the archive always receives exactly the bytes the manifest
    names, even if the files are edited while the process runs. Once per override root (the root is a
    setting: a process pointed at another root reads that root's files)."""
    out: dict[str, dict[str, RefFile]] = {}
    for name in RECORDED:
        # the files as their loaders read them: the override root's over the bundled ones
        found = _candidates(COMPONENTS[name], Path(overrides))
        out[name] = {rel: _read(path, rel, origin) for rel, (path, origin) in sorted(found.items())}
    return out


def recorded_file(rel: str) -> RefFile:
    """A ``RECORDED`` component's file (``rel`` relative to ``chipguard/data``, e.g. ``names/matching.yml``)
    as this process reads it: the one read that both its loader parses and its decisions record and
    archive. Why: when the loaders read the files themselves (at the first screen) and the manifest read
    them again (at the first decision), a file edited in between was recorded with bytes the screening
    never used — a replay would then use other data than the decision did."""
    name = component_of(rel)
    if name not in RECORDED:
        raise ValueError(f"{rel} is not a file of the recorded components {RECORDED}")
    found = _recorded_files()[name].get(rel)
    if found is None:
        raise InputError("reference data file is missing", file=rel)
    return found


Settings = Mapping[str, Mapping[str, Any]]  # component → setting → value


def manifest(data: ReferenceData | None, settings: Settings) -> dict[str, Any]:
    """Content hashes of every reference file a decision made now rests on, per component. ``settings``:
    what changes a ``RECORDED`` component besides its files, as its package says
    (``chipguard.names.data.recorded_settings``: the matching threshold ``CHIPGUARD_MATCH_THRESHOLD``
    may override) — given by the caller, so this module knows no component's package; required, so no
    caller records a decision without them."""
    data = data if data is not None else current()
    out: dict[str, Any] = {}
    for name in LOADED:
        out[name] = _component_manifest(data.component(name))
    for name in RECORDED:
        out[name] = _component_manifest(_recorded_files()[name])
        if name in settings:
            out[name]["settings"] = dict(settings[name])
    return out


@dataclass(frozen=True, slots=True)
class ArchiveItem:
    """A file to archive: its hash, its path and its bytes."""

    sha256: str
    path: str
    data: bytes


def archive_items(data: ReferenceData | None = None) -> list[ArchiveItem]:
    """Every file of the manifest, for the content-addressed archive."""
    data = data if data is not None else current()
    files = [*data.files.values(), *(f for name in RECORDED for f in _recorded_files()[name].values())]
    return [ArchiveItem(f.sha256, f.path, f.data) for f in files]


def from_archive(files: Mapping[str, str], blobs: Mapping[str, bytes]) -> ReferenceData:
    """Reference data from archived bytes (``files``: path → sha256; ``blobs``: sha256 → bytes). A blob
    that does not hash to its key is refused: the archive is not what the decision recorded."""
    out: dict[str, RefFile] = {}
    for path, sha in files.items():
        blob = blobs.get(sha)
        if blob is None:
            raise InputError(f"archived reference file {sha[:12]} is missing", file=path)
        actual = hashlib.sha256(blob).hexdigest()
        if actual != sha:
            raise InputError(
                f"archived reference file hashes to {actual[:12]}, expected {sha[:12]}", file=path
            )
        out[path] = RefFile(path, sha, blob, "archive")
    return ReferenceData(out)


def merged(base: ReferenceData, replace: Mapping[str, ReferenceData]) -> ReferenceData:
    """``base`` with the files of the named components replaced by those of ``replace[component]``."""
    files = {p: f for p, f in base.files.items() if component_of(p) not in replace}
    for data in replace.values():
        files.update(data.files)
    return ReferenceData(files)


def _changed(recorded: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """Paths whose content differs between two {path: sha256} maps, marked when added or removed."""
    out = []
    for path in sorted(set(recorded) | set(now)):
        if path not in now:
            out.append(f"{path} (no longer present)")
        elif path not in recorded:
            out.append(f"{path} (added since)")
        elif recorded[path] != now[path]:
            out.append(path)
    return out


def _files_of(entry: Any) -> dict[str, str] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict):
        return None
    return {str(p): str(h) for p, h in entry["files"].items()}


def for_replay(
    recorded: Any, fetch: Callable[[list[str]], Mapping[str, bytes]], settings: Settings
) -> tuple[ReferenceData, dict[str, dict[str, Any]]]:
    """The reference data to replay a decision with, and a report per component.

    ``recorded``: the decision's ``versions.reference_data`` (absent for decisions made before it was
    recorded). ``fetch``: archived bytes by content hash. ``settings``: today's, as for :func:`manifest`.
    ``LOADED`` components are replayed with their archived files when every one is archived and hashes to what the manifest says; otherwise with the
    current files, and the report says so. ``RECORDED`` components always run on the current files; the
    report names the files (and settings) that differ from the recorded ones.

    Each report: ``status``, ``reproduced_with_archived`` (the replay used the recorded bytes),
    ``same_as_recorded`` (the data used is the recorded data; None when unknown), ``changed_since``
    (files whose current content differs from the recorded) and a ``message`` for people.
    """
    now = current(refresh=True)
    now_manifest = manifest(now, settings)
    report: dict[str, dict[str, Any]] = {}
    replace: dict[str, ReferenceData] = {}
    recorded_map = recorded if isinstance(recorded, dict) else {}
    for name in (*LOADED, *RECORDED):
        files = _files_of(recorded_map.get(name))
        if files is None:
            report[name] = {
                "status": "manifest unavailable",
                "reproduced_with_archived": False,
                "same_as_recorded": None,
                "changed_since": [],
                "message": f"{name}: manifest unavailable (the decision predates reference-data manifests); "
                "replayed with the current files",
            }
            continue
        changed = _changed(files, now_manifest[name]["files"])
        if name in RECORDED:
            old_settings = recorded_map[name].get("settings") or {}
            new_settings = now_manifest[name].get("settings") or {}
            changed += [
                f"setting {key}: recorded {old_settings.get(key)!r}, now {new_settings.get(key)!r}"
                for key in sorted(set(old_settings) | set(new_settings))
                if old_settings.get(key) != new_settings.get(key)
            ]
            report[name] = {
                "status": "current, different" if changed else "current, same as recorded",
                "reproduced_with_archived": False,
                "same_as_recorded": not changed,
                "changed_since": changed,
                "message": (
                    f"replayed with different {name} data: {', '.join(changed)}"
                    if changed
                    else f"{name}: the current files are the recorded ones"
                ),
            }
            continue
        blobs = fetch(sorted(set(files.values())))
        missing = sorted(p for p, h in files.items() if h not in blobs)
        problem = f"archived files missing: {', '.join(missing)}" if missing else ""
        if not problem:
            try:
                replace[name] = from_archive(files, blobs)
            except InputError as exc:
                problem = f"archive refused: {exc}"
        if problem:
            report[name] = {
                "status": "archive unavailable",
                "reproduced_with_archived": False,
                "same_as_recorded": not changed,
                "changed_since": changed,
                "message": f"{name}: {problem}; replayed with the current files"
                + (f", which differ: {', '.join(changed)}" if changed else " (same content)"),
            }
            continue
        report[name] = {
            "status": "archived",
            "reproduced_with_archived": True,
            "same_as_recorded": True,
            "changed_since": changed,
            "message": f"{name}: replayed with the archived files"
            + (
                f" (the current ones differ: {', '.join(changed)})"
                if changed
                else " (same as the current ones)"
            ),
        }
    return merged(now, replace), report
