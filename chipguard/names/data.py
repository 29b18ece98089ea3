"""Loads the name vocabularies shipped in ``chipguard/data/names`` once per process.

The vocabularies are data (rigour's legal forms, symbols and stopwords; our curated confusables and
abbreviations) so that a compliance team can extend them without touching code. Each loader is cached:
the files are read once, then every name analysis reuses the compiled lookup tables.

``CHIPGUARD_NAME_DATA_DIR`` is the one override hook for every name-matching file (``names/*.yml`` and
``zh/*``, read by this module, ``chinese_vocab`` and ``enrichment`` through ``name_data_file``): a folder
laid out like ``chipguard/data`` whose files replace the bundled ones, the others falling back to the
bundled files. It is read when a loader first runs, so it applies per process: a replay runs the
screening in a fresh process pointed at the archived files (chipguard.replay_worker), and a deployment
editing the names data restarts.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from chipguard.config import data_dir
from chipguard.datafiles import load_yaml as _load_yaml_source

NAME_DATA_ENV = "CHIPGUARD_NAME_DATA_DIR"


def name_data_dir() -> Path | None:
    """The override folder (``CHIPGUARD_NAME_DATA_DIR``), None when unset."""
    value = os.environ.get(NAME_DATA_ENV, "").strip()
    return Path(value).expanduser() if value else None


def name_data_file(rel: str) -> Path:
    """The file a loader reads for ``rel`` (relative to ``chipguard/data``, e.g. ``zh/org_terms.yml``):
    the override folder's when it has one, else the bundled one."""
    overlay = name_data_dir()
    if overlay is not None and (overlay / rel).is_file():
        return overlay / rel
    return data_dir() / rel


def names_dir() -> Path:
    return data_dir() / "names"


@cache
def load_yaml(name: str) -> Any:
    with name_data_file(f"names/{name}").open(encoding="utf-8") as fh:
        return _load_yaml_source(fh)


@cache
def confusables() -> dict[str, str]:
    return {str(k): str(v) for k, v in (load_yaml("confusables.yml")["map"] or {}).items()}


@cache
def strict_confusables() -> frozenset[str]:
    return frozenset(str(load_yaml("confusables.yml").get("strict", "")))


@cache
def folds() -> dict[str, str]:
    return {str(k): str(v) for k, v in (load_yaml("confusables.yml")["folds"] or {}).items()}


@cache
def vocabulary() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml("vocabulary.yml")
    return data


@cache
def matching_config() -> dict[str, Any]:
    """Threshold and weights of the scorer; ``CHIPGUARD_MATCH_THRESHOLD`` overrides the threshold."""
    data: dict[str, Any] = dict(load_yaml("matching.yml"))
    env = os.environ.get("CHIPGUARD_MATCH_THRESHOLD")
    if env:
        data["threshold"] = float(env)
    return data


def default_threshold() -> float:
    env = os.environ.get("CHIPGUARD_MATCH_THRESHOLD")
    if env:
        return float(env)
    return float(matching_config()["threshold"])
