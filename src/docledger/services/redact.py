"""Requesting a redaction: an event in the outbox, processed by the ``redact`` stage."""

from __future__ import annotations

from typing import Any

from docledger.exceptions import InvalidRequest
from docledger.ledger.events import emit
from docledger.ledger.operations import add_timeline, set_status
from docledger.models import Events, Status
from docledger.nlp.pii import DEFAULT_TYPES, OPTIONAL_TYPES

#: Every PII type a redaction may name.
PII_TYPES: tuple[str, ...] = DEFAULT_TYPES + OPTIONAL_TYPES


def request_redaction(ledger: Any, document_id: str, *, tenants: list[str] | None = None,
                      types: list[str] | None = None, actor: str) -> int:
    unknown = [t for t in types or [] if t not in PII_TYPES]
    if unknown:
        raise InvalidRequest(f"unknown PII type(s) {', '.join(unknown)}", code="invalid_request",
                             hint=f"Use one or more of: {', '.join(PII_TYPES)}.")
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
