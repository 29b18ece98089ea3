"""The on-disk index cache: reused for the same snapshots, rebuilt when they change or the file is
damaged, off when asked; screening answers are the same either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipguard.match import engine_digest
from chipguard.match.screener import Screener
from chipguard.service import index_cache
from chipguard.service.screening import screener_of
from chipguard.store.snapshots import SnapshotStore


def _names(screener: Screener, query: str) -> list[tuple[str, float]]:
    return [(h.party_id, h.score) for h in screener.screen(query)]


def test_same_snapshots_reuse_the_cached_index(home: Path, shared: Path) -> None:
    store = SnapshotStore()
    store.load_file(shared / "lists" / "samples" / "us_csl_sample_2019.csv")
    first = screener_of(store)
    files = list((home / "cache").glob("screener-*.cgix"))
    assert len(files) == 1
    again = screener_of(store, threshold=0.9)
    assert again is not first and again.threshold == 0.9
    assert [s.sha256 for s in again.snapshots] == [s.sha256 for s in first.snapshots]
    query = first.parties[0].name
    assert _names(again, query) == [(p, s) for p, s in _names(first, query) if s >= 0.9]

    # Another snapshot → another key, a new index.
    store.load_file(shared / "lists" / "samples" / "us_csl_sample_2025.csv")
    changed = screener_of(store)
    assert len(changed.parties) != len(first.parties)
    assert len(list((home / "cache").glob("screener-*.cgix"))) == 2


def test_a_damaged_cache_file_is_rebuilt(home: Path, shared: Path) -> None:
    store = SnapshotStore()
    store.load_file(shared / "lists" / "samples" / "us_csl_sample_2019.csv")
    built = screener_of(store)
    (cached,) = (home / "cache").glob("screener-*.cgix")
    cached.write_bytes(b"not an index")
    rebuilt = screener_of(store)
    assert len(rebuilt.parties) == len(built.parties)
    assert cached.read_bytes() != b"not an index"


def test_a_flipped_truncated_or_emptied_cache_file_is_said_rebuilt_and_answers_as_before(
    home: Path, shared: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """What an operator meets on a real disk — one flipped bit, a file cut in half, an emptied file — is
    never answered from: each is reported (the file and why, on the chipguard.index logger, which the CLI
    prints on stderr), removed and rebuilt to the same bytes, and the screener gives the hits it gave."""
    store = SnapshotStore()
    store.load_file(shared / "lists" / "samples" / "us_csl_sample_2019.csv")
    built = screener_of(store)
    (cached,) = (home / "cache").glob("screener-*.cgix")
    good = cached.read_bytes()
    queries = [p.name for p in list(built.parties)[:40]]
    expected = [[h.to_dict() for h in built.screen(q)] for q in queries]
    assert sum(1 for hits in expected if hits) >= 30
    flipped = bytearray(good)
    flipped[len(good) * 2 // 3] ^= 0x01
    for damage, why in (
        (bytes(flipped), "sha256 does not match"),
        (good[: len(good) // 2], "sha256 does not match"),
        (b"", "cannot mmap an empty file"),
    ):
        cached.write_bytes(damage)
        caplog.clear()
        with caplog.at_level("WARNING", logger="chipguard.index"):
            again = screener_of(store)
        (record,) = [r for r in caplog.records if r.name == "chipguard.index"]
        assert str(cached) in record.getMessage() and why in record.getMessage(), record.getMessage()
        assert "rebuilding" in record.getMessage()
        assert cached.read_bytes() == good
        assert [[h.to_dict() for h in again.screen(q)] for q in queries] == expected


def test_cache_can_be_turned_off(home: Path, shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPGUARD_INDEX_CACHE", "0")
    store = SnapshotStore()
    store.load_file(shared / "lists" / "samples" / "us_csl_sample_2019.csv")
    screener_of(store)
    assert not index_cache.enabled()
    assert not (home / "cache").exists()


def test_the_screener_answers_from_the_mapped_file_also_right_after_building_it(
    home: Path, shared: Path
) -> None:
    store = SnapshotStore()
    store.load_file(shared / "lists" / "samples" / "us_csl_sample_2019.csv")
    legacy = home / "cache" / "screener-0123.pickle"  # the cache format before the index file
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"old")
    first = screener_of(store)
    (cached,) = (home / "cache").glob("screener-*.cgix")
    assert first.index_file.path == cached  # type: ignore[attr-defined]
    assert not legacy.exists()
    again = screener_of(store)
    assert again.index_file.path == cached  # type: ignore[attr-defined]
    built = Screener(list(first.parties))
    for party in list(built.parties)[:20]:
        assert _names(again, party.name) == _names(built, party.name)


def test_cache_key_covers_the_list_parsers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index is built from parsed records: a parser change (e.g. a list's identifiers read anew) must
    build afresh, never reuse an index holding the old parse. On a copy of the package's folders."""
    import shutil

    root = Path(index_cache.__file__).parent.parent
    copy = tmp_path / "chipguard"
    copy.mkdir()
    for folder in ("match", "names", "data"):
        (copy / folder).symlink_to(root / folder)
    shutil.copytree(root / "sources", copy / "sources")
    monkeypatch.setattr(engine_digest, "data_dir", lambda: copy / "data")
    engine_digest.code_and_data_digest.cache_clear()
    try:
        before = index_cache.cache_key(["abc"])
        parser = copy / "sources" / "csl.py"
        parser.write_bytes(parser.read_bytes() + b"\n# changed\n")
        engine_digest.code_and_data_digest.cache_clear()
        assert index_cache.cache_key(["abc"]) != before
    finally:
        engine_digest.code_and_data_digest.cache_clear()
