"""The mapped index file: a screener read from it answers exactly as the one it was written from; a
damaged or foreign file is refused; two worker processes map one file (the same physical pages, no
private copy) and give identical answers."""

from __future__ import annotations

import marshal
import multiprocessing
import re
from pathlib import Path
from typing import Any

import pytest

from chipguard.match import indexfile
from chipguard.match.screener import Screener
from chipguard.store.snapshots import SnapshotStore

UNLISTED = ["Northwind Traders Ltd", "Maria Gonzalez", "深圳市明星电子有限公司", "Fabrikam Logistics GmbH"]


def _built(shared: Path) -> Screener:
    store = SnapshotStore()
    store.load_file(shared / "lists" / "samples" / "us_csl_sample_2019.csv")
    parties, infos = store.active_parties()
    return Screener(parties, snapshots=list(infos))


def _queries(screener: Screener) -> list[str]:
    """Names of the list itself, a typo of each, and names that are not listed."""
    names: list[str] = []
    for party in list(screener.parties)[:60]:
        names.append(party.name)
        if len(party.name) > 6:
            names.append(
                party.name[:3] + party.name[4] + party.name[3] + party.name[5:]
            )  # two letters swapped
    return names + UNLISTED


def _answers(screener: Screener, names: list[str]) -> list[list[dict[str, Any]]]:
    return [[h.to_dict() for h in screener.screen(n)] for n in names]


def test_the_mapped_screener_answers_as_the_built_one(home: Path, shared: Path, tmp_path: Path) -> None:
    built = _built(shared)
    path = tmp_path / "index.cgix"
    indexfile.write(built, path)
    mapped = indexfile.open_screener(path)
    names = _queries(built)
    expected = _answers(built, names)
    assert sum(1 for hits in expected if hits) >= 60  # the listed names and most typos are found
    assert _answers(mapped, names) == expected
    assert len(mapped.parties) == len(built.parties)
    assert [p.to_dict() for p in mapped.parties] == [p.to_dict() for p in built.parties]
    assert len(mapped.index.entries) == len(built.index.entries)
    assert mapped.index.entries[5] == built.index.entries[5]


def test_the_file_holds_each_records_name_keys_as_the_built_screener_makes_them(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    """A hit is grouped by its record's name keys (screener.record_name_keys); a mapped screener reads
    them from the file instead of analysing the record's names again, and they are the keys the built
    screener makes, for every record (people, compound names, names with a parenthesised short form)."""
    from chipguard.match.screener import record_name_keys

    built = _built(shared)
    path = tmp_path / "index.cgix"
    indexfile.write(built, path)
    mapped = indexfile.open_screener(path)
    stored = mapped.stored_name_keys  # type: ignore[attr-defined]
    persons = 0
    for pidx, party in enumerate(built.parties):
        keys, primary = stored(pidx)
        assert (keys, primary) == record_name_keys(party), party.name
        assert primary <= keys and keys
        persons += party.kind == "person"
    assert persons >= 10
    # and the grouping facts a hit is grouped by are the built screener's
    for pidx in range(0, len(built.parties), 7):
        assert mapped._grouping_facts(pidx) == built._grouping_facts(pidx)


def test_every_key_of_the_file_finds_its_list_and_no_other_key_finds_one(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    """Each key of the built index finds, through the file's hash table, exactly its posting list (read
    as a slice of the file's one int32 view of the lists), and a key the index lacks finds nothing —
    among them keys one letter longer or shorter than a listed one, which probe the same slots as keys
    of another length (told apart by their length before their bytes) — and each key's words in the
    deletion map likewise."""
    built = _built(shared)
    path = tmp_path / "index.cgix"
    indexfile.write(built, path)
    index = indexfile.open_screener(path).index
    keys = sorted(built.index.postings)
    assert len(keys) > 1000
    for key in keys:
        assert list(index.postings.get(key)) == list(built.index.postings[key]), key
    absent = [k + "x" for k in keys] + [k[:-1] for k in keys] + ["", "t:", "zz:nothing"]
    absent = [k for k in absent if k not in built.index.postings]
    assert len(absent) > len(keys)
    assert all(index.postings.get(k) is None for k in absent)
    assert all(k not in index.postings for k in absent[:500])
    deletions = sorted(built.index.deletion_map)
    for key in deletions:
        assert index.deletion_map.get(key) == built.index.deletion_map[key], key
    assert all(index.deletion_map.get(k + "q") is None for k in deletions if k + "q" not in deletions)


def test_a_process_that_maps_an_index_collects_cycles_less_often(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    """Opening a mapped index raises the cycle collector's thresholds to SCREENING_GC_THRESHOLDS (its
    caches of decoded names are long-lived: the default thresholds walked them 10–20 % of a query's CPU)
    and never lowers one that is higher already."""
    import gc

    from chipguard.match import index
    from chipguard.match.index import SCREENING_GC_THRESHOLDS

    path = tmp_path / "index.cgix"
    indexfile.write(_built(shared), path)
    before, serving = gc.get_threshold(), index._SERVING[0]
    try:
        index._SERVING[0] = False  # (a REST app made earlier in this process declared it a request server)
        gc.set_threshold(700, 50, 10)
        indexfile.open_screener(path)
        assert gc.get_threshold() == (SCREENING_GC_THRESHOLDS[0], 50, SCREENING_GC_THRESHOLDS[2])
        assert SCREENING_GC_THRESHOLDS[0] > 700
    finally:
        index._SERVING[0] = serving
        gc.set_threshold(*before)


def test_a_request_server_collects_cycles_at_a_lower_pace(home: Path, shared: Path, tmp_path: Path) -> None:
    """The REST face declares its process a request server (create_app → service.screening.serving_
    requests): mapping an index there leaves the collector's first threshold at REQUEST_GC_FIRST, and
    one a screener mapped before raised is brought down to it — the web framework's garbage in cycles
    (~79 objects a request) is not left to pile up to SCREENING_GC_THRESHOLDS' first."""
    import gc

    from chipguard.api.app import create_app
    from chipguard.match import index

    path = tmp_path / "index.cgix"
    indexfile.write(_built(shared), path)
    before, serving = gc.get_threshold(), index._SERVING[0]
    try:
        index._SERVING[0] = False
        gc.set_threshold(700, 10, 10)
        indexfile.open_screener(path)
        assert gc.get_threshold()[0] == index.SCREENING_GC_THRESHOLDS[0]
        create_app(f"sqlite:///{tmp_path / 'rest.db'}")
        assert gc.get_threshold()[0] == index.REQUEST_GC_FIRST < index.SCREENING_GC_THRESHOLDS[0]
        indexfile.open_screener(path)
        assert gc.get_threshold() == (index.REQUEST_GC_FIRST, *index.SCREENING_GC_THRESHOLDS[1:])
    finally:
        index._SERVING[0] = serving
        gc.set_threshold(*before)


def _tracked_per_record(table: Any, ids: range) -> float:
    """The cycle collector's objects one decoded record of ``table`` (a mapped screener's names or
    parties) keeps, on average over ``ids``."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        before = len(gc.get_objects())
        kept = [table[i] for i in ids]
        made = len(gc.get_objects()) - before
    finally:
        if was:
            gc.enable()
    assert len(kept) == len(ids)
    return made / len(ids)


def test_a_worker_fills_its_decode_caches_without_a_young_collection(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    """SCREENING_GC_THRESHOLDS' first is above the collector's objects that a mapped screener's decode
    caches hold at their bounds (a decoded name's and a decoded party's objects, counted on real records,
    times the caches' sizes, and the tokens and posting lists kept): a fresh worker filling them never
    walks them in a young collection, a walk that cost ~8 % of its CPU time (see the constant's comment).
    And screening leaves almost no garbage in cycles, which only a collection frees."""
    import gc

    from chipguard.match.index import SCREENING_GC_THRESHOLDS

    built = _built(shared)
    path = tmp_path / "index.cgix"
    indexfile.write(built, path)
    mapped = indexfile.open_screener(path)
    entries, parties = mapped.index.entries, mapped.parties
    assert isinstance(entries, indexfile.MappedEntries)
    assert len(entries) >= 300 and len(parties) >= 100
    for eid in range(len(entries)):
        entries.peek(eid)  # (the tokens made once and kept: counted as TOKEN_CACHE below)
    per_name = _tracked_per_record(entries, range(len(entries)))
    per_party = _tracked_per_record(parties, range(len(parties)))
    assert 3 <= per_name <= 20 and 2 <= per_party <= 40, (per_name, per_party)
    full = (
        indexfile.DECODED_ENTRIES * per_name
        + indexfile.DECODED_CACHE * per_party
        + indexfile.TOKEN_CACHE
        + indexfile.POSTING_CACHE
    )
    assert SCREENING_GC_THRESHOLDS[0] > full * 1.1, (full, per_name, per_party, SCREENING_GC_THRESHOLDS)
    names = _queries(built)
    was = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for name in names:
            mapped.screen(name)
        assert gc.collect() <= len(names) // 10
    finally:
        if was:
            gc.enable()


@pytest.mark.parametrize("spill", [None, 500])
def test_an_index_built_straight_into_the_file_is_the_file_of_the_built_screener(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spill: int | None
) -> None:
    """``indexfile.build`` streams the parties into the file (their retrieval keys spilled to disk by key
    range when there are many: ``spill`` forces that here) and writes the same bytes as writing the
    screener built in memory from them; a Chinese name exercises the enrichment and transliteration."""
    from chipguard.model import Party, PartyKind

    if spill is not None:
        monkeypatch.setattr(indexfile, "SPILL_PAIRS", spill)
    store = SnapshotStore()
    store.load_file(shared / "lists" / "samples" / "us_csl_sample_2019.csv")
    parties, _infos = store.active_parties()
    parties = [*parties, Party(source="t", party_id="zh", name="深圳市明星电子有限公司", kind=PartyKind.ORG)]
    written, streamed = tmp_path / "written.cgix", tmp_path / "streamed.cgix"
    indexfile.write(Screener(parties), written)
    indexfile.build(iter(parties), streamed)
    assert streamed.read_bytes() == written.read_bytes()
    mapped = indexfile.open_screener(streamed)
    assert len(mapped.parties) == len(parties)
    assert [h.party_id for h in mapped.screen("深圳市明星电子有限公司")] == ["zh"]
    assert not list(tmp_path.glob(".build-*"))  # the builder's temporary sections are gone


def test_the_file_holds_every_setting_of_the_index(home: Path, shared: Path, tmp_path: Path) -> None:
    """A NameIndex's attributes are its tables, its per-process caches and INDEX_SETTINGS, which the file's
    header holds and a mapped index restores: a setting added to NameIndex and not to INDEX_SETTINGS
    would be lost by every mapped worker. (Compiled by chipguard.native, NameIndex is a native class
    without ``__dict__``: its attributes are ``__mypyc_attrs__``.)"""
    from chipguard.match.index import INDEX_SETTINGS, NameIndex

    built = _built(shared)
    index = built.index
    attributes = set(getattr(NameIndex, "__mypyc_attrs__", ())) or set(vars(index))
    tables = {"entries", "postings", "df", "vocab", "deletion_map", "neighbour_table"}
    caches = {
        "_rarity_cache",
        "_neighbour_cache",
        "_sound_cache",
        "_bound_facts",
        "_token_keys",
        "_token_keys_config",
    }
    assert attributes - tables - caches == set(INDEX_SETTINGS)
    path = tmp_path / "index.cgix"
    indexfile.write(built, path)
    mapped = indexfile.open_screener(path).index
    assert mapped.settings() == index.settings()
    assert index.settings()["n_parties"] == len(built.parties)
    assert [mapped.rarity(w) for w in ("co", "huawei", "unknownword")] == [
        index.rarity(w) for w in ("co", "huawei", "unknownword")
    ]


def test_a_damaged_or_foreign_file_is_refused(home: Path, shared: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.cgix"
    indexfile.write(_built(shared), path)
    data = bytearray(path.read_bytes())

    damaged = tmp_path / "damaged.cgix"
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0xFF
    damaged.write_bytes(bytes(flipped))
    with pytest.raises(indexfile.IndexFileError, match="sha256"):
        indexfile.open_screener(damaged)

    other_version = tmp_path / "v0.cgix"
    other_version.write_bytes(b"CGIX" + (0).to_bytes(4, "little") + bytes(data[8:]))
    with pytest.raises(indexfile.IndexFileError, match="format"):
        indexfile.open_screener(other_version)

    for junk in (b"", b"not an index", bytes(data[:100])):
        bad = tmp_path / "junk.cgix"
        bad.write_bytes(junk)
        with pytest.raises(indexfile.IndexFileError):
            indexfile.open_screener(bad)


def test_a_file_of_another_engine_version_is_refused_naming_its_settings(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose header lacks a setting this engine reads (one written before the setting existed,
    as files before candidates_deepen_to_end were) or carries one it does not know is refused as an
    IndexFileError naming the setting — not opened into a screener that fails at its first query."""
    built = _built(shared)
    current = Screener.settings

    def older_writer(self: Screener) -> dict[str, Any]:
        return {k: v for k, v in current(self).items() if k != "candidates_deepen_to_end"}

    def newer_writer(self: Screener) -> dict[str, Any]:
        return {**current(self), "candidates_from_the_future": 3}

    for writer, said in (
        (older_writer, "missing: candidates_deepen_to_end"),
        (newer_writer, "unknown: candidates_from_the_future"),
    ):
        path = tmp_path / f"{writer.__name__}.cgix"
        with monkeypatch.context() as patched:
            patched.setattr(Screener, "settings", writer)
            indexfile.write(built, path)
        with pytest.raises(indexfile.IndexFileError, match=f"other screener settings \\({said}\\)"):
            indexfile.open_screener(path)

    path = tmp_path / "current.cgix"
    indexfile.write(built, path)
    assert indexfile.open_screener(path).settings() == built.settings()


def test_a_file_built_by_other_matching_code_or_name_data_is_refused(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header records the engine digest (version, matching code, name data, override root): a file
    written by another version — whose names were analysed by other code, e.g. before numbered bodies kept
    their number in the pinyin readings — is refused, though its format is the same."""
    from chipguard.match import engine_digest

    built = _built(shared)
    path = tmp_path / "other-engine.cgix"
    with monkeypatch.context() as patched:
        patched.setattr(engine_digest, "ENGINE_VERSION", "0.0.0-another")
        indexfile.write(built, path)
    with pytest.raises(indexfile.IndexFileError, match="another version of the matching code or name data"):
        indexfile.open_screener(path)
    indexfile.write(built, path)
    assert _answers(indexfile.open_screener(path), UNLISTED) == _answers(built, UNLISTED)


def _mapping_stats(path: Path) -> dict[str, int]:
    """Rss, Pss, Shared_*, Private_*, Anonymous (kB) of this process's mapping of ``path``."""
    stats: dict[str, int] = {}
    inside = False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            inside = line.rstrip().endswith(str(path))
            continue
        if inside:
            key, _, rest = line.partition(":")
            if key in (
                "Rss",
                "Pss",
                "Shared_Clean",
                "Shared_Dirty",
                "Private_Clean",
                "Private_Dirty",
                "Anonymous",
            ):
                stats[key] = stats.get(key, 0) + int(rest.split()[0])
    return stats


def _worker(path: str, names: list[str], barrier: Any, out: Any) -> None:
    screener = indexfile.open_screener(Path(path))
    answers = _answers(screener, names)
    barrier.wait(timeout=120)  # both processes hold the mapping now
    out.put((answers, _mapping_stats(Path(path))))
    barrier.wait(timeout=120)


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs Linux /proc/<pid>/smaps")
def test_two_worker_processes_map_one_file_and_answer_alike(home: Path, shared: Path, tmp_path: Path) -> None:
    built = _built(shared)
    path = tmp_path / "index.cgix"
    indexfile.write(built, path)
    names = _queries(built)
    expected = _answers(built, names)
    ctx = multiprocessing.get_context("spawn")  # new interpreters: nothing inherited from this process
    barrier = ctx.Barrier(2)
    out = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(str(path), names, barrier, out)) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        results = [out.get(timeout=300) for _ in workers]
    finally:
        for w in workers:
            w.join(timeout=60)
    assert all(w.exitcode == 0 for w in workers)
    for answers, stats in results:
        assert answers == expected
        # the pages of the file that the queries touched are resident once and mapped by both workers
        # (the same physical pages; a page just written may still count as dirty page cache); none is a
        # private (anonymous) copy
        assert stats["Rss"] > 0, stats
        assert stats["Anonymous"] == 0, stats
        assert stats["Shared_Clean"] + stats["Shared_Dirty"] >= 0.9 * stats["Rss"], stats
        assert stats["Pss"] <= 0.6 * stats["Rss"], stats


def test_the_record_behind_a_hit_without_decoding_the_list(home: Path, shared: Path, tmp_path: Path) -> None:
    """Screener.party: the record of a recent hit is found by its position (a mapped screener decodes
    that one record, not the list); another record is still found, and an unknown one is None."""
    built = _built(shared)
    path = tmp_path / "index.cgix"
    indexfile.write(built, path)
    mapped = indexfile.open_screener(path)
    target = list(built.parties)[7]
    (hit, *_) = mapped.screen(target.name)
    decoded_before = len(mapped.parties._cache)  # type: ignore[attr-defined]
    found = mapped.party(hit.source, hit.party_id)
    assert found is not None and found.party_id == hit.party_id
    assert found == built.party(hit.source, hit.party_id)
    assert len(mapped.parties._cache) <= decoded_before + 1  # type: ignore[attr-defined]
    other = list(built.parties)[-1]
    assert mapped.party(other.source, other.party_id) == other
    assert mapped.party("us_csl", "no-such-record") is None


def test_a_serving_worker_decodes_a_list_that_fits_its_caches_before_it_answers(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    built = _built(shared)
    path = tmp_path / "index.cgix"
    indexfile.write(built, path)
    names = _queries(built)
    expected = _answers(built, names)

    warmed = indexfile.open_screener(path)
    entries, parties = warmed.index.entries, warmed.parties
    assert isinstance(entries, indexfile.MappedEntries) and isinstance(parties, indexfile.MappedParties)
    assert indexfile.decode_whole(warmed) is True
    # every record is held decoded: the first queries decode nothing
    assert len(entries._cache) == len(entries) and len(parties._cache) == len(parties)
    assert _answers(warmed, names) == expected

    # a list larger than a cache keeps only what the queries meet: nothing is decoded up front
    larger = indexfile.open_screener(path)
    larger.index.entries.kept = len(larger.index.entries) - 1  # type: ignore[attr-defined]
    assert indexfile.decode_whole(larger) is False
    assert not larger.index.entries._cache  # type: ignore[attr-defined]
    assert _answers(larger, names) == expected
    # an index built in memory has nothing to decode
    assert indexfile.decode_whole(built) is False


def test_a_tables_offsets_are_u32_under_4_gib_and_u64_past_it(tmp_path: Path) -> None:
    """A table whose blob is under 4 GiB is written with u32 offsets (half the bytes of u64, a fifth of the
    file's size before) and named in the header's ``offsets32``; one past 4 GiB keeps u64 offsets. Both read
    back every item."""
    items = [f"item {i} ".encode() * (i % 7) for i in range(70_000)]  # past one 65,536-offset flush
    writer = indexfile._Writer(tmp_path)
    writer.table("small", items)
    wide = indexfile._TableSink(writer, "wide")
    for item in items:
        wide.add(item)
    wide._end += 1 << 32  # as if 4 GiB had been written before its last item: its offsets must stay u64
    wide._pending[-1] = wide._end
    wide.close()
    path = tmp_path / "tables.bin"
    writer.write(path, {"marshal": marshal.version, "layout": indexfile._layout()})
    m = indexfile._Mapped(path)  # the sha256, format and layout checked as for an index
    assert m.header["offsets32"] == ["small"]
    assert m.header["sections"]["small.offsets"][1] == 4 * (len(items) + 1)
    assert m.header["sections"]["wide.offsets"][1] == 8 * (len(items) + 1)
    small = indexfile._Table(m, "small")
    assert len(small) == len(items)
    assert [small[i] for i in range(len(items))] == items
    assert indexfile._Table(m, "wide").offsets[-1] == (1 << 32) + sum(map(len, items))
