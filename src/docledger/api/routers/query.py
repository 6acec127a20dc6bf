"""Queries: ask a document for a value by its name or printed question (answers with their evidence)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from docledger.api.deps import get_ledger, get_principal
from docledger.auth.tokens import Principal
from docledger.ledger import Ledger
from docledger.services.query import query_document

router = APIRouter(prefix="/v1", tags=["queries"])


class QueryRequest(BaseModel):
    query: str = Field(min_length=1, max_length=500, description='A field name or printed question, e.g. "total".')
    limit: int = Field(default=10, ge=1, le=100)


class Answer(BaseModel):
    query: str
    value: str
    confidence: float = Field(description="Probability that the value answers the query (0-1).")
    page: int | None
    bbox: list[float] | None = Field(description="x0, y0, x1, y1 in page-image pixels")
    source: str = Field(description="form, table, text or field")


def _answers(ledger: Ledger, principal: Principal, document_id: str, text: str, limit: int) -> list[dict[str, Any]]:
    # the export applies the access policy (tenant, classification, readers) of the caller's scope
    return query_document(ledger, document_id, text, tenants=principal.scope, limit=limit)


@router.get("/documents/{document_id}/query", response_model=list[Answer], summary="Answers to a query, best first")
def query_get(
    document_id: str,
    q: Annotated[str, Query(min_length=1, max_length=500, description='e.g. "total" or "Date:"')],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> list[dict[str, Any]]:
    """Each answer: value, calibrated confidence, page, bbox and source (form, table, text or field)."""
    return _answers(ledger, principal, document_id, q, limit)


@router.post(
    "/documents/{document_id}/query",
    response_model=list[Answer],
    summary="Answers to a query, best first (query in the body)",
)
def query_post(
    document_id: str,
    body: QueryRequest,
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> list[dict[str, Any]]:
    return _answers(ledger, principal, document_id, body.query, body.limit)
