"""Two institutions' names sharing only generic words meet by their letters only when their own words do
(issue 12 item 2: token weight from how distinctive a word is; records that cleared the threshold through a
scorer leniency).

The character rule (name_score.character_similarity_floor) scores two organisation names by their letters when
those are at least 0.93 alike. 闽南师范大学 ("Minnan Normal University") also met Lingnan Normal University at
0.903: the letters were alike through "Normal University", and the words naming the bodies, a place each,
start with other letters, two edits apart — the word rules had found them other words. With
``name_score.character_sole_word_distinct`` two institutions' names that share no distinctive word and
leave one such word each, starting with different letters and two edits apart or more, are left to their
words; each body still meets its own name, and a typo at the first letter (Mefei for Hefei University) still
meets by the letters.

Real records: the xscript watchlist; skipped without the shared data."""

from __future__ import annotations

import pytest

from tests.scorer_support import scorer_config_with
from tests.watchlist_support import assert_apart, assert_met, xscript_watchlist

# query → another body's list name sharing only generic words, its own word of another first letter
OTHERS = {
    "闽南师范大学": "Lingnan Normal University",
    "Lingnan Normal University": "Minnan Normal University",
}
# query → its own list name (a typo at the first letter of the place among them)
OWN = {
    "闽南师范大学": "Minnan Normal University",
    "Lingnan Normal University": "Lingnan Normal University",
    "Mefei University": "Hefei University",
}


def test_institutions_sharing_only_generic_words_are_left_to_their_own_words() -> None:
    assert_apart(xscript_watchlist(), OTHERS, OWN)


def test_without_the_rule_the_letters_carried_them(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, character_sole_word_distinct=False)
    assert_met(xscript_watchlist(), OTHERS)
