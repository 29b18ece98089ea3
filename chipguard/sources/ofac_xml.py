"""OFAC XML: the classic ``sdn.xml`` / ``consolidated.xml`` (``<sdnList>``) and the ENHANCED XML
(``<sanctionsData>``, e.g. ``CONS_ENHANCED.XML`` or ``SDN_ENHANCED.XML``, usually inside a zip).

The enhanced format is the only OFAC format that carries names in their original script (Chinese,
Cyrillic): every name has translations, and the non-Latin ones become aliases with their ISO 15924
script so that a query in Hanzi can reach the record. Country references are resolved through the file's
own ``referenceValues`` table (which states ISO codes). Party id = OFAC ``uid`` / entity ``id``, which is
the legacy CSV's ``ent_num``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import Element

from chipguard.model import Address, Alias, Identifier, Party, PartyKind
from chipguard.sources.base import Format, ParsedList, SourceError, register
from chipguard.sources.common import (
    add_country,
    child_text,
    children,
    country_code,
    descendants,
    detect_script,
    iter_xml,
    local,
    sniff_text,
)

SDN_XML_URL = "https://www.treasury.gov/ofac/downloads/sdn.xml"
ENHANCED_URL = "https://sanctionslistservice.ofac.treas.gov/api/download/CONS_ENHANCED.ZIP"
SDN_ENHANCED_URL = "https://sanctionslistservice.ofac.treas.gov/api/download/SDN_ENHANCED.ZIP"
SDN_LIST_NAME = "Specially Designated Nationals (SDN) - Treasury Department"

_KIND = {
    "individual": PartyKind.PERSON,
    "entity": PartyKind.ORG,
    "vessel": PartyKind.VESSEL,
    "aircraft": PartyKind.AIRCRAFT,
}
_ALIAS_KIND = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "nka"}


def _us_date(text: str) -> str:
    """OFAC's ``MM/DD/YYYY`` publish date → ISO ("" when unreadable)."""
    try:
        return datetime.strptime(text.strip(), "%m/%d/%Y").date().isoformat()
    except ValueError:
        return ""


def _person_name(elem: Element) -> str:
    """OFAC writes "LAST, First" (as in the legacy CSV) for people; entities have only lastName."""
    last, first = child_text(elem, "lastName"), child_text(elem, "firstName")
    return f"{last}, {first}" if last and first else (last or first)


# --- classic sdn.xml ---------------------------------------------------------------------------------


def _classic_party(entry: Element, index: int, path: Path, source: str, list_name: str, url: str) -> Party:
    uid = child_text(entry, "uid")
    if not uid:
        raise SourceError(f"record {index} has no uid", file=str(path), field=f"sdnEntry[{index}].uid")
    name = _person_name(entry)
    if not name:
        raise SourceError(f"record {index} (uid {uid}) has no name", file=str(path), field="lastName")
    party = Party(
        source=source,
        party_id=uid,
        name=name,
        kind=_KIND.get(child_text(entry, "sdnType").lower(), PartyKind.UNKNOWN),
        list_name=list_name,
        remarks=child_text(entry, "remarks"),
        source_url=url,
    )
    if child_text(entry, "title"):
        party.extra["title"] = child_text(entry, "title")
    party.programs = [(p.text or "").strip() for p in descendants(entry, "program") if (p.text or "").strip()]
    for aka in descendants(entry, "aka"):
        alias = _person_name(aka)
        if alias:
            kind = _ALIAS_KIND.get(child_text(aka, "type").lower(), "aka")
            if child_text(aka, "category").lower() == "weak":
                kind = "weak_aka"
            party.aliases.append(Alias(alias, detect_script(alias), kind))
    for addr in descendants(entry, "address"):
        country = country_code(child_text(addr, "country"))
        street = ", ".join(x for x in (child_text(addr, f"address{i}") for i in (1, 2, 3)) if x)
        city, region, postal = (
            child_text(addr, "city"),
            child_text(addr, "stateOrProvince"),
            child_text(addr, "postalCode"),
        )
        text = ", ".join(x for x in (street, city, region, postal, child_text(addr, "country")) if x)
        party.addresses.append(
            Address(text=text, city=city, region=region, postal_code=postal, country=country)
        )
        if country and country not in party.countries:
            party.countries.append(country)
    for tag in ("nationality", "citizenship"):
        for item in descendants(entry, tag):
            add_country(party.countries, child_text(item, "country"))
            add_country(party.nationalities, child_text(item, "country"))
    for ident in descendants(entry, "id"):
        number = child_text(ident, "idNumber")
        if number:
            party.identifiers.append(
                Identifier(child_text(ident, "idType"), number, country_code(child_text(ident, "idCountry")))
            )
    births = [child_text(d, "dateOfBirth") for d in descendants(entry, "dateOfBirthItem")]
    if births:
        party.dates["birth"] = "; ".join(b for b in births if b)
    places = [child_text(p, "placeOfBirth") for p in descendants(entry, "placeOfBirthItem")]
    if places:
        party.extra["place_of_birth"] = "; ".join(p for p in places if p)
        party.birth_places.extend(p for p in places if p)
    for vessel in descendants(entry, "vesselInfo"):
        for child in vessel:
            if (child.text or "").strip():
                party.extra[local(child.tag)] = child.text.strip()  # type: ignore[union-attr]
        add_country(party.countries, child_text(vessel, "vesselFlag"))
        add_country(party.nationalities, child_text(vessel, "vesselFlag"))
    return party


def parse_sdn_xml(path: Path) -> ParsedList:
    parties: list[Party] = []
    file_date, declared = "", ""
    for elem in iter_xml(path, {"sdnEntry", "publshInformation"}, root_tags={"sdnList"}):
        if local(elem.tag) == "publshInformation":
            file_date = _us_date(child_text(elem, "Publish_Date"))
            declared = child_text(elem, "Record_Count")
            continue
        parties.append(_classic_party(elem, len(parties), path, "ofac_sdn", SDN_LIST_NAME, SDN_XML_URL))
    if not parties:
        raise SourceError("no <sdnEntry> records", file=str(path))
    warnings = []
    if declared.isdigit() and int(declared) != len(parties):
        warnings.append(f"file states Record_Count {declared} but holds {len(parties)} entries")
    return ParsedList("ofac_sdn_xml", "ofac_sdn", parties, file_date, SDN_XML_URL, warnings)


# --- ENHANCED XML -------------------------------------------------------------------------------------


def _enhanced_party(entity: Element, index: int, path: Path, countries: dict[str, str], source: str) -> Party:
    entity_id = entity.get("id", "")
    if not entity_id:
        raise SourceError(f"entity {index} has no id attribute", file=str(path), field=f"entity[{index}].id")
    general = next(iter(children(entity, "generalInfo")), None)
    kind_text = child_text(general, "entityType") if general is not None else ""
    lists = [(e.text or "").strip() for e in descendants(entity, "sanctionsList")]
    specific = [x for x in lists if x and x != "Consolidated List"]
    party = Party(
        source=source,
        party_id=entity_id,
        name="",
        kind=_KIND.get(kind_text.lower(), PartyKind.UNKNOWN),
        list_name=specific[0] if specific else (lists[0] if lists else ""),
        programs=[(p.text or "").strip() for p in descendants(entity, "sanctionsProgram") if p.text],
        source_url=ENHANCED_URL,
    )
    if len(specific) > 1:
        party.extra["lists"] = specific
    for name in descendants(entity, "name"):
        if not children(name, "translations"):
            continue  # <name> inside an identityDocument is the name on the document, not a name entry
        primary_name = child_text(name, "isPrimary") == "true"
        alias_kind = _ALIAS_KIND.get(child_text(name, "aliasType").lower(), "aka")
        if child_text(name, "isLowQuality") == "true":
            alias_kind = "weak_aka"
        for translation in descendants(name, "translation"):
            full = child_text(translation, "formattedFullName")
            if not full:
                continue
            primary_translation = child_text(translation, "isPrimary") == "true"
            if primary_name and primary_translation and not party.name:
                party.name = full
                continue
            # A non-primary translation is the same name in another script (旷视科技有限公司 for MEGVII).
            kind = alias_kind if primary_translation else "original_script"
            party.aliases.append(Alias(full, detect_script(full), kind))
    if not party.name:
        raise SourceError(
            f"entity {entity_id} has no primary name", file=str(path), field=f"entity[{index}].names"
        )
    for addr in descendants(entity, "address"):
        country_elem = next(iter(children(addr, "country")), None)
        country = countries.get(country_elem.get("refId", ""), "") if country_elem is not None else ""
        if not country and country_elem is not None:
            country = country_code(country_elem.text or "")
        parts: dict[str, list[str]] = {}
        for part in descendants(addr, "addressPart"):
            parts.setdefault(child_text(part, "type").upper(), []).append(child_text(part, "value"))
        text = ", ".join(v for vs in parts.values() for v in vs if v)
        country_name = (country_elem.text or "").strip() if country_elem is not None else ""
        text = ", ".join(x for x in (text, country_name) if x)
        if text:
            party.addresses.append(
                Address(
                    text=text,
                    city=", ".join(parts.get("CITY", [])),
                    region=", ".join(parts.get("STATE/PROVINCE", [])),
                    postal_code=", ".join(parts.get("POSTAL CODE", [])),
                    country=country,
                )
            )
        if country and country not in party.countries:
            party.countries.append(country)
    for feature in descendants(entity, "feature"):
        ftype, value = child_text(feature, "type"), child_text(feature, "value")
        lower = ftype.lower()
        if lower in ("nationality country", "citizenship country", "nationality of registration"):
            ref = countries.get(child_text(feature, "valueRefId"), "")
            code = ref or country_code(value)
            if code and code not in party.countries:
                party.countries.append(code)
            if code and code not in party.nationalities:
                party.nationalities.append(code)
        elif lower == "birthdate":
            party.dates["birth"] = "; ".join(x for x in (party.dates.get("birth", ""), value) if x)
        elif lower == "place of birth":
            party.extra["place_of_birth"] = value
            party.birth_places.append(value)
        elif lower.startswith("listing date"):
            party.dates.setdefault("listed", _feature_date(feature) or value)
        elif lower == "organization established date":
            party.dates["incorporated"] = _feature_date(feature) or value
        elif lower in ("swift/bic", "isin", "equity ticker", "website", "email address", "bik (ru)"):
            party.identifiers.append(Identifier(lower.replace(" ", "_"), value))
        elif lower == "gender":
            party.extra["gender"] = value
        else:
            party.extra.setdefault("features", []).append({"type": ftype, "value": value})
    for doc in descendants(entity, "identityDocument"):
        number = child_text(doc, "documentNumber")
        issuing = next(iter(children(doc, "issuingCountry")), None)
        country = countries.get(issuing.get("refId", ""), "") if issuing is not None else ""
        if number:
            party.identifiers.append(Identifier(child_text(doc, "type"), number, country))
    for rel in descendants(entity, "relationship"):
        related = next(iter(children(rel, "relatedEntity")), None)
        if related is None:
            continue
        rtype = child_text(rel, "type")
        party.extra.setdefault("relationships", []).append(
            {"type": rtype, "entity_id": related.get("entityId", ""), "name": (related.text or "").strip()}
        )
        if rtype.lower().startswith("owned or controlled by") and not party.parent_name:
            party.parent_name = (related.text or "").strip()
    party.remarks = " ".join((r.text or "").strip() for r in children(entity, "remarks") if r.text)
    return party


def _feature_date(feature: Element) -> str:
    for date in descendants(feature, "fromDateBegin"):
        text = (date.text or "").strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return text
    return ""


def parse_enhanced(path: Path) -> ParsedList:
    countries: dict[str, str] = {}
    parties: list[Party] = []
    file_date = ""
    sdn = False
    for elem in iter_xml(path, {"referenceValue", "entity", "publicationInfo"}, root_tags={"sanctionsData"}):
        tag = local(elem.tag)
        if tag == "referenceValue":
            if child_text(elem, "type") == "COUNTRY" and child_text(elem, "isoCode"):
                countries[elem.get("refId", "")] = child_text(elem, "isoCode").upper()
        elif tag == "publicationInfo":
            file_date = child_text(elem, "dataAsOf")[:10]
            lists = [(e.text or "").strip() for e in descendants(elem, "sanctionsList")]
            sdn = "SDN List" in lists
        else:
            parties.append(
                _enhanced_party(elem, len(parties), path, countries, "ofac_sdn" if sdn else "ofac_cons")
            )
    if not parties:
        raise SourceError("no <entity> records", file=str(path))
    if sdn:
        return ParsedList("ofac_sdn_enhanced_xml", "ofac_sdn", parties, file_date, SDN_ENHANCED_URL)
    return ParsedList("ofac_enhanced_xml", "ofac_cons", parties, file_date, ENHANCED_URL)


def _sniff_sdn_xml(path: Path, head: bytes) -> bool:
    text = sniff_text(head)
    return "<sdnList" in text


def _enhanced_list(head: bytes) -> str:
    """ "sdn" or "cons" for an ENHANCED XML file, from the list filter in its publicationInfo (which
    precedes everything else): SDN_ENHANCED.XML and CONS_ENHANCED.XML are different sources."""
    text = sniff_text(head)
    if "<sanctionsData" not in text or "ENHANCED_XML" not in text:
        return ""
    return "sdn" if ">SDN List</sanctionsList>" in text else "cons"


def _sniff_enhanced(path: Path, head: bytes) -> bool:
    return _enhanced_list(head) == "cons"


def _sniff_sdn_enhanced(path: Path, head: bytes) -> bool:
    return _enhanced_list(head) == "sdn"


register(Format("ofac_sdn_xml", "ofac_sdn", _sniff_sdn_xml, parse_sdn_xml, SDN_XML_URL))
register(Format("ofac_enhanced_xml", "ofac_cons", _sniff_enhanced, parse_enhanced, ENHANCED_URL))
register(Format("ofac_sdn_enhanced_xml", "ofac_sdn", _sniff_sdn_enhanced, parse_enhanced, SDN_ENHANCED_URL))
