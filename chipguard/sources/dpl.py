"""BIS Denied Persons List, tab-separated with quoted cells (the file BIS publishes as ``dpl.txt``).

The file has no record id, so the party id is derived from the row's content (a hash of its cells, with
an occurrence suffix for verbatim duplicate rows): stable across loads of the same edition and across
editions for unchanged rows. People and companies share the list without a type column, so kind stays
``unknown``. "A/K/A" and "(A.K.A. …)" inside a name are split into aliases.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

from chipguard.model import Address, Party, PartyKind
from chipguard.sources.base import Format, ParsedList, SourceError, register
from chipguard.sources.common import country_code, first_line, header_rows, script_aliases

OFFICIAL_URL = "https://www.bis.doc.gov/dpl/dpl.txt"
LIST_NAME = "Denied Persons List (DPL) - Bureau of Industry and Security"
REQUIRED_COLUMNS = ("Name", "Street_Address", "City", "State", "Country", "Postal_Code", "Effective_Date")
_AKA_INLINE = re.compile(r"\s*\(A\.K\.A\.\s*([^)]+)\)\s*", re.I)
_AKA_SPLIT = re.compile(r"\s+A/K/A\s+", re.I)


def _us_date(text: str) -> str:
    try:
        return datetime.strptime(text.strip(), "%m/%d/%Y").date().isoformat()
    except ValueError:
        return text.strip()


def split_name(raw: str) -> tuple[str, list[str]]:
    """ "FUYI SUN A/K/A FRANK SUN" → ("FUYI SUN", ["FRANK SUN"]);
    "PEARL (A.K.A. NEI-CHIEN CHU) LI" → ("PEARL LI", ["NEI-CHIEN CHU"])."""
    aliases = [a.strip() for a in _AKA_INLINE.findall(raw)]
    name = _AKA_INLINE.sub(" ", raw).strip()
    parts = _AKA_SPLIT.split(name)
    return parts[0].strip(), aliases + [p.strip() for p in parts[1:] if p.strip()]


def parse(path: Path) -> ParsedList:
    parties: list[Party] = []
    seen: dict[str, int] = {}
    for line, row in header_rows(path, REQUIRED_COLUMNS, "BIS DPL", delimiter="\t"):
        if not row["Name"]:
            raise SourceError("record has no name", file=str(path), line=line, field="Name")
        digest = hashlib.sha1("\t".join(row.values()).encode("utf-8")).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        party_id = f"dpl-{digest}" if seen[digest] == 1 else f"dpl-{digest}-{seen[digest]}"
        name, alias_names = split_name(row["Name"])
        country = country_code(row["Country"])
        parts = [row[k] for k in ("Street_Address", "City", "State", "Postal_Code", "Country") if row.get(k)]
        party = Party(
            source="bis_dpl",
            party_id=party_id,
            name=name,
            kind=PartyKind.UNKNOWN,
            list_name=LIST_NAME,
            aliases=[a for alias in alias_names for a in script_aliases(alias, "aka")],
            countries=[country] if country else [],
            addresses=[
                Address(
                    text=", ".join(parts),
                    city=row["City"],
                    region=row["State"],
                    postal_code=row["Postal_Code"],
                    country=country,
                )
            ]
            if parts
            else [],
            source_url=OFFICIAL_URL,
        )
        for key, column in (
            ("start", "Effective_Date"),
            ("end", "Expiration_Date"),
            ("updated", "Last_Update"),
        ):
            if row.get(column):
                party.dates[key] = _us_date(row[column])
        party.federal_register = row.get("FR_Citation") or ""
        for key, column in (
            ("action", "Action"),
            ("standard_order", "Standard_Order"),
        ):
            if row.get(column):
                party.extra[key] = row[column]
        parties.append(party)
    return ParsedList("bis_dpl", "bis_dpl", parties, "", OFFICIAL_URL)


def _sniff(path: Path, head: bytes) -> bool:
    line = first_line(head)
    return "\t" in line and '"Name"' in line and "Street_Address" in line and "FR_Citation" in line


register(Format("bis_dpl", "bis_dpl", _sniff, parse, OFFICIAL_URL))
