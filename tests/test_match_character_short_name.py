"""A firm named by a short word and generic words only does not meet another such firm one letter off
by the names' letters (issue 12, session 24: the records lost to retrieval).

'Mcs International Gmbh' (the CSL's MCS INTERNATIONAL GMBH) met 'MKS INTERNATIONAL CO. LTD.' and 'MRS
GmbH' (a.k.a. MRS International) at 0.907 by the character rule (name_score.character_similarity_floor):
the letters are alike through "International", and MCS / MKS are one edit apart, which
``name_score.character_short_word_distinct`` forgives as a short word's typo (PTV / PVT). All three are
records of the CSL, as are DES / SES International and CONSTRUCTORA H.L.P. / H.L.T.: when every word the
names pair is generic, an industry word or a legal form, the short word is all that names the firm.
With ``name_score.character_short_name_distinct`` such a pair is left to its words. A short word's typo
beside a shared proper word (SHER MATCH PTV / PVT) and the same letters in another order still meet.
Real records: CSL 2022-04, skipped without the shared data."""

from __future__ import annotations

import pytest

from tests.csl_support import csl_2022_screener
from tests.scorer_support import scorer_config_with
from tests.watchlist_support import assert_apart, assert_met

# query → another listed firm's name, one letter off its short word, the rest generic words
OTHERS = {
    "Mcs International Gmbh": "MKS INTERNATIONAL CO. LTD.",
    "MCS INTERNATIONAL GMBH": "MRS GmbH",
    "DES INTERNATIONAL CO., LTD.": "SES INTERNATIONAL CORP",
    "CONSTRUCTORA H.L.P.": "CONSTRUCTORA H.L.T.",
}
# query → its own listed name: a short word's typo beside a proper word, the same letters reordered
OWN = {
    "SHER MATCH INDUSTRIES (PTV.) LIMITED": "SHER MATCH INDUSTRIES (PVT.) LIMITED",
    "MSC INTERNATIONAL GMBH": "MCS INTERNATIONAL GMBH",
}


def test_one_letter_off_a_firms_short_name_is_another_firm() -> None:
    assert_apart(csl_2022_screener(), OTHERS, OWN)


def test_without_the_rule_the_letters_met_them(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, character_short_name_distinct=False)
    assert_met(csl_2022_screener(), OTHERS)
