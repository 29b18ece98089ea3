"""Where chipguard keeps its state and where its reference data comes from.

Everything lives under ``CHIPGUARD_HOME`` (default ``~/.chipguard``) so that a deployment, a test or
a benchmark can point at its own store without touching another's. The variables themselves are parsed
in ``chipguard.settings`` (the one place that reads them); these helpers add what callers need on top:
creating the home, the SQLite default of the store, and the lookup of a reference file through the one
override root.
"""

from __future__ import annotations

from pathlib import Path

from chipguard.settings import settings


def home(create: bool = True) -> Path:
    """``CHIPGUARD_HOME``; ``create=False`` for callers that only look for optional files there (reading
    reference data must not create a home as a side effect)."""
    path = settings().home
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """SQLAlchemy URL of the store: ``CHIPGUARD_DATABASE_URL`` or an SQLite file in the home."""
    return settings().database_url or f"sqlite:///{home() / 'chipguard.db'}"


def data_dir() -> Path:
    """Reference data and the offline list snapshot shipped inside the package."""
    return Path(__file__).parent / "data"


def overrides_dir() -> Path:
    """The one reference-data override root (``CHIPGUARD_DATA_OVERRIDES``, default
    ``$CHIPGUARD_HOME/data``), laid out like ``data_dir()``. Not created: absent means no overrides."""
    return settings().data_overrides


def data_file(rel: str) -> Path:
    """The file to read for ``rel`` (a path relative to ``chipguard/data``, e.g. ``zh/org_terms.yml``): the
    override root's when it has one, else the bundled one."""
    override = overrides_dir() / rel
    return override if override.is_file() else data_dir() / rel
