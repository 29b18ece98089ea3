"""The accelerator catalogue: chips, HBM stacks and systems, read from ``data/hardware/catalogue.yaml``.

Why a data file: chip figures change with every datasheet revision and every new part; a compliance
analyst must be able to read, cite and correct them without touching code. Each entry carries the source
of each figure (see the file's header). This module only loads, validates and looks entries up.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from chipguard import refdata
from chipguard.config import data_dir
from chipguard.datafiles import parse_yaml_mapping, read_yaml_mapping
from chipguard.errors import InputError

KINDS = ("accelerator", "memory", "system")


@dataclass(frozen=True, slots=True)
class Component:
    """``count`` units of catalogue entry ``model`` inside a system or cloud instance."""

    model: str
    count: int


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One accelerator, HBM stack or system. Figures are dense; ``None`` means no public figure.

    ``throughput`` maps a precision name (``precisions.yaml``) to dense TFLOPS/TOPS. ``sources`` maps a
    field (``throughput.FP8``, ``die_area_mm2``, … or ``default``) to the reference it was taken from.
    """

    id: str
    name: str
    vendor: str
    kind: str
    aliases: tuple[str, ...] = ()
    released: dt.date | None = None
    datacenter: bool | None = None
    throughput: Mapping[str, float] = field(default_factory=dict)
    die_area_mm2: float | None = None
    non_planar: bool | None = None
    memory_gb: float | None = None
    memory_type: str | None = None
    memory_bandwidth_gbs: float | None = None
    io_bandwidth_gbs: float | None = None
    package_area_mm2: float | None = None
    system_type: str | None = None
    components: tuple[Component, ...] = ()
    epoch_row: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None

    @property
    def hbm(self) -> bool | None:
        """Whether the part carries HBM (``None`` if the memory type is unknown)."""
        if self.memory_type is None:
            return None
        return self.memory_type.upper().startswith("HBM")

    def source_of(self, figure: str) -> str | None:
        """The reference a figure was taken from (``throughput.FP8``, ``die_area_mm2``, …)."""
        return self.sources.get(figure) or self.sources.get("default")

    def describe_source(self, figure: str) -> str | None:
        """``source_of`` spelled out for a reader: 'epoch' becomes the dataset and row it came from."""
        ref = self.source_of(figure)
        if ref == "epoch":
            return f"Epoch AI chip dataset 2025-06 (CC BY 4.0), row '{self.epoch_row}'"
        return ref

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (dates as ISO strings)."""
        return {
            "id": self.id,
            "name": self.name,
            "vendor": self.vendor,
            "kind": self.kind,
            "aliases": list(self.aliases),
            "released": self.released.isoformat() if self.released else None,
            "datacenter": self.datacenter,
            "throughput": dict(self.throughput),
            "die_area_mm2": self.die_area_mm2,
            "non_planar": self.non_planar,
            "memory_gb": self.memory_gb,
            "memory_type": self.memory_type,
            "memory_bandwidth_gbs": self.memory_bandwidth_gbs,
            "io_bandwidth_gbs": self.io_bandwidth_gbs,
            "package_area_mm2": self.package_area_mm2,
            "system_type": self.system_type,
            "components": [{"model": c.model, "count": c.count} for c in self.components],
            "sources": dict(self.sources),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All entries with the lookup tables ``resolve_model`` needs."""

    version: str
    entries: tuple[CatalogueEntry, ...]
    by_id: Mapping[str, CatalogueEntry]
    by_key: Mapping[str, str]  # normalised alias -> entry id
    ambiguous: Mapping[str, tuple[str, ...]]  # normalised name -> candidate ids
    by_tokens: Mapping[str, tuple[str, ...]]  # sorted-token key -> entry ids (word-order fallback)
    path: Path


CATALOGUE_FILE = "hardware/catalogue.yaml"  # relative to chipguard/data (and to the override directory)


def catalogue_path() -> Path:
    """The bundled catalogue file (an override or, during a replay, the archived one may be in force)."""
    return data_dir() / CATALOGUE_FILE


def normalise(text: str) -> str:
    """Case-, spacing- and punctuation-insensitive key: 'NVIDIA H100-SXM5 80 GB' -> 'nvidiah100sxm580gb'.

    NFKC first so full-width characters and compatibility forms compare equal; CJK characters are kept.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


_UNIT = re.compile(r"(\d)\s+(gb|tb|g)\b")
_VENDOR_TOKENS = frozenset(
    {"nvidia", "amd", "intel", "habana", "huawei", "hisilicon", "google", "amazon", "aws", "cambricon"}
)


def token_key(text: str) -> str:
    """Word-order-insensitive key: 'NVIDIA A100 80 GB PCIe' and 'A100 PCIe 80GB' -> '80gb a100 pcie'.

    Vendor words are dropped so 'AMD Instinct MI300X' meets 'Instinct MI300X'.
    """
    folded = _UNIT.sub(r"\1\2", unicodedata.normalize("NFKC", text).casefold())
    tokens = [t for t in re.split(r"[^\w]+|_", folded) if t and t not in _VENDOR_TOKENS]
    return " ".join(sorted(tokens))


_NUMBER = (int, float)


def _opt_float(raw: Mapping[str, Any], key: str, where: str, path: Path) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, _NUMBER) or value < 0:
        raise InputError(f"{where}: expected a non-negative number, got {value!r}", file=str(path), field=key)
    return float(value)


def _parse_entry(raw: Any, kind: str, index: int, path: Path) -> CatalogueEntry:
    where = f"{kind} #{index + 1}"
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected a mapping", file=str(path))
    for key in ("id", "name", "vendor"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise InputError(f"{where}: missing or empty", file=str(path), field=key)
    where = f"{kind} '{raw['id']}'"
    throughput_raw = raw.get("throughput") or {}
    if not isinstance(throughput_raw, dict):
        raise InputError(
            f"{where}: expected a mapping precision -> dense TOPS", file=str(path), field="throughput"
        )
    throughput: dict[str, float] = {}
    for precision, value in throughput_raw.items():
        if isinstance(value, bool) or not isinstance(value, _NUMBER) or value <= 0:
            raise InputError(
                f"{where}: expected a positive number", file=str(path), field=f"throughput.{precision}"
            )
        throughput[str(precision)] = float(value)
    released = raw.get("released")
    if released is not None and not isinstance(released, dt.date):
        raise InputError(f"{where}: expected a date YYYY-MM-DD", file=str(path), field="released")
    components = []
    for comp in raw.get("components") or []:
        if (
            not isinstance(comp, dict)
            or not isinstance(comp.get("model"), str)
            or not isinstance(comp.get("count"), int)
        ):
            raise InputError(
                f"{where}: component needs model and integer count", file=str(path), field="components"
            )
        components.append(Component(model=comp["model"], count=comp["count"]))
    sources = raw.get("sources") or ({"default": raw["source"]} if raw.get("source") else {})
    if not sources:
        raise InputError(f"{where}: every entry needs a source note", file=str(path), field="sources")
    return CatalogueEntry(
        id=raw["id"],
        name=raw["name"],
        vendor=raw["vendor"],
        kind=kind,
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
        released=released,
        datacenter=raw.get("datacenter", True if kind != "accelerator" else None),
        throughput=throughput,
        die_area_mm2=_opt_float(raw, "die_area_mm2", where, path),
        non_planar=raw.get("non_planar"),
        memory_gb=_opt_float(raw, "memory_gb", where, path),
        memory_type=raw.get("memory_type"),
        memory_bandwidth_gbs=_opt_float(raw, "memory_bandwidth_gbs", where, path),
        io_bandwidth_gbs=_opt_float(raw, "io_bandwidth_gbs", where, path),
        package_area_mm2=_opt_float(raw, "package_area_mm2", where, path),
        system_type=raw.get("system_type"),
        components=tuple(components),
        epoch_row=raw.get("epoch_row"),
        sources={str(k): str(v) for k, v in sources.items()},
        note=raw.get("note"),
    )


def load_catalogue(path: Path) -> Catalogue:
    """Reads and validates a catalogue file: unique ids and aliases, known components."""
    return build_catalogue(read_yaml_mapping(path), path)


def build_catalogue(doc: dict[str, Any], path: Path) -> Catalogue:
    """Validates a parsed catalogue document; ``path`` is what errors name."""
    entries: list[CatalogueEntry] = []
    for section, kind in (("accelerators", "accelerator"), ("memory", "memory"), ("systems", "system")):
        for i, raw in enumerate(doc.get(section) or []):
            entries.append(_parse_entry(raw, kind, i, path))
    by_id: dict[str, CatalogueEntry] = {}
    by_key: dict[str, str] = {}
    for entry in entries:
        if entry.id in by_id:
            raise InputError(f"duplicate id '{entry.id}'", file=str(path), field="id")
        by_id[entry.id] = entry
    for entry in entries:
        for comp in entry.components:
            if comp.model not in by_id or by_id[comp.model].kind == "system":
                raise InputError(
                    f"system '{entry.id}': component '{comp.model}' is not a catalogue chip",
                    file=str(path),
                    field="components",
                )
        for name in (entry.id, entry.name, *entry.aliases):
            for key in {normalise(name), normalise(f"{entry.vendor} {name}")}:
                owner = by_key.setdefault(key, entry.id)
                if owner != entry.id:
                    raise InputError(
                        f"alias '{name}' of '{entry.id}' already names '{owner}'",
                        file=str(path),
                        field="aliases",
                    )
    tokens: dict[str, set[str]] = {}
    for entry in entries:
        for name in (entry.name, *entry.aliases):
            tokens.setdefault(token_key(name), set()).add(entry.id)
    ambiguous: dict[str, tuple[str, ...]] = {}
    for name, ids in (doc.get("ambiguous") or {}).items():
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise InputError(f"ambiguous '{name}': unknown ids {unknown}", file=str(path), field="ambiguous")
        key = normalise(str(name))
        if key in by_key:
            raise InputError(
                f"ambiguous '{name}' is also an alias of '{by_key[key]}'", file=str(path), field="ambiguous"
            )
        ambiguous[key] = tuple(ids)
    return Catalogue(
        version=str(doc.get("version", "")),
        entries=tuple(entries),
        by_id=by_id,
        by_key=by_key,
        ambiguous=ambiguous,
        by_tokens={k: tuple(sorted(v)) for k, v in tokens.items() if k},
        path=path,
    )


def get_catalogue() -> Catalogue:
    """The catalogue in force: the bundled file or its override (``chipguard.refdata``), or the archived
    file while a decision is replayed; parsed once per content hash."""
    ref = refdata.current().file(CATALOGUE_FILE)
    return refdata.parsed(
        "catalogue",
        ref.sha256,
        lambda: build_catalogue(parse_yaml_mapping(ref.text(), ref.name), Path(ref.name)),
    )


def catalogue() -> tuple[CatalogueEntry, ...]:
    """Every catalogue entry: accelerators, then HBM stacks, then systems."""
    return get_catalogue().entries


_VENDOR_WORDS = re.compile(r"^(nvidia|amd|intel|habana|huawei|hisilicon|google|amazon|aws|cambricon)")


def resolve_model(text: str) -> CatalogueEntry:
    """Finds the catalogue entry a user means by ``text`` ("H100 SXM5 80GB", "h100", "nvidia h100-sxm").

    Exact on a normalised key (case, spacing and punctuation ignored). It never guesses: a name that could
    mean several parts, or no part at all, raises ``InputError`` naming the model and listing close matches,
    because classifying the wrong chip is worse than asking.
    """
    cat = get_catalogue()
    if not isinstance(text, str) or not text.strip():
        raise InputError("empty model name", field="model")
    key = normalise(text)
    candidates = [key]
    stripped = _VENDOR_WORDS.sub("", key)
    if stripped and stripped != key:
        candidates.append(stripped)
    for k in candidates:
        if k in cat.by_key:
            return cat.by_id[cat.by_key[k]]
    for k in candidates:
        if k in cat.ambiguous:
            raise _ambiguous(text, cat.ambiguous[k])
    ids = cat.by_tokens.get(token_key(text), ())
    if len(ids) == 1:
        return cat.by_id[ids[0]]
    if len(ids) > 1:
        raise _ambiguous(text, ids)
    suggestions = suggest(text)
    hint = f"; close matches: {', '.join(repr(s) for s in suggestions)}" if suggestions else ""
    raise InputError(
        f"unknown model '{text}'{hint}. Run 'chipguard hardware list', or classify it with --spec FILE.json",
        field="model",
    )


def _ambiguous(text: str, ids: tuple[str, ...]) -> InputError:
    names = ", ".join(f"'{get_catalogue().by_id[i].name}'" for i in ids)
    return InputError(f"model '{text}' is ambiguous: did you mean one of {names}?", field="model")


def suggest(text: str, limit: int = 3) -> list[str]:
    """Names of the entries closest to ``text`` (rapidfuzz on normalised aliases), best first."""
    cat = get_catalogue()
    key = normalise(text)
    if not key:
        return []
    matches = process.extract(key, list(cat.by_key), scorer=fuzz.WRatio, limit=limit * 6, score_cutoff=60)
    names: list[str] = []
    for alias_key, _score, _ in matches:
        name = cat.by_id[cat.by_key[alias_key]].name
        if name not in names:
            names.append(name)
        if len(names) == limit:
            break
    return names
