"""Custom list CSV ``id,name,aliases,type,country``: the benchmark's cross-script watchlist read as one
(only as parser input), plus a company deny list with every column and its mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipguard.model import PartyKind
from chipguard.sources import SourceError, detect_format, parse_file


def test_xscript_watchlist_reads_as_custom(shared: Path) -> None:
    path = shared / "bench" / "xscript_watchlist.csv"
    assert detect_format(path).name == "custom_csv"
    parsed = parse_file(path)
    # wc -l = 2895 lines = header + 2894 records
    assert parsed.source == "custom" and len(parsed.parties) == 2894
    first = parsed.parties[0]
    assert (first.party_id, first.name, first.kind, first.countries) == (
        "X00000",
        "Chinese Nutrition Society",
        PartyKind.ORG,
        ["CN"],
    )


def test_full_custom_list(tmp_path: Path) -> None:
    path = tmp_path / "deny.csv"
    path.write_text(
        "id,name,aliases,type,country,note\n"
        "D1,Megvii Technology Limited,旷视科技有限公司; Face++ ;MEGVII,Organization,CN;KY,from sales\n"
        "D2,Ivan Petrov,Иван Петров,Person,ru,\n"
        "D3,Ocean Star,,Vessel,,\n",
        encoding="utf-8",
    )
    parsed = parse_file(path)
    d1, d2, d3 = parsed.parties
    assert [(a.name, a.script) for a in d1.aliases] == [
        ("旷视科技有限公司", "Hani"),
        ("Face++", "Latn"),
        ("MEGVII", "Latn"),
    ]
    assert d1.countries == ["CN", "KY"] and d1.extra == {"note": "from sales"}
    assert d2.kind is PartyKind.PERSON and d2.countries == ["RU"] and d2.aliases[0].script == "Cyrl"
    assert d3.kind is PartyKind.VESSEL and d3.countries == []


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("D2,X,,Robot,CN", "type", "unknown type 'Robot'"),
        ("D2,X,,Person,China", "country", "not an ISO 3166-1 alpha-2"),
        ("D1,X,,Person,CN", "id", "already used on line 2"),
        ("D2,,,Person,CN", "name", "no name"),
    ],
)
def test_custom_mistakes_name_line_and_field(tmp_path: Path, row: str, field: str, message: str) -> None:
    path = tmp_path / "deny.csv"
    path.write_text(f"id,name,aliases,type,country\nD1,Fine Co,,Organization,CN\n{row}\n")
    with pytest.raises(SourceError) as err:
        parse_file(path)
    assert "deny.csv, line 3" in str(err.value) and f"field '{field}'" in str(err.value)
    assert message in str(err.value)


def test_custom_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "deny.csv"
    path.write_text("id,aliases,type\nD1,X,Person\n")
    with pytest.raises(SourceError, match=r"line 1, field 'name'"):
        parse_file(path, format="custom_csv")
