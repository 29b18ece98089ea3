"""Administrative qualifiers ("Province", "Municipal", "Prefecture") weigh almost nothing: registered
English names add or drop them after the place."""

from __future__ import annotations

from chipguard import compare
from chipguard.names.analysis import ADMIN, analyze


def test_admin_words_are_their_own_class() -> None:
    tokens = analyze("Urumqi Municipal Public Security Bureau").tokens
    assert [t.text for t in tokens if t.cls == ADMIN] == ["municipal"]
    assert analyze("Urumqi Municipal Public Security Bureau").acronym == "umpsb"  # still an initial


def test_dropped_qualifier_still_matches_the_listed_bureau() -> None:
    # CSL 2022-04 lists "Hetian Prefecture Public Security Bureau" and "Tumushuke Municipal …"
    for query, listed in (
        ("Hetian Public Security Bureau", "Hetian Prefecture Public Security Bureau"),
        ("Tumushuke Municipality Public Security Bureau", "Tumushuke Municipal Public Security Bureau"),
    ):
        result = compare(query, listed, kind="org")
        assert result.match and result.score >= 0.9, (query, result.score, result.explanation)


def test_places_still_tell_bureaus_apart() -> None:
    result = compare(
        "Kashgar Prefecture Public Security Bureau", "Tacheng Prefecture Public Security Bureau", kind="org"
    )
    assert not result.match, result.explanation
