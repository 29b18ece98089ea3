"""`chipguard lists …` through Typer's CliRunner on real list files: exit codes, messages naming the
file/line, the table, JSON, the bundled snapshot, and updates from a local HTTP server."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from test_snapshots_support import CSL_NAME, CSL_ROWS, closed_port, http_dir, trimmed_csl, write_sources
from typer.testing import CliRunner

from chipguard.cli import app
from chipguard.store.snapshot_sources import bundled_manifest

__all__ = ["http_dir"]  # the fixture, imported for pytest

runner = CliRunner()


def test_plain_lists_in_an_empty_home_fails_closed_with_the_how_to(home: Path) -> None:
    result = runner.invoke(app, ["lists"])
    assert result.exit_code == 3
    assert "chipguard lists load --bundled" in result.stderr
    assert "chipguard lists update" in result.stderr


def test_load_then_table_and_json(home: Path, shared: Path, tmp_path: Path) -> None:
    path = trimmed_csl(shared, tmp_path / "us_csl_2022-04.csv", 120)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    result = runner.invoke(app, ["lists", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "us_csl: loaded — 120 records" in result.stdout
    assert "is stale" in result.stderr  # a 2022 file is far past the 30-day ceiling

    again = runner.invoke(app, ["lists", "load", str(path)])
    assert again.exit_code == 0 and "us_csl: unchanged" in again.stdout

    table = runner.invoke(app, ["lists"])
    assert table.exit_code == 0
    row = next(line for line in table.stdout.splitlines() if "us_csl" in line)
    for cell in ("csl_csv", "120", "2022-04", digest[:12], "STALE"):
        assert cell in row

    data = json.loads(runner.invoke(app, ["lists", "--json"]).stdout)
    assert [(d["source"], d["record_count"], d["sha256"]) for d in data] == [("us_csl", 120, digest)]
    assert data[0]["freshness"]["stale"] is True

    shown = runner.invoke(app, ["lists", "show", "us_csl", "-n", "2"])
    assert shown.exit_code == 0 and digest in shown.stdout
    assert len([line for line in shown.stdout.splitlines() if line.startswith("  - ")]) == 2


def test_bad_file_exits_non_zero_naming_file_and_line(home: Path, shared: Path, tmp_path: Path) -> None:
    path = trimmed_csl(shared, tmp_path / "list.csv", 30)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[12] = lines[12].rstrip("\n") + ",surplus\n"
    path.write_text("".join(lines), encoding="utf-8")
    result = runner.invoke(app, ["lists", "load", str(path)])
    assert result.exit_code != 0
    assert f"{path}, line 13" in result.stderr
    assert runner.invoke(app, ["lists"]).exit_code == 3  # nothing was loaded


@pytest.mark.parametrize(
    "args, message",
    [
        (["lists", "load"], "give one or more list files"),
        (["lists", "load", "/nonexistent/list.csv"], "/nonexistent/list.csv: file not found"),
        (["lists", "load", "--bundled", "x.csv"], "not both"),
        (["lists", "load", "--format", "nope", __file__], "unknown format 'nope'"),
        (["lists", "show", "us_csl"], "no active list or snapshot 'us_csl'"),
    ],
)
def test_usage_errors_are_clear(home: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert message in result.stderr


def test_source_option_history_and_remove(home: Path, shared: Path, tmp_path: Path) -> None:
    a = trimmed_csl(shared, tmp_path / "a.csv", 20)
    b = trimmed_csl(shared, tmp_path / "b.csv", 25, skip=100)
    assert runner.invoke(app, ["lists", "load", str(a), "--source", "acme_deny"]).exit_code == 0
    assert runner.invoke(app, ["lists", "load", str(b), "--source", "acme_deny"]).exit_code == 0
    history = runner.invoke(app, ["lists", "history", "acme_deny"]).stdout.splitlines()
    assert len(history) == 2 and history[0].startswith("*") and "25" in history[0]
    both = runner.invoke(app, ["lists", "load", str(a), str(b), "--source", "x"])
    assert both.exit_code != 0 and "two files for source 'x'" in both.stderr
    assert runner.invoke(app, ["lists", "remove", "acme_deny"]).exit_code == 0
    assert runner.invoke(app, ["lists"]).exit_code == 3
    assert len(runner.invoke(app, ["lists", "history"]).stdout.splitlines()) == 2  # kept for replay


def test_load_bundled(home: Path) -> None:
    result = runner.invoke(app, ["lists", "load", "--bundled", "--json"])
    assert result.exit_code == 0, result.output
    loaded = {d["source"]: d for d in json.loads(result.stdout)}
    assert set(loaded) == {e.source for e in bundled_manifest()}
    assert loaded["us_csl"]["record_count"] == CSL_ROWS
    # UN consolidated list 2026-02-27: 730 individuals and 273 entities.
    assert loaded["un"]["record_count"] == 1003
    assert {d["status"] for d in loaded.values()} == {"loaded"}
    again = runner.invoke(app, ["lists", "load", "--bundled", "--json"])
    assert {d["status"] for d in json.loads(again.stdout)} == {"unchanged"}


def test_update_from_local_server_and_offline(
    home: Path, shared: Path, http_dir: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, base = http_dir
    trimmed_csl(shared, folder / "consolidated.csv", 80)
    cfg = tmp_path / "overrides" / "list_sources.yml"
    write_sources(cfg, {"us_csl": {"url": f"{base}/consolidated.csv"}, "un": {"default": False}})
    monkeypatch.setenv("CHIPGUARD_DATA_OVERRIDES", str(cfg.parent))
    result = runner.invoke(app, ["lists", "update"])
    assert result.exit_code == 0, result.output
    assert "us_csl: loaded — 80 records" in result.stdout
    before = runner.invoke(app, ["lists"]).stdout

    write_sources(cfg, {"us_csl": {"url": f"http://127.0.0.1:{closed_port()}/consolidated.csv"}})
    offline = runner.invoke(app, ["lists", "update", "--source", "us_csl"])
    assert offline.exit_code == 4
    assert "offline" in offline.stderr and "nothing was changed" in offline.stderr
    assert runner.invoke(app, ["lists"]).stdout == before


def _malformed(kind: str, shared: Path, tmp_path: Path) -> tuple[list[str], list[str]]:
    """(extra CLI args, substrings the error must contain) for one kind of broken real file."""
    if kind == "truncated_xml":
        data = (shared / "lists" / "un_consolidated_2026-02-27.xml").read_bytes()[:50000]
        path = tmp_path / "un_truncated.xml"
        path.write_bytes(data)
        cut_line = data.count(b"\n") + 1
        return [str(path), "--source", "un"], [str(path), f"line {cut_line}"]
    if kind == "wrong_header":
        path = tmp_path / "wrong_header.csv"
        path.write_text("entity,alias,country\nACME,,CN\n", encoding="utf-8")
        return [str(path), "--format", "csl_csv"], [str(path), "line 1", "field"]
    if kind == "bad_encoding":
        path = trimmed_csl(shared, tmp_path / "latin1.csv", 30)
        path.write_bytes(
            path.read_bytes().replace(b"\n", "\nx,Entity List,,,,Caf\u00e9 GmbH\n".encode("latin-1"), 1)
        )
        return [str(path)], [str(path), "UTF-8"]
    if kind == "empty":
        path = tmp_path / "empty.csv"
        path.write_bytes(b"")
        return [str(path)], [str(path), "empty"]
    path = tmp_path / "us_csl_truncated.csv.gz"
    data = (shared / CSL_NAME).read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return [str(path), "--format", "csl_csv"], [str(path), "gzip"]


@pytest.mark.parametrize("kind", ["truncated_xml", "wrong_header", "bad_encoding", "empty", "truncated_gzip"])
def test_malformed_files_keep_the_previous_snapshots(
    home: Path, shared: Path, tmp_path: Path, kind: str
) -> None:
    un = next(e for e in bundled_manifest() if e.source == "un")
    assert runner.invoke(app, ["lists", "load", str(un.path), "--source", "un"]).exit_code == 0
    csl = trimmed_csl(shared, tmp_path / "csl.csv", 90)
    assert runner.invoke(app, ["lists", "load", str(csl)]).exit_code == 0
    before = runner.invoke(app, ["lists", "--json"]).stdout

    args, expected = _malformed(kind, shared, tmp_path)
    result = runner.invoke(app, ["lists", "load", *args])
    assert result.exit_code != 0
    for text in expected:
        assert text in result.stderr
    after = runner.invoke(app, ["lists", "--json"]).stdout
    assert json.loads(after) == json.loads(before)
    assert len(runner.invoke(app, ["lists", "history"]).stdout.splitlines()) == 2
