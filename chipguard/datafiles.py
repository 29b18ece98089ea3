"""Reading the YAML reference data (rule sets, catalogue, regimes, thresholds) and customer overrides.

One reader so every data file fails the same way: an unreadable file or invalid YAML becomes an
InputError naming the file (and the line, where YAML says it), never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import yaml

from chipguard.errors import InputError

# libyaml's C parser where PyYAML was built with it (the PyPI wheels are): the same documents, read about
# ten times faster than the pure-Python loader (the names vocabulary alone took ~2 s per process start).
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(source: str | IO[str]) -> Any:
    """``yaml.safe_load`` through the C loader when available: the one way chipguard reads YAML."""
    return yaml.load(source, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader (C or Python)


def compose_yaml(source: str) -> yaml.Node | None:
    """``yaml.compose`` (nodes with their line numbers) through the same loader as :func:`load_yaml`."""
    return yaml.compose(source, Loader=_SAFE_LOADER)


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", file=str(path)) from exc
    return parse_yaml(text, str(path))


def parse_yaml(text: str, file: str) -> Any:
    """YAML already read (e.g. archived reference data); errors name ``file`` and the line."""
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"invalid YAML: {exc}", file=file, line=(mark.line + 1) if mark else None) from exc


def parse_yaml_mapping(text: str, file: str) -> dict[str, Any]:
    """``parse_yaml`` of a document that must be a mapping at the top level."""
    doc = parse_yaml(text, file)
    if not isinstance(doc, dict):
        raise InputError("expected a mapping at the top level", file=file)
    return doc


def read_yaml_mapping(path: Path, *, empty_ok: bool = False) -> dict[str, Any]:
    """The file's top-level mapping; ``empty_ok`` lets an empty file stand for {} (an override file
    a user created but has not filled yet)."""
    doc = read_yaml(path)
    if doc is None and empty_ok:
        return {}
    if not isinstance(doc, dict):
        raise InputError("expected a mapping at the top level", file=str(path))
    return doc
