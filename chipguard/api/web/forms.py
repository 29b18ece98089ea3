"""HTML form fields → the JSON bodies the REST API takes (a customer, a transaction).

Why: the UI must validate and decide exactly as the API does, so it builds the same JSON a REST client
would send and hands it to the same validators (``CustomerModel``, ``parse_transaction`` inside
``Services.decide``). Nothing here judges a value; it only splits lines and drops empty fields, so an
error message names the same field the API would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

from chipguard.errors import InputError
from chipguard.model import EVIDENCE_FIELDS

MAX_FIELDS = 200


def parse_urlencoded(body: bytes, content_type: str) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as {name: last value}; InputError otherwise."""
    if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise InputError("the form must be sent as application/x-www-form-urlencoded")
    try:
        text = body.decode("utf-8")
        parsed = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"the form could not be read: {exc}") from exc
    out: dict[str, str] = {}
    for key, values in parsed.items():
        value = values[-1]
        if "\x00" in value:
            raise InputError("text contains a NUL character", field=key)
        out[key] = value
    return out


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def prune(value: Any) -> Any:
    """Drops empty strings, empty lists/objects and None from nested JSON (an empty form field means
    "not given", which the schemas express by leaving the key out)."""
    if isinstance(value, dict):
        out = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ("", None, [], {})}
    if isinstance(value, list):
        return [v for v in (prune(v) for v in value) if v not in ("", None, [], {})]
    return value


_NUMBER = re.compile(r"^\d+(\.\d+)?$")


# an owner's identifying details screening weighs, written ``field=value`` after the kind on its line
OWNER_IDENTIFIERS = EVIDENCE_FIELDS


def owners(text: str) -> list[dict[str, Any]]:
    """One owner per line: ``NAME; COUNTRY; PERCENT; KIND`` (only the name is required), then any of its
    identifying details as ``FIELD=VALUE`` parts (``date_of_birth=1961-05-02; nationality=CN``)."""
    out: list[dict[str, Any]] = []
    for n, line in enumerate(lines(text), 1):
        parts = [p.strip() for p in line.split(";")]
        owner: dict[str, Any] = {"name": parts[0]}
        if len(parts) > 1:
            owner["country"] = parts[1]
        if len(parts) > 2 and parts[2]:
            pct = parts[2].rstrip("%").strip()
            if not _NUMBER.match(pct):
                raise InputError(f"owner line {n}: percent {parts[2]!r} is not a number", field="owners")
            owner["percent"] = float(pct)
        if len(parts) > 3 and parts[3]:
            # an empty kind is no kind (a person or an organisation: the owner's kind is unknown), as
            # the form writes an owner without one back for editing ("Y; ; ; ; lei=…")
            owner["kind"] = parts[3].lower()
        for part in parts[4:]:
            key, sep, value = part.partition("=")
            if not part:
                continue
            if not sep or key.strip() not in OWNER_IDENTIFIERS:
                raise InputError(
                    f"owner line {n}: {part!r} is not FIELD=VALUE with a field of {', '.join(OWNER_IDENTIFIERS)}",
                    field="owners",
                )
            owner[key.strip()] = value.strip()
        out.append(owner)
    return out


def items(text: str) -> list[dict[str, Any]]:
    """One item per line: ``MODEL`` or ``MODEL, QUANTITY`` (a trailing whole number is the quantity)."""
    out: list[dict[str, Any]] = []
    for line in lines(text):
        match = re.match(r"^(.*?)\s*[,;]\s*(\d+)\s*$", line)
        if match:
            out.append({"model": match.group(1).strip(), "quantity": int(match.group(2))})
        else:
            out.append({"model": line})
    return out


# the identifying details screening weighs (model.EVIDENCE_FIELDS) that the customer form shows as one
# field each (the addresses have their own lines)
CUSTOMER_IDENTIFIERS = ("date_of_birth", "nationality", "registration_number", "lei", "imo", "website")


def customer_body(form: dict[str, str]) -> dict[str, Any]:
    """The customer form as a REST ``CustomerModel`` body."""
    parent = form.get("parent_name", "").strip()
    body: dict[str, Any] = {
        "customer_id": form.get("customer_id", "").strip(),
        "name": form.get("name", "").strip(),
        "kind": form.get("kind", "unknown").strip() or "unknown",
        "country": form.get("country", "").strip(),
        "headquarters": form.get("headquarters", "").strip(),
        "other_names": lines(form.get("other_names", "")),
        "owners": owners(form.get("owners", "")),
        "ultimate_parent": {"name": parent, "country": form.get("parent_country", "").strip()}
        if parent
        else None,
        "addresses": [{"text": a} for a in lines(form.get("addresses", ""))],
        "email_domains": lines(form.get("email_domains", "")),
        "ip_countries": [c.strip() for c in re.split(r"[,\s]+", form.get("ip_countries", "")) if c.strip()],
        "payment_country": form.get("payment_country", "").strip(),
        "business_type": form.get("business_type", "").strip(),
    }
    body.update({k: form.get(k, "").strip() for k in CUSTOMER_IDENTIFIERS})
    pruned: dict[str, Any] = prune(body)
    pruned.setdefault("name", "")  # keep the required field so the validator names it
    return pruned


def transaction_customer(stored: dict[str, Any], customer_id: str, allowed: set[str]) -> dict[str, Any]:
    """A stored customer record as the ``customer`` of a transaction: every field the transaction schema
    knows (``allowed``), so a decision sees the addresses, IP countries, payment and identifiers on record,
    not only the name."""
    data: dict[str, Any] = prune({k: v for k, v in stored.items() if k in allowed})
    data["customer_id"] = customer_id
    return data


def transaction_body(form: dict[str, str], customer: dict[str, Any]) -> dict[str, Any]:
    """The decision form as a REST transaction body around ``customer``."""
    body: dict[str, Any] = prune(
        {
            "date": form.get("date", "").strip(),
            "kind": form.get("kind", "").strip(),
            "destination": form.get("destination", "").strip(),
            "end_use": form.get("end_use", "").strip(),
            "transaction_id": form.get("transaction_id", "").strip(),
            "items": items(form.get("items", "")),
        }
    )
    body["customer"] = customer
    return body


def adhoc_customer(form: dict[str, str]) -> dict[str, Any]:
    """The decision form's own customer fields (a customer not stored, or stored under another id)."""
    parent = form.get("c_parent_name", "").strip()
    body: dict[str, Any] = prune(
        {
            "name": form.get("c_name", "").strip(),
            "kind": form.get("c_kind", "").strip(),
            "country": form.get("c_country", "").strip(),
            "headquarters": form.get("c_headquarters", "").strip(),
            "owners": owners(form.get("c_owners", "")),
            "ultimate_parent": {"name": parent, "country": form.get("c_parent_country", "").strip()}
            if parent
            else None,
        }
    )
    return body


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One file field of a multipart form: the name the browser gave, its media type and its bytes."""

    file_name: str
    media_type: str
    content: bytes


def parse_multipart(
    body: bytes, content_type: str, max_parts: int = 20
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """A ``multipart/form-data`` body (a file upload) as ({field: text}, {field: file}); InputError when
    it is not one or cannot be read. Why the standard library's MIME parser: the UI takes one evidence
    file or one customer file at a time, under the body size limit, and needs no other dependency."""
    if content_type.split(";")[0].strip().lower() != "multipart/form-data":
        raise InputError("the form must be sent as multipart/form-data")
    try:
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    except UnicodeEncodeError as exc:
        raise InputError("the form's content type is not valid") from exc
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise InputError("the form could not be read (no parts)")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for n, part in enumerate(message.iter_parts()):
        if n >= max_parts:
            raise InputError(f"the form has more than {max_parts} fields")
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            raise InputError(f"form part {n + 1} has no field name")
        raw = part.get_payload(decode=True)
        content = raw if isinstance(raw, bytes) else b""
        file_name = part.get_filename()
        if file_name is not None:
            # browsers send the name as raw UTF-8, which the MIME parser keeps as escaped bytes
            file_name = file_name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            files[name] = UploadedFile(
                file_name.replace("\\", "/").rsplit("/", 1)[-1],
                part.get_content_type() or "application/octet-stream",
                content,
            )
            continue
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("the text is not UTF-8", field=name) from exc
        if "\x00" in text:
            raise InputError("text contains a NUL character", field=name)
        fields[name] = text
    return fields, files


def _owner_line(owner: dict[str, Any]) -> str:
    percent = owner.get("percent")
    parts = [
        str(owner.get("name", "")),
        str(owner.get("country", "") or ""),
        f"{percent:g}" if isinstance(percent, int | float) else "",
        str(owner.get("kind", "") or ""),
    ]
    details = [f"{k}={owner[k]}" for k in OWNER_IDENTIFIERS if owner.get(k)]
    while len(parts) > 1 and not parts[-1] and not details:
        parts.pop()
    return "; ".join(parts + details)


def customer_form(data: dict[str, Any]) -> dict[str, str]:
    """A stored customer as the customer form's fields (the inverse of ``customer_body``), to edit it."""
    parent = data.get("ultimate_parent") or {}
    return {
        "customer_id": str(data.get("customer_id", "")),
        "name": str(data.get("name", "")),
        "kind": str(data.get("kind", "unknown") or "unknown"),
        "country": str(data.get("country", "") or ""),
        "headquarters": str(data.get("headquarters", "") or ""),
        "business_type": str(data.get("business_type", "") or ""),
        "payment_country": str(data.get("payment_country", "") or ""),
        "other_names": "\n".join(str(n) for n in data.get("other_names") or []),
        "owners": "\n".join(_owner_line(o) for o in data.get("owners") or []),
        "parent_name": str(parent.get("name", "") or ""),
        "parent_country": str(parent.get("country", "") or ""),
        "addresses": "\n".join(str(a.get("text", "")) for a in data.get("addresses") or []),
        "email_domains": "\n".join(str(d) for d in data.get("email_domains") or []),
        "ip_countries": ", ".join(str(c) for c in data.get("ip_countries") or []),
    } | {k: str(data.get(k, "") or "") for k in CUSTOMER_IDENTIFIERS}


def customer_update(stored: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    """The edited customer form over the stored record, as a REST ``CustomerModel`` body: the fields the
    form shows are replaced by what it sends; what it does not show (the detail of an address or an
    owner, the customer's other identifiers) is kept — an address, owner or parent whose line is unchanged keeps its stored
    detail, so editing one owner's name does not drop another's."""
    edited = customer_body(form)
    before = customer_form(stored)
    shown = set(before) | {"ultimate_parent"}
    body = {k: v for k, v in stored.items() if k not in shown}
    body.update({k: v for k, v in edited.items() if k in shown and k != "customer_id"})
    if form.get("owners", "").strip() == before["owners"].strip() and stored.get("owners"):
        body["owners"] = stored["owners"]
    if form.get("addresses", "").strip() == before["addresses"].strip() and stored.get("addresses"):
        body["addresses"] = stored["addresses"]
    same_parent = (form.get("parent_name", "").strip(), form.get("parent_country", "").strip()) == (
        before["parent_name"],
        before["parent_country"],
    )
    if same_parent and stored.get("ultimate_parent"):
        body["ultimate_parent"] = stored["ultimate_parent"]
    body["customer_id"] = stored.get("customer_id") or form.get("customer_id", "")
    pruned: dict[str, Any] = prune(body)
    pruned.setdefault("name", "")
    return pruned
