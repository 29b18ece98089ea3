"""CSL parser on the real trade.gov files: record counts, ids, header variants and malformed input."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

from chipguard.model import PartyKind
from chipguard.settings import settings
from chipguard.sources import ParsedList, SourceError, detect_format, parse_file

SHARED = settings().shared_data


@pytest.fixture(scope="module")
def csl_2022() -> ParsedList:
    """The full 2022-04 CSL, parsed once for the module (14,160 rows)."""
    path = SHARED / "lists" / "us_csl_2022-04.csv.gz"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    return parse_file(path)


def test_full_csl_2022_counts(csl_2022: ParsedList) -> None:
    parsed = csl_2022
    assert parsed.format == "csl_csv"
    assert len(parsed.parties) == 14160
    by_list = Counter(p.list_name for p in parsed.parties)
    assert by_list["Entity List (EL) - Bureau of Industry and Security"] == 2001
    assert by_list["Specially Designated Nationals (SDN) - Treasury Department"] == 10026
    # Ids are the CSL _id column; SDN rows carry the OFAC ent_num there.
    sdn = next(p for p in parsed.parties if p.party_id == "21944")
    assert sdn.kind is PartyKind.PERSON and sdn.countries == ["SY"]
    # The same OFAC record appears once per list it is on (e.g. SDN and SSI) under one id.
    assert len({p.party_id for p in parsed.parties}) == 14048
    assert len({(p.party_id, p.list_name) for p in parsed.parties}) == 14159  # one row is repeated verbatim


def test_entity_list_aliases_and_addresses(csl_2022: ParsedList) -> None:
    parsed = csl_2022
    plant = next(p for p in parsed.parties if p.name == "140 Repair Plant JSC")
    assert [a.name for a in plant.aliases] == [
        "Open Joint Stock Company 140 Repair Plant",
        "JSC 140 Repair Plant",
    ]
    assert plant.countries == ["BY"]
    assert plant.federal_register == "87 FR 20299"


@pytest.mark.parametrize(("name", "count"), [("us_csl_sample_2019.csv", 115), ("us_csl_sample_2025.csv", 13)])
def test_both_header_variants(shared: Path, name: str, count: int) -> None:
    path = shared / "lists" / "samples" / name
    assert detect_format(path).name == "csl_csv"
    parsed = parse_file(path)
    assert len(parsed.parties) == count
    assert all(p.party_id and p.name for p in parsed.parties)


def test_wrong_header_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("source,name,addresses\nX,Y,Z\n")
    with pytest.raises(SourceError) as err:
        parse_file(bad, format="csl_csv")
    assert "bad.csv" in str(err.value) and "line 1" in str(err.value) and "alt_names" in str(err.value)


def test_bad_encoding_and_truncated_gzip(shared: Path, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"source,name,alt_names,addresses\nEL,Soci\xe9t\xe9,,\n")
    with pytest.raises(SourceError, match="UTF-8"):
        parse_file(latin, format="csl_csv")
    data = (shared / "lists" / "us_csl_2022-04.csv.gz").read_bytes()
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="cut.csv.gz"):
        parse_file(cut, format="csl_csv")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match="empty"):
        parse_file(empty)
    header_only = tmp_path / "header.csv.gz"
    header_only.write_bytes(gzip.compress(b"source,name,alt_names,addresses\n"))
    with pytest.raises(SourceError, match="no records"):
        parse_file(header_only)


def test_ids_of_both_cell_orders(shared: Path, csl_2022: ParsedList) -> None:
    """trade.gov's 2025 export writes an ``ids`` cell "type, number, country" ("Passport, 836238033, KP",
    "Website, mspbank.ru"), the older files "country, number, type": both give the number as the value,
    so screening can weigh a passport, registration number or web domain on either (issue 12 item 1).
    The 2022 file's cells parse as before."""
    parties = {p.name: p for p in parse_file(shared / "lists" / "samples" / "us_csl_sample_2025.csv").parties}
    ids = {(i.scheme, i.value, i.country) for p in parties.values() for i in p.identifiers}
    assert ("Passport", "836238033", "KP") in ids  # RIM, Ryong Nam
    assert ("Passport", "U00242309", "TR") in ids
    assert ("Business Registration Number", "CH-660.0.559.011-2", "CH") in ids
    assert ("Public Registration Number", "1027739108649", "") in ids
    assert ("Website", "mspbank.ru", "") in ids and ("SWIFT/BIC", "RUDVRUMM", "") in ids
    assert ("Email Address", "hrm@rosneft-sh.com.cy", "") in ids
    # the older order, on the 2022 file: a tax number with its country, a web address without one
    old = {(i.scheme, i.value, i.country) for p in csl_2022.parties for i in p.identifiers}
    assert ("Tax ID No.", "7750004150", "RU") in old and (
        "Legal Entity Number",
        "25340038P8SYW80B9W34",
        "RU",
    ) in old
    assert ("Website", "http://www.90zavod.ru", "") in old and ("Tax ID No.", "5030056754", "") in old


def test_screening_weighs_the_2025_cells(shared: Path) -> None:
    """On the 2025 sample the listed passport number confirms RIM Ryong Nam, and the listed web domain
    agrees for the bank that lists it."""
    from chipguard import Screener
    from chipguard.match.evidence import query_evidence

    screener = Screener(parse_file(shared / "lists" / "samples" / "us_csl_sample_2025.csv").parties)
    hits = screener.screen(
        "Ryong Nam Rim", kind="person", evidence=query_evidence(registration_number="836238033")
    )
    assert hits and hits[0].name == "RIM, Ryong Nam"
    assert hits[0].strength == "confirmed"
    assert [f["result"] for f in hits[0].evidence if f["feature"] == "registration_number"] == ["agree"]
