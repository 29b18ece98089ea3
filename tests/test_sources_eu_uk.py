"""EU consolidated XML and UK HMT CSV on the real samples. Independent counts:
``grep -c '<sanctionEntity'`` (EU) and ``tail -n +3 uk_hmt_sample.csv | awk -F, '{print $NF}' | sort -u | wc -l``
(distinct Group IDs, the last column; 23 name rows collapse into 6 parties)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipguard.model import PartyKind
from chipguard.sources import SourceError, detect_format, parse_file


def test_eu_samples(shared: Path) -> None:
    samples = shared / "lists" / "samples"
    for name in ("eu_sample.xml", "eu_sanctions_sample.xml"):
        assert detect_format(samples / name).name == "eu_xml"
    parsed = parse_file(samples / "eu_sanctions_sample.xml")
    assert parsed.source == "eu" and parsed.file_date == "2020-04-15" and len(parsed.parties) == 7
    saddam = next(p for p in parsed.parties if p.party_id == "13")
    # the structured name wins over the nickname listed first
    assert saddam.name == "Saddam Hussein Al-Tikriti" and saddam.kind is PartyKind.PERSON
    assert [a.name for a in saddam.aliases] == ["Abou Ali", "Abu Ali"]
    assert saddam.countries == ["IQ"] and saddam.dates["birth"] == "1937-04-28" and saddam.programs == ["IRQ"]
    sample = parse_file(samples / "eu_sample.xml")
    assert len(sample.parties) == 7
    # the sample repeats logicalId 5468 (a test record "TestOneWord"): reported, not silently merged
    assert sample.warnings == ["sanctionEntity 5: logicalId 5468 occurs more than once"]
    aouadi = next(p for p in sample.parties if p.party_id == "927")
    assert ("passport", "L191609", "TN") in [(i.scheme, i.value, i.country) for i in aouadi.identifiers]
    manzi = next(p for p in sample.parties if p.party_id == "5807")
    assert manzi.countries == ["RW", "CD"] and manzi.dates["birth"] == "1954; 1953"


def test_eu_malformed(tmp_path: Path) -> None:
    ns = 'xmlns="http://eu.europa.ec/fpi/fsd/export"'
    nameless = tmp_path / "eu.xml"
    nameless.write_text(
        f'<export {ns}><sanctionEntity logicalId="9"><nameAlias wholeName=""/></sanctionEntity></export>'
    )
    with pytest.raises(SourceError, match=r"nameAlias.wholeName.*logicalId 9"):
        parse_file(nameless)
    cut = tmp_path / "cut.xml"
    cut.write_text(f'<export {ns}><sanctionEntity logicalId="9"><nameAlias wholeName="X"/>')
    with pytest.raises(SourceError, match=r"cut.xml, line 1: malformed or truncated XML"):
        parse_file(cut)


def test_uk_hmt_sample(shared: Path) -> None:
    path = shared / "lists" / "samples" / "uk_hmt_sample.csv"
    assert detect_format(path).name == "uk_hmt_csv"
    parsed = parse_file(path)
    assert parsed.source == "uk_hmt" and parsed.file_date == "2020-04-27"
    assert len(parsed.parties) == 6
    by_id = {p.party_id: p for p in parsed.parties}
    hojati = by_id["9053"]
    assert hojati.name == "Mohsen HOJATI" and hojati.kind is PartyKind.PERSON
    assert [(a.name, a.script, a.kind) for a in hojati.aliases] == [("محسن حجتی", "Arab", "original_script")]
    assert hojati.programs == ["Iran (nuclear proliferation)"] and hojati.dates["listed"] == "2007-03-24"
    so = by_id["11039"]  # 14 rows: the Prime Alias names the party, the AKA rows add one alias
    assert so.name == "Sang-kuk SO" and [a.name for a in so.aliases] == ["Sang Kuk SO"]
    assert so.dates["birth"].split("; ")[0] == "1936"  # 00/00/1936 keeps the year
    plotnitskii = by_id["13017"]
    assert ("Игорь Венедиктович ПЛОТНИЦКИЙ", "Cyrl") in [(a.name, a.script) for a in plotnitskii.aliases]
    assert by_id["9215"].countries == ["PK"]  # Nationality "Pakistani"
    # the UN record a designation implements, as "Other Information" cites it ("UN Ref IRi.018",
    # "(UN Ref):QDi.263"; the Lashkar-e-Tayyiba reference QDe.118 in the same text is another party's)
    refs = {pid: p.extra.get("un_reference_number") for pid, p in by_id.items()}
    assert refs["9053"] == "IRi.018" and refs["9215"] == "QDi.263" and refs["11039"] is None


def test_uk_malformed(tmp_path: Path, shared: Path) -> None:
    lines = (shared / "lists" / "samples" / "uk_hmt_sample.csv").read_text(encoding="utf-8").splitlines()
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(
        "Last Updated,27/04/2020\n" + lines[1].replace("Group ID", "Group") + "\n" + lines[2] + "\n"
    )
    with pytest.raises(SourceError) as err:
        parse_file(wrong, format="uk_hmt_csv")
    assert "wrong.csv" in str(err.value) and "line 2" in str(err.value) and "Group ID" in str(err.value)
    short = tmp_path / "short.csv"
    short.write_text("\n".join(lines[:3] + ["HOJATI,Mohsen"]) + "\n")
    with pytest.raises(SourceError, match=r"short.csv, line 4: row has 2 cells"):
        parse_file(short)
    header_only = tmp_path / "header.csv"
    header_only.write_text("\n".join(lines[:2]) + "\n")
    with pytest.raises(SourceError, match="no records"):
        parse_file(header_only)
