"""A Chinese query must not meet a record's English name more generously than the record's own Chinese
name (issue 12, session 9; the mirror of tests/test_match_translated_partner.py): 华为技术有限公司
(Huawei Technologies) confirmed the Entity List's Huawei Tech. Investment Co., Limited at 0.966 through
"Huawei Tech. Investment Co., Limited" — the translation discount (``weights.translated_unmatched``)
forgave "Investment" — although that record carries 华为技术投资有限公司 (curated file), which the query
meets Han to Han at 0.87. With ``name_score.translated_record_script_needs_partner`` the English name's
unmatched words weigh less only as many as the query leaves unmatched when the record has a Chinese name
of its own; a record with English names only keeps the discount (the translation is the only road).
Real names; the CSL test skips without the shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipguard.match.screener import Screener
from chipguard.model import Alias, Party, PartyKind
from tests.csl_support import csl_2022_parties
from tests.scorer_support import scorer_config_with

TECH_INVESTMENT = "Huawei Tech. Investment Co., Limited"


def _without_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scorer as it was before the key (matching_introduced.yml: false)."""
    scorer_config_with(monkeypatch, record_script_needs_partner=False)


def _record(chinese: str | None) -> Party:
    aliases = [Alias(chinese, "Hani", "aka")] if chinese else []
    return Party("custom", "1", TECH_INVESTMENT, PartyKind.ORG, aliases=aliases, countries=["HK"])


def _score(party: Party, query: str) -> float:
    hits = Screener([party], enrich=False).screen(query, kind="org", country="CN")
    return max((h.score for h in hits), default=0.0)


def test_a_chinese_query_meets_the_english_name_of_a_record_with_its_own_chinese_name_strictly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = "华为技术有限公司"
    english_only = _score(_record(None), query)
    with_chinese = _score(_record("华为技术投资有限公司"), query)
    # no Chinese name on the record: the translation is the only road, "Investment" keeps the discount
    assert english_only > 0.95
    # the record writes 投资 itself: "Investment" is an extra word, neither road confirms
    assert 0.8 <= with_chinese < 0.92
    _without_rule(monkeypatch)
    assert _score(_record("华为技术投资有限公司"), query) == pytest.approx(english_only)


def test_the_records_own_chinese_name_still_meets_it_whole() -> None:
    # the rule touches only the road through the English name
    hits = Screener([_record("华为技术投资有限公司")], enrich=False).screen(
        "华为技术投资有限公司", kind="org", country="CN"
    )
    assert hits and hits[0].score == pytest.approx(1.0) and hits[0].matched_name == "华为技术投资有限公司"


def test_screening_huawei_technologies_in_chinese_no_longer_confirms_its_sister_firms(
    shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    parties = csl_2022_parties()
    csl = Screener(parties)
    hits = csl.screen("华为技术有限公司", kind="org", country="CN", limit=60)
    sisters = [h for h in hits if h.name in (TECH_INVESTMENT, "Huawei Technical Service Co., Ltd.,")]
    assert sisters and all(h.strength != "confirmed" and h.score < 0.95 for h in sisters)
    own = [h for h in hits if h.name == "HUAWEI TECHNOLOGIES CO., LTD."]
    assert own and all(h.strength == "confirmed" for h in own)  # the firm itself is still confirmed
    _without_rule(monkeypatch)
    before = Screener(parties).screen("华为技术有限公司", kind="org", country="CN", limit=60)
    assert any(h.name == TECH_INVESTMENT and h.strength == "confirmed" for h in before)
