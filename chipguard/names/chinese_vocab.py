"""The Chinese organisation vocabulary, loaded once per process.

Why a module of its own: the vocabulary (≈80k CC-CEDICT entries plus the curated org_terms.yml) takes
~0.2 s to read, and both query-time and index-time code need it. ``vocabulary()`` is memoised, so the cost
is paid once and only by processes that actually meet a Chinese name.

Precedence when a headword appears in several sources: curated legal forms > curated abbreviations >
curated terms / places / admin suffixes > CC-CEDICT. The curated file states the English house style
companies register; CC-CEDICT supplies breadth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from chipguard.config import data_dir

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

# kinds translated in the cautious "mixed" rendering (everything else stays pinyin there)
CONFIDENT_KINDS = frozenset({LEGAL, ABBREV, TERM, PLACE, ADMIN, PROPER, ORG, FINAL, CONNECTOR})


@dataclass(frozen=True, slots=True)
class Entry:
    """One headword: its pinyin syllables, the English a registered name would use, and where that came from."""

    word: str
    pinyin: tuple[str, ...]
    english: str
    kind: str
    source: str  # "CC-CEDICT" or "curated"
    short: str | None = None  # acronym of an abbreviation entry ("AVIC" for 中航)


@dataclass(slots=True)
class Vocabulary:
    words: dict[str, Entry]
    final_chars: dict[str, str]
    digits: dict[str, int]
    units: dict[str, int]
    ordinal_prefix: str
    counted: tuple[str, ...]
    soft_connectors: dict[str, str] = field(default_factory=dict)
    max_len: int = 1
    version: str = ""
    sizes: dict[str, int] = field(default_factory=dict)


def _data_text(name: str) -> str:
    return (data_dir() / "zh" / name).read_text(encoding="utf-8")


def _pinyin_of(word: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(s.lower() for s in lazy_pinyin(word))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Load CC-CEDICT vocabulary and curated terms (once per process)."""
    words: dict[str, Entry] = {}
    sizes: dict[str, int] = {}
    for line in _data_text("cedict_vocab.tsv").splitlines():
        if not line or line.startswith("#"):
            continue
        simp, pinyin, english, kind = line.split("\t")
        words[simp] = Entry(simp, tuple(pinyin.split()), english, kind, "CC-CEDICT")
    sizes["CC-CEDICT"] = len(words)

    cur: dict[str, Any] = yaml.safe_load(_data_text("org_terms.yml"))

    def add(section: str, kind: str) -> None:
        for word, value in (cur.get(section) or {}).items():
            old = words.get(word)
            pinyin = old.pinyin if old is not None else _pinyin_of(word)
            english, short = (
                (str(value[0]), str(value[-1])) if isinstance(value, list) else (str(value), None)
            )
            words[word] = Entry(word, pinyin, english, kind, "curated", short)
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
        counted=tuple(sorted((str(c) for c in num.get("counted") or ()), key=len, reverse=True)),
        max_len=max(len(w) for w in words),
        version=str(cur.get("version", "")),
        sizes=sizes,
    )
