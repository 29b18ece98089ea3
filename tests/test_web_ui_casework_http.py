"""The casework pages of the web UI without a browser (fast, every backend): the queue's filters and
counts, a case worked through its forms (assign, note, evidence upload with its SHA-256, a disposition
that needs four eyes), the proposer refused when approving their own, a second analyst approving, the
remembered disposition revoked, the auditor reading everything and changing nothing, and every form's
CSRF check — multipart uploads included. The whole flow in a real browser is tests/test_web_ui_casework.py.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_api_support import CSL_SAMPLE

from chipguard.api.app import create_app
from chipguard.service import Services
from chipguard.store import testing

CUSTOMER = {
    "name": "Kestrel Compute LLC",
    "customer_id": "kestrel",
    "country": "AM",
    "owners": [{"name": "Atlas Sanatgaran", "country": "AM", "percent": 40}],
}
RENTAL = {
    "date": "2025-06-01",
    "kind": "rental",
    "destination": "AM",
    "customer": CUSTOMER,
    "items": [{"model": "H100", "quantity": 8}],
}


@dataclass
class Ui:
    client: TestClient
    services: Services
    tokens: dict[str, str]  # who → API key
    key_ids: dict[str, str] = field(default_factory=dict)  # who → the key's id (to revoke it)

    def sign_in(self, who: str) -> None:
        self.client.cookies.clear()
        token = re.search(r'name="csrf" value="([^"]+)"', self.client.get("/ui/login").text)
        assert token is not None
        r = self.client.post(
            "/ui/login",
            data={"csrf": token.group(1), "api_key": self.tokens[who], "next": ""},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text

    def get(self, path: str, status: int = 200) -> str:
        r = self.client.get(path)
        assert r.status_code == status, r.text[-2000:]
        return html.unescape(r.text)

    def csrf(self, path: str = "/ui/") -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.get(path))
        assert found is not None
        return found.group(1)

    def actor(self, who: str) -> str:
        key = self.services.keys.authenticate(self.tokens[who])
        assert key is not None
        return key.actor


@contextmanager
def ui_app(backend: str, tmp_path: Path, shared: Path | None, keys: Mapping[str, str]) -> Iterator[Ui]:
    """The web UI over a fresh database of ``backend`` with the CSL sample of ``shared`` loaded (None: no
    list, as the fail-closed pages need) and a key per ``keys`` entry (who → role, labelled who): the
    set-up of every web UI test without a browser."""
    with testing.database(backend, tmp_path) as url:
        app = create_app(url)
        services: Services = app.state.services
        if shared is not None:
            services.snapshots.load_file(shared / CSL_SAMPLE)
        made = {who: services.keys.create(role, who, actor="test") for who, role in keys.items()}
        with TestClient(app, base_url="http://testserver") as client:
            yield Ui(
                client,
                services,
                {who: token for who, (token, _key) in made.items()},
                {who: key.key_id for who, (_token, key) in made.items()},
            )
        services.engine.dispose()


@pytest.fixture(params=testing.backends())
def ui(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Ui]:
    keys = {"a": "analyst", "b": "analyst", "auditor": "auditor", "screen": "screen"}
    with ui_app(request.param, tmp_path, shared, keys) as made:
        yield made


def _alert_ids(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'data-alert="(alt_[0-9a-f]{16})"', html)))


def test_a_case_worked_through_the_forms(ui: Ui) -> None:
    headers = {"X-API-Key": ui.tokens["a"]}
    assert ui.client.post("/v1/customers", json=CUSTOMER, headers=headers).status_code == 201
    first = ui.client.post("/v1/decisions", json=RENTAL, headers=headers).json()
    assert first["outcome"] == "DENY"

    ui.sign_in("a")
    dashboard = ui.get("/ui/")
    assert re.search(r'data-status="open">1<', dashboard)
    queue = ui.get("/ui/alerts")
    (alert_id,) = _alert_ids(queue)
    assert "Atlas Sanatgaran" in queue and "1 alert matches" in queue
    # the filters narrow the queue and say so; a bad one is named
    assert _alert_ids(ui.get("/ui/alerts?origin=rescreen")) == []
    assert _alert_ids(ui.get("/ui/alerts?status=closed")) == []
    assert _alert_ids(ui.get("/ui/alerts?strength=weak")) == []
    assert _alert_ids(ui.get("/ui/alerts?source=us_csl&origin=decision")) == [alert_id]
    assert _alert_ids(ui.get("/ui/alerts?age=1")) == []  # raised just now, not a day ago
    assert "field 'status': must be one of" in ui.get("/ui/alerts?status=bogus", 422)
    assert "field 'age': must be a number" in ui.get("/ui/alerts?age=soon", 422)

    # assign to self from the queue: back to the queue, now in review and mine
    token = ui.csrf("/ui/alerts")
    r = ui.client.post(
        f"/ui/alerts/{alert_id}/assign",
        data={"csrf": token, "back": "/ui/alerts?status=in_review"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/ui/alerts?status=in_review"
    assert _alert_ids(ui.get("/ui/alerts?assignee=me&status=in_review")) == [alert_id]
    # an outside "back" is not followed
    r = ui.client.post(
        f"/ui/alerts/{alert_id}/assign",
        data={"csrf": token, "back": "//evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == f"/ui/alerts/{alert_id}?done=assigned"

    # … or to another analyst, from the case page
    r = ui.client.post(f"/ui/alerts/{alert_id}/assign", data={"csrf": token, "assignee": ui.actor("b")})
    assert r.status_code == 200 and ui.services.cases.get(alert_id).assignee == ui.actor("b")
    ui.client.post(f"/ui/alerts/{alert_id}/assign", data={"csrf": token})
    case = ui.get(f"/ui/alerts/{alert_id}")
    assert 'id="case-customer"' in case and 'id="case-record"' in case and "Kestrel Compute LLC" in case
    assert "Match explanation" in case and 'id="four-eyes-note"' in case

    r = ui.client.post(
        f"/ui/alerts/{alert_id}/notes", data={"csrf": token, "text": "owner documents checked"}
    )
    assert r.status_code == 200 and "owner documents checked" in r.text
    assert "field 'text': is required" in html.unescape(
        ui.client.post(f"/ui/alerts/{alert_id}/notes", data={"csrf": token, "text": " "}).text
    )

    # evidence: multipart, CSRF-checked, stored with its SHA-256, downloaded byte for byte
    content = b"%PDF-1.4\n" + bytes(range(256)) + b"\r\n--not-a-boundary\r\n"
    upload = {"file": ("registry extract é.pdf", content, "application/pdf")}
    refused = ui.client.post(f"/ui/alerts/{alert_id}/attachments", data={"csrf": "forged"}, files=upload)
    assert refused.status_code == 403 and "security token" in refused.text
    r = ui.client.post(f"/ui/alerts/{alert_id}/attachments", data={"csrf": token}, files=upload)
    assert r.status_code == 200 and "registry extract é.pdf" in r.text
    assert hashlib.sha256(content).hexdigest()[:16] in r.text
    (att,) = re.findall(rf"/ui/alerts/{alert_id}/attachments/(att_[0-9a-f]{{16}})", r.text)
    got = ui.client.get(f"/ui/alerts/{alert_id}/attachments/{att}")
    assert got.content == content and got.headers["x-content-sha256"] == hashlib.sha256(content).hexdigest()
    assert got.headers["content-disposition"].startswith("attachment;")

    # a reason code from casework.yml, and words, are required
    bad = ui.client.post(
        f"/ui/alerts/{alert_id}/disposition",
        data={
            "csrf": token,
            "disposition": "false_positive",
            "reason_code": "SAME_IDENTIFIERS",
            "reason": "x",
        },
    )
    assert bad.status_code == 422 and "field 'reason_code': unknown reason code" in html.unescape(bad.text)
    proposed = ui.client.post(
        f"/ui/alerts/{alert_id}/disposition",
        data={
            "csrf": token,
            "disposition": "false_positive",
            "reason_code": "DIFFERENT_IDENTIFIERS",
            "reason": "Registry extract: reg. no. 286.110.1234",
        },
    )
    assert proposed.status_code == 200 and "awaiting approval" in proposed.text
    assert "overriding a DENY decision" in proposed.text and 'id="own-proposal"' in proposed.text
    assert 'id="approve"' not in proposed.text  # the proposer is offered no approve button …
    own = ui.client.post(f"/ui/alerts/{alert_id}/approve", data={"csrf": token})
    assert own.status_code == 409 and "four eyes" in own.text  # … and the POST is refused anyway

    ui.sign_in("b")
    page = ui.get(f"/ui/alerts/{alert_id}")
    assert 'id="approve"' in page and 'id="reject"' in page
    approved = ui.client.post(
        f"/ui/alerts/{alert_id}/approve",
        data={"csrf": ui.csrf(f"/ui/alerts/{alert_id}"), "comment": "agreed"},
    )
    assert approved.status_code == 200, approved.text[-2000:]
    outcome = re.search(r'id="retaken-outcome">([A-Z_]+)<', approved.text)
    assert outcome is not None and outcome.group(1) in ("ALLOW", "REVIEW")
    alert = ui.services.cases.get(alert_id)
    assert (alert.status, alert.proposed_by, alert.approved_by) == ("closed", ui.actor("a"), ui.actor("b"))

    # the customer page: its alert, its screenings, every decision (the re-taken one included)
    screened = ui.client.post("/ui/customers/kestrel/screen", data={"csrf": ui.csrf("/ui/customers/kestrel")})
    assert "Alerts: 0 raised · 0 already open · 1 cleared by an analyst before" in screened.text
    customer = ui.get("/ui/customers/kestrel")
    assert alert_id in customer and 'id="screenings"' in customer
    assert first["decision_id"] in customer

    # remembered, searchable, revocable with a reason
    remembered = ui.get("/ui/dispositions?q=atlas&active=1")
    (cleared_id,) = re.findall(r'data-cleared="(clr_[0-9a-f]{16})"', remembered)
    assert "DIFFERENT_IDENTIFIERS" in remembered
    assert re.findall(r'data-cleared="', ui.get("/ui/dispositions?q=nobody")) == []
    token = ui.csrf("/ui/dispositions")
    assert "field 'reason': is required" in html.unescape(
        ui.client.post(f"/ui/dispositions/{cleared_id}/revoke", data={"csrf": token, "reason": ""}).text
    )
    r = ui.client.post(
        f"/ui/dispositions/{cleared_id}/revoke", data={"csrf": token, "reason": "owner changed"}
    )
    assert r.status_code == 200 and "Remembered disposition revoked." in r.text
    assert re.findall(r'data-cleared="', ui.get("/ui/dispositions?active=1")) == []

    # exports name every step with identities and times, and the filters applied
    log = ui.client.get("/ui/dispositions/log.csv")
    assert log.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(log.text.split("\n", 1)[1])))
    steps = [(r["action"], r["actor"]) for r in rows if r["alert_id"] == alert_id]
    a, b = ui.actor("a"), ui.actor("b")
    assert [s for s, _ in steps] == [
        "create",
        "assign",
        "assign",
        "assign",
        "assign",
        "note",
        "attach",
        "disposition",
        "approve",
        "remember",
        "revoke",
    ]
    assert ("disposition", a) in steps and ("approve", b) in steps and ("revoke", b) in steps
    assert all(r["at"] and r["audit_seq"] for r in rows)
    queue_csv = ui.client.get("/ui/alerts/export.csv?status=closed").text
    assert (
        queue_csv.startswith('"# filters: ')
        and '""status"": [""closed""]' in queue_csv
        and alert_id in queue_csv
    )
    case_json = json.loads(ui.client.get(f"/ui/alerts/{alert_id}/export.json").text)
    assert case_json["alert"]["approved_by"] == b and len(case_json["attachments"]) == 1
    assert ui.client.get(f"/ui/alerts/{alert_id}/export.xml").status_code == 404
    assert ui.services.verify_audit().ok


def test_auditor_reads_and_changes_nothing_and_screen_role_sees_no_alerts(ui: Ui) -> None:
    headers = {"X-API-Key": ui.tokens["a"]}
    ui.client.post("/v1/customers", json=CUSTOMER, headers=headers)
    ui.client.post("/v1/customers/kestrel/screen", headers=headers)
    (alert,) = ui.services.cases.find()

    ui.sign_in("auditor")
    assert "Alerts" in ui.get("/ui/")
    case = ui.get(f"/ui/alerts/{alert.alert_id}")
    assert "Atlas Sanatgaran" in case
    forms = set(re.findall(r'<form method="post" action="([^"]+)"', case))
    assert forms == {"/ui/logout"}, forms  # no assign, note, upload, disposition or approval form
    token = ui.csrf(f"/ui/alerts/{alert.alert_id}")
    for step, data in (
        ("assign", {}),
        ("notes", {"text": "x"}),
        ("disposition", {"disposition": "true_match", "reason_code": "OTHER_TRUE", "reason": "x"}),
        ("approve", {}),
    ):
        r = ui.client.post(f"/ui/alerts/{alert.alert_id}/{step}", data={"csrf": token} | data)
        assert r.status_code == 403, (step, r.status_code)
    assert ui.services.cases.get(alert.alert_id).status == "open"
    assert [e.action for e in ui.services.cases.events(alert.alert_id)] == ["create"]
    assert ui.client.get("/ui/dispositions/log.json").status_code == 200

    ui.sign_in("screen")
    assert "/ui/alerts" not in ui.get("/ui/")
    assert "needs the 'analyst' role" in ui.get("/ui/alerts", 403)
    assert ui.client.get(f"/ui/alerts/{alert.alert_id}").status_code == 403
    ui.sign_in("a")
    assert ui.client.get("/ui/alerts/alt_0000000000000000").status_code == 404
    assert ui.client.get("/ui/alerts/not-an-id").status_code == 404


def test_editing_a_customer_keeps_what_the_form_does_not_show_and_alerts_again(ui: Ui) -> None:
    """The edit form writes a new version (a conflict when someone saved first); an identifier and the
    detail of an unchanged owner line survive; the edited owner's name is screened afresh."""
    stored = CUSTOMER | {
        "identifiers": [{"scheme": "registration", "value": "286.110.99", "country": "AM"}],
        "owners": CUSTOMER["owners"] + [{"name": "Hrazdan Capital", "country": "AM", "percent": 10}],
    }
    assert (
        ui.client.post("/v1/customers", json=stored, headers={"X-API-Key": ui.tokens["a"]}).status_code == 201
    )
    ui.sign_in("a")
    form = ui.get("/ui/customers/kestrel/edit")
    assert "Atlas Sanatgaran; AM; 40" in form and 'name="version" value="1"' in form
    token = ui.csrf("/ui/customers/kestrel/edit")
    fields = {
        "csrf": token,
        "version": "1",
        "name": "Kestrel Compute LLC",
        "kind": "org",
        "country": "AM",
        "owners": "Atlas Sanatgaran CJSC; AM; 40\nHrazdan Capital; AM; 10",
    }
    r = ui.client.post("/ui/customers/kestrel/edit", data=fields, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/customers/kestrel?updated=1"
    record = ui.services.customers.get("kestrel")
    assert record.version == 2 and record.data["identifiers"] == stored["identifiers"]
    assert [o["name"] for o in record.data["owners"]] == ["Atlas Sanatgaran CJSC", "Hrazdan Capital"]
    stale = ui.client.post("/ui/customers/kestrel/edit", data=fields | {"name": "Other"})
    assert stale.status_code == 409 and ui.services.customers.get("kestrel").version == 2
    screened = ui.client.post("/ui/customers/kestrel/screen", data={"csrf": token})
    assert "Alerts: 1 raised (" in screened.text and "owner:Atlas Sanatgaran CJSC" in screened.text


def test_a_monitoring_finding_case_shows_the_finding_not_a_list_record(ui: Ui) -> None:
    """Usage and linked-account alerts carry a finding instead of a list record; their case page shows it
    (title, figures, the finding as raised) and takes a disposition like any other."""
    from chipguard.model import Customer

    ui.client.post("/v1/customers", json=CUSTOMER, headers={"X-API-Key": ui.tokens["a"]})
    raised = ui.services.casework.raise_finding(
        Customer.from_dict(CUSTOMER),
        1,
        origin="usage",
        finding_id="usage:kestrel:us-3a090",
        title="compute may exceed: us-3a090",
        score=0.9,
        details={"alert": "may_exceed", "tpp_hours": 123456.0, "accounts": ["kestrel"]},
        actor="test",
    )
    assert raised["outcome"] == "raised"
    ui.sign_in("a")
    (alert_id,) = _alert_ids(ui.get("/ui/alerts?origin=usage"))
    page = ui.get(f"/ui/alerts/{alert_id}")
    assert "Monitoring finding" in page and "compute may exceed: us-3a090" in page and "123456.0" in page
    assert 'id="case-match"' not in page and 'id="disposition-form"' in page
