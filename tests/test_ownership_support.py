"""Shared, built-once test material for the ownership tests (no tests here).

The Screener over the bundled CSL snapshot takes seconds to build; the machine is shared, so every
ownership test module uses this one instance.
"""

from __future__ import annotations

from functools import lru_cache

from chipguard.config import data_dir
from chipguard.match.screener import Screener
from chipguard.model import Party
from chipguard.sources.csl import parse_csv


@lru_cache(maxsize=1)
def csl_parties() -> tuple[Party, ...]:
    """The bundled CSL 2022-04 snapshot, parsed once."""
    return tuple(parse_csv(data_dir() / "lists" / "us_csl_2022-04.csv.gz").parties)


@lru_cache(maxsize=1)
def csl_screener() -> Screener:
    """A Screener over the bundled CSL snapshot, built once per test session."""
    return Screener(list(csl_parties()))
