"""bench/near_person_dob.py builds its rows the way its docstring says: two of a person's three name
parts or more, one of them one letter off; the rule switched for the process only."""

from __future__ import annotations

import random

import pytest

from bench import near_person_dob as npd
from chipguard.match import evidence as ev


@pytest.mark.parametrize("seed", range(20))
def test_shape_keeps_two_parts_one_of_them_one_letter_off(seed: int) -> None:
    made = npd.shape("KLISHAS, Andrey Aleksandrovich", random.Random(seed))
    assert made is not None
    words = made.split()
    assert len(words) == 2 and "Aleksandrovich" not in words
    surname = next(w for w in words if w.isupper())
    given = next(w for w in words if not w.isupper())
    differs = [(a, b) for a, b in ((surname, "KLISHAS"), (given, "Andrey")) if a != b]
    assert len(differs) == 1  # one part changed …
    a, b = differs[0]
    assert len(a) == len(b) and a[0] == b[0] and sum(x != y for x, y in zip(a, b, strict=True)) == 1


@pytest.mark.parametrize(
    "name", ["HEJABI, Mahdi", "Huawei Technologies Co., Ltd.", "AL-QAIDA, Abu Bakr Muhammad"]
)
def test_shape_needs_surname_comma_and_two_given_parts(name: str) -> None:
    assert npd.shape(name, random.Random(1)) is None


def test_rule_switches_the_key_for_the_block_only() -> None:
    before = dict(ev.config())
    with npd.rule(False, near_person_margin=0.05):
        assert ev.near_person_margin() is None
        assert ev.config()["near_person_margin"] == 0.05
    with npd.rule(True):
        assert ev.near_person_margin() == before["near_person_margin"]
    assert ev.config() == before
