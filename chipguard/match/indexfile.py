"""A built screening index as one versioned binary file, memory-mapped read-only by every process.

Why: the index over the bundled lists is ~44k names and ~190k retrieval keys. Held as Python objects it
costs ~5 KB of memory per name in every process (every API worker, every ``screen-file`` worker, every
Spark executor holds its own copy) and, cached as a pickle of dataclasses, seconds to load on each CLI
call. Here the index is written once per snapshot set and then *mapped*: the posting lists are sorted
int32 arrays inside the file, the keys sit in an open-addressing hash table inside the file, and an
indexed name (its analysis, weights and alias) or a party is decoded from the file only when a query
retrieves it. The operating system keeps one copy of the file's pages however many processes map it.

Layout (little-endian)::

    "CGIX" | u32 format version | u32 header length | sha256 (32 bytes) of everything after this line
    header JSON: format, marshal version, dataclass field lists, the screener's and index's settings,
                 and for every section its offset and length
    sections, each 8-byte aligned

Sections: ``parties`` (one zlib-compressed ``marshal`` record per party: its fields in declaration
order, its aliases, addresses and identifiers as tuples — see :func:`_party_record`), ``parties.keys``
(per party the ``marshal`` pair of its sorted name keys, ``screener.record_name_keys``), ``parties.script``
(a byte per party: 2 when it carries a name in Chinese script, ``screener.party_has_script``, else 1), ``entries`` (one
``marshal`` record per indexed name, not compressed: plain tuples, strings and numbers only, so reading
it builds no arbitrary objects, unlike a pickle; its tokens are numbers in ``tokens``), ``tokens`` (the
``marshal`` tuple of each distinct token of the names, numbered in the order first met),
``tokens.weights`` (float64 pairs: each token's weight in an organisation's name and in a person's, from
the list's word rarity), and three string maps — ``postings`` (key → entry ids), ``df`` (word → number of parties) and
``deletions`` (deletion variant or ``~`` sound key → vocabulary words, see ``index.deletion_map_of``; beside
it ``deletions.near``, per key that is a list word its typo neighbours, see :func:`_near_record`). A string
map is a table of keys (``<name>.keys``),
a hash table of key numbers (``<name>.slots``, CRC-32 of the key's UTF-8, linear probing) and its values.
A table is a blob (``<name>.data``) with its items' offsets (``<name>.offsets``): u32 when the blob is under
4 GiB (the header's ``offsets32`` names those tables), u64 otherwise.

The sha256 is checked when a file is opened; a file of another format version, marshal version or
dataclass layout is refused (``IndexFileError``) and the caller rebuilds it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import marshal
import math
import mmap
import os
import struct
import sys
import tempfile
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from zlib import crc32  # (a module global: compiled, zlib.crc32 is an attribute look-up per probe)

from chipguard.match.engine_digest import engine_digest
from chipguard.match.index import (
    INDEX_SETTINGS,
    MIN_DELETE_LEN,
    Entry,
    NameIndex,
    deletion_map_of,
    entry_keys,
    tune_gc,
    typo_neighbours_of,
)
from chipguard.match.score import token_weight
from chipguard.model import Address, Alias, Identifier, Party, PartyKind
from chipguard.names.analysis import NO_WORDS, NameAnalysis, Token

if TYPE_CHECKING:
    from chipguard.match.screener import Screener

MAGIC = b"CGIX"
# 4: same-name keys (c:) in the postings, sound keys (~) in the deletion map (issue 12)
# 5: a name's tokens are numbers in the ``tokens`` table, not tuples repeated in every record (issue 16)
# 6: the deletion map holds each word a typo's deletion can be under itself (see deletion_map_of)
# 7: party records are marshal tuples, not JSON; each token's weights are in the file (tokens.weights)
# 8: a name's analysis held the words of its multi-word legal forms (NameAnalysis.legal_words)
# 9: … no longer (made on demand: decoding them cost a fresh worker ~12 %); records as in 7
# 10: four-letter list words are keyed under their deletions too (index.MIN_DELETE_LEN 5 → 4)
# 11: each party's name keys (screener.record_name_keys) in ``parties.keys``
# 12: whether each party carries a name in Chinese script (screener.party_has_script) in ``parties.script``
# 13: an indexed name's record is not zlib-compressed (see _entry)
# 14: each list word's typo neighbours beside its key in the deletion map (``deletions.near``)
# 15: a table's offsets are u32 when its blob is under 4 GiB (the header's ``offsets32``, see _TableSink)
FORMAT_VERSION = 15
_FIXED = struct.Struct("<4sII32s")
_ALIGN = 8
# decoded parties kept per process: enough for the candidates of many queries, far below the list size
# (the point of mapping it)
DECODED_CACHE = 16_384
# decoded names kept per process. Why more than parties: a file of unrelated customer names meets more
# candidate names than 16,384 and decoded them again and again — 20,000 synthetic customers against the
# CSL 2022-04 in one process: 16.8 CPU s with 16,384 kept, 13.5 s with 32,768, 12.6 s with 65,536 (every
# name the file met kept; +38 MB resident). A kept name costs ~1.7 KB, so at most ~110 MB per worker
# however large the list (issue 16 item 1's budget at a million entities: 2 GB for two workers)
DECODED_ENTRIES = 65_536
TOKEN_CACHE = 65_536  # distinct decoded tokens kept for reuse
# (key, entry) pairs a builder holds before spilling them to disk (~120 bytes each in memory: ~120 MB)
SPILL_PAIRS = 1_000_000
POSTING_CACHE = 32_768  # posting-list lookups remembered (key → its view of the file, or absent)


# attributes of the Screener that the file holds as sections or rebuilds on open; every other attribute
# must be a plain setting (number, string, bool, None) stored in the header. The index's settings are
# NameIndex.settings(), plain too.
class IndexFileError(Exception):
    """The file is not a usable index of this engine (damaged, other version or layout): rebuild it."""


def _layout() -> dict[str, list[str]]:
    """The field names of the dataclasses the file encodes: a file written for another layout is refused."""
    return {
        cls.__name__: [f.name for f in dataclasses.fields(cls)]
        for cls in (Token, NameAnalysis, Entry, Party, Alias, Address, Identifier)
    }


def _settings(obj: Any) -> dict[str, Any]:
    """``obj.settings()`` (a Screener's or a NameIndex's numbers and flags), checked to fit the header."""
    out: dict[str, Any] = {}
    for name, value in obj.settings().items():
        if value is not None and not isinstance(value, bool | int | float | str):
            raise IndexFileError(
                f"{type(obj).__name__}.{name} ({type(value).__name__}) has no place in the file"
            )
        out[name] = value
    return out


# --- encoding ------------------------------------------------------------------------------------------


def _token(t: Token) -> tuple[Any, ...]:
    return tuple(getattr(t, f.name) for f in dataclasses.fields(Token))


def _token_number(t: Token, numbers: dict[tuple[Any, ...], int]) -> int:
    """The number of token ``t`` in the file's ``tokens`` table (``numbers``: the table so far, in the
    order first met), numbering it if it is new."""
    key = _token(t)
    number = numbers.get(key)
    if number is None:
        number = numbers[key] = len(numbers)
    return number


def _analysis(a: NameAnalysis, numbers: dict[tuple[Any, ...], int]) -> tuple[Any, ...]:
    out: list[Any] = []
    for f in dataclasses.fields(NameAnalysis):
        value = getattr(a, f.name)
        if f.name in ("tokens", "significant"):
            value = tuple(_token_number(t, numbers) for t in value)
        out.append(value)
    return tuple(out)


# Entry fields a record holds: the token weights are not stored but computed when a record is decoded,
# from the file's document frequencies (they depend on the whole list, which a builder streaming the
# parties into the file has not seen when it writes a record)
_ENTRY_FIELDS = [f.name for f in dataclasses.fields(Entry) if f.name != "weights"]


def _entry(e: Entry, numbers: dict[tuple[Any, ...], int]) -> bytes:
    """An indexed name's record; its tokens as their numbers in the ``tokens`` table (``numbers``).

    Why numbers: decoding a record is most of what a mapped index adds to a query, and a name's tokens
    were most of a record (a token's four strings, and again for the significant ones): a number per
    token makes the record smaller and its decoding a lookup per token instead of a tuple rebuilt and
    hashed per token (measured on the CSL 2022-04: a first decode 12.7 → 10.0 µs, again 9.7 → 7.2 µs).

    Not compressed (format 13): a record is a few hundred bytes, which zlib shrank by a third, and inflating
    each one (its stream's state set up and torn down per record) was a quarter of a first decode — ~10 k
    instructions of each name a fresh worker meets (callgrind, bench.scale's 2,000 queries on the CSL
    2022-04: ~17.5 k first decodes). The file is ~4 MB larger on the CSL (entries 7.0 → 11.0 MB)."""
    out: list[Any] = []
    for name in _ENTRY_FIELDS:
        value = getattr(e, name)
        if name == "analysis":
            value = _analysis(value, numbers)
        out.append(value)
    return marshal.dumps(tuple(out))


# the fields MappedEntries.decode reads a name's record in, by position: the classes' declaration order,
# which _entry writes (a file written for another layout is refused when opened; this is checked against
# the classes when a file is opened, so a field added to them cannot be read into the wrong place)
_DECODED_LAYOUT = {
    "Token": ["text", "canon", "cls", "phonetic"],
    "NameAnalysis": [
        "original",
        "cleaned",
        "person",
        "tokens",
        "steps",
        "joined",
        "acronym",
        "institutional",
        "significant",
        "texts",
        "joins",
        "symbol_keys",
    ],
    "Entry": [
        "party",
        "analysis",
        "alias",
        "alias_kind",
        "variant",
        "person",
        "latin_method",
        "latin_explanation",
        "weights",
        "anchors",
    ],
}

_PARTY_FIELDS = [f.name for f in dataclasses.fields(Party)]
# Party fields holding lists of small dataclasses, each written as a list of field tuples
_PARTY_PARTS = {"aliases": Alias, "addresses": Address, "identifiers": Identifier}


def _normalised(party: Party) -> Party:
    """The party as a JSON round trip through ``Party.to_dict``/``from_dict`` makes it (the record format
    of earlier files): what a record decodes to does not depend on the format."""
    return Party.from_dict(json.loads(json.dumps(party.to_dict(), ensure_ascii=False)))


def _party_record(party: Party) -> bytes:
    """A party's record (``party`` :func:`_normalised`): its fields in declaration order (the kind as its
    value, aliases, addresses and identifiers as tuples of their fields), marshalled and compressed.

    Why not JSON: decoding a party's JSON and building it field by field cost ~23 µs, a fresh worker
    decodes the party of most candidates that reach the scoring floor, and marshal reads plain tuples in C."""
    out: list[Any] = []
    for name in _PARTY_FIELDS:
        value = getattr(party, name)
        if name == "kind":
            value = value.value
        elif name in _PARTY_PARTS:
            value = [dataclasses.astuple(item) for item in value]
        out.append(value)
    return zlib.compress(marshal.dumps(tuple(out)))


def _f64(values: Sequence[float]) -> bytes:
    """Little-endian float64s."""
    packed = array("d", values)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def _i32(values: Sequence[int]) -> bytes:
    """Little-endian int32s (the file's byte order whatever the machine's)."""
    packed = array("i", values)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


class _Sink:
    """A section written to a temporary file as it is produced, so a large index is never held whole."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh: BinaryIO | None = path.open("wb")
        self.size = 0

    def write(self, data: bytes) -> None:
        assert self.fh is not None
        self.fh.write(data)
        self.size += len(data)

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


class _Writer:
    """Collects sections (bytes, or temporary files for the large ones), then writes header and sections
    to the file in one pass, hashing as it goes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sections: list[tuple[str, bytes | _Sink]] = []
        self.offsets32: list[str] = []  # the tables whose offsets are u32 (see _TableSink.close)

    def add(self, name: str, data: bytes) -> None:
        self.sections.append((name, data))

    def sink(self, name: str) -> _Sink:
        sink = _Sink(self.folder / f"section-{len(self.sections)}")
        self.sections.append((name, sink))
        return sink

    def table(self, name: str, items: Iterable[bytes]) -> None:
        table = _TableSink(self, name)
        for item in items:
            table.add(item)
        table.close()

    def str_map(self, name: str, keys: list[str]) -> None:
        """Keys (in the given order: key number = position) and their hash table."""
        table = _TableSink(self, f"{name}.keys")
        slots = self.sink(f"{name}.slots")
        crcs = array("I")
        for key in keys:
            kb = key.encode("utf-8")
            table.add(kb)
            crcs.append(zlib.crc32(kb))
        table.close()
        _write_slots(crcs, slots)

    def write(self, path: Path, header: dict[str, Any]) -> None:
        placed: dict[str, list[int]] = {}
        # section offsets are relative to the start of the section area; the header says where it starts
        at = 0
        for name, data in self.sections:
            if isinstance(data, _Sink):
                data.close()
            at += -at % _ALIGN
            size = data.size if isinstance(data, _Sink) else len(data)
            placed[name] = [at, size]
            at += size
        header = {**header, "sections": placed, "offsets32": sorted(self.offsets32)}
        head = json.dumps(header, sort_keys=True).encode("utf-8")
        head += b" " * (-(len(head) + _FIXED.size) % _ALIGN)
        digest = hashlib.sha256(head)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_FIXED.pack(MAGIC, FORMAT_VERSION, len(head), b"\0" * 32))
                fh.write(head)
                at = 0
                for name, data in self.sections:
                    pad = b"\0" * (placed[name][0] - at)
                    digest.update(pad)
                    fh.write(pad)
                    if isinstance(data, _Sink):
                        with data.path.open("rb") as src:
                            for block in iter(lambda src=src: src.read(1 << 20), b""):  # type: ignore[misc]
                                digest.update(block)
                                fh.write(block)
                        data.path.unlink()
                    else:
                        digest.update(data)
                        fh.write(data)
                    at = placed[name][0] + placed[name][1]
                fh.seek(0)
                fh.write(_FIXED.pack(MAGIC, FORMAT_VERSION, len(head), digest.digest()))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class _TableSink:
    """A table written item by item: the items to one temporary file, their offsets to another — u64 while
    it is written (the blob's final size is not known), made u32 when it is closed if the blob is under
    4 GiB.

    Why: offsets were a fifth of the file (CSL 2022-04: 7.4 of 39.8 MB), and at a million entities the
    whole file counts against the two workers' budget (issue 16 item 1: 2 GB in total) once their queries
    have touched it."""

    def __init__(self, writer: _Writer, name: str) -> None:
        self.writer, self.name = writer, name
        self.offsets = writer.sink(f"{name}.offsets")
        self.data = writer.sink(f"{name}.data")
        self._pending = array("Q", [0])
        self._end = 0

    def add(self, item: bytes) -> None:
        self.data.write(item)
        self._end += len(item)
        self._pending.append(self._end)
        if len(self._pending) >= 65_536:
            self._flush()

    def _flush(self) -> None:
        if sys.byteorder != "little":
            self._pending.byteswap()
        self.offsets.write(self._pending.tobytes())
        self._pending = array("Q")

    def close(self) -> None:
        self._flush()
        if self._end >= 1 << 32:
            return
        sink = self.offsets
        sink.close()
        wide = sink.path.with_name(sink.path.name + ".u64")
        sink.path.rename(wide)
        sink.fh, sink.size = sink.path.open("wb"), 0
        with wide.open("rb") as src:
            for block in iter(lambda: src.read(1 << 23), b""):
                values = array("Q", block)
                if sys.byteorder != "little":
                    values.byteswap()
                narrow = array("I", values)
                if sys.byteorder != "little":
                    narrow.byteswap()
                sink.write(narrow.tobytes())
        wide.unlink()
        self.writer.offsets32.append(self.name)


def _write_slots(crcs: array[int], sink: _Sink) -> None:
    """The open-addressing hash table of key numbers (linear probing on CRC-32 of the key's UTF-8)."""
    size = 1 << max(4, math.ceil(math.log2(max(len(crcs), 1) * 2)))
    slots = array("i", [-1]) * size
    mask = size - 1
    for number, crc in enumerate(crcs):
        i = crc & mask
        while slots[i] >= 0:
            i = (i + 1) & mask
        slots[i] = number
    sink.write(_i32(slots))


class _KeySpill:
    """(retrieval key, entry id) pairs, held in memory up to ``limit`` and spilled to files by key range
    beyond it, so the postings of millions of names are grouped without a dict of millions of keys.

    A key's range is its two-character kind ("t:", "w:" …) and its next character (every non-ASCII
    character in one range): ranges in sorted order hold the keys in sorted order."""

    def __init__(self, folder: Path, limit: int | None = None) -> None:
        self.folder = folder
        self.limit = SPILL_PAIRS if limit is None else limit
        self.buffers: dict[str, list[Any]] = {}
        self.files: dict[str, Path] = {}
        self.held = 0

    def add(self, key: str, eid: int) -> None:
        third = key[2:3]
        bucket = key[:2] + (third if third < "\x80" else "\x80")
        buffer = self.buffers.get(bucket)
        if buffer is None:
            buffer = self.buffers[bucket] = []
        buffer.append(key)
        buffer.append(eid)
        self.held += 1
        if self.held >= self.limit:
            self.spill()

    def spill(self) -> None:
        for bucket, buffer in self.buffers.items():
            if not buffer:
                continue
            path = self.files.get(bucket)
            if path is None:
                path = self.files[bucket] = self.folder / f"keys-{len(self.files)}"
            with path.open("ab") as fh:
                marshal.dump(buffer, fh)
            buffer.clear()
        self.held = 0

    def postings(self) -> Iterator[tuple[str, list[int]]]:
        """Every key with its entry ids (ascending), keys in sorted order."""
        for bucket in sorted(set(self.buffers) | set(self.files)):
            grouped: dict[str, list[int]] = {}
            chunks: list[list[Any]] = []
            path = self.files.get(bucket)
            if path is not None:
                with path.open("rb") as fh:
                    while True:
                        try:
                            chunks.append(marshal.load(fh))
                        except EOFError:
                            break
                path.unlink()
            chunks.append(self.buffers.pop(bucket, []))
            for chunk in chunks:
                for i in range(0, len(chunk), 2):
                    key = chunk[i]
                    found = grouped.get(key)
                    if found is None:
                        grouped[key] = [chunk[i + 1]]
                    else:
                        found.append(chunk[i + 1])
            del chunks
            for key in sorted(grouped):
                yield key, grouped[key]


class _Builder:
    """Writes an index file party by party: each party's record and its indexed names go to the file's
    sections as they come, their retrieval keys to a :class:`_KeySpill`; what is kept in memory is the
    list's word counts and vocabulary, not the names."""

    def __init__(self, folder: Path) -> None:
        self.writer = _Writer(folder)
        self.parties = _TableSink(self.writer, "parties")
        self.party_keys = _TableSink(self.writer, "parties.keys")
        self.scripts = bytearray()  # a byte per party (see add)
        self.entries = _TableSink(self.writer, "entries")
        self.keys = _KeySpill(folder)
        # every distinct token of the names → its number in the ``tokens`` table (as many as the list's
        # words in their readings: of the order of the vocabulary the builder keeps anyway)
        self.token_numbers: dict[tuple[Any, ...], int] = {}
        self.df: dict[str, int] = {}
        self.vocab: set[str] = set()
        self.party_count = 0
        self.entry_count = 0

    def add(self, party: Party, entries: Iterable[Entry]) -> None:
        from chipguard.match.screener import party_has_script, record_name_keys

        party = _normalised(party)
        self.parties.add(_party_record(party))
        # the record's name keys, as screener.record_name_keys makes them from the decoded party: a worker
        # grouping a hit reads them instead of analysing the record's names again (~2 % of a fresh
        # worker's CPU)
        keys, primary = record_name_keys(party)
        self.party_keys.add(marshal.dumps((tuple(sorted(keys)), tuple(sorted(primary)))))
        # whether it carries a name in Chinese script, which screening asks of every candidate record of a
        # translated query: a worker reads the byte instead of decoding the record (bench.scale's 2,000
        # queries: ~1.4 % of a fresh worker's instructions were records decoded only for this)
        self.scripts.append(2 if party_has_script(party) else 1)
        words: set[str] = set()
        for entry in entries:
            eid = self.entry_count
            self.entry_count += 1
            self.entries.add(_entry(entry, self.token_numbers))
            for key in entry_keys(entry.analysis):
                self.keys.add(key, eid)
                if key.startswith("w:"):
                    self.vocab.add(key[2:])
            words.update(t.canon for t in entry.analysis.tokens)
        df = self.df
        for word in words:
            df[word] = df.get(word, 0) + 1
        self.party_count += 1

    def finish(self, path: Path, screener: Screener, index: NameIndex) -> None:
        w = self.writer
        self.parties.close()
        self.party_keys.close()
        w.add("parties.script", bytes(self.scripts))
        self.entries.close()
        w.table("tokens", (marshal.dumps(t) for t in self.token_numbers))
        w.add("tokens.weights", _f64(_token_weights(self.token_numbers, self.df, index)))
        keys = _TableSink(w, "postings.keys")
        slots = w.sink("postings.slots")
        values = _TableSink(w, "postings.values")
        crcs = array("I")
        for key, eids in self.keys.postings():
            kb = key.encode("utf-8")
            keys.add(kb)
            crcs.append(zlib.crc32(kb))
            values.add(_i32(eids))
        keys.close()
        values.close()
        _write_slots(crcs, slots)
        key_count = len(crcs)
        del crcs

        words = sorted(self.df)
        w.str_map("df", words)
        w.add("df.values", _i32([self.df[k] for k in words]))

        deletion_map = deletion_map_of(self.vocab)  # typo deletions and sound keys
        dels = sorted(deletion_map)
        w.str_map("deletions", dels)
        w.table("deletions.values", ["\0".join(sorted(deletion_map[d])).encode("utf-8") for d in dels])
        w.table("deletions.near", [_near_record(d, self.vocab, deletion_map) for d in dels])

        header = {
            "format": FORMAT_VERSION,
            "marshal": marshal.version,
            "layout": _layout(),
            "engine": engine_digest(),
            "screener": _settings(screener),
            "index": _settings(index),
            "counts": {"parties": self.party_count, "entries": self.entry_count, "keys": key_count},
        }
        w.write(path, header)


def _near_record(key: str, vocab: set[str], deletion_map: Mapping[str, list[str]]) -> bytes:
    """The ``deletions.near`` item of deletion-map key ``key``: when it is a list word a query word can be
    (MIN_DELETE_LEN letters or more, letters only: NameIndex.typo_neighbours), its typo neighbours as
    :func:`typo_neighbours_of` finds them, after a 0x01 byte and joined by NUL bytes; else empty.

    Why: a query word's neighbours cost a probe of the file's hash table per deletion of it — a dozen per
    word, ~a quarter of a fresh worker's probes on bench.scale's queries — and half the words a query mix
    meets are list words, whose neighbours are known when the file is built: one probe then finds them."""
    if key not in vocab or len(key) < MIN_DELETE_LEN or not key.isalpha():
        return b""
    return b"\x01" + "\0".join(typo_neighbours_of(key, deletion_map.get)).encode("utf-8")


def _token_weights(tokens: Iterable[tuple[Any, ...]], df: dict[str, int], index: NameIndex) -> list[float]:
    """Each token's weight in an organisation's name and in a person's (``score.token_weight``), in
    table order: [org₀, person₀, org₁, person₁ …]. The list's word rarity is ``NameIndex.rarity`` over
    the document frequencies ``df`` with ``index``'s settings — the function, counts and settings an
    index mapped from the file has, so a weight is the number that index would compute.

    Why in the file: a fresh worker decoding a name met its tokens for the first time and weighed each
    (a rarity probe of the file's hash table and the class weights), ~a third of a first decode."""
    rater = NameIndex.from_tables(index.settings(), [], {}, df, {}, ())
    out: list[float] = []
    for fields in tokens:
        token = Token(*fields)
        out.append(token_weight(token, rater.rarity, False))
        out.append(token_weight(token, rater.rarity, True))
    return out


def write(screener: Screener, path: Path) -> None:
    """Writes ``screener`` (built in this process) to ``path`` atomically (temp file + rename): the same
    bytes as :func:`build` writes for the parties it was built from."""
    entries = screener.index.entries
    with tempfile.TemporaryDirectory(prefix=".build-", dir=_folder(path)) as tmp:
        builder = _Builder(Path(tmp))
        at = 0
        for pidx, party in enumerate(screener.parties):
            start = at
            while at < len(entries) and entries[at].party == pidx:
                at += 1
            builder.add(party, entries[start:at])
        builder.finish(path, screener, screener.index)


def build(
    parties: Iterable[Party],
    path: Path,
    *,
    threshold: float | None = None,
    enrich: bool = True,
    core_names: bool | None = None,
) -> None:
    """Builds the index of ``parties`` straight into the file at ``path`` (atomically), one party at a
    time: the same file as ``write(Screener(parties, …), path)`` without ever holding the index as Python
    objects — a few hundred bytes per name at most while building instead of ~8 KB, so a list of a
    million entities builds on an ordinary machine. ``parties`` may be a generator."""
    from chipguard.match.config import scorer_config
    from chipguard.match.screener import Screener, party_entries
    from chipguard.names.enrichment import enrich_party

    screener = Screener.__new__(Screener)
    screener._configure(threshold, core_names)
    # (the cycle collector stays on, unlike for an index built in memory: what the builder keeps is a few
    # large buffers, and a paused collector would keep any cycle of a million parties' objects)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=_folder(path)) as tmp:
        builder = _Builder(Path(tmp))
        for pidx, party in enumerate(parties):
            if enrich:
                party = enrich_party(party)
            builder.add(party, party_entries(pidx, party, screener.core_names))
        index = NameIndex([], builder.party_count, scorer_config().max_posting)
        builder.finish(path, screener, index)


def _folder(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.parent


# --- reading -------------------------------------------------------------------------------------------


class _Mapped:
    """The opened file: its header and zero-copy views of its sections."""

    def __init__(self, path: Path, verify: bool = True) -> None:
        self.path = path
        with path.open("rb") as fh:
            try:
                self.mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError as exc:  # an empty file
                raise IndexFileError(f"{path}: {exc}") from exc
        if len(self.mm) < _FIXED.size:
            raise IndexFileError(f"{path}: too short")
        magic, version, head_len, digest = _FIXED.unpack_from(self.mm, 0)
        if magic != MAGIC or version != FORMAT_VERSION:
            raise IndexFileError(f"{path}: not an index file of format {FORMAT_VERSION}")
        self.view = memoryview(self.mm)
        if verify:
            # read through the file, not the map: the pages land in the shared page cache without
            # becoming resident in this process (a query maps only the pages it touches)
            with path.open("rb") as fh:
                fh.seek(_FIXED.size)
                if hashlib.file_digest(fh, "sha256").digest() != digest:
                    raise IndexFileError(f"{path}: sha256 does not match (damaged file)")
        self.sha256 = digest.hex()
        try:
            self.header: dict[str, Any] = json.loads(bytes(self.view[_FIXED.size : _FIXED.size + head_len]))
        except ValueError as exc:
            raise IndexFileError(f"{path}: unreadable header") from exc
        if self.header.get("marshal") != marshal.version or self.header.get("layout") != _layout():
            raise IndexFileError(f"{path}: written for another marshal version or dataclass layout")
        self.base = _FIXED.size + head_len
        self.offsets32 = frozenset(self.header.get("offsets32", ()))  # tables whose offsets are u32

    def section(self, name: str, fmt: str = "B") -> memoryview:
        offset, length = self.header["sections"][name]
        start = self.base + offset
        return self.view[start : start + length].cast(fmt)  # type: ignore[call-overload,no-any-return]


class _Table(Sequence[bytes]):
    """The i-th item of a table, as bytes sliced from the map."""

    def __init__(self, m: _Mapped, name: str) -> None:
        self.offsets = m.section(f"{name}.offsets", "I" if name in m.offsets32 else "Q")
        self.data = m.section(f"{name}.data")
        # an item is sliced from the map itself (bytes: a copy of a few hundred bytes at most), not from a
        # view of it: a view's slice is a new view, an object the collector tracks, made and dropped for
        # every record decoded, word list read and token met (~45 k per bench.scale pass)
        self._mm, self._start = m.mm, m.base + m.header["sections"][f"{name}.data"][0]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def span(self, i: int) -> bytes:
        offsets, start = self.offsets, self._start
        return self._mm[start + offsets[i] : start + offsets[i + 1]]

    def __getitem__(self, i: int) -> bytes:  # type: ignore[override]
        return self.span(i)


class _StrKeys:
    """Key → key number through the file's hash table (-1 when absent)."""

    def __init__(self, m: _Mapped, name: str) -> None:
        self.keys = _Table(m, f"{name}.keys")
        self.slots = m.section(f"{name}.slots", "i")
        self.mask = len(self.slots) - 1
        self._offsets = self.keys.offsets
        # a stored key is compared as bytes sliced from the map itself (a memoryview slice compared with
        # bytes goes item by item, and most probes compare one key)
        self._mm, self._start = m.mm, m.base + m.header["sections"][f"{name}.keys.data"][0]

    def number(self, key: str) -> int:
        kb = key.encode("utf-8")
        slots, mask = self.slots, self.mask
        i = crc32(kb) & mask
        k = slots[i]
        if k < 0:
            return -1  # most absent keys: an empty slot at once
        offsets, mm, start, size = self._offsets, self._mm, self._start, len(kb)
        while True:
            at = offsets[k]
            end = offsets[k + 1]
            # (a key of another length is told apart without slicing it from the map)
            if end - at == size and mm[start + at : start + end] == kb:
                return k
            i = (i + 1) & mask
            k = slots[i]
            if k < 0:
                return -1

    def __len__(self) -> int:
        return len(self.keys)

    def key(self, number: int) -> str:
        return self.keys[number].decode("utf-8")


_UNSEEN = object()  # a key MappedPostings has not looked up yet (None: looked up, not in the file)


class MappedPostings(Mapping[str, Sequence[int]]):
    """``NameIndex.postings``: key → its entry ids (ascending), a zero-copy int32 view of the file."""

    def __init__(self, m: _Mapped) -> None:
        self._keys = _StrKeys(m, "postings")
        self._values = _Table(m, "postings.values")
        self._value_offsets = self._values.offsets
        # the lists as one int32 view (each list is int32s, the section 8-byte aligned): a key's list is a
        # slice of it, one view made per lookup where slicing the bytes and casting the slice made two
        self._value_ints = self._values.data.cast("i")
        # the keys of recent queries and what the file holds for them (None: not in the file): half the
        # keys of a query mix recur (legal forms, common words), and a probe of the file's hash table costs
        # forty times a dict's
        self._recent: dict[str, memoryview | None] = {}

    def get(self, key: str, default: Any = None) -> Any:
        recent = self._recent
        found = recent.get(key, _UNSEEN)  # (not try/except: half the keys are new, and raising costs)
        if found is _UNSEEN:
            k = self._keys.number(key)  # (a direct call of a compiled method, not a bound method's)
            if k < 0:
                found = None
            else:
                offsets = self._value_offsets
                found = self._value_ints[offsets[k] >> 2 : offsets[k + 1] >> 2]
            if len(recent) >= POSTING_CACHE:
                recent.clear()
            recent[key] = found
        return default if found is None else found

    def __getitem__(self, key: str) -> Sequence[int]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found  # type: ignore[no-any-return]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return (self._keys.key(i) for i in range(len(self._keys)))


class MappedDf(Mapping[str, int]):
    """``NameIndex.df``: word → number of parties with it."""

    def __init__(self, m: _Mapped) -> None:
        self._keys = _StrKeys(m, "df")
        self._values = m.section("df.values", "i")

    def get(self, key: str, default: Any = None) -> Any:
        k = self._keys.number(key)
        return default if k < 0 else self._values[k]

    def __getitem__(self, key: str) -> int:
        k = self._keys.number(key)
        if k < 0:
            raise KeyError(key)
        return int(self._values[k])

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._keys.number(key) >= 0

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return (self._keys.key(i) for i in range(len(self._keys)))


class MappedDeletions(Mapping[str, list[str]]):
    """``NameIndex.deletion_map``: deletion variant → the vocabulary words it comes from."""

    def __init__(self, m: _Mapped) -> None:
        self._keys = _StrKeys(m, "deletions")
        self._values = _Table(m, "deletions.values")
        self._near = _Table(m, "deletions.near")

    def neighbours(self, word: str) -> tuple[str, ...] | None:
        """List word ``word``'s typo neighbours as the file holds them (see _near_record); None for a word
        it holds none for (not a list word), whose neighbours are found probe by probe."""
        k = self._keys.number(word)
        if k < 0:
            return None
        held = str(self._near.span(k), "utf-8")
        if not held:
            return None
        return tuple(held[1:].split("\0")) if len(held) > 1 else ()

    def get(self, key: str, default: Any = None) -> Any:
        k = self._keys.number(key)
        return default if k < 0 else str(self._values.span(k), "utf-8").split("\0")

    def __getitem__(self, key: str) -> list[str]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found  # type: ignore[no-any-return]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._keys.number(key) >= 0

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return (self._keys.key(i) for i in range(len(self._keys)))


class MappedVocab:
    """``NameIndex.vocab``: the list's surface words, i.e. the ``w:`` keys of the postings."""

    def __init__(self, postings: MappedPostings) -> None:
        self.postings = postings

    def __contains__(self, word: object) -> bool:
        # (get, not ``in``: one call less per probe, a dozen probes per query word for its typo neighbours)
        return isinstance(word, str) and self.postings.get("w:" + word) is not None

    def __iter__(self) -> Iterator[str]:
        return (k[2:] for k in self.postings if k.startswith("w:"))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Decoded(Sequence[Any]):
    """A table whose items are decoded on access, the most recent ``kept`` kept."""

    def __init__(self, table: _Table, kept: int) -> None:
        self.table = table
        self.kept = kept
        # first in, first out: an OrderedDict drops its oldest item at once, where a dict, asked for its
        # first key after thousands of items were popped from its front, walks past their empty slots
        # (a few microseconds per decode once the cache is full, the common case at 100k entities and up)
        self._cache: OrderedDict[int, Any] = OrderedDict()

    def decode(self, raw: bytes | memoryview) -> Any:
        raise NotImplementedError

    def peek(self, i: int) -> Any:
        """Item ``i`` (0 <= i < len), decoded but not kept: for a reader that looks at many items once
        (chipguard.match.bound reads a big name's whole ranking), so the cache keeps what is screened."""
        found = self._cache.get(i)
        return found if found is not None else self.decode(self.table.span(i))

    def __len__(self) -> int:
        return len(self.table)

    def __getitem__(self, i: Any) -> Any:
        try:
            found = self._cache.get(i)  # the common case first: a decoded item, by its position
        except TypeError:  # an unhashable slice
            found = None
        if found is not None:
            return found
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        found = self._cache.get(i)
        if found is None:
            if not 0 <= i < len(self):
                raise IndexError(i)
            if len(self._cache) >= self.kept:
                # the oldest entry; another thread (API workers screen concurrently) may be evicting too
                with contextlib.suppress(KeyError):
                    self._cache.popitem(last=False)
            found = self._cache[i] = self.decode(self.table.span(i))
        return found

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))


class MappedEntries(_Decoded):
    """``NameIndex.entries``: an indexed name, decoded from its marshal record when retrieved."""

    def __init__(self, table: _Table, tokens: _Table, weights: memoryview) -> None:
        super().__init__(table, DECODED_ENTRIES)
        layout = _layout()
        if any(layout[name] != fields for name, fields in _DECODED_LAYOUT.items()):
            raise IndexFileError(
                "the decoder does not read the fields of this engine's names (_DECODED_LAYOUT)"
            )
        # a token number → its Token: the same words recur in most decoded names (legal forms,
        # "technology", common surnames), so each is made once from the file's ``tokens`` table
        self._token_table = tokens
        # (each with its two weights, read once: see _token)
        self._tokens: dict[int, tuple[Token, object, object]] = {}
        # a token number → its weight in an organisation's name (at 2n) and a person's (at 2n + 1)
        self._weights = weights

    def org_token_weights(self) -> Iterator[tuple[Token, float]]:
        """Every distinct word of the names with its weight in an organisation's name (the file's
        ``tokens`` and ``tokens.weights``; chipguard.match.bound reads them once)."""
        # (read as objects: compiled, a memoryview's item is taken for an int, and a float fails its check)
        weights: Any = self._weights
        for number in range(len(self._token_table)):
            yield Token(*marshal.loads(self._token_table.span(number))), float(weights[2 * number])

    def _token(self, number: int) -> tuple[Token, object, object]:
        """Token ``number`` with its weights in an organisation's name and a person's (the file's
        ``tokens.weights``), made once and kept.

        Why the weights beside it: a decoded name's weights are its tokens' (a name met again is decoded
        from its cache, a new one mostly of known words), read here once per token rather than from the
        mapped section per token of every decoded name (compiled, each read a generic item look-up of the
        view and two boxed index sums)."""
        tokens = self._tokens
        if len(tokens) >= TOKEN_CACHE:
            tokens.clear()
        fields: tuple[Any, ...] = marshal.loads(self._token_table.span(number))
        weights: Any = self._weights
        made = tokens[number] = (
            Token(fields[0], fields[1], fields[2], fields[3]),
            weights[2 * number],
            weights[2 * number + 1],
        )
        return made

    def decode(self, raw: bytes | memoryview) -> Entry:
        # the fields by position (_DECODED_LAYOUT), each class made by a call with its arguments: compiled
        # (chipguard.native), a direct call of its constructor, not a generic call through an argument list;
        # the records read as tuples by index (compiled, unpacking an untyped value into names walks it with
        # the iterator protocol, an item at a time)
        record: tuple[Any, ...] = marshal.loads(raw)
        analysis: tuple[Any, ...] = record[1]
        # (the token numbers as objects: each is a dict key, which a native int would be boxed again for)
        numbers: tuple[Any, ...] = analysis[3]
        significant: tuple[Any, ...] = analysis[8]
        person: bool = record[5]
        tokens = self._tokens
        all_tokens: list[Token] = []
        weights: list[object] = []
        for n in numbers:
            known = tokens.get(n)
            if known is None:
                known = self._token(n)
            all_tokens.append(known[0])
            # the name's token weights (chipguard.match.score.weights_of), as the file holds them
            weights.append(known[2] if person else known[1])
        name_tokens = tuple(all_tokens)
        # (as analyze makes them: the tokens' tuple again when every token is significant, and the one
        # shared empty set for an empty one — fewer objects per name kept, for the collector to walk)
        if significant == numbers:
            kept = name_tokens
        else:
            some: list[Token] = []
            for n in significant:
                known = tokens.get(n)
                if known is None:
                    known = self._token(n)
                some.append(known[0])
            kept = tuple(some)
        name = NameAnalysis(
            analysis[0],
            analysis[1],
            analysis[2],
            name_tokens,
            analysis[4],
            analysis[5],
            analysis[6],
            analysis[7],
            kept,
            analysis[9] or NO_WORDS,
            analysis[10] or NO_WORDS,
            analysis[11] or NO_WORDS,
        )
        return Entry(
            record[0],
            name,
            record[2],
            record[3],
            record[4],
            person,
            record[6],
            record[7],
            tuple(weights),  # type: ignore[arg-type]
            record[8],
        )


def _slot_setters(cls: type) -> tuple[Any, ...]:
    """The setters of the slots of a frozen slotted dataclass (Alias, Address, Identifier), in the order
    of its fields: what a record's tuple of field values (``dataclasses.astuple``, _party_record) fills."""
    return tuple(cls.__dict__[f.name].__set__ for f in dataclasses.fields(cls))  # type: ignore[arg-type]


def _filled(cls: Any, setters: tuple[Any, ...], values: Sequence[Any]) -> Any:
    """An instance of the frozen slotted dataclass ``cls`` holding ``values``, one per field (``setters``:
    _slot_setters), as ``cls(*values)`` makes it.

    Why not ``cls(*values)``: the dataclass's generated ``__init__`` is interpreted and sets each field
    through ``object.__setattr__`` (the class being frozen) — ~5 k instructions per alias, address or
    identifier, and a fresh worker decodes a record for most candidates it scores; compiled, the slots are
    set directly (their descriptors, as ``object.__setattr__`` would reach them)."""
    made = cls.__new__(cls)
    for i in range(len(setters)):
        setters[i](made, values[i])
    return made


class MappedParties(_Decoded):
    """``Screener.parties``: a list party, decoded from its marshal record (see _party_record) when
    needed."""

    _KINDS = {kind.value: kind for kind in PartyKind}
    _KIND_AT = _PARTY_FIELDS.index("kind")
    _PARTS_AT = [(_PARTY_FIELDS.index(name), cls, _slot_setters(cls)) for name, cls in _PARTY_PARTS.items()]

    def __init__(self, table: _Table, keys: _Table, kept: int) -> None:
        super().__init__(table, kept)
        self._keys = keys

    def decode(self, raw: bytes | memoryview) -> Party:
        values = list(marshal.loads(zlib.decompress(raw)))
        values[self._KIND_AT] = self._KINDS[values[self._KIND_AT]]
        for at, cls, setters in self._PARTS_AT:
            values[at] = [_filled(cls, setters, item) for item in values[at]]
        return Party(*values)

    def name_keys(self, i: int) -> tuple[frozenset[str], frozenset[str]]:
        """Party ``i``'s name keys as the file holds them (screener.record_name_keys: of all its names, of
        its primary name)."""
        keys, primary = marshal.loads(self._keys.span(i))
        return frozenset(keys), frozenset(primary)


class _PartyCountries(Sequence[set[str]]):
    """``Screener._party_countries`` computed per party on first use."""

    def __init__(self, parties: Sequence[Party], norm: Any) -> None:
        self.parties = parties
        self.norm = norm
        self._made: dict[int, set[str]] = {}

    def __len__(self) -> int:
        return len(self.parties)

    def __getitem__(self, i: Any) -> Any:
        found = self._made.get(i)
        if found is None:
            found = self._made[i] = {self.norm(c) for c in self.parties[i].countries if c}
        return found


def decode_whole(screener: Screener) -> bool:
    """Decodes every name and party of a screener mapped from a file, when each table fits the cache that
    keeps it (up to DECODED_CACHE parties and DECODED_ENTRIES names: the CSL's 14k and 42k fit) — what a
    long-running worker holds anyway once its queries have met the list's names. False (nothing done)
    for an in-memory screener or a larger list, whose caches keep only what the queries meet.

    Why: a fresh worker pays 15–20 % more per query for the first touch of each record (decoding, its
    page of the file, the collector walking the new objects; BENCHMARKS.md, "why the mapped index is
    slower"): 885 q/s per core over a fresh worker's first 2,000 queries, 1,033 with every record decoded
    (``bench.scale``). A serving worker does it before it takes requests (~0.8 CPU s on the CSL)."""
    entries, parties = screener.index.entries, screener.parties
    if not isinstance(entries, MappedEntries) or not isinstance(parties, MappedParties):
        return False
    if len(entries) > entries.kept or len(parties) > parties.kept:
        return False
    for table in (entries, parties):
        for _record in table:
            pass
    return True


def _check_settings(path: Path, part: str, recorded: dict[str, Any], expected: Sequence[str]) -> None:
    """Refuse a file whose ``part`` settings are not this engine's by name (an older or newer writer):
    setting only what it recorded would leave a screener without a setting the code reads."""
    missing = sorted(set(expected) - set(recorded))
    unknown = sorted(set(recorded) - set(expected))
    if missing or unknown:
        said = "; ".join(
            f"{what}: {', '.join(names)}"
            for what, names in (("missing", missing), ("unknown", unknown))
            if names
        )
        raise IndexFileError(f"{path}: written with other {part} settings ({said}): rebuild it")


def open_screener(path: Path, verify: bool = True) -> Screener:
    """A Screener answering from the mapped file at ``path`` (IndexFileError when it cannot be used).

    Its ``threshold`` and ``snapshots`` are those at write time; the caller sets the ones it wants. A file
    built by other matching code or name data (its header's :func:`engine_digest`) is refused: what a
    file holds — every name's analysis — changes with the code that analysed it, not only with the
    format."""
    from chipguard.match.screener import SCREENER_SETTINGS, Screener, _country_norm

    m = _Mapped(path, verify=verify)
    tune_gc()  # this process screens: its caches of decoded names are long-lived
    if m.header.get("engine") != engine_digest():
        raise IndexFileError(
            f"{path}: built by another version of the matching code or name data "
            "(engine digest differs): rebuild it"
        )
    _check_settings(path, "index", m.header["index"], INDEX_SETTINGS)
    _check_settings(path, "screener", m.header["screener"], SCREENER_SETTINGS)
    postings = MappedPostings(m)
    deletions = MappedDeletions(m)
    index = NameIndex.from_tables(
        m.header["index"],
        MappedEntries(_Table(m, "entries"), _Table(m, "tokens"), m.section("tokens.weights", "d")),
        postings,
        MappedDf(m),
        deletions,
        MappedVocab(postings),
        deletions.neighbours,
    )

    screener = Screener.__new__(Screener)
    for name, value in m.header["screener"].items():
        setattr(screener, name, value)
    parties = MappedParties(_Table(m, "parties"), _Table(m, "parties.keys"), DECODED_CACHE)
    screener.parties = parties
    screener.stored_name_keys = parties.name_keys
    screener.stored_scripts = m.section("parties.script")
    screener.index = index
    screener.snapshots = []
    screener._party_countries = _PartyCountries(parties, _country_norm)
    screener.index_file = m
    return screener
