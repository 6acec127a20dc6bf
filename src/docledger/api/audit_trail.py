"""Every API and UI request is appended to the audit log before its response leaves (fail closed).

The entry names the principal (or ``anonymous`` when authentication failed), the route template
(``GET /v1/documents/{document_id}``), the target (the document, artifact or task in the path),
the client address and the status code. Routes that return other documents (search, match) add
them with ``note_documents(request, ids)``. Query values are not stored (a search string can be
PII); only their names are.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


UNAVAILABLE = json.dumps(
    {
        "type": "about:blank",
        "title": "Audit log unavailable",
        "status": 503,
        "code": "audit_unavailable",
        "detail": "The request was not answered because it could not be audited.",
        "hint": "Retry later; operators: check the ledger database.",
    }
).encode()


class AuditMiddleware:
    """A plain ASGI middleware (no per-request task or stream, unlike BaseHTTPMiddleware): the entry is
    written when the response starts, i.e. after the route ran and before any byte of it is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNAUDITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        refused = False

        async def send_audited(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start":
                try:
                    await run_in_threadpool(audit.record, scope["app"].state.ledger, **_entry(scope, message))
                except Exception:  # no audit entry, no answer: a bank's auditors expect fail-closed
                    log.exception("audit entry could not be written; refusing the response")
                    refused = True
                    headers = [
                        (b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(UNAVAILABLE)).encode()),
                    ]
                    await send({"type": "http.response.start", "status": 503, "headers": headers})
                    await send({"type": "http.response.body", "body": UNAVAILABLE})
                    return
            if not refused:
                await send(message)

        await self.app(scope, receive, send_audited)


def _entry(scope: Scope, start: Message) -> dict[str, Any]:
    state = scope.get("state") or {}
    principal = state.get("principal")
    route = scope.get("route")
    template = getattr(route, "path", None) or scope["path"]
    params = scope.get("path_params") or {}
    detail: dict[str, Any] = {"status": int(start["status"])}
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if query:
        detail["params"] = sorted(query)
    documents = state.get("audit_documents")
    if documents:
        detail["documents"] = documents[:200]
    tenants: tuple[str, ...] = tuple(getattr(principal, "tenants", ()))
    client = scope.get("client")
    return {
        "principal": getattr(principal, "principal", None) or "anonymous",
        "action": f"{scope['method']} {template}",
        "tenant": tenants[0] if len(tenants) == 1 else None,
        "target": _target(params),
        "client": client[0] if client else None,
        "detail": detail,
        "durable": scope["method"] not in ("GET", "HEAD", "OPTIONS"),
    }
