"""Two adjacent words joined into a word of the other name take that word's class (issue 12, session 25:
the records lost to retrieval).

'Huawei Cloud She nzhen' (a space typed into Shenzhen) reached the CSL's 'Huawei Device (Shenzhen) Co.,
Ltd.' at 0.807, found by exhaustive retrieval only, while 'Huawei Cloud Shenzhen' spelt right stayed below
the threshold: ``_merge_adjacent`` joined "she" + "nzhen" into "shenzhen" as a proper word of its own, where
the list name holds Shenzhen as a place. A misspelling scored above the right spelling. With
``name_score.joined_word_class`` the joined word is the other name's word, class and all, and both
spellings score alike. Self-contained: two names through ``compare``."""

from __future__ import annotations

import pytest

from chipguard.match.screener import compare
from tests.scorer_support import scorer_config_with

LISTED = "Huawei Device (Shenzhen) Co., Ltd."
# the same record's Chinese name as the screener translates it (华为终端(深圳)有限公司), where the 0.807 was
TRANSLATED = "Huawei Terminal (Shenzhen) Co., Ltd."
# (space typed into a word, the name spelt right) — the joined word is a place, a number, a proper word
PAIRS = (
    ("Huawei Cloud She nzhen", "Huawei Cloud Shenzhen"),
    ("Huawei Device She nzhen Company", "Huawei Device Shenzhen Company"),
)


@pytest.mark.parametrize("listed", [LISTED, TRANSLATED])
@pytest.mark.parametrize(("typed", "right"), PAIRS)
def test_a_joined_word_scores_as_the_word_spelt_right(typed: str, right: str, listed: str) -> None:
    typed_score = compare(typed, listed, kind="org").score
    right_score = compare(right, listed, kind="org").score
    assert typed_score == pytest.approx(right_score, abs=0.005)


def test_without_the_rule_the_typo_scored_above_the_right_spelling(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, joined_word_class=False)
    for listed in (LISTED, TRANSLATED):
        typed_score = compare("Huawei Cloud She nzhen", listed, kind="org").score
        right_score = compare("Huawei Cloud Shenzhen", listed, kind="org").score
        assert typed_score > right_score + 0.02
