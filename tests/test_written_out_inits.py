"""The hot dataclasses whose ``__init__`` is written out (chipguard.match.score's Pair and Scored,
chipguard.match.index's Entry, chipguard.names.analysis's frozen Token and NameAnalysis, chipguard.match.pairs's
PairScore): compiled by chipguard.native, a class's own ``__init__`` is native where the
dataclass's generated one is interpreted (BENCHMARKS.md, session 12, speed8). Written out, it must stay the
one the dataclass would generate: the fields' names in order, their defaults, a new list or dict per
instance for the fields with a default factory, and ``dataclasses.replace`` working."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from chipguard import native
from chipguard.match.index import Entry
from chipguard.match.pairs import PairScore
from chipguard.match.score import Pair, Scored
from chipguard.names.analysis import NameAnalysis, Token, analyze

CLASSES = (Pair, Scored, Entry, Token, NameAnalysis, PairScore)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_the_parameters_are_the_fields_in_order(cls: type) -> None:
    params = list(inspect.signature(cls).parameters.values())
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        if f.default is not dataclasses.MISSING:
            assert p.default == f.default, f.name
        elif f.default_factory is not dataclasses.MISSING:
            assert p.default is None, f.name  # None stands for a new one (see below)
        else:
            assert p.default is inspect.Parameter.empty, f.name


def test_a_scored_left_without_its_lists_gets_new_ones_per_instance() -> None:
    a, b = Scored(0.5, 0.5, 0.0, False), Scored(0.5, 0.5, 0.0, False)
    assert a == b == Scored(0.5, 0.5, 0.0, False, [], [], [], [], [], False, False, "token_alignment", {})
    for name in ("pairs", "unmatched_query", "unmatched_candidate", "penalties", "merges", "base_detail"):
        assert getattr(a, name) is not getattr(b, name), name
    a.pairs.append(Pair("huawei", "huawei", 1.0, "exact", 1.0))
    assert b.pairs == []
    given = [Pair("a", "b", 0.9, "typo", 0.4)]
    assert Scored(0.9, 0.9, 0.0, False, pairs=given).pairs is given  # what is passed is kept, not copied


def test_replace_and_the_swapped_sides_go_through_it() -> None:
    scored = Scored(0.8, 0.8, 0.1, False, pairs=[Pair("tek", "tech", 0.9, "typo", 0.5)], basis="x")
    changed = dataclasses.replace(scored, score=0.7)
    assert (changed.score, changed.pairs, changed.basis) == (0.7, scored.pairs, "x")
    swapped = scored.swapped()
    assert swapped.pairs == [Pair("tech", "tek", 0.9, "typo", 0.5)]
    entry = Entry(3, analyze("Huawei Technologies Co., Ltd.", False), "Huawei", "aka", "full", False)
    assert (entry.latin_method, entry.latin_explanation, entry.weights, entry.anchors) == ("", "", (), None)
    moved = dataclasses.replace(entry, party=4, weights=(1.0,))
    assert (moved.party, moved.analysis, moved.alias, moved.weights) == (4, entry.analysis, "Huawei", (1.0,))


def test_compiled_their_initialisers_are_native() -> None:
    """The point of writing them out: with a current build they are compiled methods, not Python
    functions (pure Python, the generated and the written-out one are both functions)."""
    compiled = native.status().compiled
    for cls in CLASSES:
        assert inspect.isfunction(cls.__init__) is not compiled, cls.__name__


def test_token_and_analysis_stay_frozen_and_hash_by_their_fields() -> None:
    a = analyze("Huawei Technologies Co., Ltd.", False)
    rebuilt = NameAnalysis(*(getattr(a, f.name) for f in dataclasses.fields(NameAnalysis)))
    assert rebuilt == a and hash(rebuilt) == hash(a) and rebuilt is not a
    token = a.tokens[0]
    assert Token(token.text, token.canon, token.cls, token.phonetic) == token
    assert hash(Token(token.text, token.canon, token.cls, token.phonetic)) == hash(token)
    assert Token("huawei", "huawei", "word").phonetic == ""
    by_name = NameAnalysis(**{f.name: getattr(a, f.name) for f in dataclasses.fields(NameAnalysis)})
    assert by_name == a
    for obj, field in ((token, "canon"), (a, "tokens")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, field, None)
    assert dataclasses.replace(token, canon="x").canon == "x" and token.canon != "x"
    assert dataclasses.replace(a, acronym="htc").acronym == "htc"
