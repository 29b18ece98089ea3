"""`chipguard screen` and `chipguard screen-file` through CliRunner on a snapshot of real CSL records."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipguard.cli import app

runner = CliRunner()
KEEP = {"12927", "33091", "35096", "30951"}  # MAHAN AIR, MEGVII TECHNOLOGY LIMITED, PUTIN, SMIC


def small_csl(shared: Path, out: Path) -> Path:
    """A real CSL file cut down to the first 150 records plus a few well-known listed parties."""
    text = gzip.decompress((shared / "lists/us_csl_2022-04.csv.gz").read_bytes()).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    rows = [r for i, r in enumerate(reader) if i < 150 or r["_id"] in KEEP]
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        writer.writerows(rows)
    return out


def load(shared: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["lists", "load", str(small_csl(shared, tmp_path / "us_csl_2022-04.csv"))])
    assert result.exit_code == 0, result.output


def test_screen_without_lists_fails_closed(home: Path) -> None:
    result = runner.invoke(app, ["screen", "Mahan Air"])
    assert result.exit_code == 3
    assert "chipguard lists load --bundled" in result.stderr


def test_screen_json_and_table(home: Path, shared: Path, tmp_path: Path) -> None:
    load(shared, tmp_path)
    result = runner.invoke(app, ["screen", "Mahan Air Company", "--kind", "org", "--country", "IR", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"] == {"name": "Mahan Air Company", "kind": "org", "country": "IR"}
    assert data["hits"][0]["party_id"] == "12927"
    assert data["hits"][0]["explanation"]["alignment"]
    assert data["snapshot"] and str(data["snapshot"][0]).startswith("us_csl:")

    table = runner.invoke(app, ["screen", "Megvii Tech Co Ltd"])
    assert table.exit_code == 0
    assert "MEGVII" in table.stdout

    none = runner.invoke(app, ["screen", "Toyota Motor Corporation"])
    assert none.exit_code == 0 and "no hit" in none.stdout

    strict = runner.invoke(app, ["screen", "Mahan Airr", "--json", "--threshold", "0.999"])
    assert json.loads(strict.stdout)["hits"] == []


def test_screen_rejects_bad_kind_and_country(home: Path, shared: Path, tmp_path: Path) -> None:
    load(shared, tmp_path)
    bad = runner.invoke(app, ["screen", "Mahan Air", "--kind", "robot"])
    assert bad.exit_code != 0 and "kind" in bad.stderr
    # the kinds it names are every kind taken (it said "person or org" while vessel and aircraft work)
    assert "use person, org, vessel, aircraft" in bad.stderr
    for kind in ("vessel", "aircraft"):
        assert runner.invoke(app, ["screen", "Mahan Air", "--kind", kind]).exit_code == 0
    bad = runner.invoke(app, ["screen", "Mahan Air", "--country", "Iran"])
    assert bad.exit_code != 0 and "country" in bad.stderr
    bad = runner.invoke(app, ["screen", "!!! ---"])
    assert bad.exit_code != 0 and "no letters or digits" in bad.stderr


def test_screen_file_writes_one_object_per_row_in_order(home: Path, shared: Path, tmp_path: Path) -> None:
    load(shared, tmp_path)
    src = tmp_path / "customers.csv"
    src.write_text(
        "id,name,kind,country\n"
        "c1,Toyota Motor Corporation,org,JP\n"
        "c2,PUTIN Vladimir,person,\n"
        "c3,Megvii Technology Co. Ltd.,org,CN\n"
        'c4,"SEMICONDUCTOR MFG INTL CORP",,\n',
        encoding="utf-8",
    )
    out = tmp_path / "out" / "result.jsonl"
    result = runner.invoke(app, ["screen-file", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["id"] for d in lines] == ["c1", "c2", "c3", "c4"]
    assert lines[0]["hits"] == []
    assert lines[1]["hits"][0]["party_id"] == "35096"
    assert lines[2]["hits"][0]["party_id"] == "33091"
    assert lines[3]["hits"][0]["party_id"] == "30951"
    for d in lines:
        assert d["snapshot"]
        for hit in d["hits"]:
            assert {"party_id", "source", "name", "matched_name", "score", "explanation"} <= set(hit)


def test_screen_file_on_two_workers_writes_the_same_bytes(home: Path, shared: Path, tmp_path: Path) -> None:
    """Two worker processes (each mapping the index file) give byte-identical output, in input order."""
    from chipguard.match.parallel import CHUNK

    load(shared, tmp_path)
    text = gzip.decompress((shared / "lists/us_csl_2022-04.csv.gz").read_bytes()).decode("utf-8-sig")
    listed = [r["name"] for i, r in enumerate(csv.DictReader(io.StringIO(text))) if i < 150 and r["name"]]
    names = [*listed, *(n.lower()[::-1] for n in listed), *(n[:-2] for n in listed if len(n) > 8)]
    names = (names * (CHUNK * 2 // len(names) + 1))[: CHUNK * 2 + 17]  # three chunks, the last one short
    src = tmp_path / "many.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name"])
        writer.writerows([f"r{i}", name] for i, name in enumerate(names))
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}.jsonl"
        result = runner.invoke(app, ["screen-file", str(src), "--out", str(out), "--workers", workers])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    lines = [json.loads(line) for line in outputs[1].decode("utf-8").splitlines()]
    assert [d["id"] for d in lines] == [f"r{i}" for i in range(len(names))]
    assert sum(1 for d in lines if d["hits"]) >= len(listed)  # every listed name is found, wherever it runs


def test_screen_file_bad_rows_name_their_line_and_write_nothing(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    load(shared, tmp_path)
    src = tmp_path / "bad.csv"
    src.write_text("id,name,kind\nc1,Mahan Air,org\nc2,,org\nc3,Megvii,alien\nc4,???,org\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["screen-file", str(src), "--out", str(out)])
    assert result.exit_code != 0
    assert "line 3" in result.stderr and "name" in result.stderr
    assert "line 4" in result.stderr and "kind" in result.stderr
    assert "line 5" in result.stderr and "no letters or digits" in result.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".out.jsonl.*"))


def test_screen_file_unreadable_names_found_while_screening_name_their_line(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    """A file whose only bad rows are names with nothing to compare is checked by the screening pass
    itself (the name is analysed once, in the worker that screens it): every such row is still reported
    by line, on one worker or two, and nothing is written."""
    from chipguard.match.parallel import CHUNK

    load(shared, tmp_path)
    names = ["Mahan Air", "Megvii Technology"] * CHUNK + ["!!!"]
    names.insert(3, "???")
    src = tmp_path / "late.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name"])
        writer.writerows([f"r{i}", name] for i, name in enumerate(names))
    for workers in ("1", "2"):
        out = tmp_path / f"late-{workers}.jsonl"
        result = runner.invoke(app, ["screen-file", str(src), "--out", str(out), "--workers", workers])
        assert result.exit_code != 0
        assert "2 bad row(s)" in result.stderr, result.stderr
        assert "line 5" in result.stderr and f"line {len(names) + 1}" in result.stderr
        assert "no letters or digits" in result.stderr and str(src) in result.stderr
        assert not out.exists()
        assert not list(tmp_path.glob(f".late-{workers}.jsonl.*"))


def test_screen_file_says_up_front_that_its_output_cannot_be_written(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    """An --out that is a folder, or under a file, is an error naming --out before the lists are opened
    (it used to screen the whole file and then fail renaming its result, with a traceback, exit 1)."""
    load(shared, tmp_path)
    src = tmp_path / "in.csv"
    src.write_text("id,name\nc1,Mahan Air\n", encoding="utf-8")
    folder = tmp_path / "results"
    folder.mkdir()
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x", encoding="utf-8")
    for out in (folder, a_file / "out.jsonl"):
        result = runner.invoke(app, ["screen-file", str(src), "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert f"{out}, field 'out': cannot write the output there" in result.stderr, result.stderr
    assert list(folder.iterdir()) == [] and a_file.read_text(encoding="utf-8") == "x"


def test_screen_file_whose_worker_is_lost_says_so_and_keeps_the_old_output(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker process killed mid-run (out of memory, a signal) is a clear error with exit 1 — not a
    traceback — and the earlier output stays as it was, with no temporary file left beside it."""
    from chipguard.errors import worker_lost
    from chipguard.match import parallel

    load(shared, tmp_path)
    src = tmp_path / "in.csv"
    src.write_text("id,name\nc1,Mahan Air\nc2,Megvii Technology\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("earlier run\n", encoding="utf-8")

    def dies_after_one(screener, rows, workers, lists=None, limit=10):  # type: ignore[no-untyped-def]
        yield parallel._line(screener, rows[0], lists, limit)
        from concurrent.futures.process import BrokenProcessPool

        raise worker_lost(BrokenProcessPool("A process in the process pool was terminated abruptly"))

    monkeypatch.setattr(parallel, "screen_lines", dies_after_one)
    result = runner.invoke(app, ["screen-file", str(src), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 1, result.output
    assert "error: a worker process ended abruptly while screening" in result.stderr
    assert "nothing was written" in result.stderr
    assert out.read_text(encoding="utf-8") == "earlier run\n"
    assert not list(tmp_path.glob(".out.jsonl.*"))


def test_workers_that_cannot_map_the_index_are_a_lost_worker(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    """The pool's own failure, for real: workers whose index file is gone (removed after the parent
    mapped it) die in their start-up, and screen_lines raises WorkerLostError instead of the pool's
    BrokenProcessPool."""
    from chipguard.errors import WorkerLostError
    from chipguard.match import indexfile
    from chipguard.match.parallel import CHUNK, screen_lines
    from chipguard.service.screening import active_screener

    load(shared, tmp_path)
    path = tmp_path / "gone.cgix"
    shutil.copyfile(active_screener().index_file.path, path)  # the home's cached index file
    mapped = indexfile.open_screener(path)
    assert [h.party_id for h in mapped.screen("Mahan Air")][:1] == ["12927"]
    path.unlink()
    rows = [(f"r{i}", "Mahan Air", None, None) for i in range(CHUNK * 2)]
    with pytest.raises(WorkerLostError, match="ended abruptly"):
        list(screen_lines(mapped, rows, workers=2))


def test_screen_file_reads_its_csv_as_the_service_reads_a_file_of_names(tmp_path: Path) -> None:
    """screen-file's rows and errors are the service's (``query_files.read_input``, which batch screen and
    the jobs read with): the same rows and evidence, the same message for every bad row — the country as
    typed, the nationality as the service words it — whatever the file's suffix."""
    from chipguard.cli.screen import read_queries
    from chipguard.errors import InputError
    from chipguard.match.evidence import query_evidence
    from chipguard.service.query_files import read_input

    good = tmp_path / "good.txt"
    good.write_text(
        "ID,Name,Kind,Country,date_of_birth,nationality,lei\n"
        "c1,PUTIN Vladimir, Person ,ru,1952-10-07, ru ,\n"
        "c2,VTB Bank,org,,,,253400V1H6ART1UQ0N98\n",
        encoding="utf-8",
    )
    rows = read_input(good, "csv")
    assert read_queries(good) == [
        (r.line, r.id, r.name, r.kind, r.country, query_evidence(country=r.country, **dict(r.evidence)))
        for r in rows
    ]
    assert [(r.kind, r.country, dict(r.evidence).get("nationality")) for r in rows] == [
        ("person", "RU", "ru"),
        ("org", None, None),
    ]

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,name,kind,country,nationality\nc1,Mahan Air,org,,\nc2,X Corp,,Iran,\nc3,Y Corp,,,XX\nc4,???,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as service:
        read_input(bad)
    with pytest.raises(InputError) as cli:
        read_queries(bad, names_checked_later=True)
    assert str(cli.value) == str(service.value)
    assert "line 3, field 'country': country 'Iran' is not an ISO 3166-1 alpha-2 code" in str(cli.value)
    assert "line 4, field 'nationality': unknown country 'XX'" in str(cli.value)
    assert "line 5, field 'name': the name has no letters or digits" in str(cli.value)


def test_a_file_past_the_row_limit_is_refused_at_its_first_extra_row(
    home: Path, shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every input has a size limit: the rows of a file are held until all are valid, so a file longer
    than CHIPGUARD_MAX_FILE_ROWS is refused at the first row past it (naming file and line), nothing written;
    one row fewer screens."""
    load(shared, tmp_path)
    src = tmp_path / "long.csv"
    src.write_text("id,name\n" + "".join(f"c{i},Mahan Air {i}\n" for i in range(4)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    monkeypatch.setenv("CHIPGUARD_MAX_FILE_ROWS", "3")
    refused = runner.invoke(app, ["screen-file", str(src), "--out", str(out)])
    assert refused.exit_code != 0
    assert f"{src}, line 5" in refused.stderr and "more than 3 rows" in refused.stderr
    assert "CHIPGUARD_MAX_FILE_ROWS" in refused.stderr
    assert not out.exists()
    batch = runner.invoke(app, ["batch", "screen", str(src), "--out", str(tmp_path / "b.jsonl")])
    assert batch.exit_code != 0 and "more than 3 rows" in batch.stderr
    monkeypatch.setenv("CHIPGUARD_MAX_FILE_ROWS", "4")
    accepted = runner.invoke(app, ["screen-file", str(src), "--out", str(out)])
    assert accepted.exit_code == 0, accepted.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4


def test_screen_file_missing_column(home: Path, shared: Path, tmp_path: Path) -> None:
    load(shared, tmp_path)
    src = tmp_path / "nocol.csv"
    src.write_text("id,customer\n1,Mahan Air\n", encoding="utf-8")
    result = runner.invoke(app, ["screen-file", str(src), "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code != 0
    assert "line 1" in result.stderr and "'name'" in result.stderr


def test_many_bad_rows_are_counted_and_the_first_twenty_listed(tmp_path: Path) -> None:
    """A file is checked in full: one error counts every bad row, lists the first 20 by line and field,
    says how many more there are, and points at the first (errors.bad_rows, shared with the batch engine)."""
    from chipguard.cli.screen import read_queries
    from chipguard.errors import InputError

    src = tmp_path / "many.csv"
    rows = [f"c{i},Shenzhen Trading {i},alien" for i in range(25)]
    src.write_text("id,name,kind\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_queries(src)
    message = str(caught.value)
    assert "25 bad row(s), nothing screened" in message
    assert "line 21" in message and "line 22" not in message  # rows 2–21 listed
    assert "… and 5 more" in message
    assert caught.value.line == 2 and caught.value.field == "kind"


def test_screen_explain_prints_each_hits_features_adding_up_to_its_score(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    load(shared, tmp_path)
    data = json.loads(runner.invoke(app, ["screen", "Mahan Air Company", "--country", "CN", "--json"]).stdout)
    hit = data["hits"][0]
    features = hit["explanation"]["features"]
    assert {f["feature"] for f in features} >= {"token_alignment", "country_clash"}
    assert abs(sum(f["contribution"] for f in features) - hit["score"]) < 0.001
    shown = runner.invoke(app, ["screen", "Mahan Air Company", "--country", "CN", "--explain"])
    assert shown.exit_code == 0, shown.output
    assert f"score {hit['score']:.4f} =" in shown.stdout
    for f in features:
        assert f"{f['contribution']:+.4f}  {f['feature']}" in shown.stdout


def test_a_name_without_a_kind_is_no_vessel_in_screen_and_screen_file(
    home: Path, shared: Path, tmp_path: Path
) -> None:
    """``screen`` without ``--kind`` and a ``screen-file`` row without a kind read the name as a person's
    or an organisation's, never a vessel's (``strength.kindless_person_or_org``): the SDN tanker ARTEMIS
    OFFSHORE (31932) is a weak hit for the bare name, its evidence saying why, and confirmed for the name
    screened as a vessel — in either face."""
    text = gzip.decompress((shared / "lists/us_csl_2022-04.csv.gz").read_bytes()).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    rows = [r for i, r in enumerate(reader) if i < 150 or r["_id"] in KEEP | {"31932"}]
    listed = tmp_path / "us_csl_2022-04.csv"
    with listed.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        writer.writerows(rows)
    assert runner.invoke(app, ["lists", "load", str(listed)]).exit_code == 0

    def strengths(hits: list[dict[str, object]]) -> list[object]:
        return [h["strength"] for h in hits if h["party_id"] == "31932"]

    bare = json.loads(runner.invoke(app, ["screen", "Artemis Offshore", "--json"]).stdout)["hits"]
    assert strengths(bare) == ["weak"]
    (kind,) = [e for e in bare[0]["evidence"] if e["feature"] == "kind"]
    assert kind["result"] == "conflict" and "no kind given" in kind["detail"]
    vessel = runner.invoke(app, ["screen", "Artemis Offshore", "--kind", "vessel", "--json"])
    assert strengths(json.loads(vessel.stdout)["hits"]) == ["confirmed"]

    for header, rows_text, expected in (
        ("id,name\n", "r1,Artemis Offshore\n", "weak"),
        ("id,name,kind\n", "r1,Artemis Offshore,\nr2,Artemis Offshore,unknown\n", "weak"),
        ("id,name,kind\n", "r1,Artemis Offshore,vessel\n", "confirmed"),
    ):
        src = tmp_path / "names.csv"
        src.write_text(header + rows_text, encoding="utf-8")
        out = tmp_path / "out.jsonl"
        result = runner.invoke(app, ["screen-file", str(src), "--out", str(out)])
        assert result.exit_code == 0, result.output
        for line in out.read_text(encoding="utf-8").splitlines():
            assert strengths(json.loads(line)["hits"]) == [expected], (header, rows_text)
