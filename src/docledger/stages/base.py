"""The stage plugin contract.

A stage declares its name, version, the events it subscribes to and what it produces, and
implements :meth:`Stage.process`. Everything it writes goes through its :class:`StageContext`
and is committed by the worker in ONE transaction together with the run record, lineage,
the operations timeline, the next events and the acknowledgement of its delivery.

Stages are discovered through the ``docledger.stages`` entry-point group; the built-ins are
registered the same way (see pyproject.toml).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docledger.models import Event, NewArtifact, NewEvent, OwnershipChange

if TYPE_CHECKING:
    from docledger.blobs import BlobStore
    from docledger.settings import Settings
    from docledger.store.base import Store, Tx


class Stage:
    name: ClassVar[str]
    version: ClassVar[str]
    subscribes: ClassVar[tuple[str, ...]]
    produces: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def config(self) -> dict[str, Any]:
        """Settings that change this stage's output; hashed into every run record."""
        return {}

    def config_hash(self) -> str:
        blob = json.dumps(self.config(), sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def accepts(self, event: Event) -> bool:
        """Filter within subscribed events (e.g. only documents routed to this stage)."""
        return True

    def engine_info(self) -> dict[str, Any]:
        """Engines/models used (name + version), recorded in the run's metadata."""
        return {}

    def process(self, ctx: StageContext) -> None:
        raise NotImplementedError


# what a stage queues for the commit transaction (the ledger records them; see ledger/runs.py)
PendingArtifact = NewArtifact
PendingEvent = NewEvent


@dataclass
class StageContext:
    """What a running stage sees and the writes it queues for the commit transaction."""

    stage: Stage
    document: dict[str, Any]
    event: Event
    store: Store
    blobs: BlobStore
    settings: Settings
    worker: str
    attempt: int
    run_id: str
    artifacts_out: list[PendingArtifact] = field(default_factory=list)
    inputs: set[str] = field(default_factory=set)
    events_out: list[PendingEvent] = field(default_factory=list)
    timeline: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[int | None, str, str]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    run_meta: dict[str, Any] = field(default_factory=dict)
    tx_hooks: list[Callable[[Tx], None]] = field(default_factory=list)
    ownership_changes: list[OwnershipChange] = field(default_factory=list)
    skipped: bool = False

    @property
    def document_id(self) -> str:
        return str(self.document["id"])

    @property
    def page(self) -> int | None:
        page = self.event.payload.get("page")
        return int(page) if page is not None else None

    # ---- reading what earlier stages produced -------------------------------------------
    def artifacts(
        self, *, kind: str | None = None, stage: str | None = None, page: int | None = None
    ) -> list[dict[str, Any]]:
        with self.store.read() as tx:
            rows = tx.fetchall("artifacts_for_document", document_id=self.document_id)
        return [
            r
            for r in rows
            if (kind is None or r["kind"] == kind)
            and (stage is None or r["stage"] == stage)
            and (page is None or r["page"] == page)
        ]

    def original(self) -> dict[str, Any]:
        rows = self.artifacts(kind="original")
        if not rows:
            from docledger.exceptions import UnprocessableDocument

            raise UnprocessableDocument("the original bytes of this document were not stored", code="missing_original")
        return rows[0]

    def path_of(self, artifact: dict[str, Any], *, used: bool = True) -> Path:
        if used:
            self.inputs.add(str(artifact["id"]))
        return self.blobs.path(str(artifact["sha256"]))

    def read(self, artifact: dict[str, Any], *, used: bool = True) -> bytes:
        return self.path_of(artifact, used=used).read_bytes()

    def use(self, artifact_id: str) -> None:
        self.inputs.add(artifact_id)

    # ---- queuing writes ----------------------------------------------------------------
    def add_artifact(
        self,
        key: str,
        kind: str,
        data: bytes | str,
        *,
        page: int | None = None,
        media_type: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> str:
        from docledger.ids import new_id

        raw = data.encode() if isinstance(data, str) else data
        sha = self.blobs.put_bytes(raw)
        art = PendingArtifact(new_id("art_"), key, kind, sha, len(raw), page, media_type, meta or {})
        self.artifacts_out.append(art)
        return art.id

    def add_json(
        self, key: str, kind: str, obj: Any, *, page: int | None = None, meta: dict[str, Any] | None = None
    ) -> str:
        text = json.dumps(obj, ensure_ascii=False, indent=1, default=str)
        return self.add_artifact(key, kind, text, page=page, media_type="application/json", meta=meta)

    def emit(
        self,
        event_type: str,
        payload: dict[str, Any] | None = None,
        *,
        ordering_key: str | None = None,
        only_subscriber: str | None = None,
    ) -> None:
        self.events_out.append(PendingEvent(event_type, payload or {}, ordering_key, only_subscriber))

    def log(self, message: str, status: str = "info") -> None:
        self.timeline.append((status, message))

    def fail_page(self, page: int | None, code: str, message: str) -> None:
        """Record a non-fatal problem: the document ends PARTIAL (not FAILED) unless all else fails."""
        self.problems.append((page, code, message))

    def set_facts(self, *, media_type: str | None = None, pages: int | None = None, **meta: Any) -> None:
        if media_type is not None:
            self.facts["media_type"] = media_type
        if pages is not None:
            self.facts["pages"] = pages
        self.facts.setdefault("meta", {}).update(meta)

    def skip(self) -> None:
        """This event turned out not to concern the stage: ack it without recording a run."""
        self.skipped = True

    def change_ownership(
        self,
        *,
        actor: str,
        redact_policy: str,
        owner: str | None = None,
        classification: str | None = None,
        readers: list[str] | None = None,
    ) -> None:
        """Change the document's owner, classification or readers when this run commits (the ledger records
        it on the timeline and applies the redaction policy, as for a change made through the API)."""
        self.ownership_changes.append(
            OwnershipChange(
                actor=actor, redact_policy=redact_policy, owner=owner, classification=classification, readers=readers
            )
        )

    def in_transaction(self, hook: Callable[[Tx], None]) -> None:
        """Run ``hook(tx)`` inside the commit transaction, for the stage's own derived rows (search index,
        graph edges). Runs, artifacts, problems and events are the ledger's: a hook reads them with ``tx``
        but writes them only through this context (``ctx.emit`` in a hook still lands in the same commit)."""
        self.tx_hooks.append(hook)
