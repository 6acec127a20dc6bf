"""Loan files over the ledger: group documents under a case id, check them against the loan
product's checklist and the cross-document risk rules (declarative files in ``loans/data``)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from docledger.exceptions import InvalidRequest, NotFound
from docledger.ids import iso, now
from docledger.ledger.operations import add_timeline
from docledger.loans import checklists

_LOAN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def valid_loan_id(loan_id: str) -> str:
    if not _LOAN_ID.match(loan_id or ""):
        raise InvalidRequest(
            f"{loan_id!r} is not a valid loan file id",
            hint="Use letters, digits, '.', '_', ':' or '-' (up to 64), e.g. LN-2024-0042.",
        )
    return loan_id


def assign(
    ledger: Any,
    document_id: str,
    loan_id: str,
    *,
    actor: str = "cli",
    product: str | None = None,
    tenants: list[str] | None = None,
) -> dict[str, Any]:
    """Put a document (and the documents split from it) into a loan file, creating the file if new."""
    loan_id = valid_loan_id(loan_id)
    doc = ledger.get_document(document_id, tenants=tenants)
    tenant = doc["tenant"]
    prod = product or checklists()["default_product"]
    if prod not in checklists()["products"]:
        raise InvalidRequest(
            f"unknown loan product {prod!r}", hint=f"Use one of: {', '.join(checklists()['products'])}."
        )
    with ledger.store.transaction() as tx:
        tx.lock_document(document_id)
        tx.execute("upsert_loan_file", tenant=tenant, loan_id=loan_id, product=prod, created_by=actor, created_at=now())
        if product:
            tx.execute("set_loan_product", tenant=tenant, loan_id=loan_id, product=product)
        ids = [document_id] + [r["child_id"] for r in tx.fetchall("splits_for_parent", parent_id=document_id)]
        for d in ids:
            tx.execute(
                "assign_loan_document",
                document_id=d,
                tenant=tenant,
                loan_id=loan_id,
                assigned_by=actor,
                assigned_at=now(),
            )
            add_timeline(
                tx, d, "loan", "assigned", f"{actor} assigned the document to loan file {loan_id}", worker=actor
            )
    return {"document_id": document_id, "loan_id": loan_id, "tenant": tenant, "documents": ids}


def list_loans(ledger: Any, *, tenant: str | None = None) -> list[dict[str, Any]]:
    with ledger.store.read() as tx:
        rows = tx.fetchall("list_loan_files", tenant=tenant)
    return [
        {
            "loan_id": r["loan_id"],
            "tenant": r["tenant"],
            "product": r["product"],
            "documents": int(r["documents"]),
            "created_at": iso(r["created_at"]),
        }
        for r in rows
    ]


def _fields_of(ledger: Any, document_id: str) -> tuple[dict[str, dict[str, Any]], str | None]:
    """The document's newest fields.json as {field: entry}, and the artifact id it came from."""
    arts = [a for a in ledger.artifacts(document_id) if a["kind"] == "fields" and a["key"] == "fields.json"]
    if not arts:
        return {}, None
    art = arts[-1]
    body = json.loads(ledger.blobs.read(art["sha256"]))
    return {f["field"]: f for f in body.get("fields", [])}, art["artifact_id"]


def _page_texts(ledger: Any, document_id: str) -> list[tuple[int, str]]:
    pages: dict[int, str] = {}
    for a in ledger.artifacts(document_id):
        if a["kind"] == "text" and a["page"] is not None and a["stage"] in ("extract-text", "ocr"):
            pages[int(a["page"])] = ledger.blobs.read(a["sha256"]).decode("utf-8", "replace")
    return sorted(pages.items())


def show(
    ledger: Any, loan_id: str, *, tenant: str | None = None, tenants: list[str] | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """Checklist, documents (type, status, key fields) and risk flags of one loan file."""
    from docledger.loans.rules import checklist, evaluate

    tenant = tenant or (tenants[0] if tenants and len(tenants) == 1 else ledger.settings.default_tenant)
    with ledger.store.read() as tx:
        loan = tx.fetchone("get_loan_file", tenant=tenant, loan_id=loan_id)
        if loan is None:
            raise NotFound(
                f"no loan file {loan_id!r} in tenant {tenant!r}",
                hint="Assign documents with `docledger ingest FILES --loan-file ID` or `docledger loan assign DOC ID`.",
            )
        rows = tx.fetchall("documents_of_loan", tenant=tenant, loan_id=loan_id)
    if tenants is not None and tenant not in tenants:
        raise NotFound(f"no loan file {loan_id!r}")
    docs = []
    for r in rows:
        if r["doc_type"] == "package":
            docs.append(
                {
                    "document_id": r["id"],
                    "name": r["name"],
                    "status": r["status"],
                    "doc_type": "package",
                    "doc_type_confidence": r["confidence"],
                    "doc_type_source": r["source"],
                    "fields": {},
                    "package": True,
                }
            )
            continue
        fields, art = _fields_of(ledger, r["id"])
        docs.append(
            {
                "document_id": r["id"],
                "name": r["name"],
                "status": r["status"],
                "doc_type": r["doc_type"],
                "doc_type_confidence": None if r["confidence"] is None else float(r["confidence"]),
                "doc_type_source": r["source"],
                "fields": fields,
                "fields_artifact": art,
                "page_texts": _page_texts(ledger, r["id"]) if r["doc_type"] == "bank-statement" else [],
            }
        )
    typed = [d for d in docs if not d.get("package")]
    day = as_of or date.today()
    flags = evaluate(typed, as_of=day)
    return {
        "loan_id": loan_id,
        "tenant": tenant,
        "product": loan["product"],
        "as_of": day.isoformat(),
        "checklist": checklist(loan["product"], typed),
        "documents": [{k: v for k, v in d.items() if k not in ("page_texts",)} for d in docs],
        "flags": flags,
    }
