"""Search, question answering, sentence matching, the entity graph and the invocations endpoint.

Each delegates to ``docledger.services`` (the web UI calls the same functions). Every
call passes the caller's tenants, so results never include another tenant's documents.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, model_validator

from docledger.api.audit_trail import note_documents
from docledger.api.deps import check_paragraph, get_ledger, get_principal, invocation_principal, rate_limit
from docledger.auth.tokens import Principal
from docledger.ledger import Ledger
from docledger.services import graph as graph_service
from docledger.services import match as match_service
from docledger.services import search as search_service

router = APIRouter(tags=["search"])


@router.get("/v1/search")
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=1000)],
    owner: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    """Full-text search: hits with document id, page, snippet and score."""
    rate_limit(request, principal, "search")
    results = search_service.search(ledger, q, tenants=principal.scope, owner=owner, limit=limit)
    note_documents(request, (r["document_id"] for r in results))
    return {"query": q, "results": results}


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    limit: int = Field(default=5, ge=1, le=50)


@router.post("/v1/ask")
def ask(
    body: AskRequest,
    request: Request,
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    """Sentences that best answer a question, with their document, page and character span."""
    rate_limit(request, principal, "ask")
    results = search_service.ask(ledger, body.question, tenants=principal.scope, limit=body.limit)
    note_documents(request, (r["document_id"] for r in results))
    return {"question": body.question, "results": results}


class MatchRequest(BaseModel):
    restatement: str = Field(min_length=1, max_length=5000)
    document_id: str | None = Field(default=None, max_length=64)
    paragraph: str | None = Field(default=None, min_length=1, max_length=200_000)
    top_k: int = Field(default=5, ge=1, le=50)

    @model_validator(mode="after")
    def _one_source(self) -> MatchRequest:
        if (self.document_id is None) == (self.paragraph is None):
            raise ValueError("give exactly one of document_id or paragraph")
        return self


@router.post("/v1/match")
def match(
    body: MatchRequest,
    request: Request,
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    """The sentences of a document (or a pasted paragraph) closest in meaning to a restatement."""
    rate_limit(request, principal, "match")
    check_paragraph(request, body.paragraph)
    if body.document_id is not None:
        ledger.get_document(body.document_id, tenants=principal.scope)
    fn = match_service.match
    results = fn(
        ledger,
        body.restatement,
        document_id=body.document_id,
        paragraph=body.paragraph,
        tenants=principal.scope,
        top_k=body.top_k,
    )
    note_documents(request, [body.document_id] if body.document_id else [])
    return {"restatement": body.restatement, "results": results}


@router.get("/v1/graph")
def graph(
    entity: Annotated[str | None, Query(max_length=500)] = None,
    document_id: Annotated[str | None, Query(max_length=64)] = None,
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    """The cross-document graph (documents and entities), optionally around one entity or document."""
    if document_id is not None:
        ledger.get_document(document_id, tenants=principal.scope)
    fn = graph_service.graph
    return fn(ledger, tenants=principal.scope, entity=entity, document_id=document_id)


class Invocation(BaseModel):
    input_sentence: str = Field(min_length=1, max_length=5000)
    input_paragraph: str = Field(min_length=1, max_length=200_000)


@router.post("/invocations", tags=["compatibility"])
def invocations(
    body: Invocation,
    request: Request,
    principal: Principal | None = Depends(invocation_principal),
    ledger: Ledger = Depends(get_ledger),
) -> list[dict[str, Any]]:
    """Drop-in for the medical sentence-relevance service: the top min(5, n) sentences of the paragraph.

    413 when the paragraph is over DOCLEDGER_MAX_PARAGRAPH_CHARS; 429 over the per-token rate limit."""
    rate_limit(request, principal, "invocations")
    check_paragraph(request, body.input_paragraph)
    fn = match_service.match
    results = fn(
        ledger,
        body.input_sentence,
        document_id=None,
        paragraph=body.input_paragraph,
        tenants=principal.scope if principal is not None else [],
        top_k=5,
    )
    return [{"rank": r["rank"], "matching_sentence": r["sentence"], "distance": r["distance"]} for r in results]


@router.get("/ping", tags=["compatibility"])
def ping() -> dict[str, str]:
    """Health check of the invocations-compatible interface."""
    return {"status": "ok"}
