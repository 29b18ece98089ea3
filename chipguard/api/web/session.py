"""Signed session cookies and CSRF tokens for the analyst web UI.

Why a signed cookie that names the key id, not the API key itself: the key is a long-lived bearer secret
that also opens the REST API; the cookie only proves "this browser signed in with key X until time T".
Every request re-reads the key (a revoked key ends its sessions within seconds) and the role comes from
the key store, never from the cookie. The cookie is HttpOnly (no script can read it), SameSite=Strict (no
other site can make the browser send it) and Secure when served over HTTPS.

Why CSRF tokens on top of SameSite: defence in depth for browsers or proxies that do not honour SameSite;
the token is an HMAC of the session's random nonce, so it needs no server-side state and is valid in every
worker. The sign-in form has its own token bound to a pre-session cookie (login CSRF).

The signing key is ``CHIPGUARD_UI_SECRET`` when set, else a random secret kept in
``$CHIPGUARD_HOME/ui.secret`` (created 0600 on first use; every worker of one home shares it; hosts
sharing a database set ``CHIPGUARD_UI_SECRET``). It is separate from the audit signing key on purpose:
whoever can forge a session must not be able to sign the audit chain, and the other way round.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

from chipguard.settings import settings

SESSION_COOKIE = "cg_session"
LOGIN_COOKIE = "cg_login"


def session_hours() -> float:
    """Absolute lifetime of a UI session (``CHIPGUARD_UI_SESSION_HOURS``, default 8: one working day)."""
    return max(0.01, settings().ui_session_hours)


def signing_key() -> bytes:
    env = settings().ui_secret
    if env:
        return hashlib.sha256(env.encode("utf-8")).digest()
    path = settings().home / "ui.secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker created it first
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return hmac.new(path.read_text().strip().encode(), b"chipguard-ui-session-v2", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class Session:
    key_id: str
    issued: int
    expires: int
    nonce: str


class SessionSigner:
    """Makes and checks session cookie values and the CSRF tokens derived from them."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key  # read on first use: creating the app must not need the audit key file yet

    def _mac(self, purpose: str, value: str) -> str:
        if self._key is None:
            self._key = signing_key()
        return _b64(hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).digest())

    def issue(self, key_id: str, now: float | None = None) -> tuple[str, Session]:
        issued = int(now if now is not None else time.time())
        session = Session(key_id, issued, issued + int(session_hours() * 3600), secrets.token_urlsafe(16))
        body = _b64(
            json.dumps(
                {"k": session.key_id, "i": session.issued, "e": session.expires, "n": session.nonce},
                separators=(",", ":"),
            ).encode()
        )
        return f"{body}.{self._mac('session', body)}", session

    def read(self, value: str | None, now: float | None = None) -> Session | None:
        """The session a cookie value holds, or None when it is missing, forged, malformed or expired."""
        if not value or len(value) > 1024 or value.count(".") != 1:
            return None
        body, mac = value.split(".")
        if not hmac.compare_digest(mac, self._mac("session", body)):
            return None
        try:
            data: Any = json.loads(_unb64(body))
            session = Session(str(data["k"]), int(data["i"]), int(data["e"]), str(data["n"]))
        except (ValueError, KeyError, TypeError):
            return None
        if (now if now is not None else time.time()) >= session.expires:
            return None
        return session

    def csrf_token(self, session: Session) -> str:
        return self._mac("csrf", session.nonce)

    def login_token(self, login_nonce: str) -> str:
        return self._mac("login", login_nonce)

    @staticmethod
    def same(expected: str, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
