"""OFAC XML on the real files: classic sdn.xml (sample) and the ENHANCED XML read straight from the zip.
Independent counts: ``grep -c '<sdnEntry>'`` and ``unzip -p ZIP | grep -c '<entity id='``; Chinese names:
``unzip -p ZIP | grep -c 'script refId="2010[56]"'`` (Chinese Simplified / Traditional translations)."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from chipguard.model import PartyKind
from chipguard.settings import settings
from chipguard.sources import ParsedList, SourceError, common, detect_format, parse_file

SHARED = settings().shared_data
LISTS = SHARED / "lists"
ZIP = LISTS / "ofac_cons_enhanced_2025-01-10.zip"


@pytest.fixture(scope="module")
def enhanced() -> ParsedList:
    if not ZIP.exists():
        pytest.skip("../shared/data is not present")
    return parse_file(ZIP)


def test_sdn_xml_sample(shared: Path) -> None:
    path = shared / "lists" / "samples" / "ofac_sdn_sample.xml"
    assert detect_format(path).name == "ofac_sdn_xml"
    parsed = parse_file(path)
    assert len(parsed.parties) == 8  # grep -c '<sdnEntry>'
    assert parsed.file_date == "2020-04-22"  # <Publish_Date>04/22/2020
    # the sample keeps the full list's Record_Count: the mismatch is reported, not hidden
    assert parsed.warnings == ["file states Record_Count 8197 but holds 8 entries"]
    saeed = next(p for p in parsed.parties if p.party_id == "10689")
    assert saeed.name == "SAEED, Muhammad" and saeed.kind is PartyKind.PERSON and saeed.programs == ["SDGT"]
    assert ("HAFIZ SAHIB", "weak_aka") in [(a.name, a.kind) for a in saeed.aliases]
    assert ("SAEED, Hafiz Muhammad", "aka") in [(a.name, a.kind) for a in saeed.aliases]
    assert saeed.countries == ["PK"]
    assert ("Passport", "BE5978421", "PK") in [(i.scheme, i.value, i.country) for i in saeed.identifiers]


def test_enhanced_counts(enhanced: ParsedList) -> None:
    assert enhanced.format == "ofac_enhanced_xml" and enhanced.source == "ofac_cons"
    assert enhanced.file_date == "2025-01-10"  # <dataAsOf>
    assert len(enhanced.parties) == 443
    kinds = Counter(p.kind for p in enhanced.parties)
    assert kinds[PartyKind.PERSON] == 80 and kinds[PartyKind.ORG] == 363  # grep -c 'refId="600">Individual'
    scripts = Counter(a.script for p in enhanced.parties for a in p.aliases)
    assert scripts["Hani"] == 6  # 5 Chinese Simplified + 1 Chinese Traditional translations
    assert scripts["Cyrl"] == 39  # 50 Cyrillic translations, 11 of them on addresses
    assert detect_format(ZIP).name == "ofac_enhanced_xml"


def test_enhanced_megvii_chinese_name(enhanced: ParsedList) -> None:
    megvii = next(p for p in enhanced.parties if p.party_id == "33091")
    assert megvii.name == "MEGVII TECHNOLOGY LIMITED"
    assert [(a.name, a.script) for a in megvii.aliases] == [("旷视科技有限公司", "Hani")]
    assert megvii.countries == ["KY", "CN"] and megvii.list_name == "Non-SDN CMIC List"
    assert megvii.dates["listed"] == "2021-12-16"
    assert megvii.addresses[1].city == "Beijing"


def test_enhanced_relationships_and_documents(enhanced: ParsedList) -> None:
    by_id = {p.party_id: p for p in enhanced.parties}
    owned = [p for p in enhanced.parties if p.parent_name]
    assert owned and all(p.extra["relationships"] for p in owned)
    assert any(p.parent_name == "VTB BANK PUBLIC JOINT STOCK COMPANY" for p in owned)
    uscc = [
        i for p in enhanced.parties for i in p.identifiers if i.scheme.startswith("Unified Social Credit")
    ]
    assert uscc and all(i.country in ("CN", "HK") for i in uscc)
    assert by_id["9639"].name == "HANIYA, Ismail Abdul Salah" and by_id["9639"].dates["birth"] == "1962"


def test_truncated_xml_names_line(tmp_path: Path, shared: Path) -> None:
    text = (shared / "lists" / "samples" / "ofac_sdn_sample.xml").read_text(encoding="utf-8")
    cut = tmp_path / "sdn.xml"
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(SourceError) as err:
        parse_file(cut)
    assert "sdn.xml" in str(err.value) and "line " in str(err.value) and "truncated" in str(err.value)


def test_entity_expansion_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE sdnList [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        "<sdnList><sdnEntry><uid>1</uid><lastName>&b;</lastName></sdnEntry></sdnList>"
    )
    with pytest.raises(SourceError, match="unsafe XML"):
        parse_file(bomb, format="ofac_sdn_xml")


def test_wrong_document_and_missing_name(tmp_path: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_text("<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>")
    with pytest.raises(SourceError, match="unexpected XML document element <CONSOLIDATED_LIST>"):
        parse_file(other, format="ofac_sdn_xml")
    noname = tmp_path / "noname.xml"
    noname.write_text("<sdnList><sdnEntry><uid>7</uid><sdnType>Entity</sdnType></sdnEntry></sdnList>")
    with pytest.raises(SourceError, match=r"record 0 \(uid 7\) has no name"):
        parse_file(noname, format="ofac_sdn_xml")


def test_zip_member_over_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "CONS_ENHANCED.XML", '<sanctionsData xmlns="x/ENHANCED_XML">' + " " * 5000 + "</sanctionsData>"
        )
    big = tmp_path / "big.zip"
    big.write_bytes(buffer.getvalue())
    monkeypatch.setattr(common, "MAX_UNCOMPRESSED_BYTES", 1000)  # the real limit is 512 MB
    with pytest.raises(SourceError, match="over the 1000-byte limit"):
        parse_file(big, format="ofac_enhanced_xml")
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.txt", "no list here")
    with pytest.raises(SourceError, match="no .xml member"):
        parse_file(empty, format="ofac_enhanced_xml")


def test_sdn_enhanced_is_its_own_source(tmp_path: Path) -> None:
    """SDN_ENHANCED.XML differs from CONS_ENHANCED.XML only in the list filter of publicationInfo; it
    must load as source ofac_sdn, not replace the non-SDN snapshot."""
    if not ZIP.exists():
        pytest.skip("../shared/data is not present")
    with zipfile.ZipFile(ZIP) as zf:
        text = zf.read("CONS_ENHANCED.XML").decode("utf-8")
    filter_line = '<sanctionsList refId="91512">Consolidated List</sanctionsList>'
    assert text.count(filter_line) == 1
    sdn = tmp_path / "SDN_ENHANCED.XML"
    sdn.write_text(
        text.replace(filter_line, '<sanctionsList refId="1550">SDN List</sanctionsList>'), encoding="utf-8"
    )
    assert detect_format(sdn).name == "ofac_sdn_enhanced_xml"
    parsed = parse_file(sdn)
    assert parsed.source == "ofac_sdn" and {p.source for p in parsed.parties} == {"ofac_sdn"}
    assert len(parsed.parties) == 443
