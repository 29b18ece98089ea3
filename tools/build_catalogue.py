"""Helper for curating chipguard/data/hardware/catalogue.yaml from Epoch AI's chip dataset.

Why: catalogue figures are copied by hand (with a source note each) so the product never needs
../shared/data at run time; this script shows a row's figures in catalogue units and checks that every
figure the catalogue attributes to `epoch` still equals the dataset.

    python tools/build_catalogue.py show "NVIDIA H100 SXM5 80GB"
    python tools/build_catalogue.py check [--csv ../shared/data/hardware/epoch_chip_dataset_2025-06.csv]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DEFAULT_CSV = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "hardware" / "epoch_chip_dataset_2025-06.csv"
)

# catalogue figure -> (Epoch column, divisor to catalogue units)
EPOCH_COLUMNS: dict[str, tuple[str, float]] = {
    "throughput.FP64": ("FP64 (double precision) performance (FLOP/s)", 1e12),
    "throughput.FP32": ("FP32 (single precision) performance (FLOP/s)", 1e12),
    "throughput.FP16": ("FP16 (half precision) performance (FLOP/s)", 1e12),
    "throughput.FP16/BF16": ("Tensor-FP16/BF16 performance (FLOP/s)", 1e12),
    "throughput.INT16": ("INT16 performance (OP/s)", 1e12),
    "throughput.INT8": ("INT8 performance (OP/s)", 1e12),
    "throughput.INT4": ("INT4 performance (OP/s)", 1e12),
    "throughput.FP8": ("FP8 performance (FLOP/s)", 1e12),
    "throughput.FP4": ("FP4 performance (FLOP/s)", 1e12),
    "die_area_mm2": ("Die Size (mm^2)", 1.0),
    "memory_gb": ("Memory size per board (Byte)", 1e9),
    "memory_bandwidth_gbs": ("Memory bandwidth (byte/s)", 1e9),
    "io_bandwidth_gbs": ("Intranode bandwidth (byte/s)", 1e9),
}


def load_rows(path: Path) -> dict[str, list[dict[str, str]]]:
    """Epoch rows by hardware name (a few names occur twice, with different columns filled)."""
    rows: dict[str, list[dict[str, str]]] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            rows.setdefault(row["Hardware name"].strip(), []).append(row)
    return rows


def epoch_value(rows: Iterable[dict[str, str]], figure: str) -> float | dt.date | None:
    """The figure in catalogue units from the first row that has it."""
    for row in rows:
        if figure == "released":
            text = row.get("Release date", "").strip()
            if text:
                return dt.date.fromisoformat(text)
            continue
        column, divisor = EPOCH_COLUMNS[figure]
        text = (row.get(column) or "").strip()
        if text:
            return float(text) / divisor
    return None


def catalogue_figures(entry: Any) -> dict[str, Any]:
    """Every figure of a catalogue entry, keyed like the `sources` mapping."""
    figures: dict[str, Any] = {f"throughput.{p}": v for p, v in entry.throughput.items()}
    for name in ("die_area_mm2", "memory_gb", "memory_bandwidth_gbs", "io_bandwidth_gbs", "released"):
        value = getattr(entry, name)
        if value is not None:
            figures[name] = value
    return figures


def check(rows: dict[str, list[dict[str, str]]], tolerance: float = 0.005) -> list[str]:
    """Mismatches between the catalogue's `epoch`-sourced figures and the dataset (empty list = all good)."""
    from chipguard.hardware import catalogue

    problems: list[str] = []
    for entry in catalogue():
        for figure, value in catalogue_figures(entry).items():
            if entry.source_of(figure) != "epoch":
                continue
            if not entry.epoch_row or entry.epoch_row not in rows:
                problems.append(f"{entry.id}: epoch_row {entry.epoch_row!r} not in the dataset")
                break
            expected = epoch_value(rows[entry.epoch_row], figure)
            if expected is None:
                problems.append(f"{entry.id}: {figure} attributed to Epoch but the row has no such figure")
            elif isinstance(expected, dt.date):
                if expected != value:
                    problems.append(f"{entry.id}: {figure} {value} != Epoch {expected}")
            elif abs(float(value) - expected) > tolerance * expected:
                problems.append(f"{entry.id}: {figure} {value} != Epoch {expected:g}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    sub = parser.add_subparsers(dest="cmd", required=True)
    show = sub.add_parser("show", help="print a row's figures in catalogue units")
    show.add_argument("name")
    sub.add_parser("check", help="compare the catalogue's Epoch-sourced figures with the dataset")
    args = parser.parse_args(argv)
    rows = load_rows(args.csv)
    if args.cmd == "show":
        if args.name not in rows:
            print(f"no row named {args.name!r}", file=sys.stderr)
            return 1
        for figure in [*EPOCH_COLUMNS, "released"]:
            value = epoch_value(rows[args.name], figure)
            if value is not None:
                print(f"{figure}: {value}")
        return 0
    problems = check(rows)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} mismatch(es)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
