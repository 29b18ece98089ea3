"""The core fact providers: transaction and geography, item classification, screening, direct ownership.

Each provider is registered with ``register_fact_provider`` like any other, so the ownership and
red-flag packages plug in the same way. Facts are plain JSON values; docs/rules.md lists every name.
"""

from __future__ import annotations

import re
from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Any

from chipguard.errors import ChipguardError, InputError
from chipguard.geo.countries import lookup_country
from chipguard.geo.groups import load_groups
from chipguard.model import CUSTOMER_ROLES, Hit, Transaction
from chipguard.policy.facts import DecisionContext, hit_limit, register_fact_provider

_ECCN = re.compile(r"^(\d[A-E]\d{3})(?:\.([a-z]))?", re.IGNORECASE)


def _geo(code: str, context: DecisionContext) -> dict[str, Any]:
    """Facts about one country on the decision date: its groups (incl. the country it counts as)."""
    if not code:
        return {"country": None, "groups": [], "name": None}
    groups = load_groups()
    counted, rule = groups.treated_as(code, context.on)
    found = lookup_country(code)
    member_of = groups.groups_of(code, context.on)
    out: dict[str, Any] = {
        "country": code,
        "name": found.display_name if found else code,
        "groups": member_of,
        "treated_as": counted,
        # What a scope list in the data (licence letters, flags) may name: the country, the country it
        # counts as, and its groups.
        "scope_keys": sorted({code, counted, *member_of}),
    }
    if rule:
        out["treated_as_citation"] = rule.citation
    return out


def _age_days(iso: str, context: DecisionContext) -> int | None:
    """Days from ``iso`` to the decision date (e.g. how young the company was when it ordered)."""
    if not iso:
        return None
    try:
        return (context.on - date.fromisoformat(iso)).days
    except ValueError:
        return None


# The pseudo-group (chipguard/data/geo/country_groups.yml) holding the United States as 15 CFR 772.1 defines it.
HOME_GROUP = "UNITED_STATES"

# What each kind of movement is under the EAR, for reason texts (``{transaction.movement_text}``).
MOVEMENT_TEXT = {
    "domestic": "a sale within the United States, which is not an export (15 CFR 734.13)",
    "export": "an export from the United States (15 CFR 734.13)",
    "reexport": "a reexport from {origin} (15 CFR 734.14)",
    "transfer_in_country": "a transfer (in-country) within {origin} (15 CFR 734.16)",
}


def movement(transaction: Transaction, context: DecisionContext) -> tuple[str, str]:
    """(kind, text): whether the transaction moves items out of the United States, between foreign
    countries, within one foreign country, or not at all. ``ship_from`` empty = from the United States.
    A rental moves no hardware; it is reported as where the hardware sits."""
    groups = load_groups()
    dest_home = HOME_GROUP in groups.groups_of(transaction.destination, context.on)
    origin = transaction.ship_from
    origin_home = not origin or HOME_GROUP in groups.groups_of(origin, context.on)
    if dest_home:
        kind = "domestic"
    elif origin_home:
        kind = "export"
    elif origin == transaction.destination:
        kind = "transfer_in_country"
    else:
        kind = "reexport"
    found = lookup_country(origin) if origin else None
    return kind, MOVEMENT_TEXT[kind].format(origin=found.display_name if found else origin)


def _screened_text(c: Any) -> str:
    owners = [o.name for o in c.owners]
    parts = []
    if len(owners) == 1:
        parts.append(f"its declared owner {owners[0]}")
    elif owners:
        parts.append(f"its {len(owners)} declared owners")
    if c.ultimate_parent:
        parts.append(f"its ultimate parent {c.ultimate_parent.name}")
    if not parts:
        return f"{c.name} (no owners or ultimate parent declared)"
    return f"{c.name}, " + " and ".join(parts)


@register_fact_provider("transaction")
def transaction_facts(transaction: Transaction, context: DecisionContext) -> dict[str, Any]:
    """Transaction, destination, customer, parent and owner geography; rule-set settings."""
    c = transaction.customer
    hq_code = c.headquarters or c.country
    hq = _geo(hq_code, context)
    parent = c.ultimate_parent
    parent_geo = _geo(parent.country if parent else "", context)
    hq_or_parent = sorted(set(hq["groups"]) | set(parent_geo["groups"]))
    moved, moved_text = movement(transaction, context)
    groups = load_groups()
    uncertain = []
    seen: set[tuple[str, str]] = set()
    for role, code in (
        ("destination", transaction.destination),
        ("customer country", c.country),
        ("headquarters", hq_code),
        ("ultimate parent", parent.country if parent else ""),
    ):
        for group, note in groups.unconfirmed(code, context.on) if code else []:
            if (code, group) in seen:
                continue
            seen.add((code, group))
            uncertain.append(
                {
                    "rule_id": "geo.country_groups",
                    "why": f"{role} {code} in Country Group {group}: {note.replace('⚠', '').strip()}",
                    "check": "verify the membership and its date in 15 CFR 740 Supp. No. 1 as in force on the decision date",
                }
            )
    return {
        "uncertain": uncertain,
        "settings": dict(context.rule_set.settings),
        "transaction": {
            "kind": transaction.kind,
            "date": transaction.date,
            "end_use": transaction.end_use or None,
            "end_use_given": bool(transaction.end_use),
            "total_quantity": sum(i.quantity for i in transaction.items),
            "ship_from": transaction.ship_from or None,
            "movement": moved,
            "movement_text": moved_text,
            # Deemed export: nationalities of the people with access / receiving the technology.
            "user_nationalities": sorted({u.nationality for u in transaction.users if u.nationality}),
            "user_nationality_groups": sorted(
                {
                    g
                    for u in transaction.users
                    if u.nationality
                    for g in _geo(u.nationality, context)["groups"]
                }
            ),
        },
        "destination": _geo(transaction.destination, context),
        "customer": {
            "name": c.name,
            "kind": c.kind,
            "country": c.country or None,
            "country_groups": _geo(c.country, context)["groups"],
            "headquarters": hq_code or None,
            "headquarters_declared": bool(c.headquarters),
            "headquarters_groups": hq["groups"],
            "hq_or_parent_groups": hq_or_parent,
            "hq_scope_keys": sorted(
                {f"HQ:{k}" for k in [*hq.get("scope_keys", []), *parent_geo.get("scope_keys", [])]}
            ),
            # One readable phrase for messages: where the customer is controlled from.
            "control": f"headquarters {hq_code or 'not declared'}"
            + (
                f", ultimate parent {parent.name} ({parent.country or 'country not declared'})"
                if parent
                else ""
            ),
            "business_type": c.business_type or None,
            "incorporation_date": c.incorporation_date or None,
            "incorporation_age_days": _age_days(c.incorporation_date, context),
            "email_domains": list(c.email_domains),
            "ip_countries": list(c.ip_countries),
            "ip_country_groups": sorted(
                {g for code in c.ip_countries for g in _geo(code, context)["groups"]}
            ),
            "payment_country": c.payment_country or None,
            "payment_country_groups": _geo(c.payment_country, context)["groups"],
            "addresses": [
                {"text": a.text, "city": a.city, "country": a.country or None} for a in c.addresses
            ],
            "other_names": list(c.other_names),
            "owner_count": len(c.owners),
            # Who was screened, in words (reason texts): "Acme Ltd, its 2 declared owners and its ultimate
            # parent Acme Holdings" / "Acme Ltd (no owners or ultimate parent declared)".
            "screened_text": _screened_text(c),
        },
        "parent": {
            "present": parent is not None,
            "name": parent.name if parent else None,
            "country": parent_geo["country"],
            "groups": parent_geo["groups"],
        },
        "owners": [
            {
                "name": o.name,
                "kind": o.kind,
                "country": o.country or None,
                "percent": o.percent,
                "groups": _geo(o.country, context)["groups"],
            }
            for o in c.owners
        ],
    }


def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return dict(obj)
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    return {k: getattr(obj, k) for k in dir(obj) if not k.startswith("_") and not callable(getattr(obj, k))}


def _first(d: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if d.get(k) is not None:
            return d[k]
    return None


def item_facts_from_classification(model: str, quantity: int, cls: Any) -> dict[str, Any]:
    """Normalises the hardware package's Classification into the ``item.*`` facts rules read.

    ``eccn_family`` ("3A090", "4A090") and ``eccn_paragraph`` ("a", "b", "c") are split from the ECCN
    so rules can say "any 3A090/4A090" or ".a only" without string tricks.
    """
    d = _as_dict(cls)
    eccn = str(_first(d, "eccn") or "")
    m = _ECCN.match(eccn)
    family = m.group(1).upper() if m else None
    paragraph = (m.group(2) or "").lower() if m else None
    flags = [_as_dict(f) if not isinstance(f, str) else {"flag": f} for f in (_first(d, "flags") or [])]
    flag_names = sorted({str(_first(f, "flag", "name", "id") or "") for f in flags} - {""})
    letters = _first(d, "licence_letters", "license_letters", "named_rules", "named_items") or []
    letters = [str(x) if not isinstance(x, dict) else str(x.get("id") or x) for x in letters]
    letters += [
        str(_first(f, "rule_id", "id", "text", "flag"))
        for f in flags
        if "letter" in str(_first(f, "flag", "name") or "")
        or "named-item" in str(_first(f, "flag", "name") or "")
    ]
    undetermined = bool(_first(d, "undetermined")) or eccn.strip().lower() in ("undetermined", "")
    # For reason texts: the hardware package's "not caught by any 3A090/4A090 rule" label is not an ECCN.
    if family:
        eccn_text = eccn
    elif undetermined:
        eccn_text = "classification undetermined"
    else:
        eccn_text = "not 3A090/4A090: EAR99 or another ECCN"
    band = _first(d, "case_by_case_band", "case_by_case")
    if band is None and flags:
        band = "case-by-case-band" in flag_names
    return {
        "model": model,
        "resolved_model": _first(d, "model", "name", "canonical"),
        "quantity": quantity,
        "eccn": eccn or None,
        "eccn_family": family,
        "eccn_paragraph": paragraph or None,
        "advanced_computing": family in ("3A090", "4A090"),
        # The hardware package says "undetermined" when a figure the thresholds need is unknown: rules
        # must then fail closed (REVIEW), never read it as "not controlled".
        "undetermined": undetermined,
        "eccn_text": eccn_text,
        "controlled": family is not None and family not in ("EAR99",),
        "tpp": _first(d, "tpp"),
        "performance_density": _first(d, "performance_density", "pd"),
        "datacenter": _first(d, "datacenter", "datacenter_designed"),
        "memory_bandwidth_gbs": _first(d, "memory_bandwidth_gbs", "memory_bandwidth", "dram_bandwidth_gbs"),
        "licence_letters": letters,
        "named_licence": bool(letters),
        # Where the letters reach (country codes, groups, HQ:<code or group>): the named-item rule tests
        # the destination's and the buyer's scope keys against it, so each letter's own scope is data.
        "letter_scope": sorted(
            {
                str(x)
                for f in flags
                if "letter" in str(_first(f, "flag", "name") or "")
                or "named-item" in str(_first(f, "flag", "name") or "")
                for x in f.get("scope") or []
            }
        ),
        "case_by_case_band": band,
        "flags": flag_names,
        "flag_citations": sorted({str(f.get("citation")) for f in flags if f.get("citation")}),
        # Each flag's own citations (``{item.flag_citation.gp10_presumption}``), so a rule cites the
        # document behind its flag and not every document that flagged the item.
        "flag_citation": {
            name.replace("-", "_"): "; ".join(
                sorted(
                    {
                        str(f.get("citation"))
                        for f in flags
                        if f.get("citation") and str(_first(f, "flag", "name", "id")) == name
                    }
                )
            )
            for name in flag_names
        },
        "kind": _first(d, "kind"),
        "accelerator_count": _first(d, "accelerator_count", "accelerators", "count"),
        "citations": list(_first(d, "citations") or []),
        # The documents the classification rests on, as text for reasons (never the raw records).
        "citation_texts": sorted(
            {str(c.get("citation")) if isinstance(c, dict) else str(c) for c in _first(d, "citations") or []}
            - {"None", ""}
        ),
    }


@register_fact_provider("items")
def item_facts(transaction: Transaction, context: DecisionContext) -> dict[str, Any]:
    """Classifies every item on the decision date (hardware package); unknown model → InputError."""
    from chipguard.hardware import classify

    out = []
    uncertain: list[dict[str, str]] = []
    for i, item in enumerate(transaction.items):
        try:
            cls = classify(item.model, on=context.on)
        except InputError as exc:
            raise InputError(exc.detail, file=exc.file, field=f"items[{i}].model") from exc
        except (KeyError, LookupError, ChipguardError) as exc:
            raise InputError(f"unknown model '{item.model}': {exc}", field=f"items[{i}].model") from exc
        context.classifications.append(cls)
        facts = item_facts_from_classification(item.model, item.quantity, cls)
        facts["index"] = i
        out.append(facts)
        for note in getattr(cls, "notes", None) or []:
            if "⚠" in str(note):
                uncertain.append(
                    {
                        "rule_id": "hardware.classification",
                        "why": f"{item.model}: {str(note).replace('⚠', '').strip()}",
                        "check": "verify the classification against the spec sheet and the rule text in force",
                    }
                )
    return {"items": out, "uncertain": uncertain}


def list_code(hit: Hit, table: list[dict[str, Any]]) -> dict[str, Any]:
    """The entry of the ``list_codes`` table (rules data) a hit's list name or source matches."""
    for entry in table:
        for pattern in entry.get("list_names") or []:
            if hit.list_name and re.search(str(pattern), hit.list_name, re.IGNORECASE):
                return entry
        if hit.source and hit.source in (entry.get("sources") or []):
            return entry
    return next((e for e in table if e.get("code") == "OTHER"), {"code": "OTHER", "title": "other list"})


def _screen(
    context: DecisionContext, label: str, name: str, kind: str, country: str, evidence: Any = None
) -> list[Hit]:
    """The hits of one screened name, up to the rule set's ``hit_limit``; how many more cleared the
    threshold is kept in ``context.omitted`` under ``label`` (the decision records it, and rules fail
    closed on it)."""
    screener = context.screener
    if screener is None:  # the caller checks first; nothing screened means no hit to report
        return []
    k = kind if kind in ("org", "person") else None
    more: dict[str, Any] = {"evidence": evidence} if evidence else {}  # a stand-in may not take them
    found = screener.screening(
        name, kind=k, country=country or None, limit=hit_limit(context.rule_set), **more
    )
    if found.omitted:
        context.omitted[label] = found.omitted
    return list(found.hits)


def omitted_fact(
    context: DecisionContext, label: str, role: str, role_title: str, subject: str
) -> dict[str, Any]:
    """The ``omitted_hits[]`` fact of a screening that left hits out: rule OP-HITS-OMITTED reads it."""
    return {
        "label": label,
        "role": role,
        "role_title": role_title,
        "subject": subject,
        "omitted": context.omitted[label],
        "limit": hit_limit(context.rule_set),
    }


def _entity(hit: Hit) -> str:
    """The label of the entity ``hit`` belongs to among its screening's hits (``source:party_id`` of the
    entity's best record); a screener that does not group (a stand-in) makes each record its own."""
    return hit.entity or f"{hit.source}:{hit.party_id}"


def _entity_names(hits: list[Hit]) -> dict[str, str]:
    """Entity label → the name of its best record (the record the label names; when that record is not
    among ``hits`` — an analyst cleared it — the first of the entity's records that is)."""
    names: dict[str, str] = {}
    for hit in hits:
        label = _entity(hit)
        if label == f"{hit.source}:{hit.party_id}" or label not in names:
            names[label] = hit.name
    return names


def _decided(hit: Hit) -> str:
    """The sentence that says why a hit has its strength (the ``strength`` feature's detail)."""
    return next((str(f.get("detail", "")) for f in hit.evidence if f.get("feature") == "strength"), "")


@register_fact_provider("screening")
def screening_facts(transaction: Transaction, context: DecisionContext) -> dict[str, Any]:
    """Screens the customer (and its other names), every owner and the ultimate parent, with the
    identifying details each declares (date of birth, nationality, LEI, registration number …).

    Each confirmed or potential hit becomes a ``hits[]`` fact with its role, strength, list code and the
    code's meaning, so rules decide per list and per strength ("confirmed EL → licence", "potential →
    review") from the rules data, not from Python. Weak hits (a conflicting date of birth, kind or
    country) are recorded under ``screening.weak_hits`` and alert nothing.

    Every hit that clears the threshold is weighed, up to the rule set's ``hit_limit`` per name (see
    chipguard.policy.facts.hit_limit for why there is a bound and why it is large); a name whose hits
    went past it becomes an ``omitted_hits[]`` fact, on which OP-HITS-OMITTED fails closed.
    """
    from chipguard.match.evidence import subject_evidence

    table = list(context.rule_set.data.get("list_codes") or [])
    status = context.lists
    facts_hits: list[dict[str, Any]] = []
    weak_hits: list[dict[str, Any]] = []
    if context.screener is None:
        return {
            "screening": {
                "status": status.status,
                "reason": status.reason,
                "performed": False,
                "listed": False,
                "alerted": False,
                "listed_roles": [],
                "list_codes": [],
                "weak_hits": [],
            },
            "hits": [],
            "omitted_hits": [],
        }
    # A record found under the customer's own name is not reported again for another name of it.
    # A CSL record id can be shared by one party's records on several lists (VTB on SDN, SSI, CAPTA):
    # each list's record counts, so the list is part of the key.
    known_for_customer: set[tuple[str, str, str]] = set()
    for subject in transaction.customer.screening_subjects():
        found = _screen(
            context,
            subject.label,
            subject.name,
            subject.kind or "",
            subject.country or "",
            subject_evidence(subject),
        )
        bucket = context.hits.setdefault(subject.label, [])
        known = known_for_customer if subject.role in CUSTOMER_ROLES else set()
        entity_names = _entity_names(found)
        for hit in found:
            if (hit.source, hit.party_id, hit.list_name) in known:
                continue
            known.add((hit.source, hit.party_id, hit.list_name))
            bucket.append(hit)
            role, name, percent = subject.role.value, subject.name, subject.percent
            entry = list_code(hit, table)
            (weak_hits if hit.strength == "weak" else facts_hits).append(
                {
                    "role": role,
                    "role_title": subject.role.phrase,
                    "subject": name,
                    "percent": percent,
                    # For reason texts: the owner's declared share, or that it was not disclosed.
                    "share_text": (
                        ""
                        if role != "owner"
                        else f" (holding {percent:g} %)"
                        if percent is not None
                        else " (share not disclosed)"
                    ),
                    "party_id": hit.party_id,
                    "source": hit.source,
                    "name": hit.name,
                    "matched_name": hit.matched_name,
                    "score": hit.score,
                    "strength": hit.strength,
                    "strength_reason": _decided(hit),
                    "list_name": hit.list_name,
                    "list_code": entry.get("code"),
                    "list_title": entry.get("title", ""),
                    "list_meaning": entry.get("meaning", ""),
                    "list_citation": entry.get("citation", ""),
                    "regimes": list(entry.get("regimes") or []),
                    "countries": list(hit.countries),
                    "parent_name": hit.parent_name,
                    # the entity the record is one of among this name's hits (match.grouping), its
                    # best record's name, and this record's own name when it is another one: a rule
                    # folding an entity's records names the entity once and each record by its list
                    "entity": _entity(hit),
                    "entity_name": entity_names[_entity(hit)],
                    "listed_as_text": ("" if hit.name == entity_names[_entity(hit)] else f" as '{hit.name}'"),
                }
            )
    return {
        "screening": {
            "status": status.status,
            "reason": status.reason,
            "performed": True,
            # only a confirmed hit makes a party listed; a potential one alerts (REVIEW); weak ones are kept
            "listed": any(h["strength"] == "confirmed" for h in facts_hits),
            "alerted": bool(facts_hits),
            "listed_roles": sorted({h["role"] for h in facts_hits if h["strength"] == "confirmed"}),
            "list_codes": sorted({str(h["list_code"]) for h in facts_hits if h["strength"] == "confirmed"}),
            "weak_hits": weak_hits,
        },
        "hits": facts_hits,
        "omitted_hits": [
            omitted_fact(context, s.label, s.role.value, s.role.phrase, s.name)
            for s in transaction.customer.screening_subjects()
            if s.label in context.omitted
        ],
    }


@register_fact_provider("ownership_direct")
def direct_ownership_facts(transaction: Transaction, context: DecisionContext) -> dict[str, Any]:
    """Direct ownership by listed owners, summed per regime (``bis_affiliates``, ``ofac_50``).

    Only declared direct owners are counted here; the ownership package's provider, registered after
    this one, replaces these figures with direct + indirect aggregation through the ownership graph.
    """
    total: dict[str, float] = {}
    unknown: set[str] = set()
    seen: set[tuple[str, str]] = set()  # (regime, owner): an owner with several hits counts once
    for h in context.facts.get("hits", []):
        if h["role"] != "owner" or h.get("strength") != "confirmed":
            continue  # a potential hit is reviewed (RP-POTENTIAL-MATCH), never summed as a listed owner
        for regime in h["regimes"]:
            if (regime, h["subject"]) in seen:
                continue
            seen.add((regime, h["subject"]))
            if h["percent"] is None:
                unknown.add(h["subject"])
            else:
                total[regime] = total.get(regime, 0.0) + float(h["percent"])
    listed_unknown = sorted(unknown)
    return {
        "ownership": {
            "listed_percent": total,
            "bis_affiliates_percent": total.get("bis_affiliates", 0.0),
            "ofac_50_percent": total.get("ofac_50", 0.0),
            "listed_owners_unknown_percent": listed_unknown,
            "basis": "direct declared owners",
        }
    }
