"""The nouns of the ledger and their allowed values."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    PARTIAL = "PARTIAL"
    FAILED = "FAILED"


TERMINAL = {Status.SUCCEEDED.value, Status.PARTIAL.value, Status.FAILED.value}


class Classification(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class Events:
    """Event types the built-in pipeline emits. Plugins may define their own (dotted, past tense)."""

    REGISTERED = "document.registered"
    CLASSIFIED = "document.classified"
    TEXT_EXTRACTED = "text.extracted"
    OCR_PAGE = "ocr.page.requested"
    OCR_COMPLETED = "ocr.completed"
    NLP_COMPLETED = "nlp.completed"
    INDEXED = "document.indexed"
    REDACT_REQUESTED = "redaction.requested"


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    document_id: str | None
    ordering_key: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Registration:
    """What ingest returns for one file."""

    document_id: str
    name: str
    status: str
    duplicate_of: str | None
    version: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"document_id": self.document_id, "name": self.name, "status": self.status,
                "duplicate_of": self.duplicate_of, "version": self.version, "sha256": self.sha256}
