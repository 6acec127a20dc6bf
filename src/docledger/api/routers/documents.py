"""Document Arrival Register and Ownership: upload, list, read, ownership, redaction requests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from docledger.api.deps import get_ledger, get_principal, requires
from docledger.api.uploads import register_uploads
from docledger.auth.tokens import Principal
from docledger.ledger import Ledger
from docledger.services import export as export_service
from docledger.services import redact as redact_service
from docledger.services.documents import list_visible, parse_time
from docledger.services.redact import PII_TYPES

router = APIRouter(prefix="/v1", tags=["documents"])
CURSOR_PATTERN = r"^(doc_[0-9a-z]{26})?$"
StatusName = Literal["PROCESSING", "SUCCEEDED", "PARTIAL", "FAILED", "NEEDS_REVIEW"]
ClassificationName = Literal["public", "internal", "confidential", "restricted"]


@router.post("/documents", status_code=202, summary="Register one or more documents")
def upload(
    file: Annotated[list[UploadFile], File(description="One or more files (repeat the field).")],
    owner: Annotated[str | None, Form()] = None,
    tenant: Annotated[str | None, Form()] = None,
    classification: Annotated[ClassificationName | None, Form()] = None,
    doc_type: Annotated[str | None, Form(description="Confirmed document type (w2, pay-stub, memo ...)")] = None,
    loan_file: Annotated[str | None, Form(description="Loan file (case id) the documents belong to")] = None,
    principal: Principal = Depends(requires("operator", "upload documents")),
    ledger: Ledger = Depends(get_ledger),
) -> JSONResponse:
    """Register the files and queue them for processing; 202 with each document id and its status URL.

    A file whose bytes are already registered in the tenant returns the existing id in ``duplicate_of``.
    """
    docs = register_uploads(
        ledger, file, principal=principal, owner=owner, tenant=tenant, classification=classification
    )
    if doc_type or loan_file:
        from docledger.services.doctypes import after_ingest

        after_ingest(
            ledger,
            [d["document_id"] for d in docs if d.get("document_id")],
            doc_type=doc_type,
            loan_file=loan_file,
            actor=principal.principal,
            tenants=principal.scope,
        )
    headers = {"Location": docs[0]["document_url"]} if len(docs) == 1 else None
    return JSONResponse({"documents": docs}, status_code=202, headers=headers)


@router.get("/documents", summary="List documents (newest first)")
def list_documents(
    status: StatusName | None = None,
    tenant: str | None = None,
    owner: str | None = None,
    media_type: str | None = None,
    date_from: Annotated[str | None, Query(alias="from", description="ISO date, inclusive")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="ISO date, exclusive")] = None,
    cursor: Annotated[
        str | None,
        Query(max_length=64, pattern=CURSOR_PATTERN, description="next_cursor of the previous page"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    docs = list_visible(
        ledger,
        principal,
        tenant=tenant or None,
        status=status,
        owner=owner or None,
        media_type=media_type or None,
        since=parse_time(date_from, "from"),
        until=parse_time(date_to, "to"),
        after=cursor or None,
        limit=limit,
    )
    from docledger.services.doctypes import types_by_document

    types = types_by_document(ledger, tenant or None)
    rows = [
        {
            **d,
            "doc_type": types.get(d["document_id"], {}).get("doc_type"),
            "doc_type_confidence": types.get(d["document_id"], {}).get("doc_type_confidence"),
        }
        for d in docs
    ]
    return {"documents": rows, "next_cursor": docs[-1]["document_id"] if len(docs) == limit else None}


@router.get("/documents/{document_id}", summary="One document's registry and ownership record")
def get_document(
    document_id: str, principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    doc = ledger.get_document(document_id, tenants=principal.scope)
    return doc | {"status_url": f"/v1/documents/{document_id}/operations"}


def _ownership(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: doc.get(k)
        for k in (
            "document_id",
            "tenant",
            "owner",
            "classification",
            "retention_until",
            "legal_hold",
            "readers",
        )
    }


@router.get("/documents/{document_id}/ownership", tags=["ownership"])
def get_ownership(
    document_id: str, principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    return _ownership(ledger.get_document(document_id, tenants=principal.scope))


class OwnershipPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")  # {"tenant": "x"} is an error, never a silent no-op

    owner: str | None = Field(default=None, min_length=1, max_length=200)
    classification: ClassificationName | None = None
    retention_until: str | None = Field(default=None, description="ISO date until which it must be kept")
    legal_hold: bool | None = None
    readers: list[str] | None = None


@router.patch("/documents/{document_id}/ownership", tags=["ownership"])
def patch_ownership(
    document_id: str,
    patch: OwnershipPatch,
    principal: Principal = Depends(requires("reviewer", "change ownership")),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    """Change owner, classification, retention or legal hold; each change lands on the timeline."""
    doc = ledger.update_ownership(
        document_id,
        actor=principal.principal,
        tenants=principal.scope,
        owner=patch.owner,
        classification=patch.classification,
        retention_until=parse_time(patch.retention_until, "retention_until"),
        legal_hold=patch.legal_hold,
        readers=patch.readers,
    )
    return _ownership(doc)


class RedactionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    types: list[str] | None = Field(
        default=None, description=f"PII types to redact; default: all found. One of: {', '.join(PII_TYPES)}."
    )

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: list[str] | None) -> list[str] | None:
        unknown = [t for t in value or [] if t not in PII_TYPES]
        if unknown:
            raise ValueError(f"unknown PII type(s) {', '.join(unknown)}; use {', '.join(PII_TYPES)}")
        return value


@router.post("/documents/{document_id}/redactions", status_code=202, tags=["redaction"])
def request_redaction(
    document_id: str,
    body: RedactionRequest | None = None,
    principal: Principal = Depends(requires("reviewer", "request redactions")),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    ledger.get_document(document_id, tenants=principal.scope)
    fn = redact_service.request_redaction
    fn(
        ledger,
        document_id,
        tenants=principal.scope,
        types=body.types if body else None,
        actor=principal.principal,
    )
    return {
        "document_id": document_id,
        "status": "requested",
        "status_url": f"/v1/documents/{document_id}/operations",
    }


@router.get("/documents/{document_id}/export", tags=["artifacts"])
def export(
    document_id: str,
    format: Literal["json"] = "json",
    principal: Principal = Depends(get_principal),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    """The whole document as JSON: pages (text, tables, lines, forms), fields, entities, key phrases, PII."""
    ledger.get_document(document_id, tenants=principal.scope)
    fn = export_service.document_export
    return fn(ledger, document_id, tenants=principal.scope)
