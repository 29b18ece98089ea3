"""An institution's listed name with its leading place left out is the classic evasion of a place-named
body (issue 12, session 23: ``python -m bench``'s generated evasions, "leading place dropped", 0.900 on
seed 7): "Computational Science Research Center" did not reach Beijing Computational Science Research
Center (0.783), because a place in an institution's name weighs ``weights.place_institutional`` (0.9) —
rightly so against a query naming *another* place (Shanghai University is not Beijing University).

With ``name_score.institution_place_left_out``, a query naming no place at all meets such a name with its
leading place weighed as a place (``weights.place``) when that place is all the pair leaves unmatched and
the names share a proper word; the hit is never confirmed on the name alone (potential, a review). A query
naming another place, and a query of generic words only ("Institute of Technology", whose place is all
that says which body), keep today's reading. Real records: CSL 2022-04, skipped without the shared data."""

from __future__ import annotations

import pytest

from chipguard.match.evidence import config as evidence_config
from tests.csl_support import csl_2022_org_hit, csl_2022_screener
from tests.scorer_support import scorer_config_with

# query (the listed name less its leading place) → the listed name
LEFT_OUT = {
    "Computational Science Research Center": "Beijing Computational Science Research Center",
    "Academy of Instrumentation Science Co.,Ltd.": "Shenyang Academy of Instrumentation Science Co.,Ltd.",
    "University of Posts and Telecommunications (BUPT)": "Beijing University of Posts and Telecommunications (BUPT)",
}


def test_the_listed_name_without_its_place_is_a_potential_hit() -> None:
    confirm = float(evidence_config()["confirm_name_score"])
    for query, listed in LEFT_OUT.items():
        hit = csl_2022_org_hit(query, listed)
        assert hit is not None, query
        assert hit.score >= csl_2022_screener().threshold
        assert hit.strength == "potential", (query, hit.score)
        assert "place_left_out" in [f["feature"] for f in hit.explanation["features"]]
    # a score a name alone would confirm at stays a review: which place's body it is, a review says
    bupt = csl_2022_org_hit(
        "University of Posts and Telecommunications (BUPT)",
        LEFT_OUT["University of Posts and Telecommunications (BUPT)"],
    )
    assert bupt is not None and bupt.score >= confirm


def test_another_place_or_a_generic_name_keeps_the_place_an_institutions() -> None:
    assert (
        csl_2022_org_hit(
            "Shanghai Computational Science Research Center",
            LEFT_OUT["Computational Science Research Center"],
        )
        is None
    )
    for listed in ("Beijing Institute of Technology", "Harbin Institute of Technology"):
        assert csl_2022_org_hit("Institute of Technology", listed) is None, listed


def test_without_the_rule_the_place_weighs_as_an_institutions(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, place_left_out=False)
    hit = csl_2022_org_hit(
        "Computational Science Research Center", LEFT_OUT["Computational Science Research Center"]
    )
    assert hit is None
    for query, listed in LEFT_OUT.items():
        hit = csl_2022_org_hit(query, listed)
        assert hit is None or "place_left_out" not in [f["feature"] for f in hit.explanation["features"]]
