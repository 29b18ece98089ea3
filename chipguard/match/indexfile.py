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

Sections: ``parties`` (zlib-compressed JSON of ``Party.to_dict()`` per party), ``entries`` (one
zlib-compressed ``marshal`` record per indexed name: plain tuples, strings and numbers only, so reading
it builds no arbitrary objects, unlike a pickle), and three string maps — ``postings`` (key → entry ids), ``df`` (word → number of parties) and
``deletions`` (deletion variant → vocabulary words). A string map is a table of keys (``<name>.keys``),
a hash table of key numbers (``<name>.slots``, CRC-32 of the key's UTF-8, linear probing) and its values.
A table is a blob (``<name>.data``) with u64 offsets (``<name>.offsets``).

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
import tempfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipguard.match.index import LONG_POSTING, Entry, NameIndex
from chipguard.model import Party
from chipguard.names.analysis import NameAnalysis, Token

if TYPE_CHECKING:
    from chipguard.match.screener import Screener

MAGIC = b"CGIX"
FORMAT_VERSION = 2
_FIXED = struct.Struct("<4sII32s")
_ALIGN = 8
# decoded entries and parties kept per process: enough for the candidates of many queries, far below
# the index size (the point of mapping it)
DECODED_CACHE = 16_384
TOKEN_CACHE = 65_536  # distinct decoded tokens kept for reuse
POSTING_CACHE = 32_768  # posting-list lookups remembered (key → its view of the file, or absent)

# attributes of the Screener and NameIndex that the file holds as sections or rebuilds on open; every
# other attribute must be a plain setting (number, string, bool, None) stored in the header
_SCREENER_OBJECTS = {"parties", "index", "snapshots", "_party_countries"}
_INDEX_OBJECTS = {
    "entries",
    "postings",
    "posting_sets",
    "df",
    "deletion_map",
    "vocab",
    "_rarity_cache",
    "_neighbour_cache",
}


class IndexFileError(Exception):
    """The file is not a usable index of this engine (damaged, other version or layout): rebuild it."""


def _layout() -> dict[str, list[str]]:
    """The field names of the dataclasses the file encodes: a file written for another layout is refused."""
    return {cls.__name__: [f.name for f in dataclasses.fields(cls)] for cls in (Token, NameAnalysis, Entry)}


def _settings(obj: Any, objects: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in vars(obj).items():
        if name in objects:
            continue
        if value is not None and not isinstance(value, bool | int | float | str):
            raise IndexFileError(
                f"{type(obj).__name__}.{name} ({type(value).__name__}) has no place in the file"
            )
        out[name] = value
    return out


# --- encoding ------------------------------------------------------------------------------------------


def _token(t: Token) -> tuple[Any, ...]:
    return tuple(getattr(t, f.name) for f in dataclasses.fields(Token))


def _analysis(a: NameAnalysis) -> tuple[Any, ...]:
    out: list[Any] = []
    for f in dataclasses.fields(NameAnalysis):
        value = getattr(a, f.name)
        if f.name in ("tokens", "significant"):
            value = tuple(_token(t) for t in value)
        out.append(value)
    return tuple(out)


def _entry(e: Entry) -> bytes:
    out: list[Any] = []
    for f in dataclasses.fields(Entry):
        value = getattr(e, f.name)
        if f.name == "analysis":
            value = _analysis(value)
        out.append(value)
    return zlib.compress(marshal.dumps(tuple(out)))


class _Writer:
    """Collects sections, then writes header and sections to a file in one pass."""

    def __init__(self) -> None:
        self.sections: list[tuple[str, bytes]] = []

    def add(self, name: str, data: bytes) -> None:
        self.sections.append((name, data))

    def table(self, name: str, items: Sequence[bytes]) -> None:
        offsets = [0]
        for item in items:
            offsets.append(offsets[-1] + len(item))
        self.add(f"{name}.offsets", struct.pack(f"<{len(offsets)}Q", *offsets))
        self.add(f"{name}.data", b"".join(items))

    def str_map(self, name: str, keys: list[str]) -> None:
        """Keys (in the given order: key number = position) and their hash table."""
        encoded = [k.encode("utf-8") for k in keys]
        size = 1 << max(4, math.ceil(math.log2(max(len(keys), 1) * 2)))
        slots = [-1] * size
        mask = size - 1
        for number, kb in enumerate(encoded):
            i = zlib.crc32(kb) & mask
            while slots[i] >= 0:
                i = (i + 1) & mask
            slots[i] = number
        self.table(f"{name}.keys", encoded)
        self.add(f"{name}.slots", struct.pack(f"<{size}i", *slots))

    def write(self, path: Path, header: dict[str, Any]) -> None:
        body = bytearray()
        placed: dict[str, list[int]] = {}
        # section offsets are relative to the start of the section area; the header says where it starts
        for name, data in self.sections:
            body.extend(b"\0" * (-len(body) % _ALIGN))
            placed[name] = [len(body), len(data)]
            body.extend(data)
        header = {**header, "sections": placed}
        head = json.dumps(header, sort_keys=True).encode("utf-8")
        head += b" " * (-(len(head) + _FIXED.size) % _ALIGN)
        digest = hashlib.sha256(head)
        digest.update(body)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_FIXED.pack(MAGIC, FORMAT_VERSION, len(head), digest.digest()))
                fh.write(head)
                fh.write(body)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def write(screener: Screener, path: Path) -> None:
    """Writes ``screener`` (built in this process) to ``path`` atomically (temp file + rename)."""
    index = screener.index
    w = _Writer()
    w.table(
        "parties",
        [
            zlib.compress(json.dumps(p.to_dict(), ensure_ascii=False).encode("utf-8"))
            for p in screener.parties
        ],
    )
    w.table("entries", [_entry(e) for e in index.entries])

    keys = sorted(index.postings)
    w.str_map("postings", keys)
    w.table("postings.values", [struct.pack(f"<{len(index.postings[k])}i", *index.postings[k]) for k in keys])

    words = sorted(index.df)
    w.str_map("df", words)
    w.add("df.values", struct.pack(f"<{len(words)}i", *(index.df[k] for k in words)))

    dels = sorted(index.deletion_map)
    w.str_map("deletions", dels)
    w.table("deletions.values", ["\0".join(index.deletion_map[d]).encode("utf-8") for d in dels])

    header = {
        "format": FORMAT_VERSION,
        "marshal": marshal.version,
        "layout": _layout(),
        "screener": _settings(screener, _SCREENER_OBJECTS),
        "index": _settings(index, _INDEX_OBJECTS),
        "counts": {"parties": len(screener.parties), "entries": len(index.entries), "keys": len(keys)},
    }
    w.write(path, header)


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

    def section(self, name: str, fmt: str = "B") -> memoryview:
        offset, length = self.header["sections"][name]
        start = self.base + offset
        return self.view[start : start + length].cast(fmt)  # type: ignore[call-overload,no-any-return]


class _Table(Sequence[bytes]):
    """The i-th item of a table, as bytes sliced from the map."""

    def __init__(self, m: _Mapped, name: str) -> None:
        self.offsets = m.section(f"{name}.offsets", "Q")
        self.data = m.section(f"{name}.data")

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def span(self, i: int) -> memoryview:
        return self.data[self.offsets[i] : self.offsets[i + 1]]

    def __getitem__(self, i: int) -> bytes:  # type: ignore[override]
        return bytes(self.data[self.offsets[i] : self.offsets[i + 1]])


class _StrKeys:
    """Key → key number through the file's hash table (-1 when absent)."""

    def __init__(self, m: _Mapped, name: str) -> None:
        self.keys = _Table(m, f"{name}.keys")
        self.slots = m.section(f"{name}.slots", "i")
        self.mask = len(self.slots) - 1

    def number(self, key: str) -> int:
        kb = key.encode("utf-8")
        slots, mask, offsets, data = self.slots, self.mask, self.keys.offsets, self.keys.data
        i = zlib.crc32(kb) & mask
        while True:
            k = slots[i]
            if k < 0:
                return -1
            if data[offsets[k] : offsets[k + 1]] == kb:
                return k
            i = (i + 1) & mask

    def __len__(self) -> int:
        return len(self.keys)

    def key(self, number: int) -> str:
        return self.keys[number].decode("utf-8")


class MappedPostings(Mapping[str, Sequence[int]]):
    """``NameIndex.postings``: key → its entry ids (ascending), a zero-copy int32 view of the file."""

    def __init__(self, m: _Mapped) -> None:
        self._keys = _StrKeys(m, "postings")
        self._values = _Table(m, "postings.values")
        # the keys of recent queries and what the file holds for them (None: not in the file): half the
        # keys of a query mix recur (legal forms, common words), and a probe of the file's hash table costs
        # forty times a dict's
        self._recent: dict[str, memoryview | None] = {}

    def get(self, key: str, default: Any = None) -> Any:
        recent = self._recent
        try:
            found = recent[key]
        except KeyError:
            k = self._keys.number(key)
            found = None if k < 0 else self._values.span(k).cast("i")
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


class MappedPostingSets(Mapping[str, frozenset[int]]):
    """``NameIndex.posting_sets``: the long posting lists as sets, made on first use per key."""

    def __init__(self, postings: MappedPostings) -> None:
        self.postings = postings
        self._made: dict[str, frozenset[int] | None] = {}

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self._made:
            plist = self.postings.get(key)
            self._made[key] = frozenset(plist) if plist is not None and len(plist) > LONG_POSTING else None
        found = self._made[key]
        return default if found is None else found

    def __getitem__(self, key: str) -> frozenset[int]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return sum(1 for k in self.postings if len(self.postings[k]) > LONG_POSTING)

    def __iter__(self) -> Iterator[str]:
        return (k for k in self.postings if len(self.postings[k]) > LONG_POSTING)


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

    def __getitem__(self, key: str) -> list[str]:
        k = self._keys.number(key)
        if k < 0:
            raise KeyError(key)
        return self._values[k].decode("utf-8").split("\0")

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
        return isinstance(word, str) and ("w:" + word) in self.postings

    def __iter__(self) -> Iterator[str]:
        return (k[2:] for k in self.postings if k.startswith("w:"))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Decoded(Sequence[Any]):
    """A table whose items are decoded on access, the most recent ``DECODED_CACHE`` kept."""

    def __init__(self, table: _Table) -> None:
        self.table = table
        self._cache: dict[int, Any] = {}

    def decode(self, raw: bytes) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self.table)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        found = self._cache.get(i)
        if found is None:
            if not 0 <= i < len(self):
                raise IndexError(i)
            if len(self._cache) >= DECODED_CACHE:
                # the oldest entry; another thread (API workers screen concurrently) may be evicting too
                with contextlib.suppress(StopIteration, RuntimeError):
                    self._cache.pop(next(iter(self._cache)), None)
            found = self._cache[i] = self.decode(self.table[i])
        return found

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))


class MappedEntries(_Decoded):
    """``NameIndex.entries``: an indexed name, decoded from its marshal record when retrieved."""

    def __init__(self, table: _Table) -> None:
        super().__init__(table)
        entry_fields = [f.name for f in dataclasses.fields(Entry)]
        analysis_fields = [f.name for f in dataclasses.fields(NameAnalysis)]
        # records hold the fields in declaration order, which is the order of the classes' constructors
        self._analysis_at = entry_fields.index("analysis")
        self._token_fields = (analysis_fields.index("tokens"), analysis_fields.index("significant"))
        self._tokens: dict[tuple[Any, ...], Token] = {}

    def _token(self, t: tuple[Any, ...]) -> Token:
        tokens = self._tokens
        token = tokens.get(t)
        if token is None:
            if len(tokens) >= TOKEN_CACHE:
                tokens.clear()
            token = tokens[t] = Token(*t)
        return token

    def decode(self, raw: bytes) -> Entry:
        values = list(marshal.loads(zlib.decompress(raw)))
        analysis = list(values[self._analysis_at])
        for at in self._token_fields:
            analysis[at] = tuple(map(self._token, analysis[at]))
        values[self._analysis_at] = NameAnalysis(*analysis)
        return Entry(*values)


class MappedParties(_Decoded):
    """``Screener.parties``: a list party, decoded from its JSON record when needed."""

    def decode(self, raw: bytes) -> Party:
        return Party.from_dict(json.loads(zlib.decompress(raw)))


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


def open_screener(path: Path, verify: bool = True) -> Screener:
    """A Screener answering from the mapped file at ``path`` (IndexFileError when it cannot be used).

    Its ``threshold`` and ``snapshots`` are those at write time; the caller sets the ones it wants."""
    from chipguard.match.screener import Screener, _country_norm

    m = _Mapped(path, verify=verify)
    index = NameIndex.__new__(NameIndex)
    for name, value in m.header["index"].items():
        setattr(index, name, value)
    index.entries = MappedEntries(_Table(m, "entries"))  # type: ignore[assignment]
    postings = MappedPostings(m)
    index.postings = postings  # type: ignore[assignment]
    index.posting_sets = MappedPostingSets(postings)  # type: ignore[assignment]
    index.df = MappedDf(m)  # type: ignore[assignment]
    index.deletion_map = MappedDeletions(m)  # type: ignore[assignment]
    index.vocab = MappedVocab(postings)  # type: ignore[assignment]
    index._rarity_cache = {}
    index._neighbour_cache = {}

    screener = Screener.__new__(Screener)
    for name, value in m.header["screener"].items():
        setattr(screener, name, value)
    parties = MappedParties(_Table(m, "parties"))
    screener.parties = parties  # type: ignore[assignment]
    screener.index = index
    screener.snapshots = []
    screener._party_countries = _PartyCountries(parties, _country_norm)  # type: ignore[assignment]
    screener.index_file = m  # type: ignore[attr-defined]
    return screener
