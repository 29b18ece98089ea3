"""Request and response models of the REST API (they are also its OpenAPI schema).

Why separate models and not the dataclasses of chipguard.model: the API must reject bad input at the
edge with a field-level message (unknown field, wrong country code, negative percentage) and bound every
string and list, so no request can make the server hold or hash megabytes; the models convert to the
shared dataclasses only once valid.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chipguard.errors import InputError
from chipguard.limits import LIMITS
from chipguard.model import EVIDENCE_FIELDS
from chipguard.service.inputs import Alpha2, DateOfBirth, Name, Strict, Text
from chipguard.service.services import check_limit

MAX_BATCH = LIMITS.batch_queries  # chipguard/data/limits
Identifier64 = Annotated[str, Field(min_length=1, max_length=64)]


class ScreenRequest(Strict):
    """One name to screen against the active lists."""

    name: Name
    kind: Literal["person", "org", "vessel", "aircraft", "unknown"] | None = None
    country: Alpha2 | None = None
    id: Annotated[str, Field(max_length=128)] | None = None
    # the most hits returned; the result's ``omitted`` counts the records past it (never dropped silently);
    # at most the rule set's screening_hit_limit (service.services.max_hits_per_name: 200), checked below
    limit: Annotated[
        int,
        Field(
            ge=1,
            description="The most hits returned (1 to the rule set's screening_hit_limit, 200 in the bundled "
            "rules; a larger one is a 422 naming the field); `omitted` counts the records past it.",
        ),
    ] = 10
    # evidence beyond the name (chipguard.match.evidence): checked there, errors name the field
    date_of_birth: DateOfBirth | None = None
    nationality: Alpha2 | None = None
    registration_number: Identifier64 | None = None
    lei: Identifier64 | None = None
    imo: Identifier64 | None = None
    address: Text | None = None
    website: Text | None = None

    @field_validator("country", "nationality")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        from chipguard.geo.countries import lookup_country

        if value and lookup_country(value) is None:
            raise ValueError(f"unknown country '{value}' (ISO 3166-1 alpha-2 such as 'CN', 'SG', 'US')")
        return value

    @field_validator("limit")
    @classmethod
    def _within_the_bound(cls, value: int) -> int:
        try:
            check_limit(value)  # the one bound of every face
        except InputError as exc:  # a validation error: a 422 naming the field, like any other
            raise ValueError(exc.detail) from exc
        return value

    def evidence_fields(self) -> dict[str, str | None]:
        return {k: getattr(self, k) for k in EVIDENCE_FIELDS}


class ScreenBatchRequest(Strict):
    queries: Annotated[list[ScreenRequest], Field(min_length=1, max_length=MAX_BATCH)]


class Open(BaseModel):
    """Responses defined by the engine's JSON contract (ARCHITECTURE.md); extra fields pass through."""

    model_config = ConfigDict(extra="allow")


class ClassifyRequest(Strict):
    """What ``chipguard hardware classify`` takes: a catalogued model, alias or cloud instance type, or the
    spec of a chip not in the catalogue (the fields of ``--spec FILE.json``), and the date whose rules apply
    (default today)."""

    model: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    spec: dict[str, Any] | None = Field(
        default=None, description="A chip spec as for `chipguard hardware classify --spec` (JSON object)."
    )
    date: dt.date | None = None


class ClassificationModel(Open):
    """The classification as ``chipguard hardware classify --json`` prints it."""

    model: str
    name: str
    kind: str
    date: str
    eccn: str
    rule_set: str


class ScreenResult(Open):
    id: Any = None
    query: dict[str, Any] = Field(default_factory=dict)
    hits: list[dict[str, Any]] = Field(default_factory=list)
    snapshot: Any = None


class ScreenBatchResult(BaseModel):
    results: list[ScreenResult]


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
    # any hit at all, weak ones included: what a decision acts on is each subject's strength below
    # ("listed" is the decisions' word for a party with a confirmed hit, so these fields say "hit")
    has_hit: bool
    hit_roles: list[str]  # SubjectRole values with a hit (customer, other_name, owner, ultimate_parent)
    hit_subjects: list[str]  # ScreeningSubject labels with a hit (owner:NAME …)
    # the labels whose strongest hit is confirmed: the parties a decision treats as listed
    confirmed_subjects: list[str] = Field(default_factory=list)
    # subject label → its strongest hit: confirmed (a decision treats it as listed), potential (REVIEW:
    # resolve the alert) or weak (recorded, not alerted)
    strengths: dict[str, str] = Field(default_factory=dict)
    screening: dict[str, list[dict[str, Any]]]
    # label → hits above the threshold past ``limit`` hits per name, not in ``screening`` (only labels
    # that had more): a cut is never silent
    omitted: dict[str, int] = Field(default_factory=dict)
    limit: int
    snapshot: list[str]
    # per list: snapshot, the date its age counts from, age, limit and stale flag (as every screen says)
    lists: list[dict[str, Any]] = Field(default_factory=list)
    lists_stale: bool = True  # a result that cannot say its lists are fresh is treated as stale
    audit_seq: int
    alerts: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)  # raised, existing, cleared, weak


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
    force_reason: Annotated[
        str,
        Field(
            max_length=LIMITS.text_chars,
            description="load even below min_record_share of the active snapshot; the reason is audited",
        ),
    ] = ""
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
    evidence: list[dict[str, Any]] = Field(default_factory=list)


class Health(BaseModel):
    status: str
    scorer: str = Field(
        description="`compiled`: the scorer and name analyser run as their mypyc build; `pure`: as Python "
        "(not built, built from other sources, or CHIPGUARD_PURE_PYTHON on)"
    )


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
