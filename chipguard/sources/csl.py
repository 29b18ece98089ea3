"""trade.gov Consolidated Screening List (CSL): the CSV (with or without the ``_id`` column) and the JSON
export. Thirteen US lists in one file; ``source`` per row names the list (Entity List, SDN, …)."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

from chipguard.errors import InputError
from chipguard.limits import load_json
from chipguard.model import Address, Alias, Identifier, Party, PartyKind
from chipguard.sources.base import Format, ParsedList, SourceError, check_size, register
from chipguard.sources.common import detect_script, open_text

OFFICIAL_CSV_URL = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"
OFFICIAL_JSON_URL = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json"

# Columns both header variants share; the newer one adds a leading ``_id``.
REQUIRED_COLUMNS = ("source", "name", "alt_names", "addresses")

_TYPE_TO_KIND = {
    "individual": PartyKind.PERSON,
    "entity": PartyKind.ORG,
    "vessel": PartyKind.VESSEL,
    "aircraft": PartyKind.AIRCRAFT,
}


def split_list(value: str) -> list[str]:
    """CSL packs several values in one cell with ``;`` (alias lists also use "; and ")."""
    out = []
    for part in (value or "").split(";"):
        part = part.strip()
        if part.lower().startswith("and "):
            part = part[4:].strip()
        if part:
            out.append(part)
    return out


def parse_address(text: str) -> Address:
    """CSL addresses are "street, city, region, postcode, CC": the trailing two-letter code is the country."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    country = parts[-1] if parts and len(parts[-1]) == 2 and parts[-1].isalpha() else ""
    rest = parts[:-1] if country else parts
    postal = rest[-1] if rest and any(ch.isdigit() for ch in rest[-1]) and len(rest[-1]) <= 10 else ""
    if postal:
        rest = rest[:-1]
    city = rest[-1] if len(rest) >= 2 else ""
    return Address(text=text.strip(), city=city, postal_code=postal, country=country.upper())


def _json_address(data: dict[str, Any]) -> Address:
    def get(key: str) -> str:
        return str(data.get(key) or "").strip()

    country = get("country").upper()
    parts = [get(k) for k in ("address", "city", "state", "postal_code")] + [country]
    return Address(
        text=", ".join(p for p in parts if p),
        city=get("city"),
        region=get("state"),
        postal_code=get("postal_code"),
        country=country if len(country) == 2 else "",
    )


def _looks_like_number(text: str) -> bool:
    """An identifier's value rather than its type: it has a digit, or is one word with a dot or an @ (a
    web or e-mail address); types are words ("Passport", "Tax ID No.", "Website")."""
    if any(ch.isdigit() for ch in text) or (" " not in text and ("." in text.rstrip(".") or "@" in text)):
        return True
    return len(text) >= 6 and text.isalnum() and text.isupper()  # a SWIFT/BIC code


def parse_identifier(text: str) -> Identifier:
    """CSL CSV ``ids`` cells come in two orders. Older files (to 2022): "country, number, type" ("RU,
    7736640919, Tax ID No."), or "number, type" for facts without a country. Newer files (trade.gov's
    2025 export): "type, number, country" ("Passport, 836238033, KP"), or "type, number" ("Website,
    mspbank.ru"). A cell says its order: a two-letter country first or last, else the part that looks
    like a number (``_looks_like_number``) is the value; when neither or both do, the older order."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1:
        return Identifier(scheme="", value=parts[0])

    def is_country(part: str) -> bool:
        return len(part) == 2 and part.isalpha() and part.isupper()

    if len(parts) >= 3 and is_country(parts[0]) and not is_country(parts[-1]):
        return Identifier(scheme=parts[-1], value=", ".join(parts[1:-1]), country=parts[0])
    if len(parts) >= 3 and is_country(parts[-1]) and not is_country(parts[0]):
        return Identifier(scheme=parts[0], value=", ".join(parts[1:-1]), country=parts[-1])
    if len(parts) == 2 and not _looks_like_number(parts[0]) and _looks_like_number(parts[1]):
        return Identifier(scheme=parts[0], value=parts[1])
    if len(parts) >= 3 and len(parts[0]) == 2 and parts[0].isalpha():
        return Identifier(scheme=parts[-1], value=", ".join(parts[1:-1]), country=parts[0].upper())
    return Identifier(scheme=parts[-1], value=", ".join(parts[:-1]))


def party_from_row(row: dict[str, Any]) -> Party:
    """Maps one CSL record (CSV row or JSON object, same field names) to a Party."""

    def text(key: str) -> str:
        value = row.get(key)
        if value is None:
            return ""
        if isinstance(value, list):
            return ";".join(str(v) for v in value)
        return str(value).strip()

    name = text("name")
    party_id = text("_id") or text("id") or text("entity_number")
    if not party_id:
        # The oldest header variant has no id column: derive a stable one from the record itself.
        party_id = hashlib.sha1(f"{text('source')}|{name}|{text('addresses')}".encode()).hexdigest()
    raw_addresses = row.get("addresses")
    if isinstance(raw_addresses, list) and all(isinstance(a, dict) for a in raw_addresses):
        addresses = [_json_address(a) for a in raw_addresses]  # the JSON export structures addresses
    else:
        addresses = [parse_address(a) for a in split_list(text("addresses"))]
    nationalities: list[str] = []
    for code in split_list(text("nationalities")) + split_list(text("citizenships")):
        if len(code) == 2 and code.isalpha() and code.upper() not in nationalities:
            nationalities.append(code.upper())
    countries: list[str] = []
    for code in (
        [a.country for a in addresses] + split_list(text("nationalities")) + split_list(text("citizenships"))
    ):
        if len(code) == 2 and code.upper() not in countries:
            countries.append(code.upper())
    raw_ids = row.get("ids")
    if isinstance(raw_ids, list) and all(isinstance(i, dict) for i in raw_ids):
        identifiers = [
            Identifier(
                str(i.get("type") or ""), str(i.get("number") or ""), str(i.get("country") or "").upper()
            )
            for i in raw_ids
            if i.get("number")
        ]
    else:
        identifiers = [parse_identifier(i) for i in split_list(text("ids"))]
    dates = {k: text(c) for k, c in (("start", "start_date"), ("end", "end_date")) if text(c)}
    if text("dates_of_birth"):
        dates["birth"] = text("dates_of_birth")
    remarks = " ".join(x for x in (text("remarks"), text("title")) if x)
    extra = {
        k: text(k)
        for k in (
            "entity_number",
            "call_sign",
            "vessel_type",
            "vessel_flag",
            "vessel_owner",
            "gross_tonnage",
        )
        if text(k)
    }
    return Party(
        source="us_csl",
        party_id=party_id,
        name=name,
        kind=_TYPE_TO_KIND.get(text("type").lower(), PartyKind.UNKNOWN),
        list_name=text("source"),
        programs=split_list(text("programs")),
        aliases=[Alias(a, detect_script(a)) for a in split_list(text("alt_names")) if a != name],
        countries=countries,
        addresses=addresses,
        identifiers=identifiers,
        dates=dates,
        remarks=remarks,
        source_url=text("source_list_url") or text("source_information_url"),
        extra=extra,
        nationalities=nationalities,
        birth_places=split_list(text("places_of_birth")),
        federal_register=text("federal_register_notice"),
        license_requirement=text("license_requirement"),
        license_policy=text("license_policy"),
    )


def parse_csv(path: Path) -> ParsedList:
    check_size(path)
    parties: list[Party] = []
    try:
        with open_text(path) as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise SourceError(
                    f"not a CSL CSV header: missing column(s) {', '.join(missing)}",
                    file=str(path),
                    line=1,
                    field=missing[0],
                )
            for row in reader:
                if None in row:
                    raise SourceError(
                        "row has more cells than the header", file=str(path), line=reader.line_num
                    )
                if not (row.get("name") or "").strip():
                    raise SourceError(
                        "record has no name", file=str(path), line=reader.line_num, field="name"
                    )
                parties.append(party_from_row(row))
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", file=str(path)) from exc
    except (OSError, EOFError, csv.Error) as exc:
        raise SourceError(f"unreadable CSV: {exc}", file=str(path)) from exc
    if not parties:
        raise SourceError("no records", file=str(path))
    return ParsedList(format="csl_csv", source="us_csl", parties=parties, source_url=OFFICIAL_CSV_URL)


def parse_json(path: Path) -> ParsedList:
    check_size(path)
    try:
        with open_text(path) as fh:
            data = load_json(fh.read(), file=str(path))
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 ({exc.reason})", file=str(path)) from exc
    except InputError as exc:
        raise SourceError(exc.detail, file=str(path), line=exc.line) from exc
    results = data.get("results") if isinstance(data, dict) else data
    if not isinstance(results, list):
        raise SourceError("expected a 'results' array of CSL records", file=str(path), field="results")
    parties = []
    for index, record in enumerate(results):
        if not isinstance(record, dict) or not record.get("name"):
            raise SourceError(f"record {index} has no name", file=str(path), field=f"results[{index}].name")
        parties.append(party_from_row(record))
    if not parties:
        raise SourceError("no records", file=str(path))
    return ParsedList(format="csl_json", source="us_csl", parties=parties, source_url=OFFICIAL_JSON_URL)


def _sniff_csv(path: Path, head: bytes) -> bool:
    first = head.split(b"\n", 1)[0].lstrip(b"\xef\xbb\xbf")
    return b"source" in first and b"alt_names" in first and b"name" in first


def _sniff_json(path: Path, head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return text[:1] in (b"{", b"[") and (b'"results"' in text or b'"alt_names"' in text)


register(Format("csl_csv", "us_csl", _sniff_csv, parse_csv, OFFICIAL_CSV_URL))
register(Format("csl_json", "us_csl", _sniff_json, parse_json, OFFICIAL_JSON_URL))
