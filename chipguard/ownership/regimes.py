"""Ownership regimes (OFAC 50 %, BIS Affiliates) loaded from chipguard/data/ownership/regimes.yml.

The dates, thresholds and the lists that feed each regime are data so that a Federal Register notice
(a new suspension, a new list) is a data change with a citation, not a code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from chipguard import refdata
from chipguard.datafiles import parse_yaml, read_yaml
from chipguard.dates import optional_iso_date
from chipguard.errors import InputError
from chipguard.model import Hit


@dataclass(frozen=True, slots=True)
class Suspension:
    start: date
    until: date  # inclusive
    citation: str = ""

    def contains(self, on: date) -> bool:
        return self.start <= on <= self.until


@dataclass(frozen=True, slots=True)
class Regime:
    id: str
    title: str
    threshold: float
    citation: str
    effective: date | None = None
    end: date | None = None  # inclusive last day, None = open-ended
    suspended: tuple[Suspension, ...] = ()
    list_names: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    propagate: bool = True
    red_flag_29_citation: str = ""

    def status(self, on: date) -> tuple[bool, str]:
        """(in force?, why) on ``on`` — the why names the suspension or the effective date."""
        if self.effective and on < self.effective:
            return False, f"not yet effective (effective {self.effective.isoformat()})"
        if self.end and on > self.end:
            return False, f"ended {self.end.isoformat()}"
        for window in self.suspended:
            if window.contains(on):
                return False, (
                    f"suspended {window.start.isoformat()} – {window.until.isoformat()}"
                    + (f" ({window.citation})" if window.citation else "")
                )
        return True, f"in force since {self.effective.isoformat()}" if self.effective else "in force"

    def in_force(self, on: date) -> bool:
        return self.status(on)[0]

    def covers(self, hit: Hit) -> bool:
        """Whether a screening hit is on a list this regime reads (its strength is judged by the caller:
        only a confirmed hit makes the owner listed, a potential one asks for review)."""
        if hit.source in self.sources:
            return True
        return any(re.search(p, hit.list_name or "", re.IGNORECASE) for p in self.list_names)


@dataclass(frozen=True, slots=True)
class RegimeSet:
    version: str
    regimes: tuple[Regime, ...]
    file: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, regime_id: str) -> Regime:
        for regime in self.regimes:
            if regime.id == regime_id:
                return regime
        raise KeyError(regime_id)


def parse_regimes(path: Path) -> RegimeSet:
    """Reads and validates a regimes file; errors name the file and the field."""
    return _parse_regimes(read_yaml(path), str(path))


def _parse_regimes(raw: Any, file: str) -> RegimeSet:
    if not isinstance(raw, dict) or not isinstance(raw.get("regimes"), list):
        raise InputError("needs a 'regimes' list", file=file, field="regimes")
    if "min_score" in raw:
        # a bare score is no evidence that an owner is the listed party: regimes count confirmed hits
        raise InputError(
            "min_score is no longer read: only a confirmed hit (match strength) makes an owner listed",
            file=file,
            field="min_score",
        )
    regimes = []
    for i, item in enumerate(raw["regimes"]):
        where = f"regimes[{i}]"
        if not isinstance(item, dict):
            raise InputError("a regime must be a mapping", file=file, field=where)
        for key in ("id", "threshold", "citation"):
            if item.get(key) in (None, ""):
                raise InputError(f"regime needs '{key}'", file=file, field=f"{where}.{key}")
        windows = []
        for j, w in enumerate(item.get("suspended") or []):
            start = optional_iso_date(w.get("from"), file=file, field=f"{where}.suspended[{j}].from")
            until = optional_iso_date(w.get("until"), file=file, field=f"{where}.suspended[{j}].until")
            if start is None or until is None:
                raise InputError(
                    "a suspension needs 'from' and 'until'", file=file, field=f"{where}.suspended[{j}]"
                )
            windows.append(Suspension(start, until, str(w.get("citation", ""))))
        try:
            threshold = float(item["threshold"])
        except (TypeError, ValueError) as exc:
            raise InputError("threshold must be a number", file=file, field=f"{where}.threshold") from exc
        regimes.append(
            Regime(
                id=str(item["id"]),
                title=str(item.get("title", item["id"])),
                threshold=threshold,
                citation=str(item["citation"]),
                effective=optional_iso_date(item.get("effective"), file=file, field=f"{where}.effective"),
                end=optional_iso_date(item.get("end"), file=file, field=f"{where}.end"),
                suspended=tuple(windows),
                list_names=tuple(str(p) for p in item.get("list_names") or []),
                sources=tuple(str(s) for s in item.get("sources") or []),
                propagate=bool(item.get("propagate", True)),
                red_flag_29_citation=str(item.get("red_flag_29_citation", "")),
            )
        )
    return RegimeSet(
        version=str(raw.get("version", "")),
        regimes=tuple(regimes),
        file=file,
    )


@lru_cache(maxsize=4)
def _cached(path: str) -> RegimeSet:
    return parse_regimes(Path(path))


def load_regimes(path: Path | None = None) -> RegimeSet:
    """The regimes of ``path``, or of the installed ``ownership/regimes.yml`` (the override root's when it
    has one, ``CHIPGUARD_DATA_OVERRIDES``, else the bundled file) as decisions record it, parsed once."""
    if path is not None:
        return _cached(str(path))
    found = refdata.recorded_file("ownership/regimes.yml")  # the bytes decisions record and archive
    return refdata.parsed(
        "ownership-regimes",
        f"{found.sha256}:{found.name}",
        lambda: _parse_regimes(parse_yaml(found.text(), found.name), found.name),
    )
