"""API keys: each has a role (``screen``, ``analyst``, ``admin``, ``auditor``; what each may do is in
``chipguard.store.permissions``); only a salted SHA-256 of each secret is stored.

The role is a plain string column (no database constraint), checked here on creation, so a new role
needs no migration.

Why salted SHA-256 and not a slow password hash: the secrets are 256-bit random tokens, not
human-chosen passwords, so brute force is hopeless either way, while a fast hash keeps authentication
cheap on every request. The per-key salt keeps equal secrets from producing equal rows.
The token is ``cg_<key_id>_<secret>``: the key id (not secret) finds the row, the secret is compared in
constant time. Tokens are shown once, at creation, and never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from chipguard.audit import AuditLog, utc_now
from chipguard.errors import InputError
from chipguard.store import context, evidence
from chipguard.store.errors import NotFoundError
from chipguard.store.permissions import ROLES, Permission, permissions_of
from chipguard.store.records import ApiKeyRow

_CACHE_SECONDS = 5.0
_KEY_ID = re.compile(r"[0-9a-f]{12}")


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    role: str
    label: str
    created_at: str
    created_by: str
    revoked: bool = False

    def can(self, permission: Permission | str) -> bool:
        """True when this key is live and its role holds ``permission`` (a string must name one: a typo
        raises ValueError rather than silently refusing or allowing)."""
        return not self.revoked and Permission(permission) in permissions_of(self.role)

    @property
    def actor(self) -> str:
        """How the audit log names the holder of this key (never the secret)."""
        return f"key:{self.key_id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "role": self.role,
            "label": self.label,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "revoked": self.revoked,
        }


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode("utf-8")).hexdigest()


def _row_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(row.key_id, row.role, row.label, row.created_at, row.created_by, row.revoked)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    return role


class KeyStore:
    """Creates, lists, revokes and authenticates API keys. Authentication results are cached a few
    seconds per token hash so the hot screening path does not hit the database on every request."""

    def __init__(self, engine: Engine, audit: AuditLog) -> None:
        self.engine = engine
        self.audit = audit
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}
        self._lock = threading.Lock()

    def create(self, role: str, label: str = "", actor: str = "cli") -> tuple[str, ApiKey]:
        """Returns (token, key). The token is the only copy of the secret: show it once."""
        check_role(role)
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_hex(16)
        now = utc_now()
        row = ApiKeyRow(
            key_id=key_id,
            role=role,
            salt=salt,
            secret_hash=_hash(salt, secret),
            label=label[:128],
            created_at=now,
            created_by=actor,
            revoked=False,
        )
        with self.audit.writer_session() as session, session.begin():
            session.add(row)
            session.flush()
            self.audit.append(
                session,
                actor,
                "key.create",
                {
                    "key_id": key_id,
                    "role": role,
                    "label": label,
                    "versions": context.versions(self.engine),
                    "evidence": [evidence.seal_object(row)],
                },
            )
        return f"cg_{key_id}_{secret}", ApiKey(key_id, role, label[:128], now, actor)

    def revoke(self, key_id: str, actor: str = "cli") -> ApiKey:
        with self.audit.writer_session() as session, session.begin():
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFoundError(f"no API key {key_id!r}")
            row.revoked = True
            session.flush()
            self.audit.append(
                session,
                actor,
                "key.revoke",
                {
                    "key_id": key_id,
                    "versions": context.versions(self.engine),
                    "evidence": [evidence.seal_object(row)],
                },
            )
            key = _row_key(row)
        with self._lock:
            self._cache.clear()
        return key

    def find(self) -> list[ApiKey]:
        with Session(self.engine) as session:
            rows = session.execute(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).scalars()
            return [_row_key(r) for r in rows]

    def count(self, role: str | None = None) -> int:
        with Session(self.engine) as session:
            query = select(func.count()).select_from(ApiKeyRow).where(ApiKeyRow.revoked.is_(False))
            if role:
                query = query.where(ApiKeyRow.role == role)
            return int(session.execute(query).scalar_one())

    def cached(self, token: str) -> tuple[bool, ApiKey | None]:
        """(True, key-or-None) when the token's result is cached and fresh, (False, None) otherwise: lets
        an async caller answer from memory and go to the database (in a thread) only on a miss."""
        entry = self._cache.get(hashlib.sha256(token.encode("utf-8")).hexdigest())
        if entry is not None and time.monotonic() - entry[0] < _CACHE_SECONDS:
            return True, entry[1]
        return False, None

    def authenticate(self, token: str) -> ApiKey | None:
        """The key a presented token belongs to, or None (unknown, malformed, wrong secret or revoked)."""
        parts = token.split("_", 2)
        if (
            len(parts) != 3
            or parts[0] != "cg"
            or not _KEY_ID.fullmatch(parts[1])
            or not parts[2]
            or len(token) > 200
        ):
            return None
        cache_key = hashlib.sha256(token.encode("utf-8")).hexdigest()
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(cache_key)
        if cached is not None and now - cached[0] < _CACHE_SECONDS:
            return cached[1]
        with Session(self.engine) as session:
            row = session.get(ApiKeyRow, parts[1])
            key: ApiKey | None = None
            if (
                row is not None
                and not row.revoked
                and hmac.compare_digest(row.secret_hash, _hash(row.salt, parts[2]))
            ):
                key = _row_key(row)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[cache_key] = (now, key)
        return key
