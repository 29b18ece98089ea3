"""Light English morphology: translated words meet the registered form ("Chemistry" ~ "Chemical")."""

from __future__ import annotations

import pytest

from chipguard import compare
from chipguard.names.morphology import roots, variants


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("chemistry", "chemical"),
        ("finance", "financial"),
        ("ecology", "ecological"),
        ("agriculture", "agricultural"),
        ("biology", "biological"),
        ("medicine", "medical"),
        ("province", "provincial"),
        ("industry", "industrial"),
        ("forest", "forestry"),
    ],
)
def test_derivational_variants_meet(a: str, b: str) -> None:
    assert variants(a, b) and variants(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("general", "generation"),  # -ation changes the meaning: no such ending
        ("internal", "international"),
        ("electric", "electronic"),
        ("central", "centre"),  # listed exception
        ("normal", "norm"),  # too short to reduce: "Normal University" keeps its word
        ("chemical", "chemical"),  # equal words are not "variants" (they match exactly)
    ],
)
def test_other_words_stay_apart(a: str, b: str) -> None:
    assert not variants(a, b)


def test_short_and_non_latin_words_have_no_roots() -> None:
    assert roots("chem") == frozenset()
    assert roots("化学工业") == frozenset()
    assert "chem" in roots("chemistry")


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        # listed names from CSL 2022-04, queried as a word-by-word translation would write them
        ("Bandar Imam Petrochemistry Company", "BANDAR IMAM PETROCHEMICAL COMPANY"),
        (
            "Baotou Guanghua Chemistry Industry Corporation",
            "Baotou Guanghua Chemical Industrial Corporation",
        ),
    ],
)
def test_translated_forms_match_listed_names(query: str, listed: str) -> None:
    result = compare(query, listed, kind="org")
    assert result.match, (result.score, result.explanation)
    assert any(p["how"] == "morphology" for p in result.explanation["alignment"])


def test_morphology_does_not_merge_different_institutes() -> None:
    # a variant pair scores below an exact word: the two-word difference still separates them
    result = compare("Harbin Institute of Technology", "Beijing Institute of Technology", kind="org")
    assert not result.match
