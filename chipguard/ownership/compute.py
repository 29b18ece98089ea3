"""Indirect ownership, aggregate ownership by listed parties, and the ultimate parent.

Method, and why:

* **Multiply along a path, add across paths.** A holds 60 % of B and B holds 50 % of C → A holds 30 % of
  C through that chain; holdings through different chains add up. For an acyclic graph the sum over
  all paths equals the matrix series ``W + W² + …`` (the "integrated ownership"), but paths are what an
  analyst can check, so every figure here comes with the paths that make it.
* **Cycles.** Only *simple* paths are enumerated (no node visited twice), so a circular holding
  (A → B → A) cannot loop forever; the feedback a cycle would add (a geometric series) is left out and
  the result says which cycle was met, so the analyst knows the figure is a lower bound there. Path
  enumeration is also capped (depth and count, see ``Limits``); hitting a cap is reported, never silent.
* **Intervals.** Every share is an interval (unknown = 0–100 %). Lower bounds multiply and add to the
  "definitely" figure, upper bounds to the "possibly" figure (capped at 100 %).
* **Listed owners propagate** (OFAC 2014 guidance; the BIS Affiliates rule the same way): an entity
  owned ≥ 50 % by listed parties is itself treated as listed, so *its* holdings count in full. The
  aggregate is computed to a fixed point: definitely-caught entities count fully in the low figure,
  possibly-caught ones in the high figure. Paths stop at the first listed node, so a listed parent and
  its listed subsidiary are not counted twice for the same shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chipguard.ownership.graph import (
    CONSOLIDATION,
    EQUITY_KINDS,
    OWNERSHIP,
    ULTIMATE,
    Edge,
    OwnershipGraph,
)

_OWN = EQUITY_KINDS


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on path enumeration: a pathological registry graph must not stall a decision."""

    max_depth: int = 12
    max_paths: int = 5000


@dataclass(slots=True)
class OwnershipPath:
    """One chain from an upstream holder down to the target, edges ordered holder → … → target."""

    edges: list[Edge]
    low: float  # product of lower bounds, in percent
    high: float  # product of upper bounds, in percent

    @property
    def origin(self) -> str:
        return self.edges[0].owner

    @property
    def has_unknown(self) -> bool:
        return any(not e.share.is_known for e in self.edges)

    def render(self, graph: OwnershipGraph, notes: Mapping[str, str] | None = None) -> str:
        """ "A 60 % → B 100 % → customer" (each share is what the node before the arrow holds)."""
        parts = []
        for edge in self.edges:
            name = graph.name(edge.owner)
            if notes and edge.owner in notes:
                name = f"{name} ({notes[edge.owner]})"
            parts.append(f"{name} {edge.share.label()}")
        parts.append(graph.name(self.edges[-1].owned))
        return " → ".join(parts)


@dataclass(slots=True)
class Holding:
    """What one holder owns of the target, directly and indirectly, with the paths that make it."""

    holder: str
    low: float
    high: float
    paths: list[OwnershipPath] = field(default_factory=list)
    computed_low: float = 0.0  # from the paths alone, before a declared indirect holding tightened it
    computed_high: float = 0.0
    declared_indirect: str = ""  # the declarant's own figure for the indirect part, when stated
    note: str = ""  # e.g. a declared figure that the paths cannot reach

    @property
    def is_exact(self) -> bool:
        return abs(self.high - self.low) < 1e-9

    def label(self) -> str:
        if self.is_exact:
            return f"{_fmt(self.low)} %"
        return f"{_fmt(self.low)}–{_fmt(self.high)} %"


@dataclass(slots=True)
class Enumeration:
    """All simple upstream paths into a target, plus what stopped the walk."""

    paths: list[OwnershipPath]
    cycles_met: list[list[str]]  # node ids of a cycle closed by an edge the walk refused to follow
    truncated: bool


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def enumerate_paths(
    graph: OwnershipGraph,
    target: str,
    *,
    stop_at: Iterable[str] = (),
    limits: Limits = Limits(),
    kinds: frozenset[str] = _OWN,
) -> Enumeration:
    """Walks upward from ``target`` and returns every simple path ending in it.

    A path ends (and is reported) at every node; it is not extended past a node in ``stop_at`` — the
    listed parties, whose own owners do not matter for what they hold.
    """
    stop = set(stop_at)
    into: dict[str, list[Edge]] = {}
    for edge in graph.edges:
        if edge.kind in kinds:
            into.setdefault(edge.owned, []).append(edge)
    # What the other holders of each node are stated to hold at least: an undisclosed share cannot be
    # more than what is left (Harbour Nominees 40 % → the unknown owner holds at most 60 %).
    stated_low: dict[str, float] = {}
    for edges in into.values():
        for e in edges:
            stated_low[e.owned] = stated_low.get(e.owned, 0.0) + e.share.bounds()[0]
    paths: list[OwnershipPath] = []
    cycles: list[list[str]] = []
    truncated = False
    # Stack of (node, chain of edges from node down to target, nodes on chain).
    stack: list[tuple[str, list[Edge], frozenset[str]]] = [(target, [], frozenset({target}))]
    while stack:
        node, chain, on_chain = stack.pop()
        if node in stop and chain:
            continue
        if len(chain) >= limits.max_depth:
            if into.get(node):
                truncated = True
            continue
        for edge in into.get(node, []):
            if edge.owner in on_chain:
                nodes = _chain_nodes(chain, node)
                key = sorted(set(nodes[: nodes.index(edge.owner) + 1]))
                if key not in cycles:
                    cycles.append(key)
                continue
            new_chain = [edge, *chain]
            low = 1.0
            high = 1.0
            for e in new_chain:
                lo, hi = _bounds(e, stated_low)
                low *= lo / 100.0
                high *= hi / 100.0
            paths.append(OwnershipPath(new_chain, low * 100.0, high * 100.0))
            if len(paths) >= limits.max_paths:
                return Enumeration(paths, cycles, True)
            stack.append((edge.owner, new_chain, on_chain | {edge.owner}))
    return Enumeration(paths, cycles, truncated)


def _bounds(edge: Edge, stated_low: dict[str, float]) -> tuple[float, float]:
    """An edge's interval, its open upper bound capped by what the owned node's other holders leave."""
    low, high = edge.share.bounds()
    if edge.share.high is None:
        others = stated_low.get(edge.owned, 0.0) - low
        high = max(low, min(high, 100.0 - others))
    return low, high


def _chain_nodes(chain: list[Edge], node: str) -> list[str]:
    """The nodes from ``node`` down the chain to the target."""
    return [node, *[e.owned for e in chain]]


def indirect_ownership(
    graph: OwnershipGraph, target: str, *, limits: Limits = Limits()
) -> dict[str, Holding]:
    """Every upstream holder of ``target`` with its total (direct + indirect) share and the paths.

    Where the file also declares the holder's indirect share (BODS ``directOrIndirect: indirect``), the
    computed interval is narrowed to ``direct + declared`` when the paths can reach that figure; the
    declaration is the declarant's knowledge of links the file leaves unquantified.
    """
    enum = enumerate_paths(graph, target, limits=limits)
    return _sum_by_origin(enum.paths, graph, target)


def _sum_by_origin(
    paths: Iterable[OwnershipPath], graph: OwnershipGraph | None = None, target: str = ""
) -> dict[str, Holding]:
    out: dict[str, Holding] = {}
    direct: dict[str, tuple[float, float]] = {}
    for path in paths:
        holding = out.setdefault(path.origin, Holding(path.origin, 0.0, 0.0))
        holding.low = min(100.0, holding.low + path.low)
        holding.high = min(100.0, holding.high + path.high)
        holding.paths.append(path)
        if len(path.edges) == 1:
            lo, hi = direct.get(path.origin, (0.0, 0.0))
            direct[path.origin] = (lo + path.low, hi + path.high)
    for each in out.values():
        each.computed_low, each.computed_high = each.low, each.high
    if graph is None:
        return out
    for edge in graph.declared_indirect:
        found = out.get(edge.owner)
        if edge.owned != target or found is None or edge.share.is_unknown:
            continue
        holding = found
        d_lo, d_hi = direct.get(edge.owner, (0.0, 0.0))
        s_lo, s_hi = edge.share.bounds()
        low = max(holding.low, min(100.0, d_lo + s_lo))
        high = min(holding.high, min(100.0, d_hi + s_hi))
        holding.declared_indirect = edge.share.label()
        if low <= high + 1e-9:
            holding.low, holding.high = low, max(low, high)
        else:
            holding.note = (
                f"declared indirect {edge.share.label()} ({edge.record}) cannot be reached by the paths"
                f" ({holding.label()}); computed figure kept"
            )
    return out


@dataclass(slots=True)
class Aggregate:
    """Aggregate ownership of a target by a set of listed parties (after propagation)."""

    target: str
    low: float
    high: float
    threshold: float
    contributors: list[Holding]  # per listed (or caught) origin
    caught: dict[str, str]  # node → why it counts as listed ("≥ 50 % owned by listed: …")
    unknown_listed: list[str]  # listed origins reaching the target only through an unknown share
    cycles_met: list[list[str]]
    truncated: bool

    @property
    def definitely(self) -> bool:
        return self.low >= self.threshold - 1e-9

    @property
    def possibly(self) -> bool:
        return self.high >= self.threshold - 1e-9

    def label(self) -> str:
        if abs(self.high - self.low) < 1e-9:
            return f"{_fmt(self.low)} %"
        return f"{_fmt(self.low)}–{_fmt(self.high)} %"

    def to_dict(self, graph: OwnershipGraph) -> dict[str, Any]:
        notes = {n: why for n, why in self.caught.items()}
        return {
            "target": graph.name(self.target),
            "percent": self.label(),
            "low": round(self.low, 6),
            "high": round(self.high, 6),
            "threshold": self.threshold,
            "definitely_at_or_above": self.definitely,
            "possibly_at_or_above": self.possibly,
            "contributors": [
                {
                    "owner": graph.name(h.holder),
                    "owner_id": h.holder,
                    "percent": h.label(),
                    "low": round(h.low, 6),
                    "high": round(h.high, 6),
                    "paths": [p.render(graph, notes) for p in h.paths],
                }
                for h in self.contributors
            ],
            "caught_by_propagation": {graph.name(n): why for n, why in self.caught.items()},
            "unknown_percentage_listed_owners": [graph.name(n) for n in self.unknown_listed],
            "cycles": [[graph.name(n) for n in c] for c in self.cycles_met],
            "truncated": self.truncated,
        }


def _aggregate_once(
    graph: OwnershipGraph,
    target: str,
    listed: set[str],
    limits: Limits,
) -> tuple[dict[str, Holding], Enumeration]:
    enum = enumerate_paths(graph, target, stop_at=listed, limits=limits)
    by_origin = _sum_by_origin((p for p in enum.paths if p.origin in listed), graph, target)
    return by_origin, enum


def aggregate_listed(
    graph: OwnershipGraph,
    target: str,
    listed: Iterable[str],
    *,
    threshold: float = 50.0,
    propagate: bool = True,
    limits: Limits = Limits(),
) -> Aggregate:
    """Aggregate share of ``target`` held, directly or indirectly, by the ``listed`` nodes.

    With ``propagate`` (the OFAC/BIS reading), entities reaching the threshold are added to the listed
    set until nothing changes; the low figure uses only definitely-caught entities, the high figure
    also the possibly-caught ones.
    """
    base = {n for n in listed if n in graph.nodes and n != target}
    candidates = [n for n in graph.ancestors(target, _OWN) if n not in base]

    def fixpoint(use_high: bool) -> tuple[set[str], dict[str, str]]:
        current = set(base)
        why: dict[str, str] = {}
        if not propagate:
            return current, why
        changed = True
        while changed:
            changed = False
            for node in candidates:
                if node in current:
                    continue
                holdings, _ = _aggregate_once(graph, node, current, limits)
                total = min(100.0, sum((h.high if use_high else h.low) for h in holdings.values()))
                if holdings and total >= threshold - 1e-9:
                    current.add(node)
                    shown = "; ".join(p.render(graph) for h in holdings.values() for p in h.paths)
                    qual = "possibly " if use_high else ""
                    why[node] = f"{qual}≥ {_fmt(threshold)} % owned by listed: {shown}"
                    changed = True
        return current, why

    definite, why_definite = fixpoint(use_high=False)
    possible, why_possible = fixpoint(use_high=True)
    low_holdings, enum_low = _aggregate_once(graph, target, definite, limits)
    high_holdings, enum_high = _aggregate_once(graph, target, possible, limits)
    low = min(100.0, sum(h.low for h in low_holdings.values()))
    high = min(100.0, sum(h.high for h in high_holdings.values()))
    caught = dict(why_definite)
    for node, why in why_possible.items():
        caught.setdefault(node, why)
    # Report the contributors of the high view (a superset), with their low and high figures.
    contributors = sorted(high_holdings.values(), key=lambda h: (-h.high, graph.name(h.holder)))
    for holding in contributors:
        if holding.holder in low_holdings:
            holding.low = low_holdings[holding.holder].low
        else:
            holding.low = 0.0
    unknown = [h.holder for h in contributors if h.holder in base and all(p.has_unknown for p in h.paths)]
    cycles = list(enum_low.cycles_met)
    for cyc in enum_high.cycles_met:
        if cyc not in cycles:
            cycles.append(cyc)
    return Aggregate(
        target=target,
        low=low,
        high=high,
        threshold=threshold,
        contributors=contributors,
        caught={n: w for n, w in caught.items() if n not in base},
        unknown_listed=unknown,
        cycles_met=cycles,
        truncated=enum_low.truncated or enum_high.truncated,
    )


@dataclass(slots=True)
class UltimateParent:
    """The top of the control chain above a target and how it was found."""

    node: str
    chain: list[str]  # target … parent
    basis: str  # "declared" (GLEIF ultimate consolidation) | "consolidation" | "majority ownership"


def ultimate_parent(graph: OwnershipGraph, target: str) -> UltimateParent | None:
    """Finds the ultimate parent: a declared ultimate consolidator first, else the top of the chain of
    accounting parents or majority (> 50 %, lower bound) entity owners. Persons are not parents (they
    are beneficial owners). Stops on a cycle. None when the target has no parent."""
    for edge in graph.edges:
        if edge.owned == target and edge.kind == ULTIMATE:
            return UltimateParent(edge.owner, [target, edge.owner], "declared")
    chain = [target]
    basis = ""
    current = target
    while True:
        nxt = None
        for edge in graph.edges:
            if edge.owned != current or edge.owner in chain:
                continue
            owner = graph.nodes.get(edge.owner)
            if owner is not None and owner.kind == "person":
                continue
            if edge.kind == CONSOLIDATION:
                nxt, how = edge.owner, "consolidation"
                break
            if edge.kind == OWNERSHIP and (edge.share.low or 0.0) > 50.0:
                nxt, how = edge.owner, "majority ownership"
                break
        if nxt is None:
            break
        chain.append(nxt)
        basis = basis or how
        current = nxt
    if len(chain) == 1:
        return None
    return UltimateParent(chain[-1], chain, basis)
