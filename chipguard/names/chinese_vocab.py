"""The Chinese organisation vocabulary, loaded once per process.

Why a module of its own: the vocabulary (≈80k CC-CEDICT entries plus the curated org_terms.yml) takes
~0.2 s to read, and both query-time and index-time code need it. ``vocabulary()`` is memoised, so the cost
is paid once and only by processes that actually meet a Chinese name.

Precedence when a headword appears in several sources: curated legal forms > curated abbreviations >
curated terms / places / admin suffixes > CC-CEDICT. The curated file states the English house style
companies register; CC-CEDICT supplies breadth.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from chipguard.datafiles import load_yaml

# kinds of vocabulary entries; the renderer decides per kind whether to translate or keep pinyin
LEGAL = "legal-form"
ABBREV = "abbreviation"
TERM = "org-term"  # curated organisation vocabulary
PLACE = "place"
ADMIN = "admin-suffix"
PROPER = "proper"  # CC-CEDICT named body / country / brand
ORG = "org"  # CC-CEDICT word whose gloss is made of words seen in real English organisation names
GENERAL = "general"  # any other CC-CEDICT word
FINAL = "final-char"  # single character naming the body type at the end of a name
CONNECTOR = "connector"  # 与 / 及: "and" wherever it stands
PREFIX = "prefix"  # 新 before a translated word: "New"
SUFFIX = "dropped-suffix"  # 学 after a translated word: already in the English word

# kinds translated in the cautious "mixed" rendering (everything else stays pinyin there)
CONFIDENT_KINDS = frozenset(
    {LEGAL, ABBREV, TERM, PLACE, ADMIN, PROPER, ORG, FINAL, CONNECTOR, PREFIX, SUFFIX}
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One headword: its pinyin syllables, the English a registered name would use, and where that came from."""

    word: str
    pinyin: tuple[str, ...]
    english: str
    kind: str
    source: str  # "CC-CEDICT" or "curated"
    short: str | None = None  # acronym of an abbreviation entry ("AVIC" for 中航)


class Words:
    """word → Entry. CC-CEDICT lines stay plain strings until a name uses the word: 80k Entry objects
    would cost ~40 MB more per worker process."""

    __slots__ = ("_parsed", "_raw")

    def __init__(self, raw: dict[str, str]) -> None:
        self._raw = raw  # word → "pinyin\tenglish\tkind"
        self._parsed: dict[str, Entry] = {}

    def get(self, word: str) -> Entry | None:
        e = self._parsed.get(word)
        if e is not None:
            return e
        line = self._raw.get(word)
        if line is None:
            return None
        pinyin, english, kind = line.split("\t")
        e = Entry(word, tuple(pinyin.split()), english, kind, "CC-CEDICT")
        self._parsed[word] = e
        return e

    def put(self, entry: Entry) -> None:
        self._parsed[entry.word] = entry
        self._raw.pop(entry.word, None)

    def __contains__(self, word: object) -> bool:
        return word in self._parsed or word in self._raw

    def curated(self, kind: str) -> list[Entry]:
        """The curated headwords of one kind (never the CC-CEDICT lines, which stay unparsed)."""
        return [e for e in self._parsed.values() if e.source == "curated" and e.kind == kind]

    def cedict_of_kind(self, kind: str) -> Iterator[tuple[str, tuple[str, ...], str]]:
        """(word, pinyin, english) of the CC-CEDICT lines of one kind, in the file's order, left unparsed
        (no Entry kept: reading them all must not cost the memory of 80k entries)."""
        for word, line in self._raw.items():
            pinyin, english, line_kind = line.split("\t")
            if line_kind == kind:
                yield word, tuple(pinyin.split()), english

    def __getitem__(self, word: str) -> Entry:
        e = self.get(word)
        if e is None:
            raise KeyError(word)
        return e

    def __len__(self) -> int:
        return len(self._raw) + len(self._parsed)

    def __iter__(self) -> Iterator[str]:
        yield from self._raw
        yield from self._parsed


@dataclass(slots=True)
class Vocabulary:
    words: Words
    final_chars: dict[str, str]
    digits: dict[str, int]
    units: dict[str, int]
    ordinal_prefix: str
    counted: tuple[str, ...]
    soft_connectors: dict[str, str] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    drop_suffixes: dict[str, str] = field(default_factory=dict)
    brand_chars: dict[str, str] = field(default_factory=dict)
    industry_chars: dict[str, str] = field(default_factory=dict)  # 塑 → Plastic after a trade name
    parents: tuple[str, ...] = ()
    province_abbreviations: dict[str, str] = field(default_factory=dict)  # 川 → Sichuan
    bound_prefixes: dict[str, str] = field(default_factory=dict)  # 超 → Super (joined to the next word)
    # 市 → Municipal, 自治州 → Autonomous Prefecture: the unit a public body writes after its place
    admin_units: dict[str, str] = field(default_factory=dict)
    ethnic_groups: dict[str, str] = field(default_factory=dict)  # 回族 → Hui (昌吉回族自治州)
    public_body_ends: tuple[str, ...] = ()  # 局, 医院, 委员会 …: how a public body's name ends
    max_len: int = 1
    version: str = ""
    sizes: dict[str, int] = field(default_factory=dict)


def _data_text(name: str) -> str:
    """``zh/<name>`` as decisions record it (``refdata.recorded_file``)."""
    from chipguard.refdata import recorded_file

    return recorded_file(f"zh/{name}").text()


@lru_cache(maxsize=1)
def char_readings() -> dict[str, str]:
    """Han character → its most frequent pinyin reading (generated from pypinyin's data): enough to spell
    brands and words outside the vocabulary without loading pypinyin's phrase dictionary (~60 MB)."""
    out: dict[str, str] = {}
    for line in _data_text("hanzi_pinyin.tsv").splitlines():
        if line and not line.startswith("#"):
            ch, reading = line.split("\t")
            out[ch] = reading
    cur = load_yaml(_data_text("org_terms.yml")) or {}
    out.update({str(k): str(v) for k, v in (cur.get("name_readings") or {}).items()})
    return out


def pinyin_of(text: str) -> tuple[str, ...]:
    """Pinyin syllables of Han text, one per character; pypinyin only for characters outside the table
    (rare extension-B characters)."""
    table = char_readings()
    out: list[str] = []
    for ch in text:
        reading = table.get(ch)
        if reading is None:
            if ch.isdigit():
                reading = ch
            else:
                from pypinyin import lazy_pinyin

                reading = "".join(lazy_pinyin(ch)).lower()
        out.append(reading)
    return tuple(out)


def _longest_first(section: dict[str, Any] | None) -> dict[str, str]:
    """A curated word → English table, its longest words first (自治州 is tried before 州 would be)."""
    items = sorted(((str(k), str(v)) for k, v in (section or {}).items()), key=lambda kv: -len(kv[0]))
    return dict(items)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Load CC-CEDICT vocabulary and curated terms (once per process)."""
    raw: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for line in _data_text("cedict_vocab.tsv").splitlines():
        if not line or line.startswith("#"):
            continue
        simp, rest = line.split("\t", 1)
        raw[simp] = rest
    words = Words(raw)
    sizes["CC-CEDICT"] = len(raw)

    cur: dict[str, Any] = load_yaml(_data_text("org_terms.yml"))

    def add(section: str, kind: str) -> None:
        for word, value in (cur.get(section) or {}).items():
            old = words.get(word)
            pinyin = old.pinyin if old is not None else pinyin_of(word)
            english, short = (
                (str(value[0]), str(value[-1])) if isinstance(value, list) else (str(value), None)
            )
            words.put(Entry(word, pinyin, english, kind, "curated", short))
        sizes[section] = len(cur.get(section) or {})

    # later sections win: lowest precedence first
    add("connectors", CONNECTOR)
    add("regions", PROPER)
    add("terms", TERM)
    add("places", PLACE)
    add("admin_suffixes", ADMIN)
    add("abbreviations", ABBREV)
    add("legal_forms", LEGAL)

    num = cur.get("numerals") or {}
    return Vocabulary(
        words=words,
        final_chars={str(k): str(v) for k, v in (cur.get("final_chars") or {}).items()},
        digits={str(k): int(v) for k, v in (num.get("digits") or {}).items()},
        units={str(k): int(v) for k, v in (num.get("units") or {}).items()},
        ordinal_prefix=str(num.get("ordinal_prefix") or "第"),
        soft_connectors={str(k): str(v) for k, v in (cur.get("soft_connectors") or {}).items()},
        prefixes={str(k): str(v) for k, v in (cur.get("prefixes") or {}).items()},
        drop_suffixes={str(k): str(v) for k, v in (cur.get("drop_suffixes") or {}).items()},
        brand_chars={str(k): str(v) for k, v in (cur.get("brand_chars") or {}).items()},
        industry_chars={str(k): str(v) for k, v in (cur.get("industry_chars") or {}).items()},
        parents=tuple(sorted((str(p) for p in cur.get("parents") or ()), key=len, reverse=True)),
        bound_prefixes={str(k): str(v) for k, v in (cur.get("bound_prefixes") or {}).items()},
        admin_units=_longest_first(cur.get("admin_units")),
        ethnic_groups=_longest_first(cur.get("ethnic_groups")),
        public_body_ends=tuple(str(w) for w in cur.get("public_body_ends") or ()),
        province_abbreviations={str(k): str(v) for k, v in (cur.get("province_abbreviations") or {}).items()},
        counted=tuple(sorted((str(c) for c in num.get("counted") or ()), key=len, reverse=True)),
        max_len=max(len(w) for w in words),
        version=str(cur.get("version", "")),
        sizes=sizes,
    )
