"""Decisions through the API: decided on the real list, stored with its audit entry, read back, replayed
on the recorded snapshot even after the lists changed, and differences reported."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session
from test_api_support import Api, api, sample_rows

from chipguard import ENGINE_VERSION
from chipguard.store import testing
from chipguard.store.records import DecisionRow


@pytest.fixture(params=testing.backends())
def srv(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Api]:
    with api(request.param, tmp_path, shared) as a:
        yield a


def _transaction(name: str, country: str = "AM") -> dict[str, object]:
    return {
        "date": "2025-06-01",
        "kind": "sale",
        "destination": country,
        "customer": {"name": name, "country": country},
        "items": [{"model": "H100", "quantity": 8}],
    }


def test_decision_is_stored_audited_and_replayable(srv: Api) -> None:
    listed = next(r for r in sample_rows(srv.sample) if r["name"] == "Atlas Sanatgaran")
    r = srv.client.post(
        "/v1/decisions", json=_transaction("Atlas Sanatgaran"), headers=srv.headers("analyst")
    )
    assert r.status_code == 201, r.text
    decision = r.json()
    assert decision["outcome"] != "ALLOW"
    assert listed["_id"] in json.dumps(decision["screening"])
    assert any("Atlas Sanatgaran" in reason["message"] for reason in decision["reasons"])
    digest = hashlib.sha256(srv.sample.read_bytes()).hexdigest()
    assert digest in json.dumps(decision["versions"]["lists"])
    assert decision["versions"]["engine"] == ENGINE_VERSION and decision["versions"]["rule_set"]["version"]

    got = srv.client.get(f"/v1/decisions/{decision['decision_id']}", headers=srv.headers("analyst"))
    assert got.status_code == 200 and got.json() == decision
    assert (
        srv.client.get(f"/v1/decisions/{decision['decision_id']}", headers=srv.headers("screen")).status_code
        == 403
    )
    assert srv.client.get("/v1/decisions/dec_missing", headers=srv.headers("analyst")).status_code == 404
    listing = srv.client.get("/v1/decisions", headers=srv.headers("analyst")).json()["decisions"]
    assert [d["decision_id"] for d in listing] == [decision["decision_id"]]

    entry = next(e for e in srv.services.audit.entries() if e.action == "decision.create")
    assert entry.seq == decision["audit_seq"]
    assert entry.payload["decision_id"] == decision["decision_id"]
    assert entry.payload["outcome"] == decision["outcome"]
    assert entry.payload["inputs"]["customer"]["name"] == "Atlas Sanatgaran"
    assert entry.payload["context"]["lists"] == {"us_csl": digest}
    assert entry.actor.startswith("key:")
    assert srv.services.audit.verify().ok and srv.services.decisions.check_against_audit() == []

    # New lists in force: the replay still uses the recorded snapshot and finds the same decision.
    srv.services.snapshots.load_file(srv.sample.parent / "us_csl_sample_2019.csv")
    assert srv.services.snapshots.active()[0].sha256 != digest
    report = srv.services.replay(decision["decision_id"])
    assert report["same"], report["differences"]
    assert report["replayed_outcome"] == decision["outcome"]

    # A stored outcome that the engine would not reproduce is reported, with what differs.
    testing.allow_tampering(srv.services.engine)
    with Session(srv.services.engine) as s, s.begin():
        row = s.get(DecisionRow, decision["decision_id"])
        assert row is not None
        data = json.loads(row.decision_json)
        data["outcome"] = "ALLOW"
        data["reasons"] = data["reasons"][1:]
        s.execute(
            update(DecisionRow)
            .where(DecisionRow.decision_id == row.decision_id)
            .values(decision_json=json.dumps(data))
        )
    report = srv.services.replay(decision["decision_id"])
    assert not report["same"]
    assert f"outcome: recorded ALLOW, replayed {decision['outcome']}" in report["differences"]
    assert any(d.startswith("new reason") for d in report["differences"])
    assert srv.services.decisions.check_against_audit() == [
        (decision["decision_id"], "was edited after it was recorded (digest mismatch)")
    ]


def test_invalid_transactions_are_422_with_the_field(srv: Api) -> None:
    h = srv.headers("analyst")
    bad = _transaction("Acme")
    bad["kind"] = "gift"
    r = srv.client.post("/v1/decisions", json=bad, headers=h)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_input" and err["details"][0]["field"] == "kind"
    r = srv.client.post("/v1/decisions", json=[1, 2], headers=h)
    assert r.status_code == 422
    r = srv.client.post("/v1/decisions", json={"date": "2025-06-01"}, headers=h)
    assert r.status_code == 422
    assert srv.services.decisions.find() == []
    # the fixture's list load and keys only (every list load is audited): no entry for a refused decision
    assert [e.action for e in srv.services.audit.entries()] == ["lists.load"] + ["key.create"] * 3


def test_decision_links_a_stored_customer(srv: Api) -> None:
    h = srv.headers("analyst")
    assert (
        srv.client.post(
            "/v1/customers", json={"name": "Atlas Sanatgaran", "customer_id": "c-1"}, headers=h
        ).status_code
        == 201
    )
    tx = _transaction("Atlas Sanatgaran")
    tx["customer"] = {"name": "Atlas Sanatgaran", "country": "AM", "customer_id": "c-1"}
    r = srv.client.post("/v1/decisions", json=tx, headers=h)
    assert r.status_code == 201, r.text
    found = srv.client.get("/v1/decisions", params={"customer_id": "c-1"}, headers=h).json()["decisions"]
    assert [d["decision_id"] for d in found] == [r.json()["decision_id"]]


def test_replay_endpoint(srv: Api) -> None:
    h = srv.headers("analyst")
    decision = srv.client.post("/v1/decisions", json=_transaction("Atlas Sanatgaran"), headers=h).json()
    r = srv.client.post(f"/v1/decisions/{decision['decision_id']}/replay", headers=h)
    assert r.status_code == 200
    assert r.json()["same"] is True and r.json()["replayed_outcome"] == decision["outcome"]
    assert srv.client.post("/v1/decisions/nope/replay", headers=h).status_code == 404
    assert (
        srv.client.post(
            f"/v1/decisions/{decision['decision_id']}/replay", headers=srv.headers("screen")
        ).status_code
        == 403
    )


def test_stored_customers_feed_the_shared_address_red_flag(srv: Api) -> None:
    """An address already used by several unrelated customers on record (a registered-agent or shell
    address) raises the shared-address red flag on a new customer's decision."""
    h = srv.headers("analyst")
    address = {"text": "1 Raffles Place #20-61, Singapore 048616", "country": "SG"}
    tx = _transaction("Brightpeak Compute Pte Ltd", "SG")
    tx["customer"] = {"name": "Brightpeak Compute Pte Ltd", "country": "SG", "addresses": [address]}
    before = srv.client.post("/v1/decisions", json=tx, headers=h).json()
    assert "RED_FLAG_SHARED_ADDRESS" not in {r["code"] for r in before["reasons"]}
    for i, name in enumerate(
        ["Lumen Trading Pte Ltd", "Orchid Data Services Pte Ltd", "Kestrel Nodes Pte Ltd"]
    ):
        body = {"name": name, "customer_id": f"c-{i}", "country": "SG", "addresses": [address]}
        assert srv.client.post("/v1/customers", json=body, headers=h).status_code == 201
    after = srv.client.post("/v1/decisions", json=tx, headers=h).json()
    shared = [r for r in after["reasons"] if r["code"] == "RED_FLAG_SHARED_ADDRESS"]
    assert shared and after["outcome"] != "ALLOW"


def test_replay_uses_the_archived_rule_set_after_the_rules_change(
    srv: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A decision made under the compliance team's stricter provider policy replays to the same outcome
    after that policy is withdrawn: the rule files it was made under are archived by content hash."""
    from chipguard.config import data_dir

    overrides = tmp_path / "overrides"
    strict = overrides / "rules"
    strict.mkdir(parents=True)
    policy = (data_dir() / "rules" / "provider_policy.yml").read_text(encoding="utf-8")
    policy += (
        "  - id: PP-TEST-NO-RENTALS-TO-AM\n"
        "    code: PROVIDER_POLICY_NO_RENTALS_AM\n"
        '    title: "No rentals to Armenian customers (team policy under review)"\n'
        "    applies_to: [rental]\n"
        "    when: {fact: customer.country, eq: AM}\n"
        "    outcome: DENY\n"
        '    message: "Team policy: no rentals to customers in {customer.country}"\n'
        '    citation: "Provider policy memo (test)"\n'
    )
    (strict / "provider_policy.yml").write_text(policy, encoding="utf-8")
    monkeypatch.setenv("CHIPGUARD_DATA_OVERRIDES", str(overrides))
    h = srv.headers("analyst")
    tx = _transaction("Yerevan Render Farm LLC")
    tx["kind"] = "rental"
    made = srv.client.post("/v1/decisions", json=tx, headers=h).json()
    assert made["outcome"] == "DENY"
    assert "PP-TEST-NO-RENTALS-TO-AM" in {r["rule_id"] for r in made["reasons"]}

    monkeypatch.delenv("CHIPGUARD_DATA_OVERRIDES")  # the team withdraws its stricter rule
    replay = srv.client.post(f"/v1/decisions/{made['decision_id']}/replay", headers=h).json()
    assert replay["same"] is True, replay["differences"]
    assert replay["replayed_outcome"] == "DENY"
    assert replay["rule_set"]["sha256"] == made["versions"]["rule_set"]["sha256"]
    assert any("archived rule set" in note for note in replay["notes"])


def test_the_cli_and_the_rest_api_decide_alike_on_the_same_stored_state(srv: Api, tmp_path: Path) -> None:
    """`chipguard decide FILE` goes through the same service as POST /v1/decisions: the same lists, the
    same stored customers (the shared-address red flag fires from the CLI too), the same outcome and
    reasons; the CLI's decision is stored and audited with the operating-system user as the actor."""
    from typer.testing import CliRunner

    from chipguard.cli import app

    h = srv.headers("analyst")
    address = {"text": "1 Raffles Place #20-61, Singapore 048616", "country": "SG"}
    for i, name in enumerate(
        ["Lumen Trading Pte Ltd", "Orchid Data Services Pte Ltd", "Kestrel Nodes Pte Ltd"]
    ):
        body = {"name": name, "customer_id": f"c-{i}", "country": "SG", "addresses": [address]}
        assert srv.client.post("/v1/customers", json=body, headers=h).status_code == 201
    tx = _transaction("Atlas Sanatgaran", "SG")
    tx["customer"] = {"name": "Atlas Sanatgaran", "country": "SG", "addresses": [address]}
    rest = srv.client.post("/v1/decisions", json=tx, headers=h).json()

    path = tmp_path / "tx.json"
    path.write_text(json.dumps(tx), encoding="utf-8")
    url = srv.services.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["decide", str(path), "--json", "--db", url])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.stdout)

    def reasons(d: dict[str, Any]) -> list[tuple[str, str, str]]:
        return sorted((r["rule_id"], r["code"], r["message"]) for r in d["reasons"])

    assert "RED_FLAG_SHARED_ADDRESS" in {r["code"] for r in cli["reasons"]}
    assert cli["outcome"] == rest["outcome"] != "ALLOW"
    assert reasons(cli) == reasons(rest)
    assert cli["screening"] == rest["screening"] and cli["versions"]["lists"] == rest["versions"]["lists"]
    assert cli["decision_id"] != rest["decision_id"] and cli["actor"].startswith("cli:")
    stored = srv.client.get(f"/v1/decisions/{cli['decision_id']}", headers=h)
    assert stored.status_code == 200 and stored.json()["audit_seq"] == cli["audit_seq"]
