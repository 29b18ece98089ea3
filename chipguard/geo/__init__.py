"""Geography: ISO 3166-1 countries and EAR Country Groups with effective dates (all data, no country ifs)."""

from chipguard.geo.countries import Country, all_countries, country, lookup_country, normalise_country
from chipguard.geo.groups import CountryGroups, groups_of, in_group, load_groups

__all__ = [
    "Country",
    "CountryGroups",
    "all_countries",
    "country",
    "groups_of",
    "in_group",
    "load_groups",
    "lookup_country",
    "normalise_country",
]
