"""Replay rests on everything a decision rested on: the chip catalogue, the ECCN rule documents and the
country groups are archived by content hash with the decision and re-loaded on replay, so a later edit of
those files (here: an override in CHIPGUARD_HOME/data) does not change a replay; the name-matching data is
recorded by hash and a replay says when the current data differs (and screens with the archived data in a
worker process: tests/test_replay_matching_archive.py). On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from test_api_support import Api, api

from chipguard import refdata
from chipguard.config import data_dir
from chipguard.errors import InputError
from chipguard.ownership.regimes import parse_regimes
from chipguard.policy.engine import decide
from chipguard.policy.rules import default_rule_set
from chipguard.policy.transaction import parse_transaction
from chipguard.store import testing
from chipguard.store.records import ReferenceFileRow


@pytest.fixture(params=testing.backends())
def srv(request: pytest.FixtureRequest, home: Path, tmp_path: Path, shared: Path) -> Iterator[Api]:
    with api(request.param, tmp_path, shared) as a:
        yield a


H100_EXPORT = {
    "date": "2025-06-01",
    "kind": "export",
    "destination": "CN",
    "customer": {"name": "Guangzhou Lantern Render Studio Co Ltd", "country": "CN"},
    "items": [{"model": "H100", "quantity": 8}],
}


def _override(home: Path, rel: str, edit: Any) -> Path:
    """Writes ``$CHIPGUARD_HOME/data/<rel>``: the bundled file changed by ``edit(text) -> text``."""
    original = (data_dir() / rel).read_text(encoding="utf-8")
    changed = edit(original)
    assert changed != original
    path = home / "data" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(changed, encoding="utf-8")
    return path


def _decide(srv: Api) -> dict[str, Any]:
    r = srv.client.post("/v1/decisions", json=H100_EXPORT, headers=srv.headers("analyst"))
    assert r.status_code == 201, r.text
    made: dict[str, Any] = r.json()
    return made


def _replay(srv: Api, decision_id: str) -> dict[str, Any]:
    r = srv.client.post(f"/v1/decisions/{decision_id}/replay", headers=srv.headers("analyst"))
    assert r.status_code == 200, r.text
    report: dict[str, Any] = r.json()
    return report


def test_decision_records_and_archives_every_reference_file(srv: Api) -> None:
    made = _decide(srv)
    manifest = made["versions"]["reference_data"]
    assert set(manifest) == {"hardware", "geo", "matching", "ownership"}
    catalogue = (data_dir() / "hardware" / "catalogue.yaml").read_bytes()
    assert manifest["hardware"]["files"]["hardware/catalogue.yaml"] == hashlib.sha256(catalogue).hexdigest()
    assert "rules/eccn/3a090-2023-11-17.yaml" in manifest["hardware"]["files"]
    assert set(manifest["geo"]["files"]) == {"geo/country_groups.yml", "geo/countries.csv"}
    assert {"names/matching.yml", "zh/listed_party_names.yml"} <= set(manifest["matching"]["files"])
    assert manifest["matching"]["settings"]["threshold"] > 0
    # The manifest is part of the audited decision, and every file it names is archived byte for byte.
    entry = next(e for e in srv.services.audit.entries() if e.action == "decision.create")
    assert entry.payload["versions"]["reference_data"] == manifest
    hashes = [h for component in manifest.values() for h in component["files"].values()]
    blobs = srv.services.decisions.reference_blobs(hashes)
    assert set(blobs) == set(hashes)
    assert all(hashlib.sha256(b).hexdigest() == h for h, b in blobs.items())
    # A second decision on the same data archives nothing new and replays from the archive.
    second = _decide(srv)
    assert second["versions"]["reference_data"] == manifest
    with Session(srv.services.engine) as s:
        assert s.query(ReferenceFileRow).count() == len(set(hashes))
    report = _replay(srv, made["decision_id"])
    assert report["same"], report["differences"]
    for name in ("hardware", "geo"):
        assert report["components"][name]["status"] == "archived"
        assert report["components"][name]["reproduced_with_archived"] is True
        assert report["components"][name]["changed_since"] == []
    assert report["components"]["matching"]["status"] == "current, same as recorded"
    assert report["components"]["rule_set"]["reproduced_with_archived"] is True
    assert report["components"]["lists"]["reproduced_with_archived"] is True


def test_replay_uses_the_archived_catalogue_after_a_figure_changes(srv: Api, home: Path) -> None:
    """The H100's figures are corrected downwards in an override after the decision: new decisions see
    the new figures, the replay still classifies with the archived catalogue and names the change."""
    made = _decide(srv)
    assert made["outcome"] == "LICENCE_REQUIRED"
    assert made["classifications"][0]["eccn"] == "3A090.a"

    _override(
        home,
        "hardware/catalogue.yaml",
        lambda t: t.replace(
            'throughput: {FP8: 1979, INT8: 1979, "FP16/BF16": 989.4, FP16: 133.8, FP32: 66.91, FP64: 33.45}',
            "throughput: {FP8: 100, INT8: 100}",
            1,
        ),
    )
    now = _decide(srv)
    assert now["classifications"][0]["eccn"] == "EAR99-or-not-3A090"
    assert "ADV-NOT-CONTROLLED" in {r["rule_id"] for r in now["reasons"]}
    assert "ADV-NOT-CONTROLLED" not in {r["rule_id"] for r in made["reasons"]}
    assert now["versions"]["reference_data"]["hardware"]["overridden"] == ["hardware/catalogue.yaml"]

    report = _replay(srv, made["decision_id"])
    assert report["same"], report["differences"]
    assert report["replayed_outcome"] == "LICENCE_REQUIRED"
    assert report["replayed"]["classifications"][0]["eccn"] == "3A090.a"
    assert report["replayed"]["classifications"][0]["tpp"] == made["classifications"][0]["tpp"]
    hardware = report["components"]["hardware"]
    assert hardware["status"] == "archived" and hardware["reproduced_with_archived"] is True
    assert hardware["changed_since"] == ["hardware/catalogue.yaml"]
    assert any(
        "hardware: replayed with the archived files (the current ones differ: hardware/catalogue.yaml)" in n
        for n in report["notes"]
    )
    assert report["components"]["geo"]["changed_since"] == []

    # The decision made under the override replays under the override's figures, even once it is gone.
    (home / "data" / "hardware" / "catalogue.yaml").unlink()
    again = _replay(srv, now["decision_id"])
    assert again["same"], again["differences"]
    assert again["replayed"]["classifications"][0]["eccn"] == now["classifications"][0]["eccn"]


def test_replay_uses_the_archived_eccn_rule_document(srv: Api, home: Path) -> None:
    """An ECCN rule document (the Nov 2023 thresholds) is replaced after the decision: replay still
    applies the thresholds the decision was made under."""
    made = _decide(srv)
    assert made["classifications"][0]["eccn"] == "3A090.a"
    _override(
        home,
        "rules/eccn/3a090-2023-11-17.yaml",
        lambda t: re.sub(r"\{fact: tpp, ge: (\d+)\}", lambda m: f"{{fact: tpp, ge: {m.group(1)}00}}", t),
    )
    assert _decide(srv)["classifications"][0]["eccn"] != "3A090.a"

    report = _replay(srv, made["decision_id"])
    assert report["same"], report["differences"]
    assert report["replayed"]["classifications"][0]["eccn"] == "3A090.a"
    assert report["components"]["hardware"]["changed_since"] == ["rules/eccn/3a090-2023-11-17.yaml"]
    assert report["components"]["hardware"]["reproduced_with_archived"] is True


def test_replay_reports_different_matching_data(srv: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The replay says which matching files and settings differ from the ones the decision recorded, and
    screens with the archived ones."""
    made = _decide(srv)
    recorded = refdata._recorded_files()
    edited = {name: dict(files) for name, files in recorded.items()}
    sha = edited["matching"]["names/matching.yml"].sha256
    edited["matching"]["names/matching.yml"] = dataclasses.replace(
        edited["matching"]["names/matching.yml"], sha256="0" * 64
    )
    monkeypatch.setattr(refdata, "_recorded_files", lambda: edited)
    monkeypatch.setenv("CHIPGUARD_MATCH_THRESHOLD", "0.97")

    report = _replay(srv, made["decision_id"])
    matching = report["components"]["matching"]
    assert matching["status"] == "archived" and matching["subprocess"] is True
    assert matching["reproduced_with_archived"] is True and matching["same_as_recorded"] is True
    assert matching["changed_since"][0] == "names/matching.yml"
    assert matching["changed_since"][1].startswith("setting threshold: recorded ")
    assert report["same"], report["differences"]
    assert any(
        n.startswith(
            "matching: screened with the archived files in a separate process (the current ones "
            "differ: names/matching.yml, setting threshold: recorded "
        )
        for n in report["notes"]
    )
    assert report["components"]["ownership"]["status"] == "current, same as recorded"
    # The matching files themselves were archived when the decision was stored.
    assert srv.services.decisions.reference_blobs([sha])


def test_decision_without_a_manifest_still_replays(srv: Api) -> None:
    """Decisions stored before manifests were recorded replay on the current files, and say so."""
    decision = decide(parse_transaction(H100_EXPORT), screener=srv.services.screeners.get())
    decision.versions.pop("reference_data")
    rule_set = default_rule_set()
    stored = srv.services.decisions.save(decision, H100_EXPORT, "test", rule_sources=rule_set.sources)
    report = _replay(srv, stored.decision_id)
    assert report["replayed_outcome"] == stored.outcome
    for name in ("hardware", "geo", "matching", "ownership"):
        assert report["components"][name]["status"] == "manifest unavailable"
        assert report["components"][name]["reproduced_with_archived"] is False
    assert any(n.startswith("hardware: manifest unavailable") for n in report["notes"])


def test_a_tampered_archive_is_refused_and_reported(srv: Api) -> None:
    made = _decide(srv)
    sha = made["versions"]["reference_data"]["hardware"]["files"]["hardware/catalogue.yaml"]
    with Session(srv.services.engine) as s, pytest.raises(DBAPIError, match="append-only"), s.begin():
        s.execute(update(ReferenceFileRow).where(ReferenceFileRow.sha256 == sha).values(content=b"x"))
    testing.allow_tampering(srv.services.engine)
    with Session(srv.services.engine) as s, s.begin():
        s.execute(update(ReferenceFileRow).where(ReferenceFileRow.sha256 == sha).values(content=b"x: 1\n"))
    report = _replay(srv, made["decision_id"])
    hardware = report["components"]["hardware"]
    assert hardware["status"] == "archive unavailable" and hardware["reproduced_with_archived"] is False
    assert "archive refused" in hardware["message"] and "hardware/catalogue.yaml" in hardware["message"]
    assert report["same"], report["differences"]  # the current files are still the recorded ones


def test_cli_replay_prints_each_component(srv: Api, home: Path) -> None:
    from typer.testing import CliRunner

    from chipguard.cli import app

    made = _decide(srv)
    _override(home, "geo/country_groups.yml", lambda t: t.replace("version:", "note: edited\nversion:", 1))
    url = srv.services.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["decisions", "replay", made["decision_id"], "--db", url])
    assert result.exit_code == 0, result.output
    assert "  hardware: archived (archived version)" in result.output
    assert "  geo: archived (archived version)" in result.output
    assert "geo: replayed with the archived files (the current ones differ: geo/country_groups.yml)" in (
        result.output
    )
    assert "  matching: current, same as recorded (not the archived version)" in result.output


def test_reference_archive_migration_on_both_backends(db_url: str) -> None:
    from chipguard.store.db import make_engine, migrate

    engine = make_engine(db_url)
    try:
        migrate(engine)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO reference_files (sha256, path, size, content, stored_at) "
                    "VALUES (:s, 'x.yml', 1, :c, 'now')"
                ),
                {"s": "a" * 64, "c": b"x"},
            )
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM reference_files"))
    finally:
        engine.dispose()


def test_rule_set_archive_is_append_only_on_both_backends(db_url: str) -> None:
    """The archived rule files a replay re-runs are evidence: the database refuses to change or remove
    them (migration 0005), as it does for the decisions and the reference-file archive."""
    from chipguard.store.db import make_engine, migrate

    engine = make_engine(db_url)
    try:
        migrate(engine)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO rule_set_archive (sha256, rule_set_id, version, sources, stored_at) "
                    "VALUES (:s, 'cg-policy', '1', '{}', 'now')"
                ),
                {"s": "b" * 64},
            )
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text('UPDATE rule_set_archive SET sources = \'{"x.yml": ""}\''))
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM rule_set_archive"))
        with engine.begin() as conn:
            assert conn.execute(text("SELECT sources FROM rule_set_archive")).scalar_one() == "{}"
    finally:
        engine.dispose()


def _old_style(ref: refdata.RefFile, edit: Any) -> refdata.RefFile:
    """``ref`` as an older release wrote it (``edit(text) -> text``), hashed as the archive keys it."""
    data = edit(ref.data.decode("utf-8")).encode("utf-8")
    assert data != ref.data
    return dataclasses.replace(ref, data=data, sha256=hashlib.sha256(data).hexdigest(), origin="archive")


def test_a_decision_with_old_style_ownership_files_replays(
    srv: Api, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Decisions archive the ownership files (regimes, red-flag vocabulary) they were made with. One made
    before 2026-12-05 archived a regimes.yml with ``min_score`` (retired since: today's parser refuses it)
    and a red-flag vocabulary without ``unrelated_business_types`` (added since). The archived ownership
    files are recorded, not re-read: the replay runs on today's files, reproduces the outcome and says the
    files differ — it does not stop at the old keys (unlike a replay of matching files, which re-reads
    them: names/matching_introduced.yml)."""
    recorded = refdata._recorded_files()
    old = {name: dict(files) for name, files in recorded.items()}
    regimes, vocab = "ownership/regimes.yml", "ownership/red_flag_vocab.yml"
    old["ownership"][regimes] = _old_style(recorded["ownership"][regimes], lambda t: t + "min_score: 0\n")
    old["ownership"][vocab] = _old_style(
        recorded["ownership"][vocab],
        lambda t: re.sub(r"(?ms)^unrelated_business_types:.*?(?=^\S)", "", t),
    )
    stale = tmp_path / "regimes.yml"
    stale.write_bytes(old["ownership"][regimes].data)
    with pytest.raises(InputError, match="min_score is no longer read"):
        parse_regimes(stale)  # were the replay to re-read it, it would stop here
    # The past process parsed its own files with the parser of its day; here the loaders keep today's
    # parsed files (a process's loaders take the recorded bytes, so faking only the record would make them
    # parse the old-style file with today's parser) while the decision records the old-style bytes.
    from chipguard.ownership import red_flags, screening

    parsed_then = screening.load_regimes()
    red_flags.load_vocab()  # cached per process
    monkeypatch.setattr(screening, "load_regimes", lambda: parsed_then)
    monkeypatch.setattr(refdata, "_recorded_files", lambda: old)
    made = _decide(srv)
    monkeypatch.undo()
    files = made["versions"]["reference_data"]["ownership"]["files"]
    assert files[regimes] == old["ownership"][regimes].sha256
    archived = srv.services.decisions.reference_blobs([files[regimes], files[vocab]])
    assert b"min_score: 0" in archived[files[regimes]]
    assert b"unrelated_business_types" not in archived[files[vocab]]

    report = _replay(srv, made["decision_id"])
    assert report["same"], report["differences"]
    assert report["replayed_outcome"] == made["outcome"]
    ownership = report["components"]["ownership"]
    assert ownership["status"] == "current, different" and ownership["reproduced_with_archived"] is False
    assert ownership["changed_since"] == sorted([regimes, vocab])
    assert any(n.startswith("replayed with different ownership data: ownership/") for n in report["notes"])


EDIT_AFTER_FIRST_USE = """
import hashlib, json, sys
from pathlib import Path
from chipguard import refdata
from chipguard.names.data import matching_config, recorded_settings
from chipguard.ownership.regimes import load_regimes

override = Path(sys.argv[1])
used = matching_config()["threshold"], [r.id for r in load_regimes().regimes]  # the loaders read their files
for rel in ("names/matching.yml", "ownership/regimes.yml"):  # then someone edits them
    path = override / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("threshold: 0.8", "threshold: 0.9") + "\\n# edited\\n", encoding="utf-8")
made = refdata.manifest(None, recorded_settings())  # the first decision records its data
archived = {a.path: hashlib.sha256(a.data).hexdigest() for a in refdata.archive_items()}
print(json.dumps({"threshold": used[0], "regimes": used[1], "manifest": made, "archived": archived}))
"""


def test_a_decision_records_the_matching_and_ownership_bytes_screening_used(tmp_path: Path) -> None:
    """The name-matching and ownership files are read once per process and both the loaders and the
    decision's manifest take those bytes: a file edited between the first screen and the first decision
    is recorded (and archived) as it was when read, the bytes the screening used — before, the manifest
    read the files again at the first decision and recorded bytes no screening had used."""
    import json
    import os
    import subprocess
    import sys

    override = tmp_path / "data"
    originals: dict[str, str] = {}
    for rel in ("names/matching.yml", "ownership/regimes.yml"):
        (override / rel).parent.mkdir(parents=True, exist_ok=True)
        (override / rel).write_bytes((data_dir() / rel).read_bytes())
        originals[rel] = hashlib.sha256((data_dir() / rel).read_bytes()).hexdigest()
    env = {**os.environ, "CHIPGUARD_HOME": str(tmp_path / "home"), "CHIPGUARD_DATA_OVERRIDES": str(override)}
    env.pop("CHIPGUARD_MATCH_THRESHOLD", None)
    run = subprocess.run(
        [sys.executable, "-c", EDIT_AFTER_FIRST_USE, str(override)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(run.stdout)
    assert out["threshold"] == pytest.approx(0.8)
    assert out["manifest"]["matching"]["settings"] == {"threshold": out["threshold"]}
    for rel, component in (("names/matching.yml", "matching"), ("ownership/regimes.yml", "ownership")):
        assert out["manifest"][component]["files"][rel] == originals[rel]
        assert out["archived"][rel] == originals[rel]
        assert hashlib.sha256((override / rel).read_bytes()).hexdigest() != originals[rel]  # it was edited
