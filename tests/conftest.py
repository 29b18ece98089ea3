"""Shared fixtures: a private CHIPGUARD_HOME per test and the path of the real data in ../shared/data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chipguard.settings import settings
from chipguard.store import testing

REPO = Path(__file__).resolve().parent.parent
SHARED = settings().shared_data


@pytest.fixture
def shared() -> Path:
    """../shared/data; tests that need it are skipped where it is absent (the product never needs it)."""
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty CHIPGUARD_HOME so no test sees another's state."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("CHIPGUARD_HOME", str(path))
    monkeypatch.delenv("CHIPGUARD_DATABASE_URL", raising=False)
    yield path


@pytest.fixture(params=testing.backends())
def db_url(request: pytest.FixtureRequest, home: Path, tmp_path: Path) -> Iterator[str]:
    """A fresh database per test on every backend under test: SQLite always, PostgreSQL when
    CHIPGUARD_TEST_PG_URL is set (as .ci/run does)."""
    with testing.database(request.param, tmp_path) as url:
        yield url
