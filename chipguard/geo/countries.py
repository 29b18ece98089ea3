"""ISO 3166-1 countries from bundled data: the one place a country code is checked.

Every face accepts a country as alpha-2 ("CN"), alpha-3 ("CHN") or its ISO/common English name; the
rest of the pipeline only ever sees alpha-2. An unknown code is an input error naming the field, because
a typo in a destination must never silently fall outside every country group (that would fail open).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from chipguard import refdata
from chipguard.errors import InputError

COUNTRIES_FILE = "geo/countries.csv"


@dataclass(frozen=True, slots=True)
class Country:
    alpha_2: str
    alpha_3: str
    numeric: str
    name: str
    common_name: str = ""

    @property
    def display_name(self) -> str:
        return self.common_name or self.name


def _table() -> tuple[dict[str, Country], dict[str, Country]]:
    """(alpha-2 → Country, any accepted spelling folded → Country) from the table in force
    (``chipguard.refdata``), built once per content hash."""
    ref = refdata.current().file(COUNTRIES_FILE)
    return refdata.parsed("countries", ref.sha256, lambda: _build(ref.text(), ref.name))


def _build(text: str, file: str) -> tuple[dict[str, Country], dict[str, Country]]:
    by_code: dict[str, Country] = {}
    lookup: dict[str, Country] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
        try:
            c = Country(row["alpha_2"], row["alpha_3"], row["numeric"], row["name"], row["common_name"])
        except KeyError as exc:
            raise InputError("missing column", file=file, line=line, field=str(exc.args[0])) from exc
        by_code[c.alpha_2] = c
        for key in (c.alpha_2, c.alpha_3, c.name, c.common_name):
            if key:
                lookup[key.casefold()] = c
    return by_code, lookup


def all_countries() -> list[Country]:
    return list(_table()[0].values())


def lookup_country(value: str) -> Country | None:
    """The country for a code or name, or None. Accepts alpha-2, alpha-3, ISO name, common name."""
    return _table()[1].get(value.strip().casefold()) if value else None


def country(value: str, *, field: str = "country", file: str | None = None) -> Country:
    """The country for ``value``; raises InputError naming ``field`` when it is not an ISO 3166-1 country."""
    if not isinstance(value, str) or not value.strip():
        raise InputError("a country code is required (ISO 3166-1 alpha-2, e.g. 'CN')", field=field, file=file)
    found = lookup_country(value)
    if found is None:
        raise InputError(
            f"unknown country code '{value}' (expected ISO 3166-1 alpha-2 such as 'CN', 'SG', 'US')",
            field=field,
            file=file,
        )
    return found


def normalise_country(value: str, *, field: str = "country", file: str | None = None) -> str:
    """Alpha-2 code for ``value`` (see ``country``)."""
    return country(value, field=field, file=file).alpha_2
