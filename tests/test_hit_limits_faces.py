"""A customer screen, a decision and a re-screen record how many hits their limit left out, and every
face that lists hits says "N more not shown" (issue 12 item 5). Lists: the real CSL 2022-04's records
that name Huawei (its parent, affiliates and subsidiaries abroad: more than the 10 used here as the
bound, so the cut is real)."""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_web_ui_casework_http import Ui, ui_app

from chipguard.match.screener import Screener
from chipguard.model import Decision, Party
from chipguard.policy.facts import HIT_LIMIT_SETTING
from chipguard.policy.report import summary
from chipguard.policy.rules import default_rule_set
from chipguard.service import rescreen
from chipguard.sources import parse_file

LIMIT = 10
CUSTOMER = {"customer_id": "hw", "name": "HUAWEI", "kind": "org", "country": "CN"}


def huawei_csl(shared: Path, out: Path) -> Path:
    """The CSL 2022-04 rows whose name holds "Huawei", as a CSL file."""
    text = gzip.decompress((shared / "lists/us_csl_2022-04.csv.gz").read_bytes()).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    rows = [r for r in reader if "huawei" in r["name"].lower()]
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        writer.writerows(rows)
    return out


@pytest.fixture
def ui(home: Path, tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ui]:
    """The web UI and REST API over the Huawei records, with a rule set weighing 10 hits per name."""
    monkeypatch.setitem(default_rule_set().settings, HIT_LIMIT_SETTING, LIMIT)
    with ui_app("sqlite", tmp_path, None, {"a": "analyst"}) as made:
        made.services.snapshots.load_file(huawei_csl(shared, tmp_path / "us_csl_2022-04.csv"))
        yield made


def total_hits(ui: Ui) -> int:
    found = ui.services.screeners.get().screening("HUAWEI", kind="org", country="CN", limit=1000)
    assert found.omitted == 0
    return len(found.hits)


def test_a_customer_screen_records_and_shows_what_its_limit_left_out(ui: Ui) -> None:
    headers = {"X-API-Key": ui.tokens["a"]}
    total = total_hits(ui)
    assert total > LIMIT
    assert ui.client.post("/v1/customers", json=CUSTOMER, headers=headers).status_code == 201
    body = ui.client.post("/v1/customers/hw/screen", headers=headers).json()
    assert len(body["screening"]["customer"]) == LIMIT
    assert body["omitted"] == {"customer": total - LIMIT} and body["limit"] == LIMIT
    entry = next(e for e in ui.services.audit.entries() if e.action == "customer.screen")
    assert entry.payload["omitted"] == {"customer": total - LIMIT} and entry.payload["limit"] == LIMIT
    history = ui.client.get("/v1/customers/hw/screenings", headers=headers).json()["screenings"]
    assert history[0]["omitted"] == {"customer": total - LIMIT}
    # an ad-hoc screen of the same name: its audit entry counts what its limit left out too
    query = {"name": "HUAWEI", "kind": "org", "country": "CN", "limit": LIMIT}
    assert ui.client.post("/v1/screen", json=query, headers=headers).json()["omitted"] == total - LIMIT
    adhoc = next(e for e in ui.services.audit.entries() if e.action == "screen.adhoc")
    assert adhoc.payload["queries"][0]["omitted"] == total - LIMIT

    ui.sign_in("a")
    screened = ui.client.post("/ui/customers/hw/screen", data={"csrf": ui.csrf("/ui/customers/hw")})
    assert screened.status_code == 200
    assert f"{total - LIMIT} more not shown: they clear the threshold but are past the limit of {LIMIT}" in (
        screened.text
    )
    page = ui.get("/ui/customers/hw")
    assert f"customer: {total - LIMIT} more not shown (limit {LIMIT})" in page


def test_a_decision_records_and_shows_what_its_limit_left_out(ui: Ui) -> None:
    headers = {"X-API-Key": ui.tokens["a"]}
    total = total_hits(ui)
    transaction = {
        "date": "2025-10-15",
        "kind": "sale",
        "destination": "CN",
        "customer": {k: v for k, v in CUSTOMER.items() if k != "customer_id"},
        "items": [{"model": "H100", "quantity": 8}],
    }
    made = ui.client.post("/v1/decisions", json=transaction, headers=headers)
    assert made.status_code in (200, 201), made.text
    decision = made.json()
    assert decision["omitted"] == {"customer": total - LIMIT}
    assert len(decision["screening"]["customer"]) == LIMIT
    (cut,) = [r for r in decision["reasons"] if r["rule_id"] == "OP-HITS-OMITTED"]
    assert f"'HUAWEI' has {total - LIMIT} more list hit(s)" in cut["message"]
    ui.sign_in("a")
    page = ui.get(f"/ui/decisions/{decision['decision_id']}")
    assert f"{total - LIMIT} more not shown" in page
    text = summary(Decision.from_dict(decision))
    assert f"customer: {total - LIMIT} more not shown" in text
    # a replay compares the count too: the archived rule set's text weighs 200 hits per name, not the
    # 10 this test's in-memory rule set was given, so nothing is left out on replay — and that shows
    replayed = ui.services.replay(decision["decision_id"])
    assert f"hits left out for customer: recorded {total - LIMIT}, replayed 0" in replayed["differences"]


def test_a_rescreen_reports_what_its_limit_left_out(
    shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Huawei record newly listed that ranks past the limit: at 10 it is never compared, and the
    re-screen says so; at the configured limit (200) it is a new hit."""
    parties = parse_file(huawei_csl(shared, tmp_path / "us_csl_2022-04.csv")).parties
    new = Screener(list(parties))
    ranked = new.screening("HUAWEI", kind="org", country="CN", limit=1000).hits
    assert len(ranked) > LIMIT
    late = [h for h in ranked[LIMIT:] if h.strength != "weak"][-1]  # one an alert would be raised for
    old: list[Party] = [p for p in parties if (p.source, p.party_id) != (late.source, late.party_id)]
    customers = [dict(CUSTOMER)]

    def run(limit: int) -> tuple[list[rescreen.CustomerChange], list[dict[str, object]]]:
        _limit_rescreens(monkeypatch, limit)
        omitted: list[dict[str, object]] = []
        _mode, _diff, _n, _c, changes = rescreen.rescreen_customers(
            customers, old, list(parties), full=True, omitted=omitted
        )
        return changes, omitted

    assert rescreen.rescreen_config().hit_limit == 200
    changes, omitted = run(200)
    assert [h["party_id"] for c in changes for h in c.new] == [late.party_id] and omitted == []
    changes, omitted = run(LIMIT)
    assert changes == []
    before = Screener(old).screening("HUAWEI", kind="org", country="CN", limit=1000).hits
    assert {(o["lists"], o["omitted"], o["limit"]) for o in omitted} == {
        ("old", len(before) - LIMIT, LIMIT),
        ("new", len(ranked) - LIMIT, LIMIT),
    }
    assert all(o["customer_id"] == "hw" and o["screened_name"] == "HUAWEI" for o in omitted)
    assert {o["role"] for o in omitted} == {"customer"}


def test_the_rescreen_command_and_audit_say_what_the_limit_left_out(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from chipguard.audit import AuditLog
    from chipguard.cli import app
    from chipguard.model import Customer
    from chipguard.store.customers import CustomerStore
    from chipguard.store.db import get_engine
    from chipguard.store.snapshots import SnapshotStore

    old_path, new_path = _rescreen_at_limit_with_a_list_change(monkeypatch, shared, tmp_path)
    engine = get_engine()
    CustomerStore(engine, AuditLog(engine)).create(Customer.from_dict(dict(CUSTOMER)), actor="test")
    snapshots = SnapshotStore(engine)
    old = snapshots.load_file(old_path)
    snapshots.load_file(new_path)
    result = CliRunner().invoke(app, ["monitor", "rescreen", "--since", old.ref, "--full"])
    assert result.exit_code == 0, result.output
    assert re.search(
        rf"hw  customer 'HUAWEI': \d+ more hit\(s\) on the new lists not shown, past the limit of {LIMIT}",
        result.output,
    )
    entry = next(e for e in AuditLog(engine).entries() if e.action == "monitor.rescreen")
    assert {o["lists"] for o in entry.payload["omitted"]} == {"old", "new"}
    assert all(o["omitted"] > 0 and o["limit"] == LIMIT for o in entry.payload["omitted"])


def test_a_customer_screen_that_left_hits_out_raises_an_alert(ui: Ui) -> None:
    """Fail closed: the records past the limit were neither shown nor alerted, so the cut is an alert
    naming the count (as a decision is REVIEW on OP-HITS-OMITTED); screening again on the same lists is
    the same alert, not another."""
    headers = {"X-API-Key": ui.tokens["a"]}
    total = total_hits(ui)
    assert ui.client.post("/v1/customers", json=CUSTOMER, headers=headers).status_code == 201
    body = ui.client.post("/v1/customers/hw/screen", headers=headers).json()
    (cut,) = [a for a in body["alerts"]["raised"] if a["source"] == "screening:hits_omitted"]
    assert (cut["subject"], cut["omitted"], cut["limit"]) == ("customer", total - LIMIT, LIMIT)
    case = ui.client.get(f"/v1/alerts/{cut['alert_id']}", headers=headers).json()
    assert f"{total - LIMIT} more list hit(s) than the {LIMIT} screened for the customer 'HUAWEI'" in (
        json.dumps(case["alert"])
    )
    assert case["alert"]["origin"] == "customer_screen" and case["needs_approval_to_dismiss"]
    again = ui.client.post("/v1/customers/hw/screen", headers=headers).json()
    assert [
        a["alert_id"] for a in again["alerts"]["existing"] if a["source"] == "screening:hits_omitted"
    ] == [cut["alert_id"]]
    assert not [a for a in again["alerts"]["raised"] if a["source"] == "screening:hits_omitted"]
    ui.sign_in("a")
    page = ui.get(f"/ui/alerts/{cut['alert_id']}")
    assert "Screening finding" in page and f"{total - LIMIT} more list hit(s)" in page


def test_a_customer_screen_within_the_limit_raises_no_cut_alert(
    home: Path, tmp_path: Path, shared: Path
) -> None:
    """At the rule set's own limit (200) Huawei's records all fit: no cut, no such alert."""
    with ui_app("sqlite", tmp_path, None, {"a": "analyst"}) as ui:
        ui.services.snapshots.load_file(huawei_csl(shared, tmp_path / "us_csl_2022-04.csv"))
        headers = {"X-API-Key": ui.tokens["a"]}
        assert ui.client.post("/v1/customers", json=CUSTOMER, headers=headers).status_code == 201
        body = ui.client.post("/v1/customers/hw/screen", headers=headers).json()
        assert body["omitted"] == {} and body["limit"] == 200
        sources = {a["source"] for outcome in body["alerts"].values() for a in outcome}
        assert "screening:hits_omitted" not in sources and body["alerts"]["raised"]


def test_a_rescreen_that_left_hits_out_raises_an_alert(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Monitoring fails closed like a screen: a name cut on the new lists is an alert with the count
    (origin rescreen); the cut on the old lists alone is not (those lists are no longer screened)."""
    from chipguard.audit import AuditLog
    from chipguard.model import Customer
    from chipguard.service.services import Services
    from chipguard.store.cases import AlertFilter
    from chipguard.store.db import get_engine

    old_path, new_path = _rescreen_at_limit_with_a_list_change(monkeypatch, shared, tmp_path)
    services = Services.open()
    services.customers.create(Customer.from_dict(dict(CUSTOMER)), actor="test")
    old = services.snapshots.load_file(old_path)
    services.snapshots.load_file(new_path)
    report = services.rescreen("monitor", since=old.ref, full=True)
    (new_cut,) = [o for o in report.omitted if o["lists"] == "new"]
    alerts = [
        a
        for a in services.cases.find(AlertFilter(origin="rescreen"), limit=500)
        if a.source == "screening:hits_omitted"
    ]
    assert len(alerts) == 1 and alerts[0].customer_id == "hw" and alerts[0].subject_role == "customer"
    assert alerts[0].record["omitted"] == new_cut["omitted"] and alerts[0].record["limit"] == LIMIT
    assert f"{new_cut['omitted']} more list hit(s) than the {LIMIT} screened" in alerts[0].party_name
    audited = [e for e in AuditLog(get_engine()).entries() if e.payload.get("alert_id") == alerts[0].alert_id]
    assert audited and audited[0].action.startswith("alert.")


def test_rest_screens_up_to_the_rule_sets_bound_and_refuses_more(
    home: Path, tmp_path: Path, shared: Path
) -> None:
    """/v1/screen took at most 100 hits a name while a decision weighs 200: one bound now, the rule
    set's screening_hit_limit, and a larger limit is a 422 naming the field (single and batch)."""
    bound = default_rule_set().settings[HIT_LIMIT_SETTING]
    with ui_app("sqlite", tmp_path, None, {"a": "analyst"}) as ui:
        ui.services.snapshots.load_file(huawei_csl(shared, tmp_path / "us_csl_2022-04.csv"))
        headers = {"X-API-Key": ui.tokens["a"]}
        total = total_hits(ui)
        query = {"name": "HUAWEI", "kind": "org", "country": "CN", "limit": bound}
        body = ui.client.post("/v1/screen", json=query, headers=headers).json()
        assert len(body["hits"]) == total and body["omitted"] == 0 and body["limit"] == bound
        audited = len([e for e in ui.services.audit.entries() if e.action == "screen.adhoc"])
        over = ui.client.post("/v1/screen", json=query | {"limit": bound + 1}, headers=headers)
        assert over.status_code == 422, over.text
        (detail,) = over.json()["error"]["details"]
        assert detail["field"] == "body.limit" and f"from 1 to {bound}" in detail["message"]
        batch = ui.client.post(
            "/v1/screen/batch", json={"queries": [query, query | {"limit": bound + 1}]}, headers=headers
        )
        assert batch.status_code == 422, batch.text
        assert batch.json()["error"]["details"][0]["field"] == "body.queries[1].limit"
        # nothing was screened for a refused request
        assert len([e for e in ui.services.audit.entries() if e.action == "screen.adhoc"]) == audited


def test_the_batch_cli_limit_has_the_same_bound(home: Path, shared: Path, tmp_path: Path) -> None:
    """`batch screen --limit 500` screened with 500 hits a name while every other face stops at the rule
    set's screening_hit_limit: the same bound now, refused (exit 2, naming limit) before a row is read,
    nothing written; `batch rescreen` too."""
    from typer.testing import CliRunner

    from chipguard.cli import app
    from chipguard.store.db import get_engine
    from chipguard.store.snapshots import SnapshotStore

    bound = default_rule_set().settings[HIT_LIMIT_SETTING]
    SnapshotStore(get_engine()).load_file(huawei_csl(shared, tmp_path / "us_csl_2022-04.csv"))
    names = tmp_path / "names.csv"
    names.write_text("id,name,kind,country\nhw,HUAWEI,org,CN\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["batch", "screen", str(names), "--out", str(out), "--allow-stale", "--limit"]
    ok = CliRunner().invoke(app, [*args, str(bound)])
    assert ok.exit_code == 0, ok.output
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["hits_omitted"] == 0 and row["hit_count"] > LIMIT
    out.unlink()
    for bad in (bound + 1, 0):
        over = CliRunner().invoke(app, [*args, str(bad)])
        assert over.exit_code == 2 and "limit" in over.output and f"from 1 to {bound}" in over.output
        assert not out.exists()
    again = CliRunner().invoke(app, ["batch", "rescreen", "--out", str(out), "--limit", str(bound + 1)])
    assert again.exit_code == 2 and f"from 1 to {bound}" in again.output and not out.exists()


def test_screen_file_takes_a_limit_with_the_same_bound(home: Path, shared: Path, tmp_path: Path) -> None:
    """screen-file had no --limit (always 10 hits a row, "omitted" the rest): it takes one now, bounded as
    every face, and its worker processes screen with it (the same bytes on one worker or two)."""
    from typer.testing import CliRunner

    from chipguard.cli import app
    from chipguard.match.parallel import CHUNK
    from chipguard.store.db import get_engine
    from chipguard.store.snapshots import SnapshotStore

    bound = default_rule_set().settings[HIT_LIMIT_SETTING]
    SnapshotStore(get_engine()).load_file(huawei_csl(shared, tmp_path / "us_csl_2022-04.csv"))
    names = tmp_path / "names.csv"
    rows = "".join(f"r{i},HUAWEI,org,CN\n" for i in range(CHUNK + 1))  # two chunks: the workers' path
    names.write_text("id,name,kind,country\n" + rows, encoding="utf-8")

    def run(*more: str) -> tuple[int, str, list[dict[str, object]]]:
        out = tmp_path / "out.jsonl"
        out.unlink(missing_ok=True)
        result = CliRunner().invoke(app, ["screen-file", str(names), "--out", str(out), *more])
        lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
        return result.exit_code, result.output, [json.loads(line) for line in lines]

    code, output, full = run("--limit", str(bound))
    assert code == 0, output
    total = len(full[0]["hits"])  # type: ignore[arg-type]
    assert total > LIMIT and all(r["omitted"] == 0 for r in full)
    outputs = []
    for workers in ("1", "2"):
        code, output, cut = run("--limit", "3", "--workers", workers)
        assert code == 0, output
        assert all(len(r["hits"]) == 3 and r["omitted"] == total - 3 and r["limit"] == 3 for r in cut)  # type: ignore[arg-type]
        outputs.append(cut)
    assert outputs[0] == outputs[1]
    for bad in (bound + 1, 0):
        code, output, written = run("--limit", str(bad))
        assert code == 2 and f"from 1 to {bound}" in output and written == []


def test_the_web_screen_form_takes_a_limit_with_the_same_bound(
    home: Path, tmp_path: Path, shared: Path
) -> None:
    """The UI's screen form showed 10 hits and "N more" with no way to see them: it has a limit field now,
    bounded like REST and the CLI (the rule set's screening_hit_limit); a larger one is a 422 page naming
    the field, and nothing is screened."""
    bound = default_rule_set().settings[HIT_LIMIT_SETTING]
    with ui_app("sqlite", tmp_path, None, {"a": "analyst"}) as ui:
        ui.services.snapshots.load_file(huawei_csl(shared, tmp_path / "us_csl_2022-04.csv"))
        total = total_hits(ui)
        assert total > LIMIT
        ui.sign_in("a")
        form = ui.get("/ui/screen")
        assert re.search(rf'<input id="limit" name="limit" type="number" min="1" max="{bound}"', form)
        fields = {"name": "HUAWEI", "kind": "org", "country": "CN"}

        def screened(limit: str) -> tuple[int, str]:
            r = ui.client.post("/ui/screen", data=fields | {"limit": limit, "csrf": ui.csrf("/ui/screen")})
            return r.status_code, html.unescape(r.text)

        status, page = screened("")  # an empty field is the REST default, 10
        assert status == 200 and page.count('<article class="hit') == LIMIT
        assert f"{total - LIMIT} more records clear the threshold but are past the limit of {LIMIT}" in page
        assert f"raise the limit (up to {bound})" in page
        status, page = screened("3")
        assert status == 200 and page.count('<article class="hit') == 3
        assert f"{total - 3} more records clear the threshold but are past the limit of 3" in page
        status, page = screened(str(bound))
        assert status == 200 and page.count('<article class="hit') == total and "hits-omitted" not in page
        audited = len([e for e in ui.services.audit.entries() if e.action == "screen.adhoc"])
        for bad in (str(bound + 1), "0", "ten"):
            status, page = screened(bad)
            assert status == 422 and 'id="form-errors"' in page, (bad, page[-3000:])
            errors = page[page.index('id="form-errors"') :]
            assert "limit:" in errors[:2000], bad
            assert 'id="screen-result"' not in page and f'value="{bad}"' in page  # kept to correct
        assert f"from 1 to {bound}" in screened(str(bound + 1))[1]
        assert len([e for e in ui.services.audit.entries() if e.action == "screen.adhoc"]) == audited


def test_the_cli_screen_limit_has_the_same_bound(home: Path, shared: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from chipguard.cli import app
    from chipguard.store.db import get_engine
    from chipguard.store.snapshots import SnapshotStore

    bound = default_rule_set().settings[HIT_LIMIT_SETTING]
    SnapshotStore(get_engine()).load_file(huawei_csl(shared, tmp_path / "us_csl_2022-04.csv"))
    ok = CliRunner().invoke(app, ["screen", "HUAWEI", "--kind", "org", "--limit", str(bound), "--json"])
    assert ok.exit_code == 0, ok.output
    over = CliRunner().invoke(app, ["screen", "HUAWEI", "--kind", "org", "--limit", str(bound + 1)])
    assert over.exit_code == 2 and "limit" in over.output and f"from 1 to {bound}" in over.output


def test_an_import_job_says_which_customers_were_cut_and_alerts_them(ui: Ui) -> None:
    """Onboarding by file: each imported customer is screened as a customer screen is, so a cut is an
    alert; the job's results (JSON, CSV, the job page) say how many each subject left out."""
    headers = {"X-API-Key": ui.tokens["a"]}
    total = total_hits(ui)
    started = ui.client.post(
        "/v1/jobs/customers",
        content=(json.dumps(CUSTOMER) + "\n").encode(),
        params={"file_name": "c.jsonl"},
        headers=headers | {"Content-Type": "application/x-ndjson"},
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    deadline = time.monotonic() + 120
    while (job := ui.client.get(f"/v1/jobs/{job_id}", headers=headers).json())["status"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["status"] == "done", job
    (row,) = ui.client.get(f"/v1/jobs/{job_id}/results", headers=headers).json()["results"]
    assert row["omitted"] == {"customer": total - LIMIT}
    cut = [
        a
        for a in ui.services.cases.find(limit=500)
        if a.source == "screening:hits_omitted" and a.origin_ref == f"job:{job_id}"
    ]
    assert len(cut) == 1 and cut[0].alert_id in row["alerts"]
    text = ui.client.get(f"/v1/jobs/{job_id}/results", params={"format": "csv"}, headers=headers).text
    (comment, header, *lines) = list(csv.reader(io.StringIO(text)))
    assert comment[0].startswith(f"# job {job_id}") and lines
    assert all(line[header.index("omitted")] == f"customer={total - LIMIT}" for line in lines)
    ui.sign_in("a")
    assert f"customer: {total - LIMIT} more not shown, past the limit (alerted)" in ui.get(
        f"/ui/jobs/{job_id}"
    )


def test_a_names_job_page_says_what_each_row_left_out_and_that_the_lists_are_stale(ui: Ui) -> None:
    """The page of a names job (UI Batch) showed a row's 10 hits with no word of the 29 more its download
    counts (omitted), and its lists without saying they are stale, while every other face says both."""
    headers = {"X-API-Key": ui.tokens["a"]}
    total = total_hits(ui)
    started = ui.client.post(
        "/v1/jobs/screen",
        content=b"id,name,kind,country\nhw,HUAWEI,org,CN\n",
        params={"file_name": "names.csv"},
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    deadline = time.monotonic() + 120
    while ui.client.get(f"/v1/jobs/{job_id}", headers=headers).json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    (row,) = ui.client.get(f"/v1/jobs/{job_id}/results", headers=headers).json()["results"]
    assert row["omitted"] == total - row["limit"] > 0
    assert row["lists_stale"] is True  # the CSL of 2022-04
    imported = ui.client.post(
        "/v1/jobs/customers",
        content=(json.dumps(CUSTOMER) + "\n").encode(),
        params={"file_name": "c.jsonl"},
        headers=headers | {"Content-Type": "application/x-ndjson"},
    ).json()["job_id"]
    while ui.client.get(f"/v1/jobs/{imported}", headers=headers).json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    ui.sign_in("a")
    page = ui.get(f"/ui/jobs/{job_id}")
    assert f"{row['omitted']} more not shown: past the limit of {row['limit']} hits per name" in page
    for shown in (page, ui.get(f"/ui/jobs/{imported}")):  # an import's rows say it too now
        assert 'id="lists-stale"' in shown and '<span class="badge badge-stale">STALE</span>' in shown
    # and its CSV download, as a names job's does
    text = ui.client.get(f"/v1/jobs/{imported}/results", params={"format": "csv"}, headers=headers).text
    (_comment, header, *lines) = list(csv.reader(io.StringIO(text)))
    assert lines and all(line[header.index("lists_stale")] == "True" for line in lines)


def _job_results(ui: Ui, job_id: str) -> list[dict[str, object]]:
    headers = {"X-API-Key": ui.tokens["a"]}
    deadline = time.monotonic() + 120
    while ui.client.get(f"/v1/jobs/{job_id}", headers=headers).json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    results: list[dict[str, object]] = ui.client.get(f"/v1/jobs/{job_id}/results", headers=headers).json()[
        "results"
    ]
    return results


def test_a_names_job_takes_a_limit_with_the_same_bound(home: Path, tmp_path: Path, shared: Path) -> None:
    """A names job (REST /v1/jobs/screen, the UI's Batch form) screened 10 hits a name with no way to ask
    for more: it takes a limit now, bounded as every face; a larger one is refused before a job is made."""
    bound = default_rule_set().settings[HIT_LIMIT_SETTING]
    with ui_app("sqlite", tmp_path, None, {"a": "analyst"}) as ui:
        ui.services.snapshots.load_file(huawei_csl(shared, tmp_path / "us_csl_2022-04.csv"))
        headers = {"X-API-Key": ui.tokens["a"], "Content-Type": "text/csv"}
        total = total_hits(ui)
        names = b"id,name,kind,country\nhw,HUAWEI,org,CN\n"

        def start(limit: int) -> tuple[int, dict[str, object]]:
            r = ui.client.post(
                "/v1/jobs/screen",
                content=names,
                params={"file_name": "n.csv", "limit": limit},
                headers=headers,
            )
            return r.status_code, r.json()

        status, job = start(bound)
        assert status == 202, job
        (row,) = _job_results(ui, str(job["job_id"]))
        assert len(row["hits"]) == total and row["omitted"] == 0 and row["limit"] == bound  # type: ignore[arg-type]
        jobs_before = len(ui.services.jobs.find(limit=100))
        for bad in (bound + 1, 0):
            status, refused = start(bad)
            assert status == 422, refused
            assert refused["error"]["details"][0]["field"] == "query.limit"  # type: ignore[index]
        assert len(ui.services.jobs.find(limit=100)) == jobs_before
        ui.sign_in("a")
        form = ui.get("/ui/batch")
        assert re.search(rf'<input id="limit" name="limit" type="number" min="1" max="{bound}"', form)
        for limit, expected in (("3", 303), (str(bound + 1), 422), ("ten", 422)):
            r = ui.client.post(
                "/ui/batch",
                data={"csrf": ui.csrf("/ui/batch"), "limit": limit},
                files={"file": ("n.csv", names, "text/csv")},
                follow_redirects=False,
            )
            assert r.status_code == expected, r.text[-2000:]
            if expected == 422:
                assert "limit" in r.text and 'id="form-errors"' in r.text
        assert len(ui.services.jobs.find(limit=100)) == jobs_before + 1


def test_a_resolved_cut_stays_resolved_until_it_changes(ui: Ui, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cut alert is remembered like a hit: once an analyst worked it (four eyes: dismissing needs a
    second person), the same cut on the same lists does not alert again; a different count does."""
    headers = {"X-API-Key": ui.tokens["a"]}
    assert ui.client.post("/v1/customers", json=CUSTOMER, headers=headers).status_code == 201
    first = ui.client.post("/v1/customers/hw/screen", headers=headers).json()
    (cut,) = [a for a in first["alerts"]["raised"] if a["source"] == "screening:hits_omitted"]
    proposed = ui.services.dispose(
        cut["alert_id"], "false_positive", "OTHER_FALSE", "screened in full", "ana"
    )
    assert proposed["alert"]["status"] == "awaiting_approval", proposed
    ui.services.approve(cut["alert_id"], "boss", "admin", "checked the full screen")
    again = ui.client.post("/v1/customers/hw/screen", headers=headers).json()
    assert [a["source"] for a in again["alerts"]["cleared"]].count("screening:hits_omitted") == 1
    assert not [a for a in again["alerts"]["raised"] if a["source"] == "screening:hits_omitted"]
    # another bound cuts another count: that is a new cut to work
    monkeypatch.setitem(default_rule_set().settings, HIT_LIMIT_SETTING, LIMIT - 1)
    other = ui.client.post("/v1/customers/hw/screen", headers=headers).json()
    (new,) = [a for a in other["alerts"]["raised"] if a["source"] == "screening:hits_omitted"]
    assert new["omitted"] == cut["omitted"] + 1 and new["alert_id"] != cut["alert_id"]


def _limit_rescreens(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Re-screens take ``limit`` hits a name from now on; the rest of the re-screen settings as they are."""
    cfg = rescreen.rescreen_config()
    monkeypatch.setattr(
        rescreen,
        "rescreen_config",
        lambda: rescreen.RescreenConfig(
            cfg.incremental_max_parties, cfg.incremental_max_share, cfg.candidate_margin, limit
        ),
    )


def _rescreen_at_limit_with_a_list_change(
    monkeypatch: pytest.MonkeyPatch, shared: Path, tmp_path: Path
) -> tuple[Path, Path]:
    """Re-screens limited to LIMIT hits a name, and two CSL files of the Huawei records: (old, new), the
    old one a record fewer (a list change for monitoring to screen)."""
    _limit_rescreens(monkeypatch, LIMIT)
    new_path = huawei_csl(shared, tmp_path / "us_csl_2022-05.csv")
    lines = new_path.read_text(encoding="utf-8").splitlines(keepends=True)
    old_path = tmp_path / "us_csl_2022-04.csv"
    old_path.write_text("".join(lines[:-1]), encoding="utf-8")
    return old_path, new_path
