"""EU consolidated financial sanctions list XML (FSF export, ``<export>`` of ``<sanctionEntity>``).

Party id = the entity's ``logicalId``. Every ``nameAlias`` carries the whole name; the first is taken as
the primary name (the EU does not mark one), ``strong="false"`` names become ``weak_aka``. The EU writes
names in many scripts (Cyrillic, Greek, Arabic …), so each alias gets its detected ISO 15924 script.
Countries are stated as ISO-2 codes already ("00" = unknown).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from chipguard.model import Address, Alias, Identifier, Party, PartyKind
from chipguard.sources.base import Format, ParsedList, SourceError, register
from chipguard.sources.common import (
    children,
    country_code,
    detect_script,
    iter_xml,
    sniff_text,
    xml_root_attrs,
)

OFFICIAL_URL = "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
LIST_NAME = "EU Consolidated Financial Sanctions List"
_KIND = {"person": PartyKind.PERSON, "enterprise": PartyKind.ORG, "vessel": PartyKind.VESSEL}


def _iso(elem: Element) -> str:
    return country_code(elem.get("countryIso2Code", "")) or country_code(elem.get("countryDescription", ""))


def party_from_element(elem: Element, index: int, path: Path) -> Party:
    logical_id = elem.get("logicalId", "")
    if not logical_id:
        raise SourceError(
            f"sanctionEntity {index} has no logicalId",
            file=str(path),
            field=f"sanctionEntity[{index}].logicalId",
        )
    names = [n for n in children(elem, "nameAlias") if n.get("wholeName", "").strip()]
    if not names:
        raise SourceError(
            f"sanctionEntity {index} (logicalId {logical_id}) has no nameAlias with a wholeName",
            file=str(path),
            field="nameAlias.wholeName",
        )
    # The EU marks no primary name; the first alias with a structured last name is the formal one
    # ("Saddam Hussein Al-Tikriti", not the nickname "Abou Ali" listed before it).
    primary = next((n for n in names if n.get("lastName", "").strip()), names[0])
    names.remove(primary)
    names.insert(0, primary)
    subject = next(iter(children(elem, "subjectType")), None)
    regulations = children(elem, "regulation")
    programmes = []
    for reg in regulations:
        programme = reg.get("programme", "")
        if programme and programme not in programmes:
            programmes.append(programme)
    party = Party(
        source="eu",
        party_id=logical_id,
        name=names[0].get("wholeName", "").strip(),
        kind=_KIND.get(subject.get("code", "") if subject is not None else "", PartyKind.UNKNOWN),
        list_name=LIST_NAME,
        programs=programmes,
        remarks=" ".join((r.text or "").strip() for r in children(elem, "remark") if r.text),
        source_url=OFFICIAL_URL,
    )
    for key, attr in (
        ("eu_reference_number", "euReferenceNumber"),
        ("un_reference_number", "unitedNationId"),
    ):
        if elem.get(attr):
            party.extra[key] = elem.get(attr)
    if elem.get("designationDate"):
        party.dates["listed"] = elem.get("designationDate", "")
    urls = [(u.text or "").strip() for reg in regulations for u in children(reg, "publicationUrl") if u.text]
    if urls:
        party.extra["regulation_urls"] = urls
    for alias in names[1:]:
        whole = alias.get("wholeName", "").strip()
        if whole and whole != party.name and whole not in {a.name for a in party.aliases}:
            kind = "aka" if alias.get("strong", "true") != "false" else "weak_aka"
            party.aliases.append(Alias(whole, detect_script(whole), kind))
    for citizenship in children(elem, "citizenship"):
        code = _iso(citizenship)
        if code and code not in party.countries:
            party.countries.append(code)
        if code and code not in party.nationalities:
            party.nationalities.append(code)
    for addr in children(elem, "address"):
        parts = [addr.get(k, "") for k in ("street", "poBox", "place", "city", "zipCode", "region")]
        text = ", ".join(p for p in [*parts, addr.get("countryDescription", "")] if p and p != "UNKNOWN")
        code = _iso(addr)
        if text:
            party.addresses.append(
                Address(
                    text=text,
                    city=addr.get("city", ""),
                    region=addr.get("region", ""),
                    postal_code=addr.get("zipCode", ""),
                    country=code,
                )
            )
        if code and code not in party.countries:
            party.countries.append(code)
    births: list[str] = []
    for birth in children(elem, "birthdate"):
        value = birth.get("birthdate") or birth.get("year", "")
        if value and value not in births:
            births.append(value)
        place = ", ".join(
            p for p in (birth.get("city", ""), birth.get("countryDescription", "")) if p and p != "UNKNOWN"
        )
        if place and place not in party.birth_places:
            party.birth_places.append(place)
    if births:
        party.dates["birth"] = "; ".join(births)
    for ident in children(elem, "identification"):
        number = ident.get("number", "").strip()
        if number:
            party.identifiers.append(
                Identifier(ident.get("identificationTypeCode", "") or "id", number, _iso(ident))
            )
    return party


def parse(path: Path) -> ParsedList:
    parties: list[Party] = []
    seen: set[str] = set()
    warnings: list[str] = []
    for elem in iter_xml(path, {"sanctionEntity"}, root_tags={"export"}):
        party = party_from_element(elem, len(parties), path)
        if party.party_id in seen:
            warnings.append(
                f"sanctionEntity {len(parties)}: logicalId {party.party_id} occurs more than once"
            )
        seen.add(party.party_id)
        parties.append(party)
    if not parties:
        raise SourceError("no <sanctionEntity> records", file=str(path))
    generated = xml_root_attrs(path).get("generationDate", "")
    return ParsedList("eu_xml", "eu", parties, generated[:10], OFFICIAL_URL, warnings)


def _sniff(path: Path, head: bytes) -> bool:
    text = sniff_text(head)
    return "<export" in text and "eu.europa.ec/fpi/fsd/export" in text


register(Format("eu_xml", "eu", _sniff, parse, OFFICIAL_URL))
