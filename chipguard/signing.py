"""Ed25519 signatures of the audit chain's head and of its checkpoints.

Why asymmetric: with a shared HMAC key, whoever can verify the chain can also re-sign a rewritten one,
and the key had to sit beside the database. With Ed25519 the private key signs (only the service holds
it, outside ``CHIPGUARD_HOME``: ``CHIPGUARD_SIGNING_KEY``) and the public key verifies — an auditor given
an exported chain and the public key (``CHIPGUARD_VERIFY_KEY``) can check every signature and forge none.

A signature is written ``ed25519:<128 hex digits>``. The private key is created on first use (PEM,
PKCS#8, file mode 0600, folder 0700) with its public key beside it (``.pub``, SubjectPublicKeyInfo PEM).
Rotation: point ``CHIPGUARD_SIGNING_KEY`` at a new key; the head is re-signed with it on the next append,
and older checkpoints keep verifying against the public keys kept in ``CHIPGUARD_VERIFY_KEY`` (one or
more PEM public keys in that file, the newest first); see docs/SERVICE.md.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from chipguard.errors import ChipguardError
from chipguard.settings import settings

PREFIX = "ed25519:"


class SigningKeyError(ChipguardError):
    """The signing or verification key cannot be read or is not an Ed25519 key."""


def signing_key_path() -> Path:
    return settings().signing_key


def verify_key_path() -> Path:
    configured = settings().verify_key
    return configured if configured is not None else signing_key_path().with_suffix(".pub")


def _publish(path: Path, data: bytes, mode: int) -> bool:
    """Writes ``data`` to ``path`` whole or not at all (a temporary file linked into place), never over
    an existing file; False when another process was first."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


def _write_private(path: Path) -> Ed25519PrivateKey:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    if not _publish(path, pem, 0o600):  # another process created it first: use theirs
        return _read_private(path)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _publish(verify_key_path(), public, 0o644)
    return key


def _read_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"{path}: cannot read the audit signing key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path}: the audit signing key must be an Ed25519 key")
    return key


@lru_cache(maxsize=4)
def _private(path: Path) -> Ed25519PrivateKey:
    return _read_private(path) if path.exists() else _write_private(path)


def private_key() -> Ed25519PrivateKey:
    """The signing key (created on first use, 0600, outside the home by default)."""
    return _private(signing_key_path())


def public_keys() -> list[Ed25519PublicKey]:
    """The verification keys: every PEM public key in the verify-key file (newest first), or the
    signing key's own when no public key file exists yet."""
    path = verify_key_path()
    if not path.exists():
        if signing_key_path().exists():
            return [private_key().public_key()]
        return []
    keys: list[Ed25519PublicKey] = []
    text = path.read_bytes()
    for block in text.split(b"-----END PUBLIC KEY-----"):
        if b"-----BEGIN PUBLIC KEY-----" not in block:
            continue
        try:
            key = serialization.load_pem_public_key(block + b"-----END PUBLIC KEY-----\n")
        except ValueError as exc:
            raise SigningKeyError(f"{path}: not a PEM public key ({exc})") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise SigningKeyError(f"{path}: the verification key must be an Ed25519 key")
        keys.append(key)
    return keys


def sign(message: str) -> str:
    return PREFIX + private_key().sign(message.encode("utf-8")).hex()


def verify(message: str, signature: str, keys: list[Ed25519PublicKey] | None = None) -> bool:
    """Whether ``signature`` (``ed25519:…``) signs ``message`` under one of the verification keys."""
    if not signature.startswith(PREFIX):
        return False
    try:
        raw = bytes.fromhex(signature[len(PREFIX) :])
    except ValueError:
        return False
    for key in keys if keys is not None else public_keys():
        try:
            key.verify(raw, message.encode("utf-8"))
            return True
        except InvalidSignature:
            continue
    return False


def head_message(seq: int, last_hash: str) -> str:
    """What a head signature covers (the number of entries and the last hash)."""
    return f"chipguard-audit-head:{seq}:{last_hash}"


def checkpoint_message(chain: str, seq: int, last_hash: str, ts: str) -> str:
    """What a checkpoint signature covers: which chain (its first entry's hash), how far, when."""
    return f"chipguard-audit-checkpoint:{chain}:{seq}:{last_hash}:{ts}"
