"""Requesting a redaction: an event in the outbox, processed by the ``redact`` stage."""

from __future__ import annotations

from docledger.exceptions import InvalidRequest
from docledger.ledger import Ledger
from docledger.models import Events
from docledger.nlp.pii import DEFAULT_TYPES, OPTIONAL_TYPES

#: Every PII type a redaction may name.
PII_TYPES: tuple[str, ...] = DEFAULT_TYPES + OPTIONAL_TYPES


def request_redaction(
    ledger: Ledger, document_id: str, *, tenants: list[str] | None = None, types: list[str] | None = None, actor: str
) -> int:
    unknown = [t for t in types or [] if t not in PII_TYPES]
    if unknown:
        raise InvalidRequest(
            f"unknown PII type(s) {', '.join(unknown)}",
            code="invalid_request",
            hint=f"Use one or more of: {', '.join(PII_TYPES)}.",
        )
    ledger.get_document(document_id, tenants=tenants)
    return ledger.request_processing(
        document_id,
        event_type=Events.REDACT_REQUESTED,
        payload={"types": types, "actor": actor},
        stage="redact",
        actor=actor,
        status_message=f"Redaction requested by {actor}.",
        timeline_message=f"{actor} requested a redaction" + (f" of {', '.join(types)}" if types else " of all PII"),
        ordering_key=f"{document_id}:redact",
    )
