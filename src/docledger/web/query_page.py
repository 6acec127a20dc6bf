"""Web UI: ask a document a question from its page (answers with value, confidence, page and source)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from docledger.exceptions import DocledgerError
from docledger.services.query import query_document
from docledger.web.session import WebUser, current_user

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("/documents/{document_id}/query")
def query_page(request: Request, document_id: str, q: str = "", user: WebUser = Depends(current_user)) -> Response:
    from docledger.web.rendering import render

    ledger = request.app.state.ledger
    doc = ledger.get_document(document_id, tenants=user.principal.scope)
    answers: list[dict[str, Any]] | None = None
    error = None
    if q.strip():
        try:
            answers = query_document(ledger, document_id, q[:500], tenants=user.principal.scope)
        except DocledgerError as exc:
            error = exc
    return render(request, "query.html", user, nav="documents", doc=doc, q=q, answers=answers, error=error)
