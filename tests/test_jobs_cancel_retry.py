"""Cancelling and retrying background jobs through the REST API, on SQLite and PostgreSQL: a queued job
cancelled never runs, a running one stops after the chunk under way and keeps its results, status
``cancelled`` naming who (audited ``job.cancelled``); only the starter or an admin may (never the
auditor); a finished job is a 409. A failed or cancelled job is retried by a new job over the rows without
a result (``retry_of``), once; a customer import's retry screens the customers it wrote without writing
them again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_api_support import NAMES_CSV, Api

from chipguard.service import jobs as service_jobs
from chipguard.service.jobs import JobRunner

CUSTOMERS_CSV = (
    "customer_id,name,country,owner1_name,owner1_country,owner1_percent\n"
    "kestrel,Kestrel Compute LLC,AM,Atlas Sanatgaran,AM,40\n"
    "plover,Plover Analytics GmbH,DE,,,\n"
)


def _post(srv: Api, path: str, who: str) -> Any:
    return srv.client.post(path, headers=srv.headers(who))


def _results(srv: Api, job_id: str) -> list[dict[str, Any]]:
    r = srv.client.get(f"/v1/jobs/{job_id}/results", headers=srv.headers("admin"))
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def test_a_queued_job_is_cancelled_by_its_starter_or_an_admin(srv: Api) -> None:
    jobs = srv.services.jobs
    rows = service_jobs.read_names("names.csv", NAMES_CSV.encode(), None)
    analyst = srv.actor("analyst")
    # queued in the service's live runner but never handed to its threads: it stays queued
    runner: JobRunner = srv.app.state.jobs
    job = jobs.create("screen", "names.csv", "0" * 64, rows, analyst, runner.runner_id)

    assert _post(srv, f"/v1/jobs/{job.job_id}/cancel", "auditor").status_code == 403  # never
    r = _post(srv, f"/v1/jobs/{job.job_id}/cancel", "screen")  # a key that did not start it
    assert r.status_code == 403 and "only they or an admin" in r.text, r.text
    assert jobs.get(job.job_id).status == "queued"

    r = _post(srv, f"/v1/jobs/{job.job_id}/cancel", "analyst")
    assert r.status_code == 200, r.text
    cancelled = r.json()
    assert (cancelled["status"], cancelled["cancelled_by"], cancelled["done"]) == ("cancelled", analyst, 0)
    assert cancelled["finished_at"]
    (entry,) = srv.actions("job.cancelled")
    assert entry.actor == analyst and entry.payload["job_id"] == job.job_id
    assert (entry.payload["cancelled_by"], entry.payload["was"]) == (analyst, "queued")

    r = _post(srv, f"/v1/jobs/{job.job_id}/cancel", "analyst")
    assert r.status_code == 409 and "a finished job cannot be cancelled" in r.json()["error"]["message"]
    # a cancelled job handed to a runner later never starts
    assert runner.run(job.job_id).status == "cancelled" and jobs.results(job.job_id) == []
    assert srv.actions("screen.adhoc") == []

    # an admin cancels anybody's job
    other = jobs.create("screen", "names.csv", "0" * 64, rows, analyst, runner.runner_id)
    r = _post(srv, f"/v1/jobs/{other.job_id}/cancel", "admin")
    assert r.status_code == 200 and r.json()["cancelled_by"] == srv.actor("admin")

    # a job that is done cannot be cancelled
    done = srv.client.post(
        "/v1/jobs/screen",
        content=NAMES_CSV.encode(),
        params={"file_name": "names.csv"},
        headers=srv.headers("screen") | {"Content-Type": "text/csv"},
    ).json()
    assert srv.wait_job(done["job_id"])["status"] == "done"
    r = _post(srv, f"/v1/jobs/{done['job_id']}/cancel", "screen")
    assert r.status_code == 409 and "is done: a finished job cannot be cancelled" in r.text
    assert _post(srv, "/v1/jobs/job_0000000000000000/cancel", "admin").status_code == 404
    paths = srv.client.get("/openapi.json").json()["paths"]
    assert {"/v1/jobs/{job_id}/cancel", "/v1/jobs/{job_id}/retry"} <= set(paths)
    assert "409" in paths["/v1/jobs/{job_id}/cancel"]["post"]["responses"]


def test_a_running_job_stops_after_its_chunk_and_a_retry_screens_the_rest(
    srv: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_jobs, "NAMES_PER_CHUNK", 1)
    jobs = srv.services.jobs
    analyst = srv.actor("analyst")
    rows = service_jobs.read_names("names.csv", NAMES_CSV.encode(), None)
    runner = JobRunner(srv.services)
    job = jobs.create("screen", "names.csv", "0" * 64, rows, analyst, runner.runner_id)
    screen = srv.services.screen
    calls: list[int] = []

    def screen_then_cancel(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # the cancel arrives while the first chunk is screened
            r = _post(srv, f"/v1/jobs/{job.job_id}/cancel", "analyst")
            assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
        return screen(*args, **kwargs)

    monkeypatch.setattr(srv.services, "screen", screen_then_cancel)
    stopped = runner.run(job.job_id)
    monkeypatch.setattr(srv.services, "screen", screen)
    runner.shutdown()
    # the chunk under way is kept (its rows were screened and audited); no further chunk ran
    assert (stopped.status, stopped.done, stopped.total, stopped.cancelled_by) == ("cancelled", 1, 3, analyst)
    assert len(calls) == 1 and [r["id"] for r in _results(srv, job.job_id)] == ["c1"]
    screened = [q["id"] for e in srv.actions("screen.adhoc") for q in e.payload["queries"]]
    assert screened == ["c1"]
    assert srv.actions("job.done") == [] and len(srv.actions("job.cancelled")) == 1

    # the retry: who may, then a new job over c2 and c3, naming the original
    for who in ("auditor", "screen"):
        assert _post(srv, f"/v1/jobs/{job.job_id}/retry", who).status_code == 403
    r = _post(srv, f"/v1/jobs/{job.job_id}/retry", "analyst")
    assert r.status_code == 202, r.text
    retry = r.json()
    assert (retry["retry_of"], retry["total"], retry["created_by"]) == (job.job_id, 2, analyst)
    assert r.headers["location"] == f"/v1/jobs/{retry['job_id']}"
    finished = srv.wait_job(retry["job_id"])
    assert (finished["status"], finished["done"]) == ("done", 2)
    assert [(x["line"], x["id"]) for x in _results(srv, retry["job_id"])] == [(3, "c2"), (4, "c3")]
    screened = [q["id"] for e in srv.actions("screen.adhoc") for q in e.payload["queries"]]
    assert sorted(screened) == ["c1", "c2", "c3"]  # no row screened twice
    (created,) = [e for e in srv.actions("job.create") if e.payload["job_id"] == retry["job_id"]]
    assert created.payload["retry_of"] == job.job_id and created.actor == analyst

    # once only; a done job is not retried
    r = _post(srv, f"/v1/jobs/{job.job_id}/retry", "analyst")
    assert r.status_code == 409 and f"retried already as {retry['job_id']}" in r.text
    r = _post(srv, f"/v1/jobs/{retry['job_id']}/retry", "analyst")
    assert r.status_code == 409 and "only a failed or cancelled job can be retried" in r.text
    assert srv.services.verify_audit().ok


def test_a_customer_import_retry_screens_the_written_customers_without_writing_them_again(
    srv: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_jobs, "CUSTOMERS_PER_CHUNK", 1)
    jobs = srv.services.jobs
    analyst = srv.actor("analyst")
    rows = [r.to_dict() for r in service_jobs.read_customer_rows("c.csv", CUSTOMERS_CSV.encode(), None)]
    runner = JobRunner(srv.services)
    job = jobs.create("customers", "c.csv", "0" * 64, rows, analyst, runner.runner_id)
    screen_customer = srv.services.screen_customer

    def screen_then_cancel(*args: Any, **kwargs: Any) -> Any:
        if not srv.actions("job.cancelled"):
            assert _post(srv, f"/v1/jobs/{job.job_id}/cancel", "admin").status_code == 200
        return screen_customer(*args, **kwargs)

    monkeypatch.setattr(srv.services, "screen_customer", screen_then_cancel)
    stopped = runner.run(job.job_id)
    monkeypatch.setattr(srv.services, "screen_customer", screen_customer)
    runner.shutdown()
    assert (stopped.status, stopped.done, stopped.cancelled_by) == ("cancelled", 1, srv.actor("admin"))
    assert stopped.summary["written"] is True
    # both customers were written (one transaction); only kestrel was screened
    assert [r.customer_id for r in srv.services.customers.find()] == ["kestrel", "plover"]
    assert len(srv.actions("customer.create")) == 2 and len(srv.actions("customer.screen")) == 1

    r = _post(srv, f"/v1/jobs/{job.job_id}/retry", "analyst")  # the starter retries
    assert r.status_code == 202, r.text
    finished = srv.wait_job(r.json()["job_id"])
    assert (finished["status"], finished["total"], finished["done"]) == ("done", 1, 1), finished
    assert finished["retry_of"] == job.job_id and finished["summary"]["screened"] == 1
    (plover,) = _results(srv, finished["job_id"])
    assert (plover["customer_id"], plover["line"], plover["action"], plover["version"]) == (
        "plover",
        3,
        "screened",
        1,
    )
    # nothing written twice: no second create, no update, one version each; plover screened once
    assert len(srv.actions("customer.create")) == 2 and srv.actions("customer.update") == []
    assert [e.payload.get("customer_id") for e in srv.actions("customer.screen")].count("plover") == 1
    assert srv.services.customers.get("plover").version == 1
    assert srv.services.verify_audit().ok


def test_an_import_stopped_right_after_writing_has_its_mark_and_its_retry_keeps_later_edits(
    srv: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ``written`` mark commits with the customers: an import stopped the moment its customers are
    written (before any other step) is retried without writing them again, so an analyst's edit made
    since stands. (With the mark in a later transaction, the retry wrote the file's data over it.)"""
    from chipguard.errors import ChipguardError
    from chipguard.model import Customer

    jobs = srv.services.jobs
    analyst = srv.actor("analyst")
    rows = [r.to_dict() for r in service_jobs.read_customer_rows("c.csv", CUSTOMERS_CSV.encode(), None)]
    runner = JobRunner(srv.services)
    job = jobs.create("customers", "c.csv", "0" * 64, rows, analyst, runner.runner_id)
    write_many = srv.services.customers.write_many

    def write_then_stop(*args: Any, **kwargs: Any) -> Any:
        write_many(*args, **kwargs)
        raise ChipguardError("the process stopped")  # nothing after the customers' commit ran

    monkeypatch.setattr(srv.services.customers, "write_many", write_then_stop)
    stopped = runner.run(job.job_id)
    monkeypatch.setattr(srv.services.customers, "write_many", write_many)
    runner.shutdown()
    assert stopped.status == "failed" and stopped.summary.get("written") is True, stopped
    assert [r.customer_id for r in srv.services.customers.find()] == ["kestrel", "plover"]

    plover = Customer.from_dict(srv.services.customers.get("plover").data)
    edited = srv.services.customers.update("plover", replace(plover, country="AT"), analyst)
    assert edited.version == 2
    r = _post(srv, f"/v1/jobs/{job.job_id}/retry", "analyst")
    assert r.status_code == 202, r.text
    finished = srv.wait_job(r.json()["job_id"])
    assert (finished["status"], finished["done"], finished["summary"]["screened"]) == ("done", 2, 2), finished
    assert [(x["customer_id"], x["action"]) for x in _results(srv, finished["job_id"])] == [
        ("kestrel", "screened"),
        ("plover", "screened"),
    ]
    kept = srv.services.customers.get("plover")
    assert (kept.version, kept.data["country"]) == (2, "AT")
    assert len(srv.actions("customer.create")) == 2 and len(srv.actions("customer.update")) == 1
    assert srv.services.verify_audit().ok


def test_customers_and_what_is_written_along_commit_together_or_not_at_all(srv: Api) -> None:
    """``write_many(along=…)``: a failure of the along-write leaves no customer and no audit entry."""
    customers = [r.customer for r in service_jobs.read_customer_rows("c.csv", CUSTOMERS_CSV.encode(), None)]
    before = len(list(srv.services.audit.entries()))

    def fails(_session: Any) -> None:
        raise RuntimeError("the job row could not be written")

    with pytest.raises(RuntimeError):
        srv.services.customers.write_many(customers, "key:test", along=fails)
    assert srv.services.customers.find() == [] and len(list(srv.services.audit.entries())) == before


def test_the_cli_lists_shows_and_cancels_jobs(db_url: str) -> None:
    """``chipguard jobs cancel``: the operator who holds the database cancels as an admin, audited under
    their name; a finished job is an error."""
    import json

    from typer.testing import CliRunner

    from chipguard.audit import cli_actor
    from chipguard.cli import app as cli_app
    from chipguard.service import Services

    services = Services.open(db_url)
    rows = service_jobs.read_names("names.csv", NAMES_CSV.encode(), None)
    job = services.jobs.create("screen", "names.csv", "0" * 64, rows, "key:someone", "elsewhere:1:x")
    result = CliRunner().invoke(cli_app, ["jobs", "cancel", job.job_id, "--db", db_url])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert (printed["status"], printed["cancelled_by"]) == ("cancelled", cli_actor())
    (entry,) = [e for e in services.audit.entries() if e.action == "job.cancelled"]
    assert entry.actor == cli_actor() and entry.payload["job_id"] == job.job_id
    again = CliRunner().invoke(cli_app, ["jobs", "cancel", job.job_id, "--db", db_url])
    assert again.exit_code != 0 and "a finished job cannot be cancelled" in str(again.exception)
    listed = CliRunner().invoke(cli_app, ["jobs", "list", "--db", db_url])
    assert listed.exit_code == 0 and f"{job.job_id}  screen    cancelled 0/3" in listed.stdout
    shown = CliRunner().invoke(cli_app, ["jobs", "show", job.job_id, "--db", db_url])
    assert json.loads(shown.stdout)["status"] == "cancelled"
    services.engine.dispose()


def test_the_cli_retries_a_job_in_its_own_process(db_url: str, shared: Path) -> None:
    """``chipguard jobs retry``: the retry POST /v1/jobs/{id}/retry makes (rows without a result, naming
    the original, audited by this user as an admin), run in the command's process to its end with the
    progress on stderr; a job retried already, or finished, is an error."""
    import json

    from test_api_support import CSL_SAMPLE
    from typer.testing import CliRunner

    from chipguard.audit import cli_actor
    from chipguard.cli import app as cli_app
    from chipguard.service import Services

    services = Services.open(db_url)
    services.snapshots.load_file(shared / CSL_SAMPLE)
    rows = service_jobs.read_names("names.csv", NAMES_CSV.encode(), None)
    job = services.jobs.create("screen", "names.csv", "0" * 64, rows, "key:someone", "elsewhere:1:x")
    services.jobs.start(job.job_id, "elsewhere:1:x", [])
    services.jobs.progress(job.job_id, [(1, {"id": "c2", "hits": []})])
    services.jobs.fail(job.job_id, "interrupted: the service stopped after 1 of 3 rows")

    result = CliRunner().invoke(cli_app, ["jobs", "retry", job.job_id, "--db", db_url])
    assert result.exit_code == 0, (result.output, result.exception)
    printed = json.loads(result.stdout)
    assert (printed["status"], printed["retry_of"], printed["total"], printed["done"]) == (
        "done",
        job.job_id,
        2,
        2,
    )
    assert [r["id"] for r in printed["results"]] == ["c1", "c3"]
    assert printed["results"][0]["hits"], printed["results"][0]  # Atlas Sanatgaran is listed
    assert (
        f"retrying {job.job_id}, 2 row(s)" in result.stderr and f"{printed['job_id']}: 2/2" in result.stderr
    )
    created = [e for e in services.audit.entries() if e.action == "job.create"]
    assert [(e.actor, e.payload.get("retry_of")) for e in created][-1] == (cli_actor(), job.job_id)
    assert services.jobs.get(printed["job_id"]).runner != "elsewhere:1:x"

    again = CliRunner().invoke(cli_app, ["jobs", "retry", job.job_id, "--db", db_url])
    assert again.exit_code != 0 and "retried already" in str(again.exception)
    done = CliRunner().invoke(cli_app, ["jobs", "retry", printed["job_id"], "--db", db_url])
    assert done.exit_code != 0 and "only a failed or cancelled job" in str(done.exception)
    services.engine.dispose()


def test_a_retry_takes_the_rows_without_a_result_and_then_refuses_the_originals_late_chunk(srv: Api) -> None:
    """A cancelled job's chunk that was under way still lands before its retry is made (and is left out
    of the retry); once the retry exists, a chunk of the original is refused, so no row has two results."""
    from chipguard.store.errors import ConflictError

    jobs = srv.services.jobs
    rows = service_jobs.read_names("names.csv", NAMES_CSV.encode(), None)
    job = jobs.create("screen", "names.csv", "0" * 64, rows, "key:a", "elsewhere:1:x")
    jobs.start(job.job_id, "elsewhere:1:x", [])
    jobs.cancel(job.job_id, "key:a")
    landed = jobs.progress(job.job_id, [(0, {"id": "c1", "hits": []})])
    assert (landed.status, landed.done) == ("cancelled", 1)
    retry = jobs.create("screen", "names.csv", "0" * 64, [], "key:a", "elsewhere:1:x", retry_of=job.job_id)
    assert [r["id"] for r in jobs.input_rows(retry.job_id)] == ["c2", "c3"] and retry.total == 2
    with pytest.raises(ConflictError, match=f"retried by {retry.job_id}"):
        jobs.progress(job.job_id, [(1, {"id": "c2", "hits": []})])
    assert jobs.get(job.job_id).done == 1 and jobs.count_results(job.job_id) == 1
    with pytest.raises(ConflictError, match="retried already"):
        jobs.create("screen", "names.csv", "0" * 64, [], "key:a", "elsewhere:1:x", retry_of=job.job_id)
    done = jobs.create("screen", "names.csv", "0" * 64, rows, "key:a", "elsewhere:1:x")
    jobs.start(done.job_id, "elsewhere:1:x", [])
    jobs.progress(done.job_id, [(i, {"id": r["id"], "hits": []}) for i, r in enumerate(rows)])
    jobs.finish(done.job_id, {})
    with pytest.raises(ConflictError, match="only a failed or cancelled job"):
        jobs.create("screen", "names.csv", "0" * 64, [], "key:a", "elsewhere:1:x", retry_of=done.job_id)


def test_a_job_failed_by_a_stopping_service_is_retried_by_its_starter(srv: Api) -> None:
    jobs = srv.services.jobs
    analyst = srv.actor("analyst")
    rows = service_jobs.read_names("names.csv", NAMES_CSV.encode(), None)
    stopping = JobRunner(srv.services)
    job = jobs.create("screen", "names.csv", "0" * 64, rows, analyst, stopping.runner_id)
    stopping.shutdown()
    failed = stopping.run(job.job_id)
    assert failed.status == "failed" and "retry the job to screen the rest" in failed.error
    r = _post(srv, f"/v1/jobs/{job.job_id}/cancel", "analyst")
    assert r.status_code == 409 and "is failed" in r.text and "retry it" in r.text
    r = _post(srv, f"/v1/jobs/{job.job_id}/retry", "analyst")
    assert r.status_code == 202, r.text
    retried = srv.wait_job(r.json()["job_id"])
    assert (retried["status"], retried["done"], retried["retry_of"]) == ("done", 3, job.job_id)
    assert [x["id"] for x in _results(srv, retried["job_id"])] == ["c1", "c2", "c3"]
