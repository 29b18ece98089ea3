"""The scorer's settings with a rule switched off (or a weight changed) for one test, wherever it is read.

Why one helper: ``scorer_config()`` is read by name in several ``chipguard.match`` modules (the scorer, the
screener, the compiled candidate loop in ``pairs``, retrieval, the bound, evidence). A test that patched it
in only some of them kept the rule on in the others — silently so when code moved between modules."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from chipguard.match import bound, config, evidence, index, indexfile, pairs, score, screener
from chipguard.match.config import ScorerConfig

READERS = (config, score, screener, pairs, index, bound, evidence, indexfile)


def scorer_config_with(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> ScorerConfig:
    """``scorer_config()`` with ``changes`` (ScorerConfig fields, as in matching.yml), returned by
    ``scorer_config()`` in every module that reads it until the test ends."""
    cfg = dataclasses.replace(config.scorer_config(), **changes)
    for module in READERS:
        if hasattr(module, "scorer_config"):
            monkeypatch.setattr(module, "scorer_config", lambda: cfg)
    return cfg
