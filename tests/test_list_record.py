"""The list record on every hit and the list status on every screen: what an analyst needs to judge a hit
(list, programme, addresses, dates, Federal Register citation, licence requirement and review policy,
remarks, source URL) and which list snapshots a result used and whether they were stale — on the real
CSL 2022-04 (a stale snapshot) through the Python API, the CLI, the REST API and the web UI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from test_api_support import api
from test_cli_screen import load
from test_match_records import csl_screener
from typer.testing import CliRunner

from chipguard.cli import app
from tests.csl_support import csl_2022_parties

runner = CliRunner()
HUAWEI_EL = "Huawei Technologies Co., Ltd. (Huawei)"


def test_the_csl_parser_keeps_the_entity_list_record(shared: Path) -> None:
    parties = csl_2022_parties()
    el = [p for p in parties if p.name == HUAWEI_EL]
    assert el and all(p.list_name.startswith("Entity List") for p in el)
    assert all("84 FR 22961" in p.federal_register or "84 FR 22963" in p.federal_register for p in el)
    assert all(p.license_policy == "Presumption of denial" for p in el)
    assert all("744.11" in p.license_requirement for p in el)
    assert all(p.dates["start"] == "2019-05-21" for p in el)
    assert not any("license_policy" in p.extra for p in el)  # one place for it, not two


def test_every_hit_carries_its_list_record(shared: Path) -> None:
    hits = csl_screener(shared).screen("Huawei Technologies Co., Ltd.", kind="org", country="CN")
    el = next(h for h in hits if h.name == HUAWEI_EL)
    record = el.record
    assert record["list"] == "Entity List (EL) - Bureau of Industry and Security"
    assert record["license_policy"] == "Presumption of denial"
    assert record["federal_register"].startswith("84 FR")
    assert record["dates"]["start"] == "2019-05-21"
    assert any("Shenzhen" in a for a in record["addresses"])
    assert record["source_url"].startswith("http")
    cmic = next(h for h in hits if h.party_id == "30947")
    assert cmic.record["programs"] == ["CMIC-EO13959"] and "license_policy" not in cmic.record


def test_cli_screen_states_the_record_and_the_stale_lists(home: Path, shared: Path, tmp_path: Path) -> None:
    load(shared, tmp_path)
    result = runner.invoke(app, ["screen", "Mahan Air", "--kind", "org", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["lists_stale"] is True  # CSL 2022-04 is years past its maximum age
    (status,) = data["lists"]
    assert status["source"] == "us_csl" and status["stale"] is True
    assert status["snapshot"] == data["snapshot"][0]
    assert data["hits"][0]["record"]["programs"]
    table = runner.invoke(app, ["screen", "Mahan Air", "--kind", "org"])
    assert table.exit_code == 0
    assert "STALE" in table.stdout and "not a clearance" in table.stdout
    assert "SDGT" in table.stdout  # the programme from the list record
    mahan = data["hits"][0]["record"]
    flat = " ".join(table.stdout.split())  # the table wraps long lines
    assert mahan["source_url"] in flat
    # an Entity List record's licence requirement and policy, an SDN record's remarks (both in the cut)
    el = runner.invoke(app, ["screen", "140 Repair Plant JSC", "--kind", "org"], env={"COLUMNS": "300"})
    flat = " ".join(el.stdout.split())
    assert "licence required: For all items subject to the EAR" in flat and "744.21(b)" in flat
    assert "licence review: Policy of denial" in flat and "87 FR 20299" in flat
    remarked = runner.invoke(
        app, ["screen", "Jihad Salim Alamah", "--kind", "person"], env={"COLUMNS": "300"}
    )
    assert "(Linked To: HIZBALLAH)" in remarked.stdout

    src = tmp_path / "q.csv"
    src.write_text("id,name\n1,Mahan Air\n2,Northwind Bakery Cooperative\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = runner.invoke(app, ["screen-file", str(src), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "STALE" in done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["lists_stale"] for r in rows] == [True, True]
    assert all(r["lists"] == data["lists"] for r in rows)
    assert rows[0]["hits"][0]["record"]["list"].startswith("Specially Designated Nationals")


def test_rest_and_ui_show_the_record_and_the_list_status(home: Path, tmp_path: Path, shared: Path) -> None:
    with api("sqlite", tmp_path, shared) as a:
        with a.sample.open(encoding="utf-8", newline="") as fh:
            listed = next(r for r in csv.DictReader(fh) if r.get("federal_register_notice"))
        r = a.client.post("/v1/screen", json={"name": listed["name"]}, headers=a.headers("screen"))
        assert r.status_code == 200
        body = r.json()
        (status,) = body["lists"]
        assert status["source"] == "us_csl" and isinstance(status["stale"], bool)
        assert body["lists_stale"] is status["stale"]
        hit = next(h for h in body["hits"] if h["party_id"] == listed["_id"])
        assert hit["record"]["federal_register"] == listed["federal_register_notice"]
        one = a.client.post(
            "/v1/screen", json={"name": listed["name"], "limit": 1}, headers=a.headers("screen")
        ).json()
        assert len(one["hits"]) == 1 and one["limit"] == 1
        assert one["omitted"] == len(body["hits"]) + body["omitted"] - 1
        assert (
            a.client.post(
                "/v1/screen", json={"name": listed["name"], "limit": 0}, headers=a.headers("screen")
            ).status_code
            == 422
        )
        batch = a.client.post(
            "/v1/screen/batch", json={"queries": [{"name": listed["name"]}]}, headers=a.headers("screen")
        )
        assert batch.json()["results"][0]["lists"] == body["lists"]
        # screening a stored customer says the same of its lists (its owner listed on the sample)
        customer = {"customer_id": "c-lists", "name": "Northwind Trading", "country": "AM"}
        customer["owners"] = [{"name": listed["name"], "kind": "org", "percent": 60}]
        assert a.client.post("/v1/customers", json=customer, headers=a.headers("analyst")).status_code == 201
        screened = a.client.post("/v1/customers/c-lists/screen", json={}, headers=a.headers("analyst"))
        assert screened.status_code == 200, screened.text
        assert screened.json()["lists"] == body["lists"] and screened.json()["lists_stale"] is status["stale"]


def test_an_owner_declares_an_address_and_a_website(home: Path, tmp_path: Path, shared: Path) -> None:
    """An owner record takes an address and a web domain as the customer does (issue 12 item 1), and
    screening weighs them: SME BANK lists mspbank.ru and its Moscow address on the 2025 sample (the
    newer CSL order of its ids cells). A domain that is no domain is a 422 naming the owner's field."""
    with api("sqlite", tmp_path, shared) as a:
        owner = {
            "name": "SME Bank",
            "kind": "org",
            "percent": 55,
            "address": "79 ul. Sadovnicheskaya, Moscow, 115035, RU",
            "website": "https://www.mspbank.ru/about",
        }
        customer = {"customer_id": "c-owner", "name": "Northwind Trading", "country": "AM", "owners": [owner]}
        made = a.client.post("/v1/customers", json=customer, headers=a.headers("analyst"))
        assert made.status_code == 201, made.text
        assert made.json()["customer"]["owners"][0]["website"] == owner["website"]
        screened = a.client.post("/v1/customers/c-owner/screen", json={}, headers=a.headers("analyst")).json()
        (hit,) = [h for h in screened["screening"]["owner:SME Bank"] if h["name"] == "SME BANK"]
        agreed = {f["feature"] for f in hit["evidence"] if f["result"] == "agree"}
        assert {"website", "address"} <= agreed, hit["evidence"]
        bad = customer | {"customer_id": "c-bad", "owners": [owner | {"website": "nodot"}]}
        r = a.client.post("/v1/customers", json=bad, headers=a.headers("analyst"))
        assert (
            r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.owners[0].website"
        ), r.text
