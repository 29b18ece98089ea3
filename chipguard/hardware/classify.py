"""Classification of an accelerator, HBM stack or system under the ECCN rules in force on a date.

The flow is: figures (catalogue or spec) -> facts (TPP, PD, bandwidths, datacenter) -> the rule documents in
force on the date (``rules.rule_set``) -> ECCN label, flags and citations. Every threshold lives in the rule
data; this module only wires facts to the generic engine and explains the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from chipguard.errors import InputError
from chipguard.hardware.catalogue import CatalogueEntry, get_catalogue, resolve_model
from chipguard.hardware.rules import RuleSet, evaluate, rule_set
from chipguard.hardware.spec import load_spec, spec_from_mapping
from chipguard.hardware.tpp import TppBasis, performance_density, tpp_basis


class Citation(TypedDict):
    """Why a classification says what it says: the rule, its text and where it is published."""

    rule_id: str
    text: str
    citation: str


@dataclass(frozen=True, slots=True)
class Flag:
    """A consequence that does not change the ECCN (licence letter, review band, GP10, NAC eligibility).

    ``scope`` says to whom it matters, in a small vocabulary the rule engine reads: country codes (``CN``,
    ``HK``, ``MO``), country groups (``D:5``), ``HQ:<code or group>`` for headquarters/ultimate-parent tests,
    or ``ANY``.
    """

    flag: str
    rule_id: str
    text: str
    citation: str
    scope: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "flag": self.flag,
            "rule_id": self.rule_id,
            "text": self.text,
            "citation": self.citation,
            "scope": list(self.scope),
        }


@dataclass(slots=True)
class Classification:
    """The answer for one model on one date, with everything needed to defend or replay it."""

    model: str
    name: str
    kind: str
    on: dt.date
    eccn: str
    rule_set: str
    tpp: float | None = None
    tpp_basis: TppBasis | None = None
    performance_density: float | None = None
    die_area: float | None = None
    datacenter: bool | None = None
    memory_bandwidth_gbs: float | None = None
    io_bandwidth_gbs: float | None = None
    citations: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    source: str = "catalogue"
    catalogue_version: str = ""
    controlled_labels: tuple[str, ...] = ()
    undetermined_label: str = "undetermined"

    @property
    def controlled(self) -> bool:
        """True when a 3A090/4A090 label applies (an ``undetermined`` result is not "controlled" but must fail closed)."""
        return self.eccn in self.controlled_labels

    @property
    def undetermined(self) -> bool:
        return self.eccn == self.undetermined_label

    @property
    def accelerator_count(self) -> int:
        """Accelerators per unit: the chips in a system or instance (8 for a p5.48xlarge), else 1."""
        if self.kind == "system":
            return sum(int(c["count"]) for c in self.components)
        return 1

    def has_flag(self, flag: str) -> bool:
        return any(f.flag == flag for f in self.flags)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form; ``Decision.classifications`` holds these."""
        return {
            "model": self.model,
            "name": self.name,
            "kind": self.kind,
            "date": self.on.isoformat(),
            "eccn": self.eccn,
            "controlled": self.controlled,
            "undetermined": self.undetermined,
            "tpp": _round(self.tpp),
            "tpp_basis": (
                {
                    "precision": self.tpp_basis.precision,
                    "dense_tops": self.tpp_basis.dense_tops,
                    "bits": self.tpp_basis.bits,
                }
                if self.tpp_basis
                else None
            ),
            "performance_density": _round(self.performance_density, 2),
            "die_area_mm2": self.die_area,
            "datacenter": self.datacenter,
            "memory_bandwidth_gbs": self.memory_bandwidth_gbs,
            "io_bandwidth_gbs": self.io_bandwidth_gbs,
            "rule_set": self.rule_set,
            "citations": [dict(c) for c in self.citations],
            "flags": [f.to_dict() for f in self.flags],
            "notes": list(self.notes),
            "components": list(self.components),
            "accelerator_count": self.accelerator_count,
            "source": self.source,
            "catalogue_version": self.catalogue_version,
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _entry_of(model_or_spec: str | Path | Mapping[str, Any] | CatalogueEntry) -> tuple[CatalogueEntry, str]:
    if isinstance(model_or_spec, CatalogueEntry):
        return model_or_spec, "catalogue" if not model_or_spec.id.startswith("spec:") else "spec"
    if isinstance(model_or_spec, Path):
        return load_spec(model_or_spec), "spec"
    if isinstance(model_or_spec, Mapping):
        return spec_from_mapping(model_or_spec), "spec"
    if isinstance(model_or_spec, str):
        return resolve_model(model_or_spec), "catalogue"
    raise InputError(f"cannot classify a {type(model_or_spec).__name__}", field="model")


def classify(
    model_or_spec: str | Path | Mapping[str, Any] | CatalogueEntry,
    on: dt.date | str | None = None,
    *,
    rules: RuleSet | None = None,
) -> Classification:
    """Classifies a model name, catalogue entry, spec mapping or spec file under the rules in force on ``on``.

    ``on`` defaults to today. A model name goes through ``resolve_model`` (unknown or ambiguous names raise
    ``InputError``); a ``Path`` is read as a spec JSON file. ``rules`` replaces the bundled rule documents
    (what-if analysis of a draft rule, and tests that prove the thresholds live in data).
    """
    if on is None:
        on = dt.date.today()
    elif isinstance(on, str):
        try:
            on = dt.date.fromisoformat(on)
        except ValueError as exc:
            raise InputError(f"expected a date YYYY-MM-DD, got '{on}'", field="date") from exc
    if isinstance(on, dt.datetime):
        on = on.date()
    entry, source = _entry_of(model_or_spec)
    rs = rules if rules is not None else rule_set(on)
    on = rs.on
    result = _classify_system(entry, rs) if entry.kind == "system" else _classify_chip(entry, rs)
    result.source = source
    result.catalogue_version = get_catalogue().version
    if not rs.documents:
        result.notes.insert(
            0, f"No 3A090/4A090 rule was in force on {on.isoformat()} (the first took effect on 2022-10-07)."
        )
    return result


def _facts(entry: CatalogueEntry) -> tuple[dict[str, Any], TppBasis | None]:
    basis = tpp_basis(entry.throughput)
    tpp = basis.tpp if basis else None
    density = None
    if entry.kind == "memory" and entry.memory_bandwidth_gbs is not None and entry.package_area_mm2:
        density = entry.memory_bandwidth_gbs / entry.package_area_mm2
    facts: dict[str, Any] = {
        "model": entry.id,
        "vendor": entry.vendor,
        "kind": entry.kind,
        "tpp": tpp,
        "performance_density": performance_density(tpp, entry.die_area_mm2),
        "datacenter": entry.datacenter,
        "io_bandwidth_gbs": entry.io_bandwidth_gbs,
        "memory_bandwidth_gbs": entry.memory_bandwidth_gbs,
        "memory_bandwidth_density": density,
        "hbm": entry.hbm,
    }
    return facts, basis


def _applies(rule_kinds: tuple[str, ...], kind: str) -> bool:
    return not rule_kinds or kind in rule_kinds


def _classify_chip(entry: CatalogueEntry, rs: RuleSet) -> Classification:
    vocab = rs.vocabulary
    facts, basis = _facts(entry)
    notes: list[str] = []
    citations: list[Citation] = []
    matched = []
    unknown: list[tuple[str, set[str]]] = []  # (eccn, missing facts)
    classify_rules = [r for r in rs.rules("classify") if _applies(r.applies_to, entry.kind)]
    for rule in classify_rules:
        missing: set[str] = set()
        verdict = evaluate(rule.when, facts, missing)
        if verdict is True:
            matched.append(rule)
        elif verdict is None:
            unknown.append((rule.eccn or "", missing))
    if matched:
        eccn = vocab.most_restrictive([r.eccn or "" for r in matched])
        for rule in matched:
            if rule.eccn == eccn:
                citations.append(Citation(rule_id=rule.id, text=rule.text, citation=rule.citation))
        for label, miss in unknown:
            if vocab.stricter(label, eccn):
                notes.append(f"Could be {label}: cannot tell without {', '.join(sorted(miss))}.")
    elif unknown:
        eccn = vocab.undetermined
        missing_all = sorted({m for _, miss in unknown for m in miss})
        notes.append(
            f"Undetermined: {', '.join(missing_all)} unknown, so "
            f"{', '.join(sorted({label for label, _ in unknown}))} cannot be ruled out. Supply the figures with --spec."
        )
    else:
        eccn = vocab.not_controlled
        for doc in rs.documents:
            ids = [
                r.id
                for r in doc.rules
                if r.effect == "classify" and r.in_force(rs.on) and _applies(r.applies_to, entry.kind)
            ]
            if ids:
                citations.append(
                    Citation(rule_id=doc.id, text=f"None of {', '.join(ids)} is met", citation=doc.citation)
                )
    # Exclusions (carve-outs): applied to a matched label, or to an undetermined one they fully cover.
    for rule in rs.rules("exclude"):
        if not _applies(rule.applies_to, entry.kind):
            continue
        covers = eccn in rule.excludes or (
            eccn == vocab.undetermined and unknown and all(label in rule.excludes for label, _ in unknown)
        )
        if not covers:
            continue
        missing = set()
        verdict = evaluate(rule.when, facts, missing)
        if verdict is True:
            notes.append(f"{eccn} set aside by carve-out {rule.id}.")
            eccn = vocab.not_controlled
            citations = [Citation(rule_id=rule.id, text=rule.text, citation=rule.citation)]
        elif verdict is None:
            notes.append(f"Carve-out {rule.id} not applied: {', '.join(sorted(missing))} unknown.")
    facts["eccn"] = eccn
    flags = _flags(facts, entry.kind, rs, notes)
    for flag in flags:
        citations.append(Citation(rule_id=flag.rule_id, text=flag.text, citation=flag.citation))
    if entry.note:
        notes.append(entry.note)
    if entry.kind == "accelerator" and basis is not None and entry.die_area_mm2 is None:
        notes.append("Applicable die area not public: performance density unknown.")
    return Classification(
        model=entry.id,
        name=entry.name,
        kind=entry.kind,
        on=rs.on,
        eccn=eccn,
        rule_set=rs.id,
        tpp=facts["tpp"],
        tpp_basis=basis,
        performance_density=facts["performance_density"],
        die_area=entry.die_area_mm2,
        datacenter=entry.datacenter,
        memory_bandwidth_gbs=entry.memory_bandwidth_gbs,
        io_bandwidth_gbs=entry.io_bandwidth_gbs,
        citations=citations,
        notes=notes,
        flags=flags,
        controlled_labels=vocab.labels,
        undetermined_label=vocab.undetermined,
    )


def flag_note(flag: Flag) -> str:
    """The line a flag adds to ``notes`` (so a reader of notes alone still sees it)."""
    return f"{flag.flag}: {flag.text} ({flag.citation})"


def _flags(facts: Mapping[str, Any], kind: str, rs: RuleSet, notes: list[str]) -> list[Flag]:
    flags: list[Flag] = []
    for rule in rs.rules("flag"):
        if not _applies(rule.applies_to, kind) or rule.flag is None:
            continue
        missing: set[str] = set()
        verdict = evaluate(rule.when, facts, missing)
        if verdict is True:
            flag = Flag(
                flag=rule.flag, rule_id=rule.id, text=rule.text, citation=rule.citation, scope=rule.scope
            )
            flags.append(flag)
            notes.append(flag_note(flag))
            if rule.note:
                notes.append(rule.note)
        elif verdict is None and not ({"eccn", "model"} & missing):
            notes.append(f"Rule {rule.id} could not be evaluated: {', '.join(sorted(missing))} unknown.")
    return flags


def _classify_system(entry: CatalogueEntry, rs: RuleSet) -> Classification:
    """A system takes the 4A090 label its most restrictive chip maps to, and inherits the chips' flags."""
    vocab = rs.vocabulary
    mapping = rs.system_mapping()
    cat = get_catalogue()
    parts = [(comp, _classify_chip(cat.by_id[comp.model], rs)) for comp in entry.components]
    notes: list[str] = []
    citations: list[Citation] = []
    flags: list[Flag] = []
    mapped = [mapping[c.eccn] for _, c in parts if c.eccn in mapping]
    if mapped:
        eccn = vocab.most_restrictive(mapped)
    elif any(c.undetermined for _, c in parts):
        eccn = vocab.undetermined
    else:
        eccn = vocab.not_controlled
    lead = max(parts, key=lambda p: p[1].tpp or 0.0)[1] if parts else None
    for comp, part in parts:
        if part.eccn in mapping and mapping[part.eccn] == eccn:
            doc = next(d for d in rs.documents if part.eccn in d.system_mapping)
            citations.append(
                Citation(
                    rule_id=f"{eccn}-system",
                    text=f"Computer/system containing {comp.count} x {part.name} ({part.eccn}) -> {eccn}",
                    citation=doc.citation,
                )
            )
        citations.extend(c for c in part.citations if c not in citations)
        for flag in part.flags:
            if all((f.flag, f.rule_id) != (flag.flag, flag.rule_id) for f in flags):
                flags.append(flag)
        notes.extend(n for n in part.notes if n not in notes)
    if entry.system_type == "cloud-instance":
        notes.append(
            "Cloud instance: renting compute time is not an export under the EAR (BIS advisory opinions, "
            "REGULATIONS.md §3); the ECCN is that of the hardware in the instance."
        )
    return Classification(
        model=entry.id,
        name=entry.name,
        kind="system",
        on=rs.on,
        eccn=eccn,
        rule_set=rs.id,
        tpp=lead.tpp if lead else None,
        tpp_basis=lead.tpp_basis if lead else None,
        performance_density=lead.performance_density if lead else None,
        die_area=lead.die_area if lead else None,
        datacenter=True,
        memory_bandwidth_gbs=lead.memory_bandwidth_gbs if lead else None,
        io_bandwidth_gbs=lead.io_bandwidth_gbs if lead else None,
        citations=citations,
        notes=notes,
        flags=flags,
        components=[
            {
                "model": comp.model,
                "name": part.name,
                "count": comp.count,
                "eccn": part.eccn,
                "tpp": _round(part.tpp),
            }
            for comp, part in parts
        ],
        controlled_labels=vocab.labels,
        undetermined_label=vocab.undetermined,
    )
