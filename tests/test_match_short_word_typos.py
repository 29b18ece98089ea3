"""A four-letter word one letter off is worth less than a five-letter one (issue 12, session 11): one edit
in four letters changes a quarter of the word, and such a word is often another real word. At 0.85 — what
a five-letter word one edit off is worth — a single four-letter word carried a whole name over the
threshold: "ADAM TRADING AND INVESTMENT LLC" alerted on INVERSIONES ADAG LTDA. (adam / adag, 0.809), "al
aqsa" scored 0.837 on the list name AQUA (aqsa / aqua), "GANGSHAN, Lang" 0.814 on "WANG, Mingshan" (a
person's one-letter variant lang / wang). matching.yml ``similarity.typo_very_short_word`` (below
``word_lengths.typo_very_short_word_below``) takes 0.05 more off such a typo and off a person's one-letter
variant; a translated pinyin word keeps its own deduction. Real list names; the screening tests skip
without the shared data."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from chipguard.match.config import scorer_config
from chipguard.match.score import token_similarity
from chipguard.match.screener import Screener, compare
from chipguard.names.analysis import Token, analyze
from tests.csl_support import csl_2022_screener


def _word(text: str, person: bool = False) -> Token:
    return analyze(text, person=person).tokens[0]


def test_a_four_letter_typo_is_worth_less_than_a_five_letter_one() -> None:
    cfg = scorer_config()
    assert cfg.typo_very_short_word > 0 and cfg.len_typo_very_short_word_below == 5
    four, how = token_similarity(_word("adam"), _word("adag"), person=False)
    assert how == "typo" and four == pytest.approx(0.80)
    five, how = token_similarity(_word("sankt"), _word("sanct"), person=False)
    assert how == "typo" and five == pytest.approx(0.85)
    # a person's one-letter variant of four letters likewise; of five letters as before (Gates / Cates).
    # (Lang / Wang, two first consonants, is no variant at all under word_lengths.
    # person_first_consonant_variant: J / Y writes one sound, the variant stands)
    yong, how = token_similarity(_word("yong", True), _word("jong", True), person=True)
    assert how == "one-letter-variant" and yong == pytest.approx(0.80)
    assert token_similarity(_word("lang", True), _word("wang", True), person=True) == (0.0, "")
    gates, _ = token_similarity(_word("gates", True), _word("cates", True), person=True)
    assert gates == pytest.approx(0.85)


@pytest.mark.parametrize(
    ("query", "listed", "kind"),
    [
        ("al aqsa", "AQUA", "org"),
        ("ADAM TRADING AND INVESTMENT LLC", "INVERSIONES ADAG LTDA.", "org"),
        ("GANGSHAN, Lang", "WANG, Mingshan", "person"),
    ],
)
def test_one_four_letter_word_one_letter_off_does_not_carry_a_name(
    query: str, listed: str, kind: str
) -> None:
    assert compare(query, listed, kind=kind).score < 0.8


@cache
def csl(shared: Path) -> Screener:
    return csl_2022_screener()


def test_screening_the_look_alikes_finds_their_own_records_only(shared: Path) -> None:
    from bench.retrieval import exhaustive

    screener = csl(shared)
    with exhaustive(screener):  # every listed name scored, not only the retrieved ones
        adam = {h.name for h in screener.screen("ADAM TRADING AND INVESTMENT LLC", kind="org", limit=50)}
        aqsa = {h.name for h in screener.screen("al aqsa", kind="org", limit=50)}
        lang = {h.name for h in screener.screen("GANGSHAN, Lang", kind="person", limit=50)}
    assert "ADAM TRADING AND INVESTMENT LLC" in adam and "INVERSIONES ADAG LTDA." not in adam
    assert "AL-AQSA" in aqsa and "AQUA" not in aqsa
    assert "WANG, Mingshan" not in lang


def test_a_four_letter_typo_in_a_longer_name_still_finds_the_record(shared: Path) -> None:
    screener = csl(shared)
    hits = {h.name: h.score for h in screener.screen("SINA SHIPPING COMPANY LIMITED", kind="org")}
    assert hits["SIMA SHIPPING COMPANY LIMITED"] >= 0.85
    hits = {h.name: h.score for h in screener.screen("kudo kai", kind="org")}
    assert hits["KODO-KAI"] >= 0.85
