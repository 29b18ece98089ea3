"""The alert queue's filters beyond the casework loop, on SQLite and PostgreSQL: the age filter compares
times, not the text of differently written timestamps; the assignee filter offers and finds any analyst
(REST ``GET /v1/alerts/analysts`` and ``assignee=``, the UI's select), not only "me"."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session
from test_api_support import SECOND_ANALYST_AND_AUDITOR, Api, api
from test_web_ui_casework_http import Ui

from chipguard.service import Services
from chipguard.store import cases, testing
from chipguard.store.cases import AlertFilter, AlertRow, NewAlert


def _raise(services: Services, customer_id: str, party_id: str) -> str:
    hit = {"source": "us_csl", "party_id": party_id, "name": f"Party {party_id}", "score": 0.93}
    new = NewAlert(
        customer_id,
        1,
        "customer_screen",
        "",
        "",
        "customer",
        "Kestrel",
        hit,
        {"name": "x"},
        "r" * 64,
        "f" * 64,
    )
    alert, created = services.cases.raise_alert(new, "test")
    assert created
    return alert.alert_id


def _created_at(services: Services, alert_id: str, when: str) -> None:
    with Session(services.engine) as session, session.begin():
        session.execute(update(AlertRow).where(AlertRow.alert_id == alert_id).values(created_at=when))


def test_the_age_filter_compares_times_to_the_microsecond(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = Services.open(db_url)
    before, after = _raise(services, "c1", "1"), _raise(services, "c2", "2")
    # created 0.4 s before and 0.4 s after the cut of "older than 1 day" at the fixed clock below
    _created_at(services, before, "2026-03-01T12:00:00.500000Z")
    _created_at(services, after, "2026-03-01T12:00:01.300000Z")
    monkeypatch.setattr(cases, "now", lambda: datetime(2026, 3, 2, 12, 0, 0, 900000, tzinfo=UTC))
    assert cases.older_than_cut(1) == "2026-03-01T12:00:00.900000Z"
    found = services.cases.find(AlertFilter(older_than_days=1))
    assert [a.alert_id for a in found] == [before]
    assert services.cases.count(AlertFilter(older_than_days=1)) == 1
    assert {a.alert_id for a in services.cases.find(AlertFilter(older_than_days=0))} == {before, after}
    services.engine.dispose()


@pytest.fixture(params=testing.backends())
def srv(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Api]:
    """The shared ``srv`` without lists: the alerts here are raised directly."""
    with api(request.param, tmp_path, shared, load=False, more_keys=SECOND_ANALYST_AND_AUDITOR) as a:
        yield a


def test_the_queue_filters_by_any_analyst_over_rest(srv: Api) -> None:
    a, b = srv.actor("analyst"), srv.actor("analyst_b")
    mine, theirs, nobodys, untaken = (_raise(srv.services, f"c{i}", str(i)) for i in range(4))
    srv.services.cases.assign(mine, a, a)
    srv.services.cases.assign(theirs, b, a)
    # a revoked analyst's alert stays findable by them
    gone = srv.services.keys.create("analyst", "left the team", actor="test")[1]
    srv.services.cases.assign(nobodys, gone.actor, a)
    srv.services.keys.revoke(gone.key_id, actor="test")

    r = srv.client.get("/v1/alerts/analysts", headers=srv.headers("auditor"))
    assert r.status_code == 200, r.text
    listed = {x["actor"]: x for x in r.json()["analysts"]}
    # every live key that works alerts (analyst, admin) and everyone an alert is assigned to
    assert set(listed) == {a, b, srv.actor("admin"), gone.actor}
    assert (listed[b]["label"], listed[b]["role"], listed[b]["open_alerts"]) == ("analyst B", "analyst", 1)
    assert listed[gone.actor]["revoked"] and listed[gone.actor]["open_alerts"] == 1
    assert listed[srv.actor("admin")]["open_alerts"] == 0

    def ids(**params: str) -> list[str]:
        r = srv.client.get("/v1/alerts", params=params, headers=srv.headers("analyst"))
        assert r.status_code == 200, r.text
        return [x["alert_id"] for x in r.json()["alerts"]]

    assert ids(assignee=b) == [theirs]
    assert ids(assignee="me") == [mine]
    assert ids(assignee=gone.actor) == [nobodys]
    assert ids(assignee="none") == [untaken]  # the alerts nobody has taken
    assert sorted(ids()) == sorted([mine, theirs, nobodys, untaken])
    export = srv.client.get(
        "/v1/alerts/export", params={"assignee": b, "format": "json"}, headers=srv.headers("auditor")
    ).json()
    assert [x["alert_id"] for x in export["alerts"]] == [theirs] and export["filters"]["assignee"] == b
    export = srv.client.get(
        "/v1/alerts/export", params={"assignee": "none", "format": "json"}, headers=srv.headers("auditor")
    ).json()
    assert [x["alert_id"] for x in export["alerts"]] == [untaken] and export["filters"]["unassigned"]
    assert srv.client.get("/v1/alerts/analysts", headers=srv.headers("screen")).status_code == 403


def test_the_queue_page_offers_every_analyst(srv: Api) -> None:
    b = srv.actor("analyst_b")
    theirs = _raise(srv.services, "c1", "1")
    other = _raise(srv.services, "c2", "2")
    srv.services.cases.assign(theirs, b, b)
    ui = Ui(srv.client, srv.services, srv.tokens)
    ui.sign_in("analyst")
    queue = ui.get("/ui/alerts")
    options = dict(re.findall(r'<option value="(key:[0-9a-f]+)" ?>([^<]+)</option>', queue))
    assert options[b] == f"analyst B ({b}) · 1 open" and srv.actor("analyst") in options
    page = ui.get(f"/ui/alerts?assignee={b}")
    assert re.findall(r'data-alert="(alt_[0-9a-f]{16})"', page)[:1] == [theirs] and other not in page
    assert f'<option value="{b}" selected>' in html.unescape(page)
    untaken = ui.get("/ui/alerts?assignee=none")
    assert re.findall(r'data-alert="(alt_[0-9a-f]{16})"', untaken)[:1] == [other] and theirs not in untaken
    assert '<option value="none" selected>' in untaken
    case = ui.get(f"/ui/alerts/{other}")
    assert f'<option value="{b}">analyst B · 1 open</option>' in case  # the assign form suggests them
