"""Loads the monitor's reference data (``chipguard/data/monitor/*.yml``): thresholds, estimation settings,
free-mail domains and address abbreviations.

Why data: thresholds are proposed, enacted and revoked on dates a compliance officer must be able to read
and cite; utilisation assumptions and free-mail lists are judgement calls a provider may tune. None of it
belongs in code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from chipguard.config import data_dir
from chipguard.datafiles import read_yaml_mapping
from chipguard.errors import InputError

QUANTITIES = ("training_compute_ops", "cluster_ops_per_s")
STATUSES = ("in_force", "proposed", "revoked")


@dataclass(frozen=True, slots=True)
class Threshold:
    """One dated compute threshold with its citation. ``alerting`` False = reported, never alerts."""

    id: str
    regime: str
    quantity: str
    value: float
    status: str
    effective_from: dt.date | None
    revoked_on: dt.date | None
    alerting: bool
    text: str
    citation: str
    grade: str
    scope: str = ""

    def status_on(self, on: dt.date) -> str:
        """The threshold's status on a date: revoked after ``revoked_on``, not-yet before it starts."""
        if self.revoked_on is not None and on >= self.revoked_on:
            return "revoked"
        if self.effective_from is not None and on < self.effective_from:
            return "not_yet_effective"
        return "proposed" if self.status == "proposed" else "in_force"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "regime": self.regime,
            "quantity": self.quantity,
            "value": self.value,
            "status": self.status,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "revoked_on": self.revoked_on.isoformat() if self.revoked_on else None,
            "alerting": self.alerting,
            "text": self.text,
            "citation": self.citation,
            "grade": self.grade,
            "scope": self.scope,
        }


@dataclass(frozen=True, slots=True)
class ThresholdSet:
    version: str
    early_warning_fraction: float
    thresholds: tuple[Threshold, ...]


@dataclass(frozen=True, slots=True)
class Estimation:
    """How usage becomes operations: utilisation default and range, precision fallbacks, window."""

    version: str
    source: str
    utilisation: float
    utilisation_low: float
    utilisation_high: float
    precisions: dict[str, tuple[str, ...]]
    default_precision: str
    cluster_precision: str
    window_days: float


def monitor_dir() -> Path:
    return data_dir() / "monitor"


def _read(name: str) -> dict[str, Any]:
    path = monitor_dir() / name
    return read_yaml_mapping(path)


def _fraction(value: Any, path: str, key: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"expected a number, got {value!r}", file=path, field=key)
    if not (0 < value <= 1 or (allow_zero and value == 0)):
        raise InputError(f"expected a fraction in (0, 1], got {value!r}", file=path, field=key)
    return float(value)


def _date(value: Any, path: str, key: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    raise InputError(f"expected a date YYYY-MM-DD, got {value!r}", file=path, field=key)


@cache
def thresholds() -> ThresholdSet:
    """The bundled thresholds (``thresholds.yml``), validated."""
    doc = _read("thresholds.yml")
    path = str(monitor_dir() / "thresholds.yml")
    out: list[Threshold] = []
    for i, raw in enumerate(doc.get("thresholds") or []):
        where = f"thresholds[{i}]"
        if not isinstance(raw, dict):
            raise InputError(f"{where}: expected a mapping", file=path)
        for key in ("id", "regime", "quantity", "value", "status", "citation"):
            if key not in raw:
                raise InputError(f"{where}: missing", file=path, field=key)
        if raw["quantity"] not in QUANTITIES:
            raise InputError(f"{where}: quantity must be one of {QUANTITIES}", file=path, field="quantity")
        if raw["status"] not in STATUSES:
            raise InputError(f"{where}: status must be one of {STATUSES}", file=path, field="status")
        if raw.get("comparison", ">") != ">":
            raise InputError(f"{where}: only '>' comparisons are supported", file=path, field="comparison")
        value = raw["value"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise InputError(f"{where}: expected a positive number", file=path, field="value")
        out.append(
            Threshold(
                id=str(raw["id"]),
                regime=str(raw["regime"]),
                quantity=str(raw["quantity"]),
                value=float(value),
                status=str(raw["status"]),
                effective_from=_date(raw.get("effective_from"), path, f"{where}.effective_from"),
                revoked_on=_date(raw.get("revoked_on"), path, f"{where}.revoked_on"),
                alerting=bool(raw.get("alerting", True)),
                text=str(raw.get("text", "")),
                citation=str(raw["citation"]),
                grade=str(raw.get("grade", "")),
                scope=str(raw.get("scope", "")),
            )
        )
    return ThresholdSet(
        version=str(doc.get("version", "")),
        early_warning_fraction=_fraction(
            doc.get("early_warning_fraction", 0.5), path, "early_warning_fraction", allow_zero=True
        ),
        thresholds=tuple(out),
    )


@cache
def estimation() -> Estimation:
    """The bundled estimation settings (``estimation.yml``), validated."""
    doc = _read("estimation.yml")
    path = str(monitor_dir() / "estimation.yml")
    util = doc.get("utilisation") or {}
    precisions = {
        str(k).lower(): tuple(str(x) for x in v) for k, v in (doc.get("precisions") or {}).items() if v
    }
    default = str(doc.get("default_precision", "bf16")).lower()
    cluster = str(doc.get("cluster_precision", "max")).lower()
    for key, name in (("default_precision", default), ("cluster_precision", cluster)):
        if name not in precisions:
            raise InputError(f"unknown precision {name!r}", file=path, field=key)
    low = _fraction(util.get("low"), path, "utilisation.low")
    central = _fraction(util.get("default"), path, "utilisation.default")
    high = _fraction(util.get("high"), path, "utilisation.high")
    if not low <= central <= high:
        raise InputError("expected low <= default <= high", file=path, field="utilisation")
    window = doc.get("window_days", 90)
    if isinstance(window, bool) or not isinstance(window, int | float) or window <= 0:
        raise InputError("expected a positive number of days", file=path, field="window_days")
    return Estimation(
        version=str(doc.get("version", "")),
        source=str(doc.get("source", "")),
        utilisation=central,
        utilisation_low=low,
        utilisation_high=high,
        precisions=precisions,
        default_precision=default,
        cluster_precision=cluster,
        window_days=float(window),
    )


@cache
def free_mail_domains() -> frozenset[str]:
    return frozenset(str(d).strip().lower() for d in _read("free_mail.yml").get("domains") or [])


@cache
def generic_payment_methods() -> frozenset[str]:
    return frozenset(
        str(d).strip().lower() for d in _read("free_mail.yml").get("generic_payment_methods") or []
    )


@cache
def address_words() -> dict[str, str]:
    return {
        str(k).lower(): str(v).lower()
        for k, v in (_read("address_abbreviations.yml").get("words") or {}).items()
    }


@cache
def link_settings() -> dict[str, int]:
    """Linked-account settings (``free_mail.yml`` ``links``): ``max_fanout``."""
    raw = _read("free_mail.yml").get("links") or {}
    fanout = raw.get("max_fanout", 25)
    if isinstance(fanout, bool) or not isinstance(fanout, int) or fanout < 2:
        raise InputError(
            "expected a whole number >= 2",
            file=str(monitor_dir() / "free_mail.yml"),
            field="links.max_fanout",
        )
    return {"max_fanout": fanout}
