"""The FastAPI application: REST API under /v1, compatibility endpoints and the web UI."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from docledger.api import problems, reference
from docledger.api.audit_trail import AuditMiddleware
from docledger.api.limits import RateLimiter
from docledger.api.routers import artifacts, audit, documents, governance, lineage, loans, operations, review, search
from docledger.api.routers import query as query_router
from docledger.api.uploads import BodyLimitMiddleware, body_limit
from docledger.ledger import Ledger
from docledger.pipeline import open_ledger

log = logging.getLogger("docledger.api")

DESCRIPTION = """The docledger REST API: the Document Arrival Register, Ownership, Lineage and Pipeline
Operations services, artifact downloads, search and sentence matching.

Authenticate with `Authorization: Bearer <token>` (`docledger token create`). Every read is
scoped to the token's tenants: another tenant's document answers 404. Errors are
`application/problem+json` with a stable `code` and a `hint`."""


def create_app(ledger: Ledger | None = None, *, auth_required: bool = True) -> FastAPI:
    """Build the app over a ledger (default: the one the DOCLEDGER_ settings describe).

    ``auth_required=False`` serves everything as a local administrator; only bind such an
    app to 127.0.0.1 (``docledger.api.server.serve`` refuses anything else).
    """
    ledger = ledger or open_ledger()
    app = FastAPI(
        title="docledger",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=[{"name": "documents", "description": "Document Arrival Register"}],
        docs_url=None,  # /docs is served by docledger.api.reference (no CDN)
        redoc_url=None,
    )
    app.state.ledger = ledger
    app.state.auth_required = auth_required
    problems.install(app)
    for module in (documents, lineage, artifacts, operations, search, audit, governance, loans, review):
        app.include_router(module.router, responses=problems.PROBLEM_RESPONSES)
    app.include_router(reference.router)
    app.include_router(query_router.router, responses=problems.PROBLEM_RESPONSES)
    from docledger.web import routes as web_routes

    web_routes.install(app)
    app.state.rate_limiter = RateLimiter(ledger.settings.rate_limit_per_minute)
    app.add_middleware(AuditMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=min(ledger.settings.max_request_bytes, body_limit(ledger.settings.max_file_bytes)),
    )
    return app
