"""Review service: the queue, resolving tasks (with learning), the reviewed fields in exports.

Used alike by the CLI (``docledger review``), the API (``/v1/review``) and the reviewer pages.
"""

from __future__ import annotations

import json
from typing import Any

from docledger.exceptions import NotFound
from docledger.ledger import review as ledger_review
from docledger.ledger.review import REVIEWED_KIND, item_json
from docledger.review.layout import lesson_for, load_page_words, stable_labels, value_tokens
from docledger.services import access
from docledger.services.access import content_withheld

TASK_KEYS = ("task_id", "document_id", "field", "value", "confidence", "page", "bbox")


def list_tasks(
    ledger: Any, *, tenants: list[str] | None, document_id: str | None = None, limit: int = 500, detail: bool = False
) -> list[dict[str, Any]]:
    """Open review tasks, oldest first: the contract keys, or every key with ``detail``.

    Only tasks of documents the caller may read in full: a value waiting for review is content, so a
    confidential document's tasks go to its owner, its listed readers and admins (the access policy)."""
    withheld = content_withheld(ledger, tenants)
    rows = [
        item_json(r)
        for r in ledger_review.list_open(ledger, tenants=tenants, document_id=document_id, limit=limit)
        if r["document_id"] not in withheld
    ]
    return rows if detail else [{k: r[k] for k in TASK_KEYS} for r in rows]


def get_task(ledger: Any, task_id: str, *, tenants: list[str] | None) -> dict[str, Any]:
    row = ledger_review.get_item(ledger, task_id, tenants=tenants)
    _check_full_view(ledger, row, tenants)
    return item_json(row)


def _check_full_view(ledger: Any, row: dict[str, Any], tenants: list[str] | None) -> None:
    try:
        full = ledger.document_view(row["document_id"], tenants=tenants) == access.FULL
    except NotFound:
        full = False
    if not full:
        raise NotFound(f"no review task {row['id']}", hint="`docledger review list` shows the open tasks.")


def resolve_task(
    ledger: Any, task_id: str, *, actor: str, tenants: list[str] | None, accept: bool = False, value: str | None = None
) -> dict[str, Any]:
    """Accept or correct one task. A correction becomes a new reviewed-fields version (with lineage) and,
    when the corrected value can be found on the page, a lesson about where this field sits on the layout."""
    _check_full_view(ledger, ledger_review.get_item(ledger, task_id, tenants=tenants), tenants)
    return ledger_review.resolve(
        ledger,
        task_id,
        actor=actor,
        tenants=tenants,
        accept=accept,
        value=value,
        lesson=lambda row, new: _lesson(ledger, row, new),
    )


def _lesson(ledger: Any, row: dict[str, Any], value: str) -> dict[str, Any] | None:
    if not row["layout_id"]:
        return None
    arts = ledger.artifacts(row["document_id"])
    pages = load_page_words(arts, lambda a: ledger.blobs.read(a["sha256"]))
    if not pages:
        return None
    page_no = row["page"] if row["page"] in pages else min(pages)
    page = pages[page_no][0]
    with ledger.store.read() as tx:
        items = tx.fetchall("review_items_for_document", document_id=row["document_id"])
        layouts = {
            r["id"]: set(json.loads(r["tokens"]))
            for r in tx.fetchall("review_layouts_for", tenant=row["tenant"], doc_type=row["doc_type"])
        }
    values = value_tokens([*(i["value"] for i in items), value])
    labels = stable_labels(page, values, layouts.get(row["layout_id"], set()))
    return lesson_for(value, page, labels)


def reviewed_fields(ledger: Any, document_id: str, *, tenants: list[str] | None = None) -> dict[str, Any] | None:
    """The newest reviewed version of the document's extracted fields, with each task's outcome.

    Corrected fields carry the corrected ``value`` and keep ``extracted_value``, ``corrected_by`` and
    ``corrected_at``; accepted ones carry ``reviewed_by``. None when the document was never reviewed.
    """
    arts = [a for a in ledger.artifacts(document_id, tenants=tenants) if a["kind"] == REVIEWED_KIND]
    if not arts:
        return None
    # ids sort by time: the newest extraction's reviewed versions win over older ones
    newest_fields = max(str(a["meta"].get("fields_artifact_id", "")) for a in arts)
    mine = [a for a in arts if a["meta"].get("fields_artifact_id") == newest_fields]
    latest = max(mine, key=lambda a: int(a["meta"].get("version", 0)))
    data = json.loads(ledger.blobs.read(latest["sha256"]).decode("utf-8"))
    with ledger.store.read() as tx:
        rows = {r["id"]: r for r in tx.fetchall("review_items_for_document", document_id=document_id)}
    for f in data.get("fields", []):
        r = rows.get(f.get("task_id", ""))
        if r is None:
            continue
        f["review"] = r["status"]
        f["source_run"] = r["correction_run_id"] or r["run_id"]
        if r["status"] == "accepted":
            f["reviewed_by"], f["reviewed_at"] = r["resolved_by"], item_json(r)["resolved_at"]
        elif r["status"] == "corrected":
            f["correction_artifact_id"] = r["correction_artifact_id"]
    return {
        "doc_type": data.get("doc_type"),
        "schema_version": data.get("schema_version"),
        "model_version": data.get("model_version"),
        "version": int(latest["meta"].get("version", 0)),
        "artifact_id": latest["artifact_id"],
        "fields_artifact_id": newest_fields,
        "open_tasks": sum(1 for f in data.get("fields", []) if f.get("review") == "open"),
        "fields": data.get("fields", []),
        "corrections": data.get("corrections", []),
    }


def apply_to_export(ledger: Any, document_id: str, out: dict[str, Any], *, tenants: list[str] | None) -> None:
    """Put the reviewed field values into a document export (``fields`` and ``extracted_fields``)."""
    reviewed = reviewed_fields(ledger, document_id, tenants=tenants)
    if reviewed is None:
        return
    out["extracted_fields"] = reviewed
    fields = out.setdefault("fields", {})
    details = out.setdefault("field_details", [])
    names = {f["field"] for f in reviewed["fields"]}
    details[:] = [d for d in details if d.get("name") not in names]
    for f in reviewed["fields"]:
        fields[f["field"]] = f.get("value")
        details.append(
            {
                "name": f["field"],
                "value": f.get("value"),
                "page": f.get("page"),
                "bbox": f.get("bbox"),
                "confidence": f.get("confidence"),
                "source_run": f.get("source_run"),
                "source": f.get("source"),
                "review": f.get("review"),
                **{k: f[k] for k in ("extracted_value", "corrected_by", "corrected_at", "reviewed_by") if k in f},
            }
        )
