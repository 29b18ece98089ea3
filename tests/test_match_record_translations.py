"""A Latin query holding a record's trade name scores the record's translated Chinese names too (issue 12
item 5: no limit removes a record that would pass on its own).

A big name's sister record ("Huawei Device Co., Ltd.", its Chinese name 华为终端有限公司) is met by a parent
query ("Huawei Technologies Co., Ltd.") through its trade name "Huawei", whose full English name is then
scored (the trade-name rule) and stays under the scoring floor; its translated Chinese name, read "Huawei
Terminal Co Ltd", clears the threshold on its own (0.825) but ranks ~370th of the query's candidates, far
past the candidate limit, among the family's hundreds of names. matching.yml
``candidates_record_translations`` scores the record's translated names with its full names.

Real list names (CSL 2022-04 and the curated Chinese names), skipped without the shared data."""

from __future__ import annotations

import pytest
from scorer_support import scorer_config_with

from chipguard.match.screener import Screener
from tests.csl_support import csl_2022_parties, csl_2022_screener, csl_2022_screeners

QUERY = "Huawei Technologies Co., Ltd."
# records met only through a translation of their Chinese name: listed name, the translation that clears
SISTERS = {
    "Huawei Device Co., Ltd.": "华为终端有限公司",
    "Huawei Machine Co., Ltd.": "华为机器有限公司",
    "Xi?an Huawei Technologies Co., Ltd., Xi?an, Shaanxi": "西安华为技术有限公司",
}


def _hits(screener: Screener) -> dict[str, object]:
    return {h.name: h for h in screener.screen(QUERY, kind="org", limit=500)}


def test_a_sister_record_is_found_by_its_translated_chinese_name() -> None:
    built, mapped = csl_2022_screeners()
    for screener in (built, mapped):
        hits = _hits(screener)
        for listed, chinese in SISTERS.items():
            assert listed in hits, (listed, sorted(hits))
            hit = hits[listed]
            assert hit.matched_name == chinese  # type: ignore[attr-defined]
            assert hit.score >= screener.threshold  # type: ignore[attr-defined]
        # the query's own records still first, at 1.0
        assert next(iter(hits.values())).score == 1.0  # type: ignore[attr-defined]


def test_the_translated_names_of_a_record_are_its_anchored_full_entries() -> None:
    screener = csl_2022_screener()
    entries = screener.index.entries
    eid = next(
        i for i, e in enumerate(entries) if e.alias == "Huawei Device Co., Ltd." and e.variant == "core"
    )
    found = screener.translated_names(eid)
    assert [entries[i].analysis.original for i in found] == ["Huawei Terminal Co Ltd"]
    assert all(entries[i].party == entries[eid].party for i in found)
    # any entry of the record gives the same names
    assert screener.translated_names(found[0]) == found


def test_without_the_key_they_are_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    parties = csl_2022_parties()
    shipped = set(_hits(Screener(parties)))
    scorer_config_with(monkeypatch, candidates_record_translations=False)
    old = set(_hits(Screener(parties)))
    assert set(SISTERS) <= shipped
    assert not set(SISTERS) & old


def test_a_look_alike_sharing_the_trade_name_does_not_meet_the_translations() -> None:
    # an unlisted firm holding the trade name (look-alike set A's "HUAWEI CULTURE CO.,LTD") clears the
    # threshold on no record, so no record's translated name is scored for it: 华为技术有限公司, read
    # "Huawei Technology Co Ltd", would score 0.824 against it on its own
    screener = csl_2022_screener()
    assert screener.screen("HUAWEI CULTURE CO.,LTD", kind="org", country="CN", limit=50) == []
