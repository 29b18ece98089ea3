"""A word naming a country is a region in a translated pair, whichever list names it (issue 12, session 10;
``name_score.translated_country_is_region``). A translated pair lowers its unmatched words as possible
synonyms (``weights.translated_unmatched``); the vocabulary's country words (Kenya) were never lowered, the
countries' own names from country_names.yml (Jamaica, ISO 3166-1 / CLDR) were, as ordinary words. So
华为技术有限公司 met "Huawei Technologies Jamaica Company Limited" — the Huawei subsidiary in Jamaica on
the Entity List — at 0.905, a potential hit, and the same name with Kenya at 0.781, under the threshold."""

from __future__ import annotations

import pytest

from chipguard.match.screener import compare
from tests.scorer_support import scorer_config_with

HUAWEI = "华为技术有限公司"


def _rule(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    scorer_config_with(monkeypatch, translated_country_is_region=on)


@pytest.mark.parametrize("country", ["Jamaica", "Deutschland", "Angola"])
def test_a_countrys_own_name_is_not_lowered_in_a_translated_pair(
    monkeypatch: pytest.MonkeyPatch, country: str
) -> None:
    """Either direction of translation (a Chinese query against the English name, an English query
    against the Chinese name) gives the same score, and the country word weighs whole: not above the
    pair with a word of the vocabulary's own country list."""
    listed = f"Huawei Technologies {country} Company Limited"
    forward = compare(HUAWEI, listed, kind="org").score
    assert forward < 0.8  # no hit: a subsidiary in another country adds its region
    assert forward == pytest.approx(compare(listed, HUAWEI, kind="org").score)
    _rule(monkeypatch, False)
    assert compare(HUAWEI, listed, kind="org").score > 0.85  # before: lowered as a possible synonym


def test_a_vocabulary_country_word_is_weighed_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    kenya = "Huawei Technologies Kenya Company Limited"
    on = compare(HUAWEI, kenya, kind="org").score
    _rule(monkeypatch, False)
    assert compare(HUAWEI, kenya, kind="org").score == pytest.approx(on)


def test_the_chinese_query_naming_the_country_is_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mirror: the country in the Chinese query (华为技术牙买加有限公司 → "… Jamaica …") against the
    parent's English name is not lowered either."""
    english = "Huawei Technologies Co., Ltd."
    jamaica = compare("华为技术牙买加有限公司", english, kind="org").score
    assert jamaica < 0.8
    _rule(monkeypatch, False)
    assert compare("华为技术牙买加有限公司", english, kind="org").score > 0.85
