"""The CSL 2022-04 snapshot of ../shared/data parsed once per test process, for the tests that screen
real list records without a home (the scorer's typo, legal-form and numbered-body tests); a test reading
it is skipped when the shared data is absent."""

from __future__ import annotations

from functools import cache

import pytest

from chipguard.model import Party


@cache
def csl_2022_parties() -> list[Party]:
    from chipguard.sources import parse_file
    from tests.conftest import SHARED

    path = SHARED / "lists/us_csl_2022-04.csv.gz"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    return parse_file(path).parties
