"""The audit log: who did what to which document, and whether the log is intact (admins only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from docledger.api.deps import get_ledger, requires
from docledger.auth.tokens import Principal
from docledger.ledger import Ledger, audit

router = APIRouter(tags=["audit"])


@router.get("/v1/audit", summary="Audit entries, newest first (optionally for one document)")
def audit_list(
    document_id: str | None = Query(None, description="Only entries whose target is this document"),
    limit: int = Query(100, ge=1, le=1000),
    before: int | None = Query(None, ge=1, le=2**62, description="Only entries with a smaller seq (paging)"),
    ledger: Ledger = Depends(get_ledger),
    principal: Principal = Depends(requires("admin", "read the audit log")),
) -> list[dict[str, Any]]:
    return audit.listing(ledger.store, target=document_id, tenants=principal.scope, limit=limit, before=before)


@router.get("/v1/audit/verify", summary="Check the hash chain and the signed checkpoints")
def audit_verify(
    ledger: Ledger = Depends(get_ledger), principal: Principal = Depends(requires("admin", "verify the audit log"))
) -> dict[str, Any]:
    return audit.verify_ledger(ledger).to_json()


@router.get("/v1/audit/checkpoints", summary="Export the signed checkpoints and the public key")
def audit_checkpoints(
    ledger: Ledger = Depends(get_ledger), principal: Principal = Depends(requires("admin", "export audit checkpoints"))
) -> dict[str, Any]:
    return audit.export_checkpoints(ledger.store, audit.signer_for(ledger.settings))
