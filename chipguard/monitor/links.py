"""Linked accounts: customers that share a payment instrument, a public IP address, a corporate e-mail
domain or address, a phone number, a postal address, an identifier, a beneficial owner or an ultimate
parent are joined (union-find) into clusters, each link kept as evidence.

Why: a barred or threshold-sensitive customer splits its usage over several accounts, each opened in a
different shell company's name (the REGULATIONS.md §6 cases). The identification data the proposed IaaS
CIP rule asks for (89 FR 5698: payment, e-mail, phone, IP addresses, beneficial owners) is exactly what
the shells tend to share. A cluster's combined compute is compared with the thresholds like one account's.

Values that say nothing about a link are ignored: free-mail domains, generic payment words ("card"),
private/reserved IP ranges, phone numbers too short to be unique.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chipguard.monitor.compute import LEVELS, ComputeEstimate, Settings, estimate
from chipguard.monitor.config import address_words, free_mail_domains, generic_payment_methods, link_settings
from chipguard.monitor.usage import UsageRecord

LINK_KINDS = (
    "payment_instrument",
    "ip_address",
    "email",
    "email_domain",
    "phone",
    "address",
    "identifier",
    "beneficial_owner",
    "ultimate_parent",
)
MIN_PHONE_DIGITS = 8


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).casefold().strip()


def norm_name(text: str) -> str:
    """Case, width, punctuation and spacing folded: 'ACME Holdings, Ltd.' → 'acme holdings ltd'."""
    return " ".join(re.findall(r"\w+", _fold(text)))


def norm_phone(text: str) -> str:
    """Digits only, international prefix unified ('+86 10 1234-5678' = '0086 10 12345678');
    '' when too short to identify one line."""
    raw = _fold(text)
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("00"):
        digits = digits[2:]
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def norm_ip(text: str) -> str:
    """Canonical form of a public IP address; '' for private, loopback, reserved or invalid ones
    (a shared 10.0.0.1 says nothing)."""
    try:
        ip = ipaddress.ip_address(str(text).strip())
    except ValueError:
        return ""
    if not ip.is_global:
        return ""
    return ip.compressed


def norm_domain(text: str) -> str:
    """Lower-case domain without a leading '@' or 'www.'; '' for free-mail domains."""
    domain = _fold(text).lstrip("@").rstrip(".")
    domain = domain.removeprefix("www.")
    if not domain or "." not in domain or domain in free_mail_domains():
        return ""
    return domain


def norm_email(text: str) -> str:
    email = _fold(text)
    return email if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) else ""


def norm_address(addr: Mapping[str, Any]) -> str:
    """Street text, postal code and country folded and abbreviated ('Floor' = 'Fl', 'Street' = 'St');
    '' when there is no street text to compare (a city alone links nobody)."""
    words = address_words()
    text = str(addr.get("text") or "")
    tokens = [words.get(t, t) for t in re.findall(r"\w+|#", _fold(text))]
    if len(tokens) < 2:
        return ""
    postal = re.sub(r"\W", "", _fold(str(addr.get("postal_code") or "")))
    country = _fold(str(addr.get("country") or "")).upper()
    city = norm_name(str(addr.get("city") or ""))
    return " ".join(tokens) + f" | {city} | {postal} | {country}"


def norm_payment(text: str) -> str:
    """A payment instrument reference (card fingerprint, IBAN, wallet); '' for a generic method."""
    value = re.sub(r"\s+", "", _fold(text))
    if not value or _fold(text) in generic_payment_methods() or not re.search(r"\d", value):
        return ""
    return value


def link_keys(customer: Mapping[str, Any]) -> set[tuple[str, str]]:
    """Every (kind, normalised value) of one customer record (``Customer.to_dict()`` form) that can link
    it to another."""
    keys: set[tuple[str, str]] = set()

    def add(kind: str, value: str) -> None:
        if value:
            keys.add((kind, value))

    for instrument in customer.get("payment_instruments") or []:
        add("payment_instrument", norm_payment(instrument))
    add("payment_instrument", norm_payment(customer.get("payment_method") or ""))
    for ip in customer.get("ip_addresses") or []:
        add("ip_address", norm_ip(ip))
    for email in customer.get("emails") or []:
        e = norm_email(email)
        add("email", e)
        if e:
            add("email_domain", norm_domain(e.rpartition("@")[2]))
    for domain in customer.get("email_domains") or []:
        add("email_domain", norm_domain(domain))
    for phone in customer.get("phones") or []:
        add("phone", norm_phone(phone))
    for addr in customer.get("addresses") or []:
        if isinstance(addr, Mapping):
            add("address", norm_address(addr))
    for ident in customer.get("identifiers") or []:
        if isinstance(ident, Mapping) and str(ident.get("value") or "").strip():
            value = re.sub(r"[\s\-./]", "", _fold(str(ident["value"])))
            add("identifier", f"{_fold(str(ident.get('scheme') or ''))}:{value}")
    for owner in customer.get("owners") or []:
        if isinstance(owner, Mapping):
            add("beneficial_owner", norm_name(str(owner.get("name") or "")))
    parent = customer.get("ultimate_parent")
    if isinstance(parent, Mapping):
        add("ultimate_parent", norm_name(str(parent.get("name") or "")))
    return keys


class UnionFind:
    """Disjoint sets over string ids (path halving, union by size)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        self.size.setdefault(x, 1)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


@dataclass(slots=True)
class Evidence:
    """One shared value and the customers sharing it."""

    kind: str
    value: str
    customers: list[str]
    past: list[str] = field(default_factory=list)  # customers whose record held the value only earlier

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "customers": self.customers, "past": self.past}


@dataclass(slots=True)
class Cluster:
    """Customers linked directly or through others, with every link that joins them."""

    cluster_id: str
    members: list[dict[str, str]]  # customer_id, name
    evidence: list[Evidence]
    compute: ComputeEstimate | None = None
    accounts_with_usage: list[str] = field(default_factory=list)

    @property
    def customer_ids(self) -> list[str]:
        return [m["customer_id"] for m in self.members]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster_id": self.cluster_id,
            "members": self.members,
            "links": [e.to_dict() for e in self.evidence],
            "link_kinds": sorted({e.kind for e in self.evidence}),
            "accounts_with_usage": self.accounts_with_usage,
            "compute": self.compute.to_dict() if self.compute else None,
        }


@dataclass(slots=True)
class LinkIndex:
    """Who holds each link value: ``holders[(kind, value)]`` = customer ids, ``past`` = those holding it
    only in an earlier version of their record."""

    names: dict[str, str]
    holders: dict[tuple[str, str], set[str]]
    past: dict[tuple[str, str], set[str]]


def index_links(
    customers: Iterable[Mapping[str, Any]], past: Mapping[str, Sequence[Mapping[str, Any]]] | None = None
) -> LinkIndex:
    names: dict[str, str] = {}
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    past_holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for customer in customers:
        cid = str(customer.get("customer_id") or "")
        if not cid:
            continue
        names[cid] = str(customer.get("name") or "")
        current = link_keys(customer)
        for key in current:
            holders[key].add(cid)
        for version in (past or {}).get(cid, ()):
            for key in link_keys(version) - current:
                holders[key].add(cid)
                past_holders[key].add(cid)
    return LinkIndex(names, holders, past_holders)


def hub_values(index: LinkIndex, max_fanout: int | None = None) -> list[Evidence]:
    """Values shared by more than ``max_fanout`` customers (a registered agent's address, a reseller's
    billing card): not used to link — they would fuse unrelated customers into one cluster — but listed
    for review, since a hub can itself be the finding."""
    fanout = max_fanout if max_fanout is not None else link_settings()["max_fanout"]
    hubs = [
        Evidence(kind, value, sorted(ids), sorted(index.past.get((kind, value), set())))
        for (kind, value), ids in index.holders.items()
        if len(ids) > fanout
    ]
    return sorted(hubs, key=lambda e: (-len(e.customers), LINK_KINDS.index(e.kind), e.value))


def find_clusters(
    customers: Iterable[Mapping[str, Any]] | LinkIndex,
    past: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    max_fanout: int | None = None,
) -> list[Cluster]:
    """Clusters of two or more linked customers (``Customer.to_dict()`` records with ``customer_id``),
    largest first. Each cluster lists the evidence of every link inside it.

    ``past`` (customer_id → earlier versions of its record) adds the values a customer held before: a
    shell that swaps its card or phone after onboarding stays linked, and the evidence says it was a past
    value. Values held by more than ``max_fanout`` customers (data: ``links.max_fanout``) do not link;
    see ``hub_values``."""
    index = customers if isinstance(customers, LinkIndex) else index_links(customers, past)
    fanout = max_fanout if max_fanout is not None else link_settings()["max_fanout"]
    names = index.names
    past_holders = index.past
    holders = {k: v for k, v in index.holders.items() if len(v) <= fanout}
    uf = UnionFind()
    for ids in holders.values():
        if len(ids) > 1:
            first, *rest = sorted(ids)
            for other in rest:
                uf.union(first, other)
    groups: dict[str, list[str]] = defaultdict(list)
    for cid in names:
        groups[uf.find(cid)].append(cid)
    evidence: dict[str, list[Evidence]] = defaultdict(list)
    for (kind, value), holder_ids in holders.items():
        if len(holder_ids) > 1:
            root = uf.find(next(iter(holder_ids)))
            earlier = past_holders.get((kind, value), set())
            evidence[root].append(Evidence(kind, value, sorted(holder_ids), sorted(earlier)))
    clusters: list[Cluster] = []
    for root, members in groups.items():
        if len(members) < 2:
            continue
        members.sort()
        digest = hashlib.sha256("\n".join(members).encode()).hexdigest()[:12]
        links = sorted(evidence[root], key=lambda e: (LINK_KINDS.index(e.kind), e.value))
        clusters.append(
            Cluster(f"cl-{digest}", [{"customer_id": i, "name": names[i]} for i in members], links)
        )
    clusters.sort(key=lambda c: (-len(c.members), c.cluster_id))
    return clusters


def cluster_compute(
    clusters: Sequence[Cluster], records: Sequence[UsageRecord], cfg: Settings
) -> list[Cluster]:
    """Adds the combined compute of each cluster's accounts (usage ``account`` = ``customer_id``) and
    re-sorts: clusters whose combined compute alerts come first. Split-account evasion shows here: each
    member below a threshold, the cluster above it."""
    by_account: dict[str, list[UsageRecord]] = defaultdict(list)
    for rec in records:
        by_account[rec.account].append(rec)
    for cluster in clusters:
        recs = [r for cid in cluster.customer_ids for r in by_account.get(cid, [])]
        cluster.accounts_with_usage = sorted({r.account for r in recs})
        cluster.compute = estimate(recs, cfg, cluster.customer_ids) if recs else None
    return sorted(
        clusters,
        key=lambda c: (
            -(LEVELS.index(c.compute.alert) if c.compute else -1),
            -(c.compute.flop if c.compute else 0.0),
            -len(c.members),
            c.cluster_id,
        ),
    )
