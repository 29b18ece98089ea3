"""Dates read from reference data (rule sets, country groups, ownership regimes).

One reader so that every data file accepts the same forms (a YAML date or an ISO string; empty means
open-ended) and every bad value gets the same error naming its file and field."""

from __future__ import annotations

from datetime import date
from typing import Any

from chipguard.errors import InputError


def optional_iso_date(value: Any, *, file: str, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(f"not an ISO date: {value!r}", file=file, field=field) from exc
