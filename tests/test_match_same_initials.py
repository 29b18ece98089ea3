"""The names over the relaxed floor whose initials (four or more) are the query's are kept past the
candidate limit (issue 12 item 5: no limit or floor removes a record that would pass on its own).

中国船舶科学研究中心, read "China Shipbuilding Science Research Center", is the China Ship Scientific Research
Center (CSSRC), a name of the CSSC 702nd Research Institute record (0.906 on its own: ship / shipbuilding,
scientific / science). A big family's names share the query's rarest words ("China Shipbuilding Industry
Group Co., Ltd. (CSIC) 7xxth Research Institute", dozens) and filled the limit: the record's name ranked
118th (bench/retrieval.py, listed_translated). Its initials, C S S R C, are the query's. matching.yml
``candidates_same_initials``.

Real list names (CSL 2022-04 without the curated Chinese names), skipped without the shared data."""

from __future__ import annotations

import pytest
from csl_support import csl_2022_parties
from scorer_support import scorer_config_with
from watchlist_support import found_parties

from chipguard.match.screener import Screener
from chipguard.names.analysis import analyze

QUERY = "中国船舶科学研究中心"
READ = "China Shipbuilding Science Research Center"  # its word-by-word translation
CSSC_702 = "fa9e84c58583baf3bb03e8b4c9f73ed5f857aa4a"
NAME = "China Ship Scientific Research Center"


def test_a_name_of_the_querys_initials_is_scored() -> None:
    bare = Screener(csl_2022_parties(), enrich=False)
    assert found_parties(bare, QUERY).get(CSSC_702, 0.0) >= bare.threshold
    index = bare.index
    query = analyze(READ, False)
    assert query.acronym == "cssrc"
    first = index.retrieve(query, bare.candidate_limit, translated=True).first
    same = [eid for eid in first if index.entries[eid].analysis.acronym == "cssrc"]
    assert same and all(index.entries[eid].alias.startswith(NAME) for eid in same)
    # past the limit: the first candidate_limit are the big family's names, as before
    assert not set(same) & set(first[: bare.candidate_limit])


def test_without_the_key_it_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, candidates_same_initials=False)
    bare = Screener(csl_2022_parties(), enrich=False)
    assert CSSC_702 not in found_parties(bare, QUERY)
    index = bare.index
    first = index.retrieve(analyze(READ, False), bare.candidate_limit, translated=True).first
    assert not [eid for eid in first if index.entries[eid].analysis.acronym == "cssrc"]
