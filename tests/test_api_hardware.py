"""POST /v1/hardware/classify: the REST face of ``chipguard hardware classify`` (issue 15). Same answer as
the CLI's --json for a model or a spec on a date; an unknown model, a bad spec or a bad date is a 422 that
names the field, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_api_support import Api, api
from typer.testing import CliRunner

from chipguard.cli import app as cli_app
from chipguard.store import testing


@pytest.fixture(params=testing.backends()[:1])
def srv(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Api]:
    with api(request.param, tmp_path, shared) as a:
        yield a


def _post(srv: Api, body: Any) -> Any:
    return srv.client.post("/v1/hardware/classify", json=body, headers=srv.headers("screen"))


def test_a_model_on_a_date_is_classified_as_the_cli_does(srv: Api) -> None:
    r = _post(srv, {"model": "H20", "date": "2025-06-02"})
    assert r.status_code == 200, r.text
    body = r.json()
    cli = CliRunner().invoke(cli_app, ["hardware", "classify", "H20", "--date", "2025-06-02", "--json"])
    assert cli.exit_code == 0, cli.output
    assert body == json.loads(cli.output)
    assert body["eccn"] == "EAR99-or-not-3A090" and any(
        f["flag"] == "named-item-licence-letter" for f in body["flags"]
    )
    # the rules in force on the date: the H100 before and after the Oct 2022 rule
    assert _post(srv, {"model": "H100 SXM", "date": "2022-01-10"}).json()["eccn"] == "EAR99-or-not-3A090"
    assert _post(srv, {"model": "H100 SXM", "date": "2024-01-10"}).json()["eccn"] == "3A090.a"


def test_a_spec_is_classified(srv: Api) -> None:
    spec = {"name": "Test chip", "throughput": {"FP8": 2000}, "die_area_mm2": 800, "datacenter": True}
    r = _post(srv, {"spec": spec, "date": "2025-06-02"})
    assert r.status_code == 200, r.text
    assert r.json()["eccn"] == "3A090.a" and r.json()["source"] == "spec"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": "Quantum Flux 9000"}, "model"),
        ({"model": "H100", "date": "yesterday"}, "body.date"),
        ({}, "model"),
        ({"model": "H100", "spec": {"name": "x"}}, "model"),
        ({"spec": {"name": "x", "colour": "red"}}, "spec.colour"),
        ({"model": "H100", "typo": 1}, "body.typo"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(srv: Api, body: dict[str, Any], field: str) -> None:
    r = _post(srv, body)
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["error"]["details"]], r.json()


def test_classification_needs_a_key(srv: Api) -> None:
    assert srv.client.post("/v1/hardware/classify", json={"model": "H100"}).status_code == 401


def test_figures_that_overflow_are_refused_not_a_500(srv: Api) -> None:
    spec = {"throughput": {"FP8": 1e308}, "die_area_mm2": 1e-300, "non_planar": True, "datacenter": True}
    r = _post(srv, {"spec": spec})
    assert r.status_code in (200, 422), r.text
