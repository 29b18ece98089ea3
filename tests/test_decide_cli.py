"""`chipguard decide`: readable and JSON output, fail-closed list handling through the real store, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chipguard.cli import app

runner = CliRunner()
SCENARIOS = Path(__file__).parent / "scenarios"


def _write(tmp_path: Path, transaction: dict[str, Any], name: str = "t.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(transaction), encoding="utf-8")
    return path


def _scenario(name: str) -> dict[str, Any]:
    return json.loads((SCENARIOS / f"{name}.json").read_text(encoding="utf-8"))["transaction"]


def test_empty_home_never_allows(home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, _scenario("us_university_rents_a100"))
    result = runner.invoke(app, ["decide", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Outcome: REVIEW")
    assert "LISTS_MISSING" in result.stdout and "chipguard lists load --bundled" in result.stdout
    assert "A100 × 8: ECCN 3A090.a" in result.stdout

    data = json.loads(runner.invoke(app, ["decide", str(path), "--json"]).stdout)
    assert data["outcome"] == "REVIEW"
    assert data["versions"]["lists"]["status"] == "missing"
    assert data["versions"]["rule_set"]["id"] == "chipguard-us-ear"
    assert {r["rule_id"] for r in data["reasons"]} >= {"OP-LISTS-MISSING", "PP-RENTAL-NOT-EXPORT"}
    assert runner.invoke(app, ["decide", str(path), "--exit-code"]).exit_code == 10


def _load_sample(shared: Path, file_date: str = "2025-06-01") -> None:
    """Loads the real 2025 CSL sample into the home's store, dated as the publisher dated it."""
    from chipguard.store.snapshots import LoadSpec, SnapshotStore

    path = shared / "lists" / "samples" / "us_csl_sample_2025.csv"
    SnapshotStore().load_files([LoadSpec(path, file_date=file_date)])


def test_real_store_lists_screen_the_customer(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIPGUARD_LISTS_MAX_AGE_DAYS", "100000")  # treat the 2025 sample as current
    _load_sample(shared)
    listed = {
        "date": "2025-06-02",
        "kind": "export",
        "destination": "AM",
        "customer": {"name": "Atlas Sanatgaran", "country": "AM"},
        "items": [{"model": "L20", "quantity": 4}],
    }
    result = runner.invoke(app, ["decide", str(_write(tmp_path, listed)), "--json", "--exit-code"])
    assert result.exit_code == 10, result.output
    data = json.loads(result.stdout)
    assert data["outcome"] == "REVIEW" and data["versions"]["lists"]["status"] == "ok"
    uvl = [r for r in data["reasons"] if r["rule_id"] == "RP-CUSTOMER-REVIEW"]
    assert uvl and uvl[0]["facts"]["hit.list_code"] == "UVL" and "744.15" in uvl[0]["citation"]
    assert data["screening"]["customer"][0]["name"] == "Atlas Sanatgaran"
    assert data["versions"]["lists"]["snapshots"][0]["source"]

    rental = dict(listed, kind="rental")
    result = runner.invoke(app, ["decide", str(_write(tmp_path, rental, "r.json")), "--exit-code"])
    assert result.exit_code == 12 and result.stdout.startswith("Outcome: DENY")
    assert "PROVIDER_POLICY_LISTED_PARTY" in result.stdout


def test_stale_store_lists_never_allow(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIPGUARD_LISTS_MAX_AGE_DAYS", "30")
    _load_sample(shared)  # dated 2025-06-01: far more than 30 days old
    path = _write(tmp_path, _scenario("us_university_rents_a100"))
    data = json.loads(runner.invoke(app, ["decide", str(path), "--json"]).stdout)
    assert data["outcome"] == "REVIEW"
    assert data["versions"]["lists"]["status"] == "stale"
    assert any(r["rule_id"] == "OP-LISTS-STALE" for r in data["reasons"])


def test_on_date_overrides_the_transaction_date(home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, _scenario("h20_export_china_before_april_2025"))
    before = json.loads(runner.invoke(app, ["decide", str(path), "--json"]).stdout)
    after = json.loads(runner.invoke(app, ["decide", str(path), "--json", "--on", "2025-06-01"]).stdout)
    assert "ADV-NAMED-ITEM-LETTER" not in {r["rule_id"] for r in before["reasons"]}
    assert after["outcome"] == "LICENCE_REQUIRED"
    assert "ADV-NAMED-ITEM-LETTER" in {r["rule_id"] for r in after["reasons"]}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda t: t["items"][0].update(model="Quantum Flux 9000"), "items[0].model"),
        (lambda t: t.update(destination="QZ"), "destination"),
        (lambda t: t["items"][0].pop("model"), "items[0].model"),
        (
            lambda t: t["customer"].update(owners=[{"name": "X", "percent": "lots"}]),
            "customer.owners[0].percent",
        ),
    ],
)
def test_bad_transaction_exits_2_naming_the_field(
    home: Path, tmp_path: Path, mutate: Any, field: str
) -> None:
    transaction = _scenario("us_university_rents_a100")
    mutate(transaction)
    path = _write(tmp_path, transaction)
    result = runner.invoke(app, ["decide", str(path)])
    assert result.exit_code == 2
    assert f"field '{field}'" in result.stderr and result.stdout == ""


def test_unreadable_file_and_bad_date(home: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["decide", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "file not found" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    result = runner.invoke(app, ["decide", str(bad)])
    assert result.exit_code == 2 and "line 1" in result.stderr
    path = _write(tmp_path, _scenario("us_university_rents_a100"))
    result = runner.invoke(app, ["decide", str(path), "--on", "yesterday"])
    assert result.exit_code == 2 and "--on" in result.stderr


def test_transaction_from_standard_input(home: Path) -> None:
    text = json.dumps(_scenario("rtx4090_to_german_company"))
    result = runner.invoke(app, ["decide", "-", "--json"], input=text)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["transaction"]["destination"] == "DE" and data["outcome"] == "REVIEW"  # no lists in this home
    bad = runner.invoke(app, ["decide", "-"], input="{")
    assert bad.exit_code == 2 and "<stdin>" in bad.stderr


def test_a_scenario_file_is_accepted(home: Path) -> None:
    result = runner.invoke(app, ["decide", str(SCENARIOS / "h100_to_uae.json"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["transaction"]["destination"] == "AE"


def test_parent_without_country_is_reviewed(home: Path, tmp_path: Path) -> None:
    transaction = _scenario("rtx4090_to_german_company")
    transaction["customer"]["ultimate_parent"] = {"name": "Some Holding Ltd"}
    data = json.loads(runner.invoke(app, ["decide", str(_write(tmp_path, transaction)), "--json"]).stdout)
    assert "OP-PARENT-COUNTRY-MISSING" in {r["rule_id"] for r in data["reasons"]}
    transaction["customer"]["ultimate_parent"]["country"] = "DE"
    data = json.loads(runner.invoke(app, ["decide", str(_write(tmp_path, transaction)), "--json"]).stdout)
    assert "OP-PARENT-COUNTRY-MISSING" not in {r["rule_id"] for r in data["reasons"]}
