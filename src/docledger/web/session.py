"""Who is using the web UI: the signed session cookie, login redirects and CSRF checks.

The UI uses the same API tokens as the REST API: the login page takes a token, and the
session cookie keeps only its hash (signed with the secret in the ledger home). Every
state-changing form and XHR carries the session's CSRF token (form field ``csrf`` or
header ``X-CSRF-Token``).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request

from docledger.auth.session import SESSION_COOKIE, Signer, session_active
from docledger.auth.tokens import LOCAL_ADMIN, Principal, Unauthenticated, authenticate_hash
from docledger.exceptions import DocledgerError


class LoginRequired(Unauthenticated):
    """A UI page was opened without a valid session; the UI answers with a redirect to /ui/login."""


class CsrfFailed(DocledgerError):
    code = "csrf_failed"
    http_status = 403


@dataclass(frozen=True)
class WebUser:
    principal: Principal
    csrf: str
    session: dict[str, Any] | None = None


def signer(request: Request) -> Signer:
    return request.app.state.signer


def current_user(request: Request) -> WebUser:
    """The logged-in user (or the local admin in no-auth mode); raises LoginRequired otherwise."""
    sign = signer(request)
    if not request.app.state.auth_required:
        local = hmac.new(sign.secret, b"local-csrf", hashlib.sha256).hexdigest()[:32]
        request.state.principal = LOCAL_ADMIN
        return WebUser(LOCAL_ADMIN, local)
    session = sign.unsign(request.cookies.get(SESSION_COOKIE))
    if session is None or "h" not in session:
        raise LoginRequired("please sign in", hint="Paste an API token on the sign-in page.")
    if not session_active(request.app.state.ledger, session):
        raise LoginRequired("the session has ended", hint="Sign in again with your API token.")
    try:
        principal = authenticate_hash(request.app.state.ledger, session["h"])
    except Unauthenticated as exc:
        raise LoginRequired(exc.message, hint=exc.hint) from exc
    request.state.principal = principal  # named in the request's audit entry
    return WebUser(principal, str(session["csrf"]), session)


def check_csrf(request: Request, user: WebUser, submitted: str | None) -> None:
    token = submitted or request.headers.get("x-csrf-token")
    if not token or not hmac.compare_digest(token, user.csrf):
        raise CsrfFailed(
            "the form's security token is missing or stale", hint="Reload the page and submit the form again."
        )


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/ui/login?next={quote(target, safe='')}"


def safe_next(value: str | None) -> str:
    """Only same-site UI paths, so the login page cannot be used as an open redirect."""
    if value and value.startswith("/ui") and not value.startswith("//"):
        return value
    return "/ui/"
