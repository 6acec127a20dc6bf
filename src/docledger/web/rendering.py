"""Rendering UI pages and errors: the Jinja2 templates, security headers and the request's ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from docledger.auth.tokens import Unauthenticated
from docledger.exceptions import DocledgerError
from docledger.ledger import Ledger
from docledger.web.session import WebUser, current_user, login_url

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def ledger_of(request: Request) -> Ledger:
    return request.app.state.ledger


# Pages load only their own script and stylesheet; inline style attributes place the OCR boxes.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def render(request: Request, name: str, user: WebUser | None, status_code: int = 200, **ctx: Any) -> Response:
    return templates.TemplateResponse(
        request,
        name,
        {"user": user, "auth_required": request.app.state.auth_required, **ctx},
        status_code=status_code,
        headers=SECURITY_HEADERS,
    )


def html_error(request: Request, exc: DocledgerError) -> Response:
    if isinstance(exc, Unauthenticated):
        return RedirectResponse(login_url(request), status_code=303)
    try:
        user: WebUser | None = current_user(request)
    except DocledgerError:
        user = None
    status = int(getattr(exc, "http_status", 400) or 400)
    title = {404: "Not found", 403: "Not allowed", 413: "Too large"}.get(status, "Problem")
    return render(request, "error.html", user, status_code=status, title=title, error=exc)
