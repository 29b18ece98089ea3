"""CSL JSON export: a four-record fixture derived verbatim from real rows of the 2022-04 CSL CSV (see
tests/fixtures/sources/README.md). The same records parsed from the CSV and from the JSON must agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chipguard.model import PartyKind
from chipguard.sources import SourceError, detect_format, parse_file

FIXTURE = Path(__file__).parent / "fixtures" / "sources" / "csl_2022-04_subset.json"


def test_json_fixture_parses() -> None:
    assert detect_format(FIXTURE).name == "csl_json"
    parsed = parse_file(FIXTURE)
    assert parsed.format == "csl_json" and parsed.source == "us_csl"
    assert len(parsed.parties) == len(json.loads(FIXTURE.read_text(encoding="utf-8"))["results"]) == 4
    by_id = {p.party_id: p for p in parsed.parties}
    huawei = by_id["d05d55fa214aff19c1eb3270d54905e4e362d445"]
    assert huawei.countries == ["CN"] and huawei.addresses[0].city == "Shenzhen"
    assert huawei.addresses[0].postal_code == "518129"
    assert [a.name for a in huawei.aliases] == ["Shenzhen Huawei Technologies", "Huawei Technology"]
    wolf = by_id["22554"]
    assert wolf.kind is PartyKind.ORG and wolf.programs == ["UKRAINE-EO13660"]
    assert ("Tax ID No.", "7736640919", "RU") in [(i.scheme, i.value, i.country) for i in wolf.identifiers]
    assert by_id["21944"].kind is PartyKind.PERSON and by_id["21944"].dates["birth"] == "1973-03-25"


def test_json_agrees_with_csv(shared: Path) -> None:
    from_csv = {p.party_id: p for p in parse_file(shared / "lists" / "us_csl_2022-04.csv.gz").parties}
    for party in parse_file(FIXTURE).parties:
        twin = from_csv[party.party_id]
        assert (party.name, party.kind, party.list_name, party.countries) == (
            twin.name,
            twin.kind,
            twin.list_name,
            twin.countries,
        )
        assert [a.name for a in party.aliases] == [a.name for a in twin.aliases]
        assert [(i.scheme, i.value, i.country) for i in party.identifiers] == [
            (i.scheme, i.value, i.country) for i in twin.identifiers
        ]


def test_json_malformed(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(SourceError, match=r"cut.json, line \d+: invalid JSON"):
        parse_file(cut, format="csl_json")
    nameless = tmp_path / "nameless.json"
    nameless.write_text('{"results": [{"id": "1", "name": ""}]}')
    with pytest.raises(SourceError, match=r"results\[0\].name"):
        parse_file(nameless)
