"""The one customer input model: customer identification data as every face and every use accepts it,
and the bounded text types it is made of.

Why one model, here in the core: a customer reaches chipguard as the ``customer`` of a transaction
(``chipguard decide``, ``POST /v1/decisions``) and as a stored customer record (``POST /v1/customers``, the
web UI's forms, ``chipguard customers create``, bulk imports). Both must accept the same input and reject
the same bad input with the same field-level message (unknown field, unknown country, negative percentage,
an LEI with bad check digits), and bound every string and list so no input can make the service hold or
hash megabytes. The transaction parser (``chipguard.policy.transaction``) validates its customer with this
model, and the transaction JSON Schema's ``customer`` is generated from it, so there is no second schema
to drift. The REST API publishes the models as its OpenAPI schema.

Countries are normalised here (alpha-2, alpha-3 or an English name → alpha-2), names are stripped, a bare
string is accepted for an address, and e-mail domains lose a leading ``@``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
)

from chipguard.errors import InputError
from chipguard.geo.countries import normalise_country
from chipguard.limits import LIMITS
from chipguard.model import Address, Customer, Identifier, Owner, UltimateParent


def _country_code(value: Any) -> Any:
    """An ISO 3166-1 country (alpha-2, alpha-3 or English name) → its alpha-2 code; empty stays empty."""
    if not isinstance(value, str) or not value.strip():
        return "" if isinstance(value, str) else value
    try:
        return normalise_country(value.strip())
    except InputError as exc:
        raise ValueError(exc.detail) from None


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _calendar_date(value: Any) -> Any:
    """YYYY, YYYY-MM or YYYY-MM-DD that is a real date (no month 13, no 31 February)."""
    if isinstance(value, str) and len(value) > 4:
        year, month, *day = value.split("-")
        try:
            date(int(year), int(month), int(day[0]) if day else 1)
        except ValueError:
            raise ValueError(f"not a calendar date (YYYY-MM-DD, YYYY-MM or YYYY): {value!r}") from None
    return value


Country = Annotated[
    str,
    Field(
        max_length=64,
        description="ISO 3166-1 country: alpha-2 (alpha-3 and English names are accepted and normalised to "
        "alpha-2), or empty",
    ),
    BeforeValidator(_country_code),
]
# A screening query's country, as ``chipguard screen --country`` takes it: an alpha-2 code by its form
Alpha2 = Annotated[
    str, Field(pattern=r"^([A-Za-z]{2})?$", max_length=2, description="ISO 3166-1 alpha-2, or empty")
]
# Every bound comes from chipguard/data/limits (one declaration for every face).
Text = Annotated[str, Field(max_length=LIMITS.text_chars)]
# the bound before the validator in the annotation: pydantic then checks it as a string's ("String should
# have at most 512 characters"); after it, as a generic length ("… at most 512 items after validation")
Name = Annotated[str, Field(min_length=1, max_length=LIMITS.name_chars), BeforeValidator(_stripped)]
ShortList = Annotated[list[Text], Field(max_length=LIMITS.items)]
CountryList = Annotated[list[Country], Field(max_length=LIMITS.items)]
DateOfBirth = Annotated[str, Field(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", max_length=10)]
IdentifierText = Annotated[str, Field(max_length=64), BeforeValidator(_stripped)]
CalendarDate = Annotated[
    str,
    Field(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", max_length=10),
    BeforeValidator(_calendar_date),
]
Kind = Literal["org", "person", "unknown"]


def _bad_char(text: str) -> bool:
    return "\x00" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def find_bad_text(value: Any, path: str = "") -> str | None:
    """The path of the first string holding a NUL or an unpaired surrogate, or None. Such text cannot be
    stored (PostgreSQL rejects NUL, UTF-8 cannot encode a lone surrogate) and is never a real name."""
    if isinstance(value, str):
        return path or "body" if _bad_char(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _bad_char(key):
                return sub
            found = find_bad_text(item, sub)
            if found:
                return found
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = find_bad_text(item, f"{path}[{i}]")
            if found:
                return found
    return None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_unstorable_text(cls, value: Any) -> Any:
        if find_bad_text(value) is not None:
            raise ValueError("text contains a NUL character or an unpaired surrogate")
        return value


class AddressModel(Strict):
    text: Text = ""
    city: Text = ""
    region: Text = ""
    postal_code: Annotated[str, Field(max_length=32)] = ""
    country: Country = ""


class IdentifierModel(Strict):
    scheme: Annotated[str, Field(min_length=1, max_length=64)]
    value: Annotated[str, Field(min_length=1, max_length=LIMITS.identifier_chars)]
    country: Country = ""


class OwnerModel(Strict):
    name: Name
    # no kind given: a person or an organisation (screened as both, never as a vessel or aircraft)
    kind: Kind = "unknown"
    country: Country = ""
    percent: Annotated[float, Field(ge=0, le=100)] | None = None
    # identifying details screening weighs (chipguard.match.evidence checks them in to_customer)
    date_of_birth: DateOfBirth = ""
    nationality: Country = ""
    registration_number: IdentifierText = ""
    lei: IdentifierText = ""
    imo: IdentifierText = ""
    address: Text = ""
    website: Text = ""


# An address is structured or one line of text; the discriminator picks the branch by the value's type,
# so an error names the structured field (``addresses[1].country``), not both branches of a union.
AddressInput = Annotated[
    Annotated[Annotated[str, Field(min_length=1, max_length=LIMITS.text_chars)], Tag("str")]
    | Annotated[AddressModel, Tag("AddressModel")],
    Discriminator(lambda v: "str" if isinstance(v, str) else "AddressModel"),
]


class UltimateParentModel(Strict):
    name: Name
    country: Country = ""


class CustomerModel(Strict):
    """Customer identification data (chipguard.model.Customer)."""

    name: Name
    # no kind given: a person or an organisation (screened as both, never as a vessel or aircraft), as
    # for an owner — an onboarding system that omits it must not hide an individual from person records
    kind: Kind = "unknown"
    country: Country = Field("", description="Country of incorporation (or residence for a person).")
    headquarters: Country = Field(
        "", description="Country of headquarters (15 CFR 744.23(a)(3) / 742.6 headquarters rule)."
    )
    ultimate_parent: UltimateParentModel | None = None
    owners: Annotated[list[OwnerModel], Field(max_length=LIMITS.owners)] = Field(default_factory=list)
    other_names: Annotated[list[Name], Field(max_length=LIMITS.aliases)] = Field(default_factory=list)
    addresses: Annotated[
        list[AddressInput],
        Field(max_length=LIMITS.addresses, description="postal addresses, structured or as one line of text"),
    ] = Field(default_factory=list)
    email_domains: ShortList = Field(default_factory=list)
    emails: ShortList = Field(default_factory=list)
    phones: ShortList = Field(default_factory=list)
    ip_countries: CountryList = Field(default_factory=list)
    ip_addresses: ShortList = Field(default_factory=list)
    payment_country: Country = ""
    payment_method: Text = ""
    identifiers: Annotated[list[IdentifierModel], Field(max_length=LIMITS.identifiers)] = Field(
        default_factory=list
    )
    incorporation_date: CalendarDate = ""
    business_type: Text = Field(
        "", description="e.g. university, cloud, reseller, freight_forwarder, distributor"
    )
    customer_id: Annotated[str, Field(pattern=r"^([A-Za-z0-9][A-Za-z0-9._:-]{0,63})?$", max_length=64)] = ""
    payment_instruments: ShortList = Field(
        default_factory=list, description="payment instrument references (card fingerprint, IBAN, wallet)"
    )
    # identifying details screening weighs (chipguard.match.evidence checks them in to_customer)
    date_of_birth: DateOfBirth = ""
    nationality: Country = ""
    registration_number: IdentifierText = ""
    lei: IdentifierText = ""
    imo: IdentifierText = ""
    website: Text = ""

    def to_customer(self, *, file: str | None = None, prefix: str = "") -> Customer:
        """The shared dataclass; InputError (a 422 naming the field) when a date of birth, LEI, USCC or
        IMO number given for the customer or an owner fails its check."""
        up = self.ultimate_parent
        customer = Customer(
            name=self.name,
            kind=self.kind,
            country=self.country.upper(),
            headquarters=self.headquarters.upper(),
            ultimate_parent=UltimateParent(up.name, up.country.upper()) if up else None,
            owners=[
                Owner(
                    o.name,
                    o.kind,
                    o.country.upper(),
                    o.percent,
                    date_of_birth=o.date_of_birth,
                    nationality=o.nationality.upper(),
                    registration_number=o.registration_number,
                    lei=o.lei,
                    imo=o.imo,
                    address=o.address.strip(),
                    website=o.website.strip(),
                )
                for o in self.owners
            ],
            other_names=list(self.other_names),
            addresses=[
                Address(text=a.strip())
                if isinstance(a, str)
                else Address(a.text, a.city, a.region, a.postal_code, a.country.upper())
                for a in self.addresses
            ],
            email_domains=[d.strip().lower().lstrip("@") for d in self.email_domains],
            emails=list(self.emails),
            phones=list(self.phones),
            ip_countries=[c.upper() for c in self.ip_countries],
            ip_addresses=list(self.ip_addresses),
            payment_country=self.payment_country.upper(),
            payment_method=self.payment_method,
            identifiers=[Identifier(i.scheme, i.value, i.country.upper()) for i in self.identifiers],
            incorporation_date=self.incorporation_date,
            business_type=self.business_type,
            customer_id=self.customer_id,
            payment_instruments=list(self.payment_instruments),
            date_of_birth=self.date_of_birth,
            nationality=self.nationality.upper(),
            registration_number=self.registration_number,
            lei=self.lei,
            imo=self.imo,
            website=self.website,
        )
        check_evidence(customer, file=file, prefix=prefix)
        return customer


def check_evidence(customer: Customer, *, file: str | None = None, prefix: str = "") -> None:
    """The identifying details of the customer and its owners must be valid (a date of birth that is a
    date, LEI and USCC check digits): screening weighs them, so a typo must not pass as evidence."""
    from chipguard.match.evidence import evidence_of

    try:
        evidence_of(customer, customer.country or None, where=prefix)
        for i, owner in enumerate(customer.owners):
            evidence_of(owner, owner.country or None, where=error_path(("owners", i), prefix))
    except InputError as exc:
        raise InputError(exc.detail, file=file, field=exc.field) from exc


def error_path(loc: Any, prefix: str = "") -> str:
    """A validation error's location as a field path: ``("owners", 1, "percent")`` →
    ``owners[1].percent`` (``customer.owners[1].percent`` under the prefix ``customer``). Union members
    pydantic names in the location (``str``, ``AddressModel``) are left out."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and (part == "str" or part.endswith("Model") or "[" in part):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(err: Any) -> str:
    """The wording the transaction shell's errors use too (``unknown field``, ``longer than N
    characters``), never the offending value: it may be megabytes."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "is required"
    if kind in ("string_too_long", "too_long") and "max_length" in ctx:
        if isinstance(err.get("input"), str):
            return f"longer than {ctx['max_length']} characters"
        return f"more than {ctx['max_length']} entries"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def parse_customer(data: Any, *, file: str | None = None, prefix: str = "") -> Customer:
    """Validates customer data (a decoded JSON object) and builds the Customer; InputError naming the
    file and the first bad field (under ``prefix``: ``customer`` inside a transaction)."""
    try:
        model = CustomerModel.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        err = errors[0]
        extra = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise InputError(_message(err) + extra, file=file, field=error_path(err["loc"], prefix)) from None
    return model.to_customer(file=file, prefix=prefix)
