"""FollowTheMoney / OpenSanctions JSON lines: a five-entity fixture whose values come from real OFAC and
UN records (tests/fixtures/sources/README.md); 4 party schemata + 1 Sanction (``grep -c '"schema": "Sanction"'``)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from chipguard.model import PartyKind
from chipguard.sources import SourceError, detect_format, parse_file

FIXTURE = Path(__file__).parent / "fixtures" / "sources" / "opensanctions_subset.ftm.json"


def test_ftm_fixture() -> None:
    assert detect_format(FIXTURE).name == "ftm_json"
    parsed = parse_file(FIXTURE)
    assert parsed.source == "opensanctions" and len(parsed.parties) == 4
    assert parsed.warnings == ["skipped 1 non-party entities (Sanction: 1)"]
    by_id = {p.party_id: p for p in parsed.parties}
    megvii = by_id["ofac-33091"]
    assert megvii.kind is PartyKind.ORG and megvii.countries == ["KY", "CN"]
    assert [(a.name, a.script) for a in megvii.aliases] == [("旷视科技有限公司", "Hani")]
    assert [a.city for a in megvii.addresses] == ["", "Beijing"] and megvii.addresses[1].country == "CN"
    assert megvii.programs == ["CMIC-EO13959"] and megvii.extra["topics"] == ["sanction"]
    kim = by_id["unsc-6908566"]
    assert kim.kind is PartyKind.PERSON and kim.countries == ["KP"] and kim.dates["listed"]
    assert [(a.name, a.script) for a in kim.aliases] == [("Jin Tiesan", "Latn"), ("金铁三", "Hani")]
    haniya = by_id["ofac-9639"]  # nested sanctions entity carries the program
    assert haniya.programs == ["NS-PLC"] and haniya.dates["birth"] == "1962"


def test_ftm_gzip_and_malformed(tmp_path: Path) -> None:
    packed = tmp_path / "entities.ftm.json.gz"
    packed.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert len(parse_file(packed).parties) == 4
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "broken.json"
    broken.write_text("\n".join([lines[0], lines[2][:40]]) + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"broken.json, line 2: invalid JSON"):
        parse_file(broken, format="ftm_json")
    nameless = tmp_path / "nameless.json"
    nameless.write_text('{"id": "x1", "schema": "Person", "properties": {}}\n')
    with pytest.raises(SourceError, match=r"line 1, field 'properties.name'"):
        parse_file(nameless)
    only_relations = tmp_path / "relations.json"
    only_relations.write_text(lines[1] + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match="no Person / Company"):
        parse_file(only_relations)
