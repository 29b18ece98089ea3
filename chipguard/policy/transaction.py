"""Transaction JSON → ``chipguard.model.Transaction``, validated against the bundled JSON Schema.

Input comes from onboarding systems and hand-written files; a mistake must come back as one clear
message naming the field path (``items[0].model``, ``customer.owners[1].percent``) rather than a crash
or, worse, a fact silently missing from the decision. Country codes are normalised here so that every
later stage sees ISO alpha-2 only.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from chipguard.config import data_dir
from chipguard.errors import InputError
from chipguard.geo.countries import normalise_country
from chipguard.limits import LIMITS, load_json
from chipguard.model import (
    AccessPerson,
    Address,
    Customer,
    Identifier,
    Item,
    Owner,
    Transaction,
    UltimateParent,
)


@lru_cache(maxsize=1)
def transaction_schema() -> dict[str, Any]:
    """The bundled schema with the input limits of chipguard/data/limits written into it, so the one
    declaration of each bound is enforced here and shown in the OpenAPI document alike."""
    with (data_dir() / "schemas" / "transaction.schema.json").open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return _bounded(schema)


# array property → the limit on its number of entries (others: ``items``)
_ARRAY_LIMITS = {
    "owners": "owners",
    "other_names": "aliases",
    "addresses": "addresses",
    "identifiers": "identifiers",
}
# string property → the limit on its length (others: ``text_chars``)
_STRING_LIMITS = {"name": "name_chars", "other_names": "name_chars", "value": "identifier_chars"}


def _bounded(node: Any, prop: str = "") -> Any:
    """Adds maxLength to every string and maxItems to every array that does not state its own."""
    if isinstance(node, list):
        return [_bounded(v, prop) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _bounded(sub, name) for name, sub in value.items()}
        elif key in ("items", "oneOf", "anyOf", "$defs"):
            out[key] = (
                {name: _bounded(sub, name) for name, sub in value.items()}
                if key == "$defs"
                else _bounded(value, prop)
            )
        else:
            out[key] = value
    declared = out.get("type")
    types: list[Any] = declared if isinstance(declared, list) else [declared]
    if "string" in types and "enum" not in out:
        out.setdefault("maxLength", getattr(LIMITS, _STRING_LIMITS.get(prop, "text_chars")))
    if "array" in types:
        out.setdefault("maxItems", getattr(LIMITS, _ARRAY_LIMITS.get(prop, "items")))
    return out


def _path(parts: Any) -> str:
    """jsonschema's deque path → ``customer.owners[1].percent``."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _best_error(error: ValidationError) -> ValidationError:
    """The deepest, most specific error (oneOf/anyOf alternatives otherwise hide the real field)."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def _message(error: ValidationError) -> tuple[str, str]:
    field = _path(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        field = f"{field}.{missing}" if field else missing
        return field, "is required"
    if error.validator == "additionalProperties":
        return field or "(top level)", f"unknown field: {error.message}"
    # the value itself may be megabytes: say what is too long, not the value
    if error.validator == "maxLength":
        return field or "(top level)", f"longer than {error.validator_value} characters"
    if error.validator == "maxItems":
        return field or "(top level)", f"more than {error.validator_value} entries"
    return field or "(top level)", error.message


def validate_transaction_dict(data: Any, *, file: str | None = None) -> None:
    validator = Draft202012Validator(transaction_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.absolute_path)))
    if errors:
        field, message = _message(_best_error(errors[0]))
        extra = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise InputError(message + extra, file=file, field=field)


def _country(value: Any, field: str, file: str | None) -> str:
    return normalise_country(value, field=field, file=file) if value else ""


def _date(value: str, field: str, file: str | None) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise InputError(f"not an ISO date (YYYY-MM-DD): {value!r}", file=file, field=field) from exc


def check_evidence(customer: Customer, *, file: str | None = None) -> None:
    """The identifying details of the customer and its owners must be valid (a date of birth that is a
    date, LEI and USCC check digits): screening weighs them, so a typo must not pass as evidence."""
    from chipguard.geo.countries import country
    from chipguard.match.evidence import evidence_of

    try:
        evidence_of(customer, customer.country or None, where="customer")
        if customer.nationality:
            country(customer.nationality, field="customer.nationality")
        for i, owner in enumerate(customer.owners):
            evidence_of(owner, owner.country or None, where=f"customer.owners[{i}]")
            if owner.nationality:
                country(owner.nationality, field=f"customer.owners[{i}].nationality")
    except InputError as exc:
        raise InputError(exc.detail, file=file, field=exc.field) from exc


def parse_transaction(data: Any, *, file: str | None = None) -> Transaction:
    """Validates ``data`` (a decoded JSON object) and builds the Transaction; raises InputError."""
    validate_transaction_dict(data, file=file)
    c = data["customer"]
    parent = c.get("ultimate_parent")
    addresses = []
    for i, a in enumerate(c.get("addresses") or []):
        if isinstance(a, str):
            addresses.append(Address(text=a))
        else:
            addresses.append(
                Address(
                    text=a.get("text", ""),
                    city=a.get("city", ""),
                    region=a.get("region", ""),
                    postal_code=a.get("postal_code", ""),
                    country=_country(a.get("country"), f"customer.addresses[{i}].country", file),
                )
            )
    customer = Customer(
        name=c["name"].strip(),
        kind=c.get("kind", "org"),
        country=_country(c.get("country"), "customer.country", file),
        headquarters=_country(c.get("headquarters"), "customer.headquarters", file),
        ultimate_parent=UltimateParent(
            name=parent["name"].strip(),
            country=_country(parent.get("country"), "customer.ultimate_parent.country", file),
        )
        if parent
        else None,
        owners=[
            Owner(
                name=o["name"].strip(),
                kind=o.get("kind", "org"),
                country=_country(o.get("country"), f"customer.owners[{i}].country", file),
                percent=o.get("percent"),
                date_of_birth=o.get("date_of_birth", ""),
                nationality=_country(o.get("nationality"), f"customer.owners[{i}].nationality", file),
                registration_number=o.get("registration_number", ""),
                lei=o.get("lei", ""),
                imo=o.get("imo", ""),
            )
            for i, o in enumerate(c.get("owners") or [])
        ],
        other_names=list(c.get("other_names") or []),
        addresses=addresses,
        email_domains=[d.strip().lower().lstrip("@") for d in c.get("email_domains") or []],
        emails=list(c.get("emails") or []),
        phones=list(c.get("phones") or []),
        ip_countries=[
            _country(v, f"customer.ip_countries[{i}]", file)
            for i, v in enumerate(c.get("ip_countries") or [])
        ],
        ip_addresses=list(c.get("ip_addresses") or []),
        payment_country=_country(c.get("payment_country"), "customer.payment_country", file),
        payment_method=c.get("payment_method", ""),
        identifiers=[
            Identifier(
                scheme=x["scheme"],
                value=x["value"],
                country=_country(x.get("country"), f"customer.identifiers[{i}].country", file),
            )
            for i, x in enumerate(c.get("identifiers") or [])
        ],
        incorporation_date=_date(c["incorporation_date"], "customer.incorporation_date", file)
        if c.get("incorporation_date")
        else "",
        business_type=c.get("business_type", ""),
        customer_id=c.get("customer_id", ""),
        date_of_birth=c.get("date_of_birth", ""),
        nationality=_country(c.get("nationality"), "customer.nationality", file),
        registration_number=c.get("registration_number", ""),
        lei=c.get("lei", ""),
        imo=c.get("imo", ""),
        website=c.get("website", ""),
    )
    check_evidence(customer, file=file)
    return Transaction(
        date=_date(data["date"], "date", file),
        kind=data["kind"],
        customer=customer,
        items=[Item(model=it["model"].strip(), quantity=int(it.get("quantity", 1))) for it in data["items"]],
        destination=_country(data["destination"], "destination", file),
        end_use=(data.get("end_use") or "").strip(),
        ship_from=_country(data.get("ship_from"), "ship_from", file),
        users=[
            AccessPerson(
                name=str(u.get("name", "")).strip(),
                nationality=_country(u.get("nationality"), f"users[{i}].nationality", file),
            )
            for i, u in enumerate(data.get("users") or [])
        ],
    )


MAX_TRANSACTION_BYTES = 1024 * 1024  # a transaction is a few KB; anything near this is a mistake


def load_transaction(path: str | Path) -> Transaction:
    """Reads a transaction JSON file (``-`` = standard input); problems name the file and the field."""
    return parse_transaction(load_transaction_body(path))


def load_transaction_body(path: str | Path) -> dict[str, Any]:
    """The transaction document of a JSON file (``-`` = standard input), validated — problems name the
    file and the field — but not parsed: the service layer takes it as a request body."""
    if str(path) == "-":
        import sys

        return _body_of_text(sys.stdin.read(MAX_TRANSACTION_BYTES + 1), "<stdin>")
    path = Path(path)
    try:
        if path.stat().st_size > MAX_TRANSACTION_BYTES:
            raise InputError(f"file is larger than {MAX_TRANSACTION_BYTES} bytes", file=str(path))
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError("file not found", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", file=str(path)) from exc
    return _body_of_text(text, str(path))


def _body_of_text(text: str, name: str) -> dict[str, Any]:
    if len(text) > MAX_TRANSACTION_BYTES:
        raise InputError(f"input is larger than {MAX_TRANSACTION_BYTES} bytes", file=name)
    data = load_json(text, file=name)
    if isinstance(data, dict) and "transaction" in data and "date" not in data:
        # A worked example (tests/scenarios/*.json: title, transaction, expect): decide its transaction.
        data = data["transaction"]
    parse_transaction(data, file=name)  # errors name the file and the field
    return cast(dict[str, Any], data)
