"""Which records among one query's hits are one entity, and why.

A firm or person is often listed several times: on several lists of one source (the CSL repeats an
OFAC entity on the SDN, SSI and CAPTA lists), on several sources (the UN and OFAC list the same person,
"QASEM SOLEIMANI" and "SOLEIMANI, Qasem"), under another spelling or an alias. Screening shows every
record; this module says which of them are one entity and names the feature that decided it, so an
analyst sees one entity with its records instead of unrelated-looking hits.

The rules and their data are in ``chipguard/data/names/entity_grouping.yml`` (read once): the same
record number, a list's cross-reference to another list's record, a shared identifier of the same kind,
or the same normalised name with agreeing kind, countries and (persons) dates of birth. Only records that
hit one query are compared (a handful), so nothing is added to the index.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from chipguard.match import evidence as ev
from chipguard.model import Party, PartyKind
from chipguard.names.data import load_yaml


@cache
def config() -> dict[str, Any]:
    """entity_grouping.yml: identifier kinds by normalised type, and the lists' cross-references."""
    data: dict[str, Any] = dict(load_yaml("entity_grouping.yml") or {})
    return data


@cache
def _kind_of_type() -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, types in (config().get("identifier_kinds") or {}).items():
        for written in types or ():
            out[normalise_type(str(written))] = str(kind)
    return out


_TRAILING = {"no", "number", "num", "nr"}


def normalise_type(scheme: str) -> str:
    """An identifier type as compared: lower case, punctuation to spaces, a trailing "No." / "Number"
    / "#" dropped ("National ID No." → "national id", "RUC #" → "ruc")."""
    words = re.sub(r"[^\w]+", " ", scheme.casefold()).split()
    while words and words[-1] in _TRAILING:
        words.pop()
    return " ".join(words)


def identifier_kind(scheme: str) -> str:
    """The kind of number an identifier type names (passport, national_id, tax, registration …); a type
    not in the data is its own kind."""
    written = normalise_type(scheme)
    return _kind_of_type().get(written, written)


@dataclass(frozen=True, slots=True)
class GroupingFacts:
    """What a record offers for grouping: its numbers by ``kind:value`` (with the issuing countries the
    list gives), and its dates of birth."""

    identifiers: Mapping[str, frozenset[str]]
    written: Mapping[str, str]  # kind:value → the type and number as the list writes them
    births: tuple[ev.DateSpan, ...]


def facts_of(party: Party) -> GroupingFacts:
    """The record's identifiers that identify (chipguard.match.evidence decides which: LEI, IMO, numbers
    long enough and not facts such as gender), keyed by kind and normalised value."""
    ids: dict[str, set[str]] = {}
    written: dict[str, str] = {}
    for ident in party.identifiers:
        what = ev._id_kind(ident.scheme, ident.value)
        if what in ("", "web", "email"):
            continue  # a web domain is shared by a group's subsidiaries: no sign of one entity
        if what == "lei" and not ev.lei_valid(ev.normalise_id(ident.value)):
            what = "id"
        if what == "imo":
            key = "imo:" + "".join(ch for ch in ident.value if ch.isdigit())
        elif what == "lei":
            key = "lei:" + ev.normalise_id(ident.value)
        else:
            key = f"{identifier_kind(ident.scheme) or 'id'}:{ev.normalise_id(ident.value)}"
        ids.setdefault(key, set())
        if ident.country:
            ids[key].add(ident.country.upper())
        written.setdefault(key, f"{ident.scheme or 'number'} {ident.value}".strip())
    return GroupingFacts(
        identifiers={k: frozenset(v) for k, v in ids.items()},
        written=written,
        births=ev.birth_spans(party.dates.get("birth", "")),
    )


def kinds_agree(a: Party, b: Party) -> bool:
    """A person is never one entity with anything else; otherwise an unknown kind agrees with any."""
    if (a.kind == PartyKind.PERSON) != (b.kind == PartyKind.PERSON):
        return False
    return PartyKind.UNKNOWN in (a.kind, b.kind) or a.kind == b.kind


def births_conflict(a: GroupingFacts, b: GroupingFacts) -> bool:
    """Both records give dates of birth and every pair is at least ``dob_conflict_days`` apart."""
    if not a.births or not b.births:
        return False
    limit = int(ev.config()["dob_conflict_days"])
    return all(x.gap_days(y) >= limit for x in a.births for y in b.births)


def births_agree(a: GroupingFacts, b: GroupingFacts) -> bool:
    """Both records give dates of birth and two of them overlap (a year covers its dates)."""
    return any(x.gap_days(y) == 0 for x in a.births for y in b.births)


def cross_reference(a: Party, b: Party) -> str:
    """The sentence saying that one record cites the other (entity_grouping.yml cross_references), or ""."""
    for ref in config().get("cross_references") or ():
        for this, other in ((a, b), (b, a)):
            cited = str(this.extra.get(str(ref["field"])) or "").strip()
            target = str(other.extra.get(str(ref["target_field"])) or "").strip()
            if cited and other.source == ref["source"] and cited.casefold() == target.casefold():
                return f"{this.source}:{this.party_id} {ref.get('says', 'cites')} {cited}"
    return ""


def shared_identifier(a: GroupingFacts, b: GroupingFacts) -> str:
    """The first number both records give, of the same kind and (when both say) issuing country, as the
    list writes it; "" when none."""
    for key in sorted(set(a.identifiers) & set(b.identifiers)):
        ca, cb = a.identifiers[key], b.identifiers[key]
        if ca and cb and not ca & cb:
            continue  # the same digits issued by two countries are two numbers
        return a.written[key]
    return ""


def same_entity(
    a: Party,
    b: Party,
    facts_a: GroupingFacts,
    facts_b: GroupingFacts,
    keys_a: frozenset[str],
    keys_b: frozenset[str],
    countries_a: set[str],
    countries_b: set[str],
) -> dict[str, str] | None:
    """Why records ``a`` and ``b`` are one entity (``{"feature", "detail"}``), or None. ``keys_*``: the
    records' normalised names (a person's in sorted word order); ``countries_*``: their countries."""
    if not kinds_agree(a, b):
        return None
    person = a.kind == PartyKind.PERSON
    if person and births_conflict(facts_a, facts_b):
        return None
    if a.source == b.source and a.party_id == b.party_id:
        lists = " and ".join(sorted({a.list_name or a.source, b.list_name or b.source}))
        return {"feature": "same_record", "detail": f"one record number {a.party_id} on {lists}"}
    cited = cross_reference(a, b)
    if cited:
        return {"feature": "cross_reference", "detail": cited}
    number = shared_identifier(facts_a, facts_b)
    if number:
        return {"feature": "identifier", "detail": f"both list {number}"}
    if countries_a and countries_b and not countries_a & countries_b:
        return None
    shared = sorted(keys_a & keys_b)
    if not shared:
        return None
    if person and not births_agree(facts_a, facts_b):
        return None  # two people may share a name, not a date of birth
    # the fullest shared name says most (a person's full name rather than a shared nickname)
    detail = f"both listed as '{max(shared, key=lambda k: (len(k.split()), k))}'"
    if person:
        detail += ", dates of birth agree"
    if countries_a and countries_b:
        detail += ", countries agree"
    return {"feature": "name", "detail": detail}
