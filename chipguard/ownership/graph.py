"""The ownership graph: who holds what share of whom, and where each fact came from.

Importers (one module per file format) build an :class:`OwnershipGraph` completely in memory and only
then hand it back, so a malformed file never leaves a half-built graph behind. The computations
(:mod:`chipguard.ownership.compute`) read this structure; nothing here knows about lists or rules.

Shares are intervals in percent because real declarations are often ranges ("75 % or more",
"more than 25 % up to 50 %") or silent. Keeping the bounds lets the 50 % rules say "definitely" (the
lower bound reaches the threshold), "possibly" (only the upper bound does) or "no".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# Edge kinds. Only OWNERSHIP edges carry equity that the 50 % rules add up; the others are kept so
# an analyst sees them and so the ultimate parent can be found from accounting consolidation data.
OWNERSHIP = "ownership"
CONTROL = "control"  # voting rights, board seats, fund management: control, not equity
CONSOLIDATION = "consolidation"  # GLEIF "is directly consolidated by": the accounting parent
ULTIMATE = "ultimate_consolidation"  # GLEIF "is ultimately consolidated by"
STRUCTURE = "structure"  # GLEIF sub-fund of an umbrella fund

PARENT_KINDS = frozenset({CONSOLIDATION, ULTIMATE})
# Edges the 50 % rules follow. An accounting parent (consolidation) almost always holds a majority but
# the share is rarely published, so it counts as an equity link of unknown share: a listed consolidator
# makes the target "possibly ≥ 50 %" (REVIEW), never silently nothing.
EQUITY_KINDS = frozenset({OWNERSHIP, CONSOLIDATION, ULTIMATE})


def normalise_name(name: str) -> str:
    """A matching key for names typed by different people: NFKC, case-folded, punctuation dropped.

    Deliberately simple (no legal-form stripping): it only joins nodes within one graph and a
    customer's declared owners to graph nodes; fuzzy matching against lists is the Screener's job.
    """
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Share:
    """A holding in percent, as an interval. ``low``/``high`` None means that bound is unknown."""

    low: float | None = None
    high: float | None = None

    @classmethod
    def exact(cls, value: float) -> Share:
        return cls(value, value)

    @classmethod
    def unknown(cls) -> Share:
        return cls(None, None)

    @property
    def is_known(self) -> bool:
        """True when the percentage is stated exactly."""
        return self.low is not None and self.low == self.high

    @property
    def is_unknown(self) -> bool:
        """True when nothing at all is stated (Red Flag 29 territory if the holder is listed)."""
        return self.low is None and self.high is None

    def bounds(self) -> tuple[float, float]:
        """The interval with missing bounds replaced by what is always true: 0 % and 100 %."""
        low = self.low if self.low is not None else 0.0
        high = self.high if self.high is not None else 100.0
        return low, high

    def label(self) -> str:
        """How an analyst reads it: "60 %", "75–100 %", "? %"."""
        if self.is_unknown:
            return "? %"
        if self.is_known:
            return f"{_fmt(self.low or 0.0)} %"
        low, high = self.bounds()
        return f"{_fmt(low)}–{_fmt(high)} %"


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


@dataclass(slots=True)
class Node:
    """A person, company or arrangement in the graph. ``node_id`` is the id in its own file."""

    node_id: str
    name: str
    kind: str = "entity"  # entity | person | arrangement | unknown
    country: str = ""  # jurisdiction / incorporation, ISO alpha-2 where known
    headquarters: str = ""  # headquarters country, ISO alpha-2 where known
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (scheme, value)
    other_names: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    founding_date: str = ""
    record: str = ""  # statement id / line the node came from, for explanations
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.node_id,
            "name": self.name,
            "kind": self.kind,
            "country": self.country,
            "headquarters": self.headquarters,
            "identifiers": [{"scheme": s, "id": v} for s, v in self.identifiers],
        }


@dataclass(slots=True)
class Edge:
    """``owner`` holds ``share`` of ``owned`` (or controls / consolidates it, per ``kind``)."""

    owner: str
    owned: str
    share: Share = field(default_factory=Share.unknown)
    kind: str = OWNERSHIP
    record: str = ""  # statement id, relationship record index, line number
    interests: list[str] = field(default_factory=list)  # e.g. ["shareholding", "votingRights"]
    direct: bool = True  # False for a declared indirect holding (kept apart, see OwnershipGraph)
    components: list[str] = field(default_factory=list)  # BODS componentRecords of an indirect holding

    def to_dict(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "owned": self.owned,
            "share": self.share.label(),
            "low": self.share.low,
            "high": self.share.high,
            "kind": self.kind,
            "record": self.record,
            "interests": list(self.interests),
            "direct": self.direct,
        }


@dataclass(slots=True)
class OwnershipGraph:
    """Nodes and edges; ``declared_indirect`` holds indirect holdings as a declarant stated them.

    Declared indirect holdings are not used as edges in path computation: they summarise chains whose
    direct links are (or should be) in ``edges`` already, and counting both would double-count. They are
    compared with the computed figure instead, and they fill in when the chain has unknown links.
    """

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    declared_indirect: list[Edge] = field(default_factory=list)
    source: str = ""  # file the graph came from
    format: str = ""

    def add_node(self, node: Node) -> Node:
        """Adds or replaces a node (a later statement about the same record supersedes the earlier)."""
        self.nodes[node.node_id] = node
        return node

    def ensure_node(self, node_id: str, name: str | None = None, kind: str = "unknown") -> Node:
        """Returns the node, creating a bare one for ids that are referenced but never described."""
        node = self.nodes.get(node_id)
        if node is None:
            node = self.add_node(Node(node_id=node_id, name=name or node_id, kind=kind))
        return node

    def add_edge(self, edge: Edge) -> Edge:
        self.ensure_node(edge.owner)
        self.ensure_node(edge.owned)
        if edge.direct:
            self.edges.append(edge)
        else:
            self.declared_indirect.append(edge)
        return edge

    def name(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        return node.name if node else node_id

    def owners_of(self, node_id: str, kinds: frozenset[str] = frozenset({OWNERSHIP})) -> list[Edge]:
        """Direct edges into ``node_id`` of the given kinds (ownership only by default)."""
        return [e for e in self.edges if e.owned == node_id and e.kind in kinds]

    def holdings_of(self, node_id: str, kinds: frozenset[str] = frozenset({OWNERSHIP})) -> list[Edge]:
        return [e for e in self.edges if e.owner == node_id and e.kind in kinds]

    def find(self, key: str) -> str | None:
        """Resolves a node id, an identifier value (LEI, registry number) or a name to a node id."""
        if key in self.nodes:
            return key
        wanted = key.strip()
        for node in self.nodes.values():
            if any(value == wanted for _, value in node.identifiers):
                return node.node_id
        norm = normalise_name(wanted)
        for node in self.nodes.values():
            if normalise_name(node.name) == norm or any(normalise_name(n) == norm for n in node.other_names):
                return node.node_id
        return None

    def ancestors(self, node_id: str, kinds: frozenset[str] | None = None) -> list[str]:
        """Every node upstream of ``node_id`` along edges of the given kinds (all kinds by default)."""
        into: dict[str, list[Edge]] = {}
        for edge in self.edges:
            if kinds is None or edge.kind in kinds:
                into.setdefault(edge.owned, []).append(edge)
        seen: list[str] = []
        stack = [node_id]
        visited = {node_id}
        while stack:
            current = stack.pop()
            for edge in into.get(current, []):
                if edge.owner not in visited:
                    visited.add(edge.owner)
                    seen.append(edge.owner)
                    stack.append(edge.owner)
        return seen

    def cycles(self) -> list[list[str]]:
        """Strongly connected components with more than one node (or a self-loop): circular holdings.

        Tarjan's algorithm, iterative so deep chains cannot hit Python's recursion limit.
        """
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        out: list[list[str]] = []
        succ: dict[str, list[str]] = {n: [] for n in self.nodes}
        for edge in self.edges:
            succ.setdefault(edge.owner, []).append(edge.owned)
        counter = 0
        for root in list(succ):
            if root in index:
                continue
            work: list[tuple[str, int]] = [(root, 0)]
            while work:
                node, i = work.pop()
                if i == 0:
                    index[node] = low[node] = counter
                    counter += 1
                    stack.append(node)
                    on_stack.add(node)
                children = succ.get(node, [])
                if i < len(children):
                    work.append((node, i + 1))
                    child = children[i]
                    if child not in index:
                        work.append((child, 0))
                    elif child in on_stack:
                        low[node] = min(low[node], index[child])
                    continue
                if low[node] == index[node]:
                    comp = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        comp.append(member)
                        if member == node:
                            break
                    if len(comp) > 1 or node in succ.get(node, []):
                        out.append(sorted(comp))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
        return out

    def over_allocated(self) -> list[dict[str, Any]]:
        """Parties whose owners are stated to hold more than 100 % in total: a data error to resolve."""
        totals: dict[str, float] = {}
        for edge in self.edges:
            if edge.kind == OWNERSHIP:
                totals[edge.owned] = totals.get(edge.owned, 0.0) + edge.share.bounds()[0]
        return [
            {"party": self.name(n), "stated_minimum_total": round(t, 6)}
            for n, t in sorted(totals.items())
            if t > 100.0 + 1e-9
        ]

    def summary(self) -> dict[str, Any]:
        """Counts an analyst checks after an import."""
        kinds: dict[str, int] = {}
        for edge in self.edges:
            kinds[edge.kind] = kinds.get(edge.kind, 0) + 1
        return {
            "source": self.source,
            "format": self.format,
            "nodes": len(self.nodes),
            "persons": sum(1 for n in self.nodes.values() if n.kind == "person"),
            "edges": len(self.edges),
            "edges_by_kind": kinds,
            "unknown_share_edges": sum(1 for e in self.edges if e.kind == OWNERSHIP and e.share.is_unknown),
            "declared_indirect": len(self.declared_indirect),
            "over_allocated": self.over_allocated(),
            "cycles": [[self.name(n) for n in c] for c in self.cycles()],
        }
