"""List snapshots on the real CSL: content hashing, no-op reloads, atomic replacement, replay of old
snapshots, fail-closed when the home is empty, and staleness."""

from __future__ import annotations

import gzip
import hashlib
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session
from test_snapshots_support import CSL_NAME, CSL_ROWS, trimmed_csl, write_sources

from chipguard import config
from chipguard.errors import ChipguardError, InputError, ListsUnavailableError
from chipguard.sources import SourceError, parse_file
from chipguard.store.snapshot_sources import bundled_manifest
from chipguard.store.snapshots import (
    ActivationRow,
    LoadSpec,
    SnapshotPartyRow,
    SnapshotRow,
    SnapshotStore,
    date_from_name,
    parse_list_date,
    require_lists,
)


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        snapshots = session.scalar(select(func.count()).select_from(SnapshotRow)) or 0
        parties = session.scalar(select(func.count()).select_from(SnapshotPartyRow)) or 0
    return snapshots, parties


def test_real_csl_loads_round_trips_and_reload_is_unchanged(home: Path, shared: Path) -> None:
    path = shared / CSL_NAME
    store = SnapshotStore()
    info = store.load_file(path)
    assert info.status == "loaded"
    assert info.record_count == CSL_ROWS
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (info.source, info.format, info.file_name) == ("us_csl", "csl_csv", "us_csl_2022-04.csv.gz")
    assert info.file_date == "2022-04"  # from the file name: the CSL states no date inside

    parties, infos = store.active_parties()
    assert [i.id for i in infos] == [info.id]
    # What comes back from the database is exactly what the parser produced, in file order.
    assert parties == parse_file(path).parties

    again = store.load_file(path)
    assert again.status == "unchanged"
    assert again.id == info.id
    assert _counts(store.engine) == (1, CSL_ROWS)


def test_replacing_keeps_the_old_snapshot_for_replay(home: Path, shared: Path, tmp_path: Path) -> None:
    first = trimmed_csl(shared, tmp_path / "a.csv", 200)
    second = trimmed_csl(shared, tmp_path / "b.csv", 300, skip=5000)
    store = SnapshotStore()
    a = store.load_file(first)
    b = store.load_file(second)
    assert (a.status, b.status, b.previous_id) == ("loaded", "replaced", a.id)
    assert [i.id for i in store.active()] == [b.id]
    assert len(store.active_parties()[0]) == 300

    old = store.get_snapshot(a.sha256)
    assert (old.id, old.active, old.record_count) == (a.id, False, 200)
    assert [p.party_id for p in store.parties_of([a.id])] == [p.party_id for p in parse_file(first).parties]
    assert store.get_snapshot(f"us_csl:{b.sha256[:10]}").id == b.id
    assert store.get_snapshot(str(a.id)).sha256 == a.sha256
    some = parse_file(first).parties[17]
    assert store.party(a.id, some.party_id) == some
    assert store.party(b.id, some.party_id) is None

    back = store.load_file(first)  # the same bytes as an old snapshot: reactivate it, store nothing new
    assert (back.status, back.id, back.previous_id) == ("reactivated", a.id, b.id)
    assert _counts(store.engine) == (2, 500)
    assert [h.id for h in store.history("us_csl")] == [b.id, a.id]
    with Session(store.engine) as session:
        flips = [(r.snapshot_id, r.previous_snapshot_id) for r in session.scalars(select(ActivationRow))]
    assert flips == [(a.id, None), (b.id, a.id), (a.id, b.id)]


def test_bad_snapshot_refs_are_input_errors(home: Path, shared: Path, tmp_path: Path) -> None:
    store = SnapshotStore()
    store.load_file(trimmed_csl(shared, tmp_path / "a.csv", 50))
    for ref in ("zz-not-a-hash", "000000000000", "999"):
        with pytest.raises(InputError):
            store.get_snapshot(ref)


def test_truncated_gzip_over_an_existing_snapshot_changes_nothing(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    store = SnapshotStore()
    before = store.load_file(trimmed_csl(shared, tmp_path / "a.csv", 200))
    broken = tmp_path / "us_csl_truncated.csv.gz"
    data = (shared / CSL_NAME).read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as err:
        store.load_file(broken)
    assert err.value.file == str(broken)
    assert [(i.id, i.sha256, i.record_count) for i in store.active()] == [
        (before.id, before.sha256, before.record_count)
    ]
    assert _counts(store.engine) == (1, 200)


def test_garbled_row_names_file_and_line_and_changes_nothing(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    store = SnapshotStore()
    good = trimmed_csl(shared, tmp_path / "a.csv", 200)
    before = store.load_file(good)
    lines = good.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[40] = lines[40].rstrip("\n") + ',"extra","cells"\n'  # line 41 now has more cells than the header
    garbled = tmp_path / "garbled.csv"
    garbled.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        store.load_file(garbled)
    assert (err.value.file, err.value.line) == (str(garbled), 41)
    assert [i.sha256 for i in store.active()] == [before.sha256]
    assert _counts(store.engine) == (1, 200)


def test_database_failure_mid_load_rolls_back_everything(home: Path, shared: Path, tmp_path: Path) -> None:
    """A real failure inside the transaction, after the new snapshot and its parties were inserted (the
    pointer flip's history insert is refused): the new rows vanish and the old snapshot stays active."""
    store = SnapshotStore()
    before = store.load_file(trimmed_csl(shared, tmp_path / "a.csv", 200))
    new_file = trimmed_csl(shared, tmp_path / "b.csv", 300, skip=1000)

    seen: list[str] = []

    def refuse(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement.lstrip().upper()[:40])
        if statement.lstrip().upper().startswith("INSERT INTO LIST_ACTIVATIONS"):
            raise RuntimeError("disk full (injected)")

    event.listen(store.engine, "before_cursor_execute", refuse)
    try:
        with pytest.raises((ChipguardError, RuntimeError)):
            store.load_file(new_file)
    finally:
        event.remove(store.engine, "before_cursor_execute", refuse)
    assert any(st.startswith("INSERT INTO LIST_SNAPSHOT_PARTIES") for st in seen)  # it got that far
    assert seen[-1].startswith("INSERT INTO LIST_ACTIVATIONS")
    assert [(i.id, i.sha256, i.record_count) for i in store.active()] == [
        (before.id, before.sha256, before.record_count)
    ]
    assert _counts(store.engine) == (1, 200)
    assert store.load_file(new_file).status == "replaced"  # and the store still works afterwards


def test_several_files_load_all_or_nothing(home: Path, shared: Path, tmp_path: Path) -> None:
    store = SnapshotStore()
    good = trimmed_csl(shared, tmp_path / "good.csv", 100)
    bad = tmp_path / "bad.csv"
    bad.write_text("source,name,alt_names,addresses\nEntity List,,,\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        store.load_files([LoadSpec(good, source="acme"), LoadSpec(bad, source="other")])
    assert (err.value.file, err.value.line, err.value.field) == (str(bad), 2, "name")
    assert store.active() == []
    assert _counts(store.engine) == (0, 0)
    with pytest.raises(InputError, match="two files for source 'us_csl'"):
        store.load_files([LoadSpec(good), LoadSpec(trimmed_csl(shared, tmp_path / "g2.csv", 10))])


def test_loading_under_another_source_name_renames_every_party(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    store = SnapshotStore()
    info = store.load_file(trimmed_csl(shared, tmp_path / "deny.csv", 60), source="acme_deny")
    parties, _ = store.active_parties()
    assert info.source == "acme_deny"
    assert len(parties) == 60
    assert {p.source for p in parties} == {"acme_deny"}
    with pytest.raises(InputError, match="invalid source name"):
        store.load_file(tmp_path / "deny.csv", source="bad name; drop")


def test_empty_home_fails_closed_with_the_how_to(home: Path) -> None:
    with pytest.raises(ListsUnavailableError) as err:
        require_lists()
    message = str(err.value)
    assert "chipguard lists load --bundled" in message
    assert "chipguard lists update" in message
    assert err.value.exit_code != 0


def test_stale_lists_are_reported_and_refused_when_fresh_is_required(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SnapshotStore()
    store.load_file(trimmed_csl(shared, tmp_path / "us_csl_2022-04.csv", 100))
    [status] = store.freshness(now=datetime(2022, 4, 15, tzinfo=UTC))
    assert (status.basis, round(status.age_days), status.max_age_days, status.stale) == (
        "file_date",
        14,
        30,
        False,
    )
    [status] = store.freshness(now=datetime(2026, 11, 26, tzinfo=UTC))
    assert status.stale and status.age_days > 1600
    assert require_lists(store)  # stale lists still screen: a hit on an old list is still a hit
    with pytest.raises(ListsUnavailableError, match="stale: us_csl"):
        require_lists(store, fresh=True)

    # The ceiling is configuration: the override root's file (default $CHIPGUARD_HOME/data), then the
    # environment variable.
    write_sources(config.overrides_dir() / "list_sources.yml", {"us_csl": {"max_age_days": 100000}})
    assert store.stale_sources() == []
    write_sources(config.overrides_dir() / "list_sources.yml", {}, max_age_days=100000)
    assert store.stale_sources() == []
    monkeypatch.setenv("CHIPGUARD_LISTS_MAX_AGE_DAYS", "7")
    assert store.stale_sources() == ["us_csl"]


def test_a_dateless_file_ages_from_its_load_time(home: Path, shared: Path, tmp_path: Path) -> None:
    store = SnapshotStore()
    info = store.load_file(trimmed_csl(shared, tmp_path / "list.csv", 20))
    [status] = store.freshness()
    assert (info.file_date, status.basis, status.stale) == ("", "loaded_at", False)
    assert status.as_of == info.loaded_at


def test_list_dates() -> None:
    assert date_from_name("us_csl_2022-04.csv.gz") == "2022-04"
    assert date_from_name("ofac_cons_enhanced_2025-01-10.zip") == "2025-01-10"
    assert date_from_name("consolidated.csv") == ""
    assert parse_list_date("2026-02-27T00:00:09.554Z") == datetime(2026, 2, 27, 0, 0, 9, 554000, tzinfo=UTC)
    assert parse_list_date("2022-04") == datetime(2022, 4, 1, tzinfo=UTC)
    assert parse_list_date("April") is None


def test_bundled_snapshot_is_complete_and_attributed(shared: Path) -> None:
    manifest = bundled_manifest()
    notice = (config.data_dir() / "lists" / "NOTICE").read_text(encoding="utf-8")
    assert {entry.source for entry in manifest} >= {"us_csl", "un"}
    for entry in manifest:
        assert entry.path.is_file(), entry.path
        assert entry.path.name in notice
        assert entry.file_date and entry.url.startswith("https://")
    csl = next(e for e in manifest if e.source == "us_csl")
    assert csl.path.read_bytes() == (shared / CSL_NAME).read_bytes()
    un = next(e for e in manifest if e.source == "un")
    with gzip.open(un.path, "rb") as fh:
        assert fh.read() == (shared / "lists" / "un_consolidated_2026-02-27.xml").read_bytes()


def test_concurrent_loads_serialise_into_a_consistent_history(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    """Several loaders at once (two API workers, a cron update): every load lands whole, the pointer
    history is a chain, and loading the same bytes twice stores them once."""
    files = [trimmed_csl(shared, tmp_path / f"{n}.csv", 60, skip=n * 60) for n in range(4)]
    store = SnapshotStore()
    errors: list[BaseException] = []

    def load(path: Path) -> None:
        try:
            SnapshotStore(store.engine).load_file(path)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(f,)) for f in files + files[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _counts(store.engine) == (4, 240)
    with Session(store.engine) as session:
        flips = [(r.snapshot_id, r.previous_snapshot_id) for r in session.scalars(select(ActivationRow))]
    for (before, _), (_, previous) in zip(flips, flips[1:], strict=False):
        assert previous == before
    assert [i.id for i in store.active()] == [flips[-1][0]]


def test_a_multi_file_ofac_csv_set_loads_from_its_directory(home: Path, shared: Path, tmp_path: Path) -> None:
    """The OFAC legacy CSV set is four files joined on ent_num; its directory is one snapshot whose
    hash covers every file, so a change to any companion file is a new snapshot."""
    src = shared / "lists" / "ofac_2021-07"
    store = SnapshotStore()
    info = store.load_file(src)
    assert (info.source, info.format, info.record_count) == ("ofac_sdn", "ofac_sdn_csv", 8976)
    assert store.load_file(src).status == "unchanged"

    copy = tmp_path / "ofac_copy"
    copy.mkdir()
    for member in src.iterdir():
        (copy / member.name).write_bytes(member.read_bytes())
    alt = copy / "alt.csv"
    lines = alt.read_bytes().splitlines(keepends=True)
    alt.write_bytes(b"".join(lines[:-1]))  # one alias fewer, every record intact
    changed = store.load_file(copy)
    assert changed.sha256 != info.sha256
    assert changed.status == "replaced" and changed.record_count == 8976
