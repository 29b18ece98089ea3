"""BIS Denied Persons List (tab-separated) on the real 2022-09 file. Independent count:
``grep -c . bis_dpl_2022-09.txt`` = 582 lines = header + 581 records (no cell holds a newline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipguard.sources import SourceError, detect_format, parse_file


def test_dpl_file(shared: Path) -> None:
    path = shared / "lists" / "bis_dpl_2022-09.txt"
    assert detect_format(path).name == "bis_dpl"
    parsed = parse_file(path)
    assert parsed.source == "bis_dpl" and len(parsed.parties) == 581
    # no id column: ids are content hashes, unique even for the two verbatim-duplicate rows
    assert len({p.party_id for p in parsed.parties}) == 581
    assert parse_file(path).parties[100].party_id == parsed.parties[100].party_id  # stable
    by_name = {p.name: p for p in parsed.parties}
    # grep -c 'A/K/A\|A\.K\.A\.' finds the two names with an inline alias
    assert [a.name for a in by_name["FUYI SUN"].aliases] == ["FRANK SUN"]
    assert [a.name for a in by_name["PEARL LI"].aliases] == ["NEI-CHIEN CHU"]
    ash = next(p for p in parsed.parties if p.name == "I. ASH")  # first of its rows
    assert (
        ash.countries == ["US"]
        and ash.addresses[0].city == "SEAGOVILLE"
        and ash.dates["start"] == "2003-06-19"
    )
    assert ash.federal_register.startswith("68 F.R. 38290")


def test_dpl_malformed(tmp_path: Path, shared: Path) -> None:
    lines = (shared / "lists" / "bis_dpl_2022-09.txt").read_text(encoding="utf-8").splitlines()
    short = tmp_path / "dpl.txt"
    short.write_text("\n".join([lines[0], lines[1], '"ONLY A NAME"\t"X"']) + "\n")
    with pytest.raises(SourceError, match=r"dpl.txt, line 3: row has 2 cells"):
        parse_file(short)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(lines[0].replace('"Street_Address"', '"Street"') + "\n" + lines[1] + "\n")
    with pytest.raises(SourceError, match=r"line 1, field 'Street_Address'"):
        parse_file(wrong, format="bis_dpl")
