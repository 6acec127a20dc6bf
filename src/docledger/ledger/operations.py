"""Pipeline Operations: per-document status, current stage and an append-only timeline.

A document is terminal when no delivery for it is pending or leased. Its final status is
derived from the problems stages recorded: a document-level terminal problem -> FAILED, any
page/stage problem -> PARTIAL (naming them), none -> SUCCEEDED; a document that would be SUCCEEDED but has
open review tasks is NEEDS_REVIEW until a reviewer resolves the last one (PARTIAL and FAILED keep their
explained state and name the waiting tasks in their message).
"""

from __future__ import annotations

from typing import Any

from docledger.ids import now
from docledger.models import TERMINAL, Status
from docledger.store.base import Tx


def add_timeline(
    tx: Tx,
    document_id: str,
    stage: str,
    status: str,
    message: str,
    *,
    attempt: int | None = None,
    worker: str | None = None,
    time: float | None = None,
) -> None:
    tx.execute(
        "insert_timeline",
        document_id=document_id,
        time=time or now(),
        stage=stage,
        status=status,
        message=message,
        attempt=attempt,
        worker=worker,
    )


def set_status(
    tx: Tx, document_id: str, status: str, *, stage: str | None, reason: str | None = None, message: str | None = None
) -> None:
    tx.execute(
        "update_document_status", id=document_id, status=status, stage=stage, reason=reason, message=message, now=now()
    )


def record_problem(
    tx: Tx,
    document_id: str,
    stage: str,
    page: int | None,
    code: str,
    message: str,
    *,
    terminal: bool,
    run_id: str | None,
) -> None:
    tx.execute(
        "insert_problem",
        document_id=document_id,
        stage=stage,
        page=page,
        code=code,
        message=message,
        terminal=1 if terminal else 0,
        run_id=run_id,
        created_at=now(),
    )


def finalize_if_idle(tx: Tx, document_id: str, *, stage: str | None) -> str | None:
    """Set the terminal status when the document has no open deliveries; returns it (or None)."""
    open_row = tx.fetchone("open_deliveries_for_document", document_id=document_id)
    if open_row and int(open_row["n"]) > 0:
        return None
    doc = tx.fetchone("get_document", id=document_id)
    if doc is None:
        return None
    problems = tx.fetchall("problems_for_document", document_id=document_id)
    status, reason, message = derive_status(problems, pages=doc.get("pages"))
    waiting = tx.fetchone("review_open_count", document_id=document_id)
    n_waiting = int(waiting["n"]) if waiting else 0
    if status == Status.SUCCEEDED.value and n_waiting:
        # extracted values wait for a person: resolving the last task derives the status again
        message = (
            f"{n_waiting} extracted value{'s' if n_waiting != 1 else ''} wait{'s' if n_waiting == 1 else ''} "
            "for review."
        )
        status, reason, stage = Status.NEEDS_REVIEW.value, "review_pending", "review"
    elif problems:
        # a failed or partial document keeps its explained state; open review tasks are named beside it
        if n_waiting:
            message = f"{message} ({n_waiting} extracted value{'s' if n_waiting != 1 else ''} also wait for review)"
        stage = next((p["stage"] for p in problems if p["terminal"] and p["page"] is None), problems[0]["stage"])
    else:
        last = tx.fetchone("last_run_stage", document_id=document_id)
        stage = last["stage"] if last else stage
    if doc["status"] == status and doc["reason"] == reason and doc["stage"] == stage and doc["status"] in TERMINAL:
        return status
    set_status(tx, document_id, status, stage=stage, reason=reason, message=message)
    add_timeline(tx, document_id, "pipeline", status, message)
    return status


def derive_status(problems: list[dict[str, Any]], *, pages: int | None = None) -> tuple[str, str | None, str]:
    fatal = [p for p in problems if p["terminal"] and p["page"] is None]
    if fatal:
        return Status.FAILED.value, fatal[0]["code"], fatal[0]["message"]
    failed_pages = {p["page"] for p in problems if p["page"] is not None}
    if pages and len(failed_pages) >= int(pages):
        first = next(p for p in problems if p["page"] is not None)
        return Status.FAILED.value, first["code"], f"No page could be processed — {first['message']}"
    if problems:
        parts = []
        for p in problems:
            where = f"page {p['page']} ({p['stage']})" if p["page"] is not None else f"stage {p['stage']}"
            parts.append(f"{where}: {p['message']}")
        return Status.PARTIAL.value, problems[0]["code"], "Processed with problems — " + "; ".join(parts)
    return Status.SUCCEEDED.value, None, "All stages completed."
