"""Every API and UI request is appended to the audit log before its response leaves (fail closed).

The entry names the principal (or ``anonymous`` when authentication failed), the route template
(``GET /v1/documents/{document_id}``), the target (the document, artifact or task in the path),
the client address and the status code. Routes that return other documents (search, match) add
them with ``note_documents(request, ids)``. Query values are not stored (a search string can be
PII); only their names are.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from docledger.ledger import audit

log = logging.getLogger("docledger.audit")
UNAUDITED_PREFIXES = ("/static", "/favicon", "/healthz", "/docs", "/redoc", "/openapi.json", "/metrics")
TARGET_PARAMS = ("document_id", "artifact_id", "task_id", "token_id", "case_id", "loan_id", "entity")


def note_documents(request: Request, document_ids: Iterable[str]) -> None:
    """Name the documents a response disclosed (search hits, matches) in its audit entry."""
    seen = getattr(request.state, "audit_documents", None)
    if seen is None:
        seen = request.state.audit_documents = []
    for doc in document_ids:
        if doc not in seen:
            seen.append(doc)


def _target(params: dict[str, Any]) -> str | None:
    for name in TARGET_PARAMS:
        if params.get(name):
            return str(params[name])
    return None


class AuditMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path.startswith(UNAUDITED_PREFIXES):
            return await call_next(request)
        response = await call_next(request)
        principal = getattr(request.state, "principal", None)
        route = request.scope.get("route")
        template = getattr(route, "path", None) or path
        params = request.scope.get("path_params") or {}
        detail: dict[str, Any] = {"status": response.status_code}
        if request.query_params:
            detail["params"] = sorted(request.query_params.keys())
        documents = getattr(request.state, "audit_documents", None)
        if documents:
            detail["documents"] = documents[:200]
        tenants: tuple[str, ...] = tuple(getattr(principal, "tenants", ()))
        entry: dict[str, Any] = {
            "principal": getattr(principal, "principal", None) or "anonymous",
            "action": f"{request.method} {template}",
            "tenant": tenants[0] if len(tenants) == 1 else None,
            "target": _target(params),
            "client": request.client.host if request.client else None,
            "detail": detail,
            "durable": request.method not in ("GET", "HEAD", "OPTIONS"),
        }
        try:
            await run_in_threadpool(audit.record, request.app.state.ledger, **entry)
        except Exception:  # no audit entry, no answer: a bank's auditors expect fail-closed
            log.exception("audit entry could not be written; refusing the response")
            return JSONResponse(
                {
                    "type": "about:blank",
                    "title": "Audit log unavailable",
                    "status": 503,
                    "code": "audit_unavailable",
                    "detail": "The request was not answered because it could not be audited.",
                    "hint": "Retry later; operators: check the ledger database.",
                },
                status_code=503,
                media_type="application/problem+json",
            )
        return response
