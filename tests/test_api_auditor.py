"""The permission model and the read-only ``auditor`` role, on every backend: the role table itself, every
REST route and UI page naming a permission (so a new write route without a check fails here), the auditor
refused every write and allowed every read, replay, verify and export — and those leaving the database
byte-for-byte unchanged. Also the shared decision filters (date range) on ``GET /v1/decisions``."""

from __future__ import annotations

import csv
import io
import json
import re
import typing
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_api_support import Api, api
from typer.testing import CliRunner

import chipguard.store.tables  # noqa: F401  (Base.metadata complete)
from chipguard.api.schemas import KeyCreateRequest
from chipguard.cli import app as cli_app
from chipguard.store import testing
from chipguard.store.db import Base
from chipguard.store.permissions import READ_ONLY, ROLE_PERMISSIONS, ROLES, Permission, permissions_of

# The one POST an auditor may send: a replay runs the engine but stores nothing (checked below).
READ_ONLY_POSTS = {("POST", "/v1/decisions/{decision_id}/replay")}
UI_READ_ONLY_POSTS = {("POST", "/decisions/{decision_id}/replay")}
UNGUARDED = {"/healthz", "/readyz", "/", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
UI_UNGUARDED = {"/login", "/logout"}  # sign-in is for anyone; sign-out only needs the session's CSRF


@pytest.fixture(params=testing.backends())
def srv(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Api]:
    with api(request.param, tmp_path, shared) as a:
        a.tokens["auditor"] = a.services.keys.create("auditor", "test auditor", actor="test")[0]
        yield a


def _transaction(name: str = "Atlas Sanatgaran", customer_id: str = "acme") -> dict[str, object]:
    return {
        "date": "2025-06-01",
        "kind": "sale",
        "destination": "AM",
        "customer": {"name": name, "country": "AM", "customer_id": customer_id},
        "items": [{"model": "H100", "quantity": 8}],
    }


def _seed(srv: Api) -> str:
    """A customer with two versions and a decision for it, made by the analyst; returns the decision id."""
    h = srv.headers("analyst")
    assert (
        srv.client.post("/v1/customers", json={"name": "Acme", "customer_id": "acme"}, headers=h).status_code
        == 201
    )
    assert srv.client.patch("/v1/customers/acme", json={"country": "AM"}, headers=h).status_code == 200
    r = srv.client.post("/v1/decisions", json=_transaction(), headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["decision_id"])


def _database(srv: Api) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare before and after: "writes nothing" means exactly that."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with Session(srv.services.engine) as s:
        for table in Base.metadata.sorted_tables:
            out[table.name] = sorted((tuple(r) for r in s.execute(select(table))), key=repr)
    return out


def _permission_of(route: APIRoute) -> list[Permission]:
    """The permissions a route's dependencies ask for (the guards carry ``.permission``)."""
    found = []
    for dep in route.dependant.dependencies:
        perm = getattr(dep.call, "permission", None)
        if perm is not None:
            found.append(perm)
    return found


def _concrete(path: str, decision_id: str, case: dict[str, str] | None = None) -> str:
    case = case or {}
    return (
        path.replace("{customer_id}", "acme")
        .replace("{decision_id}", decision_id)
        .replace("{key_id}", "0" * 12)
        .replace("{alert_id}", case.get("alert_id", "alt_" + "0" * 16))
        .replace("{attachment_id}", case.get("attachment_id", "att_" + "0" * 16))
        .replace("{cleared_id}", case.get("cleared_id", "clr_" + "0" * 16))
        .replace("{snapshot_id}", case.get("snapshot_id", "1"))
        .replace("{job_id}", case.get("job_id", "job_" + "0" * 16))
    )


def _seed_case(srv: Api) -> dict[str, str]:
    """An alert (a customer whose owner is on the CSL sample, screened by the analyst) with an evidence
    file: what the casework pages show."""
    h = srv.headers("analyst")
    owner = {"name": "Atlas Sanatgaran", "country": "AM", "percent": 40}
    body = {"name": "Kestrel Compute LLC", "customer_id": "kestrel", "country": "AM", "owners": [owner]}
    assert srv.client.post("/v1/customers", json=body, headers=h).status_code == 201
    raised = srv.client.post("/v1/customers/kestrel/screen", headers=h).json()["alerts"]["raised"]
    alert_id = raised[0]["alert_id"]
    r = srv.client.post(
        f"/v1/alerts/{alert_id}/attachments", json={"file_name": "a.txt", "content_base64": "YQ=="}, headers=h
    )
    assert r.status_code == 201, r.text
    snapshot_id = str(srv.services.snapshots.active()[0].id)
    # a finished customer import: the job pages show customers, which the auditor reads
    plover = b'{"customer_id": "plover", "name": "Plover Analytics GmbH", "country": "DE"}\n'
    job = srv.app.state.jobs.import_customers("plover.jsonl", plover, None, "test", background=False)
    assert job.status == "done", job.error
    return {
        "alert_id": alert_id,
        "attachment_id": r.json()["attachment_id"],
        "snapshot_id": snapshot_id,
        "job_id": job.job_id,
    }


# ── the role table ───────────────────────────────────────────────────────────────────────────────


def test_role_table_keeps_the_old_hierarchy_and_the_auditor_only_reads() -> None:
    assert ROLES == ("screen", "analyst", "admin", "auditor")
    # the REST schema offers exactly these roles
    assert typing.get_args(KeyCreateRequest.model_fields["role"].annotation) == ROLES
    screen, analyst, admin, auditor = (ROLE_PERMISSIONS[r] for r in ROLES)
    assert screen < analyst < admin  # unchanged: each earlier role can do less
    assert auditor <= READ_ONLY
    assert Permission.SCREEN not in auditor and Permission.CUSTOMERS_SCREEN not in auditor
    # an auditor can do what only an admin could: verify and export the trail, read every decision
    assert {Permission.AUDIT_VERIFY, Permission.AUDIT_EXPORT, Permission.DECISIONS_REPLAY} <= auditor
    assert permissions_of("no-such-role") == frozenset()
    with pytest.raises(ValueError):
        Permission("decisions:delete")  # a typo in a template or route is an error, never a silent refusal


def test_cli_creates_an_auditor_key(home: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        cli_app, ["keys", "create", "--role", "auditor", "--label", "ext audit", "--db", db]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("cg_")
    listed = CliRunner().invoke(cli_app, ["keys", "list", "--db", db])
    assert "auditor" in listed.output and "ext audit" in listed.output
    bad = CliRunner().invoke(cli_app, ["keys", "create", "--role", "readonly", "--db", db])
    assert bad.exit_code != 0 and "auditor" in str(bad.exception)  # the error lists the roles there are


# ── REST ─────────────────────────────────────────────────────────────────────────────────────────


def test_every_route_has_a_permission_and_the_auditor_is_refused_every_write(srv: Api) -> None:
    decision_id = _seed(srv)
    auditor = permissions_of("auditor")
    routes = [r for r in srv.app.routes if isinstance(r, APIRoute)]
    writes_refused = []
    for route in routes:
        perms = _permission_of(route)
        if route.path in UNGUARDED:
            assert not perms, route.path
            continue
        assert len(perms) == 1, f"{route.methods} {route.path} must ask for exactly one permission"
        (perm,) = perms
        for method in route.methods:
            url = _concrete(route.path, decision_id)
            if method in ("GET", "HEAD") or (method, route.path) in READ_ONLY_POSTS:
                # a read: only read-only permissions, so an auditor may hold them
                assert perm in READ_ONLY, f"{method} {route.path} reads but asks for {perm}"
                continue
            # a write (or a screen): never a read-only permission, and the auditor gets 403
            assert perm not in READ_ONLY, f"{method} {route.path} writes but asks for {perm}"
            assert perm not in auditor
            r = srv.client.request(method, url, json={}, headers=srv.headers("auditor"))
            assert r.status_code == 403, (method, url, r.status_code, r.text)
            message = r.json()["error"]["message"]
            assert perm.value in message and "'auditor'" in message
            writes_refused.append(f"{method} {route.path}")
    # the writes this API has today, so the loop above cannot pass by finding none
    assert {
        "POST /v1/screen",
        "POST /v1/screen/batch",
        "POST /v1/decisions",
        "POST /v1/customers",
        "PUT /v1/customers/{customer_id}",
        "PATCH /v1/customers/{customer_id}",
        "POST /v1/customers/{customer_id}/screen",
        "POST /v1/lists/update",
        "POST /v1/keys",
    } <= set(writes_refused)


def test_auditor_reads_replays_verifies_and_exports_without_writing(srv: Api) -> None:
    decision_id = _seed(srv)
    h = srv.headers("auditor")
    before = _database(srv)
    entries = len(list(srv.services.audit.entries()))

    listing = srv.client.get("/v1/decisions", headers=h)
    assert listing.status_code == 200 and [d["decision_id"] for d in listing.json()["decisions"]] == [
        decision_id
    ]
    got = srv.client.get(f"/v1/decisions/{decision_id}", headers=h)
    assert got.status_code == 200 and got.json()["outcome"] != "ALLOW"
    replay = srv.client.post(f"/v1/decisions/{decision_id}/replay", headers=h)
    assert replay.status_code == 200 and replay.json()["same"] is True, replay.text
    assert replay.json()["recorded_outcome"] == got.json()["outcome"]

    assert [c["customer_id"] for c in srv.client.get("/v1/customers", headers=h).json()["customers"]] == [
        "acme"
    ]
    customer = srv.client.get("/v1/customers/acme", headers=h)
    assert customer.status_code == 200 and customer.headers["ETag"] == '"2"'
    history = srv.client.get("/v1/customers/acme/history", headers=h).json()["versions"]
    assert [v["version"] for v in history] == [1, 2]
    lists = srv.client.get("/v1/lists", headers=h)
    assert lists.status_code == 200 and [s["source"] for s in lists.json()["snapshots"]] == ["us_csl"]

    verify = srv.client.get("/v1/audit/verify", headers=h)
    assert verify.status_code == 200 and verify.json()["ok"] is True, verify.text
    jsonl = srv.client.get("/v1/audit/export", headers=h)
    assert jsonl.status_code == 200 and jsonl.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [r["seq"] for r in rows] == list(range(1, entries + 1))
    assert "decision.create" in {r["action"] for r in rows}
    exported = srv.client.get("/v1/audit/export?format=csv", headers=h)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.text)))
    assert (
        table[0] == ["seq", "ts", "actor", "action", "payload", "prev_hash", "hash"]
        and len(table) == entries + 1
    )
    assert [row[6] for row in table[1:]] == [r["hash"] for r in rows]  # same entries either way
    bad = srv.client.get("/v1/audit/export?format=xml", headers=h)
    assert bad.status_code == 422 and "format" in json.dumps(bad.json()["error"]["details"])

    assert _database(srv) == before  # reading, replaying, verifying and exporting wrote nothing
    # the screen and analyst keys still cannot verify or export; the admin still can
    for role, status in (("screen", 403), ("analyst", 403), ("admin", 200)):
        assert srv.client.get("/v1/audit/export", headers=srv.headers(role)).status_code == status
        assert srv.client.get("/v1/audit/verify", headers=srv.headers(role)).status_code == status


def test_decision_list_date_filter(srv: Api) -> None:
    decision_id = _seed(srv)
    h = srv.headers("auditor")
    today = datetime.now(UTC).date()  # decided_at is a UTC time

    def ids(query: str) -> list[str]:
        r = srv.client.get(f"/v1/decisions?{query}", headers=h)
        assert r.status_code == 200, r.text
        return [d["decision_id"] for d in r.json()["decisions"]]

    assert ids(f"date_from={today}&date_to={today}") == [decision_id]
    assert ids(
        f"date_to={today}&outcome={srv.client.get(f'/v1/decisions/{decision_id}', headers=h).json()['outcome']}"
    ) == [decision_id]
    assert ids(f"date_from={today + timedelta(days=1)}") == []
    assert ids(f"date_to={today - timedelta(days=1)}") == []
    assert ids(f"date_from={today}&customer_id=acme") == [decision_id]
    for field, value in (("date_from", "yesterday"), ("date_to", "2024-02-30"), ("date_from", "20240102")):
        r = srv.client.get(f"/v1/decisions?{field}={value}", headers=h)
        assert r.status_code == 422, (field, value, r.text)
        err = r.json()["error"]
        assert err["details"][0]["field"] == field and "YYYY-MM-DD" in err["message"]
    r = srv.client.get(f"/v1/decisions?date_from={today}&date_to={today - timedelta(days=1)}", headers=h)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "date_to"
    # the dashboard's counts come from the same store query
    counts = srv.services.decisions.outcome_counts(date_from=today)
    assert sum(counts.values()) == 1
    assert srv.services.decisions.outcome_counts(date_from=today + timedelta(days=1)) == {}


# ── UI (no browser: every page's guard) ──────────────────────────────────────────────────────────


def _ui_sign_in(srv: Api, role: str) -> str:
    """Signs the test client in to the UI with the role's key; returns the session's CSRF token."""
    c = srv.client
    c.cookies.clear()
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/ui/login").text)
    assert token is not None
    r = c.post(
        "/ui/login", data={"csrf": token.group(1), "api_key": srv.tokens[role]}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    found = re.search(r'name="csrf" value="([^"]+)"', c.get("/ui/").text)
    assert found is not None
    return found.group(1)


def test_every_ui_page_has_a_permission_and_the_auditor_is_refused_every_write(srv: Api) -> None:
    decision_id = _seed(srv)
    case = _seed_case(srv)
    csrf = _ui_sign_in(srv, "auditor")
    mount = next(r for r in srv.app.routes if getattr(r, "path", "") == "/ui")
    routes = [r for r in mount.app.routes if isinstance(r, APIRoute)]  # type: ignore[attr-defined]
    before = _database(srv)
    refused = []
    for route in routes:
        perms = _permission_of(route)
        if route.path in UI_UNGUARDED:
            assert not perms, route.path
            continue
        assert len(perms) == 1, f"UI {route.methods} {route.path} must ask for exactly one permission"
        (perm,) = perms
        url = "/ui" + _concrete(route.path, decision_id, case).replace("{fmt}", "csv")
        for method in route.methods:
            if method in ("GET", "HEAD") or (method, route.path) in UI_READ_ONLY_POSTS:
                # (a GET page may ask for a write permission: the form behind "New customer" does)
                if method == "POST":
                    assert perm in READ_ONLY, f"UI {method} {route.path} reads but asks for {perm}"
                else:
                    r = srv.client.get(url)
                    expected = 200 if perm in permissions_of("auditor") else 403
                    assert r.status_code == expected, (url, r.status_code, r.text[:500])
                continue
            assert perm not in READ_ONLY, f"UI {method} {route.path} writes but asks for {perm}"
            # a valid CSRF token does not help: the permission is checked first
            r = srv.client.post(url, data={"csrf": csrf, "name": "Auditor Co", "role": "admin"})
            assert r.status_code == 403 and "auditor" in r.text, (url, r.status_code)
            refused.append(f"{method} {route.path}")
    assert {"POST /screen", "POST /customers/new", "POST /decisions/new", "POST /keys"} <= set(refused)
    r = srv.client.post(f"/ui/decisions/{decision_id}/replay", data={"csrf": csrf})
    assert r.status_code == 200 and "Replay reproduces the decision" in r.text
    assert _database(srv) == before
    # what the auditor is shown: the read-only pages in the menu, no create or screen control anywhere
    page = srv.client.get(f"/ui/decisions/{decision_id}").text
    nav = page[page.index("<nav") : page.index("</nav>")]
    assert all(f">{name}</a>" in nav for name in ("Dashboard", "Customers", "Decisions", "Audit"))
    assert ">Screen</a>" not in nav and ">Keys</a>" not in nav
    for path in (
        "/ui/",
        "/ui/customers",
        "/ui/customers/acme",
        "/ui/decisions",
        f"/ui/decisions/{decision_id}",
    ):
        text = srv.client.get(path).text
        assert "/new" not in text and "/screen" not in text, path
    audit_page = srv.client.get("/ui/audit").text
    assert "/audit/verify" in audit_page and "/audit/export.csv" in audit_page
