"""OFAC legacy CSV: ``sdn.csv`` (+ ``add.csv``, ``alt.csv``, ``sdn_comments.csv``) and the non-SDN
consolidated set ``cons_prim.csv`` (+ ``cons_add.csv``, ``cons_alt.csv``, ``cons_comments.csv``).

The files have no header, use ``-0-`` for "empty", end with a DOS end-of-file byte (0x1A) and are joined
on ``ent_num`` (the first column), which is the party id. Much of the substance sits in the free-text
Remarks column ("DOB 1962; POB Shati; nationality Iran; a.k.a. 'BNC'; Linked To: X."), so it is parsed
into dates, countries, identifiers, weak aliases and links. Remarks longer than the column are continued
in the comments file.

The primary file alone is a valid list (OFAC publishes ``sdn.csv`` standalone); companions are picked up
when the primary file has its official name (``sdn.csv`` / ``cons_prim.csv``) or a directory is given.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from pathlib import Path

from chipguard.model import Address, Alias, Identifier, Party, PartyKind
from chipguard.sources.base import Format, ParsedList, SourceError, check_size, register
from chipguard.sources.common import DATA_DIR, add_country, csv_rows, detect_script, first_line

SDN_URL = "https://www.treasury.gov/ofac/downloads/sdn.csv"
CONS_URL = "https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv"
SDN_LIST_NAME = "Specially Designated Nationals (SDN) - Treasury Department"

# Official file names: primary → (addresses, aliases, comments)
COMPANIONS = {
    "sdn.csv": ("add.csv", "alt.csv", "sdn_comments.csv"),
    "cons_prim.csv": ("cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
}
PRIMARY_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
_KIND = {"individual": PartyKind.PERSON, "vessel": PartyKind.VESSEL, "aircraft": PartyKind.AIRCRAFT}
_EOF = "\x1a"


def clean(value: str) -> str:
    """``-0-`` (with OFAC's trailing blank) means empty."""
    value = (value or "").strip()
    return "" if value == "-0-" else value


@lru_cache(maxsize=1)
def id_schemes() -> list[tuple[str, str]]:
    """Remark prefixes that introduce an identifier, longest first (so "Diplomatic Passport" wins)."""
    text = (DATA_DIR / "ofac_id_schemes.csv").read_text(encoding="utf-8")
    rows = [(r["prefix"], r["scheme"]) for r in csv.DictReader(io.StringIO(text))]
    return sorted(rows, key=lambda r: -len(r[0]))


@lru_cache(maxsize=1)
def nonsdn_list_names() -> dict[str, str]:
    text = (DATA_DIR / "ofac_nonsdn_lists.csv").read_text(encoding="utf-8")
    return {r["program"]: r["list_name"] for r in csv.DictReader(io.StringIO(text))}


def split_programs(value: str) -> list[str]:
    """ "IRAN] [SDGT] [IRGC" → ["IRAN", "SDGT", "IRGC"]."""
    return [p.strip(" []") for p in clean(value).split("] [") if p.strip(" []")]


_QUOTED_ALIAS = re.compile(r"^([afn])\.k\.a\.,?\s+'(.+)'$")
_ID_VALUE = re.compile(r"^(?P<value>.+?)(?:\s+\((?P<country>[^()]+)\))?\.?$")


def parse_remarks(remarks: str, party: Party) -> None:
    """Pulls the structured facts out of OFAC's Remarks text into ``party`` (remarks stay verbatim too)."""
    linked: list[str] = []
    for raw in re.split(r";\s+", remarks):
        segment = re.sub(r"^alt\.\s+", "", raw.strip()).rstrip(".").strip()
        if not segment:
            continue
        lower = segment.lower()
        quoted = _QUOTED_ALIAS.match(segment)
        if quoted:
            # Remark a.k.a.s are OFAC's "weak" aliases (nicknames, short forms); the name may itself
            # hold apostrophes ('Abu Sa'd'), so the quote that closes it is the segment's last one.
            name = quoted.group(2).strip()
            party.aliases.append(Alias(name, detect_script(name), f"weak_{quoted.group(1)}ka"))
        elif lower.startswith("linked to:"):
            linked.append(segment.split(":", 1)[1].strip().rstrip("."))
        elif lower.startswith(("nationality ", "citizen ")):
            add_country(party.countries, segment.split(" ", 1)[1])
            add_country(party.nationalities, segment.split(" ", 1)[1])
        elif segment.startswith("DOB "):
            # "DOB 14 Mar 1974; alt. DOB 13 Apr 1974": every stated date counts for matching
            birth = segment[4:].strip()
            known = party.dates.get("birth", "")
            if birth not in known.split("; "):
                party.dates["birth"] = f"{known}; {birth}" if known else birth
        elif segment.startswith("POB "):
            party.extra.setdefault("place_of_birth", segment[4:].strip())
            if segment[4:].strip() not in party.birth_places:
                party.birth_places.append(segment[4:].strip())
        elif segment.startswith("Gender "):
            party.extra["gender"] = segment[7:].strip()
        elif segment.startswith("Organization Established Date "):
            party.dates.setdefault("incorporated", segment[len("Organization Established Date ") :].strip())
        else:
            for prefix, scheme in id_schemes():
                if segment.startswith(prefix + " "):
                    match = _ID_VALUE.match(segment[len(prefix) :].strip())
                    if match:
                        value = match.group("value").strip()
                        if value.startswith("- "):  # "Digital Currency Address - XBT 1abc…"
                            value = value[2:]
                        country = ""
                        if match.group("country"):
                            holder: list[str] = []
                            add_country(holder, match.group("country"))
                            country = holder[0] if holder else ""
                        party.identifiers.append(Identifier(scheme, value, country))
                    break
    if linked:
        party.extra["linked_to"] = linked


def _companion_paths(primary: Path) -> tuple[Path | None, Path | None, Path | None]:
    names = COMPANIONS.get(primary.name.lower())
    if not names:
        return (None, None, None)
    siblings = {p.name.lower(): p for p in primary.parent.iterdir() if p.is_file()}
    found = tuple(siblings.get(n) for n in names)
    return found[0], found[1], found[2]


def resolve_primary(path: Path, prefer_cons: bool = False) -> Path:
    """A directory holding an OFAC CSV set → its primary file; a file is returned as is."""
    if path.is_dir():
        for name in sorted(COMPANIONS, reverse=not prefer_cons):
            for candidate in path.iterdir():
                if candidate.name.lower() == name:
                    return candidate
        raise SourceError("directory holds neither sdn.csv nor cons_prim.csv", file=str(path))
    return path


def _read_rows(path: Path, min_cells: int, label: str) -> list[tuple[int, list[str]]]:
    """All data rows of one headerless OFAC file, skipping the trailing 0x1A end-of-file marker."""
    check_size(path)
    rows = []
    for line, row in csv_rows(path):
        if not row or (len(row) == 1 and row[0].strip() in ("", _EOF)):
            continue
        if len(row) < min_cells:
            raise SourceError(
                f"{label} row has {len(row)} cells, expected {min_cells}", file=str(path), line=line
            )
        if not row[0].strip().isdigit():
            raise SourceError(
                f"ent_num is not a number: {row[0][:40]!r}", file=str(path), line=line, field="ent_num"
            )
        rows.append((line, row))
    return rows


def parse_sdn(path: Path) -> ParsedList:
    return parse(path, consolidated=False)


def parse_cons(path: Path) -> ParsedList:
    return parse(path, consolidated=True)


def parse(path: Path, consolidated: bool | None = None) -> ParsedList:
    """Parses a primary file (or a directory holding a set); ``consolidated`` None decides SDN vs
    non-SDN by the official file name."""
    primary = resolve_primary(path, prefer_cons=bool(consolidated))
    if consolidated is None:
        consolidated = primary.name.lower().startswith("cons_")
    source = "ofac_cons" if consolidated else "ofac_sdn"
    url = CONS_URL if consolidated else SDN_URL
    parties: dict[str, Party] = {}
    for line, row in _read_rows(primary, len(PRIMARY_COLUMNS), "primary"):
        ent_num = row[0].strip()
        name = clean(row[1])
        if not name:
            raise SourceError("record has no name", file=str(primary), line=line, field="SDN_Name")
        if ent_num in parties:
            raise SourceError(f"duplicate ent_num {ent_num}", file=str(primary), line=line, field="ent_num")
        programs = split_programs(row[3])
        if consolidated:
            names = nonsdn_list_names()
            list_name = next(
                (names[p] for p in programs if p in names), "Non-SDN Consolidated List - Treasury Department"
            )
        else:
            list_name = SDN_LIST_NAME
        party = Party(
            source=source,
            party_id=ent_num,
            name=name,
            kind=_KIND.get(clean(row[2]).lower(), PartyKind.ORG),
            list_name=list_name,
            programs=programs,
            remarks=clean(row[11]),
            source_url=url,
        )
        extra_fields = zip(
            ("title", "call_sign", "vessel_type", "tonnage", "grt", "vessel_flag", "vessel_owner"),
            row[4:11],
            strict=True,
        )
        for key, value in extra_fields:
            if clean(value):
                party.extra[key] = clean(value)
        if party.extra.get("call_sign"):
            party.identifiers.append(Identifier("call_sign", party.extra["call_sign"]))
        parties[ent_num] = party

    addresses, aliases, comments = _companion_paths(primary)
    warnings = []
    if comments:
        for line, row in _read_rows(comments, 2, "comments"):
            target = parties.get(row[0].strip())
            if target is None:
                warnings.append(f"{comments.name} line {line}: ent_num {row[0]} not in {primary.name}")
                continue
            # The comments file continues the Remarks cell where the primary file cut it off.
            target.remarks += clean(row[1])
    for party in parties.values():
        parse_remarks(party.remarks, party)
        if party.extra.get("vessel_flag"):
            add_country(party.countries, party.extra["vessel_flag"])
            add_country(party.nationalities, party.extra["vessel_flag"])
    if addresses:
        for line, row in _read_rows(addresses, 5, "address"):
            target = parties.get(row[0].strip())
            if target is None:
                warnings.append(f"{addresses.name} line {line}: ent_num {row[0]} not in {primary.name}")
                continue
            street, city, country = clean(row[2]), clean(row[3]), clean(row[4])
            holder: list[str] = []
            add_country(holder, country)
            text = ", ".join(x for x in (street, city, country) if x)
            if text:
                target.addresses.append(Address(text=text, city=city, country=holder[0] if holder else ""))
            if holder and holder[0] not in target.countries:
                target.countries.append(holder[0])
    if aliases:
        for line, row in _read_rows(aliases, 4, "alias"):
            target = parties.get(row[0].strip())
            if target is None:
                warnings.append(f"{aliases.name} line {line}: ent_num {row[0]} not in {primary.name}")
                continue
            alias = clean(row[3])
            if not alias:
                raise SourceError("alias row has no name", file=str(aliases), line=line, field="alt_name")
            target.aliases.append(Alias(alias, detect_script(alias), clean(row[2]).lower() or "aka"))
    if not parties:
        raise SourceError("no records", file=str(primary))
    if not (addresses or aliases or comments) and primary.name.lower() in COMPANIONS:
        warnings.append("no companion add/alt/comments files found next to the primary file")
    return ParsedList(
        format="ofac_cons_csv" if consolidated else "ofac_sdn_csv",
        source=source,
        parties=list(parties.values()),
        source_url=url,
        warnings=warnings,
        files=[str(f) for f in (primary, addresses, aliases, comments) if f is not None],
    )


def _looks_primary(head: bytes) -> bool:
    """First line is a headerless 12-cell row: numeric ent_num, a name, and an SDN_Type that is empty
    (``-0-``) or one of OFAC's types — no other list file starts like that."""
    cells = next(csv.reader([first_line(head)]), [])
    return (
        len(cells) == len(PRIMARY_COLUMNS)
        and cells[0].strip().isdigit()
        and bool(cells[1].strip())
        and cells[2].strip().lower() in ("-0-", "individual", "vessel", "aircraft")
    )


def _sniff_sdn(path: Path, head: bytes) -> bool:
    return _looks_primary(head) and not path.name.lower().startswith("cons_")


def _sniff_cons(path: Path, head: bytes) -> bool:
    return _looks_primary(head) and path.name.lower().startswith("cons_")


register(Format("ofac_cons_csv", "ofac_cons", _sniff_cons, parse_cons, CONS_URL))
register(Format("ofac_sdn_csv", "ofac_sdn", _sniff_sdn, parse_sdn, SDN_URL))
