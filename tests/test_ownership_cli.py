"""``chipguard ownership import|explain`` on the real samples and the fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chipguard.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "ownership"
runner = CliRunner()


def test_import_summarises_and_checks_declared_indirect_holdings(shared: Path) -> None:
    path = shared / "ownership" / "bods_example__multiple-indirect-ownership.json"
    result = runner.invoke(app, ["ownership", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["format"] == "bods" and summary["nodes"] == 4 and summary["unknown_share_edges"] == 2
    (check,) = summary["declared_indirect_checks"]
    assert check["holder"] == "Person 1" and check["declared_indirect"] == "60 %" and check["consistent"]


def test_import_gleif_with_names(shared: Path) -> None:
    rr = shared / "ownership" / "gleif_rr_sample.xml"
    lei = shared / "ownership" / "gleif_lei_sample.xml"
    result = runner.invoke(app, ["ownership", "import", str(rr), "--lei-file", str(lei)])
    assert result.exit_code == 0, result.output
    assert "consolidation 1" in result.output and "ultimate_consolidation 1" in result.output


def test_explain_shows_paths_and_the_listed_aggregate() -> None:
    result = runner.invoke(
        app,
        [
            "ownership",
            "explain",
            str(FIXTURES / "cycle.csv"),
            "--target",
            "Gamma Compute Pte Ltd",
            "--listed",
            "Alpha Holdings Ltd",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    alpha = next(h for h in out["holders"] if h["holder"] == "Alpha Holdings Ltd")
    assert alpha["percent"] == "40 %"
    assert "Alpha Holdings Ltd 50 % → Beta Investments Ltd 60 % → Gamma Compute Pte Ltd" in alpha["paths"]
    agg = out["listed_aggregate"]
    assert agg["percent"] == "70 %" and agg["definitely_at_or_above"]
    assert out["ultimate_parent"]["name"] == "Beta Investments Ltd"


def test_explain_bods_declared_indirect(shared: Path) -> None:
    path = shared / "ownership" / "bods_example__indirect-ownership.json"
    result = runner.invoke(app, ["ownership", "explain", str(path), "--target", "Company A"])
    assert result.exit_code == 0, result.output
    assert "Person 1: 30 % (declared indirect 30 %)" in result.output
    assert "Person 1 ? % → Company B 60 % → Company A" in result.output


def test_errors_name_the_record_and_exit_non_zero() -> None:
    result = runner.invoke(app, ["ownership", "import", str(FIXTURES / "bad_percent.csv")])
    assert result.exit_code == 2
    assert "line 4" in result.output and "field 'percent'" in result.output
    result = runner.invoke(
        app, ["ownership", "explain", str(FIXTURES / "cycle.csv"), "--target", "Nobody Ltd"]
    )
    assert result.exit_code == 2 and "--target" in result.output
    result = runner.invoke(app, ["ownership", "import", str(FIXTURES / "cycle.csv"), "--format", "xlsx"])
    assert result.exit_code == 2 and "--format" in result.output
