"""Background jobs through the REST API, on SQLite and PostgreSQL: a file of names screened while the
caller polls its progress, a file of customers imported (each created or updated, screened, alerting as
onboarding does), every bad file refused whole with its line and field, roles as elsewhere (the auditor
reads, cannot start), the trail in the audit chain, and a job a stopped service left unfinished marked
failed by the next start, not left "running"."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_api_support import KESTREL, NAMES_CSV, Api

from chipguard.api.app import create_app
from chipguard.service import jobs as service_jobs

PLOVER = {"customer_id": "plover", "name": "Plover Analytics GmbH", "country": "DE"}
CUSTOMERS_CSV = (
    "customer_id,name,country,other_names,owner1_name,owner1_country,owner1_percent,owner2_name\n"
    "kestrel,Kestrel Compute LLC,AM,,Atlas Sanatgaran,AM,40,\n"
    "plover,Plover Analytics GmbH,DE,Plover GmbH;Plover AG,,,,Jane Roe\n"
)


def _post(srv: Api, path: str, body: str, who: str = "analyst", **params: str) -> Any:
    media = "text/csv" if params.get("file_name", ".csv").endswith(".csv") else "application/x-ndjson"
    return srv.client.post(
        path, content=body.encode(), params=params, headers=srv.headers(who) | {"Content-Type": media}
    )


def test_a_file_of_names_is_screened_in_the_background(srv: Api) -> None:
    r = _post(srv, "/v1/jobs/screen", NAMES_CSV, who="screen", file_name="names.csv")
    assert r.status_code == 202, r.text
    started = r.json()
    job_id = started["job_id"]
    assert r.headers["location"] == f"/v1/jobs/{job_id}"
    assert (started["status"], started["total"], started["kind"]) == ("queued", 3, "screen")
    job = srv.wait_job(job_id, "auditor")  # the auditor follows it
    assert (job["status"], job["done"], job["total"], job["percent"]) == ("done", 3, 3, 100.0)
    assert job["created_by"].startswith("key:") and job["started_at"] and job["finished_at"]
    assert job["snapshots"] and all(s.startswith("us_csl") for s in job["snapshots"])

    page = srv.client.get(f"/v1/jobs/{job_id}/results", headers=srv.headers("auditor")).json()
    results = page["results"]
    assert [(r["line"], r["id"]) for r in results] == [(2, "c1"), (3, "c2"), (4, "c3")]
    assert results[0]["hits"] and not results[1]["hits"]
    assert job["with_hits"] == sum(1 for r in results if r["hits"])
    best = results[0]["hits"][0]
    assert best["name"] == "Atlas Sanatgaran" and best["strength"] in ("confirmed", "potential", "weak")
    assert srv.client.get(
        f"/v1/jobs/{job_id}/results", params={"offset": 1, "limit": 1}, headers=srv.headers("screen")
    ).json()["results"] == [results[1]]

    text = srv.client.get(
        f"/v1/jobs/{job_id}/results", params={"format": "csv"}, headers=srv.headers("screen")
    ).text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith(f"# job {job_id}") and rows[1][:3] == ["line", "id", "name"]
    by_id = {}
    for row in rows[2:]:
        by_id.setdefault(row[1], []).append(dict(zip(rows[1], row, strict=True)))
    assert by_id["c2"][0]["hits"] == "0" and by_id["c2"][0]["source"] == ""
    assert any(h["hit_name"] == "Atlas Sanatgaran" and h["strength"] == best["strength"] for h in by_id["c1"])
    # every row says the lists it was screened on and whether they were stale; each hit its list record
    atlas = next(h for h in by_id["c1"] if h["hit_name"] == "Atlas Sanatgaran")
    record = best["record"]
    assert atlas["source_url"] == record["source_url"] and atlas["addresses"] == "; ".join(
        record["addresses"]
    )
    assert record["source_url"] and record["addresses"]
    for row in (atlas, by_id["c2"][0]):
        assert row["snapshots"] == ";".join(job["snapshots"]) and row["lists_stale"] in ("True", "False")
    assert results[1]["snapshot"] == job["snapshots"] and isinstance(results[1]["lists_stale"], bool)
    lines = srv.client.get(
        f"/v1/jobs/{job_id}/results", params={"format": "jsonl"}, headers=srv.headers("screen")
    )
    assert [json.loads(x) for x in lines.text.splitlines()] == results

    # audited: the job, its screening (naming the job and every query), its end
    (created,) = srv.actions("job.create")
    assert created.payload["job_id"] == job_id and created.payload["rows"] == 3
    screens = [e for e in srv.actions("screen.adhoc") if e.payload.get("job_id") == job_id]
    assert [q["id"] for e in screens for q in e.payload["queries"]] == ["c1", "c2", "c3"]
    (done,) = srv.actions("job.done")
    assert done.payload["done"] == 3 and done.payload["with_hits"] == job["with_hits"]
    assert done.payload["snapshots"] == job["snapshots"]
    listed = srv.client.get("/v1/jobs", headers=srv.headers("auditor")).json()["jobs"]
    assert [j["job_id"] for j in listed] == [job_id]


def test_a_bad_file_is_refused_whole_and_nothing_is_screened(
    srv: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = "id,name,country\nc1,Atlas Sanatgaran,AM\nc2,,DE\nc3,Mahan Air,XX\n"
    r = _post(srv, "/v1/jobs/screen", bad, file_name="bad names.csv")
    assert r.status_code == 422
    error = r.json()["error"]
    assert (
        "bad names.csv" in error["message"] and "line 3" in error["message"] and "line 4" in error["message"]
    )
    assert "chipguard-upload" not in error["message"]  # the uploaded file's name, never the temporary copy
    r = _post(srv, "/v1/jobs/screen", '{"id": "x", "name": "A", "colour": "red"}\n', file_name="q.jsonl")
    assert r.status_code == 422 and "colour" in r.text
    assert _post(srv, "/v1/jobs/screen", "", file_name="empty.csv").status_code == 422
    monkeypatch.setattr(service_jobs, "LIMITS", dataclasses.replace(service_jobs.LIMITS, job_rows=2))
    r = _post(srv, "/v1/jobs/screen", NAMES_CSV, file_name="names.csv")
    assert r.status_code == 422 and "at most 2" in r.text
    assert srv.client.get("/v1/jobs", headers=srv.headers("analyst")).json()["jobs"] == []
    assert srv.actions("job.create") == [] and srv.actions("screen.adhoc") == []


def test_roles_start_and_read_jobs_as_elsewhere(srv: Api) -> None:
    # the auditor reads and cannot start; a screen key screens names but imports no customers
    assert _post(srv, "/v1/jobs/screen", NAMES_CSV, who="auditor", file_name="n.csv").status_code == 403
    assert (
        _post(srv, "/v1/jobs/customers", json.dumps(KESTREL), who="auditor", file_name="c.jsonl").status_code
        == 403
    )
    r = _post(srv, "/v1/jobs/customers", json.dumps(KESTREL), who="screen", file_name="c.jsonl")
    assert r.status_code == 403 and "customers:write" in r.text
    job_id = _post(srv, "/v1/jobs/customers", json.dumps(KESTREL) + "\n", file_name="c.jsonl").json()[
        "job_id"
    ]
    srv.wait_job(job_id, "analyst")
    # a customer import shows customers: a screen key may not read it, the auditor may
    assert srv.client.get(f"/v1/jobs/{job_id}", headers=srv.headers("screen")).status_code == 403
    assert srv.client.get(f"/v1/jobs/{job_id}/results", headers=srv.headers("screen")).status_code == 403
    assert srv.client.get("/v1/jobs", headers=srv.headers("screen")).json()["jobs"] == []
    assert srv.client.get(f"/v1/jobs/{job_id}/results", headers=srv.headers("auditor")).status_code == 200
    assert srv.client.get("/v1/jobs/job_0000000000000000", headers=srv.headers("auditor")).status_code == 404
    assert srv.client.get("/v1/jobs/nope", headers=srv.headers("auditor")).status_code == 422
    # documented in OpenAPI
    paths = srv.client.get("/openapi.json").json()["paths"]
    assert {
        "/v1/jobs/screen",
        "/v1/jobs/customers",
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/results",
    } <= set(paths)
    assert "text/csv" in paths["/v1/jobs/screen"]["post"]["requestBody"]["content"]


def test_customers_are_imported_screened_and_alerted(srv: Api) -> None:
    r = _post(srv, "/v1/jobs/customers", CUSTOMERS_CSV, file_name="customers.csv")
    assert r.status_code == 202, r.text
    job = srv.wait_job(r.json()["job_id"], "analyst")
    job_id = job["job_id"]
    assert (job["status"], job["done"], job["total"], job["with_hits"]) == ("done", 2, 2, 1), job
    assert job["summary"]["created"] == 2 and job["alerts"] >= 1
    results = srv.client.get(f"/v1/jobs/{job_id}/results", headers=srv.headers("analyst")).json()["results"]
    kestrel, plover = results
    assert (kestrel["line"], kestrel["customer_id"], kestrel["action"], kestrel["version"]) == (
        2,
        "kestrel",
        "created",
        1,
    )
    assert kestrel["has_hit"] and any(
        h["subject"] == "owner:Atlas Sanatgaran" and h["name"] == "Atlas Sanatgaran" and h["strength"]
        for h in kestrel["hits"]
    )
    assert not plover["has_hit"] and plover["alerts"] == []
    stored = srv.client.get("/v1/customers/plover", headers=srv.headers("analyst")).json()["customer"]
    assert stored["other_names"] == ["Plover GmbH", "Plover AG"] and stored["owners"][0]["name"] == "Jane Roe"
    owner = srv.client.get("/v1/customers/kestrel", headers=srv.headers("analyst")).json()["customer"][
        "owners"
    ][0]
    assert (owner["name"], owner["country"], owner["percent"]) == ("Atlas Sanatgaran", "AM", 40.0)
    # the alerts are the queue's, as onboarding raises them, naming the job
    alerts = srv.client.get(
        "/v1/alerts", params={"customer_id": "kestrel"}, headers=srv.headers("analyst")
    ).json()
    assert {a["alert_id"] for a in alerts["alerts"]} == set(kestrel["alerts"])
    assert all(
        (a["origin"], a["origin_ref"]) == ("customer_screen", f"job:{job_id}") for a in alerts["alerts"]
    )
    screenings = srv.client.get("/v1/customers/kestrel/screenings", headers=srv.headers("analyst")).json()
    assert len(screenings["screenings"]) == 1
    assert len(srv.actions("customer.create")) == 2 and len(srv.actions("job.done")) == 1

    # the same customers again, one changed: a new version for it, nothing for the other, no second alert
    again = json.dumps(KESTREL) + "\n" + json.dumps(PLOVER | {"country": "AT"}) + "\n"
    job2 = srv.wait_job(
        _post(srv, "/v1/jobs/customers", again, file_name="again.jsonl").json()["job_id"], "analyst"
    )
    results2 = srv.client.get(f"/v1/jobs/{job2['job_id']}/results", headers=srv.headers("analyst")).json()[
        "results"
    ]
    assert [(r["customer_id"], r["action"], r["version"]) for r in results2] == [
        ("kestrel", "unchanged", 1),
        ("plover", "updated", 2),
    ]
    assert job2["alerts"] == 0 and job2["summary"]["updated"] == 1 and job2["summary"]["unchanged"] == 1
    assert srv.services.verify_audit().ok


def test_a_bad_customer_file_writes_nothing(srv: Api) -> None:
    cases = {
        "no id.jsonl": (
            json.dumps(KESTREL) + "\n" + json.dumps({"name": "No Id Ltd"}) + "\n",
            "line 2",
            "customer_id",
        ),
        "twice.jsonl": (
            json.dumps(KESTREL) + "\n" + json.dumps(KESTREL) + "\n",
            "also on line 1",
            "customer_id",
        ),
        "pct.csv": (
            "customer_id,name,owner1_name,owner1_percent\nk,K Ltd,Jane,forty\n",
            "line 2",
            "owner1_percent",
        ),
        "range.csv": (
            "customer_id,name,owner1_name,owner1_percent\nk,K Ltd,Jane,140\n",
            "line 2",
            "owner1_percent",
        ),
        "country.csv": ("customer_id,name,country\nk,K Ltd,Atlantis\n", "line 2", "country"),
        "column.csv": ("customer_id,name,colour\nk,K Ltd,red\n", "line 1", "colour"),
        "json.jsonl": (json.dumps(KESTREL) + "\n{not json\n", "line 2", ""),
    }
    for name, (body, where, field) in cases.items():
        r = _post(srv, "/v1/jobs/customers", body, file_name=name)
        assert r.status_code == 422, (name, r.text)
        message = r.json()["error"]["message"]
        assert name in message and where in message, (name, message)
        if field:
            assert f"field '{field}'" in message, (name, message)
    assert srv.client.get("/v1/customers", headers=srv.headers("analyst")).json()["customers"] == []
    assert srv.actions("job.create") == [] and srv.actions("customer.create") == []


def test_a_job_left_running_by_a_stopped_service_is_marked_failed(srv: Api, tmp_path: Path) -> None:
    finished = subprocess.Popen(["true"])  # a process that has exited: no process runs with its pid
    finished.wait()
    dead_runner = f"{socket.gethostname()}:{finished.pid}:0000"
    rows = [
        {"line": 2, "id": "c1", "name": "Atlas Sanatgaran", "kind": None, "country": None, "evidence": []}
    ]
    jobs = srv.services.jobs
    running = jobs.create("screen", "names.csv", "0" * 64, rows, "key:test", dead_runner)
    jobs.start(running.job_id, dead_runner, ["us_csl:abc"])
    queued = jobs.create("screen", "names.csv", "0" * 64, rows, "key:test", dead_runner)
    alive = jobs.create("screen", "names.csv", "0" * 64, rows, "key:test", srv.app.state.jobs.runner_id)

    # the service starts again on the same database
    url = srv.services.engine.url.render_as_string(hide_password=False)
    restarted = create_app(url)
    with TestClient(restarted) as client:
        for job in (running, queued):
            seen = client.get(f"/v1/jobs/{job.job_id}", headers=srv.headers("auditor")).json()
            assert seen["status"] == "failed" and "interrupted" in seen["error"], seen
            assert "0 of 1 rows" in seen["error"]
        # a job of a process that still runs is left alone
        assert (
            client.get(f"/v1/jobs/{alive.job_id}", headers=srv.headers("auditor")).json()["status"]
            == "queued"
        )
    failed = srv.actions("job.failed")
    assert {e.payload["job_id"] for e in failed} >= {running.job_id, queued.job_id}
    restarted.state.services.engine.dispose()


def test_the_cli_imports_a_customer_file(db_url: str, tmp_path: Path, shared: Path) -> None:
    """``chipguard customers import``: the same job, run in the command's process."""
    from test_api_support import CSL_SAMPLE
    from typer.testing import CliRunner

    from chipguard.cli import app as cli_app
    from chipguard.service import Services

    services = Services.open(db_url)
    services.snapshots.load_file(shared / CSL_SAMPLE)
    good = tmp_path / "customers.jsonl"
    good.write_text(json.dumps(KESTREL) + "\n" + json.dumps(PLOVER) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["customers", "import", str(good), "--db", db_url])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert (printed["status"], printed["done"], printed["with_hits"]) == ("done", 2, 1)
    assert [r["customer_id"] for r in printed["results"]] == ["kestrel", "plover"]
    assert services.cases.count() == printed["alerts"] >= 1

    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,name,country\nk9,K Nine Ltd,Atlantis\n", encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["customers", "import", str(bad), "--db", db_url])
    # (the entry point turns the InputError into its message and exit code 2; CliRunner keeps it)
    assert result.exit_code != 0 and "line 2, field 'country'" in str(result.exception)
    assert [r.customer_id for r in services.customers.find()] == ["kestrel", "plover"]
    services.engine.dispose()


def test_unstorable_text_is_refused_naming_the_line(srv: Api) -> None:
    """A lone surrogate or a NUL cannot be stored or audited: a 422 naming line and field, never a 500."""
    body = '{"id": "a", "name": "Atlas Sanatgaran"}\n{"id": "b", "name": "Bad \\ud800 Name"}\n'
    r = _post(srv, "/v1/jobs/screen", body, file_name="odd.jsonl")
    assert r.status_code == 422 and "line 2" in r.text and "unpaired surrogate" in r.text
    customers = '{"customer_id": "k", "name": "K \\u0000 Ltd"}\n'
    r = _post(srv, "/v1/jobs/customers", customers, file_name="odd.jsonl")
    assert r.status_code == 422 and "line 1" in r.text
    assert srv.client.get("/v1/jobs", headers=srv.headers("analyst")).json()["jobs"] == []


def test_a_stopping_service_fails_its_job_naming_how_far_it_got(srv: Api) -> None:
    """Once the service is stopping, a job stops before its next chunk and is failed, not left running."""
    from chipguard.service.jobs import JobRunner

    runner = JobRunner(srv.services)
    rows = [
        {"line": 2, "id": "c1", "name": "Atlas Sanatgaran", "kind": None, "country": None, "evidence": []}
    ]
    job = srv.services.jobs.create("screen", "names.csv", "0" * 64, rows, "key:test", runner.runner_id)
    runner.shutdown()
    stopped = runner.run(job.job_id)
    assert stopped.status == "failed" and "the service stopped after 0 of 1 rows" in stopped.error
    assert srv.services.jobs.results(job.job_id) == []
    (entry,) = srv.actions("job.failed")
    assert entry.payload["job_id"] == job.job_id and entry.actor == "key:test"


def test_the_first_results_kept_are_read_a_page_at_a_time(srv: Api) -> None:
    jobs = srv.services.jobs
    rows = [
        {"line": i + 2, "id": f"c{i}", "name": f"N{i}", "kind": None, "country": None, "evidence": []}
        for i in range(7)
    ]
    job = jobs.create("screen", "n.csv", "0" * 64, rows, "key:test", "elsewhere:1:x")
    jobs.start(job.job_id, "elsewhere:1:x", [])
    jobs.progress(job.job_id, [(i, {"id": f"c{i}", "hits": [1] if i % 3 == 0 else []}) for i in range(7)])

    def hits(r: dict[str, Any]) -> bool:
        return bool(r["hits"])

    for page in (1, 2, 3, 1000):
        assert [r["id"] for r in jobs.first_results(job.job_id, hits, 10, page=page)] == ["c0", "c3", "c6"]
        assert [r["id"] for r in jobs.first_results(job.job_id, hits, 2, page=page)] == ["c0", "c3"]
    assert jobs.get(job.job_id).done == 7 and jobs.count_results(job.job_id) == 7


def test_the_csv_download_says_what_a_limit_left_out() -> None:
    """A name whose screening left records past its limit (a big name) says how many in the CSV download,
    as the JSON results do (issue 12 item 5: a limit says how many were left out)."""
    from chipguard.service.jobs import result_rows_csv

    hit = {"source": "us_csl", "party_id": "p1", "name": "Huawei", "score": 1.0, "strength": "confirmed"}
    query = {"name": "Huawei", "kind": "org", "country": "CN"}
    results = [
        {"line": 2, "id": "a", "query": query, "hits": [hit], "omitted": 47, "snapshot": ["us_csl:x"]},
        {"line": 3, "id": "b", "query": query | {"name": "Nobody"}, "hits": [], "omitted": 0},
    ]
    columns, rows = result_rows_csv("screen", results)
    cells = [dict(zip(columns, row, strict=True)) for row in rows]
    assert [(c["id"], c["hits"], c["omitted"]) for c in cells] == [("a", 1, 47), ("b", 0, 0)]
    assert cells[0]["snapshots"] == "us_csl:x" and cells[1]["source"] == ""
