"""Transaction JSON → ``chipguard.model.Transaction``, validated against the bundled JSON Schema.

Input comes from onboarding systems and hand-written files; a mistake must come back as one clear
message naming the field path (``items[0].model``, ``customer.owners[1].percent``) rather than a crash
or, worse, a fact silently missing from the decision. Country codes are normalised here so that every
later stage sees ISO alpha-2 only.

The transaction's shell (date, kind, items, destination, users) is checked by the JSON Schema file; its
``customer`` by the one customer model (``chipguard.policy.customer``) that stored customers go through
too, and the schema ``transaction_schema()`` publishes carries that model's JSON Schema as its
``customer`` definition — one declaration of what a customer is.
"""

from __future__ import annotations

import copy
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
from chipguard.model import AccessPerson, Item, Transaction
from chipguard.policy.customer import CustomerModel, parse_customer


@lru_cache(maxsize=1)
def _shell_schema() -> dict[str, Any]:
    """The bundled schema with the input limits of chipguard/data/limits written into it, so the one
    declaration of each bound is enforced here and shown in the OpenAPI document alike. Its ``customer``
    is any object: the customer model checks it."""
    with (data_dir() / "schemas" / "transaction.schema.json").open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return _bounded(schema)


@lru_cache(maxsize=1)
def transaction_schema() -> dict[str, Any]:
    """The whole transaction JSON Schema as published (OpenAPI, docs): the shell with the customer model's
    own JSON Schema as ``$defs.customer`` (its sub-models beside it)."""
    schema = copy.deepcopy(_shell_schema())
    customer = CustomerModel.model_json_schema(ref_template="#/$defs/{model}")
    defs = schema.setdefault("$defs", {})
    defs.update(customer.pop("$defs", {}))
    defs["customer"] = customer
    return schema


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
    validator = Draft202012Validator(_shell_schema())
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


def parse_transaction(data: Any, *, file: str | None = None) -> Transaction:
    """Validates ``data`` (a decoded JSON object) and builds the Transaction; raises InputError."""
    validate_transaction_dict(data, file=file)
    customer = parse_customer(data["customer"], file=file, prefix="customer")
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
