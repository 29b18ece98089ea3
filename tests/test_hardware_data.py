"""The catalogue against the real Epoch AI dataset in ../shared/data, and the rule documents' dates."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

from chipguard.config import data_dir
from chipguard.hardware.rules import all_documents

REPO = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("build_catalogue", REPO / "tools" / "build_catalogue.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_epoch_sourced_figure_matches_the_dataset(shared: Path) -> None:
    tool = _tool()
    rows = tool.load_rows(shared / "hardware" / "epoch_chip_dataset_2025-06.csv")
    assert len(rows) > 5000
    assert tool.check(rows) == []


def test_epoch_check_catches_a_wrong_figure(shared: Path) -> None:
    tool = _tool()
    rows = tool.load_rows(shared / "hardware" / "epoch_chip_dataset_2025-06.csv")
    rows["NVIDIA H100 SXM5 80GB"][0]["INT8 performance (OP/s)"] = "3958000000000000"  # a sparse figure
    problems = tool.check(rows)
    assert any(p.startswith("nvidia-h100-sxm: throughput.INT8") for p in problems)


def test_notice_attributes_epoch_cc_by() -> None:
    notice = (data_dir() / "hardware" / "NOTICE").read_text(encoding="utf-8")
    assert "Epoch AI" in notice and "CC BY 4.0" in notice


def test_rule_documents_are_dated_and_cited() -> None:
    docs = {d.id: d for d in all_documents()}
    assert docs["eccn-3a090-2022-10-07"].end == dt.date(2023, 11, 16)
    assert docs["eccn-3a090-2023-11-17"].effective == dt.date(2023, 11, 17)
    assert docs["eccn-3a090c-2024-12-02"].citation.startswith("89 FR 96790")
    assert docs["eccn-case-by-case-2026-01-15"].citation.startswith("91 FR 1684")
    for doc in docs.values():
        assert doc.rules and doc.citation
        for rule in doc.rules:
            assert rule.text and rule.citation
    # No gap or overlap in the 3A090.a/.b threshold documents.
    assert docs["eccn-3a090-2022-10-07"].end + dt.timedelta(days=1) == docs["eccn-3a090-2023-11-17"].effective
