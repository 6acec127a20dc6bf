"""Requesting a redaction: an event in the outbox, processed by the ``redact`` stage."""

from __future__ import annotations

from typing import Any

from docledger.ledger.events import emit
from docledger.ledger.operations import add_timeline, set_status
from docledger.models import Events, Status


def request_redaction(ledger: Any, document_id: str, *, tenants: list[str] | None = None,
                      types: list[str] | None = None, actor: str) -> int:
    ledger.get_document(document_id, tenants=tenants)
    _ = ledger.stages  # make sure the redact stage's subscription exists
    with ledger.store.transaction() as tx:
        tx.lock_document(document_id)
        event_id = emit(tx, Events.REDACT_REQUESTED, document_id, {"types": types, "actor": actor},
                        ordering_key=f"{document_id}:redact")
        set_status(tx, document_id, Status.PROCESSING.value, stage="redact",
                   message=f"Redaction requested by {actor}.")
        add_timeline(tx, document_id, "redact", "requested",
                     f"{actor} requested a redaction" + (f" of {', '.join(types)}" if types else " of all PII"),
                     worker=actor)
        tx.after_commit(ledger.store.notify_work)
    return event_id
