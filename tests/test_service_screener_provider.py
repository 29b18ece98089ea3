"""ScreenerProvider under concurrent requests: one caller re-reads the lists and builds the new screener,
the others keep answering from the current one meanwhile; before the first screener exists they wait for
it; lists found missing fail every caller closed. The store and the build are stand-ins (an Event holds
the build), so the test follows the threads, not the speed of a real index build."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest

from chipguard.errors import ListsUnavailableError
from chipguard.service import screening
from chipguard.service.screening import ScreenerProvider

WAIT = 30.0  # seconds a thread may take before the test calls it stuck


class Lists:
    """The active snapshots as require_lists sees them, and the builds screener_of was asked for."""

    def __init__(self) -> None:
        self.active: list[Any] = [SimpleNamespace(source="us_csl", sha256="a")]
        self.builds: list[str] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.reading = threading.Event()
        self.read = threading.Event()  # the re-read of the active snapshots may finish
        self.read.set()

    def require(self, store: Any) -> list[Any]:
        self.reading.set()
        assert self.read.wait(WAIT)
        if not self.active:
            raise ListsUnavailableError("no restricted-party list is loaded")
        return list(self.active)

    def build(self, store: Any, infos: list[Any]) -> Any:
        self.builds.append(infos[0].sha256)
        self.started.set()
        assert self.release.wait(WAIT)
        return SimpleNamespace(snapshots=infos, built_from=infos[0].sha256)


@pytest.fixture
def lists(monkeypatch: pytest.MonkeyPatch) -> Lists:
    made = Lists()
    monkeypatch.setattr(screening, "require_lists", made.require)
    monkeypatch.setattr(screening, "screener_of", made.build)
    return made


def test_one_caller_rebuilds_while_the_others_answer_from_the_current_screener(lists: Lists) -> None:
    provider = ScreenerProvider(store=None, check_seconds=3600)  # type: ignore[arg-type]
    assert provider.get().built_from == "a"  # type: ignore[attr-defined]
    lists.active = [SimpleNamespace(source="us_csl", sha256="b")]
    lists.started.clear()
    lists.release.clear()
    provider.invalidate()  # as loading new lists does
    lists.read.clear()
    lists.reading.clear()
    with ThreadPoolExecutor(max_workers=9) as pool:
        builder = pool.submit(provider.get)
        assert lists.reading.wait(WAIT)  # the builder is re-reading the active snapshots
        readers = [pool.submit(provider.get) for _ in range(4)]
        # each reader answers at once from the screener of the old lists, not after the re-read …
        assert [r.result(timeout=WAIT).built_from for r in readers] == ["a"] * 4
        lists.read.set()
        assert lists.started.wait(WAIT)  # … nor after the build, which the builder now holds
        readers = [pool.submit(provider.get) for _ in range(4)]
        assert [r.result(timeout=WAIT).built_from for r in readers] == ["a"] * 4
        assert not builder.done() and lists.builds == ["a", "b"]  # one builder
        lists.release.set()
        assert builder.result(timeout=WAIT).built_from == "b"
    assert provider.get().built_from == "b"  # type: ignore[attr-defined]
    assert lists.builds == ["a", "b"]


def test_callers_wait_for_the_first_screener_and_it_is_built_once(lists: Lists) -> None:
    provider = ScreenerProvider(store=None)  # type: ignore[arg-type]
    lists.release.clear()
    with ThreadPoolExecutor(max_workers=4) as pool:
        calls = [pool.submit(provider.get) for _ in range(4)]
        assert lists.started.wait(WAIT)
        assert not any(c.done() for c in calls)  # nothing to answer with before the first build
        lists.release.set()
        assert {c.result(timeout=WAIT).built_from for c in calls} == {"a"}
    assert lists.builds == ["a"]


def test_lists_found_missing_fail_every_caller_closed(lists: Lists) -> None:
    provider = ScreenerProvider(store=None, check_seconds=3600)  # type: ignore[arg-type]
    provider.get()
    lists.active = []
    provider.invalidate()
    for _ in range(2):  # the old screener is dropped, not served to the next caller
        with pytest.raises(ListsUnavailableError):
            provider.get()
    lists.active = [SimpleNamespace(source="us_csl", sha256="c")]
    assert provider.get().built_from == "c"  # type: ignore[attr-defined]
