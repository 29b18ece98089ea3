"""Request and response models of the REST API (they are also its OpenAPI schema).

Why separate models and not the dataclasses of chipguard.model: the API must reject bad input at the
edge with a field-level message (unknown field, wrong country code, negative percentage) and bound every
string and list, so no request can make the server hold or hash megabytes; the models convert to the
shared dataclasses only once valid.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chipguard.model import Address, Customer, Identifier, Owner, UltimateParent

Country = Annotated[
    str, Field(pattern=r"^([A-Za-z]{2})?$", max_length=2, description="ISO 3166-1 alpha-2, or empty")
]
Text = Annotated[str, Field(max_length=512)]
Name = Annotated[str, Field(min_length=1, max_length=512)]
ShortList = Annotated[list[Text], Field(max_length=100)]
CountryList = Annotated[list[Country], Field(max_length=100)]

MAX_BATCH = 100


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


class ScreenRequest(Strict):
    """One name to screen against the active lists."""

    name: Name
    kind: Literal["person", "org", "vessel", "aircraft", "unknown"] | None = None
    country: Country | None = None
    id: Annotated[str, Field(max_length=128)] | None = None


class ScreenBatchRequest(Strict):
    queries: Annotated[list[ScreenRequest], Field(min_length=1, max_length=MAX_BATCH)]


class Open(BaseModel):
    """Responses defined by the engine's JSON contract (ARCHITECTURE.md); extra fields pass through."""

    model_config = ConfigDict(extra="allow")


class ScreenResult(Open):
    id: Any = None
    query: dict[str, Any] = Field(default_factory=dict)
    hits: list[dict[str, Any]] = Field(default_factory=list)
    snapshot: Any = None


class ScreenBatchResult(BaseModel):
    results: list[ScreenResult]


class AddressModel(Strict):
    text: Text = ""
    city: Text = ""
    region: Text = ""
    postal_code: Annotated[str, Field(max_length=32)] = ""
    country: Country = ""


class IdentifierModel(Strict):
    scheme: Annotated[str, Field(min_length=1, max_length=64)]
    value: Annotated[str, Field(min_length=1, max_length=256)]
    country: Country = ""


class OwnerModel(Strict):
    name: Name
    kind: Literal["org", "person"] = "org"
    country: Country = ""
    percent: Annotated[float, Field(ge=0, le=100)] | None = None


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
    owners: Annotated[list[OwnerModel], Field(max_length=100)] = Field(default_factory=list)
    other_names: ShortList = Field(default_factory=list)
    addresses: Annotated[list[AddressModel], Field(max_length=50)] = Field(default_factory=list)
    email_domains: ShortList = Field(default_factory=list)
    emails: ShortList = Field(default_factory=list)
    phones: ShortList = Field(default_factory=list)
    ip_countries: CountryList = Field(default_factory=list)
    ip_addresses: ShortList = Field(default_factory=list)
    payment_country: Country = ""
    payment_method: Text = ""
    identifiers: Annotated[list[IdentifierModel], Field(max_length=50)] = Field(default_factory=list)
    incorporation_date: Annotated[str, Field(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", max_length=10)] = ""
    business_type: Text = ""
    customer_id: Annotated[str, Field(pattern=r"^([A-Za-z0-9][A-Za-z0-9._:-]{0,63})?$", max_length=64)] = ""
    payment_instruments: ShortList = Field(
        default_factory=list, description="payment instrument references (card fingerprint, IBAN, wallet)"
    )

    def to_customer(self) -> Customer:
        up = self.ultimate_parent
        return Customer(
            name=self.name,
            kind=self.kind,
            country=self.country.upper(),
            headquarters=self.headquarters.upper(),
            ultimate_parent=UltimateParent(up.name, up.country.upper()) if up else None,
            owners=[Owner(o.name, o.kind, o.country.upper(), o.percent) for o in self.owners],
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
        )


class CustomerRecordModel(BaseModel):
    customer_id: str
    version: int
    customer: dict[str, Any]
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str


class CustomerVersionModel(BaseModel):
    customer_id: str
    version: int
    customer: dict[str, Any]
    changed_fields: list[str]
    changed_at: str
    changed_by: str
    audit_seq: int | None


class CustomerHistoryModel(BaseModel):
    customer_id: str
    versions: list[CustomerVersionModel]


class CustomerListModel(BaseModel):
    customers: list[CustomerRecordModel]


class CustomerScreeningModel(BaseModel):
    customer_id: str
    version: int
    listed: bool
    listed_roles: list[str]
    screening: dict[str, list[dict[str, Any]]]
    snapshot: list[str]
    audit_seq: int


class ReplayModel(Open):
    decision_id: str
    recorded_outcome: str | None
    replayed_outcome: str
    same: bool
    differences: list[str]
    notes: list[str]


class DecisionModel(Open):
    decision_id: str
    outcome: str
    decided_at: str
    reasons: list[dict[str, Any]] = Field(default_factory=list)
    versions: dict[str, Any] = Field(default_factory=dict)
    # What to verify before relying on the decision: {rule_id, why, check} per unconfirmed point.
    uncertain: list[dict[str, Any]] = Field(default_factory=list)


class DecisionListModel(BaseModel):
    decisions: list[DecisionModel]


class ListsUpdateRequest(Strict):
    """``bundled``: load the offline snapshot shipped with chipguard; otherwise download the official
    files of ``sources`` (default: every source marked default)."""

    bundled: bool = False
    sources: (
        Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=50)] | None
    ) = None


class ListsModel(BaseModel):
    snapshots: list[dict[str, Any]]
    freshness: list[dict[str, Any]]
    stale: list[str]


class ListsUpdateResult(BaseModel):
    loaded: list[dict[str, Any]]
    audit_seq: int


class KeyCreateRequest(Strict):
    role: Literal["screen", "analyst", "admin", "auditor"]  # = permissions.ROLES (a test keeps them equal)
    label: Annotated[str, Field(max_length=128)] = ""


class KeyCreated(BaseModel):
    key_id: str
    role: str
    label: str
    token: str = Field(description="The secret API key. It is shown only in this response.")


class AuditVerifyModel(BaseModel):
    ok: bool
    entries: int
    head_seq: int | None
    problems: list[dict[str, Any]]
    records: list[dict[str, Any]]


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    ready: bool
    reason: str = ""
    lists: list[dict[str, Any]] = Field(default_factory=list)
    stale: list[str] = Field(default_factory=list)


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    details: list[dict[str, Any]] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    error: ErrorBody
