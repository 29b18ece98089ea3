"""Chinese names of listed parties, joined onto list records by their English name.

WHY: US lists (CSL, DoD 1260H) name Chinese organisations only in English. A listed firm that signs up
under its Chinese legal name (杭州海康威视数字技术股份有限公司) or its brand (海康威视) is found by
translation/pinyin only when the English name is derivable from the Chinese; brand names such as
Hikvision, SenseTime or Raycus are not. Screeners therefore ship curated enrichment data: the Chinese
names of listed parties from public sources (exchange filings, official websites, OFAC aliases). This
module loads that data (``chipguard/data/zh/listed_party_names.yml``) and appends the Chinese names as
Han-script aliases to the parties whose English names it knows. The code holds no names: the join is a
dictionary lookup on a normalised English name, so a compliance team can extend the file without code.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from chipguard.datafiles import compose_yaml, load_yaml
from chipguard.errors import InputError
from chipguard.model import Alias, Party

ALIAS_KIND = "enrichment"
CONFIDENCES = ("high", "medium")
_FIELDS = {
    "english",
    "english_variants",
    "chinese",
    "other",
    "short",
    "source",
    "confidence",
    "later_listing",
    "note",
}
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Han ideographs (CJK Unified + Ext A + compatibility) plus the ideographic zero 〇 used in institute
# numbers (第七〇一研究所); the full-width brackets are part of many registered names.
_HAN_NAME = re.compile(r"^[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff（）()]+$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One listed organisation: the list's English spellings and its Chinese names, with provenance."""

    english: str
    chinese: str  # full legal name, Simplified
    source: str
    confidence: str
    english_variants: tuple[str, ...] = ()
    other: tuple[str, ...] = ()  # other full Chinese names: former names, civilian designations
    short: tuple[str, ...] = ()  # short names / brands, e.g. 海康威视
    later_listing: str = ""  # listed after the bundled CSL snapshot, e.g. "Entity List 2025-01"
    line: int = 0

    @property
    def english_names(self) -> tuple[str, ...]:
        return (self.english, *self.english_variants)

    def chinese_names(self) -> list[tuple[str, str]]:
        """(name, form) pairs, legal name first; form is "legal", "other" or "short"."""
        out = [(self.chinese, "legal")]
        out += [(n, "other") for n in self.other]
        out += [(n, "short") for n in self.short]
        return out


def normalise_english(name: str) -> str:
    """The join key: NFKC, casefold, every run of punctuation/whitespace collapsed to one space.

    Deliberately simple so that the list's own spellings ("Xi'an", "Xi?an", "Co., Ltd.,") meet; no
    legal-form stripping, which would merge different group members (Co. Ltd. vs Group Co. Ltd.)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return _NON_WORD.sub(" ", text).strip()


def _strings(value: Any, *, file: str, line: int, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InputError("expected a list of non-empty strings", file=file, line=line, field=field)
    return tuple(v.strip() for v in value)


def _entry(raw: Any, *, file: str, line: int) -> Entry:
    if not isinstance(raw, dict):
        raise InputError("an entry must be a mapping", file=file, line=line)
    unknown = set(raw) - _FIELDS
    if unknown:
        raise InputError(
            f"unknown field(s) {sorted(unknown)}", file=file, line=line, field=sorted(unknown)[0]
        )
    for key in ("english", "chinese", "source", "confidence"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise InputError("missing or empty", file=file, line=line, field=key)
    if raw["confidence"] not in CONFIDENCES:
        raise InputError(f"must be one of {CONFIDENCES}", file=file, line=line, field="confidence")
    entry = Entry(
        english=raw["english"].strip(),
        english_variants=_strings(
            raw.get("english_variants"), file=file, line=line, field="english_variants"
        ),
        chinese=raw["chinese"].strip(),
        other=_strings(raw.get("other"), file=file, line=line, field="other"),
        short=_strings(raw.get("short"), file=file, line=line, field="short"),
        source=raw["source"].strip(),
        confidence=raw["confidence"],
        later_listing=str(raw.get("later_listing") or "").strip(),
        line=line,
    )
    for name, form in entry.chinese_names():
        if not _HAN_NAME.match(name):
            raise InputError(f"not a Han-script name: {name!r}", file=file, line=line, field=form)
    return entry


def parse_entries(text: str, *, file: str = "<string>") -> list[Entry]:
    """Validate and build entries; bad data is an InputError naming file, line and field."""
    try:
        root = compose_yaml(text)
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"invalid YAML: {exc}", file=file, line=mark.line + 1 if mark else None) from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list) or root is None:
        raise InputError("expected a mapping with an 'entries' list", file=file, field="entries")
    entries_node = next(v for k, v in root.value if k.value == "entries")
    entries = [
        _entry(raw, file=file, line=node.start_mark.line + 1)
        for raw, node in zip(data["entries"], entries_node.value, strict=True)
    ]
    seen_en: dict[str, Entry] = {}
    seen_zh: dict[str, Entry] = {}
    for e in entries:
        for name in e.english_names:
            key = normalise_english(name)
            if key in seen_en:
                raise InputError(
                    f"English name {name!r} already given (same normalised form) at line {seen_en[key].line}",
                    file=file,
                    line=e.line,
                    field="english",
                )
            seen_en[key] = e
        if e.chinese in seen_zh:
            raise InputError(
                f"Chinese name already used by the entry at line {seen_zh[e.chinese].line}",
                file=file,
                line=e.line,
                field="chinese",
            )
        seen_zh[e.chinese] = e
    return entries


@cache
def load_listed_names() -> list[Entry]:
    """The curated entries of ``listed_party_names.yml`` (read once per process)."""
    from chipguard.refdata import recorded_file

    found = recorded_file("zh/listed_party_names.yml")  # the bytes decisions record
    return parse_entries(found.text(), file=found.name)


@cache
def _index() -> dict[str, Entry]:
    return {normalise_english(n): e for e in load_listed_names() for n in e.english_names}


def entries_for(names: Iterable[str]) -> list[Entry]:
    """Entries whose English names match any of ``names``, in first-match order, without repeats."""
    index = _index()
    found: dict[int, Entry] = {}
    for name in names:
        entry = index.get(normalise_english(name))
        if entry is not None:
            found.setdefault(id(entry), entry)
    return list(found.values())


def enrich_party(party: Party) -> Party:
    """The party itself when no entry matches; otherwise a copy with the Chinese names appended as
    Han aliases (kind "enrichment") and ``extra["enrichment"]`` recording each alias's provenance.
    The input is never mutated: parties are cached and shared between indexes."""
    entries = entries_for([party.name, *(a.name for a in party.aliases)])
    if not entries:
        return party
    present = {a.name for a in party.aliases} | {party.name}
    added: list[Alias] = []
    provenance: list[dict[str, str]] = []
    for entry in entries:
        for name, form in entry.chinese_names():
            if name in present:
                continue
            present.add(name)
            added.append(Alias(name=name, script="Hani", kind=ALIAS_KIND))
            provenance.append(
                {
                    "alias": name,
                    "form": form,
                    "english": entry.english,
                    "source": entry.source,
                    "confidence": entry.confidence,
                }
            )
    if not added:
        return party
    extra = dict(party.extra)
    extra["enrichment"] = [*extra.get("enrichment", []), *provenance]
    return dataclasses.replace(party, aliases=[*party.aliases, *added], extra=extra)


def enrich_parties(parties: list[Party]) -> list[Party]:
    """Parties with the curated Chinese names of listed organisations appended (see ``enrich_party``);
    unchanged parties are returned as the same objects, changed ones as copies."""
    return [enrich_party(p) for p in parties]
