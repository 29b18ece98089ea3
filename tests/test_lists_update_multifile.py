"""`lists update` for a list published as several files (OFAC's legacy CSV sets: sdn.csv + add.csv +
alt.csv + sdn_comments.csv, and cons_*), against a real HTTP server on 127.0.0.1 serving the real files
from ../shared/data/lists: every member is fetched and read, the set becomes one snapshot, and one
missing, corrupt or misnamed member leaves the previous snapshot in force with an error naming it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from test_api_support import Api, api
from test_snapshots_support import http_dir, trimmed_csl
from typer.testing import CliRunner

from chipguard.cli import app
from chipguard.errors import InputError
from chipguard.sources import parse_file
from chipguard.store import testing
from chipguard.store.snapshot_sources import load_config
from chipguard.store.snapshot_update import ListUpdateError, update_lists
from chipguard.store.snapshots import SnapshotStore, sha256_file

__all__ = ["http_dir"]  # the fixture, imported for pytest

runner = CliRunner()
SDN = ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
CONS = ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv")


def _serve(shared: Path, folder: Path, set_dir: str, names: tuple[str, ...], into: str) -> Path:
    """Copies a real OFAC CSV set into the served folder (sub-folder ``into``)."""
    target = folder / into
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(shared / "lists" / set_dir / name, target / name)
    return target


def _sources(base: str, into: str, names: tuple[str, ...]) -> dict[str, str]:
    return {name: f"{base}/{into}/{name}" for name in names}


@pytest.fixture
def ofac(
    home: Path, shared: Path, http_dir: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, str, Path]]:
    """The server holds the real SDN set of 2021-07 under /sdn and the non-SDN set of 2025 under /cons;
    the override root's list_sources.yml (CHIPGUARD_DATA_OVERRIDES) points ofac_sdn_csv and ofac_cons at
    them and turns the internet defaults off."""
    folder, base = http_dir
    _serve(shared, folder, "ofac_2021-07", SDN, "sdn")
    _serve(shared, folder, "ofac_nonsdn_2025", CONS, "cons")
    cfg = write_sources(
        tmp_path / "overrides" / "list_sources.yml",
        {
            "us_csl": {"default": False},
            "un": {"default": False},
            "ofac_sdn_csv": {"files": _sources(base, "sdn", SDN), "default": True},
            "ofac_cons": {"files": _sources(base, "cons", CONS), "default": True},
        },
    )
    monkeypatch.setenv("CHIPGUARD_DATA_OVERRIDES", str(cfg.parent))
    yield folder, base, cfg


def write_sources(path: Path, sources: dict[str, dict[str, object]]) -> Path:
    """A list_sources.yml override, keys in the order given (the primary file first, as a person
    writes it; yaml.safe_dump would sort them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"sources": sources}, sort_keys=False), encoding="utf-8")
    return path


def _active(store: SnapshotStore) -> dict[str, str]:
    return {s.source: s.sha256 for s in store.active()}


def test_update_fetches_every_member_and_loads_the_set_as_one_snapshot(
    ofac: tuple[Path, str, Path], shared: Path
) -> None:
    result = runner.invoke(app, ["lists", "update"])
    assert result.exit_code == 0, result.output
    store = SnapshotStore()
    active = {s.source: s for s in store.active()}
    assert set(active) == {"ofac_sdn_csv", "ofac_cons"}
    for source, set_dir in (("ofac_sdn_csv", "ofac_2021-07"), ("ofac_cons", "ofac_nonsdn_2025")):
        real = parse_file(shared / "lists" / set_dir)
        info = active[source]
        # The snapshot is the whole set: its hash covers every member, and the companions were read.
        assert info.sha256 == sha256_file(shared / "lists" / set_dir)
        assert info.record_count == len(real.parties)
        parties = store.parties_of([info.id])
        assert sum(len(p.aliases) for p in parties) == sum(len(p.aliases) for p in real.parties) > 0
        assert sum(len(p.addresses) for p in parties) == sum(len(p.addresses) for p in real.parties) > 0
    assert active["ofac_sdn_csv"].source_url.endswith("/sdn/sdn.csv")  # the primary file's URL
    assert active["ofac_sdn_csv"].file_name == "ofac_sdn_csv"
    # A second update finds the same bytes: nothing new is stored.
    again = update_lists(["ofac_sdn_csv"], store=store)
    assert [i.status for i in again] == ["unchanged"]


def _first_update(ofac: tuple[Path, str, Path], shared: Path) -> dict[str, str]:
    """Loads a first snapshot of both sets; a later failed update must leave exactly these in force."""
    assert runner.invoke(app, ["lists", "update"]).exit_code == 0
    return _active(SnapshotStore())


def test_a_missing_member_changes_nothing_and_names_the_file(
    ofac: tuple[Path, str, Path], shared: Path
) -> None:
    folder, base, _ = ofac
    before = _first_update(ofac, shared)
    history = len(SnapshotStore().history())
    # The publisher now has a newer primary file, but alt.csv is missing from the server.
    primary = folder / "sdn" / "sdn.csv"
    primary.write_bytes(primary.read_bytes().replace(b"\x1a", b"") + b"\x1a")
    (folder / "sdn" / "alt.csv").unlink()
    result = runner.invoke(app, ["lists", "update"])
    assert result.exit_code == 4
    assert f"ofac_sdn_csv: member alt.csv of 4 files: {base}/sdn/alt.csv: HTTP 404" in result.stderr
    assert "the previous snapshot stays in force" in result.stderr
    store = SnapshotStore()
    assert _active(store) == before
    assert len(store.history()) == history  # the other set, which did download, was not loaded either


def test_a_corrupt_member_changes_nothing_and_names_file_line_and_field(
    ofac: tuple[Path, str, Path], shared: Path
) -> None:
    folder, base, _ = ofac
    before = _first_update(ofac, shared)
    add = folder / "sdn" / "add.csv"
    lines = add.read_bytes().split(b"\n")
    lines[2] = b"<html><body>Service Unavailable</body></html>" + b",x" * 5
    add.write_bytes(b"\n".join(lines))
    result = runner.invoke(app, ["lists", "update", "--source", "ofac_sdn_csv"])
    assert result.exit_code == 2
    assert f"ofac_sdn_csv: add.csv ({base}/sdn/add.csv), line 3, field 'ent_num'" in result.stderr
    assert "nothing was changed" in result.stderr
    assert _active(SnapshotStore()) == before


def test_a_member_the_parser_does_not_read_is_refused(
    ofac: tuple[Path, str, Path], shared: Path, tmp_path: Path
) -> None:
    folder, base, cfg = ofac
    shutil.copyfile(folder / "sdn" / "alt.csv", folder / "sdn" / "aliases.csv")
    files = _sources(base, "sdn", ("sdn.csv", "add.csv", "aliases.csv", "sdn_comments.csv"))
    write_sources(cfg, {"us_csl": {"default": False}, "ofac_sdn_csv": {"files": files}})
    with pytest.raises(InputError, match="did not read aliases.csv"):
        update_lists(["ofac_sdn_csv"], store=SnapshotStore())
    assert SnapshotStore().active() == []


def test_one_failing_source_fails_the_whole_update(
    ofac: tuple[Path, str, Path], shared: Path, tmp_path: Path
) -> None:
    folder, base, cfg = ofac
    trimmed_csl(shared, folder / "consolidated.csv", 60)
    (folder / "cons" / "cons_comments.csv").unlink()
    write_sources(
        cfg,
        {
            "us_csl": {"url": f"{base}/consolidated.csv", "default": True},
            "un": {"default": False},
            "ofac_cons": {"files": _sources(base, "cons", CONS), "default": True},
        },
    )
    with pytest.raises(ListUpdateError, match=r"ofac_cons: member cons_comments\.csv"):
        update_lists(store=SnapshotStore())
    assert SnapshotStore().history() == []


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"url": "http://x/sdn.csv", "files": {"sdn.csv": "http://x/sdn.csv"}}, "either 'url'"),
        ({"files": {"../sdn.csv": "http://x/sdn.csv"}}, "not a plain file name"),
        ({"files": {"sdn.csv": ""}}, "needs a URL"),
        ({"files": []}, "mapping of file name"),
        ({"files": {"sdn.csv": "http://x/1", "SDN.CSV": "http://x/2"}}, "must differ"),
    ],
)
def test_bad_multi_file_config_names_file_and_field(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: dict[str, object], message: str
) -> None:
    cfg = write_sources(tmp_path / "overrides" / "list_sources.yml", {"ofac_sdn_csv": settings})
    monkeypatch.setenv("CHIPGUARD_DATA_OVERRIDES", str(cfg.parent))
    with pytest.raises(InputError, match=message) as caught:
        load_config()
    assert caught.value.file == str(cfg)
    assert str(caught.value.field).startswith("sources.ofac_sdn_csv")


def test_bundled_config_offers_both_ofac_csv_sets() -> None:
    cfg = load_config()
    assert [n for n, _ in cfg.sources["ofac_sdn_csv"].files] == list(SDN)
    assert [n for n, _ in cfg.sources["ofac_cons"].files] == list(CONS)
    assert not cfg.sources["ofac_sdn_csv"].default and not cfg.sources["ofac_cons"].default


@pytest.fixture(params=testing.backends())
def srv(
    request: pytest.FixtureRequest, ofac: tuple[Path, str, Path], tmp_path: Path, shared: Path
) -> Iterator[Api]:
    with api(request.param, tmp_path, shared) as a:
        yield a


def test_api_update_of_a_multi_file_source(srv: Api, ofac: tuple[Path, str, Path], shared: Path) -> None:
    folder, base, _ = ofac
    r = srv.client.post("/v1/lists/update", json={"sources": ["ofac_sdn_csv"]}, headers=srv.headers("admin"))
    assert r.status_code == 200, r.text
    digest = sha256_file(shared / "lists" / "ofac_2021-07")
    assert [s["sha256"] for s in r.json()["loaded"]] == [digest]
    before = _active(srv.services.snapshots)
    (folder / "sdn" / "sdn_comments.csv").unlink()
    failed = srv.client.post(
        "/v1/lists/update", json={"sources": ["ofac_sdn_csv"]}, headers=srv.headers("admin")
    )
    assert failed.status_code == 502
    assert "member sdn_comments.csv" in failed.json()["error"]["message"]
    assert _active(srv.services.snapshots) == before
