"""Where chipguard keeps its state and how it is configured.

Everything lives under ``CHIPGUARD_HOME`` (default ``~/.chipguard``) so that a deployment, a test or
a benchmark can point at its own store without touching another's.
"""

from __future__ import annotations

import os
from pathlib import Path


def home(create: bool = True) -> Path:
    """``CHIPGUARD_HOME``; ``create=False`` for callers that only look for optional files there (reading
    reference data must not create a home as a side effect)."""
    path = Path(os.environ.get("CHIPGUARD_HOME") or Path.home() / ".chipguard").expanduser()
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """SQLAlchemy URL of the store: ``CHIPGUARD_DATABASE_URL`` or an SQLite file in the home."""
    return os.environ.get("CHIPGUARD_DATABASE_URL") or f"sqlite:///{home() / 'chipguard.db'}"


def data_dir() -> Path:
    """Reference data and the offline list snapshot shipped inside the package."""
    return Path(__file__).parent / "data"
