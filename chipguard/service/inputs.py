"""The input models the service layer accepts from every face: customer identification data and the
bounded text types it is made of.

Why here and not in one face: the REST API, the web UI's forms and ``chipguard customers create`` must
reject the same bad input with the same field-level message (unknown field, wrong country code, negative
percentage) and bound every string and list, so no input can make the service hold or hash megabytes; the
models convert to the shared dataclasses of ``chipguard.model`` only once valid. The REST API also
publishes them as its OpenAPI schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chipguard.errors import InputError
from chipguard.limits import LIMITS
from chipguard.model import Address, Customer, Identifier, Owner, UltimateParent

Country = Annotated[
    str, Field(pattern=r"^([A-Za-z]{2})?$", max_length=2, description="ISO 3166-1 alpha-2, or empty")
]
# Every bound comes from chipguard/data/limits (one declaration for every face).
Text = Annotated[str, Field(max_length=LIMITS.text_chars)]
Name = Annotated[str, Field(min_length=1, max_length=LIMITS.name_chars)]
ShortList = Annotated[list[Text], Field(max_length=LIMITS.items)]
CountryList = Annotated[list[Country], Field(max_length=LIMITS.items)]
DateOfBirth = Annotated[str, Field(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", max_length=10)]
IdentifierText = Annotated[str, Field(max_length=64)]


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
    kind: Literal["org", "person"] = "org"
    country: Country = ""
    percent: Annotated[float, Field(ge=0, le=100)] | None = None
    # identifying details screening weighs (chipguard.match.evidence checks them in to_customer)
    date_of_birth: DateOfBirth = ""
    nationality: Country = ""
    registration_number: IdentifierText = ""
    lei: IdentifierText = ""
    imo: IdentifierText = ""


class UltimateParentModel(Strict):
    name: Name
    country: Country = ""


class CustomerModel(Strict):
    """Customer identification data (chipguard.model.Customer)."""

    name: Name
    kind: Literal["org", "person"] = "org"
    country: Country = ""
    headquarters: Country = ""
    ultimate_parent: UltimateParentModel | None = None
    owners: Annotated[list[OwnerModel], Field(max_length=LIMITS.owners)] = Field(default_factory=list)
    other_names: Annotated[list[Name], Field(max_length=LIMITS.aliases)] = Field(default_factory=list)
    addresses: Annotated[list[AddressModel], Field(max_length=LIMITS.addresses)] = Field(default_factory=list)
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
    incorporation_date: Annotated[str, Field(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", max_length=10)] = ""
    business_type: Text = ""
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

    def to_customer(self) -> Customer:
        """The shared dataclass; InputError (a 422 naming the field) when a date of birth, LEI, USCC or
        IMO number given for the customer or an owner fails its check."""
        from chipguard.policy.transaction import check_evidence

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
                )
                for o in self.owners
            ],
            other_names=list(self.other_names),
            addresses=[
                Address(a.text, a.city, a.region, a.postal_code, a.country.upper()) for a in self.addresses
            ],
            email_domains=[d.lower() for d in self.email_domains],
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
        check_evidence(customer)
        return customer


def parse_customer(data: Any, *, file: str | None = None) -> Customer:
    """Validates customer data (a decoded JSON object) and builds the Customer; InputError naming the
    file and the first bad field."""
    try:
        return CustomerModel.model_validate(data).to_customer()
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(str(err["msg"]), file=file, field=".".join(str(p) for p in err["loc"])) from exc
