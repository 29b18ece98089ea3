"""Two different place or region words are never a typo of each other (issue 12, session 13): Southwest and
Northwest, Jiangnan and Jianghan, Hebei and Hebi name other places, so a name differing from another only by
its place is another body, not a misspelling (``name_score.place_words_distinct``; the words:
chipguard.names.vocab.place_words — the vocabulary's places and region words, the Chinese places of
CC-CEDICT spelt in pinyin). Before, "Southwest University of Political Science and Law" met the Northwest
one at 0.95 (confirmed on the name: a DENY), and "Beijing Normal University" met "Neijiang Normal
University" by the names' letters (0.906). A misspelt place (no place word) still meets as a typo. Real
records: CSL 2022-04, skipped without the shared data."""

from __future__ import annotations

import pytest

from chipguard.match.score import token_similarity
from chipguard.match.screener import compare
from chipguard.names.analysis import analyze
from chipguard.names.vocab import chinese_place_words, place_words
from tests.csl_support import csl_2022_screener
from tests.scorer_support import scorer_config_with


def _token(word: str):  # type: ignore[no-untyped-def]
    return analyze(word, False).tokens[0]


def _without_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scorer as it was before the key (matching_introduced.yml: false)."""
    scorer_config_with(monkeypatch, place_words_distinct=False)


def test_the_place_words_come_from_the_vocabularies() -> None:
    # vocabulary.yml places and region words; CC-CEDICT's Chinese places spelt in pinyin (内江市 less 市)
    assert {"hebei", "shaanxi", "southwest", "jiangnan"} <= place_words()
    assert {"neijiang", "jianghan", "hebi", "jiaxiang"} <= chinese_place_words()
    # a foreign place, one CC-CEDICT glosses under another spelling than its pinyin (九龙 Kowloon) or a
    # one-character place (丰县 Feng): not taken
    assert not {"kowloon", "tokyo", "feng", "xi"} & (place_words() | chinese_place_words())
    # the same direction in another form is no other place
    assert "southern" not in place_words()
    assert all(w and " " not in w for w in place_words() | chinese_place_words())


def test_two_place_words_are_no_typo(monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = [
        ("southwest", "northwest"),
        ("jiangnan", "jianghan"),
        ("hunan", "henan"),
        ("jiangxi", "jiangxia"),
    ]
    for a, b in pairs:
        for translated in (False, True):
            sim = token_similarity(_token(a), _token(b), False, translated, None, True)
            assert sim == (0.0, ""), (a, b)
    # a Chinese county's name is a place in an institution's name only: in a company's name it is as often
    # the trade name (嘉祥 Jiaxiang), and a trade name misspelt into another county's (金乡 Jinxiang) is a typo
    assert token_similarity(_token("jinxiang"), _token("jiaxiang"), False)[1] == "typo"
    assert token_similarity(_token("jinxiang"), _token("jiaxiang"), False, False, None, True) == (0.0, "")
    assert token_similarity(_token("hunan"), _token("henan"), False) == (0.0, "")
    assert token_similarity(_token("south"), _token("southern"), False)[1] == "abbreviation"
    # a misspelt place (no place word) is still a typo
    assert token_similarity(_token("sichaun"), _token("sichuan"), False)[1] == "typo"
    # a person's name is not read for places
    assert token_similarity(_token("henan"), _token("hunan"), True)[0] > 0
    _without_rule(monkeypatch)
    assert token_similarity(_token("southwest"), _token("northwest"), False) == (pytest.approx(0.78), "typo")
    # (one a prefix of the other: with the typo ruled out the stem rule must not take it instead)
    assert token_similarity(_token("jiangxi"), _token("jiangxia"), False)[1] == "typo"


def test_two_bodies_of_other_places_do_not_meet(monkeypatch: pytest.MonkeyPatch) -> None:
    law = (
        "Southwest University of Political Science and Law",
        "Northwest University of Political Science and Law",
    )
    normal = ("Beijing Normal University", "Neijiang Normal University")
    assert compare(*law, kind="org").score < 0.8
    # the letters of the two names are alike because their places are: no character_similarity
    assert compare(*normal, kind="org").score < 0.8
    assert (
        compare(
            "Wuhna Digital Engineering Institute", "Wuhan Digital Engineering Institute", kind="org"
        ).score
        > 0.9
    )
    _without_rule(monkeypatch)
    assert compare(*law, kind="org").score > 0.95
    # (two institutions' own words of other first letters: name_score.character_sole_word_distinct too)
    scorer_config_with(monkeypatch, place_words_distinct=False, character_sole_word_distinct=False)
    assert compare(*normal, kind="org").score == pytest.approx(0.906, abs=0.001)


def _on(query: str, listed: str) -> list[tuple[float, str]]:
    hits = csl_2022_screener().screen(query, kind="org", country="CN")
    return [(round(h.score, 3), h.strength) for h in hits if h.matched_name == listed]


def test_a_listed_institute_of_another_place_is_no_hit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Wu'an (武安, Hebei) and Hebi (鹤壁, Henan) are other cities than Wuhan and Hebei
    assert _on("Wuan Digital Engineering Institute", "Wuhan Digital Engineering Institute.") == []
    assert _on("Hebi Semiconductor Research Institute", "Hebei Semiconductor Research Institute") == []
    # (names of CSSC's 709th and CETC's 13th institutes) a misspelt place still finds the listed institute
    # (an alert, as before the rule), and the listed name itself confirms
    assert _on("Wuhna Digital Engineering Institute", "Wuhan Digital Engineering Institute.") == [
        (0.939, "potential")
    ]
    assert _on("Hebei Semiconductor Research Institute", "Hebei Semiconductor Research Institute") == [
        (1.0, "confirmed")
    ]
    _without_rule(monkeypatch)
    assert (
        _on("Wuan Digital Engineering Institute", "Wuhan Digital Engineering Institute.")[0][1] == "confirmed"
    )
    assert (
        _on("Hebi Semiconductor Research Institute", "Hebei Semiconductor Research Institute")[0][1]
        == "confirmed"
    )
