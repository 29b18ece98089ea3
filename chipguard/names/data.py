"""Loads the name vocabularies shipped in ``chipguard/data/names`` once per process.

The vocabularies are data (rigour's legal forms, symbols and stopwords; our curated confusables and
abbreviations) so that a compliance team can extend them without touching code. Each loader is cached:
the files are read once, then every name analysis reuses the compiled lookup tables.

Every name-matching file (``names/*.yml`` and ``zh/*``, read by this module, ``chinese_vocab`` and
``enrichment`` through ``name_data_file``) is looked up in the one reference-data override root
(``CHIPGUARD_DATA_OVERRIDES``, default ``$CHIPGUARD_HOME/data``, laid out like ``chipguard/data``) first,
falling back to the bundled file, through ``refdata.recorded_file``: one read per process serves the
loaders and the manifest a decision records. It is read when first needed, so it applies per process: a
replay runs the screening in a fresh process whose override root is the archived files
(chipguard.service.replay_worker), and a deployment editing the names data restarts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from chipguard.config import data_dir, data_file, overrides_dir
from chipguard.datafiles import load_yaml as _load_yaml_source
from chipguard.errors import InputError
from chipguard.refdata import recorded_file
from chipguard.settings import settings


def name_data_dir() -> Path:
    """The override root the name-matching files are looked up in first (``CHIPGUARD_DATA_OVERRIDES``)."""
    return overrides_dir()


def name_data_file(rel: str) -> Path:
    """The file a loader reads for ``rel`` (relative to ``chipguard/data``, e.g. ``zh/org_terms.yml``):
    the override root's when it has one, else the bundled one."""
    return data_file(rel)


def names_dir() -> Path:
    return data_dir() / "names"


@cache
def load_yaml(name: str) -> Any:
    """``names/<name>`` parsed from the bytes decisions record (``refdata.recorded_file``)."""
    return _load_yaml_source(recorded_file(f"names/{name}").text())


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


def with_introduced_keys(data: dict[str, Any], introduced: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a matching.yml) with every key of ``introduced`` it lacks filled in, section by section:
    an archived matching.yml predates keys today's engine reads (matching_introduced.yml says why)."""
    out = dict(data)
    for key, value in introduced.items():
        if key not in out:
            out[key] = value
        elif isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = with_introduced_keys(out[key], value)
    return out


@cache
def matching_config() -> dict[str, Any]:
    """Threshold and weights of the scorer; ``CHIPGUARD_MATCH_THRESHOLD`` overrides the threshold. Keys
    an (archived) matching.yml lacks take the value matching_introduced.yml gives them."""
    data: dict[str, Any] = with_introduced_keys(
        dict(load_yaml("matching.yml")), dict(load_yaml("matching_introduced.yml") or {})
    )
    threshold = settings().match_threshold
    if threshold is not None:
        data["threshold"] = threshold
    return data


def recorded_settings() -> dict[str, dict[str, Any]]:
    """What changes name matching besides its files, recorded with each decision (``refdata.manifest``):
    the threshold, which ``CHIPGUARD_MATCH_THRESHOLD`` may override."""
    return {"matching": {"threshold": default_threshold()}}


def default_threshold() -> float:
    threshold = settings().match_threshold
    if threshold is not None:
        return threshold
    return float(matching_config()["threshold"])


def checked_threshold(threshold: float | None, field: str = "threshold") -> float:
    """``threshold`` as a float, or :func:`default_threshold` when None; an InputError naming ``field``
    unless it is a finite number from 0 to 1.

    Why: a name score is never above 1, so a threshold over 1 (``--threshold 85`` meant as 85 %) or NaN
    (no comparison with it holds) would screen every name clean, a listed party included, and say so with
    exit 0. Every face's cut goes through here (the screener's default and per-query cut, ``compare``,
    batch jobs, ``check_query`` before anything is screened); ``CHIPGUARD_MATCH_THRESHOLD`` is held to
    the same range by its settings parser."""
    if threshold is None:
        return default_threshold()
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise InputError(
            f"a match threshold is a number from 0 to 1, not {threshold!r}", field=field
        ) from None
    if not 0.0 <= value <= 1.0:  # NaN fails this too
        default = float(matching_config()["threshold"])
        why = "" if value < 0 else ": with it no name would match, a listed party included"
        raise InputError(
            f"a match threshold is a score from 0 to 1 (matching.yml's default is {default:.2f}), not "
            f"{threshold!r}{why}",
            field=field,
        )
    return value
