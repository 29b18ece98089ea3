"""Shell-company red flags from BIS guidance, computed as facts for the rule engine.

Each flag becomes ``kyc_flags.<name> = {"raised": bool, "detail": str, ...evidence}``; the rules in
chipguard/data/rules/red_flags.yml turn raised flags into REVIEW reasons with their citations, and
their thresholds are that file's ``settings`` (so the compliance team tunes numbers next to the rules).
Vocabularies (residential words, forwarder words, refused end-use phrases, webmail domains) are data in
chipguard/data/ownership/red_flag_vocab.yml with source notes. A flag never decides on its own; it
makes the engine ask (BIS KYC guidance: "if there are red flags, inquire and resolve them").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from chipguard.config import data_file
from chipguard.datafiles import load_yaml
from chipguard.model import Customer, Party, Transaction
from chipguard.ownership.address import NormalAddress, normalise_address, same_address

FLAG_NAMES = (
    "country_mismatch",
    "listed_address",
    "shared_address",
    "recent_incorporation",
    "residential_quantity",
    "forwarder_end_user",
    "listed_email_domain",
    "no_end_use",
)

# Used only when the rule set does not supply settings (e.g. red_flag_facts called outside the engine);
# the values are read from red_flags.yml, never written here.
_RULES_FILE = "rules/red_flags.yml"


@lru_cache(maxsize=2)
def load_vocab(path: str = "") -> dict[str, Any]:
    """The red-flag vocabulary of ``path``, or of the installed ``ownership/red_flag_vocab.yml`` as
    decisions record it (``refdata.recorded_file``: the override root's, else the bundled one)."""
    if path:
        data = load_yaml(Path(path).read_text(encoding="utf-8"))
    else:
        from chipguard.refdata import recorded_file

        data = load_yaml(recorded_file("ownership/red_flag_vocab.yml").text())
    return data if isinstance(data, dict) else {}


@lru_cache(maxsize=2)
def default_settings(path: str = "") -> dict[str, Any]:
    """The ``settings`` block of red_flags.yml (the override root's when it has one, else the bundled)."""
    file = Path(path) if path else data_file(_RULES_FILE)
    data = load_yaml(file.read_text(encoding="utf-8"))
    return dict((data or {}).get("settings") or {})


# Other customers' records (for "address shared with many unrelated customers") come from the service's
# customer store; it registers a callable here so this package needs no database knowledge.
_customer_source: Callable[[], Iterable[Customer]] | None = None


def set_customer_source(source: Callable[[], Iterable[Customer]] | None) -> None:
    """Registers where other customers' records come from (the service's customer store)."""
    global _customer_source
    _customer_source = source


@dataclass(slots=True)
class RedFlagContext:
    """What the flags look at besides the transaction, for use outside the decision engine."""

    on: date
    listed_parties: Sequence[Party] = ()
    other_customers: Sequence[Customer] = ()
    settings: dict[str, Any] = field(default_factory=dict)


# --- indexes over list records (built once per list snapshot) ------------------------------------


@dataclass(slots=True)
class ListedIndex:
    by_number: dict[str, list[tuple[NormalAddress, Party]]]
    domains: dict[str, list[Party]]


_INDEX_CACHE: dict[int, tuple[Sequence[Party], ListedIndex]] = {}
_DOMAIN = re.compile(r"(?:https?://)?(?:www\.)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})", re.I)


def _domains_in(text: str) -> list[str]:
    out = []
    for match in _DOMAIN.finditer(text or ""):
        start = match.start()
        before = text[max(0, start - 1) : start]
        token = match.group(0).lower()
        if token.startswith(("http", "www.")) or before == "@":
            out.append(match.group(1).lower())
    return out


def _party_domains(party: Party, ignored: Sequence[str]) -> set[str]:
    """Web and e-mail domains stated in a list record (identifiers, remarks, extra fields)."""
    found: set[str] = set()
    for ident in party.identifiers:
        scheme = ident.scheme.lower()
        if "web" in scheme or "mail" in scheme or "url" in scheme or "domain" in scheme:
            value = ident.value.strip().lower()
            if "@" in value:
                found.add(value.rsplit("@", 1)[1])
            else:
                m = _DOMAIN.search(value)
                if m:
                    found.add(m.group(1).lower())
    texts = [party.remarks] + [str(v) for v in party.extra.values() if isinstance(v, str)]
    for text in texts:
        found.update(_domains_in(text))
    return {d.strip(".") for d in found if not any(d == s.lstrip(".") or d.endswith(s) for s in ignored)}


def listed_index(parties: Sequence[Party]) -> ListedIndex:
    """Addresses (by house number) and domains of the list records; cached per parties object."""
    cached = _INDEX_CACHE.get(id(parties))
    if cached is not None and cached[0] is parties:
        return cached[1]
    vocab = load_vocab()
    ignored = [str(s) for s in vocab.get("ignored_domain_suffixes") or []]
    by_number: dict[str, list[tuple[NormalAddress, Party]]] = {}
    domains: dict[str, list[Party]] = {}
    for party in parties:
        for addr in party.addresses:
            norm = normalise_address(addr)
            for number in norm.numbers:
                by_number.setdefault(number, []).append((norm, party))
        for domain in _party_domains(party, ignored):
            domains.setdefault(domain, []).append(party)
    index = ListedIndex(by_number, domains)
    _INDEX_CACHE.clear()
    _INDEX_CACHE[id(parties)] = (parties, index)
    return index


# --- the flags -----------------------------------------------------------------------------------


def _flag(raised: bool, detail: str = "", **evidence: Any) -> dict[str, Any]:
    return {"raised": raised, "detail": detail, **evidence}


def country_mismatch(customer: Customer) -> dict[str, Any]:
    """Declared country differs from the countries the account connects from or pays from."""
    declared = {c.upper() for c in (customer.country, customer.headquarters) if c}
    if not declared:
        return _flag(False, "no declared country")
    ips = sorted({c.upper() for c in customer.ip_countries if c} - declared)
    pay = customer.payment_country.upper() if customer.payment_country else ""
    pay_differs = bool(pay) and pay not in declared
    parts = []
    if ips:
        parts.append(f"IP addresses in {', '.join(ips)}")
    if pay_differs:
        parts.append(f"payment from {pay}")
    detail = f"declared {'/'.join(sorted(declared))} but " + " and ".join(parts) if parts else "consistent"
    return _flag(
        bool(parts), detail, declared=sorted(declared), ip_countries=ips, payment_country=pay or None
    )


def listed_address(customer: Customer, parties: Sequence[Party]) -> dict[str, Any]:
    """A customer address that is (nearly) the address of a listed party."""
    if not parties:
        return _flag(False, "no list records to compare")
    if not customer.addresses:
        # the same answer as below, without building the address index of every list record (seconds
        # per process, paid by a one-off `chipguard decide` for nothing)
        return _flag(False, "no shared address", matches=[])
    index = listed_index(parties)
    matches = []
    for addr in customer.addresses:
        norm = normalise_address(addr, customer.country)
        seen: set[tuple[str, str]] = set()
        for number in norm.numbers:
            for listed_norm, party in index.by_number.get(number, []):
                key = (party.source, party.party_id)
                if key in seen or not same_address(norm, listed_norm):
                    continue
                seen.add(key)
                matches.append(
                    {
                        "address": norm.text,
                        "listed_address": listed_norm.text,
                        "party": party.name,
                        "party_id": party.party_id,
                        "list_name": party.list_name or party.source,
                    }
                )
    detail = "; ".join(
        f"{m['address']} is the address of {m['party']} ({m['list_name']})" for m in matches[:5]
    )
    return _flag(bool(matches), detail or "no shared address", matches=matches)


def shared_address(customer: Customer, others: Iterable[Customer], minimum: int) -> dict[str, Any]:
    """An address shared with at least ``minimum`` unrelated customers (a mass-registration address).

    Unrelated: a different customer id/name that does not declare the same ultimate parent."""
    mine = [normalise_address(a, customer.country) for a in customer.addresses]
    parent = (customer.ultimate_parent.name.casefold() if customer.ultimate_parent else "") or None
    sharing: dict[str, set[str]] = {}
    for other in others:
        if (other.customer_id and other.customer_id == customer.customer_id) or other.name == customer.name:
            continue
        if parent and other.ultimate_parent and other.ultimate_parent.name.casefold() == parent:
            continue
        for addr in other.addresses:
            theirs = normalise_address(addr, other.country)
            for norm in mine:
                if same_address(norm, theirs):
                    sharing.setdefault(norm.text, set()).add(other.customer_id or other.name)
    worst = max(sharing.items(), key=lambda kv: len(kv[1]), default=("", set()))
    count = len(worst[1])
    raised = count >= minimum
    detail = f"{worst[0]} is also the address of {count} other customer(s)" if count else "no shared address"
    return _flag(raised, detail, count=count, minimum=minimum, customers=sorted(worst[1])[:20])


def recent_incorporation(customer: Customer, on: date, days: int) -> dict[str, Any]:
    """Incorporated fewer than ``days`` days before the transaction."""
    if not customer.incorporation_date:
        return _flag(False, "incorporation date not given", age_days=None)
    try:
        founded = date.fromisoformat(customer.incorporation_date[:10])
    except ValueError:
        return _flag(
            False, f"incorporation date {customer.incorporation_date!r} is not an ISO date", age_days=None
        )
    age = (on - founded).days
    return _flag(
        0 <= age < days,
        f"incorporated {founded.isoformat()}, {age} day(s) before the transaction (threshold {days})",
        age_days=age,
        threshold_days=days,
    )


def looks_residential(address: str, vocab: dict[str, Any], country: str = "") -> list[str]:
    """The residential words an address contains (empty when commercial words are also present)."""
    norm = normalise_address(address)
    words = set(norm.tokens)
    text = address.casefold()
    raw = set(re.findall(r"[^\W_]+", text))
    by_country = (vocab.get("residential_words_by_country") or {}).get(country.upper(), [])
    found = [w for w in vocab.get("residential_words") or [] if str(w) in words]
    found += [str(w) for w in by_country if str(w).casefold() in raw]
    found += [w for w in vocab.get("residential_substrings") or [] if str(w) in address]
    commercial = [
        w
        for w in vocab.get("commercial_words") or []
        if str(w) in words or str(w) in text and not str(w).isascii()
    ]
    return [] if commercial else [str(w) for w in found]


def residential_quantity(transaction: Transaction, minimum: int, vocab: dict[str, Any]) -> dict[str, Any]:
    """A residential address ordering data-centre quantities of accelerators."""
    quantity = sum(max(0, i.quantity) for i in transaction.items)
    hits = []
    for addr in transaction.customer.addresses:
        text = ", ".join(p for p in (addr.text, addr.city) if p)
        words = looks_residential(text, vocab, addr.country or transaction.customer.country)
        if words:
            hits.append({"address": text, "words": words})
    raised = bool(hits) and quantity >= minimum
    detail = (
        f"{quantity} unit(s) ordered for a residential-looking address ({hits[0]['address']}: {', '.join(hits[0]['words'])})"
        if hits
        else "no residential-looking address"
    )
    return _flag(raised, detail, quantity=quantity, minimum=minimum, addresses=hits)


def _has_word(text: str, words: Iterable[Any]) -> list[str]:
    folded = " " + re.sub(r"[^\w]+", " ", text.casefold()) + " "
    out = []
    for word in words:
        w = str(word).casefold()
        if (w.isascii() and f" {w} " in folded) or (not w.isascii() and w in text):
            out.append(str(word))
    return out


def forwarder_end_user(customer: Customer, vocab: dict[str, Any]) -> dict[str, Any]:
    """The guidance's condition (BIS, May 13 2025; Supp. No. 3 to Part 732): the end user is a freight
    forwarder, a reseller or trader outside the chip trade, or a consignee whose line of business does not
    match the goods. A distributor as such is none of these."""
    btype = (customer.business_type or "").casefold()
    names = " ".join([customer.name, *customer.other_names])
    if btype in [str(t) for t in vocab.get("forwarder_business_types") or []]:
        return _flag(
            True, f"business type {customer.business_type!r} is a freight forwarder", kind="forwarder"
        )
    words = _has_word(names, vocab.get("forwarder_name_words") or [])
    if words and not btype:
        return _flag(True, f"name suggests a freight forwarder ({', '.join(words)})", kind="forwarder")
    reseller = btype in [str(t) for t in vocab.get("reseller_business_types") or []]
    trading = _has_word(names, vocab.get("trading_name_words") or [])
    chip = _has_word(f"{names} {customer.business_type}", vocab.get("chip_trade_words") or [])
    if (reseller or trading) and not chip:
        why = f"business type {customer.business_type!r}" if reseller else f"name ({', '.join(trading)})"
        return _flag(True, f"{why}: a reseller/trader outside the chip trade as end user", kind="reseller")
    if btype in [str(t) for t in vocab.get("unrelated_business_types") or []] and not chip:
        return _flag(
            True,
            f"business type {customer.business_type!r} does not match data-centre hardware as end user",
            kind="business_mismatch",
        )
    return _flag(False, "not a forwarder, out-of-trade reseller or consignee outside the trade", kind=None)


def listed_email_domain(
    customer: Customer, parties: Sequence[Party], vocab: dict[str, Any]
) -> dict[str, Any]:
    """A contact e-mail domain that a list record names (its website or e-mail address)."""
    public = {str(d).casefold() for d in vocab.get("public_email_domains") or []}
    domains = {d.casefold().strip().lstrip("@") for d in customer.email_domains if d}
    domains |= {e.rsplit("@", 1)[1].casefold() for e in customer.emails if "@" in e}
    domains -= public
    if not domains or not parties:
        return _flag(False, "no contact domains to compare" if not domains else "no list records", matches=[])
    index = listed_index(parties)
    matches = []
    for domain in sorted(domains):
        labels = domain.split(".")
        for i in range(len(labels) - 1):  # the domain itself and its parent domains
            for party in index.domains.get(".".join(labels[i:]), []):
                matches.append(
                    {"domain": domain, "party": party.name, "list_name": party.list_name or party.source}
                )
    detail = "; ".join(f"{m['domain']} belongs to {m['party']} ({m['list_name']})" for m in matches[:5])
    return _flag(bool(matches), detail or "no listed domain", matches=matches)


def no_end_use(transaction: Transaction, vocab: dict[str, Any]) -> dict[str, Any]:
    """The customer gave no end use, or an answer that is a refusal in other words."""
    given = (transaction.end_use or "").strip()
    refused = {str(p).casefold() for p in vocab.get("refused_end_use") or []}
    raised = given.casefold() in refused
    return _flag(
        raised, f"end use given as {given!r}" if given else "no end use given", end_use=given or None
    )


# --- entry points --------------------------------------------------------------------------------


def _setting(settings: dict[str, Any], name: str) -> int:
    value = settings.get(name)
    if value is None:
        value = default_settings().get(name)
    if value is None:
        raise KeyError(f"setting {name!r} is missing from {_RULES_FILE}")
    return int(value)


def red_flag_facts(transaction: Transaction, context: Any) -> dict[str, Any]:
    """All red flags for one transaction as ``kyc_flags.*`` facts, plus ``kyc.raised`` (flag names).

    ``context`` is the engine's DecisionContext (listed parties come from its screener, settings from
    its rule set) or a RedFlagContext."""
    on = getattr(context, "on", None) or date.fromisoformat(transaction.date[:10])
    settings: dict[str, Any] = {}
    rule_set = getattr(context, "rule_set", None)
    settings.update(getattr(rule_set, "settings", None) or {})
    settings.update(getattr(context, "settings", None) or {})
    parties: Sequence[Party] = (
        getattr(context, "listed_parties", None)
        or getattr(getattr(context, "screener", None), "parties", None)
        or ()
    )
    others: Iterable[Customer] = getattr(context, "other_customers", None) or (
        _customer_source() if _customer_source is not None else ()
    )
    vocab = load_vocab()
    customer = transaction.customer
    flags = {
        "country_mismatch": country_mismatch(customer),
        "listed_address": listed_address(customer, parties),
        "shared_address": shared_address(
            customer, others, _setting(settings, "red_flag_shared_address_customers")
        ),
        "recent_incorporation": recent_incorporation(
            customer, on, _setting(settings, "red_flag_recent_incorporation_days")
        ),
        "residential_quantity": residential_quantity(
            transaction, _setting(settings, "red_flag_residential_min_quantity"), vocab
        ),
        "forwarder_end_user": forwarder_end_user(customer, vocab),
        "listed_email_domain": listed_email_domain(customer, parties, vocab),
        "no_end_use": no_end_use(transaction, vocab),
    }
    return {"kyc_flags": flags, "kyc": {"raised": [n for n in FLAG_NAMES if flags[n]["raised"]]}}


try:  # register with the decision engine when it is installed
    from chipguard.policy.facts import register_fact_provider
except ImportError:  # pragma: no cover
    pass
else:
    register_fact_provider("red_flags")(red_flag_facts)
