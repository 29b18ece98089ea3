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
