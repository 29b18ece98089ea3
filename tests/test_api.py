"""REST API on a real store with a real list: auth and roles, validation, limits, screening, customers
with history, lists, and the audit entries every change leaves. Runs on SQLite and, when
CHIPGUARD_TEST_PG_URL is set, on PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_api_support import Api, api, sample_rows

from chipguard import native
from chipguard.store import testing


@pytest.fixture(params=testing.backends())
def srv(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Api]:
    with api(request.param, tmp_path, shared) as a:
        yield a


def _error(resp: object) -> dict[str, object]:
    body = resp.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "details"}
    assert body["error"]["status"] == resp.status_code  # type: ignore[attr-defined]
    return body["error"]  # type: ignore[no-any-return]


def test_ready_only_once_lists_are_loaded(home: Path, tmp_path: Path, shared: Path) -> None:
    with api("sqlite", tmp_path, shared, load=False) as a:
        assert a.client.get("/healthz").json() == {"status": "ok", "scorer": native.status().scorer}
        r = a.client.get("/readyz")
        assert r.status_code == 503 and r.json()["ready"] is False
        r = a.client.post("/v1/screen", json={"name": "Atlas Sanatgaran"}, headers=a.headers("screen"))
        assert r.status_code == 503 and _error(r)["code"] == "lists_unavailable"
        assert "chipguard lists load --bundled" in str(_error(r)["message"])
        a.services.snapshots.load_file(a.sample)
        a.services.screeners.invalidate()
        r = a.client.get("/readyz")
        assert r.status_code == 200 and r.json()["ready"] is True
        assert [x["source"] for x in r.json()["lists"]] == ["us_csl"]


def test_authentication_and_roles(srv: Api) -> None:
    c = srv.client
    r = c.post("/v1/screen", json={"name": "x"})
    assert r.status_code == 401 and _error(r)["code"] == "unauthorized"
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert (
        c.post("/v1/screen", json={"name": "x"}, headers={"Authorization": "Bearer cg_nope_nope"}).status_code
        == 401
    )
    forged = srv.tokens["admin"][:-2] + "xx"
    assert c.get("/v1/lists", headers={"X-API-Key": forged}).status_code == 401
    assert (
        c.post("/v1/screen", json={"name": "x"}, headers={"X-API-Key": srv.tokens["screen"]}).status_code
        == 200
    )
    # screen < analyst < admin
    r = c.post("/v1/customers", json={"name": "Acme"}, headers=srv.headers("screen"))
    assert r.status_code == 403 and "analyst" in str(_error(r)["message"])
    assert (
        c.post("/v1/lists/update", json={"bundled": True}, headers=srv.headers("analyst")).status_code == 403
    )
    assert c.post("/v1/keys", json={"role": "screen"}, headers=srv.headers("analyst")).status_code == 403
    assert c.post("/v1/customers", json={"name": "Acme"}, headers=srv.headers("admin")).status_code == 201
    # a key created by an admin works; once revoked it does not
    r = c.post("/v1/keys", json={"role": "analyst", "label": "onboarding"}, headers=srv.headers("admin"))
    assert r.status_code == 201
    token, key_id = r.json()["token"], r.json()["key_id"]
    assert c.get("/v1/decisions", headers={"X-API-Key": token}).status_code == 200
    srv.services.keys.revoke(key_id, actor="test")
    assert c.get("/v1/decisions", headers={"X-API-Key": token}).status_code == 401


def test_keys_are_stored_hashed_and_creation_is_audited(srv: Api) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from chipguard.store.records import ApiKeyRow

    with Session(srv.services.engine) as s:
        rows = list(s.execute(select(ApiKeyRow)).scalars())
    secrets_ = {t.split("_", 2)[2] for t in srv.tokens.values()}
    for row in rows:
        assert row.secret_hash not in secrets_ and len(row.secret_hash) == 64
        for secret in secrets_:
            assert secret not in (row.secret_hash, row.salt, row.label)
    actions = [e.action for e in srv.services.audit.entries()]
    assert actions.count("key.create") == 3
    for entry in srv.services.audit.entries():
        for token in srv.tokens.values():
            assert token.split("_", 2)[2] not in str(entry.payload)


def test_screening_real_list(srv: Api) -> None:
    rows = sample_rows(srv.sample)
    atlas = next(r for r in rows if r["name"] == "Atlas Sanatgaran")
    r = srv.client.post(
        "/v1/screen",
        json={"name": "ATLAS  sanatgaran", "kind": "org", "country": "am", "id": "q1"},
        headers=srv.headers("screen"),
    )
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "q1"
    assert body["hits"] and body["hits"][0]["party_id"] == atlas["_id"]
    assert body["hits"][0]["source"] == "us_csl"
    digest = hashlib.sha256(srv.sample.read_bytes()).hexdigest()
    assert any(digest[:12] in str(s) for s in body["snapshot"])
    r = srv.client.post(
        "/v1/screen", json={"name": "Northwind Bakery Cooperative"}, headers=srv.headers("screen")
    )
    assert r.status_code == 200 and r.json()["hits"] == []


def test_batch_keeps_order_and_is_bounded(srv: Api) -> None:
    names = [r["name"] for r in sample_rows(srv.sample)[:5]]
    queries = [{"name": n, "id": f"r{i}"} for i, n in enumerate(names)]
    r = srv.client.post("/v1/screen/batch", json={"queries": queries}, headers=srv.headers("screen"))
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["id"] for x in results] == [q["id"] for q in queries]
    assert all(x["hits"] for x in results)
    r = srv.client.post(
        "/v1/screen/batch", json={"queries": [{"name": "a"}] * 101}, headers=srv.headers("screen")
    )
    assert r.status_code == 422 and _error(r)["details"][0]["field"] == "body.queries"  # type: ignore[index]
    r = srv.client.post("/v1/screen/batch", json={"queries": []}, headers=srv.headers("screen"))
    assert r.status_code == 422


def test_a_bad_detail_is_named_as_the_schema_names_its_fields(srv: Api) -> None:
    """/v1/screen named a bad country ``body.country`` (the schema) but a bad LEI plain ``lei`` (the
    screener's check): an integrator mapping errors to fields met two namings in one endpoint."""
    h = srv.headers("screen")
    for body, field in [
        ({"name": "Bank", "lei": "25340038P8SYW80B9W35"}, "body.lei"),
        ({"name": "Rim Abbas", "date_of_birth": "1973-02-30"}, "body.date_of_birth"),
        ({"name": "Aaj", "imo": "8984485"}, "body.imo"),
        ({"name": "Bank", "country": "ZZ"}, "body.country"),
        ({"name": "Bank", "limit": 100_000}, "body.limit"),
    ]:
        r = srv.client.post("/v1/screen", json=body, headers=h)
        assert r.status_code == 422, r.text
        assert _error(r)["details"][0]["field"] == field, r.text  # type: ignore[index]
    # a name past its bound is a string too long, in characters (pydantic said "512 items after validation")
    r = srv.client.post("/v1/screen", json={"name": "a" * 600}, headers=h)
    assert r.status_code == 422 and _error(r)["details"][0]["field"] == "body.name"  # type: ignore[index]
    assert "at most 512 characters" in _error(r)["details"][0]["message"], r.text  # type: ignore[index]


def test_batch_error_names_the_query_and_screens_none(srv: Api) -> None:
    """A bad identifying detail in one query of a batch is a 422 naming that query's field
    (``body.queries[1].lei``); no query of the batch is screened (no audit entry)."""
    h = srv.headers("screen")
    before = [e for e in srv.services.audit.entries() if e.action == "screen.adhoc"]
    queries = [
        {"name": "Atlas Sanatgaran"},
        {"name": "Bank", "lei": "25340038P8SYW80B9W35"},  # check digits fail (…34 is the listed LEI)
    ]
    r = srv.client.post("/v1/screen/batch", json={"queries": queries}, headers=h)
    assert r.status_code == 422, r.text
    assert _error(r)["details"][0]["field"] == "body.queries[1].lei"  # type: ignore[index]
    after = [e for e in srv.services.audit.entries() if e.action == "screen.adhoc"]
    assert len(after) == len(before)
    queries[1]["lei"] = "25340038P8SYW80B9W34"
    assert srv.client.post("/v1/screen/batch", json={"queries": queries}, headers=h).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "body.name"),
        ({"name": "x", "country": "Germany"}, "body.country"),
        ({"name": "x", "kind": "robot"}, "body.kind"),
        ({"name": "x", "nmae": "typo"}, "body.nmae"),
        ({}, "body.name"),
        ({"name": "x" * 600}, "body.name"),
    ],
)
def test_validation_errors_name_the_field(srv: Api, body: dict[str, object], field: str) -> None:
    r = srv.client.post("/v1/screen", json=body, headers=srv.headers("screen"))
    assert r.status_code == 422
    err = _error(r)
    assert err["code"] == "validation_error"
    assert field in [d["field"] for d in err["details"]]  # type: ignore[union-attr, index]


def test_malformed_json_and_oversized_bodies(srv: Api) -> None:
    h = srv.headers("analyst") | {"Content-Type": "application/json"}
    r = srv.client.post("/v1/customers", content=b'{"name": "Acme"', headers=h)
    assert r.status_code == 422 and _error(r)["code"] == "validation_error"
    r = srv.client.post("/v1/decisions", content=b"[1, 2", headers=h)
    assert r.status_code == 422
    big = b'{"name": "' + b"a" * (1 << 20) + b'"}'
    r = srv.client.post("/v1/customers", content=big, headers=h)
    assert r.status_code == 413 and _error(r)["code"] == "body_too_large"
    assert srv.services.customers.find() == []


def test_rate_limit_per_key(
    home: Path, tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIPGUARD_RATE_PER_SEC", "0.5")
    monkeypatch.setenv("CHIPGUARD_RATE_BURST", "3")
    with api("sqlite", tmp_path, shared) as a:
        codes = [a.client.get("/v1/lists", headers=a.headers("screen")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = a.client.get("/v1/lists", headers=a.headers("screen"))
        assert _error(r)["code"] == "rate_limited" and int(r.headers["Retry-After"]) >= 1
        # another key has its own bucket
        assert a.client.get("/v1/lists", headers=a.headers("analyst")).status_code == 200


def test_customers_with_full_history(srv: Api) -> None:
    c, h = srv.client, srv.headers("analyst")
    customer = {
        "name": "Shenzhen Example Computing Co., Ltd.",
        "country": "cn",
        "owners": [{"name": "Example Holdings Ltd", "country": "HK", "percent": 60}],
        "addresses": [{"text": "1 Science Park Rd", "city": "Shenzhen", "country": "CN"}],
        "email_domains": ["Example.cn"],
        "identifiers": [{"scheme": "USCC", "value": "91440300MA5F000000", "country": "CN"}],
        "customer_id": "acct-42",
    }
    r = c.post("/v1/customers", json=customer, headers=h)
    assert r.status_code == 201, r.text
    rec = r.json()
    assert rec["customer_id"] == "acct-42" and rec["version"] == 1
    assert rec["customer"]["country"] == "CN" and rec["customer"]["email_domains"] == ["example.cn"]
    assert c.post("/v1/customers", json=customer, headers=h).status_code == 409

    r = c.get("/v1/customers/acct-42", headers=h)
    assert r.status_code == 200 and r.headers["ETag"] == '"1"'

    r = c.patch(
        "/v1/customers/acct-42",
        json={"owners": [{"name": "Other Ltd", "percent": 100}], "ip_countries": ["RU"]},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    assert r.json()["customer"]["name"] == customer["name"]

    changed = dict(customer, country="SG", customer_id="")
    r = c.put("/v1/customers/acct-42", json=changed, headers=h | {"If-Match": '"1"'})
    assert r.status_code == 409  # someone changed it since version 1
    r = c.put("/v1/customers/acct-42", json=changed, headers=h | {"If-Match": '"2"'})
    assert r.status_code == 200 and r.json()["version"] == 3
    r = c.put("/v1/customers/acct-42", json=dict(changed, customer_id="other"), headers=h)
    assert r.status_code == 422

    r = c.patch("/v1/customers/acct-42", json={"country": "XYZ"}, headers=h)
    assert r.status_code == 422 and "body.country" in [d["field"] for d in _error(r)["details"]]  # type: ignore[union-attr, index]

    hist = c.get("/v1/customers/acct-42/history", headers=h).json()["versions"]
    assert [v["version"] for v in hist] == [1, 2, 3]
    assert hist[0]["customer"]["country"] == "CN" and hist[2]["customer"]["country"] == "SG"
    assert hist[1]["changed_fields"] == ["ip_countries", "owners"]
    assert hist[1]["customer"]["owners"][0]["name"] == "Other Ltd"
    assert all(v["changed_by"].startswith("key:") for v in hist)

    assert c.get("/v1/customers/nope", headers=h).status_code == 404
    assert c.get("/v1/customers/nope/history", headers=h).status_code == 404
    assert c.patch("/v1/customers/nope", json={"country": "DE"}, headers=h).status_code == 404

    entries = [e for e in srv.services.audit.entries() if e.action.startswith("customer.")]
    assert [(e.action, e.payload["version"]) for e in entries] == [
        ("customer.create", 1),
        ("customer.update", 2),
        ("customer.update", 3),
    ]
    assert [v["audit_seq"] for v in hist] == [e.seq for e in entries]
    assert entries[0].payload["inputs"]["identifiers"][0]["value"] == "91440300MA5F000000"
    assert "us_csl" in entries[0].payload["versions"]["lists"]
    assert srv.services.audit.verify().ok


def test_lists_endpoint_reports_snapshots_and_staleness(srv: Api) -> None:
    r = srv.client.get("/v1/lists", headers=srv.headers("screen"))
    assert r.status_code == 200
    body = r.json()
    digest = hashlib.sha256(srv.sample.read_bytes()).hexdigest()
    assert [s["sha256"] for s in body["snapshots"]] == [digest]
    assert body["snapshots"][0]["record_count"] == len(sample_rows(srv.sample))
    assert body["stale"] == [] and body["freshness"][0]["stale"] is False


def test_stale_lists_are_reported(home: Path, tmp_path: Path, shared: Path) -> None:
    with api("sqlite", tmp_path, shared, load=False) as a:
        a.services.snapshots.load_file(
            shared / "lists/samples/us_csl_sample_2019.csv", file_date="2019-01-01"
        )
        r = a.client.get("/readyz")
        assert r.status_code == 200 and r.json()["stale"] == ["us_csl"]
        assert a.client.get("/v1/lists", headers=a.headers("screen")).json()["stale"] == ["us_csl"]


def test_openapi_and_docs(srv: Api) -> None:
    spec = srv.client.get("/openapi.json").json()
    for path in (
        "/v1/screen",
        "/v1/screen/batch",
        "/v1/decisions",
        "/v1/decisions/{decision_id}",
        "/v1/customers",
        "/v1/customers/{customer_id}",
        "/v1/customers/{customer_id}/history",
        "/v1/lists",
        "/v1/lists/update",
        "/healthz",
        "/readyz",
    ):
        assert path in spec["paths"], path
    assert "Transaction" in spec["components"]["schemas"]
    assert srv.client.get("/docs").status_code == 200


def test_customer_model_covers_every_customer_field() -> None:
    """The API's customer schema must keep up with chipguard.model.Customer (fields are only ever added)."""
    import dataclasses

    from chipguard.model import Customer
    from chipguard.service.inputs import CustomerModel

    assert set(CustomerModel.model_fields) == {f.name for f in dataclasses.fields(Customer)}
    full = {f: v for f, v in Customer(name="x").to_dict().items()}
    assert CustomerModel.model_validate(full).to_customer().to_dict() == full


def test_no_secret_in_logs(srv: Api, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    token = srv.tokens["admin"]
    srv.client.get("/v1/lists", headers={"Authorization": f"Bearer {token}"})
    srv.client.get("/v1/lists", headers={"Authorization": f"Bearer {token}x"})
    r = srv.client.post("/v1/keys", json={"role": "screen"}, headers={"X-API-Key": token})
    new_token = r.json()["token"]
    srv.client.post("/v1/screen", json={"name": "x"}, headers={"X-API-Key": new_token})
    text = caplog.text
    key_id = token.split("_", 2)[1]
    assert f"/v1/lists 200 key={key_id}" in text  # the access log is there, naming the key id…
    for secret in (token, token.split("_", 2)[2], new_token.split("_", 2)[2]):
        assert secret not in text  # …and names key ids only


def test_audit_verify_endpoint(srv: Api) -> None:
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from chipguard.store.records import AuditEntryRow

    h = srv.headers("analyst")
    assert (
        srv.client.post("/v1/customers", json={"name": "Acme", "customer_id": "acme"}, headers=h).status_code
        == 201
    )
    assert srv.client.get("/v1/audit/verify", headers=h).status_code == 403
    r = srv.client.get("/v1/audit/verify", headers=srv.headers("admin"))
    # the fixture's list load, three keys and the customer (every list load is audited)
    assert r.status_code == 200 and r.json()["ok"] is True and r.json()["entries"] == 5
    testing.allow_tampering(srv.services.engine)
    with Session(srv.services.engine) as s, s.begin():
        s.execute(delete(AuditEntryRow).where(AuditEntryRow.seq == 5))
    body = srv.client.get("/v1/audit/verify", headers=srv.headers("admin")).json()
    assert body["ok"] is False
    assert [p["kind"] for p in body["problems"]] == ["truncated"]
    assert body["records"] == [{"record": "acme@1", "problem": "has no audit entry"}]


def test_customer_screening_covers_owners_and_parent(srv: Api) -> None:
    rows = sample_rows(srv.sample)
    atlas = next(r for r in rows if r["name"] == "Atlas Sanatgaran")
    h = srv.headers("analyst")
    customer = {
        "name": "Northwind Bakery Cooperative",
        "customer_id": "nw",
        "country": "DE",
        "owners": [
            {"name": "Atlas Sanatgaran", "country": "AM", "percent": 30},
            {"name": "Hans Muster", "kind": "person"},
        ],
        "ultimate_parent": {"name": "Northwind Holdings", "country": "DE"},
    }
    assert srv.client.post("/v1/customers", json=customer, headers=h).status_code == 201
    assert srv.client.post("/v1/customers/nw/screen", headers=srv.headers("screen")).status_code == 403
    r = srv.client.post("/v1/customers/nw/screen", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["has_hit"] is True and body["hit_subjects"] == ["owner:Atlas Sanatgaran"]
    assert body["hit_roles"] == ["owner"]
    # the exact listed name: the hit the decisions treat as a listed party ("listed" is never a bare hit)
    assert body["strengths"] == {"owner:Atlas Sanatgaran": "confirmed"}
    assert body["confirmed_subjects"] == ["owner:Atlas Sanatgaran"]
    assert "listed" not in body and "listed_subjects" not in body
    assert body["screening"]["owner:Atlas Sanatgaran"][0]["party_id"] == atlas["_id"]
    assert (
        body["screening"]["customer"] == [] and body["screening"]["ultimate_parent:Northwind Holdings"] == []
    )
    entry = next(e for e in srv.services.audit.entries() if e.action == "customer.screen")
    assert entry.seq == body["audit_seq"] and entry.payload["version"] == 1
    assert entry.payload["hit_subjects"] == ["owner:Atlas Sanatgaran"]
    assert entry.payload["hit_roles"] == ["owner"]
    assert srv.client.post("/v1/customers/none/screen", headers=h).status_code == 404
    listed = srv.client.get("/v1/customers", headers=h).json()["customers"]
    assert [c["customer_id"] for c in listed] == ["nw"]


def test_hostile_bodies_and_ids_are_4xx(srv: Api) -> None:
    """Nesting too deep to parse, NUL and unpaired surrogates (unstorable in PostgreSQL / UTF-8), odd ids."""
    h = srv.headers("admin") | {"Content-Type": "application/json"}
    deep = b"[" * 100_000 + b"]" * 100_000
    assert srv.client.post("/v1/decisions", content=deep, headers=h).status_code in (400, 422)
    assert (
        srv.client.post("/v1/customers", json={"name": "Acme", "customer_id": "acme"}, headers=h).status_code
        == 201
    )
    assert srv.client.patch("/v1/customers/acme", content=deep, headers=h).status_code in (400, 422)
    assert srv.client.post("/v1/screen", content=deep, headers=h).status_code in (400, 422)
    for body in (b'{"name": "a\\u0000b"}', b'{"name": "\\ud800"}'):
        for path in ("/v1/screen", "/v1/customers"):
            r = srv.client.post(path, content=body, headers=h)
            assert r.status_code == 422, (path, body, r.text)
    r = srv.client.patch("/v1/customers/acme", content=b'{"other_names": ["x\\u0000"]}', headers=h)
    assert r.status_code == 422
    tx = b'{"date": "2025-06-01", "kind": "sale", "destination": "DE", "customer": {"name": "A\\u0000"}, "items": []}'
    r = srv.client.post("/v1/decisions", content=tx, headers=h)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "customer.name"
    assert srv.client.get("/v1/customers/a%00b", headers=h).status_code == 422
    assert srv.client.get("/v1/decisions/a%00b", headers=h).status_code == 422
    assert srv.client.get("/v1/decisions", params={"customer_id": "a\x00"}, headers=h).status_code == 422
    bad_key = {"X-API-Key": "cg_" + "z" * 12 + "_secret"}
    assert srv.client.get("/v1/lists", headers=bad_key).status_code == 401
    assert srv.services.audit.verify().ok
