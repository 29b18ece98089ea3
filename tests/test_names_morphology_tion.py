"""A verb ending in -ce and its noun in -ction are one word's forms (morphology.yml's ``tion`` ending).

生产 is glossed "to produce" by CC-CEDICT (its only senses are verbs), so 新疆生产建设兵团 renders as
"Xinjiang Produce Construction Corps"; its listed name says "Production". The ending -ion left "product",
which meets "produce" no more than before; -tion leaves "produc", the root "produce" reduces to (reduce /
reduction, introduce / introduction alike). -ation stays out (general / generation)."""

from __future__ import annotations

import pytest

from chipguard import compare
from chipguard.names import morphology
from chipguard.names.morphology import MorphologyRules, variants


@pytest.mark.parametrize(
    ("a", "b"), [("produce", "production"), ("reduce", "reduction"), ("introduce", "introduction")]
)
def test_a_verb_meets_its_noun(a: str, b: str) -> None:
    assert variants(a, b) and variants(b, a)


@pytest.mark.parametrize(
    ("a", "b"), [("general", "generation"), ("relation", "relay"), ("relations", "relay")]
)
def test_other_words_stay_apart(a: str, b: str) -> None:
    assert not variants(a, b)


def test_the_translated_verb_finds_the_listed_noun(monkeypatch: pytest.MonkeyPatch) -> None:
    query, listed = "新疆生产建设兵团", "Xinjiang Production and Construction Corps"
    assert compare(query, listed).match
    # without the ending (its value before session 25) the verb and the noun are two words
    old = morphology.rules()
    monkeypatch.setattr(
        morphology,
        "rules",
        lambda: MorphologyRules(
            tuple(s for s in old.suffixes if s != "tion"),
            old.min_word,
            old.min_root,
            old.passes,
            old.exceptions,
        ),
    )
    morphology.roots.cache_clear()
    morphology._endings.cache_clear()
    try:
        assert not variants("produce", "production")
        assert not compare(query, listed).match
    finally:
        morphology.roots.cache_clear()
        morphology._endings.cache_clear()
