"""Review in the ledger: resolving tasks, corrections as versioned artifacts, lessons.

The review stage stores the fields it routed inside its own commit (``docledger.review.records``);
resolving a task happens here, in one transaction, so a correction, its artifact, its run, its
lineage, the lesson learned, the timeline and the document's status change together or not at all.

A correction is a stage run of ``review`` (worker = the reviewer) whose inputs are the
extractor's ``fields.json`` and the previous reviewed version, and whose output is the next
version of the reviewed fields (``review/<fields artifact>/fields.vN.json``, kind
``reviewed-fields``): who, when, old and new value are in the artifact, its metadata and the run.
"""

from __future__ import annotations

import json
from typing import Any

from docledger.exceptions import DocledgerError, InvalidRequest, NotFound
from docledger.ids import iso, new_id, now
from docledger.ledger.operations import add_timeline, finalize_if_idle
from docledger.ledger.runs import record_run
from docledger.models import NewArtifact, Run
from docledger.review.records import REVIEW_STAGE, REVIEW_VERSION, REVIEWED_KIND, reviewed_key
from docledger.store.base import Tx


class AlreadyResolved(DocledgerError):
    code = "already_resolved"
    exit_code = 2
    http_status = 409


def open_task_count(tx: Tx, document_id: str) -> int:
    row = tx.fetchone("review_open_count", document_id=document_id)
    return int(row["n"]) if row else 0


def item_json(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "task_id": r["id"],
        "document_id": r["document_id"],
        "field": r["field"],
        "value": r["value"],
        "confidence": r["confidence"],
        "page": r["page"],
        "bbox": json.loads(r["bbox"]) if r["bbox"] else None,
        "doc_type": r["doc_type"],
        "tenant": r["tenant"],
        "status": r["status"],
        "reason": r["reason"],
        "source": r["source"],
        "valid": bool(r["valid"]),
        "errors": json.loads(r["errors"] or "[]"),
        "review_threshold": r["review_threshold"],
        "model_version": r["model_version"],
        "created_at": iso(r["created_at"]),
        "resolved_at": iso(r["resolved_at"]),
        "resolved_by": r["resolved_by"],
        "corrected_value": r["corrected_value"],
        "correction_artifact_id": r["correction_artifact_id"],
        "fields_artifact_id": r["fields_artifact_id"],
    }


def get_item(ledger: Any, item_id: str, *, tenants: list[str] | None) -> dict[str, Any]:
    with ledger.store.read() as tx:
        row = tx.fetchone("review_get_item", id=item_id)
    if row is None or row["status"] in ("auto", "learned") or (tenants is not None and row["tenant"] not in tenants):
        raise NotFound(f"no review task {item_id}", hint="`docledger review list` shows the open tasks.")
    return row


def list_open(
    ledger: Any, *, tenants: list[str] | None, document_id: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Open tasks, oldest first, across the given tenants (None = every tenant)."""
    rows: list[dict[str, Any]] = []
    with ledger.store.read() as tx:
        for t in [None] if tenants is None else tenants:
            rows.extend(tx.fetchall("review_list_open", tenant=t, document_id=document_id, limit=limit))
    rows.sort(key=lambda r: (r["created_at"], r["id"]))
    return rows[:limit]


def _latest_reviewed(tx: Tx, document_id: str, fields_artifact_id: str) -> dict[str, Any] | None:
    best = None
    for a in tx.fetchall("artifacts_for_document", document_id=document_id):
        if a["kind"] != REVIEWED_KIND:
            continue
        meta = json.loads(a["meta"] or "{}")
        if meta.get("fields_artifact_id") != fields_artifact_id:
            continue
        if best is None or int(meta.get("version", 0)) > int(best[1]):
            best = (a, int(meta.get("version", 0)))
    return best[0] if best else None


def resolve(
    ledger: Any,
    item_id: str,
    *,
    actor: str,
    tenants: list[str] | None,
    accept: bool,
    value: str | None,
    lesson: Any = None,
) -> dict[str, Any]:
    """Accept a task's value or correct it; returns the resolved task.

    A value equal to the extracted one counts as an acceptance. ``lesson(item_row, new_value)`` may
    return where the corrected value sits on its page; it is stored for learning.
    """
    if accept == (value is not None):
        raise InvalidRequest(
            "resolve a task with either accept or a value, not both or neither",
            hint="Use --accept to confirm the value, or --value V to correct it.",
        )
    row = get_item(ledger, item_id, tenants=tenants)
    doc_id = row["document_id"]
    corrected = not accept and value != row["value"]
    where = lesson(row, value) if (corrected and lesson is not None and value) else None
    with ledger.store.transaction() as tx:
        tx.lock_document(doc_id)
        row = tx.fetchone("review_get_item", id=item_id)
        assert row is not None
        if row["status"] != "open":
            raise AlreadyResolved(
                f"review task {item_id} is already {row['status']}"
                + (f" by {row['resolved_by']}" if row["resolved_by"] else ""),
                hint="`docledger review list` shows the tasks still open.",
            )
        t = now()
        art_id = run_id = None
        if corrected:
            art_id, run_id = _write_correction(ledger, tx, row, str(value), actor, t)
            if where is not None and row["layout_id"]:
                tx.execute(
                    "review_insert_lesson",
                    tenant=row["tenant"],
                    layout_id=row["layout_id"],
                    doc_type=row["doc_type"],
                    field=row["field"],
                    region=json.dumps(where),
                    document_id=doc_id,
                    item_id=item_id,
                    now=t,
                )
        tx.execute(
            "review_resolve_item",
            id=item_id,
            status="corrected" if corrected else "accepted",
            now=t,
            resolved_by=actor,
            corrected_value=value if corrected else None,
            correction_artifact_id=art_id,
            correction_run_id=run_id,
        )
        msg = (
            f"{actor} corrected {row['field']}: {row['value']!r} -> {value!r}"
            if corrected
            else f"{actor} accepted {row['field']} = {row['value']!r}"
        )
        add_timeline(tx, doc_id, REVIEW_STAGE, "corrected" if corrected else "accepted", msg, worker=actor, time=t)
        remaining = open_task_count(tx, doc_id)
        if remaining == 0:
            finalize_if_idle(tx, doc_id, stage=REVIEW_STAGE)
        row = tx.fetchone("review_get_item", id=item_id)
        assert row is not None
    return item_json(row) | {"open_tasks_left": remaining}


def _write_correction(ledger: Any, tx: Tx, row: dict[str, Any], value: str, actor: str, t: float) -> tuple[str, str]:
    """The next reviewed-fields version with this correction, made by a review run of the reviewer."""
    doc_id, fa = row["document_id"], row["fields_artifact_id"]
    prev = _latest_reviewed(tx, doc_id, fa)
    base_art = prev or tx.fetchone("artifact_by_id", id=fa)
    if base_art is None:
        raise NotFound(f"the fields artifact {fa} of review task {row['id']} is gone")
    data = json.loads(ledger.blobs.read(base_art["sha256"]).decode("utf-8"))
    version = int(json.loads(prev["meta"] or "{}").get("version", 0)) + 1 if prev else 1
    correction = {
        "task_id": row["id"],
        "field": row["field"],
        "old_value": row["value"],
        "new_value": value,
        "corrected_by": actor,
        "corrected_at": iso(t),
        "corrects_artifact": fa,
        "corrects_run": (tx.fetchone("artifact_by_id", id=fa) or {}).get("run_id"),
    }
    for f in data.get("fields", []):
        if f.get("field") == row["field"] and f.get("task_id", row["id"]) == row["id"]:
            f.setdefault("extracted_value", f.get("value"))
            f.setdefault("extracted_confidence", f.get("confidence"))
            f.update(
                {
                    "value": value,
                    "normalized": value,
                    "confidence": 1.0,
                    "source": "review",
                    "valid": True,
                    "errors": [],
                    "review": "corrected",
                    "corrected_by": actor,
                    "corrected_at": iso(t),
                }
            )
    data["version"] = version
    data.setdefault("corrections", []).append(correction)
    raw = json.dumps(data, ensure_ascii=False, indent=1, default=str).encode()
    sha = ledger.blobs.put_bytes(raw)
    run_id, art_id = new_id("run_"), new_id("art_")
    run = Run(
        id=run_id,
        document_id=doc_id,
        stage=REVIEW_STAGE,
        stage_version=REVIEW_VERSION,
        status="succeeded",
        started_at=t,
        ended_at=t,
        worker=actor,
        config_hash="correction",
        page=row["page"],
        meta={"kind": "correction", **correction, "version": version},
    )
    out = NewArtifact(
        id=art_id,
        key=reviewed_key(fa, version),
        kind=REVIEWED_KIND,
        sha256=sha,
        size=len(raw),
        page=None,
        media_type="application/json",
        meta={"fields_artifact_id": fa, "version": version, "correction": correction},
    )
    record_run(tx, run, inputs=[fa, base_art["id"]], outputs=[out])
    return art_id, run_id
