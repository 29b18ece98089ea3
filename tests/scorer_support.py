"""The scorer's settings with a rule switched off (or a weight changed) for one test, wherever it is read.

Why one helper: ``scorer_config()`` is read by name in several ``chipguard.match`` modules (the scorer, the
screener, the compiled candidate loop in ``pairs``, retrieval, the bound, evidence). A test that patched it
in only some of them kept the rule on in the others — silently so when code moved between modules."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any

import pytest

from chipguard.match import bound, config, evidence, index, indexfile, pairs, score, screener
from chipguard.match.config import ScorerConfig
from chipguard.names.cache_bounds import QUERY_RESULTS

READERS = (config, score, screener, pairs, index, bound, evidence, indexfile)


def scorer_config_with(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> ScorerConfig:
    """``scorer_config()`` with ``changes`` (ScorerConfig fields, as in matching.yml), returned by
    ``scorer_config()`` in every module that reads it until the test ends."""
    cfg = dataclasses.replace(config.scorer_config(), **changes)
    for module in READERS:
        if hasattr(module, "scorer_config"):
            monkeypatch.setattr(module, "scorer_config", lambda: cfg)
    # a query's forms are kept per process, each with whether it is scored as a translation (which
    # name_score.dictionary_names_registered decides): the test gets a cache of its own, dropped with it
    monkeypatch.setattr(
        screener, "query_forms", lru_cache(maxsize=QUERY_RESULTS)(screener.query_forms.__wrapped__)
    )
    return cfg
