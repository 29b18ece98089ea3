"""The caches that keep one entry per screened name are bounded by ``chipguard.names.cache_bounds`` (not by
the 100,000–300,000 entries that let a worker grow ~2.9 KB per distinct name, ``bench.worker_memory``), and
screening more distinct names than a bound keeps each cache at its bound while the hits stay the same."""

from __future__ import annotations

from pathlib import Path

from chipguard.match import pairs, screener
from chipguard.match.screener import Screener
from chipguard.names import analysis, cache_bounds, text, variants
from chipguard.sources import parse_file

BOUNDED = {
    analysis.analyze: cache_bounds.NAME_ANALYSES,
    analysis._split_runon: cache_bounds.NAME_ANALYSES,
    text.clean_steps: cache_bounds.NAME_ANALYSES,
    variants.name_variants: cache_bounds.QUERY_RESULTS,
    screener.query_forms: cache_bounds.QUERY_RESULTS,
    screener.cached_latin_forms: cache_bounds.QUERY_RESULTS,
    pairs.han_core: cache_bounds.NAME_CORES,
    pairs.latin_core_name: cache_bounds.NAME_CORES,
}


def test_each_per_name_cache_has_its_bound() -> None:
    for cached, bound in BOUNDED.items():
        assert cached.cache_parameters()["maxsize"] == bound, cached


def test_past_the_bound_a_name_screens_as_it_did_and_the_caches_stay_bounded(shared: Path) -> None:
    parties = parse_file(shared / "lists/us_csl_2022-04.csv.gz").parties
    listed = Screener(parties)
    probe = "Beijing Sensetime Technology Development Co Ltd"
    first = [(h.party_id, round(h.score, 6)) for h in listed.screen(probe)]
    assert first, "the probe names a listed firm"
    # more distinct names than the query results' bound, so its caches evict the probe's entries
    for i in range(cache_bounds.QUERY_RESULTS + 200):
        variants.name_variants(f"Customer Number {i} Trading Ltd")
        screener.query_forms(f"Customer Number {i} Trading Ltd")
    assert variants.name_variants.cache_info().currsize <= cache_bounds.QUERY_RESULTS
    assert screener.query_forms.cache_info().currsize <= cache_bounds.QUERY_RESULTS
    assert [(h.party_id, round(h.score, 6)) for h in listed.screen(probe)] == first
