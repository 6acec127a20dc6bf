"""The nouns of the ledger and their allowed values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypedDict


class Status(StrEnum):
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    PARTIAL = "PARTIAL"
    FAILED = "FAILED"
    ERASED = "ERASED"
    # the pipeline is done but a person must check some extracted values (open review tasks)
    NEEDS_REVIEW = "NEEDS_REVIEW"


# "terminal" = nothing more happens in the pipeline; NEEDS_REVIEW waits for a person, not a stage.
TERMINAL = {
    Status.SUCCEEDED.value,
    Status.PARTIAL.value,
    Status.FAILED.value,
    Status.ERASED.value,
    Status.NEEDS_REVIEW.value,
}


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
    FIELDS_EXTRACTED = "fields.extracted"


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    document_id: str | None
    ordering_key: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class Arrival:
    """One file offered for registration (bytes already in the blob store unless too large)."""

    name: str
    sha256: str
    size: int
    stored: bool
    owner: str
    tenant: str
    classification: str
    source: str
    declared_media_type: str | None = None
    retention_until: float | None = None
    legal_hold: bool = False


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
        return {
            "document_id": self.document_id,
            "name": self.name,
            "status": self.status,
            "duplicate_of": self.duplicate_of,
            "version": self.version,
            "sha256": self.sha256,
        }


# ---- what the ledger reads and writes ------------------------------------------------------------
class Document(TypedDict, total=False):
    """A registered document as the ledger returns it (``Ledger.get_document``, the API, the CLI)."""

    document_id: str
    name: str
    tenant: str
    version: int | None
    status: str
    stage: str | None
    reason: str | None
    message: str | None
    media_type: str | None
    size: int | None
    pages: int | None
    arrived_at: str | None
    updated_at: str | None
    owner: str | None
    classification: str | None
    # present on single-document reads (not on list rows)
    sha256: str
    source: str
    declared_media_type: str | None
    series_id: str
    retention_until: str | None
    legal_hold: bool
    readers: list[str]
    meta: dict[str, Any]


class Artifact(TypedDict):
    """One stored output of a stage run (lineage: artifact <- run <- input artifacts)."""

    artifact_id: str
    document_id: str
    key: str
    kind: str
    sha256: str
    size: int
    media_type: str | None
    page: int | None
    stage: str
    stage_version: str
    run_id: str
    meta: dict[str, Any]


class Delivery(TypedDict):
    """One event handed to one subscribed stage (a row of the delivery queue)."""

    id: int
    event_id: int
    event_type: str
    subscriber: str
    document_id: str | None
    ordering_key: str
    payload: str | None
    status: str
    attempts: int


@dataclass
class Run:
    """One stage run as the ledger records it (OpenLineage: job = stage@version, a run of it)."""

    id: str
    document_id: str
    stage: str
    stage_version: str
    status: str
    started_at: float
    ended_at: float
    attempt: int = 1
    worker: str | None = None
    config_hash: str = "-"
    page: int | None = None
    error_code: str | None = None
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_ms(self) -> float:
        return (self.ended_at - self.started_at) * 1000.0


@dataclass
class NewArtifact:
    """An output a run produced, its bytes already in the blob store; the ledger records it at commit."""

    id: str
    key: str
    kind: str
    sha256: str
    size: int
    page: int | None
    media_type: str | None
    meta: dict[str, Any]


@dataclass
class NewEvent:
    """An event a run announces; the ledger writes it (and its deliveries) at commit."""

    type: str
    payload: dict[str, Any]
    ordering_key: str | None
    only_subscriber: str | None = None


@dataclass
class OwnershipChange:
    """A change of a document's ownership a run asks for (e.g. a rule reclassifies it); the ledger applies
    it at commit, with the redaction policy a classification change triggers."""

    actor: str
    redact_policy: str
    owner: str | None = None
    classification: str | None = None
    readers: list[str] | None = None


class StagePlugin(Protocol):
    """What the ledger needs to know of an installed stage: who it is and what it listens to."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def subscribes(self) -> Sequence[str]: ...
    @property
    def produces(self) -> Sequence[str]: ...
    @property
    def description(self) -> str: ...
