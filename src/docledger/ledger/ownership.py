"""Document Ownership changes inside a transaction: the row, the timeline and the redaction policy.

Used by ``Ledger.update_ownership`` (API, UI, CLI) and by stages that reclassify a document through
a transaction hook (the ``rules`` stage), so both apply the same policy in the same way."""

from __future__ import annotations

import json

from docledger.ids import now
from docledger.ledger.events import emit
from docledger.ledger.operations import add_timeline
from docledger.ledger.registry import validate_classification
from docledger.models import Events
from docledger.store.base import Tx


def change_ownership(
    tx: Tx,
    document_id: str,
    *,
    actor: str,
    redact_policy: str,
    owner: str | None = None,
    classification: str | None = None,
    retention_until: float | None = None,
    legal_hold: bool | None = None,
    readers: list[str] | None = None,
) -> bool:
    """Apply the changes under the document's lock; returns whether anything changed."""
    tx.lock_document(document_id)
    cur = tx.fetchone("get_document", id=document_id)
    assert cur is not None
    new = {
        "owner": owner or cur["owner"],
        "classification": validate_classification(classification) if classification else cur["classification"],
        "retention_until": retention_until if retention_until is not None else cur["retention_until"],
        "legal_hold": int(legal_hold) if legal_hold is not None else int(cur["legal_hold"]),
        "readers": json.dumps(readers) if readers is not None else cur["readers"],
    }
    changes = [f"{k}: {cur[k]!r} -> {v!r}" for k, v in new.items() if cur[k] != v]
    tx.execute("update_ownership", document_id=document_id, now=now(), **new)
    if changes:
        add_timeline(tx, document_id, "ownership", "changed", f"{actor} changed " + "; ".join(changes), worker=actor)
    if new["classification"] != cur["classification"]:
        redact_by_policy(tx, document_id, str(new["classification"]), actor, redact_policy)
    return bool(changes)


def redact_by_policy(tx: Tx, document_id: str, classification: str, actor: str, redact_policy: str) -> None:
    """A classification change applies the redaction policy like a classification at ingest does.

    Before NLP has run, the ``redact`` stage applies the policy itself when NLP completes; after,
    a redaction is requested here (in the same transaction as the change) and put on the timeline."""
    policy = {c.strip() for c in redact_policy.split(",") if c.strip()}
    if classification not in policy:
        return
    done = any(a["kind"] == "nlp-json" for a in tx.fetchall("artifacts_for_document", document_id=document_id))
    if not done:
        return
    emit(
        tx,
        Events.REDACT_REQUESTED,
        document_id,
        {"types": None, "actor": actor, "policy": classification},
        ordering_key=f"{document_id}:redact",
    )
    add_timeline(
        tx,
        document_id,
        "redact",
        "requested",
        f"redaction of all PII requested by policy: the document is now {classification} (changed by {actor})",
        worker=actor,
    )
