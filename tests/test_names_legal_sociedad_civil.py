"""Sociedad Civil written out is a legal form (ISO 20275: Mexico's "S. C.", Panama's, Peru's), so its
initials are no part of the name's acronym (issue 12: a record clearing only by a scorer leniency). The
Entity List's CORPORATIVO ARZACA, S.C. carries the alias "CORPORATIVO ARZACA SOCIEDAD CIVIL", whose
four words' initials spell CASC — the symbol of China Aerospace Science and Technology Corporation: its
Chinese name 中国航天科技集团公司 met that firm at 0.850 through the acronym rule. Real list names; the
screening test skips without the shared data."""

from __future__ import annotations

import pytest
from csl_support import csl_2022_parties

from bench.retrieval import exhaustive
from chipguard.match.screener import Screener, compare
from chipguard.names.analysis import LEGAL, analyze

ARZACA = "CORPORATIVO ARZACA SOCIEDAD CIVIL"


def test_sociedad_civil_is_a_legal_form_outside_the_acronym() -> None:
    a = analyze(ARZACA)
    assert [t.cls for t in a.tokens if t.text == "sociedad civil"] == [LEGAL]
    assert a.acronym == ""  # two words of the name's own: no acronym
    assert compare("CASC", ARZACA, kind="org").score < 0.8
    # the firm's own names still meet
    assert compare("CORPORATIVO ARZACA, S.C.", ARZACA, kind="org").score >= 0.9
    assert compare("Corporativo Arzaca", ARZACA, kind="org").score >= 0.95


@pytest.fixture(scope="module")
def bare() -> Screener:
    return Screener(csl_2022_parties(), enrich=False)


@pytest.mark.parametrize("query", ["中国航天科技集团公司", "中国航天科技集团有限公司"])
def test_casc_in_chinese_no_longer_meets_corporativo_arzaca(bare: Screener, query: str) -> None:
    # every entry sharing a key with the query scored (the firm was a record retrieval lost)
    with exhaustive(bare):
        hits = bare.screening(query, kind="org", limit=10**6).hits
    assert hits  # CASC's own records
    assert not [h for h in hits if "ARZACA" in h.name.upper()], [(h.name, h.score) for h in hits]
