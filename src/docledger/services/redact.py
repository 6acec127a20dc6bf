"""Requesting a redaction: an event in the outbox, processed by the ``redact`` stage."""

from __future__ import annotations

from docledger.ledger import Ledger
from docledger.models import Events


def request_redaction(ledger: Ledger, document_id: str, *, tenants: list[str] | None = None,
                      types: list[str] | None = None, actor: str) -> int:
    ledger.get_document(document_id, tenants=tenants)
    return ledger.request_processing(
        document_id, event_type=Events.REDACT_REQUESTED, payload={"types": types, "actor": actor}, stage="redact",
        actor=actor, status_message=f"Redaction requested by {actor}.",
        timeline_message=f"{actor} requested a redaction" + (f" of {', '.join(types)}" if types else " of all PII"),
        ordering_key=f"{document_id}:redact")
