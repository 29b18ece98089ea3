"""OFAC legacy CSV on the real files: the 2021-07 SDN set joined on ent_num, the standalone 2024-05-03
sdn.csv and the 2025 non-SDN cons_* set. Counts come from grep, not from the parser:
``grep -c '^[0-9]' FILE`` counts records (every record is one line; no cell holds a newline) and
``grep -o "[afn]\\.k\\.a\\.,\\? '" FILE | wc -l`` counts the quoted aliases in Remarks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from chipguard.model import PartyKind
from chipguard.settings import settings
from chipguard.sources import ParsedList, SourceError, detect_format, parse_file

SHARED = settings().shared_data
LISTS = SHARED / "lists"


def _parse(relative: str) -> ParsedList:
    if not (LISTS / relative).exists():
        pytest.skip("../shared/data is not present")
    return parse_file(LISTS / relative)


@pytest.fixture(scope="module")
def sdn_2021() -> ParsedList:
    return _parse("ofac_2021-07")


@pytest.fixture(scope="module")
def cons_2025() -> ParsedList:
    return _parse("ofac_nonsdn_2025")


def test_sdn_set_counts_and_join(sdn_2021: ParsedList) -> None:
    assert sdn_2021.format == "ofac_sdn_csv" and sdn_2021.source == "ofac_sdn"
    assert len(sdn_2021.parties) == 8976  # grep -c '^[0-9]' sdn.csv
    kinds = Counter(a.kind for p in sdn_2021.parties for a in p.aliases)
    assert kinds["aka"] + kinds["fka"] + kinds["nka"] == 11910  # grep -c '^[0-9]' alt.csv
    assert kinds["fka"] == 369  # grep -c '^[0-9]*,[0-9]*,"fka"' alt.csv
    # quoted a.k.a./f.k.a. in sdn.csv + sdn_comments.csv (the comments complete cut-off remarks)
    assert kinds["weak_aka"] + kinds["weak_fka"] + kinds["weak_nka"] == 2441
    assert sdn_2021.warnings == []
    assert {p.party_id for p in sdn_2021.parties} >= {"36", "306", "28264"}


def test_sdn_record_fields(sdn_2021: ParsedList) -> None:
    by_id = {p.party_id: p for p in sdn_2021.parties}
    bnc = by_id["306"]
    assert bnc.name == "BANCO NACIONAL DE CUBA" and bnc.kind is PartyKind.ORG and bnc.programs == ["CUBA"]
    assert ("NATIONAL BANK OF CUBA", "aka") in [(a.name, a.kind) for a in bnc.aliases]
    assert ("BNC", "weak_aka") in [(a.name, a.kind) for a in bnc.aliases]
    assert bnc.countries[:3] == ["CH", "ES", "JP"]  # add.csv: Zurich, Madrid, Tokyo
    assert bnc.addresses[0].text == "Zweierstrasse 35, Zurich CH-8022, Switzerland"
    li = by_id["28264"]  # remarks continued in sdn_comments.csv
    assert li.kind is PartyKind.PERSON and li.countries == ["CN"] and li.dates["birth"] == "10 Jan 1987"
    assert li.extra["linked_to"] == ["LAZARUS GROUP"]
    assert li.remarks.endswith("a.k.a. 'khaleesi'; Linked To: LAZARUS GROUP.")
    assert {a.name for a in li.aliases} >= {"blackjack1987", "khaleesi"}
    assert ("identification", "210302198701102136", "CN") in [
        (i.scheme, i.value, i.country) for i in li.identifiers
    ]
    fadlallah = by_id["2679"]  # "DOB 1938; alt. DOB 1936; POB Najf Al Ashraf (Najaf), Iraq; …"
    assert fadlallah.dates["birth"] == "1938; 1936"
    assert fadlallah.extra["place_of_birth"] == "Najf Al Ashraf (Najaf), Iraq"
    programs = Counter(prog for p in sdn_2021.parties for prog in p.programs)
    assert programs["SDGT"] > 1000


def test_sdn_path_and_directory_are_the_same(sdn_2021: ParsedList) -> None:
    by_file = parse_file(LISTS / "ofac_2021-07" / "sdn.csv")

    def summary(parsed: ParsedList) -> list[tuple[str, str, int, int, str]]:
        return [(p.party_id, p.name, len(p.aliases), len(p.addresses), p.remarks) for p in parsed.parties]

    assert summary(by_file) == summary(sdn_2021)
    assert detect_format(LISTS / "ofac_2021-07").name == "ofac_sdn_csv"
    # the snapshot hash must cover every file read
    assert [Path(f).name for f in sdn_2021.files] == ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"]


def test_standalone_sdn_csv() -> None:
    parsed = _parse("ofac_sdn_2024-05-03.csv")
    assert parsed.format == "ofac_sdn_csv"
    assert len(parsed.parties) == 14965  # grep -c '^[0-9]'
    assert all(not p.addresses for p in parsed.parties)  # no add.csv beside it
    kinds = Counter(p.kind for p in parsed.parties)
    assert kinds[PartyKind.VESSEL] == 851 and kinds[PartyKind.AIRCRAFT] == 376  # grep -c ',"vessel",'
    # grep finds 3666 quoted aliases; 3 sit in remarks cut off at OFAC's column limit (their rest is in
    # the sdn_comments.csv this file was published without), so they cannot be read.
    assert sum(len(p.aliases) for p in parsed.parties) == 3663


def test_nonsdn_cons_set(cons_2025: ParsedList) -> None:
    assert cons_2025.format == "ofac_cons_csv" and cons_2025.source == "ofac_cons"
    assert len(cons_2025.parties) == 442  # grep -c '^[0-9]' cons_prim.csv
    kinds = Counter(a.kind for p in cons_2025.parties for a in p.aliases)
    assert kinds["aka"] + kinds["fka"] + kinds["nka"] == 1073  # grep -c '^[0-9]' cons_alt.csv
    megvii = next(p for p in cons_2025.parties if p.party_id == "33091")
    assert megvii.name == "MEGVII TECHNOLOGY LIMITED" and megvii.countries == ["KY", "CN"]
    assert megvii.programs == ["CMIC-EO13959"] and "CMIC" in megvii.list_name
    lists = Counter(p.list_name for p in cons_2025.parties)
    assert lists["Non-SDN Palestinian Legislative Council List (NS-PLC) - Treasury Department"] == 78
    assert detect_format(LISTS / "ofac_nonsdn_2025" / "cons_prim.csv").name == "ofac_cons_csv"


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def test_short_row_names_file_and_line(tmp_path: Path) -> None:
    bad = _write(
        tmp_path / "sdn.csv",
        '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
        '173,"ANGLO-CARIBBEAN CO., LTD.",-0- ,"CUBA"\r\n',
    )
    with pytest.raises(SourceError) as err:
        parse_file(bad)
    assert "sdn.csv" in str(err.value) and "line 2" in str(err.value) and "4 cells" in str(err.value)


def test_bad_ent_num_and_bad_companion(tmp_path: Path) -> None:
    row = '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    bad = _write(tmp_path / "sdn.csv", row + "x" + row[2:])
    with pytest.raises(SourceError, match=r"line 2.*ent_num"):
        parse_file(bad, format="ofac_sdn_csv")
    _write(tmp_path / "sdn.csv", row)
    _write(tmp_path / "alt.csv", '36,12,"aka",-0- ,-0- \r\n')
    with pytest.raises(SourceError) as err:
        parse_file(tmp_path)
    assert "alt.csv" in str(err.value) and "line 1" in str(err.value) and "alt_name" in str(err.value)


def test_bad_encoding_and_empty(tmp_path: Path) -> None:
    latin = tmp_path / "sdn.csv"
    latin.write_bytes(b'36,"SOCI\xc9T\xc9",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n')
    with pytest.raises(SourceError, match="UTF-8"):
        parse_file(latin, format="ofac_sdn_csv")
    only_eof = tmp_path / "eof" / "sdn.csv"
    only_eof.parent.mkdir()
    only_eof.write_bytes(b"\x1a")
    with pytest.raises(SourceError, match="no records"):
        parse_file(only_eof, format="ofac_sdn_csv")
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    with pytest.raises(SourceError, match="neither sdn.csv nor cons_prim.csv"):
        parse_file(empty_dir, format="ofac_cons_csv")
