"""EAR Country Groups as dated data (15 CFR 740 Supp. No. 1) and the "counted as" rule for Hong Kong.

Rules never test a country code; they test group membership facts this module computes for a date.
Membership entries carry ``from``/``to`` dates so a decision replayed years later sees the table that
was in force on its date, and a change by Federal Register notice is a data edit, not a code change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chipguard import refdata
from chipguard.datafiles import parse_yaml_mapping
from chipguard.dates import optional_iso_date
from chipguard.errors import InputError
from chipguard.geo.countries import normalise_country


@dataclass(frozen=True, slots=True)
class Membership:
    country: str
    start: date | None = None  # inclusive
    end: date | None = None  # exclusive
    note: str = ""

    def active(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)


@dataclass(frozen=True, slots=True)
class CountedAs:
    """``country`` is treated as ``as_country`` for these rules while in force (Hong Kong → China)."""

    country: str
    as_country: str
    start: date | None
    end: date | None
    citation: str
    note: str = ""

    def active(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)


@dataclass(slots=True)
class CountryGroups:
    version: str
    source: str
    groups: dict[str, list[Membership]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    counted_as: list[CountedAs] = field(default_factory=list)

    def treated_as(self, code: str, on: date) -> tuple[str, CountedAs | None]:
        """The country whose treatment ``code`` gets on ``on`` and the data rule that says so (or None)."""
        for rule in self.counted_as:
            if rule.country == code and rule.active(on):
                return rule.as_country, rule
        return code, None

    def own_groups(self, code: str, on: date) -> set[str]:
        return {
            name
            for name, members in self.groups.items()
            if any(m.country == code and m.active(on) for m in members)
        }

    def groups_of(self, code: str, on: date) -> list[str]:
        """Sorted group names ``code`` belongs to on ``on``, including those of the country it counts as."""
        found = self.own_groups(code, on)
        other, _ = self.treated_as(code, on)
        if other != code:
            found |= self.own_groups(other, on)
        return sorted(found)

    def unconfirmed(self, code: str, on: date) -> list[tuple[str, str]]:
        """(group, note) for each membership of ``code`` in force on ``on`` (its own or that of the country
        it counts as) whose data note is graded ⚠: a decision resting on it must say so."""
        codes = {code, self.treated_as(code, on)[0]}
        return sorted(
            (name, m.note)
            for name, members in self.groups.items()
            for m in members
            if m.country in codes and m.active(on) and "⚠" in m.note
        )

    def members(self, group: str, on: date) -> list[str]:
        if group not in self.groups:
            raise InputError(f"unknown country group '{group}'; known: {', '.join(sorted(self.groups))}")
        return sorted({m.country for m in self.groups[group] if m.active(on)})


def parse_groups(raw: dict[str, Any], file: str = "country_groups.yml") -> CountryGroups:
    """Validates and converts the YAML structure; every country code must be ISO 3166-1."""
    out = CountryGroups(version=str(raw.get("version", "")), source=str(raw.get("source", "")))
    for name, spec in (raw.get("groups") or {}).items():
        out.titles[name] = str(spec.get("title", name))
        members: list[Membership] = []
        for i, entry in enumerate(spec.get("members") or []):
            where = f"groups.{name}.members[{i}]"
            if isinstance(entry, str):
                entry = {"country": entry}
            if not isinstance(entry, dict):
                # YAML 1.1 reads a bare NO (Norway) as false: quote such codes.
                raise InputError(
                    f'expected a country code or mapping, got {entry!r} (quote codes like "NO")',
                    file=file,
                    field=where,
                )
            code = normalise_country(entry.get("country", ""), field=where + ".country", file=file)
            members.append(
                Membership(
                    code,
                    optional_iso_date(entry.get("from"), file="country_groups.yml", field=where + ".from"),
                    optional_iso_date(entry.get("to"), file="country_groups.yml", field=where + ".to"),
                    str(entry.get("note", "")),
                )
            )
        out.groups[name] = members
    for i, entry in enumerate(raw.get("counted_as") or []):
        where = f"counted_as[{i}]"
        out.counted_as.append(
            CountedAs(
                normalise_country(entry.get("country", ""), field=where + ".country", file=file),
                normalise_country(entry.get("as", ""), field=where + ".as", file=file),
                optional_iso_date(entry.get("from"), file="country_groups.yml", field=where + ".from"),
                optional_iso_date(entry.get("to"), file="country_groups.yml", field=where + ".to"),
                str(entry.get("citation", "")),
                str(entry.get("note", "")),
            )
        )
    return out


GROUPS_FILE = "geo/country_groups.yml"


def load_groups() -> CountryGroups:
    """The Country Groups table in force (``chipguard.refdata``: bundled, override, or archived during a
    replay), parsed once per content hash."""
    ref = refdata.current().file(GROUPS_FILE)
    return refdata.parsed(
        "country_groups",
        ref.sha256,
        lambda: parse_groups(parse_yaml_mapping(ref.text(), ref.name), file=ref.name),
    )


def groups_of(code: str, on: date) -> list[str]:
    return load_groups().groups_of(code, on)


def in_group(code: str, group: str, on: date) -> bool:
    return group in load_groups().groups_of(code, on)
