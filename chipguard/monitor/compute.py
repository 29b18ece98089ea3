"""Usage → compute estimates, compared with dated thresholds (REGULATIONS.md §5).

    FLOP ≈ chips × dense peak FLOP/s × seconds × utilisation

per account (or per linked-account cluster), in total and in the busiest rolling window, at the default
utilisation and at the low/high ends of its range; plus the peak capacity held at one moment
(chips × dense peak ops/s, no utilisation) for the cluster thresholds.

Why a range and not one number: utilisation is not observable from billing records and typically lies
between 0.3 and 0.5; a customer whose central estimate sits below a threshold but whose high estimate
crosses it is exactly the one a compliance officer must look at ("may exceed").
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chipguard.errors import InputError
from chipguard.hardware import CatalogueEntry
from chipguard.hardware.catalogue import get_catalogue
from chipguard.monitor.config import Estimation, Threshold, ThresholdSet, estimation, thresholds
from chipguard.monitor.usage import UsageRecord, accelerators_of

LEVELS = ("below", "warning", "may_exceed", "exceeds")
TERA = 1e12


def peak_ops(
    entry: CatalogueEntry, precision: str, est: Estimation | None = None
) -> tuple[float, str] | None:
    """Dense peak operations per second of ONE accelerator at ``precision`` (a name from
    ``estimation.yml``: bf16, fp16, fp8, int8, fp32, fp64, max) and the catalogue figure used, or None
    when the catalogue has no figure for it (the caller reports the record as undetermined)."""
    est = est or estimation()
    chain = est.precisions.get(precision.lower())
    if chain is None:
        raise InputError(
            f"unknown precision '{precision}': use one of {', '.join(sorted(est.precisions))}",
            field="precision",
        )
    if chain == ("*",):
        if not entry.throughput:
            return None
        key = max(entry.throughput, key=lambda k: entry.throughput[k])
        return entry.throughput[key] * TERA, key
    for key in chain:
        if key in entry.throughput:
            return entry.throughput[key] * TERA, key
    return None


def chip_hours_for(
    ops: float, model: CatalogueEntry, precision: str | None = None, utilisation: float | None = None
) -> float:
    """Accelerator-hours of ``model`` needed to reach ``ops`` operations (e.g. 10^26 ≈ 7.0e7 H100-hours at
    40 % — REGULATIONS.md §5). Raises InputError when the catalogue has no figure at that precision."""
    est = estimation()
    precision = precision or est.default_precision
    util = est.utilisation if utilisation is None else utilisation
    per_unit = accelerators_of(model)
    rate = 0.0
    for chip, n in per_unit:
        peak = peak_ops(chip, precision, est)
        if peak is None:
            raise InputError(f"no {precision} figure for '{chip.name}'", field="precision")
        rate += n * peak[0]
    chips_per_unit = sum(n for _, n in per_unit)
    return ops / (rate / chips_per_unit * util * 3600.0)


# ── piecewise-constant rates ─────────────────────────────────────────────────────────────────────


def _integral_fn(
    intervals: Sequence[tuple[float, float, float]],
) -> tuple[list[float], list[float], list[float]]:
    """Breakpoints, cumulative integral at each and the rate after each, of a sum of constant-rate
    intervals (start, end, rate) in seconds."""
    delta: dict[float, float] = defaultdict(float)
    for s, e, r in intervals:
        delta[s] += r
        delta[e] -= r
    points = sorted(delta)
    cum: list[float] = []
    rates: list[float] = []
    total = 0.0
    rate = 0.0
    prev = points[0] if points else 0.0
    for p in points:
        total += rate * (p - prev)
        cum.append(total)
        rate += delta[p]
        rates.append(rate)
        prev = p
    return points, cum, rates


def _at(points: list[float], cum: list[float], rates: list[float], t: float) -> float:
    i = bisect.bisect_right(points, t) - 1
    if i < 0:
        return 0.0
    return cum[i] + rates[i] * (t - points[i])


def max_window(intervals: Sequence[tuple[float, float, float]], window: float) -> tuple[float, float]:
    """The largest integral over any window of ``window`` seconds, and the window's start.

    The integral as a function of the window start is piecewise linear with kinks only where the start
    or the end of the window crosses a breakpoint, so its maximum is at one of those candidates."""
    if not intervals:
        return 0.0, 0.0
    points, cum, rates = _integral_fn(intervals)
    best, best_t = -1.0, points[0]
    for t in sorted({*points, *(p - window for p in points)}):
        value = _at(points, cum, rates, t + window) - _at(points, cum, rates, t)
        if value > best + 1e-9 * max(abs(best), 1.0):
            best, best_t = value, t
    # Report the window from the first activity inside it: moving an idle start forward loses nothing.
    i = bisect.bisect_right(points, best_t) - 1
    if i < 0 or rates[i] <= 0:
        best_t = next((p for p, r in zip(points, rates, strict=True) if p > best_t and r > 0), best_t)
    return max(best, 0.0), best_t


def peak_concurrent(intervals: Sequence[tuple[float, float, float]]) -> tuple[float, float]:
    """Largest sum of rates in force at one moment (intervals are half-open) and when it started."""
    if not intervals:
        return 0.0, 0.0
    points, _cum, rates = _integral_fn(intervals)
    i = max(range(len(points)), key=lambda k: rates[k])
    return rates[i], points[i]


# ── results ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(slots=True)
class ThresholdCheck:
    """One threshold against one estimate: ``level`` is exceeds / may_exceed / warning / below."""

    threshold: Threshold
    status: str  # the threshold's status on the as-of date
    figure: float
    figure_low: float
    figure_high: float
    level: str
    alerting: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold_id": self.threshold.id,
            "regime": self.threshold.regime,
            "quantity": self.threshold.quantity,
            "value": self.threshold.value,
            "status": self.status,
            "figure": self.figure,
            "figure_low": self.figure_low,
            "figure_high": self.figure_high,
            "share": self.figure / self.threshold.value,
            "headroom": max(
                self.threshold.value - self.figure, 0.0
            ),  # left before the central figure crosses
            "level": self.level,
            "alerting": self.alerting,
            "citation": self.threshold.citation,
            "scope": self.threshold.scope,
        }


@dataclass(slots=True)
class ComputeEstimate:
    """Compute used by one account or one cluster of linked accounts."""

    accounts: list[str]
    records: int
    chip_hours: float
    flop: float
    flop_low: float
    flop_high: float
    window_days: float
    window_flop: float
    window_flop_low: float
    window_flop_high: float
    window_start: dt.datetime | None
    peak_chips: int
    peak_ops_per_s: float
    peak_at: dt.datetime | None
    first: dt.datetime
    last: dt.datetime
    by_model: dict[str, dict[str, Any]] = field(default_factory=dict)
    undetermined: list[dict[str, Any]] = field(default_factory=list)
    checks: list[ThresholdCheck] = field(default_factory=list)
    alert: str = "below"

    def to_dict(self) -> dict[str, Any]:
        return {
            "accounts": self.accounts,
            "records": self.records,
            "chip_hours": self.chip_hours,
            "flop": self.flop,
            "flop_low": self.flop_low,
            "flop_high": self.flop_high,
            "window": {
                "days": self.window_days,
                "start": self.window_start.isoformat() if self.window_start else None,
                "flop": self.window_flop,
                "flop_low": self.window_flop_low,
                "flop_high": self.window_flop_high,
            },
            "peak_chips": self.peak_chips,
            "peak_ops_per_s": self.peak_ops_per_s,
            "peak_at": self.peak_at.isoformat() if self.peak_at else None,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "by_model": self.by_model,
            "undetermined": self.undetermined,
            "thresholds": [c.to_dict() for c in self.checks],
            "alert": self.alert,
        }


@dataclass(frozen=True, slots=True)
class Settings:
    """What an estimate assumed: recorded with every report so a figure can be reproduced."""

    precision: str
    cluster_precision: str
    utilisation: float
    utilisation_low: float
    utilisation_high: float
    window_days: float
    warn_fraction: float
    basis: str  # "cumulative" or "window": which FLOP figure the training-compute thresholds see
    as_of: dt.date

    def to_dict(self) -> dict[str, Any]:
        est, ths = estimation(), thresholds()
        return {
            "precision": self.precision,
            "cluster_precision": self.cluster_precision,
            "utilisation": self.utilisation,
            "utilisation_range": [self.utilisation_low, self.utilisation_high],
            "window_days": self.window_days,
            "warn_fraction": self.warn_fraction,
            "basis": self.basis,
            "as_of": self.as_of.isoformat(),
            "note": (
                "usage shows accelerator time, not what was trained: the figures bound the compute of any "
                "one model from above; cluster figures assume the concurrent accelerators are co-located"
            ),
            "method": est.source,
            "estimation_version": est.version,
            "thresholds_version": ths.version,
            "catalogue_version": get_catalogue().version,
        }


def settings(
    precision: str | None = None,
    utilisation: float | None = None,
    window_days: float | None = None,
    warn_fraction: float | None = None,
    basis: str = "cumulative",
    as_of: dt.date | None = None,
) -> Settings:
    """Settings from the data files, each overridable (CLI options); validated."""
    est, ths = estimation(), thresholds()
    prec = (precision or est.default_precision).lower()
    if prec not in est.precisions:
        raise InputError(
            f"unknown precision '{precision}': use one of {', '.join(sorted(est.precisions))}",
            field="precision",
        )
    util = est.utilisation if utilisation is None else float(utilisation)
    if not 0 < util <= 1:
        raise InputError(f"expected a fraction in (0, 1], got {utilisation}", field="utilisation")
    low, high = (est.utilisation_low, est.utilisation_high) if utilisation is None else (util, util)
    window = est.window_days if window_days is None else float(window_days)
    if window <= 0:
        raise InputError("expected a positive number of days", field="window_days")
    warn = ths.early_warning_fraction if warn_fraction is None else float(warn_fraction)
    if not 0 <= warn <= 1:
        raise InputError(f"expected a fraction in [0, 1], got {warn_fraction}", field="warn_fraction")
    if basis not in ("cumulative", "window"):
        raise InputError("basis must be 'cumulative' or 'window'", field="basis")
    return Settings(
        precision=prec,
        cluster_precision=est.cluster_precision,
        utilisation=util,
        utilisation_low=min(low, util),
        utilisation_high=max(high, util),
        window_days=window,
        warn_fraction=warn,
        basis=basis,
        as_of=as_of or dt.datetime.now(dt.UTC).date(),
    )


def _level(figure: float, high: float, value: float, warn: float) -> str:
    if figure > value:
        return "exceeds"
    if high > value:
        return "may_exceed"
    if warn > 0 and figure >= warn * value:
        return "warning"
    return "below"


def check(estimate: ComputeEstimate, cfg: Settings, ths: ThresholdSet | None = None) -> None:
    """Fills ``estimate.checks`` and ``estimate.alert`` (worst level among alerting thresholds in force
    or proposed on the as-of date; revoked ones are reported, marked, and never alert)."""
    ths = ths or thresholds()
    checks: list[ThresholdCheck] = []
    for th in ths.thresholds:
        if th.quantity == "cluster_ops_per_s":
            fig = low = high = estimate.peak_ops_per_s
        elif cfg.basis == "window":
            fig, low, high = estimate.window_flop, estimate.window_flop_low, estimate.window_flop_high
        else:
            fig, low, high = estimate.flop, estimate.flop_low, estimate.flop_high
        status = th.status_on(cfg.as_of)
        alerting = th.alerting and status in ("in_force", "proposed")
        checks.append(
            ThresholdCheck(
                th, status, fig, low, high, _level(fig, high, th.value, cfg.warn_fraction), alerting
            )
        )
    estimate.checks = checks
    levels = [LEVELS.index(c.level) for c in checks if c.alerting]
    estimate.alert = LEVELS[max(levels)] if levels else "below"


def _epoch(t: dt.datetime) -> float:
    return t.timestamp()


def _from_epoch(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.UTC)


def estimate(
    records: Sequence[UsageRecord], cfg: Settings, accounts: Iterable[str] | None = None
) -> ComputeEstimate:
    """The compute estimate of a set of records (one account, or several linked ones), checked against
    the thresholds. Records without a throughput figure at the chosen precision are listed in
    ``undetermined`` and contribute no FLOP (the report says so; they never silently count as zero)."""
    if not records:
        raise InputError("no usage records to estimate", field="records")
    est = estimation()
    central: list[tuple[float, float, float]] = []
    lows: list[tuple[float, float, float]] = []
    highs: list[tuple[float, float, float]] = []
    capacity: list[tuple[float, float, float]] = []
    chips: list[tuple[float, float, float]] = []
    by_model: dict[str, dict[str, Any]] = {}
    undetermined: list[dict[str, Any]] = []
    by_id = get_catalogue().by_id
    flop = flop_low = flop_high = hours = 0.0
    for rec in records:
        s, e = _epoch(rec.start), _epoch(rec.end)
        chips.append((s, e, float(rec.chips)))
        hours += rec.chip_hours
        u_mid = rec.utilisation if rec.utilisation is not None else cfg.utilisation
        u_low = rec.utilisation if rec.utilisation is not None else cfg.utilisation_low
        u_high = rec.utilisation if rec.utilisation is not None else cfg.utilisation_high
        peak_total = cap_total = 0.0
        basis: list[str] = []
        missing = False
        for chip, n in accelerators_of(by_id[rec.entry_id]):
            peak = peak_ops(chip, cfg.precision, est)
            cap = peak_ops(chip, cfg.cluster_precision, est)
            if peak is None or cap is None:
                missing = True
                break
            peak_total += rec.count * n * peak[0]
            cap_total += rec.count * n * cap[0]
            basis.append(f"{chip.id} {peak[1]} {peak[0] / TERA:g} TFLOPS dense")
        model = by_model.setdefault(
            rec.entry_id, {"records": 0, "chip_hours": 0.0, "flop": 0.0, "basis": basis}
        )
        model["records"] += 1
        model["chip_hours"] += rec.chip_hours
        if missing:
            undetermined.append(
                {
                    "line": rec.line,
                    "model": rec.model,
                    "reason": f"no dense {cfg.precision} figure in the catalogue",
                }
            )
            continue
        central.append((s, e, peak_total * u_mid))
        lows.append((s, e, peak_total * u_low))
        highs.append((s, e, peak_total * u_high))
        capacity.append((s, e, cap_total))
        seconds = rec.seconds
        flop += peak_total * u_mid * seconds
        flop_low += peak_total * u_low * seconds
        flop_high += peak_total * u_high * seconds
        model["flop"] += peak_total * u_mid * seconds
    window = cfg.window_days * 86400.0
    w_mid, w_start = max_window(central, window)
    w_low, _ = max_window(lows, window)
    w_high, _ = max_window(highs, window)
    peak_ops_s, peak_at = peak_concurrent(capacity)
    peak_chips, _ = peak_concurrent(chips)
    result = ComputeEstimate(
        accounts=sorted(set(accounts) if accounts is not None else {r.account for r in records}),
        records=len(records),
        chip_hours=hours,
        flop=flop,
        flop_low=flop_low,
        flop_high=flop_high,
        window_days=cfg.window_days,
        window_flop=w_mid,
        window_flop_low=w_low,
        window_flop_high=w_high,
        window_start=_from_epoch(w_start) if central else None,
        peak_chips=int(round(peak_chips)),
        peak_ops_per_s=peak_ops_s,
        peak_at=_from_epoch(peak_at) if capacity else None,
        first=min(r.start for r in records),
        last=max(r.end for r in records),
        by_model=by_model,
        undetermined=undetermined,
    )
    check(result, cfg)
    return result


def estimate_accounts(records: Sequence[UsageRecord], cfg: Settings) -> list[ComputeEstimate]:
    """One estimate per account, largest compute first."""
    groups: dict[str, list[UsageRecord]] = defaultdict(list)
    for rec in records:
        groups[rec.account].append(rec)
    out = [estimate(recs, cfg, [account]) for account, recs in groups.items()]
    out.sort(key=lambda e: (-LEVELS.index(e.alert), -e.flop, e.accounts))
    return out
