"""Lineage and operations writes of stage runs: the one place runs, their inputs and their artifacts
are inserted, and where a finished run's problems, timeline, facts and next events are recorded.

The registrar (``registry.register``) and the worker both write through these functions, inside the
transaction that commits the run, so a run and everything it produced commit together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from docledger.ids import now
from docledger.ledger.events import emit
from docledger.ledger.operations import add_timeline, record_problem
from docledger.models import NewArtifact, NewEvent, OwnershipChange, Run
from docledger.store.base import Tx


def record_run(tx: Tx, run: Run, *, inputs: Iterable[str] = (), outputs: Sequence[NewArtifact] = ()) -> None:
    """Insert a run, the artifacts it read (its inputs) and the artifacts it produced."""
    tx.execute(
        "insert_run",
        id=run.id,
        document_id=run.document_id,
        stage=run.stage,
        stage_version=run.stage_version,
        config_hash=run.config_hash,
        page=run.page,
        delivery_id=None,
        status=run.status,
        attempt=run.attempt,
        worker=run.worker,
        started_at=run.started_at,
        ended_at=run.ended_at,
        duration_ms=run.duration_ms,
        error_code=run.error_code,
        error=run.error,
        meta=json.dumps(run.meta, default=str),
    )
    for artifact_id in sorted(set(inputs)):
        tx.execute("insert_run_input", run_id=run.id, artifact_id=artifact_id)
    t = now()
    for a in outputs:
        tx.execute(
            "insert_artifact",
            id=a.id,
            document_id=run.document_id,
            run_id=run.id,
            stage=run.stage,
            stage_version=run.stage_version,
            key=a.key,
            kind=a.kind,
            sha256=a.sha256,
            size=a.size,
            media_type=a.media_type,
            page=a.page,
            meta=json.dumps(a.meta, default=str),
            created_at=t,
        )


def record_started(tx: Tx, run: Run) -> None:
    page = f" (page {run.page})" if run.page else ""
    add_timeline(
        tx,
        run.document_id,
        run.stage,
        "started",
        f"{run.stage}@{run.stage_version} started" + page,
        attempt=run.attempt,
        worker=run.worker,
        time=run.started_at,
    )


def record_facts(tx: Tx, document_id: str, facts: dict[str, Any]) -> None:
    """What a stage learnt about the document (media type, page count, metadata)."""
    if not facts:
        return
    doc = tx.fetchone("get_document", id=document_id) or {}
    meta = json.loads(doc.get("meta") or "{}")
    meta.update(facts.get("meta", {}))
    tx.execute(
        "update_document_facts",
        id=document_id,
        media_type=facts.get("media_type"),
        pages=facts.get("pages"),
        meta=json.dumps(meta, default=str),
        now=now(),
    )


def record_success(
    tx: Tx,
    run: Run,
    *,
    inputs: Iterable[str],
    outputs: Sequence[NewArtifact],
    facts: dict[str, Any],
    problems: Sequence[tuple[int | None, str, str]],
    timeline: Sequence[tuple[str, str]],
    events: list[NewEvent],
    hooks: Sequence[Callable[[Tx], None]] = (),
    ownership: Sequence[OwnershipChange] = (),
) -> None:
    """A run that finished: run + lineage + facts + page problems + timeline + next events, one transaction.

    ``hooks`` run after the artifacts are recorded and before the events are written, so a hook may
    still queue an event (the OCR stage announces ``ocr.completed`` once the last page is in).
    """
    record_started(tx, run)
    record_run(tx, run, inputs=inputs, outputs=outputs)
    record_facts(tx, run.document_id, facts)
    for page, code, message in problems:
        record_problem(tx, run.document_id, run.stage, page, code, message, terminal=False, run_id=run.id)
    for hook in hooks:
        hook(tx)
    if ownership:
        from docledger.ledger.ownership import change_ownership  # (ownership -> registry -> runs)

        for change in ownership:
            change_ownership(
                tx,
                run.document_id,
                actor=change.actor,
                redact_policy=change.redact_policy,
                owner=change.owner,
                classification=change.classification,
                readers=change.readers,
            )
    for status, message in timeline:
        add_timeline(tx, run.document_id, run.stage, status, message, attempt=run.attempt, worker=run.worker)
    for ev in events:
        emit(tx, ev.type, run.document_id, ev.payload, ordering_key=ev.ordering_key, only_subscriber=ev.only_subscriber)
    n = len(outputs)
    add_timeline(
        tx,
        run.document_id,
        run.stage,
        "succeeded",
        f"{run.stage}@{run.stage_version} produced {n} artifact{'s' if n != 1 else ''}"
        + (f" (page {run.page})" if run.page else ""),
        attempt=run.attempt,
        worker=run.worker,
    )


def record_failure(tx: Tx, run: Run, *, facts: dict[str, Any], timeline: Sequence[tuple[str, str]]) -> None:
    """A run that ended in a terminal, explained failure (``run.error_code``, ``run.error``); no retry.

    A failed page makes the document PARTIAL; a failed document is FAILED.
    """
    assert run.error_code is not None
    record_started(tx, run)
    record_run(tx, run)
    record_facts(tx, run.document_id, facts)
    record_problem(
        tx, run.document_id, run.stage, run.page, run.error_code, run.error or "", terminal=True, run_id=run.id
    )
    for status, msg in timeline:
        add_timeline(tx, run.document_id, run.stage, status, msg, attempt=run.attempt, worker=run.worker)
    add_timeline(
        tx,
        run.document_id,
        run.stage,
        "failed",
        f"{run.error_code}: {run.error}",
        attempt=run.attempt,
        worker=run.worker,
    )


def record_crash(tx: Tx, run: Run) -> None:
    """A run that crashed (it will be retried or dead-lettered by the queue)."""
    record_started(tx, run)
    record_run(tx, run)
