"""Aerospace and Aviation are two industries, not two spellings of one symbol (issue 12 item 5: records that
cleared the threshold through a scorer leniency, not as the query's party).

symbols.yml (partly derived from OpenSanctions' name data) listed "aerospace" among the variants of the
``aviation`` symbol, so both words had one canonical form and met exactly: Iran's AEROSPACE INDUSTRIES
ORGANIZATION met the Entity List's AVIATION INDUSTRY CORPORATION OF CHINA (AVIC, through its Chinese name
航空工业) at 0.878, and CASIC (中国航天科工集团, China Aerospace Science and Industry) met AVIC at 0.876. 航天
(spaceflight, Aerospace) and 航空 (Aviation, Aeronautical) name the Chinese state groups apart (CASC and CASIC
are not AVIC) — zh/org_terms.yml renders them so — and Iran's AIO is not the Iran Aviation Industries
Organization. Now "aerospace" is its own word.

Real records: CSL 2022-04; skipped without the shared data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chipguard.match import screener as screener_module
from chipguard.match.screener import Screener
from chipguard.names import analysis
from chipguard.names.vocab import vocab
from tests.csl_support import csl_2022_parties, csl_2022_screener
from tests.watchlist_support import assert_apart, assert_met

# query → another body's listed name
OTHERS = {
    "AEROSPACE INDUSTRIES ORGANIZATION": "AVIATION INDUSTRY CORPORATION OF CHINA, LTD.",
    "中国航天科工集团有限公司": "AVIATION INDUSTRY CORPORATION OF CHINA, LTD.",
    "Aviation Industry Corporation of China": "CHINA AEROSPACE SCIENCE AND INDUSTRY CORPORATION LIMITED",
    "航天电子": "CHINA AVIONICS SYSTEMS COMPANY LIMITED",
}
# query → its own listed name
OWN = {
    "AEROSPACE INDUSTRIES ORGANIZATION": "AEROSPACE INDUSTRIES ORGANIZATION",
    "中国航天科工集团有限公司": "CHINA AEROSPACE SCIENCE AND INDUSTRY CORPORATION LIMITED",
    "中国航空工业集团有限公司": "AVIATION INDUSTRY CORPORATION OF CHINA, LTD.",
    "Aviation Industry Corp. of China": "AVIATION INDUSTRY CORPORATION OF CHINA, LTD.",
}


def _clear_name_caches() -> None:
    """Word canons are cached by the analysis (per word and per name) and by the query forms."""
    for name, obj in vars(analysis).items():
        if name != "vocab" and hasattr(obj, "cache_clear"):
            obj.cache_clear()
    screener_module.query_forms.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    _clear_name_caches()
    yield
    _clear_name_caches()


def test_aerospace_is_not_aviation() -> None:
    assert vocab().symbols.get(("aerospace",)) != "aviation"
    screener = csl_2022_screener()
    assert_apart(screener, OTHERS, OWN)


def test_with_aerospace_a_variant_of_aviation_the_other_group_met(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(vocab().symbols, ("aerospace",), "aviation")
    _clear_name_caches()
    screener = Screener(csl_2022_parties())  # (the shared screener's names were analysed before the patch)
    assert_met(screener, OTHERS)
