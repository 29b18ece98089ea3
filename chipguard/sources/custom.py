"""A company's own list: CSV ``id,name,aliases,type,country`` (ARCHITECTURE.md).

``aliases`` are ``;``-separated; ``type`` is Person / Organization / Vessel / Aircraft (a few synonyms
accepted, empty = unknown); ``country`` is ISO 3166-1 alpha-2, several separated by ``;``. Other columns
are kept in ``extra``. The file is the user's own, so mistakes are refused with the line and field
rather than guessed around: an unknown type, a country that is not a two-letter code, a duplicate id.
"""

from __future__ import annotations

import csv
from pathlib import Path

from chipguard.model import Party, PartyKind
from chipguard.sources.base import Format, ParsedList, SourceError, register
from chipguard.sources.common import first_line, header_rows, script_aliases

REQUIRED_COLUMNS = ("id", "name")
KNOWN_COLUMNS = ("id", "name", "aliases", "type", "country")
_KIND = {
    "": PartyKind.UNKNOWN,
    "unknown": PartyKind.UNKNOWN,
    "person": PartyKind.PERSON,
    "individual": PartyKind.PERSON,
    "organization": PartyKind.ORG,
    "organisation": PartyKind.ORG,
    "org": PartyKind.ORG,
    "company": PartyKind.ORG,
    "entity": PartyKind.ORG,
    "legalentity": PartyKind.ORG,
    "vessel": PartyKind.VESSEL,
    "ship": PartyKind.VESSEL,
    "aircraft": PartyKind.AIRCRAFT,
}


def parse(path: Path) -> ParsedList:
    parties: list[Party] = []
    ids: dict[str, int] = {}
    for line, row in header_rows(
        path, REQUIRED_COLUMNS, "custom list CSV (id,name[,aliases,type,country])", lower=True
    ):
        party_id, name = row["id"], row["name"]
        if not party_id:
            raise SourceError("record has no id", file=str(path), line=line, field="id")
        if party_id in ids:
            raise SourceError(
                f"id {party_id!r} already used on line {ids[party_id]}", file=str(path), line=line, field="id"
            )
        ids[party_id] = line
        if not name:
            raise SourceError("record has no name", file=str(path), line=line, field="name")
        kind_text = row.get("type", "").lower().replace(" ", "")
        if kind_text not in _KIND:
            raise SourceError(
                f"unknown type {row['type']!r}; use Person, Organization, Vessel or Aircraft",
                file=str(path),
                line=line,
                field="type",
            )
        countries: list[str] = []
        for code in row.get("country", "").split(";"):
            code = code.strip().upper()
            if not code:
                continue
            if len(code) != 2 or not code.isalpha():
                raise SourceError(
                    f"country {code!r} is not an ISO 3166-1 alpha-2 code",
                    file=str(path),
                    line=line,
                    field="country",
                )
            if code not in countries:
                countries.append(code)
        aliases = [
            alias
            for text in row.get("aliases", "").split(";")
            if text.strip() and text.strip() != name
            for alias in script_aliases(text, "aka")
        ]
        parties.append(
            Party(
                source="custom",
                party_id=party_id,
                name=name,
                kind=_KIND[kind_text],
                list_name="Custom list",
                aliases=aliases,
                countries=countries,
                extra={k: v for k, v in row.items() if k not in KNOWN_COLUMNS and v},
            )
        )
    return ParsedList("custom_csv", "custom", parties, "", "")


def _sniff(path: Path, head: bytes) -> bool:
    header = [c.strip().lower() for c in next(csv.reader([first_line(head)]), [])]
    return header[:2] == ["id", "name"] and set(header) & {"aliases", "type", "country"} != set()


register(Format("custom_csv", "custom", _sniff, parse, ""))
