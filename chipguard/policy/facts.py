"""Fact providers: functions that turn a transaction (and what earlier providers found) into facts.

Rules only ever read facts, so every new kind of evidence — ownership aggregation, red flags, usage
monitoring — plugs in by registering a provider instead of editing the engine:

    from chipguard.policy.facts import register_fact_provider

    @register_fact_provider("ownership")
    def ownership_facts(transaction, context):
        return {"ownership": {"bis_listed_percent": 55.0}, "red_flags": [{"code": "...", ...}]}

Providers run in registration order (core providers first). Their dictionaries are deep-merged into
``context.facts``: mappings merge key by key, lists are concatenated, any other value replaces the one
before it (so a later provider may refine a fact a core provider estimated).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chipguard.errors import InputError
from chipguard.match.protocol import Screening
from chipguard.model import Customer, Hit, Transaction
from chipguard.policy.rules import RuleSet

# A fact provider: (transaction, context) → facts to merge.
FactProvider = Callable[[Transaction, "DecisionContext"], dict[str, Any]]


@dataclass(slots=True)
class ListsStatus:
    """Whether screening had trustworthy lists. Anything but ``ok`` must keep a decision off ALLOW."""

    status: str  # "ok" | "stale" | "missing"
    reason: str = ""
    snapshots: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "snapshots": list(self.snapshots)}


# The setting of a rule set that bounds how many hits per screened name a decision weighs, and the bound
# a rule set without it gets: the one decisions had before it existed (the screener's default of 10), so
# a replay with a rule set archived before then weighs the same hits its decision did.
HIT_LIMIT_SETTING = "screening_hit_limit"
HIT_LIMIT_BEFORE_SETTING = 10


def hit_limit(rule_set: RuleSet) -> int:
    """How many hits per screened name a decision under ``rule_set`` weighs (see HIT_LIMIT_SETTING).

    Why a bound at all, and why it is large: a decision must weigh every record that clears the
    threshold — a confirmed hit ranked below a dozen potential ones is still the hit that decides — but
    each hit is explained, kept in the decision record with its list record (~2.5 KB) and may become a
    reason, so a name that draws thousands of records (a common word) must not make a decision unbounded.
    The bound is set far above what real names draw (Huawei: 50 records on the CSL), and a decision that
    reaches it records how many hits it left out and fails closed (OP-HITS-OMITTED: REVIEW citing the
    cut), so the bound can never turn into a silent ALLOW."""
    raw = rule_set.settings.get(HIT_LIMIT_SETTING)
    if raw is None:
        return HIT_LIMIT_BEFORE_SETTING
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise InputError(
            f"rule set {rule_set.id}: {HIT_LIMIT_SETTING} must be a positive whole number, not {raw!r}",
            field=f"settings.{HIT_LIMIT_SETTING}",
        )
    return raw


@dataclass(slots=True)
class DecisionContext:
    """Everything providers may read. ``facts`` grows as providers run; ``hits`` maps a screening role
    (``ScreeningSubject.label``: ``customer``, ``other_name:NAME``, ``owner:NAME``, ``ultimate_parent:NAME``)
    to the hits found for it."""

    transaction: Transaction
    on: date
    rule_set: RuleSet
    screener: Screening | None = None
    lists: ListsStatus = field(default_factory=lambda: ListsStatus("missing", "not screened"))
    classifications: list[Any] = field(default_factory=list)
    hits: dict[str, list[Hit]] = field(default_factory=dict)
    # how many hits above the threshold each screening left out past ``hit_limit`` (same labels as
    # ``hits``, and "owner:NAME" for an ownership-graph node); only screenings that left some out
    omitted: dict[str, int] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    # Other customers on record: red flags such as "address shared with many unrelated customers" need them.
    other_customers: Sequence[Customer] = ()


_PROVIDERS: list[tuple[str, FactProvider]] = []

# Modules of other packages that register providers when imported; absent modules are skipped so a
# package can land its provider without the engine changing.
PROVIDER_MODULES = (
    "chipguard.policy.core_facts",
    "chipguard.ownership.facts",
    "chipguard.ownership.red_flags",
)
_loaded = False


def register_fact_provider(name: str) -> Callable[[FactProvider], FactProvider]:
    """Decorator: registers ``fn(transaction, context) -> dict`` under ``name`` (re-registering replaces)."""

    def wrap(fn: FactProvider) -> FactProvider:
        for i, (existing, _) in enumerate(_PROVIDERS):
            if existing == name:
                _PROVIDERS[i] = (name, fn)
                return fn
        _PROVIDERS.append((name, fn))
        return fn

    return wrap


def providers() -> list[tuple[str, FactProvider]]:
    """Registered providers in run order, after importing every module in PROVIDER_MODULES once.

    The run order is PROVIDER_MODULES' order (core providers first), then any other module's providers,
    each module's in the order it registers them — never the order in which the process happened to
    import the modules: a later provider refines what an earlier one found, so a process that imported
    ``chipguard.ownership.facts`` first used to run the ownership graph before the screening facts it
    refines, and a decision depended on its process's import history."""
    global _loaded
    if not _loaded:
        _loaded = True
        for module in PROVIDER_MODULES:
            try:
                spec = importlib.util.find_spec(module)
            except ModuleNotFoundError:
                spec = None
            if spec is not None:
                importlib.import_module(module)
    rank = {module: i for i, module in enumerate(PROVIDER_MODULES)}
    return sorted(_PROVIDERS, key=lambda item: rank.get(item[1].__module__, len(rank)))


def merge_facts(into: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Deep merge (see the module docstring). Dotted keys (``"ownership.bis_percent"``) are expanded."""
    for key, value in new.items():
        if "." in key:
            head, rest = key.split(".", 1)
            merge_facts(into, {head: {rest: value}})
            continue
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge_facts(into[key], value)
        elif isinstance(value, list) and isinstance(into.get(key), list):
            into[key] = into[key] + value
        else:
            into[key] = value
    return into


def run_providers(transaction: Transaction, context: DecisionContext) -> dict[str, Any]:
    for _name, fn in providers():
        merge_facts(context.facts, fn(transaction, context) or {})
    return context.facts
