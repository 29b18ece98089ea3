"""The rollback witness and the asymmetric signature (issue 14): every committed head is checkpointed,
signed, outside the database, and `audit verify` fails when the database is behind it (an older copy
restored, or the tail cut and re-signed by someone holding the key); the head and checkpoints are signed
with Ed25519, the private key outside CHIPGUARD_HOME (0600) and verification needs only the public key;
a swapped key is detected; an auditor verifies an exported chain with the public key only; database,
key and UI-secret files are created 0600."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from chipguard import checkpoints, signing
from chipguard.api.web.session import signing_key as ui_signing_key
from chipguard.audit import AuditLog
from chipguard.cli import app as cli_app
from chipguard.service.services import Services
from chipguard.settings import settings
from chipguard.store import testing
from chipguard.store.db import forget_engine, get_engine
from chipguard.store.records import AuditEntryRow, AuditHeadRow


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _fill(log: AuditLog, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        log.record("cli:test", "note.add", {"i": i})


def test_heads_and_checkpoints_are_signed_with_ed25519_outside_the_home(home: Path) -> None:
    log = AuditLog(get_engine())
    _fill(log, 3)
    with Session(log.engine) as s:
        head = s.get(AuditHeadRow, 1)
        assert head is not None and head.signature.startswith("ed25519:") and len(head.signature) == 136
    key = settings().signing_key
    assert key.exists() and home not in key.parents and _mode(key) == 0o600
    assert signing.verify_key_path().exists()
    lines = checkpoints.path().read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3]
    assert all(json.loads(line)["signature"].startswith("ed25519:") for line in lines)
    assert _mode(checkpoints.path()) == 0o600
    assert _mode(home / "chipguard.db") == 0o600
    ui_signing_key()
    assert _mode(home / "ui.secret") == 0o600 and ui_signing_key() != key.read_bytes()
    assert log.verify().ok


def test_verify_needs_only_the_public_key(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AuditLog(get_engine())
    _fill(log, 3)
    public = tmp_path / "auditor.pub"
    shutil.copy(signing.verify_key_path(), public)
    monkeypatch.setenv("CHIPGUARD_SIGNING_KEY", str(tmp_path / "absent" / "no.key"))
    monkeypatch.setenv("CHIPGUARD_VERIFY_KEY", str(public))
    assert AuditLog(get_engine()).verify().ok
    assert not (tmp_path / "absent").exists()  # verifying created no private key


def test_a_swapped_key_is_detected(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = AuditLog(get_engine())
    _fill(log, 3)
    original_public = signing.verify_key_path().read_bytes()
    # someone with database access and a key of their own cuts the tail and re-signs the head
    other = tmp_path / "other" / "attacker.key"
    monkeypatch.setenv("CHIPGUARD_SIGNING_KEY", str(other))
    forger = AuditLog(get_engine())
    testing.allow_tampering(forger.engine)
    with Session(forger.engine) as s, s.begin():
        last = s.get(AuditEntryRow, 2)
        assert last is not None
        s.execute(delete(AuditEntryRow).where(AuditEntryRow.seq == 3))
        s.execute(
            update(AuditHeadRow).values(seq=2, hash=last.hash, signature=forger.sign_head(2, last.hash))
        )
    # verified with the real public key, the forged head fails
    public = tmp_path / "real.pub"
    public.write_bytes(original_public)
    monkeypatch.setenv("CHIPGUARD_VERIFY_KEY", str(public))
    kinds = {p.kind for p in AuditLog(get_engine()).verify().problems}
    assert "head" in kinds


def test_a_restored_older_copy_is_behind_its_checkpoint(home: Path, tmp_path: Path) -> None:
    db = home / "chipguard.db"
    services = Services.open()
    _fill(services.audit, 3)
    services.engine.dispose()
    older = tmp_path / "backup.db"
    shutil.copy(db, older)
    services = Services.open()
    _fill(services.audit, 2, start=3)
    assert services.verify_audit().ok
    services.engine.dispose()
    forget_engine(f"sqlite:///{db}")
    shutil.copy(older, db)  # the operator restores last week's copy
    check = Services.open().verify_audit()
    assert not check.ok
    rollback = [p for p in check.chain.problems if p.kind == "rollback"]
    assert rollback and rollback[0].seq == 5 and "behind its checkpoint" in rollback[0].message


def test_a_tail_cut_and_re_signed_with_the_real_key_is_caught(db_url: str, home: Path) -> None:
    """Holding the signing key (not only the database) is not enough: the checkpoint outside the
    database still remembers how far the chain went — on SQLite and PostgreSQL."""
    log = AuditLog(get_engine(db_url))
    _fill(log, 4)
    testing.allow_tampering(log.engine)
    with Session(log.engine) as s, s.begin():
        last = s.get(AuditEntryRow, 2)
        assert last is not None
        s.execute(delete(AuditEntryRow).where(AuditEntryRow.seq > 2))
        s.execute(update(AuditHeadRow).values(seq=2, hash=last.hash, signature=log.sign_head(2, last.hash)))
    problems = log.verify().problems
    assert [(p.kind, p.seq) for p in problems] == [("rollback", 4)]


def test_checkpoint_command_and_forged_lines(home: Path) -> None:
    log = AuditLog(get_engine())
    _fill(log, 2)
    result = CliRunner().invoke(cli_app, ["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["seq"] == 2 and printed["signature"].startswith("ed25519:")
    assert json.loads(checkpoints.path().read_text(encoding="utf-8").splitlines()[-1]) == printed
    forged = dict(printed, seq=9, signature=printed["signature"])
    with checkpoints.path().open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(forged) + "\n")
    problems = log.verify().problems
    assert [p.kind for p in problems] == ["checkpoint"] and "no valid signature" in problems[0].message


def test_an_auditor_verifies_an_export_with_the_public_key_only(home: Path, tmp_path: Path) -> None:
    log = AuditLog(get_engine())
    _fill(log, 5)
    export = tmp_path / "audit.jsonl"
    log.export_file(export, "jsonl")
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(json.dumps(log.checkpoint()), encoding="utf-8")
    public = tmp_path / "auditor.pub"
    shutil.copy(signing.verify_key_path(), public)
    runner = CliRunner()
    args = [
        "audit",
        "verify-export",
        str(export),
        "--checkpoint",
        str(checkpoint),
        "--public-key",
        str(public),
    ]
    result = runner.invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    # an edited export, or another key, fails
    lines = export.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[2])
    edited["actor"] = "cli:someone-else"
    export.write_text("\n".join([*lines[:2], json.dumps(edited), *lines[3:]]) + "\n", encoding="utf-8")
    result = runner.invoke(cli_app, args)
    assert result.exit_code == 1 and "entry 3 does not match its hash" in result.output
    log.export_file(export, "jsonl")
    stranger = Ed25519PrivateKey.generate().public_key()
    public.write_bytes(
        stranger.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    result = runner.invoke(cli_app, args)
    assert result.exit_code == 1 and "signature does not verify" in result.output
