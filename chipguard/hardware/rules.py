"""ECCN rule documents (``data/rules/eccn/*.yaml``) and the generic engine that evaluates them.

Why generic: the thresholds change by Federal Register notice (Oct 2022, Nov 2023, Dec 2024, Jan 2026) and
by letters to single companies (Apr 2025). Each act is one dated data file; this module knows only how to
pick the documents in force on a date and evaluate their conditions with three-valued logic (an unknown
figure gives an unknown answer, never a silent "not controlled").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from chipguard import refdata
from chipguard.config import data_dir
from chipguard.datafiles import parse_yaml_mapping, read_yaml_mapping
from chipguard.errors import InputError

EFFECTS = ("classify", "exclude", "flag")
_OPS = ("ge", "gt", "le", "lt", "eq", "ne", "in")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a document. ``when`` is the raw condition tree (validated at load)."""

    id: str
    effect: str
    when: Any
    text: str
    citation: str
    document: str
    eccn: str | None = None
    excludes: tuple[str, ...] = ()
    flag: str | None = None
    applies_to: tuple[str, ...] = ()
    effective: dt.date | None = None
    end: dt.date | None = None
    scope: tuple[str, ...] = ()
    note: str | None = None

    def in_force(self, on: dt.date) -> bool:
        return (self.effective is None or self.effective <= on) and (self.end is None or on <= self.end)


@dataclass(frozen=True, slots=True)
class RuleDocument:
    """One regulatory act, letter or guidance, in force from ``effective`` to ``end`` (inclusive)."""

    id: str
    version: str
    title: str
    effective: dt.date
    end: dt.date | None
    citation: str
    rules: tuple[Rule, ...]
    system_mapping: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None

    def in_force(self, on: dt.date) -> bool:
        return self.effective <= on and (self.end is None or on <= self.end)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Labels shared by all documents (``index.yaml``): their rank and the two special labels."""

    labels: tuple[str, ...]
    not_controlled: str
    undetermined: str

    def most_restrictive(self, labels: list[str]) -> str:
        """The label ranked first in ``index.yaml`` among ``labels`` (which must not be empty)."""
        rank = {label: i for i, label in enumerate(self.labels)}
        return min(labels, key=lambda label: rank.get(label, len(rank)))

    def stricter(self, label: str, than: str) -> bool:
        rank = {lbl: i for i, lbl in enumerate(self.labels)}
        return rank.get(label, len(rank)) < rank.get(than, len(rank))


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The documents in force on ``on``: what a classification records as its rule-set version."""

    on: dt.date
    documents: tuple[RuleDocument, ...]
    vocabulary: Vocabulary

    @property
    def id(self) -> str:
        """e.g. ``eccn-3a090-2023-11-17@1+eccn-3a090c-2024-12-02@1`` (``none`` before Oct 7 2022)."""
        return "+".join(f"{d.id}@{d.version}" for d in self.documents) or "none"

    def rules(self, effect: str) -> list[Rule]:
        return [r for d in self.documents for r in d.rules if r.effect == effect and r.in_force(self.on)]

    def system_mapping(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for doc in self.documents:
            mapping.update(doc.system_mapping)
        return mapping


RULES_FOLDER = "rules/eccn"  # relative to chipguard/data (and to the override directory)


def rules_dir() -> Path:
    """The bundled rule documents (overrides or, during a replay, archived documents may be in force)."""
    return data_dir() / RULES_FOLDER


def _date(value: Any, path: Path, name: str, required: bool) -> dt.date | None:
    if value is None and not required:
        return None
    if isinstance(value, dt.date):
        return value
    raise InputError("expected a date YYYY-MM-DD", file=str(path), field=name)


def _check_condition(node: Any, path: Path, where: str) -> None:
    """Validates a condition tree at load time so a typo fails loudly, not at decision time."""
    if not isinstance(node, dict) or len(node) == 0:
        raise InputError(f"{where}: a condition must be a mapping", file=str(path), field="when")
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        if len(node) != 1 or not isinstance(node[key], list) or not node[key]:
            raise InputError(f"{where}: '{key}' takes a non-empty list", file=str(path), field="when")
        for child in node[key]:
            _check_condition(child, path, where)
        return
    if "not" in node:
        _check_condition(node["not"], path, where)
        return
    ops = [k for k in node if k != "fact"]
    if not isinstance(node.get("fact"), str) or len(ops) != 1 or ops[0] not in _OPS:
        raise InputError(
            f"{where}: expected {{fact: NAME, <{'|'.join(_OPS)}>: VALUE}}", file=str(path), field="when"
        )


def load_document(path: Path) -> RuleDocument:
    """Reads one rule document and validates every rule."""
    return build_document(read_yaml_mapping(path), path)


def build_document(doc: dict[str, Any], path: Path) -> RuleDocument:
    """Validates a parsed rule document; ``path`` is what errors name."""
    for key in ("id", "title", "citation"):
        if not isinstance(doc.get(key), str):
            raise InputError("missing", file=str(path), field=key)
    rules = []
    for i, raw in enumerate(doc.get("rules") or []):
        where = f"rule #{i + 1}"
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise InputError(f"{where}: needs an id", file=str(path), field="rules")
        where = f"rule '{raw['id']}'"
        effect = raw.get("effect")
        if effect not in EFFECTS:
            raise InputError(f"{where}: effect must be one of {EFFECTS}", file=str(path), field="effect")
        for key in ("text", "citation"):
            if not isinstance(raw.get(key), str):
                raise InputError(f"{where}: every rule needs its {key}", file=str(path), field=key)
        if effect == "classify" and not isinstance(raw.get("eccn"), str):
            raise InputError(f"{where}: classify rules name an eccn", file=str(path), field="eccn")
        if effect == "flag" and not isinstance(raw.get("flag"), str):
            raise InputError(f"{where}: flag rules name a flag", file=str(path), field="flag")
        _check_condition(raw.get("when"), path, where)
        rules.append(
            Rule(
                id=raw["id"],
                effect=effect,
                when=raw["when"],
                text=raw["text"],
                citation=raw["citation"],
                document=doc["id"],
                eccn=raw.get("eccn"),
                excludes=tuple(raw.get("excludes") or ()),
                flag=raw.get("flag"),
                applies_to=tuple(raw.get("applies_to") or ()),
                effective=_date(raw.get("effective"), path, "effective", False),
                end=_date(raw.get("end"), path, "end", False),
                scope=tuple(raw.get("scope") or ()),
                note=raw.get("note"),
            )
        )
    effective = _date(doc.get("effective"), path, "effective", True)
    assert effective is not None
    return RuleDocument(
        id=doc["id"],
        version=str(doc.get("version", "1")),
        title=doc["title"],
        effective=effective,
        end=_date(doc.get("end"), path, "end", False),
        citation=doc["citation"],
        rules=tuple(rules),
        system_mapping=dict(doc.get("system_mapping") or {}),
        path=path,
    )


@cache
def _load_all(directory: Path) -> tuple[Vocabulary, tuple[RuleDocument, ...]]:
    """The documents of an explicit directory (a draft rule set for what-if analysis)."""
    index_path = directory / "index.yaml"
    docs = [load_document(p) for p in sorted(directory.glob("*.yaml")) if p.name != "index.yaml"]
    return _assemble(read_yaml_mapping(index_path), index_path, docs, directory)


def _load_in_force() -> tuple[Vocabulary, tuple[RuleDocument, ...]]:
    """The documents in force (bundled plus overrides, or archived during a replay; ``chipguard.refdata``),
    parsed once per content."""
    files = refdata.current().folder(RULES_FOLDER, ".yaml")
    key = refdata.digest({f.path: f.sha256 for f in files})

    def build() -> tuple[Vocabulary, tuple[RuleDocument, ...]]:
        index = next((f for f in files if f.path == f"{RULES_FOLDER}/index.yaml"), None)
        if index is None:
            raise InputError("the ECCN rule documents have no index.yaml", file=RULES_FOLDER)
        docs = [
            build_document(parse_yaml_mapping(f.text(), f.name), Path(f.name))
            for f in files
            if f is not index
        ]
        return _assemble(
            parse_yaml_mapping(index.text(), index.name), Path(index.name), docs, Path(RULES_FOLDER)
        )

    return refdata.parsed("eccn", key, build)


def _assemble(
    index: dict[str, Any], index_path: Path, documents: list[RuleDocument], where: Path
) -> tuple[Vocabulary, tuple[RuleDocument, ...]]:
    for key in ("labels", "not_controlled", "undetermined"):
        if key not in index:
            raise InputError("missing", file=str(index_path), field=key)
    vocab = Vocabulary(
        labels=tuple(index["labels"]),
        not_controlled=str(index["not_controlled"]),
        undetermined=str(index["undetermined"]),
    )
    docs = tuple(sorted(documents, key=lambda d: (d.effective, d.id)))
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        raise InputError("duplicate rule document id", file=str(where))
    for doc in docs:
        for rule in doc.rules:
            if rule.eccn and rule.eccn not in vocab.labels:
                raise InputError(
                    f"rule '{rule.id}': unknown label '{rule.eccn}'", file=str(doc.path), field="eccn"
                )
    return vocab, docs


def all_documents(directory: Path | None = None) -> tuple[RuleDocument, ...]:
    """Every rule document, oldest first."""
    return (_load_all(directory) if directory else _load_in_force())[1]


def rule_set(on: dt.date, directory: Path | None = None) -> RuleSet:
    """The rule documents in force on ``on`` (``directory``: a draft set instead of the documents in force)."""
    vocab, docs = _load_all(directory) if directory else _load_in_force()
    return RuleSet(on=on, documents=tuple(d for d in docs if d.in_force(on)), vocabulary=vocab)


def evaluate(node: Any, facts: Mapping[str, Any], missing: set[str]) -> bool | None:
    """Three-valued evaluation: True, False, or None when a needed fact is unknown (added to ``missing``)."""
    if "all" in node:
        results = [evaluate(c, facts, missing) for c in node["all"]]
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True
    if "any" in node:
        results = [evaluate(c, facts, missing) for c in node["any"]]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if "not" in node:
        inner = evaluate(node["not"], facts, missing)
        return None if inner is None else not inner
    name = node["fact"]
    value = facts.get(name)
    if value is None:
        missing.add(name)
        return None
    op = next(k for k in node if k != "fact")
    target = node[op]
    if op == "in":
        return value in target
    if op == "eq":
        return bool(value == target)
    if op == "ne":
        return bool(value != target)
    if op == "ge":
        return bool(value >= target)
    if op == "gt":
        return bool(value > target)
    if op == "le":
        return bool(value <= target)
    return bool(value < target)
