"""Document types (label, train, list) and loan files (assign, list, checklist + risk flags)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from docledger.api.deps import get_ledger, get_principal, requires
from docledger.auth.tokens import Principal
from docledger.exceptions import InvalidRequest, NotFound
from docledger.ledger import Ledger

router = APIRouter(prefix="/v1", tags=["document types", "loan files"])


def _tenant(principal: Principal, tenant: str | None, ledger: Ledger) -> str:
    if tenant is not None:
        if not principal.can_see_tenant(tenant):
            raise NotFound(f"no tenant {tenant!r}")
        return tenant
    scope = principal.scope
    if scope is None:
        return ledger.settings.default_tenant
    if len(scope) == 1:
        return scope[0]
    raise InvalidRequest("this token covers several tenants; say which one", hint="Add ?tenant=NAME.")


class LabelBody(BaseModel):
    doc_type: str = Field(min_length=1, max_length=64, description="Built-in or tenant type, e.g. w2 or memo")


@router.post("/documents/{document_id}/label", summary="Confirm or correct a document's type")
def label(
    document_id: str,
    body: LabelBody,
    principal: Principal = Depends(requires("reviewer", "label documents")),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    from docledger.services.doctypes import label as do_label

    return do_label(ledger, document_id, body.doc_type, actor=principal.principal, tenants=principal.scope)


@router.get("/documents/{document_id}/type", summary="A document's type, confidence and source")
def get_type(
    document_id: str, principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    from docledger.services.doctypes import doc_type_of

    ledger.get_document(document_id, tenants=principal.scope)
    return doc_type_of(ledger, document_id) or {
        "document_id": document_id,
        "doc_type": None,
        "doc_type_confidence": None,
        "doc_type_source": None,
    }


class TrainBody(BaseModel):
    tenant: str | None = None


@router.post("/types/train", summary="Train the tenant's classifier from its confirmed documents")
def train(
    body: TrainBody | None = None,
    principal: Principal = Depends(requires("reviewer", "train models")),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    """Returns {model_version, examples, classes, cv_accuracy}."""
    from docledger.services.doctypes import train as do_train

    return do_train(ledger, _tenant(principal, body.tenant if body else None, ledger), actor=principal.principal)


@router.get("/types", summary="Built-in and tenant document types and the tenant's current model")
def list_types(
    tenant: str | None = None, principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    from docledger.services.doctypes import list_types as do_list
    from docledger.services.doctypes import models

    t = _tenant(principal, tenant, ledger)
    m = models(ledger, t)
    return {"tenant": t, "types": do_list(ledger, t), "model": m[0] if m else None}


class AssignBody(BaseModel):
    document_id: str
    product: str | None = None


@router.post("/loans/{loan_id}/documents", summary="Put a document into a loan file")
def assign(
    loan_id: str,
    body: AssignBody,
    principal: Principal = Depends(requires("operator", "assign documents")),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    from docledger.services.loans import assign as do_assign

    return do_assign(
        ledger, body.document_id, loan_id, actor=principal.principal, product=body.product, tenants=principal.scope
    )


@router.get("/loans", summary="Loan files")
def list_loans(
    tenant: str | None = None, principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    from docledger.services.loans import list_loans as do_list

    rows = do_list(ledger, tenant=tenant)
    return {"loans": [r for r in rows if principal.can_see_tenant(r["tenant"])]}


@router.get("/loans/{loan_id}", summary="A loan file's checklist, documents and risk flags")
def show_loan(
    loan_id: str,
    tenant: str | None = None,
    as_of: str | None = None,
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    from docledger.services.loans import show

    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise InvalidRequest(f"as_of={as_of!r} is not a date", hint="Use YYYY-MM-DD.") from None
    return show(ledger, loan_id, tenant=_tenant(principal, tenant, ledger), as_of=day)
