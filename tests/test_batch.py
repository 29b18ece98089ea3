"""`chipguard batch` on the local engine: real queries against the bundled lists, every input format,
fail-closed list handling, input errors naming file/line/field, and output that is never half-written.
(The Spark engine and its agreement with this one: tests/test_batch_spark.py.)"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_batch_support import (
    built_queries,
    bundled_home,
    chipguard_home,
    home_copy,
    lists_context,
    sample_queries,
    store_customers,
    write_csv,
)
from typer.testing import CliRunner

from chipguard.batch import jobs, model
from chipguard.batch.model import context_for, query_subject
from chipguard.cli import app
from chipguard.errors import InputError
from chipguard.service.query_files import read_input

runner = CliRunner()


@pytest.fixture(scope="module")
def lists_home() -> Iterator[Path]:
    with chipguard_home(bundled_home()) as path:
        yield path


@pytest.fixture(scope="module")
def opened(lists_home: Path) -> jobs.Lists:
    """The bundled lists opened once (the index unpickled once for the module)."""
    return jobs.open_lists(allow_stale=True)


def _run(opened: jobs.Lists, src: Path, out: Path) -> jobs.BatchSummary:
    """What ``jobs.screen_file`` does after opening the lists."""
    ctx = lists_context(opened)
    subjects = [query_subject(r) for r in read_input(src)]
    return jobs.run(subjects, out, screener=opened.screener, ctx=ctx)


def _screen(*args: str) -> Any:
    return runner.invoke(app, ["batch", "screen", *args])


def test_real_queries_find_their_listed_parties(lists_home: Path, shared: Path, tmp_path: Path) -> None:
    rows = sample_queries(shared, step=20)
    src = write_csv(tmp_path / "q.csv", rows)
    out = tmp_path / "out" / "result.jsonl"
    result = _screen(str(src), "--out", str(out), "--allow-stale")
    assert result.exit_code == 0, result.output
    assert "STALE" in result.stderr
    records = jobs.read_records(out)
    assert [r["id"] for r in records] == [r["id"] for r in rows]  # one record per row, in input order
    assert [r["line"] for r in records] == list(range(2, len(rows) + 2))
    positives = [(row, rec) for row, rec in zip(rows, records, strict=True) if row["expect"] == "hit"]
    found = [
        rec
        for row, rec in positives
        if {h["party_id"] for h in json.loads(rec["hits_json"])}
        | {h["explanation"].get("entity_number") for h in json.loads(rec["hits_json"])}
        & set(row["accept_ids"].split("|"))
    ]
    assert len(found) == len(positives)  # recall 1.000 on the set (BENCHMARKS.md), so on any sample
    negatives = [rec for row, rec in zip(rows, records, strict=True) if row["expect"] == "none"]
    assert negatives and sum(r["has_hit"] for r in negatives) <= 1
    first = records[0]
    assert first["snapshot_refs"][0].startswith("un:") and first["snapshot_refs"][1].startswith("us_csl:")
    assert all(len(h) == 64 for h in first["snapshot_sha256"])
    assert first["lists_stale"] is True and first["needs_review"] is True  # stale: never clean
    # every record states each list's snapshot, age in whole days and stale flag, the same on every row
    status = json.loads(first["lists_json"])
    assert [s["snapshot"] for s in status] == first["snapshot_refs"]
    assert [s["source"] for s in status] == ["un", "us_csl"] == first["stale_sources"]
    for source in status:
        assert source["stale"] is True and source["basis"] in ("file_date", "loaded_at", "official_download")
        assert isinstance(source["age_days"], int) and source["age_days"] > source["max_age_days"]
    assert {(r["lists_json"], tuple(r["stale_sources"])) for r in records} == {
        (first["lists_json"], ("un", "us_csl"))
    }
    assert re.search(r"against un:\S+ \(\d+ days, STALE\), us_csl:\S+ \(\d+ days, STALE\)", result.stderr)
    hit = next(r for r in records if r["has_hit"])
    hits = json.loads(hit["hits_json"])
    assert hit["best_party_id"] == hits[0]["party_id"] and hit["best_score"] == hits[0]["score"]
    assert hits[0]["explanation"]["alignment"] and hits[0]["role"] == "query"
    assert hit["best_list_code"] in hit["list_codes"] and hit["hit_roles"] == ["query"]


def test_hits_written_without_copying_are_the_same_json(opened: jobs.Lists, shared: Path) -> None:
    """A batch record's ``hits_json`` and a ``screen-file`` line take the hits' fields without the deep
    copy of ``Hit.to_dict`` (``Hit.json_fields``, ``screen_result(serialised_at_once=True)``): the JSON
    must be the same, key order included, on real queries in both scripts with evidence given."""
    rows = sample_queries(shared, step=10) + built_queries()[::3]
    screener = opened.screener
    seen = 0
    for row in rows:
        fields = {"nationality": "CN"} if row.get("kind") == "person" else {}
        args = (row["id"], row["name"], row.get("kind") or None, row.get("country") or None)
        copied = screener.screen_result(*args, fields=fields)
        shared_parts = screener.screen_result(*args, fields=fields, serialised_at_once=True)
        assert json.dumps(shared_parts, ensure_ascii=False) == json.dumps(copied, ensure_ascii=False)
        for hit in screener.screening(row["name"], kind=row.get("kind") or None).hits:
            assert list(hit.json_fields()) == list(hit.to_dict())
            assert json.dumps(hit.json_fields(), ensure_ascii=False) == json.dumps(
                hit.to_dict(), ensure_ascii=False
            )
            seen += 1
    assert seen > 50 and any(re.search("[\u4e00-\u9fff]", r["name"]) for r in rows)


def test_a_record_states_the_identifying_details_it_was_screened_with(
    opened: jobs.Lists, tmp_path: Path
) -> None:
    """A row's date of birth, nationality or IMO number decides its strength (SDN 21944 'ABBAS, Rim, born
    1973-03-25, SY: confirmed by both, weak by a birth date decades away; the vessel AAJ by its IMO even
    under another name): the record says what it was screened with, not only in the hits' prose."""
    src = tmp_path / "q.csv"
    src.write_text(
        "id,name,kind,date_of_birth,nationality,imo\n"
        "a,Rim Abbas,person,1973-03-25,SY,\n"
        "b,Rim Abbas,person,1990,,\n"
        "c,Aaj Ship,,,,8984484\n"
        "d,Rim Abbas,person,,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    _run(opened, src, out)
    records = {r["id"]: r for r in jobs.read_records(out)}
    assert json.loads(records["a"]["evidence_json"]) == [
        {"screened": "query", "date_of_birth": "1973-03-25", "nationality": "SY"}
    ]
    assert records["a"]["best_strength"] == "confirmed" and records["b"]["best_strength"] == "weak"
    assert json.loads(records["b"]["evidence_json"]) == [{"screened": "query", "date_of_birth": "1990"}]
    assert json.loads(records["c"]["evidence_json"]) == [{"screened": "query", "imo": "8984484"}]
    assert records["c"]["best_party_id"] == "25277" and records["c"]["best_strength"] == "confirmed"
    assert json.loads(records["d"]["evidence_json"]) == []


def test_local_engine_on_two_workers_writes_the_same_bytes(
    lists_home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--workers 2``: worker processes map the index file and screen chunks of the input; the output
    is byte for byte the one process's, in input order (three chunks here, the last one short)."""
    monkeypatch.setattr(jobs, "LOCAL_CHUNK", 40)
    rows = sample_queries(shared, step=25)[:100]
    src = write_csv(tmp_path / "q.csv", rows)
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}.jsonl"
        result = _screen(str(src), "--out", str(out), "--allow-stale", "--workers", workers)
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    records = jobs.read_records(tmp_path / "out-2.jsonl")
    assert [r["id"] for r in records] == [r["id"] for r in rows]
    assert sum(r["has_hit"] for r in records) >= sum(row["expect"] == "hit" for row in rows)


def test_csv_jsonl_and_parquet_inputs_give_the_same_records(opened: jobs.Lists, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"id": "a", "name": "Mahan Air Company", "kind": "org", "country": "IR"},
        {"id": "b", "name": "PUTIN Vladimir", "kind": "person", "country": ""},
        {"id": "c", "name": "杭州海康威视数字技术股份有限公司", "kind": "org", "country": "CN"},
        {"id": "d", "name": "Toyota Motor Corporation", "kind": "", "country": "jp"},
    ]
    csv_path = write_csv(tmp_path / "in.csv", rows)
    jsonl_path = tmp_path / "in.jsonl"
    jsonl_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    pq_path = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), pq_path)
    outs = []
    for src, lines in ((csv_path, [2, 3, 4, 5]), (jsonl_path, [1, 2, 3, 4]), (pq_path, [1, 2, 3, 4])):
        parsed = read_input(src)
        assert [r.line for r in parsed] == lines
        assert parsed[3].country == "JP" and parsed[3].kind is None
        out = tmp_path / f"{src.suffix[1:]}.parquet"
        summary = _run(opened, src, out)
        assert summary.rows == 4 and summary.rows_with_hits == 3
        outs.append([{k: v for k, v in r.items() if k != "line"} for r in jobs.read_records(out)])
    assert outs[0] == outs[1] == outs[2]
    by_id = {r["id"]: r for r in outs[0]}
    assert by_id["c"]["best_name"] == "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD."  # Chinese name
    assert by_id["a"]["best_name"] == "MAHAN AIR" and by_id["a"]["best_list_code"] in by_id["a"]["list_codes"]
    assert by_id["d"]["has_hit"] is False and by_id["d"]["best_party_id"] is None


@pytest.mark.parametrize(
    ("content", "suffix", "where"),
    [
        ("id,name,kind,country\nc1,Mahan Air,org,IR\nc2,,org,IR\n", ".csv", "line 3, field 'name'"),
        ("id,name,kind,country\nc1,Mahan Air,robot,IR\n", ".csv", "line 2, field 'kind'"),
        ("id,name,kind,country\nc1,Mahan Air,org,Iran\n", ".csv", "line 2, field 'country'"),
        ("id,name,kind,country\nc1,!!! ---,org,IR\n", ".csv", "line 2, field 'name'"),
        ("id,kind\nc1,org\n", ".csv", "line 1, field 'name'"),
        ('{"id": "c1", "name": "Mahan Air"}\n{"id": "c2", "name": \n', ".jsonl", "line 2"),
        ('{"id": "c1", "name": "Mahan Air"}\n["c2"]\n', ".jsonl", "line 2"),
        ('{"id": "c1", "name": 12.5}\n', ".jsonl", "line 1, field 'name'"),
    ],
)
def test_bad_input_names_file_line_and_field(
    lists_home: Path, tmp_path: Path, content: str, suffix: str, where: str
) -> None:
    src = tmp_path / f"in{suffix}"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = _screen(str(src), "--out", str(out), "--allow-stale")
    assert result.exit_code == 2
    assert f"{src}, {where}" in result.stderr
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == [src.name]


def test_a_cell_past_the_csv_limit_names_its_line(lists_home: Path, tmp_path: Path) -> None:
    """A cell past the csv module's field limit is an error naming the line it is on (it named the file
    only: on a file of a million rows the operator had to search). The limit is process-wide and another
    test module raises it, so it is pinned to the module's default (128 KiB) here."""
    import csv

    before = csv.field_size_limit(128 * 1024)
    try:
        for content, where in (
            ('id,name\nc1,Mahan Air\nc2,"' + "B" * 140_000 + '"\nc3,Megvii\n', "line 3: unreadable CSV"),
            ('id,name\nc1,"Mahan\nAir"\nc2,"' + "B" * 140_000 + '"\n', "line 4: unreadable CSV"),
        ):
            src = tmp_path / "in.csv"
            src.write_text(content, encoding="utf-8")
            result = _screen(str(src), "--out", str(tmp_path / "out.jsonl"), "--allow-stale")
            assert result.exit_code == 2
            assert f"{src}, {where}: field larger than field limit" in result.stderr, result.stderr
            assert sorted(p.name for p in tmp_path.iterdir()) == [src.name]
    finally:
        csv.field_size_limit(before)


def test_bad_parquet_and_unknown_formats(lists_home: Path, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": "a", "name": "Mahan Air"}, {"id": "b", "name": None}]), src)
    with pytest.raises(InputError, match=r"line 2, field 'name': empty name"):
        read_input(src)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        read_input(broken)
    good = write_csv(tmp_path / "ok.csv", [{"id": "a", "name": "Mahan Air"}])
    result = _screen(str(good), "--out", str(tmp_path / "out.xlsx"), "--allow-stale")
    assert result.exit_code == 2 and "use .jsonl or .parquet" in result.stderr
    result = _screen(str(good), "--out", str(tmp_path / "o.jsonl"), "--engine", "hadoop", "--allow-stale")
    assert result.exit_code == 2 and "unknown engine" in result.stderr
    for option, value, field in (("--ship", "carrier-pigeon", "ship"), ("--partitions", "0", "partitions")):
        result = _screen(str(good), "--out", str(tmp_path / "o.jsonl"), option, value, "--allow-stale")
        assert result.exit_code == 2 and f"field '{field}'" in result.stderr
    result = _screen(str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 2 and "file not found" in result.stderr


def test_fails_closed_without_lists_and_on_stale_lists(home: Path, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "ok.csv", [{"id": "a", "name": "Mahan Air"}])
    out = tmp_path / "o.jsonl"
    result = _screen(str(good), "--out", str(out), "--allow-stale")
    assert result.exit_code == 3 and "chipguard lists load --bundled" in result.stderr
    with chipguard_home(bundled_home()):
        stale = _screen(str(good), "--out", str(out))
    assert stale.exit_code == 3
    assert "stale" in stale.stderr and "--allow-stale" in stale.stderr
    assert not out.exists()


def test_fresh_lists_need_no_flag_and_clean_rows_need_no_review(home: Path, tmp_path: Path) -> None:
    lst = tmp_path / "watchlist.csv"  # no date in the name: its age counts from the load
    lst.write_text("id,name,kind,country\nw1,Mahan Air,org,IR\nw2,Rosoboronexport,org,RU\n", encoding="utf-8")
    assert runner.invoke(app, ["lists", "load", str(lst), "--format", "custom_csv"]).exit_code == 0
    src = write_csv(
        tmp_path / "q.csv", [{"id": "a", "name": "MAHAN AIRLINES"}, {"id": "b", "name": "Toyota"}]
    )
    out = tmp_path / "o.jsonl"
    result = _screen(str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    a, b = jobs.read_records(out)
    assert a["has_hit"] and a["needs_review"] and a["best_party_id"] == "w1" and not a["lists_stale"]
    assert not b["has_hit"] and not b["needs_review"]
    (status,) = json.loads(a["lists_json"])  # loaded just now: no age, not stale
    assert status["snapshot"] == a["snapshot_refs"][0] and status["basis"] == "loaded_at"
    assert status["age_days"] == 0 and status["stale"] is False and a["stale_sources"] == []
    strict = _screen(str(src), "--out", str(out), "--threshold", "0.999", "--json")
    assert strict.exit_code == 0 and json.loads(strict.stdout)["rows_with_hits"] == 0
    assert json.loads(strict.stdout)["lists"] == [status]
    assert jobs.read_records(out)[0]["threshold"] == 0.999


def test_a_subject_with_nothing_to_screen_needs_review() -> None:
    ctx = model.BatchContext(0.8, 10, (), (), (), False, "v", "r")
    nameless = model.customer_subject({"customer_id": "cus-x", "name": "  "}, 0)
    record = model.screen_subject(None, nameless, ctx)  # no target: the screener is never asked
    assert record["names_screened"] == 0 and not record["has_hit"] and record["needs_review"]


def test_a_failed_run_leaves_the_previous_output_untouched(
    opened: jobs.Lists, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = write_csv(tmp_path / "q.csv", [{"id": str(i), "name": f"Mahan Air {i}"} for i in range(10)])
    out = tmp_path / "o.jsonl"
    out.write_text("previous run\n", encoding="utf-8")
    real = model.screen_subject
    calls = {"n": 0}

    def flaky(screener: Any, subject: model.Subject, ctx: model.BatchContext) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("disk on fire")
        return real(screener, subject, ctx)

    monkeypatch.setattr(model, "screen_subject", flaky)
    with pytest.raises(RuntimeError, match="disk on fire"):
        _run(opened, src, out)
    assert out.read_text(encoding="utf-8") == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.jsonl", "q.csv"]  # no temp files left
    monkeypatch.setattr(model, "screen_subject", real)
    _run(opened, src, out)
    assert len(jobs.read_records(out)) == 10


def test_an_output_that_cannot_be_written_names_out_and_a_lost_worker_writes_nothing(
    opened: jobs.Lists, lists_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--out under a file is exit 2 naming 'out' (was a traceback from mkdir, exit 1); workers that die
    (here: their index file is gone, so each fails starting) are WorkerLostError, exit 1, and the earlier
    output stays as it was with no work folder left."""
    import shutil

    from chipguard.errors import WorkerLostError
    from chipguard.match import indexfile

    src = write_csv(tmp_path / "q.csv", [{"id": str(i), "name": f"Mahan Air {i}"} for i in range(10)])
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x", encoding="utf-8")
    result = _screen(str(src), "--out", str(a_file / "o.jsonl"), "--allow-stale")
    assert result.exit_code == 2, result.output
    assert f"{a_file / 'o.jsonl'}, field 'out': cannot write the output there" in result.stderr

    monkeypatch.setattr(jobs, "LOCAL_CHUNK", 4)
    path = tmp_path / "gone.cgix"
    shutil.copyfile(opened.screener.index_file.path, path)
    mapped = indexfile.open_screener(path)
    path.unlink()
    out = tmp_path / "o.jsonl"
    out.write_text("previous run\n", encoding="utf-8")
    ctx = context_for(opened.snapshots, threshold=mapped.threshold, limit=10, lists_stale=True)
    subjects = [query_subject(r) for r in read_input(src)]
    with pytest.raises(WorkerLostError, match="ended abruptly") as lost:
        jobs.run(subjects, out, screener=mapped, ctx=ctx, workers=2)
    assert lost.value.exit_code == 1
    assert out.read_text(encoding="utf-8") == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.jsonl", "plain.txt", "q.csv"]


def test_rescreen_stored_customers_is_audited(tmp_path: Path) -> None:
    home = home_copy(tmp_path / "home")
    store_customers(home)
    out = tmp_path / "rescreen.jsonl"
    with chipguard_home(home):
        result = runner.invoke(app, ["batch", "rescreen", "--out", str(out), "--allow-stale", "--json"])
        assert result.exit_code == 0, result.output
        from chipguard.audit import AuditLog
        from chipguard.store.db import get_engine

        audit = AuditLog(get_engine())
        entry = [e for e in audit.entries() if e.action == "batch.rescreen"][-1]
        assert audit.verify().ok
    summary = json.loads(result.stdout)
    records = {r["id"]: r for r in jobs.read_records(out)}
    assert set(records) == {"cus-hik", "cus-blueharbour", "cus-nordlicht", "cus-fjordside", "cus-sugon-zh"}
    assert records["cus-blueharbour"]["hit_roles"] == ["owner"]  # Megvii owns 60 %
    assert records["cus-fjordside"]["hit_roles"] == ["other_name"]  # also known as Mahan Air
    assert records["cus-nordlicht"]["has_hit"] is False and records["cus-nordlicht"]["names_screened"] == 2
    assert records["cus-hik"]["best_role"] == "customer" and records["cus-sugon-zh"]["has_hit"]
    assert entry.payload["output"]["sha256"] == summary["sha256"] == jobs.output_sha256(out)
    assert sorted(entry.payload["customers_with_hits"]) == sorted(
        k for k, r in records.items() if r["has_hit"]
    )
    assert entry.payload["snapshots"] == records["cus-hik"]["snapshot_refs"]


def test_spark_engine_without_java_says_why_before_reading_lists(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chipguard.batch import spark as sp

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(sp.shutil, "which", lambda *_a, **_k: None)
    good = write_csv(tmp_path / "ok.csv", [{"id": "a", "name": "Mahan Air"}])
    result = _screen(str(good), "--out", str(tmp_path / "o.jsonl"), "--engine", "spark")
    assert result.exit_code == 4
    assert "Spark engine cannot start" in result.stderr
    assert ("openjdk-17-jre-headless" in result.stderr) or ("pyspark is not installed" in result.stderr)
