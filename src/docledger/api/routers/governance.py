"""Legal holds, erasure and retention (administrators: these acts are irreversible or legal)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from docledger.api.deps import get_ledger, requires
from docledger.auth.tokens import Principal
from docledger.ledger import Ledger, erasure, retention

router = APIRouter(tags=["governance"])


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@router.get("/v1/documents/{document_id}/holds")
def holds(
    document_id: str,
    ledger: Ledger = Depends(get_ledger),
    principal: Principal = Depends(requires("reviewer", "see legal holds")),
) -> dict[str, Any]:
    ledger.get_document(document_id, tenants=principal.scope)
    return erasure.hold_status(ledger, document_id)


@router.post("/v1/documents/{document_id}/holds", status_code=201)
def set_hold(
    document_id: str,
    body: Reason,
    ledger: Ledger = Depends(get_ledger),
    principal: Principal = Depends(requires("admin", "set legal holds")),
) -> dict[str, Any]:
    return erasure.set_hold(ledger, document_id, reason=body.reason, actor=principal.principal, tenants=principal.scope)


@router.delete("/v1/documents/{document_id}/holds")
def release_hold(
    document_id: str,
    ledger: Ledger = Depends(get_ledger),
    principal: Principal = Depends(requires("admin", "release legal holds")),
) -> dict[str, Any]:
    return erasure.release_hold(ledger, document_id, actor=principal.principal, tenants=principal.scope)


@router.post("/v1/documents/{document_id}/erasure")
def erase(
    document_id: str,
    body: Reason,
    ledger: Ledger = Depends(get_ledger),
    principal: Principal = Depends(requires("admin", "erase documents")),
) -> dict[str, Any]:
    """Erase the document everywhere and return the report; 409 when it is under legal hold."""
    return erasure.erase(
        ledger, document_id, reason=body.reason, actor=principal.principal, tenants=principal.scope
    ).to_json()


@router.post("/v1/retention/run")
def retention_run(
    dry_run: bool = False,
    ledger: Ledger = Depends(get_ledger),
    principal: Principal = Depends(requires("admin", "run retention")),
) -> dict[str, Any]:
    tenant = None if principal.scope is None else principal.scope[0]
    if principal.scope is not None and len(principal.scope) != 1:
        from docledger.exceptions import InvalidRequest

        raise InvalidRequest("run retention with a token of one tenant, or an administrator token for all")
    return retention.run(ledger, actor=principal.principal, dry_run=dry_run, tenant=tenant)


@router.get("/v1/documents/{document_id}/tombstone")
def tombstone(
    document_id: str,
    ledger: Ledger = Depends(get_ledger),
    principal: Principal = Depends(requires("reviewer", "read erasure records")),
) -> dict[str, Any]:
    """The erasure record of an erased document (404 while it is not erased)."""
    return erasure.tombstone(ledger, document_id, tenants=principal.scope)
