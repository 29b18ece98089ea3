"""Fact provider for the decision engine: ownership through the graph, ultimate parent, 1260H parents.

Registered under ``ownership_graph``; it runs after the core ``screening`` and ``ownership_direct``
providers and refines their figures: the core provider sums declared direct owners, this one
aggregates direct and indirect holdings per regime with paths, and reports listed owners of unknown
percentage (Red Flag 29), the ultimate parent with its headquarters and DoD 1260H parent relations.
The engine merges lists by concatenation, so names the core provider already reported are not repeated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from chipguard.model import Customer, Hit, Transaction
from chipguard.ownership.graph import OwnershipGraph
from chipguard.ownership.regimes import Regime
from chipguard.ownership.screening import screen_ownership

try:  # the engine is optional for this package: the functions below work without it
    from chipguard.policy.facts import DecisionContext, hit_limit, register_fact_provider
except ImportError:  # pragma: no cover - only when the policy package is absent
    DecisionContext = Any  # type: ignore[misc,assignment]
    hit_limit = None  # type: ignore[assignment]
    register_fact_provider = None  # type: ignore[assignment]


# Where an imported ownership graph for a customer comes from (e.g. the service's store of BODS/GLEIF
# imports keyed by LEI). None: the graph is built from the customer's declared owners and parent only.
_graph_source: Callable[[Customer], OwnershipGraph | None] | None = None


def set_graph_source(source: Callable[[Customer], OwnershipGraph | None] | None) -> None:
    """Registers a callable that returns the ownership graph to use for a customer (or None)."""
    global _graph_source
    _graph_source = source


def _known_hits(transaction: Transaction, context: Any) -> dict[str, list[Hit]]:
    """Hits the core screening provider already found, keyed by the screened name."""
    known: dict[str, list[Hit]] = {}
    for label, hits in (getattr(context, "hits", None) or {}).items():
        role, _, name = label.partition(":")
        if role == "customer" and not name:
            known[transaction.customer.name] = list(hits)
        elif name:
            known[name] = list(hits)
    return known


def _covers_from_rule_set(context: Any) -> Any:
    """Maps hits to regimes through the rule set's ``list_codes`` table when it has one, so the
    engine and this provider agree on which list feeds which regime."""
    rule_set = getattr(context, "rule_set", None)
    table = list((getattr(rule_set, "data", None) or {}).get("list_codes") or [])
    if not table:
        return None

    def covers(regime: Regime, hit: Hit) -> bool:
        for entry in table:
            names = [
                p
                for p in entry.get("list_names") or []
                if hit.list_name and re.search(str(p), hit.list_name, re.I)
            ]
            if names or (hit.source and hit.source in (entry.get("sources") or [])):
                return regime.id in (entry.get("regimes") or [])
        return regime.covers(hit)

    return covers


def ownership_graph_facts(transaction: Transaction, context: Any) -> dict[str, Any]:
    """The ``ownership.*`` facts for one transaction (see OwnershipReport.to_facts)."""
    graph = _graph_source(transaction.customer) if _graph_source is not None else None
    rule_set = getattr(context, "rule_set", None)
    limit = hit_limit(rule_set) if hit_limit is not None and rule_set is not None else 10
    report = screen_ownership(
        transaction.customer,
        getattr(context, "screener", None),
        on=context.on,
        graph=graph,
        known_hits=_known_hits(transaction, context),
        covers=_covers_from_rule_set(context),
        limit=limit,
    )
    facts = report.to_facts()
    # a graph node screened here that had more hits than the decision weighs: recorded with the
    # decision and failed closed on (OP-HITS-OMITTED), as the core provider does for declared subjects
    omitted_hits = []
    recorded = getattr(context, "omitted", None)
    for node_id, count in sorted(report.omitted.items()):
        name = report.graph.name(node_id)
        customer = node_id == report.target
        label = "customer" if customer else f"owner:{name}"
        if recorded is not None:
            recorded[label] = count
        omitted_hits.append(
            {
                "label": label,
                "role": "customer" if customer else "owner",
                "role_title": "customer" if customer else "owner (ownership graph)",
                "subject": name,
                "omitted": count,
                "limit": limit,
            }
        )
    facts["omitted_hits"] = omitted_hits
    already = set(
        ((getattr(context, "facts", None) or {}).get("ownership") or {}).get("listed_owners_unknown_percent")
        or []
    )
    own = facts["ownership"]
    own["listed_owners_unknown_percent"] = [
        n for n in own["unknown_percent_listed_owners"] if n not in already
    ]
    return facts


if register_fact_provider is not None:
    register_fact_provider("ownership_graph")(ownership_graph_facts)
