"""Screen everyone above a customer and turn the ownership graph into facts the rule engine reads.

The shell company in front is rarely listed; its owner is. So every declared owner, the ultimate parent
and (when an ownership graph is supplied) every node upstream of the customer is screened, and the
listed ones are aggregated per regime (OFAC 50 %, BIS Affiliates) through the graph. Each finding
carries the paths that produce it and the lists behind each contributing owner, so a decision can say
"Huawei Technologies Co., Ltd. 30 % → customer; SMIC 25 % → customer: 55 % (BIS Affiliates rule)".
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chipguard.match.protocol import Screening
from chipguard.model import Customer, Hit, MatchStrength
from chipguard.ownership.compute import Aggregate, aggregate_listed, ultimate_parent
from chipguard.ownership.graph import (
    OWNERSHIP,
    ULTIMATE,
    Edge,
    Node,
    OwnershipGraph,
    Share,
    normalise_name,
)
from chipguard.ownership.regimes import Regime, RegimeSet, load_regimes

CUSTOMER_ID = "customer"


@dataclass(slots=True)
class RegimeFinding:
    """The aggregate for one regime, whether the regime is in force on the date, and the verdict."""

    regime: Regime
    aggregate: Aggregate
    in_force: bool
    status: str
    # the aggregate if the owners with only a potential hit were listed too (None: there are none)
    potential: Aggregate | None = None
    potential_owners: list[str] = field(default_factory=list)

    @property
    def potential_reaches(self) -> bool:
        """Confirming the potential hits could bring the regime's threshold within reach."""
        return self.potential is not None and (self.potential.possibly or bool(self.potential.unknown_listed))

    @property
    def triggered(self) -> bool:
        """Definitely at or above the threshold while the regime is in force."""
        return self.in_force and self.aggregate.definitely

    @property
    def review(self) -> bool:
        """Possibly at or above (unknown shares) while in force, or a listed owner of unknown share."""
        return (
            self.in_force
            and not self.triggered
            and (self.aggregate.possibly or bool(self.aggregate.unknown_listed) or self.potential_reaches)
        )


@dataclass(slots=True)
class OwnershipReport:
    """Everything found above one customer on one date."""

    graph: OwnershipGraph
    target: str
    on: date
    node_hits: dict[str, list[Hit]] = field(default_factory=dict)  # confirmed and potential hits
    listed: dict[str, list[str]] = field(default_factory=dict)  # regime → node ids with a confirmed hit
    potential: dict[str, list[str]] = field(default_factory=dict)  # regime → node ids with a potential hit
    findings: list[RegimeFinding] = field(default_factory=list)
    parent: dict[str, Any] | None = None
    parent_1260h: list[dict[str, Any]] = field(default_factory=list)
    # node id → how many hits above the threshold ``limit`` left out of that node's screening (only the
    # nodes screened here that had more): a listed owner may be among them, so a decision fails closed
    omitted: dict[str, int] = field(default_factory=dict)
    limit: int = 0  # the hits per name each screening here weighed

    def listed_owners(self) -> list[dict[str, Any]]:
        """Every screened node (other than the customer) with hits, with its lists and regimes."""
        out = []
        for node_id, hits in self.node_hits.items():
            if node_id == self.target or not hits:
                continue
            regimes = sorted(r for r, nodes in self.listed.items() if node_id in nodes)
            out.append(
                {
                    "name": self.graph.name(node_id),
                    "node": node_id,
                    "regimes": regimes,
                    "lists": sorted({h.list_name or h.source for h in hits}),
                    "hits": [
                        {
                            "party_id": h.party_id,
                            "source": h.source,
                            "name": h.name,
                            "list_name": h.list_name,
                            "score": h.score,
                            "strength": h.strength,
                        }
                        for h in hits
                    ],
                }
            )
        return out

    def to_facts(self) -> dict[str, Any]:
        """The ``ownership.*`` facts (see docs/rules.md): figures per regime, findings, parent, 1260H."""
        g = self.graph
        per_low = {f.regime.id: round(f.aggregate.low, 6) for f in self.findings}
        per_high = {f.regime.id: round(f.aggregate.high, 6) for f in self.findings}
        unknown = sorted({g.name(n) for f in self.findings for n in f.aggregate.unknown_listed})
        findings = []
        for f in self.findings:
            agg = f.aggregate.to_dict(g)
            agg.update(
                {
                    "regime": f.regime.id,
                    "title": f.regime.title,
                    "citation": f.regime.citation,
                    "in_force": f.in_force,
                    "status": f.status,
                    "triggered": f.triggered,
                    "review": f.review,
                    "explanation": self.explain(f),
                }
            )
            for c in agg["contributors"]:
                c["lists"] = sorted({h.list_name or h.source for h in self.node_hits.get(c["owner_id"], [])})
            findings.append(agg)
        return {
            "ownership": {
                "basis": self.basis(),
                "listed_percent": per_low,
                "listed_percent_high": per_high,
                "bis_affiliates_percent": per_low.get("bis_affiliates", 0.0),
                "ofac_50_percent": per_low.get("ofac_50", 0.0),
                "unknown_percent_listed_owners": unknown,
                "listed_owners": self.listed_owners(),
                "findings": findings,
                "triggered_regimes": [f.regime.id for f in self.findings if f.triggered],
                "review_regimes": [
                    f.regime.id
                    for f in self.findings
                    if f.review and (f.aggregate.possibly or f.potential_reaches)
                ],
                "review_summary": "; ".join(
                    f"{f.regime.title} {f.aggregate.label()}"
                    if f.aggregate.possibly
                    else f"{f.regime.title} {f.potential.label() if f.potential else ''} if the potential "
                    f"match(es) of {', '.join(f.potential_owners)} are confirmed"
                    for f in self.findings
                    if f.review and (f.aggregate.possibly or f.potential_reaches)
                ),
                "ultimate_parent": self.parent,
                "parent_1260h": self.parent_1260h,
                "cycles": [[g.name(n) for n in c] for c in g.cycles()],
                "omitted": {g.name(n): count for n, count in sorted(self.omitted.items())},
            }
        }

    def basis(self) -> str:
        """How the figures were computed, with every listed owner's paths (quoted in rule messages)."""
        g = self.graph
        paths: list[str] = []
        for f in self.findings:
            notes = dict(f.aggregate.caught)
            for h in f.aggregate.contributors:
                for p in h.paths:
                    text = p.render(g, notes)
                    if text not in paths:
                        paths.append(text)
        head = "direct and indirect holdings through the ownership graph"
        return f"{head}: {'; '.join(paths)}" if paths else head

    def explain(self, finding: RegimeFinding) -> str:
        """One sentence an analyst can check: the figure, the paths, the regime's state on the date."""
        agg = finding.aggregate
        g = self.graph
        if not agg.contributors:
            return f"{finding.regime.title}: no listed owner above {g.name(self.target)}."
        notes = dict(agg.caught)
        paths = "; ".join(p.render(g, notes) for h in agg.contributors for p in h.paths)
        verdict = "at or above" if agg.definitely else "possibly at or above" if agg.possibly else "below"
        text = (
            f"{finding.regime.title}: listed owners hold {agg.label()} of {g.name(self.target)}"
            f" ({verdict} {agg.threshold:g} %) via {paths}; {finding.status}."
        )
        if agg.unknown_listed:
            text += (
                " Listed owner(s) of unknown percentage: "
                + ", ".join(g.name(n) for n in agg.unknown_listed)
                + "."
            )
        return text


def customer_graph(customer: Customer, base: OwnershipGraph | None = None) -> tuple[OwnershipGraph, str]:
    """The graph to analyse for ``customer``: ``base`` (copied, never modified) with the customer located
    by LEI/identifier or name, plus the customer's declared owners and ultimate parent as edges where the
    base does not already have them. Without ``base``, a graph of the declaration alone."""
    graph = copy.deepcopy(base) if base is not None else OwnershipGraph(format="declared")
    target = None
    if base is not None:
        for ident in customer.identifiers:
            target = graph.find(ident.value)
            if target:
                break
        target = target or graph.find(customer.name)
    if target is None:
        target = (
            CUSTOMER_ID
            if CUSTOMER_ID not in graph.nodes
            else f"{CUSTOMER_ID}:{normalise_name(customer.name)}"
        )
        graph.add_node(
            Node(
                node_id=target,
                name=customer.name,
                kind="person" if customer.kind == "person" else "entity",
                country=customer.country,
                headquarters=customer.headquarters or customer.country,
                identifiers=[(i.scheme, i.value) for i in customer.identifiers],
                other_names=list(customer.other_names),
                founding_date=customer.incorporation_date,
                record="customer record",
            )
        )
    for i, owner in enumerate(customer.owners):
        node_id = graph.find(owner.name) or f"owner:{normalise_name(owner.name)}"
        if node_id not in graph.nodes:
            graph.add_node(
                Node(
                    node_id=node_id,
                    name=owner.name,
                    kind=_node_kind(owner.kind),
                    country=owner.country,
                    headquarters=owner.country,
                    record=f"customer.owners[{i}]",
                )
            )
        if any(e.owner == node_id and e.owned == target and e.kind == OWNERSHIP for e in graph.edges):
            continue
        share = Share.unknown() if owner.percent is None else Share.exact(float(owner.percent))
        graph.add_edge(Edge(node_id, target, share, OWNERSHIP, record=f"customer.owners[{i}]"))
    parent = customer.ultimate_parent
    if parent is not None and parent.name:
        node_id = graph.find(parent.name) or f"parent:{normalise_name(parent.name)}"
        if node_id not in graph.nodes:
            graph.add_node(
                Node(
                    node_id=node_id,
                    name=parent.name,
                    country=parent.country,
                    headquarters=parent.country,
                    record="customer.ultimate_parent",
                )
            )
        if node_id != target and node_id not in graph.ancestors(target):
            graph.add_edge(
                Edge(
                    node_id,
                    target,
                    Share.unknown(),
                    ULTIMATE,
                    record="customer.ultimate_parent",
                    interests=["declared ultimate parent"],
                )
            )
    return graph, target


def _node_kind(kind: str) -> str:
    """A declared owner's node kind: a person, an organisation ("entity"), or "unknown" when no kind was
    given (screened as a person or an organisation, see ``_kind``)."""
    if kind == "person":
        return "person"
    return "unknown" if kind in ("", "unknown") else "entity"


def screening_kind(node: Node) -> str | None:
    """The kind a node is screened as: a person, an organisation, or None (unknown: screened as both).
    An ownership CSV's ``owner_kind`` is typed by hand, so "org" and its spellings are an organisation
    too (they were screened as of unknown kind)."""
    if node.kind in ("person", "individual"):
        return "person"
    if node.kind in ("entity", "arrangement", "org", "organisation", "organization", "company"):
        return "org"
    return None


def screen_ownership(
    customer: Customer,
    screener: Screening | None,
    *,
    on: date,
    graph: OwnershipGraph | None = None,
    regimes: RegimeSet | None = None,
    known_hits: dict[str, list[Hit]] | None = None,
    covers: Callable[[Regime, Hit], bool] | None = None,
    limit: int = 10,
) -> OwnershipReport:
    """Screens the customer and every node above it, then aggregates listed ownership per regime.

    ``known_hits`` maps node names to hits already found (the engine's screening of declared owners),
    so nothing is screened twice; ``covers`` overrides which hits feed which regime (the engine maps
    hits through the rule set's list-code table). Nodes the screener cannot see are simply unscreened.
    ``limit`` bounds the hits weighed per node (a decision passes its rule set's ``hit_limit``); a node
    with more is counted in ``report.omitted``, never cut silently.
    """
    regimes = regimes or load_regimes()
    full, target = customer_graph(customer, graph)
    report = OwnershipReport(graph=full, target=target, on=on, limit=limit)
    known = {normalise_name(k): v for k, v in (known_hits or {}).items()}
    to_screen = [target, *full.ancestors(target)]
    for node_id in to_screen:
        node = full.nodes[node_id]
        if node.kind == "unspecified":
            continue
        hits = known.get(normalise_name(node.name))
        if hits is None and screener is not None:
            found = screener.screening(
                node.name, kind=screening_kind(node), country=node.country or None, limit=limit
            )
            hits = list(found.hits)
            if found.omitted:
                report.omitted[node_id] = found.omitted
        # a weak hit (conflicting kind, date of birth or country) is recorded by the screening facts and
        # counts for nothing here
        report.node_hits[node_id] = [h for h in hits or [] if h.strength != MatchStrength.WEAK]
    covers = covers or (lambda regime, hit: regime.covers(hit))
    for regime in regimes.regimes:
        listed: list[str] = []
        potential: list[str] = []
        for n, hits in report.node_hits.items():
            if n == target:
                continue
            covered = [h for h in hits if covers(regime, h)]
            if any(h.strength == MatchStrength.CONFIRMED for h in covered):
                listed.append(n)
            elif covered:
                potential.append(n)
        report.listed[regime.id] = listed
        report.potential[regime.id] = potential
        agg = aggregate_listed(full, target, listed, threshold=regime.threshold, propagate=regime.propagate)
        maybe = (
            aggregate_listed(
                full, target, listed + potential, threshold=regime.threshold, propagate=regime.propagate
            )
            if potential
            else None
        )
        in_force, status = regime.status(on)
        report.findings.append(
            RegimeFinding(regime, agg, in_force, status, maybe, [full.name(n) for n in potential])
        )
    up = ultimate_parent(full, target)
    if up is not None:
        node = full.nodes[up.node]
        report.parent = {
            "name": node.name,
            "id": node.node_id,
            "country": node.country or None,
            "headquarters": node.headquarters or node.country or None,
            "basis": up.basis,
            "chain": " → ".join(full.name(n) for n in reversed(up.chain)),
            "listed": any(h.strength == MatchStrength.CONFIRMED for h in report.node_hits.get(up.node, [])),
        }
    report.parent_1260h = parent_relations(report, screener, limit)
    return report


def parent_relations(
    report: OwnershipReport, screener: Screening | None, limit: int = 10
) -> list[dict[str, Any]]:
    """DoD 1260H (and any list stating a parent): a subsidiary found by its own name is reported with
    its listed parent, and the parent is screened too so its own list entries show (the lists of its
    first ``limit`` hits; ``parent_omitted`` says how many more there were)."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()  # the 1260H file repeats entries across years ("Ltd." / ", Ltd.")
    for node_id, hits in report.node_hits.items():
        for hit in hits:
            if not hit.parent_name or (node_id, normalise_name(hit.parent_name)) in seen:
                continue
            seen.add((node_id, normalise_name(hit.parent_name)))
            parent_found = screener.screening(hit.parent_name, kind="org", limit=limit) if screener else None
            parent_hits = parent_found.hits if parent_found is not None else []
            out.append(
                {
                    "subject": report.graph.name(node_id),
                    "role": "customer" if node_id == report.target else "owner",
                    "listed_name": hit.name,
                    "list_name": hit.list_name or hit.source,
                    "source": hit.source,
                    "party_id": hit.party_id,
                    "parent_name": hit.parent_name,
                    "parent_lists": sorted({h.list_name or h.source for h in parent_hits}),
                    "parent_omitted": parent_found.omitted if parent_found is not None else 0,
                    "explanation": (
                        f"{report.graph.name(node_id)} matches {hit.name} ({hit.list_name or hit.source}),"
                        f" a subsidiary of listed parent {hit.parent_name}"
                    ),
                }
            )
    return out
