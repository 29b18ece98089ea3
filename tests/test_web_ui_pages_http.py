"""The UI pages that spare an analyst the CLI, without a browser (every backend): hardware
classification (a model, a spec, a date; bad input named), list snapshots (every snapshot, a snapshot's
records with search) and loading a list file for admins — refused to analysts, audited, all or nothing."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_api_support import CSL_SAMPLE
from test_web_ui_casework_http import Ui, ui_app

from chipguard.store import testing

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(params=testing.backends())
def ui(request: pytest.FixtureRequest, home: Path, tmp_path: Path) -> Iterator[Ui]:
    """The app with no list loaded yet, and an analyst and an admin key."""
    with ui_app(
        request.param, tmp_path, None, {role: role for role in ("analyst", "admin", "screen")}
    ) as made:
        yield made


def test_hardware_classification_page(ui: Ui) -> None:
    ui.sign_in("screen")  # as POST /v1/hardware/classify: the lowest role classifies
    token = ui.csrf("/ui/hardware")
    r = ui.client.post("/ui/hardware", data={"csrf": token, "model": "H100", "date": "2025-06-01"})
    page = html.unescape(r.text)
    assert r.status_code == 200 and 'id="hardware-eccn">3A090.a<' in page
    assert "NVIDIA H100" in page and "88 FR 73458" in page and "2025-06-01" in page
    # the same through a link (GET, nothing stored)
    assert "3A090.a" in ui.get("/ui/hardware?model=H100")
    # a chip not in the catalogue, by its spec: under the thresholds, flagged by the H20 letter
    spec = '{"name": "H20-like", "datacenter": true, "die_area_mm2": 800, "throughput": {"FP8": 250}, '
    spec += '"memory_bandwidth_gbs": 4000}'
    r = ui.client.post("/ui/hardware", data={"csrf": token, "spec": spec, "date": "2025-06-01"})
    assert r.status_code == 200 and "H20-like" in r.text and 'id="hardware-eccn">3A090' not in r.text
    assert "letter-H20-equivalent-2025-04-09" in r.text
    bad = ui.client.post("/ui/hardware", data={"csrf": token, "model": "no-such-chip-xyz"})
    assert bad.status_code == 422 and "field &#39;model&#39;" in bad.text
    assert (
        "the spec is not valid JSON" in ui.client.post("/ui/hardware", data={"csrf": token, "spec": "{"}).text
    )
    assert (
        ui.client.post("/ui/hardware", data={"csrf": token, "model": "H100", "date": "soon"}).status_code
        == 422
    )


def test_list_snapshots_browse_and_load(ui: Ui, shared: Path) -> None:
    ui.sign_in("analyst")
    assert "No list loaded." in ui.get("/ui/lists")
    assert 'id="lists-load-form"' not in ui.get("/ui/lists")  # loading is for admins
    token = ui.csrf("/ui/lists")
    sample = (shared / CSL_SAMPLE).read_bytes()
    refused = ui.client.post(
        "/ui/lists/load", data={"csrf": token}, files={"file": ("us_csl.csv", sample, "text/csv")}
    )
    assert refused.status_code == 403 and "needs the &#39;admin&#39; role" in refused.text
    assert ui.services.snapshots.history() == []

    ui.sign_in("admin")
    token = ui.csrf("/ui/lists")
    bad = ui.client.post(
        "/ui/lists/load", data={"csrf": token}, files={"file": ("junk.csv", b"a,b\n1,2\n", "text/csv")}
    )
    assert bad.status_code == 422 and ui.services.snapshots.history() == []  # nothing half-loaded
    r = ui.client.post(
        "/ui/lists/load", data={"csrf": token}, files={"file": ("us_csl_sample_2025.csv", sample, "text/csv")}
    )
    assert r.status_code == 200, r.text[-2000:]
    (info,) = ui.services.snapshots.history()
    assert info.active and info.source == "us_csl" and info.record_count > 0
    assert f"{info.record_count:,} records" in r.text and 'id="lists-change"' in r.text
    assert any(e.action == "lists.load" for e in ui.services.audit.entries())

    ui.sign_in("analyst")
    listing = ui.get("/ui/lists")
    assert info.ref in listing and "in force" in listing
    records = ui.get(f"/ui/lists/{info.id}")
    assert f"{info.record_count:,} records" in records
    assert records.count("<details><summary>record</summary>") == info.record_count < 50
    found = ui.get(f"/ui/lists/{info.id}?q=sanatgaran")
    assert "1 record match" in html.unescape(found) and "Atlas Sanatgaran" in found
    assert len(re.findall(r"<tr>", ui.get(f"/ui/lists/{info.id}?q=zzzz-nothing"))) == 0
    assert ui.client.get("/ui/lists/999999").status_code == 422

    # a company's own list (format and source named on the form), browsed a page at a time
    ui.sign_in("admin")
    own = "id,name,type,country\n" + "".join(
        f"r{i:03d},Internal Watch Party {i:03d},org,DE\n" for i in range(60)
    )
    token = ui.csrf("/ui/lists")
    r = ui.client.post(
        "/ui/lists/load",
        data={"csrf": token, "format": "custom", "source": "acme_watch"},
        files={"file": ("watch.csv", own.encode(), "text/csv")},
    )
    page = html.unescape(r.text)
    assert r.status_code == 422 and "watch.csv, field 'format': unknown format 'custom'" in page
    assert "chipguard-ui-load" not in page
    r = ui.client.post(
        "/ui/lists/load",
        data={"csrf": token, "format": "custom_csv", "source": "acme_watch"},
        files={"file": ("watch.csv", own.encode(), "text/csv")},
    )
    assert r.status_code == 200, r.text[-2000:]
    (mine,) = [s for s in ui.services.snapshots.history() if s.source == "acme_watch"]
    assert mine.record_count == 60 and mine.active
    first = ui.get(f"/ui/lists/{mine.id}")
    assert first.count("<details><summary>record</summary>") == 50 and "Next →" in first
    second = ui.get(f"/ui/lists/{mine.id}?page_no=2")
    assert second.count("<details><summary>record</summary>") == 10 and "← Previous" in second
    assert "Internal Watch Party 059" in second and "Internal Watch Party 049" not in second


def _job_done(ui: Ui, location: str) -> dict[str, Any]:
    """Follows a job's status as the page's script does, until it is done or failed."""
    deadline = time.monotonic() + 120
    while True:
        job: dict[str, Any] = ui.client.get(location + "/status.json").json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def test_batch_screening_upload(ui: Ui, shared: Path) -> None:
    """A file of names screened from the UI as a background job: the upload answers at once with the
    job's page, which follows the progress (status.json) and then shows the rows that hit, with their
    strength, and the downloads; the screening audited naming the job. A bad row is named by line and
    field with the uploaded file's name, and nothing is screened. (Until issue 13 item 10 the page
    screened while the request waited and listed every row; the results are now the job's.)"""
    ui.services.snapshots.load_file(shared / CSL_SAMPLE)
    ui.sign_in("screen")  # as POST /v1/jobs/screen: the lowest role screens
    token = ui.csrf("/ui/batch")
    names = "id,name,kind,country\nc1,Atlas Sanatgaran,org,AM\nc2,Zyxwv Quonk Holdings,org,DE\nc3,Mahan Air,org,IR\n"
    r = ui.client.post(
        "/ui/batch",
        data={"csrf": token},
        files={"file": ("names.csv", names.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[-2000:]
    location = r.headers["location"]
    assert re.fullmatch(r"/ui/jobs/job_[0-9a-f]{16}", location)
    job = _job_done(ui, location)
    assert (job["status"], job["done"], job["total"]) == ("done", 3, 3)
    page = ui.get(location)
    assert 'id="job-status">done<' in page and re.search(r'id="job-done">3<', page)
    rows = re.findall(r'<tr class="has-hit" data-row="(c\d)">', page)
    assert rows[:1] == ["c1"] and "c2" not in rows and len(rows) == job["with_hits"]
    assert "Atlas Sanatgaran" in page and re.search(r"strength-(confirmed|potential|weak)", page)
    download = ui.client.get(location + "/results.csv")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert "Atlas Sanatgaran" in download.text and ",c2,Zyxwv Quonk Holdings," in download.text
    entries = [e for e in ui.services.audit.entries() if e.action == "screen.adhoc"]
    assert [q["id"] for e in entries for q in e.payload["queries"]] == ["c1", "c2", "c3"]
    assert {e.payload["job_id"] for e in entries} == {location.rsplit("/", 1)[1]}
    # the jobs list and the batch page's recent jobs name it
    assert location.rsplit("/", 1)[1] in ui.get("/ui/jobs") and "names.csv" in ui.get("/ui/batch")

    bad = "id,name\nc1,Atlas Sanatgaran\nc2,\n"
    r = ui.client.post(
        "/ui/batch", data={"csrf": token}, files={"file": ("bad names.csv", bad.encode(), "text/csv")}
    )
    page = html.unescape(r.text)
    assert (
        r.status_code == 422
        and "bad names.csv" in page
        and "line 3" in page
        and "chipguard-upload" not in page
    )
    assert len([e for e in ui.services.audit.entries() if e.action == "screen.adhoc"]) == len(entries)
    assert len(ui.services.jobs.find()) == 1
    forged = ui.client.post(
        "/ui/batch", data={"csrf": "x"}, files={"file": ("n.csv", names.encode(), "text/csv")}
    )
    assert forged.status_code == 403


def test_a_hit_shows_its_score_features_and_why_records_are_one_entity(ui: Ui) -> None:
    """The screening page shows, for each hit, the features its score is made of (weight, value,
    contribution) and, for a record grouped with another, why they are one entity — as the CLI and REST
    do. Real bundled CSL 2022-04: VTB Bank is one OFAC entity number on three lists."""
    ui.services.snapshots.load_file(REPO / "chipguard" / "data" / "lists" / "us_csl_2022-04.csv.gz")
    ui.sign_in("screen")
    r = ui.client.post(
        "/ui/screen",
        data={"csrf": ui.csrf("/ui/screen"), "name": "VTB Bank Public Joint Stock Company", "kind": "org"},
    )
    assert r.status_code == 200, r.text[-2000:]
    page = html.unescape(r.text)
    assert "How the score" in page and "token_alignment" in page
    assert re.search(
        r"Same entity as</dt><dd><code>us_csl:17013</code> <span class=\"grouped-by\">— same record: one record "
        r"number 17013 on ",
        page,
    )
