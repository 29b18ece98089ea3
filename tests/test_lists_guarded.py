"""Guarded, atomic list loads (issue 14): a CSV cut inside an open quoted field is refused (list loads,
screen-file and batch inputs); a load that would shrink a source below min_record_share of its active
snapshot is refused unless forced with a reason, which is audited; `lists remove` is audited; and the
load, the pointer flip and the audit entry commit together — a process killed just after appending the
entry, before the commit, leaves neither the snapshot nor the entry (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipguard.audit import AuditLog
from chipguard.cli import app as cli_app
from chipguard.errors import InputError
from chipguard.service.query_files import read_input
from chipguard.sources import SourceError
from chipguard.store.db import get_engine
from chipguard.store.snapshots import ListsAudit, ListShrinkError, LoadSpec, SnapshotStore

SAMPLE_2019 = "lists/samples/us_csl_sample_2019.csv"  # 115 records


def _cut_inside_quote(src: Path, dest: Path) -> None:
    """``src`` cut off just after the opening quote of a quoted field half-way through it."""
    data = src.read_bytes()
    at = data.index(b',"', len(data) // 2) + 2
    dest.write_bytes(data[:at] + b"Half a name")


def _first_records(src: Path, dest: Path, rows: int) -> None:
    import csv

    with src.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        kept = [next(reader) for _ in range(rows + 1)]
    with dest.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(kept)


def test_a_list_cut_inside_a_quote_is_refused(home: Path, shared: Path, tmp_path: Path) -> None:
    cut = tmp_path / "us_csl_cut.csv"
    _cut_inside_quote(shared / SAMPLE_2019, cut)
    store = SnapshotStore()
    with pytest.raises(SourceError, match="ends inside an open quoted field"):
        store.load_file(cut, format="csl_csv")
    assert store.active() == []
    result = CliRunner().invoke(cli_app, ["lists", "load", str(cut), "--format", "csl_csv"])
    assert result.exit_code != 0 and "ends inside an open quoted field" in result.output
    assert store.active() == [] and list(AuditLog(store.engine).entries()) == []
    # the same file, whole, loads
    assert store.load_file(shared / SAMPLE_2019).record_count == 115


def test_a_shrunken_list_needs_force_with_a_reason(home: Path, shared: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli_app, ["lists", "load", str(shared / SAMPLE_2019)]).exit_code == 0
    store = SnapshotStore()
    before = store.active()
    small = tmp_path / "us_csl_small.csv"
    _first_records(shared / SAMPLE_2019, small, 40)
    result = runner.invoke(cli_app, ["lists", "load", str(small)])
    assert result.exit_code != 0
    assert "40 records would replace the 115" in result.output and "--force REASON" in result.output
    assert store.active() == before
    with pytest.raises(ListShrinkError):
        store.load_files([LoadSpec(small)], ListsAudit("test", "lists.load"))
    # 93 of 115 (81 %) is above the 80 % default: no force needed
    larger = tmp_path / "us_csl_larger.csv"
    _first_records(shared / SAMPLE_2019, larger, 93)
    result = runner.invoke(cli_app, ["lists", "load", str(larger)])
    assert result.exit_code == 0, result.output
    assert store.active()[0].record_count == 93
    # forced, with the reason in the audit entry
    result = runner.invoke(
        cli_app, ["lists", "load", str(small), "--force", "BIS delisted 53 parties (90 FR 1234)"]
    )
    assert result.exit_code == 0, result.output
    assert store.active()[0].record_count == 40
    entry = [e for e in AuditLog(store.engine).entries() if e.action == "lists.load"][-1]
    assert entry.payload["forced"]["reason"] == "BIS delisted 53 parties (90 FR 1234)"
    shrunk = entry.payload["forced"]["below_share"]
    assert [(s["source"], s["records"], s["active_records"], s["min_share"]) for s in shrunk] == [
        ("us_csl", 40, 93, 0.8)
    ]
    # the share is configurable (0 turns the guard off)
    (home / "data").mkdir(exist_ok=True)
    (home / "data" / "list_sources.yml").write_text("min_record_share: 0.2\n", encoding="utf-8")
    result = runner.invoke(cli_app, ["lists", "load", str(larger)])
    assert result.exit_code == 0, result.output
    tiny = tmp_path / "us_csl_tiny.csv"
    _first_records(shared / SAMPLE_2019, tiny, 10)
    assert runner.invoke(cli_app, ["lists", "load", str(tiny)]).exit_code != 0  # 10 < 0.2 × 93
    assert runner.invoke(cli_app, ["lists", "load", str(small)]).exit_code == 0  # 40 ≥ 0.2 × 93
    assert AuditLog(store.engine).verify().ok


def test_lists_remove_is_audited(home: Path, shared: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli_app, ["lists", "load", str(shared / SAMPLE_2019)]).exit_code == 0
    sha = SnapshotStore().active()[0].sha256
    result = runner.invoke(cli_app, ["lists", "remove", "us_csl"])
    assert result.exit_code == 0, result.output
    entries = list(AuditLog(get_engine()).entries())
    assert [e.action for e in entries] == ["lists.load", "lists.remove"]
    removal = entries[-1]
    assert removal.actor.startswith("cli") and removal.payload["source"] == "us_csl"
    assert removal.payload["snapshots"][0]["sha256"] == sha and removal.payload["versions"]["lists"] == {}
    assert SnapshotStore().active() == []


def test_screen_file_and_batch_refuse_a_cut_input(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text('id,name\n1,Acme\n2,"Northwind Trad', encoding="utf-8")
    with pytest.raises(InputError, match="ends inside an open quoted field"):
        read_input(path)
    result = CliRunner().invoke(cli_app, ["screen-file", str(path), "--out", str(tmp_path / "out.jsonl")])
    assert result.exit_code != 0 and "ends inside an open quoted field" in result.output
    assert not (tmp_path / "out.jsonl").exists()


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from chipguard.audit import AuditLog
    from chipguard.store.db import get_engine
    from chipguard.store.snapshots import ListsAudit, LoadSpec, SnapshotStore

    original = AuditLog.append

    def append_then_die(self, session, actor, action, payload):
        entry = original(self, session, actor, action, payload)
        session.flush()
        os.kill(os.getpid(), signal.SIGKILL)  # after the snapshot, the flip and the entry; before commit
        return entry

    store = SnapshotStore(get_engine(sys.argv[1]))
    store.load_file(Path(sys.argv[2]))  # commits normally, with its entry
    AuditLog.append = append_then_die
    store.load_files([LoadSpec(Path(sys.argv[3]))], ListsAudit("test", "lists.load"))
    """
)


def test_killed_between_the_snapshot_and_its_audit_entry_leaves_neither(
    db_url: str, home: Path, shared: Path, tmp_path: Path
) -> None:
    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    first, second = shared / "lists/samples/us_csl_sample_2025.csv", shared / SAMPLE_2019
    proc = subprocess.run(
        [sys.executable, str(script), db_url, str(first), str(second)],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    engine = get_engine(db_url)
    store = SnapshotStore(engine)
    active = store.active()
    # the first (committed) load is in force with its entry; of the killed one nothing: no snapshot,
    # no entry
    assert [i.record_count for i in active] == [13]
    assert [i.record_count for i in store.history()] == [13]
    log = AuditLog(engine)
    assert [e.seq for e in log.entries()] == [1] and log.verify().ok
    # and a load that is not killed commits both
    audit = ListsAudit("test", "lists.load")
    store.load_files([LoadSpec(second)], audit)
    assert [e.seq for e in log.entries()] == [1, audit.entry.seq] == [1, 2]
    assert store.active()[0].record_count == 115
    engine.dispose()
