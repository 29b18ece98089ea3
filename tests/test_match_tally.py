"""Retrieval's two tallies give one answer: the numpy tally a large list's queries use (_ArrayTally) ranks,
cuts and answers as the dict tally (_DictTally) over the same posting lists — the same sums, the same
order among equal weights, the same partial flag — including the ranking of only the entries at or above a
lowest weight that retrieve asks for (issue 16: at 1M entities most entries met weigh less than any
candidate, and only those that can be candidates are sorted)."""

from __future__ import annotations

import random
from array import array

import numpy as np
import pytest

from chipguard.match.index import _ArrayTally, _DictTally

WEIGHTS = (0.05, 0.1, 0.25, 0.4, 0.5, 0.8, 1.0, 1.2, 2.0)  # few distinct weights: many equal sums


def _postings(
    rng: random.Random, n_keys: int, most: int, universe: int
) -> list[tuple[str, float, array[int]]]:
    out = []
    for k in range(n_keys):
        size = rng.choice((1, 3, 20, 200, most))
        ids = array("i", sorted(rng.sample(range(universe), min(size, universe))))
        out.append((f"t:k{k}", rng.choice(WEIGHTS), ids))
    return out


def _cases() -> list[tuple[list, list, list, array[int] | None]]:
    rng = random.Random(16)
    cases = []
    for _ in range(60):
        universe = rng.choice((300, 5_000, 100_000))
        short = _postings(rng, rng.randint(0, 8), 256, universe)
        long_ = [
            (
                f"t:long{k}",
                rng.choice(WEIGHTS),
                array("i", sorted(rng.sample(range(universe), min(3_000, universe)))),
            )
            for k in range(rng.randint(0, 4))
        ]
        same = _postings(rng, rng.randint(0, 1), 50, universe)
        same = [("s:" + k[2:], w, p) for k, w, p in same]
        same_order = array("i", sorted(rng.sample(range(universe), 30))) if rng.random() < 0.5 else None
        cases.append((short, same, long_, same_order))
    return cases


@pytest.mark.parametrize("floor", [0.6, 0.0])
def test_array_tally_answers_as_the_dict_tally(floor: float) -> None:
    partial = compared = 0
    for short, same, long_, same_order in _cases():
        d = _DictTally(short, same, long_, same_order, floor)
        a = _ArrayTally(short, same, long_, same_order, floor)
        assert (a.count, a.partial) == (d.count, d.partial)
        partial += d.partial
        if not d.count:
            continue
        compared += 1
        heaviest = d.heaviest()
        assert a.heaviest() == heaviest
        for limit in (1, 25, 200, d.count):
            full = d.ranked(limit)
            assert a.ranked(limit) == full
            for share in (1.0, 0.6, 0.3, 0.0):
                lowest = heaviest * share
                assert a.ranked(limit, lowest) == d.ranked(limit, lowest)
                # the entries at or above ``lowest`` among the ``limit`` heaviest, in the same order
                kept = [(e, w) for e, w in zip(*full, strict=True) if w >= lowest]
                assert list(zip(*d.ranked(limit, lowest), strict=True)) == kept
        for share in (1.0, 0.6, 0.3):
            assert a.at_least(heaviest * share) == d.at_least(heaviest * share)
        probe = np.arange(0, 100_000, 7, dtype=np.int32)
        assert a.has(probe).tolist() == d.has(probe).tolist()
    assert compared > 40
    if floor:
        assert partial > 0  # the partial tally (common keys only adding to what shorter ones met) is met


def test_one_posting_list_tallies_as_the_dict_tally() -> None:
    """A single posting list (the numpy tally takes it as it is, without sorting a stream): the same
    entries, weights and order met as the dict tally, alone or as the one list left beside common keys."""
    rng = random.Random(3)
    ids = array("i", sorted(rng.sample(range(50_000), 400)))
    common = array("i", sorted(rng.sample(range(50_000), 3_000)))
    for short, long_ in (([("t:one", 0.7, ids)], []), ([("t:one", 0.7, ids)], [("t:common", 0.05, common)])):
        d = _DictTally(short, [], long_, None, 0.6)
        a = _ArrayTally(short, [], long_, None, 0.6)
        assert (a.count, a.partial) == (d.count, d.partial)
        assert a.ranked(a.count) == d.ranked(d.count)
        assert a.at_least(0.7) == d.at_least(0.7)
