"""Package splitting in the ledger: register the documents found inside a package as new arrivals
(inside the commit of the stage run that found them) with lineage to the parent's pages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docledger.ids import now
from docledger.ledger.operations import add_timeline
from docledger.ledger.registry import Arrival, register
from docledger.settings import Settings
from docledger.store.base import Tx


@dataclass(frozen=True)
class Child:
    first_page: int
    last_page: int
    doc_type: str
    confidence: float
    sha256: str
    size: int


def register_children(
    tx: Tx, parent: dict[str, Any], children: list[Child], settings: Settings, *, worker: str, stage: str
) -> list[str]:
    """Register each child (owner, classification and loan file of the parent), record which pages
    of the parent it holds, and its page-level type. Returns the child document ids."""
    own = tx.fetchone("get_document", id=parent["id"]) or {}
    loan = tx.fetchone("loan_of_document", document_id=parent["id"])
    has_model = tx.fetchone("latest_doc_type_model", tenant=parent["tenant"]) is not None
    stem = Path(str(parent["name"])).stem
    ids = []
    for c in children:
        span = f"p{c.first_page}-{c.last_page}"
        arrival = Arrival(
            name=f"{stem}.{span}.pdf",
            sha256=c.sha256,
            size=c.size,
            stored=True,
            owner=str(own.get("owner") or settings.default_owner),
            tenant=str(parent["tenant"]),
            classification=str(own.get("classification") or settings.default_classification),
            source=f"split:{parent['id']}:{span}",
            declared_media_type="application/pdf",
        )
        reg = register(tx, arrival, settings, worker=worker)
        ids.append(reg.document_id)
        if reg.duplicate_of is None:
            t = now()
            tx.execute(
                "insert_document_split",
                child_id=reg.document_id,
                parent_id=parent["id"],
                first_page=c.first_page,
                last_page=c.last_page,
                doc_type=c.doc_type,
                created_at=t,
            )
            tx.execute(
                "upsert_document_type",
                document_id=reg.document_id,
                tenant=parent["tenant"],
                doc_type=c.doc_type,
                confidence=float(c.confidence),
                source="model" if has_model and c.doc_type != "other" else "rule",
                model_version=None,
                set_by=stage,
                updated_at=t,
            )
            if loan is not None:
                tx.execute(
                    "assign_loan_document",
                    document_id=reg.document_id,
                    tenant=loan["tenant"],
                    loan_id=loan["loan_id"],
                    assigned_by="split",
                    assigned_at=t,
                )
        add_timeline(
            tx,
            parent["id"],
            stage,
            "split",
            f"pages {c.first_page}-{c.last_page} -> {reg.document_id} ({c.doc_type})",
            worker=worker,
        )
    return ids
