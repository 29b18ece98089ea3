"""A list name that writes the record's address after its legal form names the firm before it (issue 12,
session 25: Chinese names of listed firms without the curated file).

The Entity List's 2020 entries of Huawei affiliates write the address into the name: "Huawei Software
Technologies Co., Ltd., Nanjing, Jiangsu", "HiSilicon Optoelectronics Co., Ltd., Wuhan, Hubei". A query
of common words ("Huawei" is one, being listed many times) that met every word before the address was
weak, "a generic name without the place that names the listed body (nanjing)" — the firm's own Chinese
name 华为软件技术有限公司 and its English alike. With ``strength.address_after_legal_form`` such places say
where the firm is, not which firm it is; a place before the legal form still names the body, and a
generic query lacking the listed name's proper word stays weak. Real records: CSL 2022-04, skipped
without the shared data."""

from __future__ import annotations

import pytest

from chipguard.match import evidence as ev
from chipguard.match.screener import _address_after_legal_form
from chipguard.names.analysis import analyze
from tests.csl_support import csl_2022_screener

LISTED = "Huawei Software Technologies Co., Ltd., Nanjing, Jiangsu"
QUERIES = ("Huawei Software Technology Co Ltd", "华为软件技术有限公司")


def _strength(query: str) -> str | None:
    # without the curated Chinese names (zh/listed_party_names.yml holds this firm's): the rule alone
    hits = csl_2022_screener(enrich=False).screen(query, kind="org", country="CN")
    return next((h.strength for h in hits if h.name == LISTED), None)


@pytest.mark.parametrize("query", QUERIES)
def test_the_firms_own_name_alerts_without_its_address(query: str) -> None:
    assert _strength(query) == "potential"


def test_a_generic_query_lacking_the_proper_word_does_not_alert() -> None:
    hits = csl_2022_screener(enrich=False).screen("Software Technologies Co Ltd", kind="org", country="CN")
    assert all(h.strength == "weak" for h in hits if h.name == LISTED)


@pytest.mark.parametrize(
    ("name", "tail"),
    [
        (LISTED, 2),
        ("Hangzhou Huawei Digital Technology Co., Ltd., Hangzhou, Zhejiang, China", 3),
        ("Huawei Device (Hong Kong) Co., Limited, Tsim Sha Tsui", 0),  # words, not places
        ("Shenzhen Smartcom Business Co., Ltd.", 0),  # ends with its legal form
        ("Guangzhou Radio Factory", 0),  # no legal form: its place names the body
    ],
)
def test_the_address_is_only_places_after_the_last_legal_form(name: str, tail: int) -> None:
    assert _address_after_legal_form(analyze(name).tokens) == tail


@pytest.mark.parametrize("query", QUERIES)
def test_without_the_rule_the_address_named_the_body(query: str, monkeypatch: pytest.MonkeyPatch) -> None:
    full = ev.config()
    monkeypatch.setattr(ev, "config", lambda: {**full, "address_after_legal_form": False})
    assert _strength(query) == "weak"
