"""``chipguard hardware`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chipguard.cli import app
from chipguard.errors import InputError

runner = CliRunner()


def test_classify_text() -> None:
    result = runner.invoke(app, ["hardware", "classify", "H100 SXM5 80GB", "--date", "2024-06-01"])
    assert result.exit_code == 0, result.output
    assert "ECCN on 2024-06-01: 3A090.a" in result.output
    assert "TPP: 15,832 = FP8 1979 dense TOPS x 8 bits" in result.output
    assert "88 FR 73458" in result.output


def test_classify_json_for_a_system() -> None:
    result = runner.invoke(app, ["hardware", "classify", "p5.48xlarge", "--date", "2024-06-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["eccn"] == "4A090.a"
    assert data["components"][0]["count"] == 8


def test_classify_spec(tmp_path: Path) -> None:
    spec = tmp_path / "chip.json"
    spec.write_text('{"name": "Tiny", "datacenter": false, "die_area_mm2": 200, "throughput": {"INT8": 100}}')
    result = runner.invoke(
        app, ["hardware", "classify", "--spec", str(spec), "--date", "2024-06-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["tpp"] == 800.0 and data["eccn"] == "EAR99-or-not-3A090" and data["source"] == "spec"


def test_unknown_model_is_an_input_error() -> None:
    result = runner.invoke(app, ["hardware", "classify", "H100 SMX"])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
    assert "H100 SMX" in str(result.exception) and "NVIDIA H100 SXM5 80GB" in str(result.exception)


def test_bad_date_and_missing_arguments() -> None:
    bad = runner.invoke(app, ["hardware", "classify", "H100", "--date", "next tuesday"])
    assert isinstance(bad.exception, InputError) and bad.exception.field == "--date"
    neither = runner.invoke(app, ["hardware", "classify"])
    assert isinstance(neither.exception, InputError)


def test_list() -> None:
    result = runner.invoke(app, ["hardware", "list", "--kind", "accelerator"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) >= 40
    assert any(line.startswith("nvidia-h20 ") and "2,368" in line for line in lines)
    as_json = json.loads(runner.invoke(app, ["hardware", "list", "--json", "--kind", "system"]).output)
    assert {e["id"] for e in as_json} >= {"nvidia-dgx-h100", "aws-p5-48xlarge", "gcp-a3-highgpu-8g"}


def test_show_lists_sources() -> None:
    result = runner.invoke(app, ["hardware", "show", "H20"])
    assert result.exit_code == 0, result.output
    assert "FP8: 296 dense TOPS  [regs: H20 FP8 296 x 8 = 2,368]" in result.output
    assert (
        "INT8: 296 dense TOPS  [Epoch AI chip dataset 2025-06 (CC BY 4.0), row 'NVIDIA HGX H20']"
        in result.output
    )


def test_entry_point_exit_code_and_message(tmp_path: Path) -> None:
    """The installed ``chipguard`` turns an InputError into a message on stderr and a non-zero exit."""
    import subprocess
    import sys

    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "datacenter": true, "die_area_mm2": 600, "throughput": {"FP8": "fast"}}')
    code = "from chipguard.cli import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "hardware", "classify", "--spec", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "field 'throughput.FP8'" in proc.stderr
    assert proc.stdout == ""
