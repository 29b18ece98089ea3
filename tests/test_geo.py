"""Geography: ISO countries and dated EAR Country Groups from the bundled data."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from chipguard.config import data_dir
from chipguard.errors import InputError
from chipguard.geo import all_countries, country, groups_of, in_group, load_groups, normalise_country
from chipguard.geo.groups import parse_groups

D = date(2025, 6, 1)


def test_country_table_is_full_iso_3166() -> None:
    codes = {c.alpha_2 for c in all_countries()}
    assert len(codes) == 249 + 1  # ISO 3166-1 and the user-assigned XK (Kosovo) the lists use
    assert {"CN", "HK", "MO", "TW", "SG", "MY", "AE", "DE", "US", "XK"} <= codes


def test_every_country_of_the_bundled_lists_is_a_country_a_query_may_name() -> None:
    """A customer in a country the lists themselves name must be screenable: the CSL gives Kosovo as XK,
    which is not in ISO 3166-1, and a customer file with XK was refused as 'unknown country'."""
    from chipguard.geo.countries import lookup_country
    from chipguard.sources import parse_file

    lists = data_dir() / "lists"
    used = {c for path in sorted(lists.glob("*.gz")) for p in parse_file(path).parties for c in p.countries}
    assert "XK" in used
    not_countries = sorted(c for c in used if getattr(lookup_country(c), "alpha_2", None) != c)
    # the one exception is the list's own error: "NM" (New Mexico, a US state) as the country of one
    # CSL 2022-04 record (STEPHEN EDWARD SMITH); no country has that code
    assert not_countries == ["NM"]


@pytest.mark.parametrize(
    ("given", "expected"), [("cn", "CN"), ("CHN", "CN"), ("China", "CN"), ("Taiwan", "TW"), ("Macao", "MO")]
)
def test_country_accepts_codes_and_names(given: str, expected: str) -> None:
    assert normalise_country(given) == expected


def test_unknown_country_names_the_field() -> None:
    with pytest.raises(InputError) as err:
        country("XX", field="customer.owners[0].country")
    assert err.value.field == "customer.owners[0].country"
    assert "XX" in str(err.value)


def test_hong_kong_counts_as_china_from_december_2020() -> None:
    assert groups_of("HK", D) == groups_of("CN", D) == ["D:1", "D:4", "D:5"]
    assert load_groups().treated_as("HK", D)[0] == "CN"
    # Before 85 FR 83765 Hong Kong was a separate destination in A:6 and in no D group.
    assert groups_of("HK", date(2020, 12, 22)) == ["A:6"]


def test_groups_used_by_the_advanced_computing_rules() -> None:
    assert groups_of("MO", D) == ["MACAU"]
    assert groups_of("AE", D) == ["D:4"]
    assert groups_of("DE", D) == ["A:5"]
    assert groups_of("NO", D) == ["A:5"]  # YAML must not read Norway as false
    assert in_group("IL", "D:4", D) and in_group("IL", "A:6", D)  # excluded from the licence rule by A:6
    assert groups_of("MY", D) == [] and groups_of("SG", D) == ["A:6"]
    assert in_group("IR", "E:1", D) and in_group("CU", "E:2", D)


def test_every_member_code_is_iso_and_dated_entries_parse() -> None:
    raw = yaml.safe_load((data_dir() / "geo" / "country_groups.yml").read_text(encoding="utf-8"))
    groups = parse_groups(raw)
    assert set(groups.groups) == {
        "A:5",
        "A:6",
        "D:1",
        "D:4",
        "D:5",
        "E:1",
        "E:2",
        "MACAU",
        "OFAC_COMPREHENSIVE",
        "RU_BY_746_8",
        "UNITED_STATES",
    }
    assert "HK" not in groups.members("A:6", D)
    assert "HK" in groups.members("A:6", date(2019, 1, 1))


def test_bad_group_data_is_an_input_error() -> None:
    with pytest.raises(InputError) as err:
        parse_groups({"groups": {"A:5": {"members": ["DE", "ZZ"]}}})
    assert err.value.field == "groups.A:5.members[1].country"
    with pytest.raises(InputError, match="quote"):
        parse_groups({"groups": {"A:5": {"members": [False]}}})


def test_membership_changes_are_dated() -> None:
    # Nicaragua joined D:5 with 89 FR 18780 (Mar 15 2024).
    assert not in_group("NI", "D:5", date(2024, 3, 14))
    assert in_group("NI", "D:5", date(2024, 3, 15))


def test_comprehensive_sanctions_group_is_dated() -> None:
    assert in_group("IR", "OFAC_COMPREHENSIVE", D) and in_group("CU", "OFAC_COMPREHENSIVE", D)
    assert in_group("SY", "OFAC_COMPREHENSIVE", date(2025, 6, 30))
    assert not in_group("SY", "OFAC_COMPREHENSIVE", date(2025, 7, 1))  # EO 14312
    assert not in_group("CN", "OFAC_COMPREHENSIVE", D)
