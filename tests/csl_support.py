"""The CSL 2022-04 snapshot of ../shared/data parsed once per test process, and its screener built once
(in memory) and mapped once (from an index file), for the tests that screen real list records without a
home (the scorer's typo, legal-form, numbered-body and retrieval-rule tests); a test reading them is
skipped when the shared data is absent.

Why shared: some twenty tests built the same in-memory screener (~6 s of CPU each) and five of them also
wrote and mapped its index file (~11 s more) — minutes of every full run. A screener is only shared under
the shipped scorer configuration: a test that switched a rule off (``scorer_support.scorer_config_with``)
gets a screener built under its own configuration. A test must not switch a rule off and then screen with
a screener it took before: the shared one keeps per-query caches.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest

from chipguard.match import config
from chipguard.match.config import ScorerConfig
from chipguard.match.screener import Screener
from chipguard.model import Hit, Party
from tests.scorer_support import READERS

# the function itself, taken before any test replaces it: what "shipped" means below
_SHIPPED_SCORER_CONFIG = config.scorer_config


@cache
def csl_2022_parties() -> list[Party]:
    from chipguard.sources import parse_file
    from tests.conftest import SHARED

    path = SHARED / "lists/us_csl_2022-04.csv.gz"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    return parse_file(path).parties


def _shipped_configuration() -> bool:
    """Whether every module that reads the scorer's configuration reads the shipped one."""
    shipped: ScorerConfig = _SHIPPED_SCORER_CONFIG()
    return all(m.scorer_config() == shipped for m in READERS if hasattr(m, "scorer_config"))


@cache
def _shipped_screener(enrich: bool) -> Screener:
    return Screener(csl_2022_parties(), enrich=enrich)


def csl_2022_screener(enrich: bool = True) -> Screener:
    """The in-memory screener of the CSL 2022-04 records: built once per process under the shipped scorer
    configuration, built anew under a configuration the test changed. ``enrich`` False: without the curated
    Chinese names (zh/listed_party_names.yml) — what the translation rule finds alone, as for a firm the
    curated file does not know."""
    if not _shipped_configuration():
        return Screener(csl_2022_parties(), enrich=enrich)
    return _shipped_screener(enrich)


def csl_2022_org_hit(query: str, listed: str) -> Hit | None:
    """The first hit of ``query``, screened as an organisation against CSL 2022-04, on the listed name
    ``listed``; None when the query does not reach it."""
    hits = [h for h in csl_2022_screener().screen(query, kind="org") if h.name == listed]
    return hits[0] if hits else None


@cache
def _shipped_mapped() -> Screener:
    from chipguard.match import indexfile

    folder = Path(tempfile.mkdtemp(prefix="chipguard-csl-test-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "csl.cgix"
    indexfile.write(_shipped_screener(True), path)
    return indexfile.open_screener(path, verify=False)


def csl_2022_screeners() -> tuple[Screener, Screener]:
    """The in-memory screener of the CSL 2022-04 records and the same index written to its file and
    mapped (what ``serve`` and the batch workers screen with), under the shipped scorer configuration."""
    if not _shipped_configuration():
        raise RuntimeError("csl_2022_screeners(): the mapped screener is the shipped configuration's only")
    return _shipped_screener(True), _shipped_mapped()
