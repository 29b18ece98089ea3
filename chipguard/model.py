"""Plain data records shared by every layer.

The pipeline reads sources → parties → index → match → decide → record; these dataclasses are the
values that flow along it. They carry no behaviour beyond (de)serialisation so that every face (CLI,
API, batch) and every store sees the same shapes. ``to_dict`` output is the JSON contract described in
ARCHITECTURE.md and must stay stable: auditors replay decisions from it years later.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chipguard.limits import LIMITS


class PartyKind(StrEnum):
    """What a list record denotes. Persons and organisations are matched differently."""

    PERSON = "person"
    ORG = "org"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


# The kind words a screening query may give (file columns, API fields) → the kind the screener uses.
# One table for the CLI's screen-file and the batch engine, so a file valid for one is valid for the other.
QUERY_KINDS: dict[str, str | None] = {
    "": None,
    "person": "person",
    "individual": "person",
    "org": "org",
    "organisation": "org",
    "organization": "org",
    "entity": "org",
    "company": "org",
    "vessel": "vessel",
    "aircraft": "aircraft",
    "unknown": None,
}
# the kinds a query may name, as an error message or a help text lists them (person, org, vessel, aircraft)
QUERY_KIND_NAMES = ", ".join(dict.fromkeys(k for k in QUERY_KINDS.values() if k))
# The identifying details a screening query may give besides name, kind and country (chipguard.match.evidence
# checks and weighs them); one list for every face: CLI flags, file columns, REST fields, customer records.
EVIDENCE_FIELDS = (
    "date_of_birth",
    "nationality",
    "registration_number",
    "lei",
    "imo",
    "address",
    "website",
)
# characters; a longer "name" is a mistake in the input, not a name (chipguard/data/limits)
QUERY_NAME_MAX_LENGTH = LIMITS.name_chars


class MatchStrength(StrEnum):
    """How sure a hit is, from the name score and the identifiers that agree or conflict
    (chipguard.match.evidence decides; thresholds in chipguard/data/names/matching.yml).

    Only a confirmed hit makes a party "listed" for decisions (DENY, OFAC 50 %, Affiliates rule); a
    potential hit is for an analyst to resolve (REVIEW); a weak hit is recorded, never alerted."""

    CONFIRMED = "confirmed"
    POTENTIAL = "potential"
    WEAK = "weak"


class Outcome(StrEnum):
    ALLOW = "ALLOW"
    REVIEW = "REVIEW"
    DENY = "DENY"
    LICENCE_REQUIRED = "LICENCE_REQUIRED"


@dataclass(frozen=True, slots=True)
class Alias:
    """One name a party is known by. ``script`` is an ISO 15924 code (Latn, Hani, Cyrl, Arab, …)
    so matchers can route original-script names to transliteration; ``kind`` distinguishes
    primary / aka / fka (former name) / weak aka / original-script as the source states it."""

    name: str
    script: str = "Latn"
    kind: str = "aka"


@dataclass(frozen=True, slots=True)
class Address:
    text: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""  # ISO 3166-1 alpha-2, "" when unknown


@dataclass(frozen=True, slots=True)
class Identifier:
    scheme: str  # e.g. "passport", "LEI", "USCC", "IMO", "registration"
    value: str
    country: str = ""


@dataclass(slots=True)
class Party:
    """A record on a restricted-party list, normalised from any source format.

    ``party_id`` is the record's identifier in its own file (CSL ``_id``, OFAC ``ent_num``,
    UN ``DATAID``, custom ``id``); together with ``source`` it is unique and stable across loads.
    """

    source: str  # source name, e.g. "us_csl", "ofac_sdn", "un", "eu", "uk_hmt", "dod_1260h", custom
    party_id: str
    name: str
    kind: PartyKind = PartyKind.UNKNOWN
    list_name: str = (
        ""  # the list/program inside the source, e.g. "Entity List (EL) - Bureau of Industry and Security"
    )
    programs: list[str] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)  # ISO alpha-2
    addresses: list[Address] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    dates: dict[str, str] = field(default_factory=dict)  # e.g. {"listed": "2019-05-16", "birth": "1962"}
    remarks: str = ""
    source_url: str = ""
    parent_name: str = ""  # e.g. DoD 1260H "Parent Name": the listed group a subsidiary belongs to
    extra: dict[str, Any] = field(default_factory=dict)
    # What the list states about who the party is, kept apart from ``countries`` (which also holds
    # address countries) so screening can weigh it as evidence: nationality / citizenship (persons),
    # flag or registration country (vessels, organisations), ISO alpha-2; places of birth as written.
    # Dates of birth stay in ``dates["birth"]`` exactly as the list writes them ("1962; circa 1965",
    # "1956 to 1958"); chipguard.match.evidence reads them.
    nationalities: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    # What an analyst needs to judge a hit on an export-control list (Entity List, DPL): the Federal
    # Register notices that listed or changed the record, the licence requirement and the licence review
    # policy, as the list writes them.
    federal_register: str = ""
    license_requirement: str = ""
    license_policy: str = ""

    def all_names(self) -> list[Alias]:
        """Primary name first, then aliases, without duplicates."""
        seen = {self.name}
        out = [Alias(self.name, kind="primary")]
        for alias in self.aliases:
            if alias.name and alias.name not in seen:
                seen.add(alias.name)
                out.append(alias)
        return out

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Party:
        return cls(
            source=data["source"],
            party_id=str(data["party_id"]),
            name=data["name"],
            kind=PartyKind(data.get("kind", "unknown")),
            list_name=data.get("list_name", ""),
            programs=list(data.get("programs", [])),
            aliases=[Alias(**a) for a in data.get("aliases", [])],
            countries=list(data.get("countries", [])),
            addresses=[Address(**a) for a in data.get("addresses", [])],
            identifiers=[Identifier(**i) for i in data.get("identifiers", [])],
            dates=dict(data.get("dates", {})),
            remarks=data.get("remarks", ""),
            source_url=data.get("source_url", ""),
            parent_name=data.get("parent_name", ""),
            extra=dict(data.get("extra", {})),
            nationalities=list(data.get("nationalities", [])),
            birth_places=list(data.get("birth_places", [])),
            # records serialised before these fields existed kept them in ``extra``
            federal_register=data.get("federal_register")
            or data.get("extra", {}).get("federal_register_notice", ""),
            license_requirement=data.get("license_requirement")
            or data.get("extra", {}).get("license_requirement", ""),
            license_policy=data.get("license_policy") or data.get("extra", {}).get("license_policy", ""),
        )

    def list_record(self) -> dict[str, Any]:
        """The list record as a hit shows it (CLI, REST, UI, batch): list and programmes, addresses, dates
        (listed / start / end / birth … as the list names them), Federal Register citation, licence
        requirement and review policy, remarks and source URL; empty fields left out."""
        record: dict[str, Any] = {
            "list": self.list_name or self.source,
            "source": self.source,
            "programs": list(self.programs),
            "addresses": [_address_text(a) for a in self.addresses if _address_text(a)],
            "dates": dict(self.dates),
            "federal_register": self.federal_register,
            "license_requirement": self.license_requirement,
            "license_policy": self.license_policy,
            "remarks": self.remarks,
            "source_url": self.source_url,
        }
        return {k: v for k, v in record.items() if v or k in ("list", "source")}


def _address_text(address: Address) -> str:
    """An address as one line: its text, else its parts."""
    if address.text:
        return address.text
    return ", ".join(x for x in (address.city, address.region, address.postal_code, address.country) if x)


@dataclass(slots=True)
class Hit:
    """One list record a query matched at or above the threshold, with the reasons for the score."""

    party_id: str
    source: str
    name: str  # the party's primary name
    matched_name: str  # the alias (or primary name) that produced the best score
    score: float
    list_name: str = ""
    kind: str = "unknown"
    countries: list[str] = field(default_factory=list)
    parent_name: str = ""
    explanation: dict[str, Any] = field(default_factory=dict)
    # the entity this record belongs to among the query's hits: the best record of the same entity
    # (``source:party_id``), shared by its records on other lists (see Screener.screening)
    entity: str = ""
    record: dict[str, Any] = field(default_factory=dict)  # Party.list_record(): what the list says
    # MatchStrength value (confirmed / potential / weak) and the features that decided it: decisions
    # act on the strength, never on the score (chipguard.match.evidence)
    strength: str = MatchStrength.POTENTIAL.value
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def json_fields(self) -> dict[str, Any]:
        """The hit's fields, keyed and ordered as ``to_dict`` gives them, for writing out at once (a batch
        record's ``hits_json``): the nested explanation, record and evidence are the hit's own objects, not
        copies (they may be shared with the screener's caches), so the dict is read and serialised, never
        changed. Why: ``to_dict`` deep-copies them value by value (``dataclasses.asdict``), ~9 % of a batch
        row's CPU beside the screening in a profile of a Spark task (session 15); a row written straight to
        JSON needs no copy. The same JSON either way (tests/test_batch.py)."""
        return {name: getattr(self, name) for name in _HIT_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hit:
        """Inverse of ``to_dict`` (keys it does not know, such as a role added by a face, are ignored)."""
        return cls(**{k: v for k, v in data.items() if k in _HIT_FIELD_SET})


_HIT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Hit))
_HIT_FIELD_SET: frozenset[str] = frozenset(_HIT_FIELDS)


@dataclass(slots=True)
class Reason:
    """One fact that moved a decision, the rule that makes it matter, and where that rule is written."""

    code: str
    message: str
    citation: str
    rule_id: str = ""
    outcome: str = ""  # the outcome this reason alone would lead to
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class SubjectRole(StrEnum):
    """Whose name a screened name is. One vocabulary for decisions, the REST API, monitoring and batch:
    the role names appear identically in every output (facts, hit lists, records, audit entries)."""

    QUERY = "query"  # an ad-hoc name (chipguard screen, screen-file, a batch input row)
    CUSTOMER = "customer"  # the customer's own name
    OTHER_NAME = "other_name"  # a name the customer also goes by
    OWNER = "owner"  # a declared owner
    ULTIMATE_PARENT = "ultimate_parent"

    @property
    def phrase(self) -> str:
        """How a sentence names the role: "ultimate parent", "other name"."""
        return self.value.replace("_", " ")


# The roles whose hit makes the customer itself listed (its own name or another name of it).
CUSTOMER_ROLES = (SubjectRole.CUSTOMER, SubjectRole.OTHER_NAME)


@dataclass(frozen=True, slots=True)
class ScreeningSubject:
    """One name that is screened, with the role it plays and the qualifiers it is screened with."""

    role: SubjectRole
    name: str
    kind: str | None = None
    country: str | None = None
    percent: float | None = None  # an owner's declared share
    # the identifying details declared for this name, (field, text) in EVIDENCE_FIELDS order
    evidence: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        """The key of this subject's hits in a screening result: the role for the customer's own name,
        ``role:name`` for the others (``owner:Atlas Sanatgaran``, ``ultimate_parent:Northwind Holdings``)."""
        if self.role in (SubjectRole.CUSTOMER, SubjectRole.QUERY):
            return self.role.value
        return f"{self.role.value}:{self.name}"


@dataclass(slots=True)
class Owner:
    """A direct owner of a customer as declared at onboarding. ``percent`` None means undisclosed."""

    name: str
    kind: str = "unknown"  # person, org, or unknown (none given: a person or an organisation)
    country: str = ""
    percent: float | None = None
    # identifying details screening weighs (chipguard.match.evidence): "" when not declared
    date_of_birth: str = ""  # YYYY-MM-DD or YYYY (a person)
    nationality: str = ""  # ISO alpha-2 (a person)
    registration_number: str = ""
    lei: str = ""
    imo: str = ""
    address: str = ""  # as written (one line)
    website: str = ""  # a web address or e-mail domain


@dataclass(slots=True)
class UltimateParent:
    name: str
    country: str = ""


@dataclass(slots=True)
class Customer:
    """Customer identification data (the proposed IaaS CIP, 89 FR 5698): who the account holder is,
    who owns it, where it is, how it pays and from where it connects."""

    name: str
    kind: str = "unknown"  # person, org, or unknown (none given: a person or an organisation)
    country: str = ""  # country of incorporation / residence
    headquarters: str = ""  # country of headquarters
    ultimate_parent: UltimateParent | None = None
    owners: list[Owner] = field(default_factory=list)
    other_names: list[str] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    email_domains: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    ip_countries: list[str] = field(default_factory=list)
    ip_addresses: list[str] = field(default_factory=list)
    payment_country: str = ""
    payment_method: str = ""
    identifiers: list[Identifier] = field(default_factory=list)
    incorporation_date: str = ""
    business_type: str = ""  # e.g. "freight_forwarder", "reseller", "cloud", "university"
    customer_id: str = ""
    # payment instrument references (card fingerprint, IBAN, wallet): the linked-account check compares them
    payment_instruments: list[str] = field(default_factory=list)
    # identifying details screening weighs (chipguard.match.evidence): "" when not declared
    date_of_birth: str = ""  # YYYY-MM-DD or YYYY (a person)
    nationality: str = ""  # ISO alpha-2 (a person)
    registration_number: str = ""  # company registration number (a Chinese USCC is checked)
    lei: str = ""  # ISO 17442
    imo: str = ""  # a vessel's IMO number
    website: str = ""  # web address or domain

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def screening_subjects(self) -> list[ScreeningSubject]:
        """Who is screened for this customer: its name, its other names, every declared owner and the
        ultimate parent, each with its own kind and country; blank names and repeats left out. The one
        answer decisions, customer screening, monitoring and batch all use."""
        kind, country = self.kind or None, self.country or None
        own = declared_evidence(self)
        subjects = [ScreeningSubject(SubjectRole.CUSTOMER, self.name, kind, country, evidence=own)]
        subjects += [
            ScreeningSubject(SubjectRole.OTHER_NAME, n, kind, country, evidence=own) for n in self.other_names
        ]
        subjects += [
            ScreeningSubject(
                SubjectRole.OWNER, o.name, o.kind or None, o.country or None, o.percent, declared_evidence(o)
            )
            for o in self.owners
        ]
        if self.ultimate_parent:
            parent = self.ultimate_parent
            subjects.append(
                ScreeningSubject(SubjectRole.ULTIMATE_PARENT, parent.name, "org", parent.country or None)
            )
        seen: set[tuple[SubjectRole, str]] = set()
        unique: list[ScreeningSubject] = []
        for subject in subjects:
            if subject.name.strip() and (subject.role, subject.name) not in seen:
                seen.add((subject.role, subject.name))
                unique.append(subject)
        return unique

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Customer:
        """Inverse of ``to_dict`` for stored records (already validated when they were stored)."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        parent = values.get("ultimate_parent")
        values["ultimate_parent"] = UltimateParent(**parent) if isinstance(parent, dict) else parent
        values["owners"] = [Owner(**o) if isinstance(o, dict) else o for o in values.get("owners") or []]
        values["addresses"] = [
            Address(**a) if isinstance(a, dict) else Address(text=str(a))
            for a in values.get("addresses") or []
        ]
        values["identifiers"] = [
            Identifier(**i) if isinstance(i, dict) else i for i in values.get("identifiers") or []
        ]
        return cls(**values)


def declared_evidence(record: Customer | Owner) -> tuple[tuple[str, str], ...]:
    """The EVIDENCE_FIELDS a customer or owner declares, non-empty ones only; a customer's first address
    stands for ``address``."""
    out: list[tuple[str, str]] = []
    for key in EVIDENCE_FIELDS:
        value = getattr(record, key, "")
        if key == "address" and not value:
            addresses = getattr(record, "addresses", None) or []
            value = addresses[0].text if addresses else ""
        if isinstance(value, str) and value.strip():
            out.append((key, value.strip()))
    return tuple(out)


@dataclass(slots=True)
class AccessPerson:
    """A person who gets access to the hardware (a rental's users and administrators) or receives the
    items or their technology: a release to a foreign national is a deemed export to the country of
    nationality (15 CFR 734.13(b))."""

    name: str = ""
    nationality: str = ""  # ISO alpha-2


@dataclass(slots=True)
class Item:
    model: str
    quantity: int = 1


@dataclass(slots=True)
class Transaction:
    date: str  # ISO date on which the rules are evaluated
    kind: str  # "sale" | "export" | "rental"
    customer: Customer
    items: list[Item] = field(default_factory=list)
    destination: str = ""  # ship-to country, or data-centre country for a rental
    end_use: str = ""
    # Where the items are before the transaction; "" = the United States. A sale whose items stay in one
    # foreign country is a transfer (in-country), one that stays in the United States is not an export.
    ship_from: str = ""
    # People with access or receiving the items / technology, with their nationality (deemed export).
    users: list[AccessPerson] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(slots=True)
class Uncertainty:
    """Something a decision rests on that chipguard could not confirm (a rule graded ⚠, a suspension that
    may have been extended, a country-group date not read in the primary text): what to verify before
    relying on the decision."""

    rule_id: str  # the rule (or data table: ``geo.country_groups``, ``hardware.classification``) concerned
    why: str
    check: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(slots=True)
class Decision:
    outcome: Outcome
    reasons: list[Reason] = field(default_factory=list)
    classifications: list[dict[str, Any]] = field(default_factory=list)
    screening: dict[str, Any] = field(default_factory=dict)  # ScreeningSubject.label → hits
    # label → how many hits above the threshold the rule set's hit limit left out of ``screening`` (only
    # names that had more; an ownership-graph node screened by the ownership package: "owner:NAME")
    omitted: dict[str, int] = field(default_factory=dict)
    versions: dict[str, Any] = field(default_factory=dict)  # lists, rule_set, engine
    transaction: dict[str, Any] = field(default_factory=dict)
    decision_id: str = ""
    decided_at: str = ""
    # What to verify before relying on the decision (empty: nothing it rests on is graded uncertain).
    uncertain: list[Uncertainty] = field(default_factory=list)
    # hits an analyst resolved before (casework): false positives left out, true matches confirmed —
    # each naming its disposition, reason and who decided and approved it
    dispositions: list[dict[str, Any]] = field(default_factory=list)
    # what this decision re-takes: the earlier decision and the alert whose disposition prompted it
    follows: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["outcome"] = str(self.outcome)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        """Inverse of ``to_dict`` for a stored decision (extra keys such as ``actor`` are ignored)."""
        known = {f.name for f in dataclasses.fields(Reason)}
        return cls(
            outcome=Outcome(data["outcome"]),
            reasons=[Reason(**{k: v for k, v in r.items() if k in known}) for r in data.get("reasons") or []],
            classifications=list(data.get("classifications") or []),
            screening=dict(data.get("screening") or {}),
            omitted={str(k): int(v) for k, v in (data.get("omitted") or {}).items()},
            versions=dict(data.get("versions") or {}),
            transaction=dict(data.get("transaction") or {}),
            decision_id=str(data.get("decision_id") or ""),
            decided_at=str(data.get("decided_at") or ""),
            uncertain=[
                Uncertainty(str(u.get("rule_id", "")), str(u.get("why", "")), str(u.get("check", "")))
                for u in data.get("uncertain") or []
                if isinstance(u, dict)
            ],
            dispositions=list(data.get("dispositions") or []),
            follows=dict(data.get("follows") or {}),
        )
