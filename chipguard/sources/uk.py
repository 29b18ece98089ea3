"""UK HM Treasury / OFSI consolidated list CSV (the older "ConList" format).

The file opens with a ``Last Updated,DD/MM/YYYY`` line, then a header. Each row is one *name* of a
designated group; rows repeat per date of birth and address, and are joined on ``Group ID`` (the party
id). The "Prime Alias" row names the party; other rows are aliases. ``Name 6`` is the surname (or the
whole name of an entity), ``Name 1``–``Name 5`` the given names. ``Name Non-Latin Script`` becomes an
``original_script`` alias with its detected ISO 15924 script.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from chipguard.model import Address, Alias, Identifier, Party, PartyKind
from chipguard.sources.base import Format, ParsedList, SourceError, register
from chipguard.sources.common import add_country, detect_script, first_line, header_rows

OFFICIAL_URL = "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv"
LIST_NAME = "UK HM Treasury (OFSI) Consolidated List of Financial Sanctions Targets"
REQUIRED_COLUMNS = ("Name 6", "Name 1", "Group Type", "Alias Type", "Regime", "Group ID")
# a UN Security Council reference number as written in "Other Information" (QDi.263: ISIL/Al-Qaida,
# individual; IRe.001: Iran, entity)
_UN_REF = re.compile(r"\bUN Ref\b\)?\s*:?\s*([A-Z]{2}[ie]\.\d{3})")
_KIND = {"individual": PartyKind.PERSON, "entity": PartyKind.ORG, "ship": PartyKind.VESSEL}


def _uk_date(text: str) -> str:
    """``DD/MM/YYYY`` → ISO; OFSI writes unknown parts as 00 ("00/09/1962") — those keep the year."""
    text = text.strip()
    try:
        return datetime.strptime(text, "%d/%m/%Y").date().isoformat()
    except ValueError:
        parts = text.split("/")
        if len(parts) == 3 and parts[2].isdigit():
            if parts[1].isdigit() and parts[1] != "00":
                return f"{parts[2]}-{parts[1]}"
            return parts[2]
        return text


def _full_name(row: dict[str, str], kind: PartyKind) -> str:
    given = [row.get(f"Name {i}", "").strip() for i in range(1, 6)]
    surname = row.get("Name 6", "").strip()
    if kind is PartyKind.PERSON:
        return " ".join(p for p in [*given, surname] if p)
    return " ".join(p for p in [surname, *given] if p)


T = TypeVar("T")


def _append_unique(items: list[T], item: T) -> None:
    if item not in items:
        items.append(item)


def parse(path: Path) -> ParsedList:
    dates: list[str] = []

    def last_updated(cells: list[str]) -> bool:
        if cells and cells[0].strip() == "Last Updated":
            dates.append(_uk_date(cells[1]) if len(cells) > 1 else "")
            return True
        return False

    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in header_rows(path, REQUIRED_COLUMNS, "UK HMT consolidated list", preamble=last_updated):
        group = row["Group ID"].strip()
        if not group:
            raise SourceError("row has no Group ID", file=str(path), line=line, field="Group ID")
        if not row["Name 6"].strip():
            raise SourceError("row has no name", file=str(path), line=line, field="Name 6")
        groups.setdefault(group, []).append((line, row))
    parties = [_party(group, rows_of_group) for group, rows_of_group in groups.items()]
    return ParsedList("uk_hmt_csv", "uk_hmt", parties, dates[0] if dates else "", OFFICIAL_URL)


def _party(group: str, rows: list[tuple[int, dict[str, str]]]) -> Party:
    first = rows[0][1]
    kind = _KIND.get(first["Group Type"].strip().lower(), PartyKind.UNKNOWN)
    prime = next((r for _, r in rows if r["Alias Type"].strip().lower() == "prime alias"), first)
    party = Party(
        source="uk_hmt",
        party_id=group,
        name=_full_name(prime, kind),
        kind=kind,
        list_name=LIST_NAME,
        source_url=OFFICIAL_URL,
    )
    births: list[str] = []
    for _, row in rows:
        name = _full_name(row, kind)
        if name != party.name:
            kind_of_alias = "weak_aka" if row.get("Alias Quality", "").strip().lower() == "low" else "aka"
            _append_unique(party.aliases, Alias(name, detect_script(name), kind_of_alias))
        original = row.get("Name Non-Latin Script", "").strip()
        if original:
            _append_unique(party.aliases, Alias(original, detect_script(original), "original_script"))
        _append_unique(party.programs, row["Regime"].strip())
        if row.get("DOB", "").strip():
            _append_unique(births, _uk_date(row["DOB"]))
        for nationality in row.get("Nationality", "").split(","):
            add_country(party.countries, nationality)
            add_country(party.nationalities, nationality)
        street = [row.get(f"Address {i}", "").strip() for i in range(1, 7)]
        postal, country = row.get("Post/Zip Code", "").strip(), row.get("Country", "").strip()
        text = ", ".join(p for p in [*street, postal, country] if p)
        if text:
            holder: list[str] = []
            add_country(holder, country)
            _append_unique(
                party.addresses,
                Address(text=text, postal_code=postal, country=holder[0] if holder else ""),
            )
            if holder and holder[0] not in party.countries:
                party.countries.append(holder[0])
        for scheme, column in (
            ("passport", "Passport Number"),
            ("national_id", "National Identification Number"),
        ):
            if row.get(column, "").strip():
                _append_unique(party.identifiers, Identifier(scheme, row[column].strip()))
        for key, column in (
            ("title", "Title"),
            ("position", "Position"),
            ("town_of_birth", "Town of Birth"),
            ("country_of_birth", "Country of Birth"),
        ):
            if row.get(column, "").strip():
                party.extra.setdefault(key, row[column].strip())
        place = ", ".join(
            p for p in (row.get("Town of Birth", "").strip(), row.get("Country of Birth", "").strip()) if p
        )
        if place:
            _append_unique(party.birth_places, place)
        remarks = row.get("Other Information", "").strip()
        if remarks and remarks not in party.remarks:
            party.remarks = f"{party.remarks} {remarks}".strip()
        # the UN record this designation implements ("UN Ref IRi.018", "(UN Ref):QDi.263"), kept so the
        # two records group as one entity (chipguard.match.grouping); a newer file has its own column
        un_ref = row.get("UN Reference Number", "").strip() or next(
            (m.group(1) for m in _UN_REF.finditer(remarks)), ""
        )
        if un_ref:
            party.extra.setdefault("un_reference_number", un_ref)
    party.programs = [p for p in party.programs if p]
    party.list_name = LIST_NAME
    if births:
        party.dates["birth"] = "; ".join(births)
    for key, column in (("listed", "Listed On"), ("updated", "Last Updated")):
        if first.get(column, "").strip():
            party.dates[key] = _uk_date(first[column])
    return party


def _sniff(path: Path, head: bytes) -> bool:
    line = first_line(head)
    if line.startswith("Last Updated,"):
        return True
    header = next(csv.reader([line]), [])
    return "Group ID" in header and "Name 6" in header


register(Format("uk_hmt_csv", "uk_hmt", _sniff, parse, OFFICIAL_URL))
