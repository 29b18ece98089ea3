"""Further US lists of Chinese and other entities, as kept in static CSV tables:

* DoD Section 1260H "Chinese Military Companies" (``Name,Clean Name,Alias,Previous Name,Parent Name,…``),
  all editions: one party per row, ``End date`` set when the company was dropped. ``Parent Name`` is kept
  in ``Party.parent_name`` — the ownership layer uses it to reach subsidiaries of a listed group.
* FCC Covered List (``covered_equipment_or_services,date_of_inclusion_on_covered_list``): the producer
  or provider is named inside the prose ("… produced by Huawei Technologies Company, …").
* Statute-based lists in the OpenSanctions static-table layout (``schema,name,aliases,…,country``):
  NDAA FY2024 §154 (batteries) and INKSNA (nonproliferation).

None of these files carries an id, so the party id is a hash of the fields that identify the row.
"""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import datetime
from pathlib import Path

from chipguard.model import Party, PartyKind
from chipguard.sources.base import Format, ParsedList, SourceError, register
from chipguard.sources.common import add_country, first_line, header_rows, script_aliases, sniff_text

DOD_URL = "https://media.defense.gov/2026/Jun/08/2003945537/-1/-1/1/ENTITIES-IDENTIFIED-AS-CHINESE-MILITARY-COMPANIES-OPERATING-IN-THE-UNITED-STATES-IN-ACCORDANCE-WITH-SECTION-1260H.PDF"
FCC_URL = "https://www.fcc.gov/supplychain/coveredlist"
NDAA_154_URL = "https://www.congress.gov/118/plaws/publ31/PLAW-118publ31.pdf"
INKSNA_URL = "https://www.state.gov/inksna-sanctions"
DOD_LIST = "DoD Section 1260H Chinese Military Companies"
FCC_LIST = "FCC Covered List"
DOD_COLUMNS = ("Name", "Clean Name", "Alias", "Previous Name", "Parent Name", "Start date", "End date")
STATIC_COLUMNS = ("schema", "name", "aliases", "program", "country")
_SCHEMA_KIND = {
    "person": PartyKind.PERSON,
    "company": PartyKind.ORG,
    "organization": PartyKind.ORG,
    "legalentity": PartyKind.ORG,
    "vessel": PartyKind.VESSEL,
    "airplane": PartyKind.AIRCRAFT,
}


def _row_id(prefix: str, *parts: str) -> str:
    return f"{prefix}-{hashlib.sha1('|'.join(parts).encode('utf-8')).hexdigest()[:16]}"


def _iso_date(text: str) -> str:
    """ISO dates stay; "October 1, 2027" (statute prose) becomes 2027-10-01."""
    text = text.strip()
    try:
        return datetime.strptime(text, "%B %d, %Y").date().isoformat()
    except ValueError:
        return text


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


# --- DoD 1260H ----------------------------------------------------------------------------------------


def parse_dod_1260h(path: Path) -> ParsedList:
    parties: list[Party] = []
    ids: set[str] = set()
    for line, row in header_rows(path, DOD_COLUMNS, "DoD 1260H"):
        name = row["Clean Name"] or row["Name"].rstrip("*").strip()
        if not name:
            raise SourceError("record has no name", file=str(path), line=line, field="Clean Name")
        party_id = _row_id("1260h", name, row["Start date"])
        if party_id in ids:
            raise SourceError(
                f"{name!r} listed twice with the same Start date",
                file=str(path),
                line=line,
                field="Start date",
            )
        ids.add(party_id)
        party = Party(
            source="dod_1260h",
            party_id=party_id,
            name=name,
            kind=PartyKind.ORG,
            list_name=DOD_LIST,
            aliases=[a for alias in _split(row["Alias"]) for a in script_aliases(alias, "aka")]
            + [a for alias in _split(row["Previous Name"]) for a in script_aliases(alias, "fka")],
            remarks=row.get("Note", ""),
            source_url=row.get("Source Url", "") or DOD_URL,
            parent_name=row["Parent Name"],
        )
        if row["Start date"]:
            party.dates["start"] = row["Start date"]
        if row["End date"]:
            party.dates["end"] = row["End date"]
        if row["Name"] and row["Name"] != name:
            party.extra["listed_as"] = row["Name"]
        parties.append(party)
    return ParsedList("dod_1260h_csv", "dod_1260h", parties, "", DOD_URL)


# --- FCC Covered List -----------------------------------------------------------------------------------

# "… produced by Huawei Technologies Company, including …", "… provided by China Telecom (Americas)
# Corp. subject to section 214 …", "… supplied, directly or indirectly, by AO Kaspersky Lab or any of …"
_FCC_PRODUCER = re.compile(
    r"(?:produced|provided|supplied)(?:,? directly or indirectly,)?(?: or provided)? by (?P<name>.+?)"
    r"(?:,(?! (?:Inc|Ltd|LLC|Limited)\b)| subject to| or any of| to the extent| and its wholly-owned|\.?$)"
)
_FCC_SUBSIDIARY = re.compile(r"and its wholly-owned subsidiary (?P<name>.+?)(?: subject to|,|\.?$)")


def parse_fcc(path: Path) -> ParsedList:
    parties: list[Party] = []
    warnings: list[str] = []
    for line, row in header_rows(
        path, ("covered_equipment_or_services", "date_of_inclusion_on_covered_list"), "FCC Covered List"
    ):
        text = row["covered_equipment_or_services"]
        match = _FCC_PRODUCER.search(text)
        if not match:
            # Class-wide entries ("Routers produced in a foreign country …") name no party.
            warnings.append(f"line {line}: names no producer or provider, skipped: {text[:60]}…")
            continue
        name = match.group("name").strip()
        party = Party(
            source="fcc_covered",
            party_id=_row_id("fcc", name, row["date_of_inclusion_on_covered_list"]),
            name=name,
            kind=PartyKind.ORG,
            list_name=FCC_LIST,
            remarks=text,
            source_url=FCC_URL,
        )
        subsidiary = _FCC_SUBSIDIARY.search(text)
        if subsidiary:
            party.aliases.extend(script_aliases(subsidiary.group("name").strip(), "subsidiary"))
        listed = _iso_date(row["date_of_inclusion_on_covered_list"])
        if listed:
            party.dates["listed"] = listed
        parties.append(party)
    if not parties:
        raise SourceError("no entry names a producer or provider", file=str(path))
    return ParsedList("fcc_covered_csv", "fcc_covered", parties, "", FCC_URL, warnings)


# --- static statute tables (NDAA §154, INKSNA) -----------------------------------------------------------


def parse_static(path: Path) -> ParsedList:
    parties: list[Party] = []
    programs: set[str] = set()
    for line, row in header_rows(path, STATIC_COLUMNS, "US static list"):
        if not row["name"]:
            raise SourceError("record has no name", file=str(path), line=line, field="name")
        kind_text = row["schema"].lower()
        if kind_text not in _SCHEMA_KIND:
            raise SourceError(f"unknown schema {row['schema']!r}", file=str(path), line=line, field="schema")
        programs.add(row["program"])
        party = Party(
            source="",
            party_id=_row_id("us", row["name"], row["program"], row.get("start-date", "")),
            name=row["name"],
            kind=_SCHEMA_KIND[kind_text],
            list_name=row["program"],
            programs=[row["program"]] if row["program"] else [],
            aliases=[
                a
                for alias in _split(row["aliases"])
                if alias != row["name"]
                for a in script_aliases(alias, "aka")
            ],
            remarks=" ".join(x for x in (row.get("reason", ""), row.get("notes", "")) if x),
            source_url=row.get("source_url", ""),
        )
        for country in _split(row["country"]):
            add_country(party.countries, country)
        for key, column in (("start", "start-date"), ("end", "end-date"), ("report", "report-date")):
            if row.get(column):
                party.dates[key] = _iso_date(row[column])
        if row.get("authority"):
            party.extra["authority"] = row["authority"]
        parties.append(party)
    text = " ".join(programs).lower()
    if "section 154" in text:
        fmt, source, url = "us_ndaa154_csv", "us_ndaa_154", NDAA_154_URL
    elif "nonproliferation" in text:
        fmt, source, url = "us_inksna_csv", "us_inksna", INKSNA_URL
    else:
        fmt, source, url = "us_static_csv", "us_static", ""
    for party in parties:
        party.source = source
        party.source_url = party.source_url or url
    return ParsedList(fmt, source, parties, "", url)


def _header(head: bytes) -> list[str]:
    return [c.strip() for c in next(csv.reader([first_line(head)]), [])]


def _sniff_dod(path: Path, head: bytes) -> bool:
    header = _header(head)
    return "Clean Name" in header and "Parent Name" in header


def _sniff_fcc(path: Path, head: bytes) -> bool:
    return _header(head)[:1] == ["covered_equipment_or_services"]


def _static_kind(head: bytes) -> str:
    """Which statute table a ``schema,name,aliases,…`` file is, from its program column: the snapshot
    store keys sources by format, so NDAA §154 and INKSNA must not share one."""
    if _header(head)[:3] != ["schema", "name", "aliases"]:
        return ""
    text = sniff_text(head).lower()
    if "section 154" in text:
        return "ndaa_154"
    if "nonproliferation" in text:
        return "inksna"
    return "other"


def _sniff_ndaa(path: Path, head: bytes) -> bool:
    return _static_kind(head) == "ndaa_154"


def _sniff_inksna(path: Path, head: bytes) -> bool:
    return _static_kind(head) == "inksna"


def _sniff_static(path: Path, head: bytes) -> bool:
    return _static_kind(head) == "other"


register(Format("dod_1260h_csv", "dod_1260h", _sniff_dod, parse_dod_1260h, DOD_URL))
register(Format("fcc_covered_csv", "fcc_covered", _sniff_fcc, parse_fcc, FCC_URL))
register(Format("us_ndaa154_csv", "us_ndaa_154", _sniff_ndaa, parse_static, NDAA_154_URL))
register(Format("us_inksna_csv", "us_inksna", _sniff_inksna, parse_static, INKSNA_URL))
register(Format("us_static_csv", "us_static", _sniff_static, parse_static, ""))
