"""Reading a file of customers to import: JSON Lines (one customer object per line, exactly what
``POST /v1/customers`` takes) or CSV (one customer per row, flat columns below), validated as a whole
before anything is written.

Why every row first: an import that stops at row 900 of 1,000 leaves a customer base that is neither the
old one nor the file's; every bad row is collected (the first 20 shown) with the file, the line and the
field — for CSV the column — and nothing is imported. Every row must name its ``customer_id``: it is what
makes importing the same file twice update the same customers instead of creating them again; an id given
twice is an error naming both lines.

CSV columns (all but ``customer_id`` and ``name`` optional; an unknown column is an error):

- the customer's own fields: ``customer_id, name, kind, country, headquarters, date_of_birth, nationality,
  registration_number, lei, imo, website, incorporation_date, business_type, payment_country,
  payment_method``;
- lists, ``;``-separated: ``other_names, email_domains, emails, phones, ip_countries, ip_addresses,
  payment_instruments``;
- one address: ``address, address_city, address_region, address_postal_code, address_country``;
- the ultimate parent: ``ultimate_parent_name, ultimate_parent_country``;
- owners, numbered from 1: ``owner1_name, owner1_kind, owner1_country, owner1_percent,
  owner1_date_of_birth, owner1_nationality, owner1_registration_number, owner1_lei, owner1_imo,
  owner1_address, owner1_website``, then
  ``owner2_…`` and so on.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chipguard.errors import InputError, bad_rows
from chipguard.limits import LIMITS
from chipguard.model import Customer
from chipguard.service.inputs import OwnerModel, error_path, parse_customer
from chipguard.service.query_files import csv_rows, jsonl_objects

FORMATS = ("csv", "jsonl")
MAX_ERRORS_SHOWN = 20
SCALARS = (
    "customer_id",
    "name",
    "kind",
    "country",
    "headquarters",
    "date_of_birth",
    "nationality",
    "registration_number",
    "lei",
    "imo",
    "website",
    "incorporation_date",
    "business_type",
    "payment_country",
    "payment_method",
)
LISTS = (
    "other_names",
    "email_domains",
    "emails",
    "phones",
    "ip_countries",
    "ip_addresses",
    "payment_instruments",
)
ADDRESS = {
    "address": "text",
    "address_city": "city",
    "address_region": "region",
    "address_postal_code": "postal_code",
    "address_country": "country",
}
PARENT = {"ultimate_parent_name": "name", "ultimate_parent_country": "country"}
OWNER_FIELDS = tuple(OwnerModel.model_fields)
OWNER_COLUMN = re.compile(r"^owner([1-9][0-9]{0,3})_(" + "|".join(OWNER_FIELDS) + r")$")


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """One validated customer of the file: where it stands and the customer as the store keeps it."""

    line: int
    customer: Customer

    @property
    def customer_id(self) -> str:
        return self.customer.customer_id

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "customer": self.customer.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CustomerRow:
        return cls(int(data["line"]), Customer.from_dict(data["customer"]))


def detect_format(path: Path, given: str | None = None) -> str:
    """csv or jsonl: given, else from the suffix."""
    if given:
        fmt = given.strip().lower()
        fmt = "jsonl" if fmt in ("json", "ndjson") else fmt
        if fmt not in FORMATS:
            raise InputError(f"unknown format '{given}' (use csv or jsonl)", field="format")
        return fmt
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise InputError(
        f"cannot tell the format from the suffix '{suffix}' (use .csv or .jsonl, or give the format)",
        file=str(path),
    )


def _column_check(header: list[str], file: str) -> None:
    unknown = [
        c
        for c in header
        if c not in SCALARS
        and c not in LISTS
        and c not in ADDRESS
        and c not in PARENT
        and not OWNER_COLUMN.match(c)
    ]
    if unknown:
        raise InputError(
            f"unknown column(s) {', '.join(unknown)} (see the customer file columns in docs/ANALYST_GUIDE.md)",
            file=file,
            line=1,
            field=unknown[0],
        )
    for required in ("customer_id", "name"):
        if required not in header:
            raise InputError(f"missing column '{required}'", file=file, line=1, field=required)
    for column in header:
        found = OWNER_COLUMN.match(column)
        if found and int(found.group(1)) > LIMITS.owners:
            raise InputError(f"at most {LIMITS.owners} owners per customer", file=file, line=1, field=column)


def _from_csv_row(row: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The customer object a CSV row describes, and for each of its paths the column it came from (so a
    validation error names the column the user typed)."""
    data: dict[str, Any] = {}
    columns: dict[str, str] = {}
    owners: dict[int, dict[str, Any]] = {}
    address: dict[str, str] = {}
    parent: dict[str, str] = {}
    for column, raw in row.items():
        value = (raw or "").strip()
        if not value:
            continue
        if column in SCALARS:
            data[column] = value
            columns[column] = column
        elif column in LISTS:
            data[column] = [part.strip() for part in value.split(";") if part.strip()]
            columns[column] = column
        elif column in ADDRESS:
            address[ADDRESS[column]] = value
            columns[error_path(("addresses", 0, ADDRESS[column]))] = column
        elif column in PARENT:
            parent[PARENT[column]] = value
            columns[error_path(("ultimate_parent", PARENT[column]))] = column
        else:
            found = OWNER_COLUMN.match(column)
            assert found is not None  # the header was checked
            number, name = int(found.group(1)), found.group(2)
            # "40" and "40 %" are read as numbers by the model; anything else is its error, on this row
            item: Any = value.rstrip("%").strip() if name == "percent" else value
            owners.setdefault(number, {})[name] = item
    for index, number in enumerate(sorted(owners)):
        for name in owners[number]:
            columns[error_path(("owners", index, name))] = f"owner{number}_{name}"
        columns[error_path(("owners", index))] = f"owner{number}_name"
    if owners:
        data["owners"] = [owners[n] for n in sorted(owners)]
    if address:
        data["addresses"] = [address]
    if parent:
        data["ultimate_parent"] = parent
    return data, columns


def _records(path: Path, fmt: str) -> Iterator[tuple[int, dict[str, Any], dict[str, str]]]:
    if fmt == "jsonl":
        for number, value in jsonl_objects(path, " (a customer)"):
            yield number, value, {}
        return
    for line, row in csv_rows(path, _column_check, "customer_id,name"):
        data, columns = _from_csv_row(row)
        yield line, data, columns


def _column(field: str | None, columns: dict[str, str]) -> str | None:
    """The CSV column a field path came from (``owners[0].percent`` → ``owner1_percent``; a problem with
    an owner as a whole → its name column); the path itself for JSON Lines, where it is what was typed."""
    if not field:
        return field
    return columns.get(field) or columns.get(field.rsplit(".", 1)[0]) or field


def _validate(data: dict[str, Any], columns: dict[str, str], *, file: str, line: int) -> Customer:
    """The row's customer, validated as ``POST /v1/customers`` validates one (``parse_customer``: the
    same messages and field paths), the error placed on the row's line and, for CSV, its column."""
    if not str(data.get("customer_id") or "").strip():
        raise InputError(
            "required for an import: it says which customer the row creates or updates",
            file=file,
            line=line,
            field="customer_id",
        )
    try:
        return parse_customer(data, file=file)
    except InputError as exc:  # a bad field, or an identifier that fails its check (date of birth, LEI …)
        raise InputError(exc.detail, file=file, line=line, field=_column(exc.field, columns)) from exc


def read_customers(path: Path, fmt: str | None = None) -> list[CustomerRow]:
    """Reads and validates the whole file; InputError listing every bad row (up to 20) if any is bad,
    at most ``job_customers`` (``chipguard/data/limits``) customers."""
    path = path.expanduser()
    file = str(path)
    if not path.is_file():
        raise InputError("file not found" if not path.exists() else "is not a file", file=file)
    kind = detect_format(path, fmt)
    rows: list[CustomerRow] = []
    errors: list[InputError] = []
    seen: dict[str, int] = {}
    try:
        for line, data, columns in _records(path, kind):
            if len(rows) + len(errors) >= LIMITS.job_customers:
                raise InputError(
                    f"more than {LIMITS.job_customers:,} customers: split the file", file=file, line=line
                )
            try:
                customer = _validate(data, columns, file=file, line=line)
                if customer.customer_id in seen:
                    raise InputError(
                        f"customer_id '{customer.customer_id}' is also on line {seen[customer.customer_id]}",
                        file=file,
                        line=line,
                        field="customer_id",
                    )
                seen[customer.customer_id] = line
                rows.append(CustomerRow(line, customer))
            except InputError as exc:
                errors.append(exc)
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", file=file) from exc
    except csv.Error as exc:
        raise InputError(f"unreadable CSV: {exc}", file=file) from exc
    if errors:
        raise bad_rows(errors, MAX_ERRORS_SHOWN, outcome="nothing imported")
    if not rows:
        raise InputError("no customers in the file", file=file)
    return rows
