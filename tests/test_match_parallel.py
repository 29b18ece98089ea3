"""Worker pools of ``chipguard.match.parallel``: workers forked from one process that decoded the list
(an input large enough to pay) against fresh spawned workers — the same output, the decoded records
shared, and a worker that dies or a caller that stops early leaving nothing behind."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from chipguard.errors import WorkerLostError
from chipguard.match import indexfile, parallel
from chipguard.match.screener import Screener
from chipguard.store.snapshots import SnapshotStore


def _mapped(shared: Path, tmp_path: Path) -> Screener:
    store = SnapshotStore()
    store.load_file(shared / "lists" / "samples" / "us_csl_sample_2019.csv")
    parties, infos = store.active_parties()
    path = tmp_path / "index.cgix"
    indexfile.write(Screener(parties, snapshots=list(infos)), path)
    return indexfile.open_screener(path)


def _startargs(screener: Screener) -> tuple[Any, ...]:
    return (str(screener.index_file.path), screener.threshold, list(screener.snapshots), None, 10)


def _report(chunk: list[int]) -> list[tuple[int, int, int, int]]:
    """In a worker: (its pid, its parent's pid, names decoded before this chunk, names in the list)."""
    entries = parallel._WORKER.index.entries
    return [(os.getpid(), os.getppid(), len(entries._cache), len(entries)) for _ in chunk]


def _dies(chunk: list[int]) -> list[int]:
    if 3 in chunk:
        os._exit(1)  # a worker killed mid-run (out of memory, a signal)
    return chunk


def _rows(screener: Screener) -> list[tuple[Any, ...]]:
    names = [p.name for p in list(screener.parties)[:150]]
    names += [n.lower()[::-1] for n in names] + [n[:-2] for n in names if len(n) > 8]
    return [(f"r{i}", name, None, None) for i, name in enumerate(names)]


def test_workers_forked_after_decoding_share_the_decoded_list(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    """From PREDECODE_MIN_ROWS rows (a list that fits the caches) every worker is a child of one host
    process that decoded the whole list before forking it: the worker's first chunk finds every name
    decoded. Below it, each worker is a fresh child of the caller with nothing decoded yet."""
    mapped = _mapped(shared, tmp_path)
    assert parallel.fits_decode_caches(mapped)
    chunks = [[i] for i in range(6)]
    start = parallel._start
    forked = [
        r
        for rs in parallel.map_chunks(mapped, 2, start, _startargs(mapped), _report, chunks, 10**6)
        for r in rs
    ]
    parents = {ppid for _, ppid, _, _ in forked}
    assert len(parents) == 1 and os.getpid() not in parents  # one host, not this process
    assert len({pid for pid, _, _, _ in forked}) <= 2
    assert all(decoded == names > 0 for _, _, decoded, names in forked), forked
    few = list(parallel.map_chunks(mapped, 2, start, _startargs(mapped), _report, chunks[:2], 10**6))
    assert len(few) == 2  # fewer chunks than the host holds at once
    spawned = [
        r for rs in parallel.map_chunks(mapped, 2, start, _startargs(mapped), _report, chunks, 1) for r in rs
    ]
    assert {ppid for _, ppid, _, _ in spawned} == {os.getpid()}
    assert min(decoded for _, _, decoded, _ in spawned) < spawned[0][3]  # a fresh worker decodes as it goes


def test_forked_and_spawned_workers_write_the_same_lines(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mapped = _mapped(shared, tmp_path)
    rows = _rows(mapped)
    monkeypatch.setattr(parallel, "CHUNK", 40)  # more chunks than the host holds at once (_window)
    assert len(rows) > 40 * parallel._window(2)
    one = list(parallel.screen_lines(mapped, rows, workers=1))
    monkeypatch.setattr(parallel, "PREDECODE_MIN_ROWS", 10**9)
    spawned = list(parallel.screen_lines(mapped, rows, workers=2))
    monkeypatch.setattr(parallel, "PREDECODE_MIN_ROWS", 0)
    forked = list(parallel.screen_lines(mapped, rows, workers=2))
    assert one == spawned == forked
    assert sum(1 for _, hits in forked if hits) >= 150  # every listed name is found, wherever it runs


def test_a_forked_worker_that_dies_or_cannot_start_is_a_lost_worker(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    mapped = _mapped(shared, tmp_path)
    chunks = [[i] for i in range(8)]
    with pytest.raises(WorkerLostError, match="ended abruptly"):
        list(parallel.map_chunks(mapped, 2, parallel._start, _startargs(mapped), _dies, chunks, 10**6))
    gone = (str(tmp_path / "gone.cgix"), *_startargs(mapped)[1:])
    with pytest.raises(WorkerLostError, match="could not start"):
        list(parallel.map_chunks(mapped, 2, parallel._start, gone, _report, chunks, 10**6))


def test_a_caller_that_stops_early_leaves_no_process_behind(home: Path, shared: Path, tmp_path: Path) -> None:
    """The host is ended when the caller closes the results early, and its forked workers follow it."""
    import multiprocessing

    mapped = _mapped(shared, tmp_path)
    chunks = [[i] for i in range(40)]
    results = parallel.map_chunks(mapped, 2, parallel._start, _startargs(mapped), _report, chunks, 10**6)
    (pid, host, _, _), *_ = next(results)
    results.close()
    assert multiprocessing.active_children() == []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            break
        if state in ("Z", "X"):  # exited, waiting for whoever adopted it to reap it
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"worker {pid} of the ended host {host} is still running")
