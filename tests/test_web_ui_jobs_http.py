"""Importing a file of customers from the web UI, without a browser (every backend): the import runs as a
background job whose page shows each customer written, its hits with strength and the alerts raised (in
the queue as onboarding raises them); a bad file is refused whole, naming line and column; a screen key
may not import. (The browser follows the same job live: tests/test_web_ui_jobs.py.)"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_api_support import CSL_SAMPLE
from test_web_ui_casework_http import Ui
from test_web_ui_pages_http import _job_done

from chipguard.api.app import create_app
from chipguard.service import Services
from chipguard.store import testing

CUSTOMERS = (
    "customer_id,name,country,owner1_name,owner1_country,owner1_percent\n"
    "kestrel,Kestrel Compute LLC,AM,Atlas Sanatgaran,AM,40\n"
    "plover,Plover Analytics GmbH,DE,,,\n"
)


@pytest.fixture(params=testing.backends())
def ui(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Ui]:
    with testing.database(request.param, tmp_path) as url:
        app = create_app(url)
        services: Services = app.state.services
        services.snapshots.load_file(shared / CSL_SAMPLE)
        tokens = {who: services.keys.create(who, who, actor="test")[0] for who in ("analyst", "screen")}
        with TestClient(app, base_url="http://testserver") as client:
            yield Ui(client, services, tokens)
        services.engine.dispose()


def test_customers_imported_from_the_ui(ui: Ui) -> None:
    ui.sign_in("analyst")
    assert 'href="/ui/customers/import"' in ui.get("/ui/customers")
    token = ui.csrf("/ui/customers/import")
    r = ui.client.post(
        "/ui/customers/import",
        data={"csrf": token},
        files={"file": ("customers.csv", CUSTOMERS.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[-2000:]
    location = r.headers["location"]
    job = _job_done(ui, location)
    assert (job["status"], job["kind"], job["done"], job["with_hits"]) == ("done", "customers", 2, 1), job
    page = ui.get(location)
    assert "Customer import" in page and "2 created, 0 updated, 0 unchanged" in page
    kestrel = page[page.index('data-row="kestrel"') : page.index('data-row="plover"')]
    assert "created · v1" in kestrel and "owner:Atlas Sanatgaran" in kestrel
    assert re.search(r"strength-(confirmed|potential)", kestrel)
    alert_ids = re.findall(r'data-alert="(alt_[0-9a-f]{16})"', kestrel)
    assert alert_ids and len(alert_ids) == job["alerts"]
    queue = ui.get("/ui/alerts")
    assert all(a in queue for a in alert_ids)
    assert ui.services.customers.get("kestrel").data["owners"][0]["percent"] == 40.0
    assert "Kestrel Compute LLC" in ui.client.get(location + "/results.jsonl").text

    bad = "customer_id,name,owner1_name,owner1_percent\nk1,K One Ltd,Jane,40\nk2,K Two Ltd,John,forty\n"
    r = ui.client.post(
        "/ui/customers/import",
        data={"csrf": token},
        files={"file": ("bad customers.csv", bad.encode(), "text/csv")},
    )
    page = html.unescape(r.text)
    assert r.status_code == 422 and "bad customers.csv" in page and "line 3" in page
    assert "field 'owner1_percent'" in page and "nothing imported" in page
    with pytest.raises(Exception, match="no customer"):
        ui.services.customers.get("k1")
    assert len(ui.services.jobs.find()) == 1

    ui.sign_in("screen")
    assert "customers:write" in ui.get("/ui/customers/import", 403)
