"""Chinese-name enrichment of listed parties, on the real bundled CSL and the DoD 1260H list."""

from __future__ import annotations

import copy
import unicodedata
from pathlib import Path

import pytest

from chipguard.config import data_dir
from chipguard.errors import InputError
from chipguard.model import Alias, Party
from chipguard.names.enrichment import (
    ALIAS_KIND,
    enrich_parties,
    load_listed_names,
    normalise_english,
    parse_entries,
)
from chipguard.names.scripts import latin_forms
from chipguard.settings import settings
from chipguard.sources import parse_file

SHARED = settings().shared_data
HIKVISION_ZH = "杭州海康威视数字技术股份有限公司"


@pytest.fixture(scope="module")
def csl() -> list[Party]:
    return parse_file(data_dir() / "lists" / "us_csl_2022-04.csv.gz").parties


@pytest.fixture(scope="module")
def dod() -> list[Party]:
    path = SHARED / "lists" / "other" / "us_dod_1260h.csv"
    if not path.is_file():
        pytest.skip("../shared/data is not present")
    return parse_file(path).parties


def _keys(parties: list[Party]) -> set[str]:
    return {normalise_english(n) for p in parties for n in [p.name, *(a.name for a in p.aliases)]}


def test_every_entry_joins_a_real_party(csl: list[Party], dod: list[Party]) -> None:
    """No dangling data: each English spelling is the name or alias of a party on the bundled CSL or the
    1260H list; only entries marked later_listing (listed after the CSL snapshot) may not join, and they
    must really be absent (else the mark is stale)."""
    keys = _keys(csl) | _keys(dod)
    entries = load_listed_names()
    dangling = [
        (e.line, name)
        for e in entries
        if not e.later_listing
        for name in e.english_names
        if normalise_english(name) not in keys
    ]
    assert dangling == []
    stale = [e.line for e in entries if e.later_listing and normalise_english(e.english) in keys]
    assert stale == []
    joined = [e for e in entries if not e.later_listing]
    print(f"{len(entries)} entries, {len(joined)} join the bundled CSL / DoD 1260H")
    assert len(joined) >= 150


def test_hikvision_csl_record_gets_its_chinese_legal_name(csl: list[Party]) -> None:
    records = [p for p in csl if "HIKVISION DIGITAL" in p.name.upper()]
    assert len(records) >= 2  # the CMIC and the Entity List records
    for party in enrich_parties(records):
        zh = [a for a in party.aliases if a.name == HIKVISION_ZH]
        assert zh == [Alias(name=HIKVISION_ZH, script="Hani", kind=ALIAS_KIND)]
        assert any(a.name == "海康威视" and a.script == "Hani" for a in party.aliases)
        provenance = {r["alias"]: r for r in party.extra["enrichment"]}
        assert provenance[HIKVISION_ZH]["source"].startswith("SZSE")
        assert provenance[HIKVISION_ZH]["form"] == "legal"


def test_enrichment_coverage(csl: list[Party], dod: list[Party]) -> None:
    # Speed is a benchmark matter (index build time in `make bench`), never a unit-test assertion.
    load_listed_names()
    enriched = enrich_parties(csl)
    changed_csl = sum(a is not b for a, b in zip(csl, enriched, strict=True))
    changed_dod = sum(a is not b for a, b in zip(dod, enrich_parties(dod), strict=True))
    print(f"enriched {changed_csl}/{len(csl)} CSL and {changed_dod}/{len(dod)} DoD 1260H parties")
    assert changed_csl >= 150
    assert changed_dod >= 100
    for party in enriched:
        added = [a for a in party.aliases if a.kind == ALIAS_KIND]
        # every added alias says where it came from, and none is added twice
        assert sorted(a.name for a in added) == sorted(r["alias"] for r in party.extra.get("enrichment", []))
        original = {a.name for a in party.aliases if a.kind != ALIAS_KIND} | {party.name}
        assert len({a.name for a in added}) == len(added) and not original & {a.name for a in added}


def test_inputs_are_not_mutated(csl: list[Party]) -> None:
    sample = [p for p in csl if any(c in p.countries for c in ("CN", "HK"))][:400]
    before = copy.deepcopy([p.to_dict() for p in sample])
    out = enrich_parties(sample)
    assert [p.to_dict() for p in sample] == before
    changed = [(a, b) for a, b in zip(sample, out, strict=True) if a is not b]
    assert changed, "the sample holds enriched parties"
    for original, copy_ in changed:
        assert copy_.aliases is not original.aliases and copy_.extra is not original.extra
        assert copy_.party_id == original.party_id and copy_.name == original.name
    # enriching an enriched party adds nothing more
    again = enrich_parties(out)
    assert all(a is b for a, b in zip(out, again, strict=True))


def test_entries_are_unique() -> None:
    entries = load_listed_names()
    english = [normalise_english(n) for e in entries for n in e.english_names]
    assert len(english) == len(set(english))
    chinese = [e.chinese for e in entries]
    assert len(chinese) == len(set(chinese))


def _is_han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK ") or ch == "〇"


def test_chinese_names_are_han_script() -> None:
    for entry in load_listed_names():
        for name, form in entry.chinese_names():
            core = name.replace("(", "").replace(")", "")
            assert core and all(_is_han(ch) for ch in core), (entry.line, form, name)
            assert len(name) >= 2
        assert entry.confidence in ("high", "medium") and entry.source


def test_latin_forms_handle_every_entry() -> None:
    for entry in load_listed_names():
        forms = latin_forms(entry.chinese)
        assert forms, entry.chinese
        assert all(f.text and f.text.isascii() for f in forms), entry.chinese
        for name, _form in entry.chinese_names()[1:]:
            latin_forms(name)


def test_bad_data_is_an_input_error_naming_line_and_field() -> None:
    good = 'entries:\n  - english: "A Co."\n    chinese: 甲公司\n    source: x\n    confidence: high\n'
    assert [e.chinese for e in parse_entries(good)] == ["甲公司"]
    latin = good.replace("甲公司", "Jia Gongsi")
    with pytest.raises(InputError) as err:
        parse_entries(latin, file="t.yml")
    assert err.value.line == 2 and err.value.field == "legal" and err.value.file == "t.yml"
    with pytest.raises(InputError) as err:
        parse_entries(good.replace("high", "low"))
    assert err.value.field == "confidence"
    dup = good + '  - english: "A CO"\n    chinese: 乙公司\n    source: x\n    confidence: high\n'
    with pytest.raises(InputError) as err:
        parse_entries(dup)
    assert err.value.line == 6 and err.value.field == "english"


def test_a_renamed_company_is_met_under_its_new_chinese_name() -> None:
    """美亚柏科 (listed as Xiamen Meiya Pico) renamed itself 国投智能 in 2023: a customer giving the new name
    must still meet the listed record, and the explanation says the alias came from the enrichment."""

    import chipguard
    from chipguard.match.screener import Screener
    from chipguard.sources import parse_file

    lists = Path(chipguard.__file__).parent / "data" / "lists" / "us_csl_2022-04.csv.gz"
    screener = Screener([p for p in parse_file(lists).parties if "CN" in p.countries])
    hits = screener.screen("国投智能(厦门)信息股份有限公司", kind="org", country="CN")
    assert hits and "MEIYA PICO" in hits[0].name.upper()
    assert hits[0].matched_name == "国投智能(厦门)信息股份有限公司"
