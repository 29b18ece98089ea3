"""Which records among one query's hits are one entity, and why.

A firm or person is often listed several times: on several lists of one source (the CSL repeats an
OFAC entity on the SDN, SSI and CAPTA lists), on several sources (the UN and OFAC list the same person,
"QASEM SOLEIMANI" and "SOLEIMANI, Qasem"), under another spelling or an alias. Screening shows every
record; this module says which of them are one entity and names the feature that decided it, so an
analyst sees one entity with its records instead of unrelated-looking hits.

The rules and their data are in ``chipguard/data/names/entity_grouping.yml`` (read once): the same
record number, a list's cross-reference to another list's record, a shared identifier of the same kind,
the same normalised name with agreeing kind, countries and (persons) dates of birth, or — for the many UN
and OFAC records of one person that give no date of birth on one side — the same full name designated
under the same sanctions regime (the UN committee of the UN record's reference number, the programme
that implements it on the other list). Only records that hit one query are compared (a handful), so
nothing is added to the index.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from chipguard.errors import InputError
from chipguard.match import evidence as ev
from chipguard.model import Party, PartyKind
from chipguard.names.data import load_yaml

_FILE = "names/entity_grouping.yml"
_CROSS_REFERENCE_KEYS = ("field", "source", "target_field", "says")
_SAME_REGIME_KEYS = ("min_name_words", "birth_days_apart")


def _bad(message: str, field: str) -> InputError:
    return InputError(message, file=_FILE, field=field)


def _texts(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(x, str) and x.strip() for x in value):
        raise _bad(f"must be a list of texts, not {value!r}", field)
    return [x.strip() for x in value]


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(f"must be a text, not {value!r}", field)
    return value.strip()


def _mapping(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(f"must be a mapping, not {value!r}", field)
    return value


def _only(mapping: dict[str, Any], allowed: set[str] | tuple[str, ...], where: str) -> None:
    """An error naming the first key of ``mapping`` the rules do not read (a misspelling)."""
    unknown = sorted(str(k) for k in mapping if k not in allowed)
    if unknown:
        raise _bad("unknown key (misspelt?): the grouping rules do not use it", where + unknown[0])


def load(data: Any) -> dict[str, Any]:
    """entity_grouping.yml parsed (``data``), every key checked, so a missing, mistyped or misspelt one
    stops the engine at once with an error naming the file and the key — not at the first query whose
    hits need it, nor silently as "no rule" (an empty ``identifier_kinds`` would still group, by fewer
    numbers). ``un_regimes`` and ``same_regime`` may be absent together (a file archived before the
    regime rule: no record then groups by regime, as the engine then did)."""
    data = _mapping(data, "(the file)")
    known = {"identifier_kinds", "cross_references", "un_regimes", "same_regime"}
    _only(data, known, "")
    for key in ("identifier_kinds", "cross_references"):
        if key not in data:
            raise _bad("missing: every grouping rule is data, there is no default in code", key)
    kinds = {
        str(kind): _texts(types, f"identifier_kinds.{kind}")
        for kind, types in _mapping(data["identifier_kinds"], "identifier_kinds").items()
    }
    refs = data["cross_references"]
    if not isinstance(refs, list):
        raise _bad(f"must be a list of mappings, not {refs!r}", "cross_references")
    references: list[dict[str, str]] = []
    for number, ref in enumerate(refs):
        where = f"cross_references[{number}]"
        ref = _mapping(ref, where)
        _only(ref, _CROSS_REFERENCE_KEYS, f"{where}.")
        references.append({key: _text(ref.get(key), f"{where}.{key}") for key in _CROSS_REFERENCE_KEYS})
    out: dict[str, Any] = {"identifier_kinds": kinds, "cross_references": references}
    if "un_regimes" not in data and "same_regime" not in data:
        return out
    regimes: dict[str, tuple[str, frozenset[str]]] = {}
    for prefix, item in _mapping(data.get("un_regimes"), "un_regimes").items():
        where = f"un_regimes.{prefix}"
        item = _mapping(item, where)
        _only(item, ("regime", "programmes"), f"{where}.")
        programmes = _texts(item.get("programmes"), f"{where}.programmes")
        regimes[str(prefix)] = (
            _text(item.get("regime"), f"{where}.regime"),
            frozenset(p.upper() for p in programmes),
        )
    same = _mapping(data.get("same_regime"), "same_regime")
    _only(same, _SAME_REGIME_KEYS, "same_regime.")
    for key in _SAME_REGIME_KEYS:
        value = same.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _bad(f"must be a whole number of 0 or more, not {value!r}", f"same_regime.{key}")
    out["un_regimes"] = regimes
    out["same_regime"] = {key: int(same[key]) for key in _SAME_REGIME_KEYS}
    return out


@cache
def config() -> dict[str, Any]:
    """entity_grouping.yml, read and checked once (:func:`load`)."""
    return load(load_yaml("entity_grouping.yml"))


@cache
def _kind_of_type() -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, types in config()["identifier_kinds"].items():
        for written in types:
            out[normalise_type(written)] = kind
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
    """A record as the grouping rules compare it: the record, its numbers by ``kind:value`` (with the
    issuing countries the list gives), its dates of birth, and its names and countries as the screener
    normalises them (empty when not given: no name or country rule then holds). One value per record, so
    the rules take two records, not eight loose arguments that a caller could pair up wrongly."""

    party: Party
    identifiers: Mapping[str, frozenset[str]]
    written: Mapping[str, str]  # kind:value → the type and number as the list writes them
    births: tuple[ev.DateSpan, ...]
    # the normalised keys of the record's primary name and of all its names (a person's words in sorted
    # order), and its normalised countries
    primary: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()


def facts_of(
    party: Party,
    primary: frozenset[str] = frozenset(),
    names: frozenset[str] = frozenset(),
    countries: frozenset[str] = frozenset(),
) -> GroupingFacts:
    """The record with its identifiers that identify (chipguard.match.evidence decides which: LEI, IMO,
    numbers long enough and not facts such as gender), keyed by kind and normalised value, and the names
    and countries the caller normalised."""
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
        party=party,
        identifiers={k: frozenset(v) for k, v in ids.items()},
        written=written,
        births=ev.birth_spans(party.dates.get("birth", "")),
        primary=primary,
        names=names,
        countries=countries,
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


def _regimes() -> dict[str, tuple[str, frozenset[str]]]:
    """entity_grouping.yml ``un_regimes``: UN reference-number prefix → (regime, the programmes of other
    lists that implement it); none in a file archived before the rule existed."""
    regimes: dict[str, tuple[str, frozenset[str]]] = config().get("un_regimes", {})
    return regimes


def _setting(key: str) -> int:
    """A ``same_regime`` number (checked at load; only asked for when a UN regime matched)."""
    return int(config()["same_regime"][key])


def same_regime(a: Party, b: Party) -> str:
    """The UN regime and programme under which a UN record and another list's record are designated
    ("UN Democratic Republic of the Congo (CDi.007), DRCONGO"), or "" when they are not both."""
    for un, other in ((a, b), (b, a)):
        ref = str(un.extra.get("reference_number") or "") if un.source == "un" else ""
        regime = _regimes().get(ref[:2]) if ref and other.source != "un" else None
        if regime is None:
            continue
        shared = sorted(regime[1] & {p.upper() for p in other.programs})
        if shared:
            return f"UN {regime[0]} ({ref}), {', '.join(shared)}"
    return ""


def births_close(a: GroupingFacts, b: GroupingFacts) -> bool:
    """No date of birth on one side, or two that are at most ``same_regime.birth_days_apart`` days apart
    (a list converting dates across time zones writes the day before or after)."""
    if not a.births or not b.births:
        return True
    limit = _setting("birth_days_apart")
    return any(x.gap_days(y) <= limit for x in a.births for y in b.births)


def cross_reference(a: Party, b: Party) -> str:
    """The sentence saying that one record cites the other (entity_grouping.yml cross_references), or ""."""
    for ref in config()["cross_references"]:
        for this, other in ((a, b), (b, a)):
            cited = str(this.extra.get(ref["field"]) or "").strip()
            target = str(other.extra.get(ref["target_field"]) or "").strip()
            if cited and other.source == ref["source"] and cited.casefold() == target.casefold():
                return f"{this.source}:{this.party_id} {ref['says']} {cited}"
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


def same_entity(facts_a: GroupingFacts, facts_b: GroupingFacts) -> dict[str, str] | None:
    """Why two records are one entity (``{"feature", "detail"}``), or None."""
    a, b = facts_a.party, facts_b.party
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
    countries_a, countries_b = facts_a.countries, facts_b.countries
    if countries_a and countries_b and not countries_a & countries_b:
        return None
    shared = sorted(facts_a.names & facts_b.names)
    if not shared:
        return None
    if person and not births_agree(facts_a, facts_b):
        # two people may share a name, not a date of birth; without one, the same full name designated
        # under the same UN regime on both sides is one person
        return _same_regime_and_name(facts_a, facts_b)
    # the fullest shared name says most (a person's full name rather than a shared nickname)
    detail = f"both listed as '{max(shared, key=lambda k: (len(k.split()), k))}'"
    if person:
        detail += ", dates of birth agree"
    if countries_a and countries_b:
        detail += ", countries agree"
    return {"feature": "name", "detail": detail}


def _same_regime_and_name(facts_a: GroupingFacts, facts_b: GroupingFacts) -> dict[str, str] | None:
    """The UN and the OFAC list designate many persons without a date of birth on one side (the UN's
    "THOMAS LUBANGA", OFAC's "LUBANGA, Thomas", born 1960), so the name rule keeps them apart. One more
    fact ties them: both records are designations under the same UN regime (the UN record's reference
    number names its committee, the other record lists the programme implementing it). With the full
    name — a record's primary name, at least ``same_regime.min_name_words`` words, found among the other
    record's names (not a shared nickname) — and no date of birth more than a few days off, they are one
    person. Two people of one common name on other programmes, or with other dates of birth, stay apart."""
    regime = same_regime(facts_a.party, facts_b.party)
    if not regime or not births_close(facts_a, facts_b):
        return None
    full = sorted(
        k
        for k in (facts_a.primary & facts_b.names) | (facts_b.primary & facts_a.names)
        if len(k.split()) >= _setting("min_name_words")
    )
    if not full:
        return None
    name = max(full, key=lambda k: (len(k.split()), k))
    return {"feature": "regime", "detail": f"both listed as '{name}' under {regime}"}
