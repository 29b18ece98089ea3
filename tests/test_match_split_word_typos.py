"""Two evasions left by session 10 (issue 12: every disguise ≥ 0.98), fixed as classes:

- a typo inside a word the analysis splits on one side only: the list's "MOKU GOLDMINES AG" is read "moku
  gold mines ag" (a known word, "mines", run onto a name), the query "MOKU GOLDIMNES AG" (two letters
  swapped) "moku goldimnes ag", and the two met only through "gold", as an abbreviation (0.70). The
  scorer now joins two adjacent words whose concatenation is one edit from a word of the other name
  (matching.yml ``name_score.split_word_typo``; eight letters or more, ``word_lengths.typo_two_edits``,
  same first letter) and pairs the joined word as a typo. The mirror: "PERTOCHEMICALS" is read "perto
  chemicals" against the listed "PETROCHEMICALS";
- a lone letter glued to a dotted legal form: "B R CS.A." for the listed "B R C S.A." read "br cs a",
  "SKODA JSA.S." for "SKODA JS A.S." read "skoda jsa s": a dotted legal form glued to the word before it
  was detached only after a word of four letters or more ("GELRO IMPEXS.R.L.", session 10);
- found on the check seeds 12 and 13: a dotted legal form with a letter and a dot swapped ("LAMA FOODS
  S.AR..L.", "CYLINDER SYSTEM L.T..D", "INVERSIONES MEYBAR SA..S.") read as loose letters ("s ar l"), each
  a distinctive word of the name: its letters are the legal form when a dot is doubled and they spell a
  one-word legal form (no list name and no bench query is written so).

Real list names; the screening test skips without the shared data."""

from __future__ import annotations

import pytest

from chipguard.match.screener import compare
from chipguard.names.analysis import LEGAL, analyze
from tests.csl_support import csl_2022_screener


@pytest.mark.parametrize(
    ("query", "listed", "merged"),
    [
        ("MOKU GOLDIMNES AG", "MOKU GOLDMINES AG", "list: 'gold' + 'mines' → 'goldmines' (a typo)"),
        (
            "GAZPROM SOTISNVEST, OOO",
            "GAZPROM SOTSINVEST, OOO",
            "list: 'sots' + 'invest' → 'sotsinvest' (a typo)",
        ),
        (
            "ORBIT PERTOCHEMICALS",
            "ORBIT PETROCHEMICALS",
            "query: 'perto' + 'chemicals' → 'pertochemicals' (a typo)",
        ),
    ],
)
def test_a_typo_in_a_word_split_on_one_side_meets_the_whole_word(
    query: str, listed: str, merged: str
) -> None:
    result = compare(query, listed, kind="org")
    assert result.score >= 0.9
    assert merged in result.explanation["merged_tokens"]


def test_words_of_their_own_are_not_joined_as_a_typo() -> None:
    # both words are the other name's own: "gold" and "mines" stay two words
    assert compare("MOKU GOLD MINES AG", "MOKU GOLDMINES AG", kind="org").explanation["merged_tokens"] == []
    # both sides split ("gold minds", "gold mines"): no whole word to join to, the words pair one by one
    assert not compare("MOKU GOLD MINDS", "MOKU GOLDMINES", kind="org").explanation["merged_tokens"]


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("B R CS.A.", ["brc", "sa"]),  # as "B R C S.A."
        ("SKODA JSA.S.", ["skoda", "js", "as"]),  # as "SKODA JS A.S."
        ("GELRO IMPEXS.R.L.", ["gelro", "impex", "srl"]),  # as before
        ("U.S.A. TRADING", ["usa", "trading"]),  # a dotted acronym: no legal form, left alone
    ],
)
def test_a_lone_letter_glued_to_a_dotted_legal_form_is_detached(written: str, words: list[str]) -> None:
    tokens = analyze(written).tokens
    assert [t.text for t in tokens] == words
    if words[-1] in ("sa", "as", "srl"):
        assert tokens[-1].cls == LEGAL


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("LAMA FOODS S.AR..L.", ["lama", "foods", "sarl"]),  # as "LAMA FOODS S.A.R.L."
        ("CYLINDER SYSTEM L.T..D", ["cylinder", "system", "ltd"]),
        ("INVERSIONES MEYBAR SA..S.", ["inversiones", "meybar", "sas"]),
        ("GELRO IMPEX S.R..L", ["gelro", "impex", "srl"]),
        ("A.WA.. ENGINEERING", ["a", "wa", "engineering"]),  # "awa" is no legal form: left alone
    ],
)
def test_a_dotted_legal_form_with_a_dot_swapped_is_the_legal_form(written: str, words: list[str]) -> None:
    tokens = analyze(written).tokens
    assert [t.text for t in tokens] == words
    assert (tokens[-1].cls == LEGAL) == (words[-1] != "engineering")


def test_screening_finds_the_listed_firms() -> None:
    screener = csl_2022_screener()
    cases = {
        "MOKU GOLDIMNES AG": "MOKU GOLDMINES AG",
        "B R CS.A.": "B R C S.A.",
        "SKODA JSA.S.": "SKODA JS A.S.",
        "LAMA FOODS S.AR..L.": "LAMA FOODS S.A.R.L.",
        "CYLINDER SYSTEM L.T..D": "CYLINDER SYSTEM L.T.D.",
    }
    for query, listed in cases.items():
        assert listed in {h.name for h in screener.screen(query, kind="org")}, query
