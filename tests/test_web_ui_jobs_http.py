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
from test_web_ui_casework_http import Ui, ui_app
from test_web_ui_pages_http import _job_done

from chipguard.store import testing

CUSTOMERS = (
    "customer_id,name,country,owner1_name,owner1_country,owner1_percent\n"
    "kestrel,Kestrel Compute LLC,AM,Atlas Sanatgaran,AM,40\n"
    "plover,Plover Analytics GmbH,DE,,,\n"
)


@pytest.fixture(params=testing.backends())
def ui(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Ui]:
    with ui_app(request.param, tmp_path, shared, {"analyst": "analyst", "screen": "screen"}) as made:
        yield made


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


def test_a_job_is_cancelled_and_retried_from_its_page(ui: Ui) -> None:
    """The job page offers Cancel to the job's starter while it has not finished (never to another
    screen key or the auditor), shows who cancelled it, then offers Retry for the rows not finished; the
    retry's page names the job it takes up, and that job's page names its retry."""
    from chipguard.service import jobs as service_jobs

    ui.tokens["auditor"] = ui.services.keys.create("auditor", "auditor", actor="test")[0]
    runner = ui.client.app.state.jobs  # type: ignore[attr-defined]
    rows = service_jobs.read_names("names.csv", b"id,name\nn1,Atlas Sanatgaran\nn2,Mahan Air\n", None)
    # queued in the service's live runner, never handed to its threads: it waits until cancelled
    job = ui.services.jobs.create(
        "screen", "names.csv", "0" * 64, rows, ui.actor("analyst"), runner.runner_id
    )
    location = f"/ui/jobs/{job.job_id}"

    for who in ("screen", "auditor"):
        ui.sign_in(who)
        page = ui.get(location)
        assert 'id="job-cancel"' not in page and "badge-job-queued" in page
        r = ui.client.post(location + "/cancel", data={"csrf": ui.csrf(location)})
        assert r.status_code == 403, who
        if who == "screen":  # may screen, but did not start this job
            assert "only they or an admin" in html.unescape(r.text)

    ui.sign_in("analyst")
    page = ui.get(location)
    assert 'id="job-cancel"' in page and 'id="job-retry"' not in page
    token = ui.csrf(location)
    assert ui.client.post(location + "/cancel", data={"csrf": "forged"}).status_code in (400, 403)
    r = ui.client.post(location + "/cancel", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(location)
    page = ui.get(location)
    assert "badge-job-cancelled" in page and f"Cancelled by {ui.actor('analyst')}" in page
    assert 'id="job-cancel"' not in page and "Retry the 2 row(s) not finished" in page
    assert ui.services.jobs.get(job.job_id).status == "cancelled"
    r = ui.client.post(location + "/cancel", data={"csrf": token})
    assert r.status_code == 409 and "a finished job cannot be cancelled" in html.unescape(r.text)

    r = ui.client.post(location + "/retry", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text[-2000:]
    retry_location = r.headers["location"]
    retried = _job_done(ui, retry_location)
    assert (retried["status"], retried["done"], retried["retry_of"]) == ("done", 2, job.job_id)
    page = ui.get(retry_location)
    assert f'href="/ui/jobs/{job.job_id}"' in page and "Retries the rows not finished by" in page
    assert 'id="job-cancel"' not in page and 'id="job-retry"' not in page
    page = ui.get(location)
    assert "Retried as" in page and retried["job_id"] in page and 'id="job-retry"' not in page
    listing = ui.get("/ui/jobs")
    assert "badge-job-cancelled" in listing and "badge-job-done" in listing
