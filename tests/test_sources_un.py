"""UN consolidated XML on the real files (parsed once per module: the full list is 2 MB). Independent
counts: ``grep -c '<INDIVIDUAL>'`` / ``grep -c '<ENTITY>'``, ``grep -c '<QUALITY>Low'``,
``grep -c '<QUALITY>f.k.a.'`` on the file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from chipguard.model import PartyKind
from chipguard.settings import settings
from chipguard.sources import ParsedList, SourceError, detect_format, parse_file

SHARED = settings().shared_data
FULL = SHARED / "lists" / "un_consolidated_2026-02-27.xml"


@pytest.fixture(scope="module")
def un() -> ParsedList:
    if not FULL.exists():
        pytest.skip("../shared/data is not present")
    return parse_file(FULL)


def test_counts_and_date(un: ParsedList) -> None:
    assert un.format == "un_xml" and un.source == "un" and un.file_date == "2026-02-27"
    kinds = Counter(p.kind for p in un.parties)
    assert kinds[PartyKind.PERSON] == 730 and kinds[PartyKind.ORG] == 273
    assert len({p.party_id for p in un.parties}) == 1003  # DATAIDs are unique
    aliases = Counter(a.kind for p in un.parties for a in p.aliases)
    assert aliases["weak_aka"] == 615 and aliases["fka"] == 19
    programs = Counter(p.programs[0] for p in un.parties)
    assert programs["Al-Qaida"] == 341 and programs["DPRK"] == 155  # grep -c '<UN_LIST_TYPE>DPRK'
    assert detect_format(FULL).name == "un_xml"


def test_original_script_and_mixed_aliases(un: ParsedList) -> None:
    by_id = {p.party_id: p for p in un.parties}
    kim = by_id["6908566"]  # alias "Jin Tiesan (金铁三)" is two names in two scripts
    assert kim.name == "KIM CHOL SAM" and kim.countries == ["KP"]
    assert [(a.name, a.script) for a in kim.aliases] == [("Jin Tiesan", "Latn"), ("金铁三", "Hani")]
    umarov = by_id["2960872"]
    assert ("Умаров Доку Хаматович", "Cyrl", "original_script") in [
        (a.name, a.script, a.kind) for a in umarov.aliases
    ]
    ryonha = by_id["690767"]
    assert ryonha.kind is PartyKind.ORG and ("朝鲜联合机械贸易会社", "Hani") in [
        (a.name, a.script) for a in ryonha.aliases
    ]
    assert by_id["6908402"].name == "ADF" and by_id["6908402"].dates["listed"] == "2014-06-30"


def test_sample_fields(shared: Path) -> None:
    parsed = parse_file(shared / "lists" / "samples" / "un_sample.xml")
    assert len(parsed.parties) == 7 and parsed.file_date == "2024-10-17"  # grep -c '<INDIVIDUAL>'
    jaber = next(p for p in parsed.parties if p.party_id == "2797952")
    assert jaber.name == "JABER ABDALLAH JABER AHMAD AL-JALAHMAH"
    assert jaber.aliases[0] == jaber.aliases[0].__class__(
        "جابر عبد الله جابر أحمد الجلاهمة", "Arab", "original_script"
    )
    assert ("Abdul-Ghani", "weak_aka") in [(a.name, a.kind) for a in jaber.aliases]
    assert ("Jaber Al-Jalamah", "aka") in [(a.name, a.kind) for a in jaber.aliases]
    assert jaber.countries == ["KW"] and jaber.dates["birth"] == "1959-09-24"
    assert ("Passport", "2541451", "KW") in [(i.scheme, i.value, i.country) for i in jaber.identifiers]
    assert jaber.programs == ["Al-Qaida"] and jaber.extra["reference_number"] == "QDi.237"


def test_truncated_and_nameless(tmp_path: Path, shared: Path) -> None:
    data = (shared / "lists" / "samples" / "un_sample.xml").read_bytes()
    cut = tmp_path / "un.xml"
    cut.write_bytes(data[:9000])
    with pytest.raises(SourceError, match=r"un\.xml, line \d+: malformed or truncated XML"):
        parse_file(cut)
    nameless = tmp_path / "nameless.xml"
    nameless.write_text(
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID></INDIVIDUAL>"
        "<INDIVIDUAL><DATAID>2</DATAID></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    with pytest.raises(
        SourceError, match=r"field 'FIRST_NAME': INDIVIDUAL record 0 \(DATAID 1\) has no name"
    ):
        parse_file(nameless)
    empty = tmp_path / "empty.xml"
    empty.write_text("<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>")
    with pytest.raises(SourceError, match="no <INDIVIDUAL> or <ENTITY> records"):
        parse_file(empty)


def test_bad_encoding(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(
        b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>\xff\xfe</FIRST_NAME>"
    )
    with pytest.raises(SourceError, match="bad.xml"):
        parse_file(bad, format="un_xml")
