"""A match threshold outside 0–1 is an input error on every face that takes one, before anything is
screened or written: a threshold over 1 (``--threshold 85`` meant as 85 %) or NaN would screen every name
clean — a listed party included — with exit 0. Lists: a cut of the real CSL 2022-04 (test_cli_screen)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_screen import load
from typer.testing import CliRunner

from chipguard.cli import app
from chipguard.errors import InputError
from chipguard.match.screener import compare
from chipguard.names.data import checked_threshold, default_threshold
from chipguard.service.services import ScreenQuery, check_query
from chipguard.settings import settings

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "ownership"


@pytest.mark.parametrize("bad", [1.5, 85.0, -0.1, float("nan"), float("inf")])
def test_a_threshold_outside_0_to_1_is_refused_naming_the_field(bad: float) -> None:
    with pytest.raises(InputError) as caught:
        checked_threshold(bad)
    assert caught.value.field == "threshold" and "from 0 to 1" in str(caught.value)
    with pytest.raises(InputError) as caught:
        check_query(ScreenQuery("Mahan Air", threshold=bad, where="queries[2]"))
    assert caught.value.field == "queries[2].threshold"
    with pytest.raises(InputError):
        compare("Mahan Air", "Mahan Airlines", threshold=bad)


def test_the_bounds_and_the_default_are_taken() -> None:
    assert checked_threshold(None) == default_threshold()
    assert checked_threshold(0.0) == 0.0 and checked_threshold(1.0) == 1.0 and checked_threshold(0.9) == 0.9
    assert compare("Mahan Air", "Mahan Air", threshold=1.0).match


def test_cli_screen_refuses_it_and_a_listed_name_still_matches_within_range(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    load(shared, tmp_path)
    for bad in ("1.5", "80", "nan"):
        result = runner.invoke(app, ["screen", "Mahan Air", "--kind", "org", "--threshold", bad, "--json"])
        assert result.exit_code == 2, result.output
        assert "field 'threshold'" in result.stderr and not result.stdout.strip()
    ok = runner.invoke(app, ["screen", "Mahan Air", "--kind", "org", "--threshold", "0.95", "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["hits"][0]["party_id"] == "12927"


@pytest.mark.parametrize("command", [["screen-file"], ["batch", "screen", "--allow-stale"]])
def test_file_screening_refuses_it_and_writes_nothing(
    command: list[str], home: Path, shared: Path, tmp_path: Path
) -> None:
    load(shared, tmp_path)
    rows = tmp_path / "customers.csv"
    rows.write_text("id,name\n1,Mahan Air\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, [*command, str(rows), "--out", str(out), "--threshold", "2"])
    assert result.exit_code == 2, result.output
    assert "field 'threshold'" in result.output
    assert not out.exists()


def test_the_environment_variable_is_held_to_the_same_range(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIPGUARD_MATCH_THRESHOLD", "5")
    with pytest.raises(InputError, match="CHIPGUARD_MATCH_THRESHOLD"):
        settings()
    monkeypatch.setenv("CHIPGUARD_MATCH_THRESHOLD", "0.9")
    assert settings().match_threshold == 0.9


def test_ownership_explain_refuses_a_share_that_is_never_reached() -> None:
    args = ["ownership", "explain", str(FIXTURES / "cycle.csv"), "--target", "Gamma Compute Pte Ltd"]
    for bad in ("500", "0", "nan"):
        result = runner.invoke(app, [*args, "--listed", "Alpha Holdings Ltd", "--threshold", bad])
        assert result.exit_code == 2, result.output
        assert "--threshold" in result.output and "percentage" in result.output
    ok = runner.invoke(app, [*args, "--listed", "Alpha Holdings Ltd", "--threshold", "25", "--json"])
    assert ok.exit_code == 0, ok.output
