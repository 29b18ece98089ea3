"""`lists update` against a real HTTP server on 127.0.0.1 serving trimmed real CSL files: downloads load
atomically, re-checks refresh freshness, and offline / HTTP errors / oversize files change nothing."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_snapshots_support import closed_port, http_dir, trimmed_csl, write_sources

from chipguard.errors import InputError
from chipguard.store.snapshot_update import ListUpdateError, load_bundled_if_empty, update_lists
from chipguard.store.snapshots import SnapshotStore

__all__ = ["http_dir"]  # the fixture, imported for pytest


@pytest.fixture
def served(
    home: Path, shared: Path, http_dir: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str, Path]:
    """The local server holds a trimmed real CSL as ``consolidated.csv``; the list_sources.yml of the
    reference-data override root (CHIPGUARD_DATA_OVERRIDES) points us_csl at it and turns the default UN
    download off (no internet here)."""
    folder, base = http_dir
    served_file = trimmed_csl(shared, folder / "consolidated.csv", 250)
    stamp = datetime(2026, 11, 20, 12, 0, tzinfo=UTC).timestamp()
    os.utime(served_file, (stamp, stamp))
    cfg = write_sources(
        tmp_path / "overrides" / "list_sources.yml",
        {"us_csl": {"url": f"{base}/consolidated.csv", "default": True}, "un": {"default": False}},
    )
    monkeypatch.setenv("CHIPGUARD_DATA_OVERRIDES", str(cfg.parent))
    return folder, base, cfg


def test_update_downloads_and_loads_then_rechecks(served: tuple[Path, str, Path]) -> None:
    folder, base, _ = served
    store = SnapshotStore()
    [info] = update_lists(store=store)
    assert (info.source, info.status, info.record_count) == ("us_csl", "loaded", 250)
    assert info.source_url == f"{base}/consolidated.csv"
    assert info.file_name == "consolidated.csv"
    assert info.file_date == "2026-11-20"  # the CSL states no date: HTTP Last-Modified
    [status] = store.freshness()
    assert status.basis == "official_download" and not status.stale

    [again] = update_lists(["us_csl"], store=store)
    assert (again.status, again.id) == ("unchanged", info.id)
    assert again.checked_at is not None and info.checked_at is not None
    assert again.checked_at >= info.checked_at
    # Still fresh a year after the file date because the publisher was re-checked just now.
    [status] = store.freshness(now=again.checked_at)
    assert not status.stale and status.as_of == again.checked_at


def test_offline_update_fails_clearly_and_changes_nothing(
    served: tuple[Path, str, Path], tmp_path: Path
) -> None:
    store = SnapshotStore()
    [before] = update_lists(store=store)
    write_sources(served[2], {"us_csl": {"url": f"http://127.0.0.1:{closed_port()}/consolidated.csv"}})
    with pytest.raises(ListUpdateError) as err:
        update_lists(store=store)
    assert "offline" in str(err.value) and "nothing was changed" in str(err.value)
    assert err.value.exit_code != 0
    assert [(i.id, i.sha256) for i in store.active()] == [(before.id, before.sha256)]
    assert len(store.history()) == 1


def test_http_error_and_oversize_download_change_nothing(served: tuple[Path, str, Path]) -> None:
    folder, base, cfg = served
    store = SnapshotStore()
    write_sources(cfg, {"us_csl": {"url": f"{base}/missing.csv"}})
    with pytest.raises(ListUpdateError, match="HTTP 404"):
        update_lists(store=store)
    write_sources(cfg, {"us_csl": {"url": f"{base}/consolidated.csv"}}, max_download_bytes=1000)
    with pytest.raises(ListUpdateError, match="over the 1000-byte download limit"):
        update_lists(store=store)
    assert store.active() == [] and store.history() == []


def test_one_failed_download_loads_none(served: tuple[Path, str, Path], shared: Path) -> None:
    folder, base, cfg = served
    trimmed_csl(shared, folder / "second.csv", 40, skip=9000)
    write_sources(
        cfg,
        {
            "us_csl": {"url": f"{base}/consolidated.csv", "default": True},
            "second": {"url": f"{base}/second.csv", "default": True},
            "third": {"url": f"http://127.0.0.1:{closed_port()}/x.csv", "default": True},
            "un": {"default": False},
        },
    )
    store = SnapshotStore()
    with pytest.raises(ListUpdateError):
        update_lists(store=store)
    assert store.history() == []
    infos = update_lists(["us_csl", "second"], store=store)
    assert {(i.source, i.record_count) for i in infos} == {("us_csl", 250), ("second", 40)}


def test_a_served_file_that_does_not_parse_changes_nothing(served: tuple[Path, str, Path]) -> None:
    folder, base, _ = served
    store = SnapshotStore()
    [before] = update_lists(store=store)
    (folder / "consolidated.csv").write_text(
        "<html>Service temporarily unavailable</html>\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as err:
        update_lists(store=store)
    assert err.value.file == f"{base}/consolidated.csv"
    assert [i.sha256 for i in store.active()] == [before.sha256]


def test_unknown_source_is_named(served: tuple[Path, str, Path]) -> None:
    with pytest.raises(InputError, match="no download URL configured for source"):
        update_lists(["nowhere"])


def test_local_mirror_path_works_offline(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = trimmed_csl(shared, tmp_path / "mirror" / "consolidated.csv", 30)
    cfg = write_sources(
        tmp_path / "overrides" / "list_sources.yml",
        {"us_csl": {"url": mirror.as_uri(), "default": True}, "un": {"default": False}},
    )
    monkeypatch.setenv("CHIPGUARD_DATA_OVERRIDES", str(cfg.parent))
    [info] = update_lists()
    assert (info.status, info.record_count) == ("loaded", 30)


def test_bundled_loads_only_into_an_empty_home(home: Path, shared: Path, tmp_path: Path) -> None:
    store = SnapshotStore()
    store.load_file(trimmed_csl(shared, tmp_path / "a.csv", 10))
    assert load_bundled_if_empty(store) == []
    assert [i.record_count for i in store.active()] == [10]
