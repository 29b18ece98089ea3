"""Shared fixtures: a private CHIPGUARD_HOME per test, the path of the real data in ../shared/data, a
fresh database per backend and the REST app the casework and jobs tests share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from chipguard.settings import settings
from chipguard.store import testing

if TYPE_CHECKING:
    from test_api_support import Api

REPO = Path(__file__).resolve().parent.parent
SHARED = settings().shared_data


@pytest.fixture(autouse=True, scope="session")
def _never_the_real_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test runs with a CHIPGUARD_HOME of the test session's own, tests that take ``home`` with one
    of their own: a test that forgot ``home`` wrote its audit checkpoints and index caches into the
    user's real ~/.chipguard (found from 30 foreign chains in a developer's checkpoint file)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("CHIPGUARD_HOME", str(tmp_path_factory.mktemp("session-home")))
    yield
    patch.undo()


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


@pytest.fixture(params=testing.backends())
def srv(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Api]:
    """The REST app (``test_api_support.api``) on each backend with the CSL sample loaded and, beside a key
    per role, a second analyst (``analyst_b``) and an auditor: the set-up of the casework and jobs tests.
    A test module with a ``srv`` of its own uses that one."""
    from test_api_support import SECOND_ANALYST_AND_AUDITOR, api

    with api(request.param, tmp_path, shared, more_keys=SECOND_ANALYST_AND_AUDITOR) as a:
        yield a
