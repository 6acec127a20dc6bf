"""Signed web sessions and CSRF tokens, with HMAC-SHA256 and a secret kept in the ledger home.

The cookie holds the *hash* of the API token the user pasted (never the token), an expiry,
a per-session CSRF secret and the id of the session's record in the ledger, signed so it
cannot be forged. Every request re-checks the token hash and the session record against the
ledger, so revoking a token or signing out ends the session at once, for every copy of the
cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

SESSION_COOKIE = "docledger_session"
SESSION_SECONDS = 8 * 3600
_SECRET_FILE = "session.key"


def load_secret(home: Path) -> bytes:
    """The signing secret in ``<home>/session.key`` (created 0600 on first use)."""
    path = Path(home) / _SECRET_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first; use theirs
        return path.read_bytes()
    with os.fdopen(fd, "wb") as f:
        f.write(secret)
    return secret


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self.secret, payload.encode(), hashlib.sha256).digest())

    def sign(self, obj: dict[str, Any]) -> str:
        payload = _b64(json.dumps(obj, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{self._mac(payload)}"

    def unsign(self, value: str | None) -> dict[str, Any] | None:
        """The signed object, or None when missing, tampered with or expired."""
        if not value or "." not in value:
            return None
        payload, mac = value.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            obj = json.loads(_unb64(payload))
        except ValueError:
            return None
        if not isinstance(obj, dict) or float(obj.get("exp", 0)) < time.time():
            return None
        return obj

    # ---- sessions ----------------------------------------------------------------------------
    def new_session(self, token_hash: str, session_id: str | None = None) -> tuple[str, dict[str, Any]]:
        session = {"h": token_hash, "exp": time.time() + SESSION_SECONDS, "csrf": secrets.token_urlsafe(16)}
        if session_id is not None:
            session["sid"] = session_id
        return self.sign(session), session

    # ---- CSRF for the login form (no session yet): a signed, short-lived nonce ----------------
    def login_csrf(self) -> str:
        return self.sign({"login": secrets.token_urlsafe(8), "exp": time.time() + 3600})

    def check_login_csrf(self, value: str | None) -> bool:
        obj = self.unsign(value)
        return obj is not None and "login" in obj


# ---- server-side session records: signing out ends the session for every copy of the cookie ----
def start_session(ledger: Any, signer: Signer, token_hash: str) -> tuple[str, dict[str, Any]]:
    """Record a new session in the ledger and return its signed cookie value."""
    from docledger.ids import new_id

    sid = new_id("ses_")
    value, session = signer.new_session(token_hash, sid)
    with ledger.store.transaction() as tx:
        tx.execute(
            "session_insert", id=sid, token_hash=token_hash, created_at=time.time(), expires_at=float(session["exp"])
        )
    return value, session


def session_active(ledger: Any, session: dict[str, Any]) -> bool:
    """True while the session's record exists, belongs to the same token and was not ended."""
    sid = session.get("sid")
    if not isinstance(sid, str):
        return False
    with ledger.store.read() as tx:
        row = tx.fetchone("session_get", id=sid)
    return (
        row is not None
        and row["ended_at"] is None
        and row["token_hash"] == session.get("h")
        and float(row["expires_at"]) > time.time()
    )


def end_session(ledger: Any, session: dict[str, Any]) -> None:
    sid = session.get("sid")
    if isinstance(sid, str):
        with ledger.store.transaction() as tx:
            tx.execute("session_end", id=sid, now=time.time())
