"""The review stage's own rows: every routed field (straight through or a task) and new layouts.

Written inside the review stage's commit transaction (``ctx.in_transaction``), like the search rows
of ``index``; resolving tasks, corrections and their runs and artifacts are written by the ledger
(``docledger.ledger.review``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from docledger.ids import now
from docledger.store.base import Tx

REVIEW_STAGE = "review"
REVIEW_VERSION = "1.0.0"
REVIEWED_KIND = "reviewed-fields"
TASK_STATES = ("open", "accepted", "corrected")


@dataclass
class Item:
    """One field as the review stage routed it (a task when status is 'open')."""

    id: str
    field: str
    value: str | None
    confidence: float
    review_threshold: float
    page: int | None
    bbox: list[float] | None
    source: str
    valid: bool
    errors: list[str]
    reason: str | None
    status: str
    layout_id: str | None


def reviewed_key(fields_artifact_id: str, version: int) -> str:
    return f"review/{fields_artifact_id}/fields.v{version}.json"


def record_items(
    tx: Tx,
    *,
    document_id: str,
    tenant: str,
    doc_type: str,
    fields_artifact_id: str,
    run_id: str,
    model_version: str,
    items: list[Item],
    new_layouts: list[tuple[str, str]],
    seen_layouts: list[str],
) -> int:
    """Inside the review stage's commit: supersede older open tasks, store layouts and items.

    Returns the number of open tasks now on the document.
    """
    t = now()
    tx.execute("review_supersede_open", document_id=document_id, fields_artifact_id=fields_artifact_id, now=t)
    for lid, tokens in new_layouts:
        tx.execute("review_insert_layout", id=lid, tenant=tenant, doc_type=doc_type, tokens=tokens, now=t)
    for lid in seen_layouts:
        tx.execute("review_count_layout_document", id=lid, now=t)
    for it in items:
        tx.execute(
            "review_insert_item",
            id=it.id,
            document_id=document_id,
            tenant=tenant,
            doc_type=doc_type,
            field=it.field,
            value=it.value,
            confidence=it.confidence,
            review_threshold=it.review_threshold,
            page=it.page,
            bbox=json.dumps(it.bbox) if it.bbox is not None else None,
            source=it.source,
            valid=1 if it.valid else 0,
            errors=json.dumps(it.errors),
            reason=it.reason,
            status=it.status,
            fields_artifact_id=fields_artifact_id,
            run_id=run_id,
            model_version=model_version,
            layout_id=it.layout_id,
            created_at=t,
        )
    row = tx.fetchone("review_open_count", document_id=document_id)
    return int(row["n"]) if row else 0
