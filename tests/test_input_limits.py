"""Bounded input everywhere (issue 14): the limits of chipguard/data/limits are the ones every face
enforces — the REST models and the transaction JSON Schema (also in the OpenAPI document), the CLI, the
batch readers — and an oversize list name is indexed by its head with a warning at load. Screening cost
per character is measured by bench/name_length.py, not here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_api_support import Api, api
from typer.testing import CliRunner

from chipguard.cli import app as cli_app
from chipguard.errors import InputError
from chipguard.limits import LIMITS
from chipguard.match.index import deletes
from chipguard.match.screener import Screener
from chipguard.service.query_files import read_input
from chipguard.sources import parse_file
from chipguard.store import testing
from chipguard.store.snapshots import SnapshotStore

HUGE = "Northern Star Trading " * 1820  # 40,040 characters of real words


@pytest.fixture(params=testing.backends())
def srv(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Api]:
    with api(request.param, tmp_path, shared) as a:
        yield a


def test_a_40000_character_name_is_refused_by_every_rest_route(srv: Api) -> None:
    assert len(HUGE) > 40_000
    h = srv.headers("admin")
    r = srv.client.post("/v1/screen", json={"name": HUGE}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.name"
    r = srv.client.post("/v1/customers", json={"name": HUGE}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.name"
    r = srv.client.post("/v1/customers", json={"name": "Acme", "other_names": [HUGE]}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"].startswith("body.other_names")
    transaction = {
        "date": "2025-06-01",
        "kind": "sale",
        "destination": "DE",
        "customer": {"name": HUGE, "country": "DE"},
        "items": [{"model": "H100 SXM"}],
    }
    r = srv.client.post("/v1/decisions", json=transaction, headers=h)
    error = r.json()["error"]
    assert r.status_code == 422 and error["details"][0]["field"] == "customer.name"
    assert f"longer than {LIMITS.name_chars} characters" in error["message"]
    assert len(r.text) < 2000  # the refusal does not echo the 40,000 characters back
    assert srv.services.decisions.find(limit=5) == [] and srv.services.customers.find(limit=5) == []


def test_counts_of_owners_aliases_and_items_are_bounded(srv: Api) -> None:
    h = srv.headers("admin")
    owners = [{"name": f"Owner {i}"} for i in range(LIMITS.owners + 1)]
    r = srv.client.post("/v1/customers", json={"name": "Acme", "owners": owners}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.owners"
    aliases = [f"Acme {i}" for i in range(LIMITS.aliases + 1)]
    transaction = {
        "date": "2025-06-01",
        "kind": "sale",
        "destination": "DE",
        "customer": {"name": "Acme", "other_names": aliases},
        "items": [{"model": "H100 SXM"}] * (LIMITS.items + 1),
    }
    r = srv.client.post("/v1/decisions", json=transaction, headers=h)
    assert r.status_code == 422
    fields = {d["field"] for d in r.json()["error"]["details"]}
    assert fields & {"items", "customer.other_names"}, fields
    r = srv.client.post("/v1/screen/batch", json={"queries": [{"name": "x"}] * (LIMITS.batch_queries + 1)})
    assert r.status_code in (401, 422)


def test_the_openapi_document_states_the_same_limits(srv: Api) -> None:
    doc = srv.client.get("/openapi.json").json()["components"]["schemas"]
    assert doc["ScreenRequest"]["properties"]["name"]["maxLength"] == LIMITS.name_chars
    customer = doc["Transaction_customer"]["properties"]
    assert customer["name"]["maxLength"] == LIMITS.name_chars
    assert customer["owners"]["maxItems"] == LIMITS.owners
    assert customer["other_names"]["maxItems"] == LIMITS.aliases
    assert doc["Transaction"]["properties"]["items"]["maxItems"] == LIMITS.items


def test_cli_and_batch_refuse_oversize_names(home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli_app, ["screen", HUGE])
    assert result.exit_code == 2 and f"name longer than {LIMITS.name_chars} characters" in result.output
    customer = tmp_path / "customer.json"
    customer.write_text(json.dumps({"name": HUGE}), encoding="utf-8")
    result = runner.invoke(cli_app, ["customers", "create", str(customer)])
    assert result.exit_code != 0
    assert "field 'name'" in str(result.exception) + result.output
    rows = tmp_path / "names.csv"
    rows.write_text(f"id,name\n1,Acme\n2,{HUGE}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"names.csv, line 3, field 'name'"):
        read_input(rows)


def test_an_oversize_list_name_is_indexed_by_its_head_with_a_warning(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "custom.csv"
    path.write_text(
        "id,name,aliases,type,country\n"
        "C1,Northwind Rocketry Works,,Organization,CN\n"
        f"C2,Harbin Falcon Avionics {HUGE},,Organization,CN\n",
        encoding="utf-8",
    )
    parsed = parse_file(path)
    assert any(
        f"longer than {LIMITS.list_name_chars} characters" in w and "record C2" in w for w in parsed.warnings
    ), parsed.warnings
    assert parsed.parties[1].name.endswith("Trading")  # the record keeps its name as written
    screener = Screener(parsed.parties)
    indexed = [e for e in screener.index.entries if e.alias.startswith("Harbin")]
    assert indexed and all(
        sum(len(t.text) for t in e.analysis.tokens) <= LIMITS.list_name_chars for e in indexed
    )
    hits = screener.screen(parsed.parties[1].name[: LIMITS.list_name_chars])
    assert [h.party_id for h in hits][:1] == ["C2"]
    # a load into the store keeps the warning with the snapshot
    info = SnapshotStore().load_file(path)
    assert any("record C2" in w for w in info.warnings), info.warnings


def test_words_over_the_word_limit_are_matched_exactly_only() -> None:
    assert len(deletes("a" * LIMITS.word_chars)) == 1  # all deletions of aaaa… are the same word
    assert deletes("ab" * LIMITS.word_chars) == set()
    assert "bcd" in deletes("abcd")
