"""A four-letter word one letter off is retrieved as the scorer pairs it (issue 12 item 5): the scorer's
typo rule starts at four letters (matching.yml ``word_lengths.typo``), and list words are now keyed under
their one-letter deletions from four letters too (chipguard.match.index.MIN_DELETE_LEN, index file format
10). Before, a four-letter list word was met by a query word one letter longer or shorter, never by one
with a letter changed or swapped: "kudo kai" never reached KODO-KAI (0.92 on its own), since no key of
the query holds "kodo"."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from chipguard.match.index import MIN_DELETE_LEN
from chipguard.match.screener import Screener
from chipguard.model import Party, PartyKind
from chipguard.names.analysis import analyze
from tests.csl_support import csl_2022_screener


def test_a_four_letter_list_word_is_a_typo_neighbour() -> None:
    assert MIN_DELETE_LEN == 4
    listed = [Party("custom", "1", "KODO-KAI", PartyKind.ORG), Party("custom", "2", "SIMA", PartyKind.ORG)]
    index = Screener(listed, enrich=False).index
    assert "kodo" in index.typo_neighbours("kudo")  # a letter changed
    assert "kodo" in index.typo_neighbours("okdo")  # two letters swapped
    assert "sima" in index.typo_neighbours("sina")
    assert not index.typo_neighbours("kod")  # a query word under four letters has none (the scorer's)
    found = [index.entries[e].analysis.original for e in index.candidates(analyze("kudo"), 5)]
    assert found == ["KODO-KAI"]


@cache
def csl(shared: Path) -> Screener:
    return csl_2022_screener()


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("kudo kai", "KODO-KAI"),  # screening_queries' row of KUDO-KAI, one letter off another record
        ("SINA SHIPPING COMPANY LIMITED", "SIMA SHIPPING COMPANY LIMITED"),
    ],
)
def test_a_record_one_letter_off_in_a_four_letter_word_is_found(
    shared: Path, query: str, record: str
) -> None:
    from bench.retrieval import exhaustive

    screener = csl(shared)
    shipped = {h.name: h.score for h in screener.screen(query, kind="org", limit=100)}
    with exhaustive(screener):
        full = {h.name: h.score for h in screener.screen(query, kind="org", limit=100)}
    assert shipped[record] == full[record] >= screener.threshold
