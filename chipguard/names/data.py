"""Loads the name vocabularies shipped in ``chipguard/data/names`` once per process.

The vocabularies are data (rigour's legal forms, symbols and stopwords; our curated confusables and
abbreviations) so that a compliance team can extend them without touching code. Each loader is cached:
the files are read once, then every name analysis reuses the compiled lookup tables.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from chipguard.config import data_dir


def names_dir() -> Path:
    return data_dir() / "names"


@cache
def load_yaml(name: str) -> Any:
    with (names_dir() / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


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
