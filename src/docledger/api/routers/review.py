"""Review queue: open tasks, resolving them (accept or correct), and accuracy measured from reviews."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from docledger.api.deps import get_ledger, get_principal, requires
from docledger.auth.tokens import Principal
from docledger.ledger import Ledger
from docledger.services.documents import scoped_tenants
from docledger.services.review import get_task, list_tasks, resolve_task
from docledger.services.review_accuracy import accuracy_report

router = APIRouter(prefix="/v1/review", tags=["review"])


@router.get("/tasks", summary="Open review tasks, oldest first")
def tasks(
    document_id: str | None = None,
    tenant: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> list[dict[str, Any]]:
    """`[{task_id, document_id, field, value, confidence, page, bbox}]` in the caller's tenants."""
    return list_tasks(ledger, tenants=scoped_tenants(principal, tenant), document_id=document_id, limit=limit)


@router.get("/tasks/{task_id}", summary="One review task with its reason, thresholds and outcome")
def task(
    task_id: str, principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    return get_task(ledger, task_id, tenants=principal.scope)


class Resolution(BaseModel):
    accept: bool = Field(default=False, description="The extracted value is right.")
    value: str | None = Field(default=None, max_length=10_000, description="The right value (a correction).")


@router.post("/tasks/{task_id}/resolve", summary="Accept or correct an extracted value")
def resolve(
    task_id: str,
    body: Resolution,
    principal: Principal = Depends(requires("operator", "review extracted fields")),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    """`{"accept": true}` confirms the value; `{"value": "..."}` corrects it. A correction is a new version
    of the reviewed fields (an artifact made by a review run of the caller, from the extractor's fields.json).
    Resolving the last open task of a document ends it SUCCEEDED (or PARTIAL when stages had problems)."""
    out = resolve_task(
        ledger, task_id, actor=principal.principal, tenants=principal.scope, accept=body.accept, value=body.value
    )
    return out | {"document_status": ledger.get_document(out["document_id"])["status"]}


@router.get("/accuracy", summary="Extraction accuracy measured by reviewers")
def accuracy(
    tenant: str | None = None,
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    """Per document type and field: accepted unchanged, corrected, straight-through rate; confidence
    calibration (reliability bins, expected calibration error); trend per day and per model version."""
    return accuracy_report(ledger, tenants=scoped_tenants(principal, tenant))
