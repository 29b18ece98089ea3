"""Usage → compute estimates on real catalogue figures, checked against the REGULATIONS.md §5 worked
figures: 10,000 H100 (BF16 dense 9.89e14) × 0.4 × 90 days ≈ 3.1e25 FLOP; 10^26 ≈ 7.0e7 H100-hours at 40 %."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipguard.cli import app
from chipguard.errors import InputError
from chipguard.hardware import resolve_model
from chipguard.monitor.compute import (
    chip_hours_for,
    estimate,
    estimate_accounts,
    max_window,
    peak_concurrent,
    peak_ops,
    settings,
)
from chipguard.monitor.config import thresholds
from chipguard.monitor.usage import read_usage

FIXTURES = Path(__file__).parent / "fixtures" / "monitor"
WORKED = FIXTURES / "usage_worked.csv"
SPLIT = FIXTURES / "usage_split.jsonl"
AFTER_EU = dt.date(2026, 1, 1)
H100_BF16 = resolve_model("H100 SXM5 80GB").throughput["FP16/BF16"] * 1e12
H100_FP8 = resolve_model("H100 SXM5 80GB").throughput["FP8"] * 1e12


def _by_account(path: Path, **kw: object) -> dict[str, object]:
    cfg = settings(as_of=AFTER_EU, **kw)  # type: ignore[arg-type]
    return {e.accounts[0]: e for e in estimate_accounts(read_usage(path), cfg)}


def _level(est: object, threshold_id: str) -> str:
    return next(c.level for c in est.checks if c.threshold.id == threshold_id)  # type: ignore[attr-defined]


def test_h100_bf16_figure_is_the_regulations_figure() -> None:
    assert round(H100_BF16 / 1e14, 2) == 9.89
    assert peak_ops(resolve_model("H100"), "bf16") == (H100_BF16, "FP16/BF16")
    assert peak_ops(resolve_model("H100"), "max") == (H100_FP8, "FP8")
    # L40S has no tensor FP16/BF16 figure: the fallback is named, MI308X has none at all
    assert peak_ops(resolve_model("L40S"), "bf16") == (362e12, "FP16")
    assert peak_ops(resolve_model("MI308X"), "bf16") is None


def test_worked_figure_10000_h100_for_90_days() -> None:
    est = _by_account(WORKED)["frontier-lab"]
    seconds = 90 * 86400
    assert est.flop == pytest.approx(10_000 * H100_BF16 * 0.4 * seconds, rel=1e-12)
    assert f"{est.flop:.1e}" == "3.1e+25"
    assert est.flop_low == pytest.approx(est.flop * 0.3 / 0.4) and est.flop_high == pytest.approx(
        est.flop * 0.5 / 0.4
    )
    assert est.chip_hours == 10_000 * 2160
    assert est.window_flop == pytest.approx(est.flop)  # the whole run fits in the 90-day window
    assert est.peak_chips == 10_000 and est.peak_ops_per_s == pytest.approx(10_000 * H100_FP8)
    assert _level(est, "eu-ai-act-51-2") == "exceeds"  # 3.1e25 > 1e25
    assert _level(est, "bis-702.7-proposed-model") == "below"  # 31 % of 1e26, under the 50 % warning
    assert _level(est, "bis-702.7-proposed-cluster") == "below"  # 1.98e19 ops/s
    assert est.alert == "exceeds"


def test_1e26_is_7e7_h100_hours_at_40_percent() -> None:
    hours = chip_hours_for(1e26, resolve_model("H100"))
    assert f"{hours:.1e}" == "7.0e+07"
    # 8,750 p5.48xlarge (8 H100 each) for 1,000 h = 7.0e7 H100-hours: just under 1e26 at 40 %, over at 50 %
    est = _by_account(WORKED)["p5-tenant"]
    assert est.chip_hours == 7.0e7
    assert est.flop < 1e26 < est.flop_high
    assert _level(est, "bis-702.7-proposed-model") == "may_exceed"
    assert _level(est, "bis-702.7-proposed-cluster") == "exceeds"  # 70,000 × 1.979e15 = 1.39e20 ops/s
    assert chip_hours_for(1e26, resolve_model("p5.48xlarge")) == pytest.approx(hours)


def test_measured_utilisation_replaces_the_range() -> None:
    est = _by_account(WORKED)["small-a"]
    a100 = resolve_model("p4d.24xlarge")
    assert est.flop == est.flop_low == est.flop_high
    assert est.flop == pytest.approx(16 * 312e12 * 0.35 * 7 * 86400)
    assert a100.components[0].count == 8


def test_thresholds_are_dated() -> None:
    ids = {t.id: t for t in thresholds().thresholds}
    eo = ids["eo14110-4.2b-model"]
    assert eo.status == "revoked" and eo.revoked_on == dt.date(2025, 1, 20)
    assert eo.status_on(dt.date(2024, 6, 1)) == "in_force" and eo.status_on(AFTER_EU) == "revoked"
    assert ids["eu-ai-act-51-2"].status_on(dt.date(2024, 6, 1)) == "not_yet_effective"
    assert all(t.citation for t in ids.values())
    # the same usage alerts on different thresholds depending on the date
    records = read_usage(WORKED)
    p5 = [r for r in records if r.account == "p5-tenant"]
    in_2024 = estimate(p5, settings(as_of=dt.date(2024, 6, 1)))
    alerting_2024 = {c.threshold.id for c in in_2024.checks if c.alerting}
    assert "eo14110-4.2b-cluster" in alerting_2024 and "eu-ai-act-51-2" not in alerting_2024
    in_2026 = estimate(p5, settings(as_of=AFTER_EU))
    alerting_2026 = {c.threshold.id for c in in_2026.checks if c.alerting}
    assert "eo14110-4.2b-cluster" not in alerting_2026 and "eu-ai-act-51-2" in alerting_2026


def test_precision_utilisation_and_warning_options() -> None:
    fp8 = _by_account(WORKED, precision="fp8")["frontier-lab"]
    bf16 = _by_account(WORKED)["frontier-lab"]
    assert fp8.flop == pytest.approx(bf16.flop * H100_FP8 / H100_BF16)
    fixed = _by_account(WORKED, utilisation=0.5)["frontier-lab"]
    assert fixed.flop == fixed.flop_low == fixed.flop_high == pytest.approx(bf16.flop_high)
    warned = _by_account(WORKED, warn_fraction=0.3)["frontier-lab"]
    assert _level(warned, "bis-702.7-proposed-model") == "warning"  # 31 % ≥ 30 %
    with pytest.raises(InputError, match="precision"):
        settings(precision="fp3")
    with pytest.raises(InputError):
        settings(utilisation=1.5)


def test_undetermined_throughput_is_reported_not_counted() -> None:
    est = _by_account(SPLIT)["cus-mi308"]
    assert est.flop == 0 and est.chip_hours == 80
    assert est.undetermined == [
        {"line": 6, "model": "MI308X", "reason": "no dense bf16 figure in the catalogue"}
    ]


def test_rolling_window_and_peak_concurrency(tmp_path: Path) -> None:
    path = tmp_path / "two_runs.csv"
    path.write_text(
        "account,model,count,start,hours\n"
        "lab,H100,1000,2025-01-01T00:00:00Z,720\n"  # 30 days
        "lab,H100,2000,2025-09-01T00:00:00Z,1440\n"  # 60 days, 200+ days later
        "lab,H100,500,2025-10-31T00:00:00Z,24\n",  # starts exactly when the 2,000 end: never concurrent
        encoding="utf-8",
    )
    est = _by_account(path)["lab"]
    rate = H100_BF16 * 0.4
    assert est.flop == pytest.approx(rate * 3600 * (1000 * 720 + 2000 * 1440 + 500 * 24))
    assert est.window_flop == pytest.approx(rate * 3600 * (2000 * 1440 + 500 * 24))
    assert est.window_start == dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
    assert est.peak_chips == 2000
    window_basis = _by_account(path, basis="window", window_days=30)["lab"]
    assert window_basis.window_flop == pytest.approx(rate * 3600 * 2000 * 720)


def test_max_window_matches_brute_force() -> None:
    rng = random.Random(7)
    for _ in range(40):
        intervals = []
        for _ in range(rng.randint(1, 8)):
            s = rng.randint(0, 100)
            intervals.append((float(s), float(s + rng.randint(1, 40)), float(rng.randint(1, 9))))
        window = float(rng.randint(1, 50))

        def area(t: float, ivs: list[tuple[float, float, float]] = intervals, w: float = window) -> float:
            return sum(r * max(0.0, min(e, t + w) - max(s, t)) for s, e, r in ivs)

        brute = max(area(float(t)) for t in range(-60, 150))
        best, start = max_window(intervals, window)
        assert best == pytest.approx(brute)
        assert area(start) == pytest.approx(best)
        peak, _ = peak_concurrent(intervals)
        assert peak == max(sum(r for s, e, r in intervals if s <= t < e) for t in range(0, 150))


@pytest.mark.parametrize(
    ("body", "line", "field"),
    [
        ("acct,H100,8,2025-01-01,10\nacct,H100 SMX,8,2025-01-01,10\n", 3, "model"),
        ("acct,H100,0,2025-01-01,10\n", 2, "count"),
        ("acct,H100,2.5,2025-01-01,10\n", 2, "count"),
        ("acct,H100,8,yesterday,10\n", 2, "start"),
        ("acct,H100,8,2025-01-01,-3\n", 2, "hours"),
        (",H100,8,2025-01-01,10\n", 2, "account"),
        ("acct,H100,8,2025-01-01,\n", 2, "end"),
        ("acct,HBM3,8,2025-01-01,10\n", 2, "model"),
    ],
)
def test_bad_csv_names_file_line_and_field(tmp_path: Path, body: str, line: int, field: str) -> None:
    path = tmp_path / "usage.csv"
    path.write_text("account,model,count,start,hours\n" + body, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_usage(path)
    assert (err.value.file, err.value.line, err.value.field) == (str(path), line, field)


def test_bad_jsonl_and_inconsistent_times(tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    path.write_text(
        '{"account": "a", "model": "H100", "count": 1, "start": "2025-01-01", "hours": 1}\n{not json}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        read_usage(path)
    assert err.value.line == 2
    path.write_text(
        '{"account": "a", "model": "H100", "count": 1, "start": "2025-01-02", "end": "2025-01-01"}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="not after start"):
        read_usage(path)
    path.write_text(
        '{"account": "a", "model": "H100", "count": 1, "start": "2025-01-01T00:00Z", "end": "2025-01-01T10:00Z", "hours": 5}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        read_usage(path)
    assert err.value.field == "hours"
    path.write_text(
        '{"account": "a", "model": "H100", "count": 1, "start": "2025-01-01", "hours": 1, "utilisation": 40}\n'
    )
    with pytest.raises(InputError) as err:
        read_usage(path)
    assert err.value.field == "utilisation"
    xlsx = tmp_path / "usage.xlsx"
    xlsx.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match="unknown usage format"):
        read_usage(xlsx)
    with pytest.raises(InputError, match="no such file"):
        read_usage(tmp_path / "missing.csv")


def test_timezones_are_normalised_to_utc() -> None:
    rec = next(r for r in read_usage(SPLIT) if r.account == "cus-shell-c")
    assert rec.start == dt.datetime(2025, 6, 14, 16, tzinfo=dt.UTC)
    assert rec.seconds == 60 * 86400 and rec.utilisation == 0.38


def test_cli_usage_json_and_text() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["monitor", "usage", str(WORKED), "--json", "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["settings"]["utilisation_range"] == [0.3, 0.5] and doc["settings"]["precision"] == "bf16"
    frontier = next(a for a in doc["accounts"] if a["accounts"] == ["frontier-lab"])
    assert f"{frontier['flop']:.1e}" == "3.1e+25"
    eu = next(t for t in frontier["thresholds"] if t["threshold_id"] == "eu-ai-act-51-2")
    assert eu["level"] == "exceeds" and "2024/1689" in eu["citation"]
    text = runner.invoke(app, ["monitor", "usage", str(WORKED), "--as-of", "2026-01-01"])
    assert "frontier-lab: EXCEEDS" in text.output and "revoked, not alerting" in text.output


def test_cli_bad_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text("account,model,count,start,hours\nacct,H100 SMX,8,2025-01-01,10\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", "from chipguard.cli import main; main()", "monitor", "usage", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert f"{path}, line 2, field 'model'" in proc.stderr and proc.stdout == ""


def test_json_array_is_accepted_and_numbered_by_record(tmp_path: Path) -> None:
    path = tmp_path / "usage.json"
    good = {
        "account_id": "a",
        "accelerator": "B200",
        "accelerator_count": 8,
        "start_time": "2025-01-01",
        "hours": 1,
    }
    path.write_text(json.dumps([good, {**good, "accelerator_count": "eight"}]), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_usage(path)
    assert (err.value.line, err.value.field) == (2, "count")
    path.write_text(json.dumps([good]), encoding="utf-8")
    (rec,) = read_usage(path)
    assert rec.entry_id == "nvidia-b200" and rec.chips == 8


def test_cli_fail_on_levels(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["monitor", "usage", str(WORKED), "--as-of", "2026-01-01"]
    assert runner.invoke(app, [*args, "--fail-on", "exceeds"]).exit_code == 1
    small = tmp_path / "small.csv"
    small.write_text("account,model,count,start,hours\nlab,L4,4,2025-01-01,100\n", encoding="utf-8")
    ok = runner.invoke(app, ["monitor", "usage", str(small), "--fail-on", "warning", "--json"])
    assert ok.exit_code == 0, ok.output
    (account,) = json.loads(ok.output)["accounts"]
    eu = next(t for t in account["thresholds"] if t["threshold_id"] == "eu-ai-act-51-2")
    assert eu["headroom"] == pytest.approx(1e25 - account["flop"])
    bad = runner.invoke(app, [*args, "--fail-on", "sometimes"])
    assert isinstance(bad.exception, InputError)


def test_header_and_percent_utilisation(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text("account,model,start,hours\nlab,H100,2025-01-01,10\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_usage(path)
    assert (err.value.line, err.value.field) == (1, "count")
    path.write_text("account,model,count,start,utilization\nlab,H100,8,2025-01-01,38%\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_usage(path)
    assert (err.value.line, err.value.field) == (1, "end")
    path.write_text(
        "account,model,count,start,hours,utilization\nlab,H100,8,2025-01-01,10,38%\n", encoding="utf-8"
    )
    (rec,) = read_usage(path)
    assert rec.utilisation == pytest.approx(0.38)
