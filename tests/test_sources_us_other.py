"""DoD 1260H, FCC Covered List, NDAA §154 and INKSNA tables on the real files. Independent counts:
``wc -l`` minus the header (no cell holds a newline): 1260H 398-1, NDAA 7-1, INKSNA 29-1; FCC has 16 rows
of which 4 name a class of equipment rather than a producer (read by eye: UAS, routers, inverters,
robotic devices)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from chipguard.model import PartyKind
from chipguard.sources import SourceError, detect_format, parse_file


def test_dod_1260h(shared: Path) -> None:
    path = shared / "lists" / "other" / "us_dod_1260h.csv"
    assert detect_format(path).name == "dod_1260h_csv"
    parsed = parse_file(path)
    assert parsed.source == "dod_1260h" and len(parsed.parties) == 397
    assert sum(1 for p in parsed.parties if p.parent_name) == 197  # rows with a Parent Name
    assert sum(1 for p in parsed.parties if "end" in p.dates) == 21  # rows with an End date
    bj = next(
        p
        for p in parsed.parties
        if p.name == "Semiconductor Manufacturing International (Beijing) Corporation"
    )
    assert bj.parent_name == "Semiconductor Manufacturing International Corporation"
    assert [a.name for a in bj.aliases] == ["SMIC Beijing"] and bj.kind is PartyKind.ORG
    megvii = next(p for p in parsed.parties if "Megvii" in p.name)
    assert megvii.dates == {"start": "2024-01-31", "end": "2025-01-07"}
    chengdu = next(p for p in parsed.parties if p.name == "AVIC Chengdu Aircraft Co., Ltd.")
    assert [(a.name, a.kind) for a in chengdu.aliases] == [
        ("Zhonghang Electronic Measuring Instruments Company Limited", "fka"),
        ("ZEMIC", "fka"),
    ]


def test_fcc_covered(shared: Path) -> None:
    parsed = parse_file(shared / "lists" / "other" / "us_fcc_covered_list.csv")
    assert parsed.format == "fcc_covered_csv" and len(parsed.parties) == 12 and len(parsed.warnings) == 4
    names = [p.name for p in parsed.parties]
    assert names[:3] == [
        "Huawei Technologies Company",
        "ZTE Corporation",
        "Hytera Communications Corporation",
    ]
    assert "Kaspersky Lab, Inc." in names and "AO Kaspersky Lab" in names
    pacific = next(p for p in parsed.parties if p.name == "Pacific Networks Corp")
    assert [a.name for a in pacific.aliases] == ["ComNet (USA) LLC"] and pacific.dates[
        "listed"
    ] == "2022-09-20"


def test_static_tables(shared: Path) -> None:
    ndaa = parse_file(shared / "lists" / "other" / "us_ndaa_section_154.csv")
    assert ndaa.source == "us_ndaa_154" and len(ndaa.parties) == 6
    catl = next(p for p in ndaa.parties if p.name.startswith("Contemporary Amperex"))
    assert [a.name for a in catl.aliases] == ["CATL"] and catl.dates["start"] == "2027-10-01"
    inksna = parse_file(shared / "lists" / "other" / "us_inksna.csv")
    assert inksna.source == "us_inksna" and len(inksna.parties) == 28
    assert Counter(p.kind for p in inksna.parties) == {PartyKind.PERSON: 14, PartyKind.ORG: 14}
    countries = Counter(c for p in inksna.parties for c in p.countries)
    assert (
        countries["RU"] == 11 and countries["KP"] == 3 and countries["MY"] == 5
    )  # "Russia"/"Russian", "DPRK"


def test_malformed(tmp_path: Path) -> None:
    bad = tmp_path / "dod.csv"
    bad.write_text(
        "Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url\n,,,,,,,,\nX\n"
    )
    with pytest.raises(SourceError, match=r"dod.csv, line 3: row has 1 cells"):
        parse_file(bad)
    schema = tmp_path / "static.csv"
    schema.write_text("schema,name,aliases,topics,program,country\nPlanet,Mars,,,X,\n")
    with pytest.raises(SourceError, match=r"line 2, field 'schema'"):
        parse_file(schema)
