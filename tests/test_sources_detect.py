"""Format detection from content on every real list file: exactly one format claims each, and the
registry is complete (every module in FORMAT_MODULES registers, every format knows where it comes from)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from chipguard.sources import (
    FORMAT_MODULES,
    FORMATS,
    SourceError,
    base,
    common,
    detect_format,
    matching_formats,
    parse_file,
)
from chipguard.sources.common import country_code, detect_script

EXPECTED = {
    "lists/us_csl_2022-04.csv.gz": "csl_csv",
    "lists/samples/us_csl_sample_2019.csv": "csl_csv",
    "lists/samples/us_csl_sample_2025.csv": "csl_csv",
    "lists/ofac_2021-07": "ofac_sdn_csv",
    "lists/ofac_2021-07/sdn.csv": "ofac_sdn_csv",
    "lists/ofac_sdn_2024-05-03.csv": "ofac_sdn_csv",
    "lists/ofac_nonsdn_2025": "ofac_cons_csv",
    "lists/ofac_nonsdn_2025/cons_prim.csv": "ofac_cons_csv",
    "lists/samples/ofac_sdn_sample.xml": "ofac_sdn_xml",
    "lists/ofac_cons_enhanced_2025-01-10.zip": "ofac_enhanced_xml",
    "lists/un_consolidated_2026-02-27.xml": "un_xml",
    "lists/samples/un_sample.xml": "un_xml",
    "lists/samples/eu_sample.xml": "eu_xml",
    "lists/samples/eu_sanctions_sample.xml": "eu_xml",
    "lists/samples/uk_hmt_sample.csv": "uk_hmt_csv",
    "lists/bis_dpl_2022-09.txt": "bis_dpl",
    "lists/other/us_dod_1260h.csv": "dod_1260h_csv",
    "lists/other/us_fcc_covered_list.csv": "fcc_covered_csv",
    "lists/other/us_ndaa_section_154.csv": "us_ndaa154_csv",
    "lists/other/us_inksna.csv": "us_inksna_csv",
    "bench/xscript_watchlist.csv": "custom_csv",
}


def test_every_real_list_file_is_claimed_by_exactly_one_format(shared: Path) -> None:
    files = {str(p.relative_to(shared)) for p in (shared / "lists").rglob("*") if p.is_file()}
    companions = {f for f in files if Path(f).name in ("add.csv", "alt.csv", "sdn_comments.csv")}
    companions |= {f for f in files if Path(f).name.startswith("cons_") and not f.endswith("cons_prim.csv")}
    assert files - companions <= set(EXPECTED), "a list file in ../shared/data has no expected format"
    for relative, name in EXPECTED.items():
        assert [f.name for f in matching_formats(shared / relative)] == [name], relative
    for relative in companions:
        assert matching_formats(shared / relative) == [], relative


def test_companion_file_alone_is_refused_clearly(shared: Path) -> None:
    with pytest.raises(SourceError, match="companion file cannot be loaded alone"):
        parse_file(shared / "lists" / "ofac_2021-07" / "alt.csv")


def test_registry_is_complete() -> None:
    modules = {fmt.parse.__module__.rsplit(".", 1)[-1] for fmt in FORMATS.values()}
    assert modules == set(FORMAT_MODULES)
    for fmt in FORMATS.values():
        assert fmt.default_source
        assert fmt.official_url.startswith("https://") or fmt.name in ("custom_csv", "us_static_csv")


def test_gzip_xml_and_forced_format(shared: Path, tmp_path: Path) -> None:
    packed = tmp_path / "un.xml.gz"
    packed.write_bytes(gzip.compress((shared / "lists" / "samples" / "un_sample.xml").read_bytes()))
    assert detect_format(packed).name == "un_xml"
    assert len(parse_file(packed).parties) == 7
    with pytest.raises(SourceError, match="unexpected XML document element <CONSOLIDATED_LIST>"):
        parse_file(packed, format="eu_xml")
    with pytest.raises(SourceError, match="unknown format 'nope'"):
        parse_file(packed, format="nope")
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(packed.read_bytes()[:2000])
    with pytest.raises(SourceError, match=r"cut.xml.gz: unreadable file: Compressed file ended"):
        parse_file(cut, format="un_xml")


def test_garbage_and_size_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SourceError, match="garbage.bin: unrecognised list format; use --format"):
        parse_file(garbage)
    big = tmp_path / "big.csv"
    big.write_text("id,name,aliases,type,country\n" + "X1,Y,,Person,CN\n" * 100)
    monkeypatch.setattr(base, "MAX_FILE_BYTES", 100)  # the real limit is 512 MB
    with pytest.raises(SourceError, match="over the 100-byte limit"):
        parse_file(big)
    bomb = tmp_path / "bomb.xml.gz"
    bomb.write_bytes(gzip.compress(b"<CONSOLIDATED_LIST>" + b" " * 10_000 + b"</CONSOLIDATED_LIST>"))
    monkeypatch.setattr(common, "MAX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(SourceError, match="uncompressed content is over the 1000-byte limit"):
        parse_file(bomb, format="un_xml")


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("旷视科技有限公司", "Hani"),
        ("БАНК ВТБ ПАО", "Cyrl"),
        ("صدام حسين التكريتي", "Arab"),
        ("조선광업개발무역회사", "Hang"),
        ("ソニー株式会社", "Jpan"),
        ("Megvii Technology", "Latn"),
        ("Ελληνικά", "Grek"),
        ("12345", "Latn"),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Korea, North", "KP"),
        ("Democratic People's Republic of Korea", "KP"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Burma", "MM"),
        ("China", "CN"),
        ("Hong Kong", "HK"),
        ("Russian", "RU"),
        ("Pakistan (location as at May 2008)", "PK"),
        ("Türkiye", "TR"),
        ("Congo, Democratic Republic of the", "CD"),
        ("cn", "CN"),
        ("-0-", ""),
        ("Atlantis", ""),
    ],
)
def test_country_code(name: str, code: str) -> None:
    assert country_code(name) == code
