"""A listed Chinese name that names only a line of business, met inside a longer generic query, is weak
(issue 12, session 24; ``strength.generic_query_business_line``): CPMIEC's short name 中国精密机械 reads
"Chinese Precision Machinery" word by word, every word an industry term; "Industrial Factories of
Precision-Machinery" (an Iranian body's alias) queried in CN held it at 0.807 and alerted — the query is
some factory in precision machinery, as any such body's name says. A query adding no word of its own,
a list name adding words to the query's, and a list name in Latin letters stay as before. Real records:
CSL 2022-04, skipped without the shared data."""

from __future__ import annotations

from functools import cache

import pytest

from chipguard.match import evidence as ev
from chipguard.match.screener import Screener, _country_norm, industry_words
from chipguard.model import Party
from chipguard.names.analysis import analyze
from tests.csl_support import csl_2022_parties

CPMIEC = "CHINA NATIONAL PRECISION MACHINERY IMPORT/EXPORT CORPORATION"


@cache
def _screener() -> Screener:
    parties: list[Party] = csl_2022_parties()
    return Screener(parties)


def _on(query: str, listed: str, country: str | None = "CN") -> list[str]:
    """The strengths of the query's hits on the record named ``listed``."""
    return [h.strength for h in _screener().screen(query, kind="org", country=country) if h.name == listed]


def _without_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    full = ev.config()
    monkeypatch.setattr(ev, "config", lambda: {**full, "generic_query_business_line": False})


def test_a_name_of_industry_words_only_is_a_line_of_business() -> None:
    def line(name: str, country: str = "CN") -> str:
        return ev._business_line(analyze(name, False).tokens, country, industry_words(), _country_norm)

    assert line("Chinese Precision Machinery") == "precision machinery"  # the query's own country aside
    assert line("Chinese Precision Machinery", "US") == ""  # another country's word names more
    assert line("Aviation Industry International") == ""  # a descriptor
    assert line("Industrial Factories of Precision Machinery") == ""  # a kind of body


def test_a_generic_query_holding_a_listed_line_of_business_is_weak(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _on("INDUSTRIAL FACTORIES OF PRECISION-MACHINERY", CPMIEC) == ["weak"]
    assert _on("Precision Machinery Factory", CPMIEC) == ["weak"]
    _without_rule(monkeypatch)
    assert _on("INDUSTRIAL FACTORIES OF PRECISION-MACHINERY", CPMIEC) == ["potential"]
    assert _on("Precision Machinery Factory", CPMIEC) == ["potential"]


def test_a_query_adding_no_word_or_a_list_name_adding_words_is_still_reviewed() -> None:
    # the listed body's generic English rendering, no word of its own beyond the legal form
    assert _on("Precision Machinery Import and Export Corporation", CPMIEC) == ["potential"]
    # the list name adds a word to the query's (中航国际 "Aviation Industry International")
    assert _on("Aviation International", "AVIC International Holding Corporation") == ["potential"]


def test_a_latin_list_name_is_not_read_as_a_line_of_business() -> None:
    # "United" and "Shipbuilding" are both industry words of the vocabulary; the name is the body's own
    assert _on(
        "Shipbuilding Corporation United", "JOINT STOCK COMPANY UNITED SHIPBUILDING CORPORATION", None
    ) == ["potential"]
