"""UN Security Council consolidated list XML (``<CONSOLIDATED_LIST>`` with INDIVIDUALS and ENTITIES).

Party id = ``DATAID``. Alias quality matters for screening: "Low" quality aliases are short or generic
(e.g. "Abu Muhammad") and become ``weak_aka`` so matchers can demand more before they hit on them;
``NAME_ORIGINAL_SCRIPT`` (Arabic, Hangul, Cyrillic …) becomes an ``original_script`` alias with its
ISO 15924 script.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from chipguard.model import Address, Alias, Identifier, Party, PartyKind
from chipguard.sources.base import Format, ParsedList, SourceError, register
from chipguard.sources.common import (
    add_country,
    child_text,
    children,
    country_code,
    detect_script,
    iter_xml,
    local,
    script_aliases,
    sniff_text,
    xml_root_attrs,
)

OFFICIAL_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
LIST_NAME = "UN Security Council Consolidated List"
_ALIAS_KIND = {"low": "weak_aka", "f.k.a.": "fka"}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _values(elem: Element, name: str) -> list[str]:
    """Texts of ``<NAME><VALUE>…</VALUE></NAME>`` groups (NATIONALITY, TITLE, DESIGNATION …)."""
    out = []
    for group in children(elem, name):
        for value in children(group, "VALUE"):
            text = (value.text or "").strip()
            if text:
                out.append(text)
    return out


def _address(elem: Element) -> Address | None:
    parts = {local(c.tag): (c.text or "").strip() for c in elem}
    country_name = parts.get("COUNTRY", "")
    fields = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")
    text = ", ".join(parts[f] for f in fields if parts.get(f))
    if parts.get("NOTE"):
        text = f"{text} ({parts['NOTE']})" if text else parts["NOTE"]
    if not text:
        return None
    return Address(
        text=text,
        city=parts.get("CITY", ""),
        region=parts.get("STATE_PROVINCE", ""),
        postal_code=parts.get("ZIP_CODE", ""),
        country=country_code(country_name),
    )


def _date_of_birth(elem: Element) -> str:
    """The date as written, "circa" kept: TYPE_OF_DATE APPROXIMATELY means the list is not sure of it."""
    circa = "circa " if child_text(elem, "TYPE_OF_DATE").upper() == "APPROXIMATELY" else ""
    if child_text(elem, "DATE"):
        return circa + child_text(elem, "DATE")
    if child_text(elem, "YEAR"):
        return circa + child_text(elem, "YEAR")
    if child_text(elem, "FROM_YEAR"):
        return f"{child_text(elem, 'FROM_YEAR')}-{child_text(elem, 'TO_YEAR')}".rstrip("-")
    return ""


def party_from_element(elem: Element, index: int, path: Path) -> Party:
    tag = local(elem.tag)
    dataid = child_text(elem, "DATAID")
    if not dataid:
        raise SourceError(
            f"{tag} record {index} has no DATAID", file=str(path), field=f"{tag}[{index}].DATAID"
        )
    name = " ".join(p for p in (child_text(elem, n) for n in _NAME_PARTS) if p)
    if not name:
        raise SourceError(
            f"{tag} record {index} (DATAID {dataid}) has no name", file=str(path), field="FIRST_NAME"
        )
    list_type = child_text(elem, "UN_LIST_TYPE")
    party = Party(
        source="un",
        party_id=dataid,
        name=name,
        kind=PartyKind.PERSON if tag == "INDIVIDUAL" else PartyKind.ORG,
        list_name=LIST_NAME,
        programs=[list_type] if list_type else [],
        remarks=child_text(elem, "COMMENTS1"),
        source_url=OFFICIAL_URL,
    )
    if child_text(elem, "REFERENCE_NUMBER"):
        party.extra["reference_number"] = child_text(elem, "REFERENCE_NUMBER")
    if child_text(elem, "LISTED_ON"):
        party.dates["listed"] = child_text(elem, "LISTED_ON")
    original = child_text(elem, "NAME_ORIGINAL_SCRIPT")
    if original:
        party.aliases.append(Alias(original, detect_script(original), "original_script"))
    for alias_elem in children(elem, f"{tag}_ALIAS"):
        alias = child_text(alias_elem, "ALIAS_NAME")
        if alias and alias != name:
            kind = _ALIAS_KIND.get(child_text(alias_elem, "QUALITY").lower(), "aka")
            party.aliases.extend(script_aliases(alias, kind))
    for nationality in _values(elem, "NATIONALITY"):
        add_country(party.countries, nationality)
        add_country(party.nationalities, nationality)
    for addr_elem in children(elem, f"{tag}_ADDRESS"):
        address = _address(addr_elem)
        if address:
            party.addresses.append(address)
            if address.country and address.country not in party.countries:
                party.countries.append(address.country)
    births = [d for d in (_date_of_birth(e) for e in children(elem, "INDIVIDUAL_DATE_OF_BIRTH")) if d]
    if births:
        party.dates["birth"] = "; ".join(births)
    places = [a.text for a in (_address(e) for e in children(elem, "INDIVIDUAL_PLACE_OF_BIRTH")) if a]
    if places:
        party.extra["place_of_birth"] = "; ".join(places)
        party.birth_places.extend(places)
    for doc in children(elem, "INDIVIDUAL_DOCUMENT"):
        number = child_text(doc, "NUMBER")
        if number:
            issuing = child_text(doc, "ISSUING_COUNTRY") or child_text(doc, "COUNTRY_OF_ISSUE")
            party.identifiers.append(
                Identifier(child_text(doc, "TYPE_OF_DOCUMENT"), number, country_code(issuing))
            )
    for key in ("TITLE", "DESIGNATION"):
        values = _values(elem, key)
        if values:
            party.extra[key.lower()] = values
    if child_text(elem, "GENDER"):
        party.extra["gender"] = child_text(elem, "GENDER")
    return party


def parse(path: Path) -> ParsedList:
    parties: list[Party] = []
    for elem in iter_xml(path, {"INDIVIDUAL", "ENTITY"}, root_tags={"CONSOLIDATED_LIST"}):
        parties.append(party_from_element(elem, len(parties), path))
    if not parties:
        raise SourceError("no <INDIVIDUAL> or <ENTITY> records", file=str(path))
    generated = xml_root_attrs(path).get("dateGenerated", "")
    return ParsedList("un_xml", "un", parties, generated[:10], OFFICIAL_URL)


def _sniff(path: Path, head: bytes) -> bool:
    return "<CONSOLIDATED_LIST" in sniff_text(head)


register(Format("un_xml", "un", _sniff, parse, OFFICIAL_URL))
