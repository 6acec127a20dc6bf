"""Errors as RFC 9457 problem documents (application/problem+json), never stack traces.

Every DocledgerError maps to its ``http_status`` and stable ``code``; FastAPI's validation
errors become 422 ``invalid_request``; anything unexpected becomes a 500 whose body carries
only a correlation id, which is also logged with the traceback for the operator.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from docledger.exceptions import DocledgerError, NotFound

log = logging.getLogger("docledger.api")
PROBLEM = "application/problem+json"
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    429: "Too many requests",
    422: "Unprocessable content",
    500: "Internal error",
    503: "Service unavailable",
}


_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "stable error code"},
        "hint": {"type": ["string", "null"], "description": "what to do about it"},
    },
}
#: Declared on every /v1 route: what the server answers with application/problem+json.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": title, "content": {PROBLEM: {"schema": _PROBLEM_SCHEMA}}}
    for status, title in (
        (400, "Bad request"),
        (401, "Missing, unknown or revoked token"),
        (403, "The token's role may not do this"),
        (404, "Not found (or not visible to this token)"),
        (413, "Request body or paragraph too large"),
        (422, "A parameter or body field is not valid"),
        (429, "Rate limit exceeded (see Retry-After)"),
    )
}


class TooLarge(DocledgerError):
    code = "too_large"
    http_status = 413


def problem(
    status: int,
    detail: str,
    *,
    code: str,
    hint: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://docledger.dev/problems/{code}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        "hint": hint,
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def problem_for(exc: DocledgerError) -> JSONResponse:
    status = int(getattr(exc, "http_status", 500) or 500)
    headers = {"WWW-Authenticate": 'Bearer realm="docledger"'} if status == 401 else None
    if getattr(exc, "retry_after", None) is not None:
        headers = {"Retry-After": str(exc.retry_after)}  # type: ignore[attr-defined]
    return problem(status, exc.message, code=exc.code, hint=exc.hint, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(DocledgerError)
    async def _docledger(request: Request, exc: DocledgerError) -> Response:
        if int(getattr(exc, "http_status", 500) or 500) >= 500:
            return _internal(request, exc)
        html = _html_renderer(request)
        if html is not None:
            return html(request, exc)
        return problem_for(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
        where = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
        return problem(
            422,
            f"the request is not valid: {where}",
            code="invalid_request",
            hint="See /openapi.json for the expected parameters.",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        html = _html_renderer(request)
        if html is not None and exc.status_code == 404:
            return html(request, NotFound(f"there is no page at {request.url.path}"))
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "http_error")
        return problem(exc.status_code, str(exc.detail), code=code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _internal(request, exc)


def _html_renderer(request: Request) -> Any:
    """The web UI's error page renderer for /ui paths (set by docledger.web), else None."""
    if not request.url.path.startswith("/ui"):
        return None
    return getattr(request.app.state, "html_error", None)


def _internal(request: Request, exc: Exception) -> JSONResponse:
    correlation_id = secrets.token_hex(8)
    log.error("unhandled error %s on %s %s", correlation_id, request.method, request.url.path, exc_info=exc)
    return problem(
        500,
        f"an internal error occurred (correlation id {correlation_id})",
        code="internal_error",
        hint="Report the correlation id to the operator; the server log has the details.",
        correlation_id=correlation_id,
    )
