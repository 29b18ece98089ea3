"""The web UI's security plumbing without a browser (fast, every backend): session cookies, sign-in
redirects, CSRF and Origin checks, security headers, key revocation, the form parsers, and the
fail-closed banner when no list is loaded. What a person sees is tested in tests/test_web_ui.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_web_ui_casework_http import Ui, ui_app

from chipguard.api.web import forms
from chipguard.api.web.session import SessionSigner
from chipguard.errors import InputError
from chipguard.store import testing


@pytest.fixture(params=testing.backends())
def ui(request: pytest.FixtureRequest, home: Path, tmp_path: Path) -> Iterator[Ui]:
    """The app with no lists loaded (the UI must say so) and one key per role."""
    with ui_app(request.param, tmp_path, None, {"screen": "screen", "analyst": "analyst"}) as made:
        yield made


def test_session_cookie_is_signed_expires_and_holds_no_secret() -> None:
    signer = SessionSigner(b"k" * 32)
    value, session = signer.issue("0123456789ab", now=1000)
    assert signer.read(value, now=1001) == session
    assert signer.read(value, now=session.expires) is None  # expired
    body, mac = value.split(".")
    assert signer.read(body + "." + mac[:-2] + "AA", now=1001) is None
    assert signer.read(body[:-2] + "AA." + mac, now=1001) is None
    assert SessionSigner(b"x" * 32).read(value, now=1001) is None  # another server's key
    other, session2 = signer.issue("0123456789ab", now=1000)
    assert signer.csrf_token(session) != signer.csrf_token(session2)  # per session
    for junk in ("", "a.b.c", "x" * 2000, "."):
        assert signer.read(junk) is None


def test_form_parsers() -> None:
    assert forms.items("H100 SXM5 80GB, 8\nA100\n RTX 4090 ; 2 ") == [
        {"model": "H100 SXM5 80GB", "quantity": 8},
        {"model": "A100"},
        {"model": "RTX 4090", "quantity": 2},
    ]
    assert forms.owners("Acme Holdings; HK; 60 %; org\nJohn Doe;;;person") == [
        {"name": "Acme Holdings", "country": "HK", "percent": 60.0, "kind": "org"},
        {"name": "John Doe", "country": "", "kind": "person"},
    ]
    with pytest.raises(InputError, match="percent 'lots'"):
        forms.owners("Acme; HK; lots")
    # an owner's identifying details, FIELD=VALUE after the kind, written back the same way to edit
    line = "Tan Wei Ming; SG; 40; person; date_of_birth=1961-05-02; nationality=SG; website=tan.example.sg"
    (tan,) = forms.owners(line)
    assert tan == {
        "name": "Tan Wei Ming",
        "country": "SG",
        "percent": 40.0,
        "kind": "person",
        "date_of_birth": "1961-05-02",
        "nationality": "SG",
        "website": "tan.example.sg",
    }
    assert forms.customer_form({"name": "X", "owners": [tan]})["owners"] == line
    assert (
        forms.customer_form({"name": "X", "owners": [{"name": "Y", "lei": "L"}]})["owners"]
        == "Y; ; ; ; lei=L"
    )
    # … and an owner of no kind read back from that line has no kind (not an empty one, which the customer
    # model refuses), nor has one written with its kind part left empty
    assert forms.owners("Y; ; ; ; lei=L\nAcme; HK; 40;") == [
        {"name": "Y", "country": "", "lei": "L"},
        {"name": "Acme", "country": "HK", "percent": 40.0},
    ]
    with pytest.raises(InputError, match="owner line 1: 'passport=1' is not FIELD=VALUE"):
        forms.owners("Tan; SG; 40; person; passport=1")
    with pytest.raises(InputError, match="x-www-form-urlencoded"):
        forms.parse_urlencoded(b"{}", "application/json")
    with pytest.raises(InputError, match="NUL"):
        forms.parse_urlencoded(b"name=a%00b", "application/x-www-form-urlencoded")
    assert forms.parse_urlencoded(b"name=%E5%8D%8E%E4%B8%BA", "application/x-www-form-urlencoded") == {
        "name": "华为"
    }
    body = forms.customer_body({"name": " Acme ", "country": "", "owners": "", "other_names": "A\n\nB"})
    # no kind chosen is no kind (a person or an organisation), as over REST
    assert body == {"name": "Acme", "kind": "unknown", "other_names": ["A", "B"]}
    # the identifying details screening weighs are fields of the customer form, shown again to edit
    person = {"name": "Rim Abbas", "kind": "person", "date_of_birth": " 1973-03-25 ", "nationality": "SY"}
    body = forms.customer_body(person | {"lei": "", "website": "example.com"})
    assert body == {
        "name": "Rim Abbas",
        "kind": "person",
        "date_of_birth": "1973-03-25",
        "nationality": "SY",
        "website": "example.com",
    }
    shown = forms.customer_form(body)
    assert (shown["date_of_birth"], shown["nationality"], shown["lei"]) == ("1973-03-25", "SY", "")
    assert forms.customer_update(
        body | {"lei": "25340038P8SYW80B9W34"}, shown | {"imo": "8984484"}
    ) == body | {"imo": "8984484"}  # the form's values replace the stored ones: a cleared LEI is cleared


def test_sign_in_redirects_headers_and_fail_closed_banner(ui: Ui) -> None:
    c = ui.client
    r = c.get("/ui/customers?q=x", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/login?next=%2Fui%2Fcustomers%3Fq%3Dx"
    assert c.get("/", follow_redirects=False).headers["location"] == "/ui/"
    page = c.get("/ui/login")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    # login CSRF: a token that does not match this browser's pre-session cookie is refused
    r = c.post("/ui/login", data={"csrf": "forged", "api_key": ui.tokens["analyst"]}, follow_redirects=False)
    assert r.status_code == 403 and "cg_session" not in r.cookies
    ui.sign_in("analyst")
    cookie = next(ck for ck in c.cookies.jar if ck.name == "cg_session")
    assert cookie.path == "/ui" and ui.tokens["analyst"].split("_", 2)[2] not in str(cookie.value)
    dash = c.get("/ui/")
    assert dash.status_code == 200 and "No restricted-party lists are loaded." in dash.text
    assert 'role="alert"' in dash.text
    # screening without lists is a clear 503 page, never a stack trace or an empty "no hit"
    r = c.post("/ui/screen", data={"csrf": ui.csrf(), "name": "Huawei", "kind": "", "country": ""})
    assert r.status_code == 503 and "chipguard lists load --bundled" in r.text and "Traceback" not in r.text
    # static files are served locally and may be cached
    css = c.get("/ui/static/app.css")
    assert css.status_code == 200 and "no-store" not in css.headers.get("cache-control", "")


def test_open_redirects_foreign_origins_and_revoked_keys(ui: Ui) -> None:
    c = ui.client
    for evil in (
        "//evil.example/ui/",
        "https://evil.example/",
        "/ui/../..//evil",
        "/ui/%2e%2e/v1",
        "/v1/keys",
    ):
        c.cookies.clear()
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/ui/login").text)
        assert token is not None
        r = c.post(
            "/ui/login",
            data={"csrf": token.group(1), "api_key": ui.tokens["screen"], "next": evil},
            follow_redirects=False,
        )
        location = r.headers["location"]
        assert r.status_code == 303 and location == "/ui/", (
            evil,
            location,
        )
    # a form posted from another site is refused even with a valid token
    ui.sign_in("analyst")
    token_value = ui.csrf()
    r = c.post(
        "/ui/customers/new",
        data={"csrf": token_value, "name": "Cross Site Ltd"},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403 and "another site" in r.text
    r = c.post(
        "/ui/customers/new", data={"csrf": token_value, "name": "Same Site Ltd"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert [x.data["name"] for x in ui.services.customers.find()] == ["Same Site Ltd"]
    # revoking the key ends its sessions at once
    ui.services.keys.revoke(ui.key_ids["analyst"], actor="test")
    r = c.get("/ui/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")


def test_unexpected_errors_are_a_plain_500_page(ui: Ui, monkeypatch: pytest.MonkeyPatch) -> None:
    ui.sign_in("analyst")

    def broken(_customer_id: str) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(ui.services.customers, "get", broken)
    r = ui.client.get("/ui/customers/acme")
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert "the server log has the details" in r.text
    assert "hunter2" not in r.text and "Traceback" not in r.text
    assert 'href="/ui/static/app.css"' in r.text and 'name="csrf" value=""' not in r.text
    assert ui.client.get("/ui/customers/acme?x=<b>").status_code == 500  # and it keeps serving


def test_decision_page_and_rest_show_what_to_verify(ui: Ui) -> None:
    """A decision resting on an unconfirmed rule (issue 15) lists it under `uncertain` in REST and the UI."""
    tx = {
        "date": "2026-03-02",
        "kind": "export",
        "destination": "MY",
        "customer": {
            "name": "Nanyang Lattice Compute Sdn Bhd",
            "country": "MY",
            "ultimate_parent": {"name": "Shenzhen Lattice Holdings", "country": "CN"},
        },
        "items": [{"model": "H200", "quantity": 8}],
    }
    auth = {"Authorization": f"Bearer {ui.tokens['analyst']}"}
    made = ui.client.post("/v1/decisions", json=tx, headers=auth)
    assert made.status_code == 201, made.text
    uncertain = made.json()["uncertain"]
    assert "ADV-POLICY-HQ-ELSEWHERE" in {u["rule_id"] for u in uncertain}
    assert all(u["why"] and u["check"] for u in uncertain)
    # the audit entry (and so the audit export) carries the same list
    entry = next(
        e for e in ui.services.audit.entries() if e.payload.get("decision_id") == made.json()["decision_id"]
    )
    assert entry.payload["uncertain"] == uncertain
    ui.sign_in("analyst")
    page = ui.client.get(f"/ui/decisions/{made.json()['decision_id']}")
    assert page.status_code == 200 and 'id="uncertain"' in page.text
    assert (
        "ADV-POLICY-HQ-ELSEWHERE" in page.text and "Whether BIS applies a presumption of denial" in page.text
    )
