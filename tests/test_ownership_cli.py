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


def test_explain_screen_against_loaded_lists(shared: Path, home: Path, tmp_path: Path) -> None:
    """An Entity List and an MEU party hold 30 % and 25 %: 55 % under the Affiliates rule while in force."""
    sample = shared / "lists" / "samples" / "us_csl_sample_2025.csv"
    loaded = runner.invoke(app, ["lists", "load", str(sample)])
    assert loaded.exit_code == 0, loaded.output
    graph = tmp_path / "graph.csv"
    graph.write_text(
        "owner,owned,percent\n"
        "China Electronics Technology Group Corporation 13th Research Institute,Kestrel GPU Cloud Pte Ltd,30\n"
        "Academy of Aerospace Solid Propulsion Technology,Kestrel GPU Cloud Pte Ltd,25\n"
        "Tan Wei Ling,Kestrel GPU Cloud Pte Ltd,45\n",
        encoding="utf-8",
    )
    args = ["ownership", "explain", str(graph), "--target", "Kestrel GPU Cloud Pte Ltd", "--screen", "--json"]
    result = runner.invoke(app, [*args, "--date", "2025-10-15"])
    assert result.exit_code == 0, result.output
    regimes = {r["regime"]: r for r in json.loads(result.output)["regimes"]}
    bis = regimes["BIS Affiliates Rule (50 % rule for Entity List and MEU owners)"]
    assert bis["percent"] == "55 %" and bis["in_force"]
    assert "China Electronics Technology Group Corporation 13th Research Institute 30 %" in bis["explanation"]
    assert regimes["OFAC 50 Percent Rule"]["percent"] == "0 %"
    result = runner.invoke(app, [*args, "--date", "2026-01-15"])
    bis = {r["regime"]: r for r in json.loads(result.output)["regimes"]}[bis["regime"]]
    assert bis["percent"] == "55 %" and not bis["in_force"] and "suspended" in bis["status"]


def test_explain_screen_names_every_owner_with_a_hit_and_its_strength(
    shared: Path, home: Path, tmp_path: Path
) -> None:
    """`ownership explain --screen` gave the regimes only: an owner with a potential hit that cannot bring
    a regime within reach was not mentioned at all, while a decision on the same customer asks to resolve
    it. Each upstream party with a confirmed or potential hit is named now, with its strongest hit."""
    sample = shared / "lists" / "samples" / "us_csl_sample_2025.csv"
    assert runner.invoke(app, ["lists", "load", str(sample)]).exit_code == 0
    graph = tmp_path / "graph.csv"
    graph.write_text(
        "owner,owned,percent,owner_kind\n"
        "Atlas Sanatgaran,Kestrel GPU Cloud Pte Ltd,30,org\n"
        "Ryong Rim,Kestrel GPU Cloud Pte Ltd,20,person\n"
        "Northwind Bakery Cooperative,Kestrel GPU Cloud Pte Ltd,50,org\n",
        encoding="utf-8",
    )
    args = ["ownership", "explain", str(graph), "--target", "Kestrel GPU Cloud Pte Ltd", "--screen"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    owners = {o["name"]: o for o in json.loads(result.output)["screened_owners"]}
    assert set(owners) == {"Atlas Sanatgaran", "Ryong Rim"}
    assert owners["Atlas Sanatgaran"]["strength"] == "confirmed"
    assert owners["Ryong Rim"]["strength"] == "potential"
    for owner in owners.values():  # the strongest hit first
        assert owner["hits"][0]["strength"] == owner["strength"]
    text = runner.invoke(app, args).output
    assert "Ryong Rim: potential hit RIM, Ryong Nam" in text and "resolve it before relying" in text


def test_explain_screen_reads_an_owner_without_a_kind_as_a_person_too(
    shared: Path, home: Path, tmp_path: Path
) -> None:
    """An owner line without ``owner_kind`` made an organisation node, screened as one: "Tan Wei Ming"
    (SG) missed the Entity List person "Tan Wei" that the same owner as a person finds (audit12b). Such an
    owner is of unknown kind now, screened as both: the ITAR-debarred "Cesareo Estanislao Benitez" (a
    record of no stated kind) is found for "Cesareo Benitez" exactly as for the owner declared a
    person, above the organisation reading's score."""
    sample = shared / "lists" / "samples" / "us_csl_sample_2025.csv"
    assert runner.invoke(app, ["lists", "load", str(sample)]).exit_code == 0
    found = {}
    for kind in ("", "person", "org"):
        graph = tmp_path / f"graph-{kind or 'none'}.csv"
        graph.write_text(
            "owner,owned,percent,owner_country,owner_kind\n"
            f"Cesareo Benitez,Kestrel GPU Cloud Pte Ltd,40,PY,{kind}\n",
            encoding="utf-8",
        )
        args = [
            "ownership",
            "explain",
            str(graph),
            "--target",
            "Kestrel GPU Cloud Pte Ltd",
            "--screen",
            "--json",
        ]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        (owner,) = json.loads(result.output)["screened_owners"]
        hit = owner["hits"][0]
        found[kind] = (hit["name"], hit["score"], hit["strength"])
    assert found[""] == found["person"] and found[""][0] == "Cesareo Estanislao Benitez"
    assert found[""][2] == "potential" and found[""][1] > found["org"][1]


def test_explain_screen_an_owner_without_a_kind_is_no_vessel(
    shared: Path, home: Path, tmp_path: Path
) -> None:
    """An owner line without ``owner_kind`` is a person or an organisation, never a vessel: a 60 % owner
    named exactly like the SDN tanker ADRIAN DARYA 1 (CSL 2019 sample) is no listed owner — the tanker is
    a weak hit for it, so no regime counts it and the owner is not named among the screened owners (the
    name screened as a vessel is the tanker, confirmed)."""
    sample = shared / "lists" / "samples" / "us_csl_sample_2019.csv"
    assert runner.invoke(app, ["lists", "load", str(sample)]).exit_code == 0
    vessel = json.loads(runner.invoke(app, ["screen", "Adrian Darya 1", "--kind", "vessel", "--json"]).stdout)
    assert [h["strength"] for h in vessel["hits"] if h["name"] == "ADRIAN DARYA 1"] == ["confirmed"]
    graph = tmp_path / "graph.csv"
    graph.write_text(
        "owner,owned,percent,owner_country,owner_kind\nAdrian Darya 1,Kestrel GPU Cloud Pte Ltd,60,,\n",
        encoding="utf-8",
    )
    args = ["ownership", "explain", str(graph), "--target", "Kestrel GPU Cloud Pte Ltd", "--screen", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["screened_owners"] == []
    assert {r["regime"]: r["percent"] for r in report["regimes"]}["OFAC 50 Percent Rule"] == "0 %"
