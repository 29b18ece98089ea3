"""Two names alike letter by letter only through the words they share do not meet by their letters (issue 12
item 5: records that cleared the threshold through a scorer leniency, not as the query's party).

The character rule (name_score.character_similarity_floor) scores two organisation names by their letters
when those are at least 0.93 alike: it forgives spacing and punctuation the word alignment cannot see (G & M
AUTOSS.A.C., IRON MOUNTIAN read "mount ian"). It also let "CK INTERNATIONAL LTD" meet the listed "A.C.
International" (0.903) and 湖南投资集团 ("Hunan Investment Group") meet HNA INVESTMENT GROUP CO.,LTD. (0.917):
names that line up word for word but for one short word a side, which the word rules had compared and found
other words; the letters were alike through "International" and "Investment Group". With
``name_score.character_short_word_distinct`` such a pair is left to its words — one word left unmatched on
each side, both written as words of letters, one shorter than word_lengths.typo, neither holding the other
and two edits apart or more (PTV / PVT is a typo the letters still forgive); in a translated pair only
when the translated word is a place (a Chinese firm's English name often writes its trade name by initials:
拓尔思 TRS, which still meets). The same letters spaced otherwise still meet.

Real records: CSL 2022-04 and the xscript watchlist; skipped without the shared data."""

from __future__ import annotations

import pytest

from tests.csl_support import csl_2022_screener
from tests.scorer_support import scorer_config_with
from tests.watchlist_support import best_scores, xscript_watchlist

# query → a list name sharing all but one short word with it (another firm)
CSL_OTHERS = {"CK INTERNATIONAL LTD": "A.C. International"}
WATCHLIST_OTHERS = {"湖南投资集团股份有限公司": "HNA INVESTMENT GROUP CO.,LTD."}
# query → its own list name, met by the letters (spacing, punctuation, a Chinese firm's initials)
CSL_OWN = {
    "G & M AUTOSS.A.C.": "G & M AUTOS S.A.C.",
    "DESARROLLO AGRICOLA ORGANICO S.P.R. DER.L.": "DESARROLLO AGRICOLA ORGANICO S.P.R. DE R.L.",
    "IRON MOUNTIAN ENTERPRISES LIMITED": "IRON MOUNTAIN ENTERPRISES LIMITED",
    "SHER MATCH INDUSTRIES (PTV.) LIMITED": "SHER MATCH INDUSTRIES (PVT.) LIMITED",  # a short word's typo
}
WATCHLIST_OWN = {
    "北京拓尔思信息技术股份有限公司": "Beijing TRS Information Technology Co., Ltd.",
    "顺发恒业股份公司": "SHUNFA HENGYE Corporation.",
}


def test_one_short_word_a_side_is_left_to_the_words() -> None:
    threshold = csl_2022_screener().threshold
    others = best_scores(csl_2022_screener(), CSL_OTHERS) | best_scores(xscript_watchlist(), WATCHLIST_OTHERS)
    assert all(score < threshold for score in others.values()), others


def test_the_same_letters_spaced_otherwise_and_initials_still_meet() -> None:
    threshold = csl_2022_screener().threshold
    own = best_scores(csl_2022_screener(), CSL_OWN) | best_scores(xscript_watchlist(), WATCHLIST_OWN)
    assert all(score >= threshold for score in own.values()), own


def test_without_the_rule_the_letters_carried_them(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, character_short_word_distinct=False)
    threshold = csl_2022_screener().threshold
    others = best_scores(csl_2022_screener(), CSL_OTHERS) | best_scores(xscript_watchlist(), WATCHLIST_OTHERS)
    assert all(score >= threshold for score in others.values()), others
