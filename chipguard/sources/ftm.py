"""FollowTheMoney entity JSON lines, as OpenSanctions exports them (``entities.ftm.json``, and the
``targets.nested.json`` variant whose properties embed related entities such as sanctions and addresses).

One JSON object per line: ``{"id", "schema", "properties": {prop: [values]}, "datasets", "target", …}``.
Only schemata that denote a party (Person, Company, Organization, LegalEntity, PublicBody, Vessel,
Airplane) become ``Party`` records; relation entities (Sanction, Ownership, Address, …) are counted in
the warnings. Party id = the FtM ``id``. Properties are multi-valued; every name beyond the first is an
alias (``alias`` → aka, ``weakAlias`` → weak_aka, ``previousName`` → fka) with its ISO 15924 script.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from chipguard.errors import InputError
from chipguard.limits import load_json
from chipguard.model import Address, Identifier, Party, PartyKind
from chipguard.sources.base import Format, ParsedList, SourceError, check_size, register
from chipguard.sources.common import open_text, script_aliases, sniff_text

OFFICIAL_URL = "https://data.opensanctions.org/datasets/latest/default/entities.ftm.json"
_KIND = {
    "Person": PartyKind.PERSON,
    "Company": PartyKind.ORG,
    "Organization": PartyKind.ORG,
    "LegalEntity": PartyKind.ORG,
    "PublicBody": PartyKind.ORG,
    "Vessel": PartyKind.VESSEL,
    "Airplane": PartyKind.AIRCRAFT,
}
# FtM identifier properties → Identifier.scheme (the FtM names, minus the type suffix)
_IDENTIFIERS = {
    "registrationNumber": "registration",
    "innCode": "INN",
    "ogrnCode": "OGRN",
    "leiCode": "LEI",
    "imoNumber": "IMO",
    "taxNumber": "tax_id",
    "idNumber": "national_id",
    "passportNumber": "passport",
    "swiftBic": "SWIFT",
    "uniqueEntityId": "UEI",
    "dunsCode": "DUNS",
    "isin": "ISIN",
    "callSign": "call_sign",
    "mmsi": "MMSI",
    "website": "website",
}
_COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry", "flag")


def _strings(props: dict[str, Any], key: str) -> list[str]:
    values = props.get(key) or []
    if not isinstance(values, list):
        values = [values]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _nested(props: dict[str, Any], key: str) -> list[dict[str, Any]]:
    values = props.get(key) or []
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


def party_from_entity(data: dict[str, Any], line: int, path: Path) -> Party:
    entity_id = str(data.get("id") or "").strip()
    if not entity_id:
        raise SourceError("entity has no id", file=str(path), line=line, field="id")
    props = data.get("properties")
    if not isinstance(props, dict):
        raise SourceError("entity has no properties object", file=str(path), line=line, field="properties")
    names = _strings(props, "name") or ([str(data["caption"])] if data.get("caption") else [])
    if not names:
        raise SourceError(
            f"entity {entity_id} has no name", file=str(path), line=line, field="properties.name"
        )
    party = Party(
        source="opensanctions",
        party_id=entity_id,
        name=names[0],
        kind=_KIND[str(data["schema"])],
        list_name=", ".join(str(d) for d in data.get("datasets") or []),
        remarks=" ".join(_strings(props, "notes")),
        source_url=next(iter(_strings(props, "sourceUrl")), ""),
    )
    for key, kind in (("name", "aka"), ("alias", "aka"), ("weakAlias", "weak_aka"), ("previousName", "fka")):
        for value in _strings(props, key):
            if value != party.name:
                for alias in script_aliases(value, kind):
                    if alias not in party.aliases:
                        party.aliases.append(alias)
    for key in _COUNTRY_PROPS:
        for code in _strings(props, key):
            if len(code) == 2 and code.isalpha() and code.upper() not in party.countries:
                party.countries.append(code.upper())
            if (
                key in ("nationality", "citizenship", "flag")
                and len(code) == 2
                and code.isalpha()
                and code.upper() not in party.nationalities
            ):
                party.nationalities.append(code.upper())
    for text in _strings(props, "address"):
        party.addresses.append(Address(text=text))
    for entity in _nested(props, "addressEntity"):
        sub = entity.get("properties") or {}
        full = next(iter(_strings(sub, "full")), "")
        country = next(iter(_strings(sub, "country")), "").upper()
        if full and full not in {a.text for a in party.addresses}:
            party.addresses.append(
                Address(
                    text=full,
                    city=next(iter(_strings(sub, "city")), ""),
                    postal_code=next(iter(_strings(sub, "postalCode")), ""),
                    country=country if len(country) == 2 else "",
                )
            )
    for prop, scheme in _IDENTIFIERS.items():
        for value in _strings(props, prop):
            party.identifiers.append(Identifier(scheme, value))
    party.birth_places.extend(_strings(props, "birthPlace"))
    for prop, key in (("birthDate", "birth"), ("incorporationDate", "incorporated"), ("createdAt", "listed")):
        values = _strings(props, prop)
        if values:
            party.dates[key] = "; ".join(values)
    programs = _strings(props, "program")
    for sanction in _nested(props, "sanctions"):
        programs += _strings(sanction.get("properties") or {}, "program")
    party.programs = list(dict.fromkeys(programs))
    topics = _strings(props, "topics")
    if topics:
        party.extra["topics"] = topics
    for key in ("first_seen", "last_seen", "referents"):
        if data.get(key):
            party.extra[key] = data[key]
    return party


def parse(path: Path) -> ParsedList:
    check_size(path)
    parties: list[Party] = []
    skipped: Counter[str] = Counter()
    try:
        with open_text(path) as fh:
            for line, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                try:
                    data = load_json(text, file=str(path), line=line)
                except InputError as exc:
                    raise SourceError(exc.detail, file=str(path), line=exc.line) from exc
                if not isinstance(data, dict) or "schema" not in data:
                    raise SourceError(
                        "line is not an FtM entity object", file=str(path), line=line, field="schema"
                    )
                schema = str(data["schema"])
                if schema not in _KIND:
                    skipped[schema] += 1
                    continue
                parties.append(party_from_entity(data, line, path))
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 ({exc.reason})", file=str(path)) from exc
    except (OSError, EOFError) as exc:
        raise SourceError(f"unreadable file: {exc}", file=str(path)) from exc
    if not parties:
        raise SourceError("no Person / Company / Organization / Vessel … entities", file=str(path))
    warnings = (
        [
            f"skipped {sum(skipped.values())} non-party entities ({', '.join(f'{k}: {v}' for k, v in sorted(skipped.items()))})"
        ]
        if skipped
        else []
    )
    return ParsedList("ftm_json", "opensanctions", parties, "", OFFICIAL_URL, warnings)


def _sniff(path: Path, head: bytes) -> bool:
    text = sniff_text(head).lstrip()
    first = text.split("\n", 1)[0]
    return first.startswith("{") and '"schema"' in first and '"properties"' in first


register(Format("ftm_json", "opensanctions", _sniff, parse, OFFICIAL_URL))
