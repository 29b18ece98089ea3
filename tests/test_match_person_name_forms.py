"""Two forms of one person's name part that the lists give as one person's meet (name_score.person_name_forms).

The Ukrainian or Belarusian form of a name is another word than the Russian one (Сергій / Сергей, Serhiy /
Sergey; Олексій / Алексей, Oleksiy / Aleksey), not a spelling of it: no typo rule meets them. OFAC lists
persons under both and renames its own records from one to the other between releases: uid 16760 is
"TSEKOV, Sergey Pavlovich" on CSL 2022-04 and "TSEKOV, Serhiy Pavlovich" on SDN 2024-05; uid 22413 is
"DIKIY, Aleksey Aleksandrovich" on CSL 2022-04 and "DYKIY, Oleksii Oleksandrovych" on SDN 2024-05. Screened
one release's name against the other's, both were found by nothing. person_name_forms.tsv holds the pairs
of forms two OFAC records or more give (tools/build_person_name_forms.py).

Real records: CSL 2022-04; skipped without the shared data."""

from __future__ import annotations

import pytest

from chipguard.errors import InputError
from chipguard.match.config import parse_person_name_forms, person_name_forms
from chipguard.match.score import token_similarity
from chipguard.names.analysis import analyze
from tests.csl_support import csl_2022_screener
from tests.scorer_support import scorer_config_with

# the other release's name (SDN 2024-05), the record's entity number on CSL 2022-04
RENAMED = {
    "TSEKOV, Serhiy Pavlovich": "16760",
    "DYKIY, Oleksii Oleksandrovych": "22413",
}


def _token(word: str):  # type: ignore[no-untyped-def]
    return analyze(word, True).tokens[0]


def _alerting(query: str, entity: str) -> bool:
    hits = csl_2022_screener().screen(query, kind="person", country="UA")
    return any(h.party_id == entity and h.strength != "weak" for h in hits)


def test_the_forms_of_one_name_meet_in_a_persons_name() -> None:
    for a, b in [("sergey", "serhiy"), ("aleksey", "olexiy"), ("vladimirovich", "volodymyrovych")]:
        similarity, how = token_similarity(_token(a), _token(b), True)
        assert how == "name form" and similarity == pytest.approx(0.9), (a, b, similarity)
    # a form spelt one letter off (Oleksii for the listed Oleksiy) meets less well
    similarity, how = token_similarity(_token("oleksii"), _token("aleksey"), True)
    assert how == "name form" and similarity == pytest.approx(0.79)
    # an organisation's words are not a person's name
    assert token_similarity(_token("sergey"), _token("serhiy"), False) == (0.0, "")
    # two names of the table are not one name
    assert token_similarity(_token("sergey"), _token("oleksandr"), True)[0] == 0.0
    for query, entity in RENAMED.items():
        assert _alerting(query, entity), query


def test_without_the_rule_the_renamed_records_were_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer_config_with(monkeypatch, person_name_forms=False)
    assert token_similarity(_token("sergey"), _token("serhiy"), True)[0] == 0.0
    for query, entity in RENAMED.items():
        assert not _alerting(query, entity), query


def test_the_table_joins_the_forms_of_one_name_and_cites_its_records() -> None:
    forms = person_name_forms()
    assert forms["sergey"] == forms["serhiy"] == forms["siarhei"] == forms["sergei"]
    assert forms["sergey"] != forms["aleksey"]
    table = parse_person_name_forms(
        "# x\na\tb\tofac:1 ofac:2\nc\tb\tofac:3 ofac:4\nd\te\tofac:5 ofac:6\n", "t"
    )
    assert table == {"a": 0, "b": 0, "c": 0, "d": 1, "e": 1}
    with pytest.raises(InputError):
        parse_person_name_forms("a\tb\n", "t")  # a pair citing no record
