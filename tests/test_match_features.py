"""The declarative scorer: every weight is a key of matching.yml (none in code), one ``score_pair`` serves
screening and ``compare``, and every hit lists the features that made its score, their contributions
adding up to it (issue 12 item 8)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipguard.errors import InputError
from chipguard.match import config as scorer
from chipguard.match.screener import Screener, compare
from chipguard.names import chinese
from chipguard.names.data import matching_config
from tests.csl_support import csl_2022_screener

DOC = Path(__file__).resolve().parents[1] / "docs" / "MATCHING_FEATURES.md"
FEATURE_NAMES = {f.name for f in scorer.FEATURES}


@pytest.fixture(scope="module")
def csl() -> Iterator[Screener]:
    yield csl_2022_screener()


def _without(data: dict, dotted: str) -> dict:
    out = copy.deepcopy(data)
    node = out
    *parents, last = dotted.split(".")
    for part in parents:
        node = node[part]
    del node[last]
    return out


def test_the_shipped_matching_yml_has_every_scorer_key() -> None:
    cfg = scorer.load(matching_config())
    assert cfg.word == matching_config()["weights"]["word"]
    assert cfg.typo_per_edit == matching_config()["similarity"]["typo_per_edit"]


@pytest.mark.parametrize("key", sorted(scorer.KEYS.values()))
def test_a_missing_key_is_an_error_naming_it_not_a_default(key: str) -> None:
    with pytest.raises(InputError) as err:
        scorer.load(_without(matching_config(), key))
    assert err.value.field == key
    assert "matching.yml" in str(err.value)


@pytest.mark.parametrize("key", sorted(scorer.EVIDENCE_KEYS))
def test_a_missing_evidence_key_is_an_error_at_load(key: str) -> None:
    """The evidence and strength rules are checked with the scorer's keys: a file lacking one (the
    stop-word lists of identifier types and institution words included) stops at load, naming it."""
    with pytest.raises(InputError) as err:
        scorer.load(_without(matching_config(), key))
    assert err.value.field == key
    data = copy.deepcopy(matching_config())
    data["evidence"]["institution_words"] = "bank"
    with pytest.raises(InputError, match="list of texts"):
        scorer.load(data)


@pytest.mark.parametrize("key", chinese.SEGMENTATION_KEYS)
def test_a_missing_segmentation_cost_is_an_error(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Chinese segmentation's costs are data too: a file lacking one stops the scorer at load and
    the segmenter when it first runs, each naming the key."""
    dotted = f"chinese_segmentation.{key}"
    with pytest.raises(InputError) as err:
        scorer.load(_without(matching_config(), dotted))
    assert err.value.field == dotted
    monkeypatch.setattr(chinese, "matching_config", lambda: _without(matching_config(), dotted))
    chinese.segmentation_costs.cache_clear()
    try:
        with pytest.raises(InputError) as err:
            chinese.segmentation_costs()
        assert err.value.field == dotted and "matching.yml" in str(err.value)
    finally:
        chinese.segmentation_costs.cache_clear()


def test_every_key_of_matching_yml_is_described_in_the_docs() -> None:
    """Every key shows in docs/MATCHING_FEATURES.md with its value and what it does (a feature's weight
    or one of the other settings), none listed as not described."""
    text = DOC.read_text(encoding="utf-8")
    for key in scorer.matching_keys(matching_config()):
        assert f"`{key}` = " in text, key
    assert "(not described yet)" not in scorer.features_table()


def test_a_misspelt_or_mistyped_weight_is_an_error() -> None:
    data = copy.deepcopy(matching_config())
    data["weights"]["wrod"] = 1.0
    with pytest.raises(InputError, match="unknown key") as err:
        scorer.load(data)
    assert err.value.field == "weights.wrod"
    data = copy.deepcopy(matching_config())
    data["similarity"]["stem"] = "high"
    with pytest.raises(InputError, match="must be a number"):
        scorer.load(data)
    data = copy.deepcopy(matching_config())
    data["core_names"] = 1
    with pytest.raises(InputError, match="true or false"):
        scorer.load(data)


def test_the_feature_table_in_the_docs_is_generated_from_matching_yml() -> None:
    """Run `python tools/matching_features.py --write` after changing a weight."""
    assert scorer.features_table() in DOC.read_text(encoding="utf-8")


def _adds_up(features: list[dict], score: float) -> bool:
    return abs(sum(f["contribution"] for f in features) - score) <= 0.0001 * len(features) + 1e-9


@pytest.mark.parametrize(
    ("query", "kind", "country", "fired"),
    [
        # a Chinese institute screened as Russian: the country the query gives contradicts the record
        ("Harbin Institute of Technology", "org", "RU", {"token_alignment", "country_clash"}),
        # the Entity List's Huawei subsidiaries abroad, met without their "(Australia)" qualifier
        ("Huawei Technologies Co., Ltd.", "org", "CN", {"token_alignment"}),
        ("MAHAN AIRR", "org", None, {"token_alignment"}),
    ],
)
def test_every_hit_lists_its_features_and_they_add_up_to_the_score(
    csl: Screener, query: str, kind: str, country: str | None, fired: set[str]
) -> None:
    hits = csl.screen(query, kind=kind, country=country, threshold=0.5, limit=25)
    assert hits
    seen: set[str] = set()
    for hit in hits:
        features = hit.explanation["features"]
        assert {f["feature"] for f in features} <= FEATURE_NAMES
        assert _adds_up(features, hit.score), (hit.party_id, hit.score, features)
        seen.update(f["feature"] for f in features)
    assert fired <= seen
    clash = [f for h in hits for f in h.explanation["features"] if f["feature"] == "country_clash"]
    for f in clash:
        assert f["weight"] in (
            -matching_config()["country_clash_penalty"],
            -matching_config()["person_country_clash_penalty"],
        )


def test_a_subsidiary_met_without_its_qualifier_shows_the_dropped_qualifier_feature(csl: Screener) -> None:
    hits = csl.screen("Huawei Technologies", kind="org", limit=50)
    dropped = [h for h in hits if any(f["feature"] == "dropped_qualifier" for f in h.explanation["features"])]
    assert dropped, [h.matched_name for h in hits]
    for hit in dropped:
        assert "(" in hit.matched_name
        feature = next(f for f in hit.explanation["features"] if f["feature"] == "dropped_qualifier")
        assert feature["contribution"] == -matching_config()["dropped_qualifier_penalty"]


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("Bank of China (Hong Kong)", "Bank of China (Australia)", "org"),
        ("Ahmad bin Hasan", "Hasan bin Ahmad", "person"),
        ("Sensetime", "SenseTime Group Limited", "org"),
        ("Olaf Scholze", "Olaf Scholz", "person"),
    ],
)
def test_compare_explains_with_the_same_features(a: str, b: str, kind: str) -> None:
    result = compare(a, b, kind=kind)
    features = result.explanation["features"]
    assert {f["feature"] for f in features} <= FEATURE_NAMES
    assert _adds_up(features, result.score)


def test_screening_and_compare_score_through_one_score_pair(
    csl: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One scorer for both faces: with score_pair wrapped, a screen and a compare each go through it, and
    every feature of their results came from it."""
    from chipguard.match import screener as module

    calls: list[str] = []
    original = module.score_pair

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[4].name)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "score_pair", counted)
    hits = csl.screen("Mahan Air Company", kind="org", country="IR")
    assert hits and "Mahan Air Company" in calls
    result = compare("Bank of China (Hong Kong)", "Bank of China (Australia)", kind="org")
    assert "Bank of China (Hong Kong)" in calls
    clash = [f for f in result.explanation["features"] if f["feature"] == "qualifier_clash"]
    assert clash and clash[0]["contribution"] == -matching_config()["qualifier_clash_penalty"]
