"""The rollback witness: every committed head of the audit chain, signed, in an append-only file that
lives apart from the database (``CHIPGUARD_CHECKPOINT_DIR``).

Why: the chain and its signed head prove that nothing *inside* a database was changed, but a whole
database restored from last month's backup (or a chain cut back and re-signed by someone holding the
key) is a perfectly valid chain. Each commit that appends to the chain also appends a line here
(after the commit, from the same process), and ``audit verify`` fails when the database's head is
behind the latest checkpoint of its chain. For the witness to hold, the folder must be where the
database's owner cannot rewrite it (another volume or host, a WORM bucket); ``chipguard audit
checkpoint`` prints the signed head for an external timestamping or transparency-log service as well.

One JSON object a line: ``{"chain", "seq", "hash", "ts", "signature"}``. ``chain`` is the hash of the
chain's first entry, so several databases can share the folder. Lines are appended with O_APPEND and
fsync; processes of one service may interleave lines, so the latest is the one with the highest seq.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from chipguard import signing
from chipguard.settings import settings

FILE_NAME = "audit-checkpoints.jsonl"
_PENDING = "chipguard_checkpoint"
log = logging.getLogger("chipguard.audit")


def path() -> Path:
    return settings().checkpoint_dir / FILE_NAME


def _sign(message: str, hmac_key: bytes | None) -> str:
    if hmac_key is not None:  # a log that signs its head with an HMAC key signs its checkpoints alike
        return "hmac:" + hmac.new(hmac_key, message.encode(), hashlib.sha256).hexdigest()
    return signing.sign(message)


def _signature_ok(message: str, signature: str, hmac_key: bytes | None) -> bool:
    if signature.startswith("hmac:"):
        if hmac_key is None:
            return False
        expected = "hmac:" + hmac.new(hmac_key, message.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(signature, expected)
    return signing.verify(message, signature)


def write(chain: str, seq: int, last_hash: str, hmac_key: bytes | None = None) -> dict[str, Any]:
    """Appends one signed checkpoint line (file 0600 when created) and returns it."""
    ts = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    line = {
        "chain": chain,
        "seq": seq,
        "hash": last_hash,
        "ts": ts,
        "signature": _sign(signing.checkpoint_message(chain, seq, last_hash, ts), hmac_key),
    }
    target = path()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(line, sort_keys=True) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


def after_commit(session: Session, chain: str, seq: int, last_hash: str, hmac_key: bytes | None) -> None:
    """Writes the checkpoint of ``seq`` once ``session`` commits (the last append of the transaction
    wins); nothing is written when it rolls back."""
    first = _PENDING not in session.info
    session.info[_PENDING] = (chain, seq, last_hash, hmac_key)
    if first:
        event.listen(session, "after_commit", _flush_pending)
        event.listen(session, "after_rollback", _drop_pending)


def _flush_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is not None:
        write_committed(*pending)


def write_committed(chain: str, seq: int, last_hash: str, hmac_key: bytes | None) -> None:
    """Writes the checkpoint of a head that is committed already: a failure is logged, not raised."""
    try:
        write(chain, seq, last_hash, hmac_key)
    except OSError:  # the commit stands; a missing checkpoint only weakens the witness: say so loudly
        log.exception("could not write the audit checkpoint to %s", path())


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def latest(chain: str, hmac_key: bytes | None = None) -> tuple[dict[str, Any] | None, list[int]]:
    """(the validly signed checkpoint of ``chain`` with the highest seq, line numbers of lines of this
    chain whose signature does not verify)."""
    target = path()
    if not target.exists():
        return None, []
    best: dict[str, Any] | None = None
    forged: list[int] = []
    with target.open(encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            try:
                line = json.loads(text)
            except ValueError:
                forged.append(number)
                continue
            if not isinstance(line, dict) or line.get("chain") != chain:
                continue
            try:
                message = signing.checkpoint_message(
                    chain, int(line["seq"]), str(line["hash"]), str(line["ts"])
                )
            except (KeyError, TypeError, ValueError):
                forged.append(number)
                continue
            if not _signature_ok(message, str(line.get("signature", "")), hmac_key):
                forged.append(number)
                continue
            if best is None or int(line["seq"]) > int(best["seq"]):
                best = line
    return best, forged
