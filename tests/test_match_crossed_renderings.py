"""Each word-by-word translation of a Chinese query scores the first candidates of its other translations
(issue 12 item 5: no relative floor removes a record that would pass on its own).

The translations of a Chinese name differ by the words they choose: 南华生物医药股份有限公司 is read
"Southern China Bio Medicine Co Ltd" by the vocabulary and "Nanhua Biological Pharmaceutical Co Ltd" with
its brand in pinyin. NanHua Bio-medicine (the query's own party on the xscript watchlist, 0.855 against the
brand form) was the vocabulary form's third candidate, which scores it under the threshold, and under the
brand form's floor, which would have cleared it: lost (bench/retrieval.py, xscript_queries). matching.yml
``candidates_crossed_renderings``: once the query has cleared the threshold on some record, each
translation scores the others' first candidates too (Screener._score_shared). Real list names, skipped
without the shared data."""

from __future__ import annotations

import pytest
from scorer_support import scorer_config_with
from watchlist_support import found_parties, xscript_watchlist

from chipguard.match.screener import Screener, query_forms

QUERY = "南华生物医药股份有限公司"
NANHUA = "X01697"  # NanHua Bio-medicine CO.,Ltd.


def test_a_record_met_by_one_translation_is_scored_by_the_others() -> None:
    watch = xscript_watchlist()
    assert found_parties(watch, QUERY).get(NANHUA, 0.0) >= watch.threshold
    # the record is the vocabulary form's candidate, not the brand form's, which alone clears it
    index = watch.index
    own = {eid for eid, entry in enumerate(index.entries) if watch.parties[entry.party].party_id == NANHUA}
    first = {
        form.method: set(index.retrieve(form.org, watch.candidate_limit, translated=True).first)
        for form in query_forms(QUERY)
        if form.anchors is not None
    }
    assert own & first["zh-mixed"] and not own & first["zh-brand"]


def test_without_the_key_it_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, candidates_crossed_renderings=False)
    watch = Screener(xscript_watchlist().parties)
    assert NANHUA not in found_parties(watch, QUERY)
