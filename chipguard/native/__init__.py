"""The compiled scorer, name analyser, candidate retrieval, mapped index and pair scoring: C extensions
built by mypyc (mypy's compiler) from ``chipguard/match/score.py``, ``chipguard/names/analysis.py``,
``chipguard/match/index.py``, ``chipguard/match/indexfile.py`` and ``chipguard/match/pairs.py``, used only
when they were built from exactly the sources in this checkout.

Why: these modules are most of a screening query's CPU (the scorer and the analyser; retrieval's keys and
tallies; the index file's hash-table probes and the decoding of each record a fresh worker meets; the
screener's per-candidate path, ``score_pair`` and the features of each pair);
compiled, a fresh mapped worker screens ~25 % more queries per second than pure Python (BENCHMARKS.md,
issue 16), with the same hits, scores and explanations. The pure Python modules stay the source of truth
and the fallback:

- The build (``python -m chipguard.native build``, run by the Makefile's install steps) writes the
  extensions to ``chipguard/_compiled/`` — never beside the sources, so Python's own import never picks
  them up — with a manifest recording the sha256 of every source they were compiled from: the compiled
  modules and every chipguard module they import, directly or not (mypyc compiles against their types and
  constants). No compiler, no Python headers or no mypyc: the build says so and chipguard runs pure Python.
- :func:`install` (called by ``chipguard/__init__``) puts a finder first on ``sys.meta_path``. When one of
  :data:`COMPILED` is first imported it decides once for the process: the extensions load only if
  ``CHIPGUARD_PURE_PYTHON`` is off, the manifest is for this Python, every recorded source still has its
  recorded hash and the shared library loads; otherwise every compiled module is imported from source
  (all or nothing: compiled code calls the other compiled modules directly). An edited ``score.py`` (or
  any recorded source) therefore runs as edited, tests included, until it is rebuilt.
- :func:`status` says which is in use and why (``chipguard version``, ``/healthz``, the benches).

What compiling asks of the code: a compiled class is a native class (fixed attributes, no ``__dict__``,
its methods not patchable per instance: ``NameIndex`` is made by its constructor or
``NameIndex.from_tables``), and compiled code checks the declared type of what it reads — an attribute
declared ``list`` that holds another sequence fails there, so such attributes are declared as the protocol
they are (``Sequence``, ``Mapping``); float ``sum(...)`` needs a ``0.0`` start.

Interface::

    install() -> None             # the finder (idempotent)
    status() -> Status            # compiled or pure Python, and why
    python -m chipguard.native [status|build [--force]]   # chipguard/native/__main__.py

The build itself is in ``chipguard.native.build``.

Stdlib only at import: every process that imports chipguard imports this.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

COMPILED: tuple[str, ...] = (
    "chipguard.names.analysis",
    "chipguard.match.score",
    "chipguard.match.index",
    "chipguard.match.indexfile",
    "chipguard.match.pairs",
)
GROUP = "chipguard_compiled"
SHARED_LIB = f"{GROUP}__mypyc"  # mypyc's shared library of the group: the modules' code and its runtime
PACKAGE_DIR = Path(__file__).resolve().parents[1]
ROOT = PACKAGE_DIR.parent
BUILD_DIR = PACKAGE_DIR / "_compiled"
MANIFEST = "manifest.json"
FORMAT = 1
BUILD_COMMAND = "python -m chipguard.native build"


@dataclass(frozen=True, slots=True)
class Status:
    """Whether the compiled modules are (or will be) used in this process, and why."""

    compiled: bool
    reason: str

    @property
    def scorer(self) -> str:
        """``compiled`` or ``pure``: the one word the service and the benches report."""
        return "compiled" if self.compiled else "pure"

    def describe(self) -> str:
        return f"{'compiled (mypyc)' if self.compiled else 'pure Python'}: {self.reason}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _package_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "migrations" in path.parts or BUILD_DIR in path.parents:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def sources() -> list[Path]:
    """The files the compiled modules are built from: the modules themselves and every chipguard module
    they import, directly or not, wherever the import stands (module level, in a function, under
    ``TYPE_CHECKING``), with the packages' ``__init__`` files on the way. Sorted."""
    known = _package_modules()
    seen: set[str] = set()
    todo = list(COMPILED)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # the packages above it
        path = known[name]
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = parts if is_package else parts[:-1]
                    base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target not in seen:
                    todo.append(target)
    return sorted(known[name] for name in seen)


def source_hashes() -> dict[str, str]:
    return {path.relative_to(ROOT).as_posix(): _sha256(path) for path in sources()}


def extension_suffix() -> str:
    return importlib.machinery.EXTENSION_SUFFIXES[0]


def _read_manifest(build_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def check(build_dir: Path) -> tuple[Status, dict[str, Path]]:
    """Whether the build in ``build_dir`` may be used: the status and, when it may, module → file."""
    manifest = _read_manifest(build_dir)
    rebuild = f"pure Python until rebuilt ({BUILD_COMMAND})"
    if manifest is None:
        return Status(False, f"not built ({BUILD_COMMAND} compiles it)"), {}
    if manifest.get("format") != FORMAT or manifest.get("cache_tag") != sys.implementation.cache_tag:
        return Status(False, f"built for another Python or build format; {rebuild}"), {}
    recorded = manifest.get("sources")
    files = manifest.get("files")
    if not isinstance(recorded, dict) or not isinstance(files, dict):
        return Status(False, f"the manifest is incomplete; {rebuild}"), {}
    for rel, digest in sorted(recorded.items()):
        path = ROOT / rel
        if not path.is_file() or _sha256(path) != digest:
            return Status(False, f"{rel} changed since the build; {rebuild}"), {}
    # (a new import in any of them changes that file's hash: the recorded files are enough)
    paths: dict[str, Path] = {}
    for name in (*COMPILED, SHARED_LIB):
        rel = files.get(name)
        path = build_dir / rel if isinstance(rel, str) else None
        if path is None or not path.name.endswith(extension_suffix()) or not path.is_file():
            return Status(False, f"the build has no extension for {name}; {rebuild}"), {}
        paths[name] = path
    built = manifest.get("built", "?")
    return Status(True, f"{', '.join(COMPILED)} built {built} by mypy {manifest.get('mypy', '?')}"), paths


_DECISION: tuple[Status, dict[str, Path]] | None = None


def _decide() -> tuple[Status, dict[str, Path]]:
    """Decided once per process, at the first import of a compiled module (or the first status())."""
    global _DECISION
    if _DECISION is not None:
        return _DECISION
    from chipguard.errors import InputError
    from chipguard.settings import settings

    try:
        pure = settings().pure_python
    except InputError as exc:  # the setting's own error surfaces wherever settings are read next
        _DECISION = Status(False, f"the settings do not parse ({exc})"), {}
        return _DECISION
    if pure:
        _DECISION = Status(False, "CHIPGUARD_PURE_PYTHON is on"), {}
        return _DECISION
    decision = check(BUILD_DIR)
    if decision[0].compiled:
        try:  # load the shared library now: one that does not load leaves every module pure
            _load(SHARED_LIB, decision[1][SHARED_LIB])
        except ImportError as exc:
            decision = Status(False, f"the compiled library does not load ({exc})"), {}
    _DECISION = decision
    return decision


def _load(name: str, path: Path) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


class _Finder(importlib.abc.MetaPathFinder):
    """Serves the compiled modules (and their shared library) when the decision is to use them."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in COMPILED and fullname != SHARED_LIB:
            return None
        status, files = _decide()
        if not status.compiled:
            return None
        file = files[fullname]
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


_FINDER = _Finder()


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def status() -> Status:
    """Compiled or pure Python in this process. After the compiled modules were imported it reports what
    was imported (a module imported before :func:`install` would be pure)."""
    decision = _decide()[0]
    loaded = [sys.modules[name] for name in COMPILED if name in sys.modules]
    pure_loaded = [
        m.__name__ for m in loaded if not str(getattr(m, "__file__", "")).endswith(extension_suffix())
    ]
    if decision.compiled and pure_loaded:
        return Status(False, f"{', '.join(pure_loaded)} imported from source before the finder")
    return decision
