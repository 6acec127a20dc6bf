"""The ledger: Document Registry, Ownership, Lineage and Pipeline Operations over one store.

The ledger owns every write of documents, runs, artifacts, run inputs, problems, timeline entries
and events (see ``registry``, ``runs``, ``operations``, ``events``). It knows the installed stages only
as subscribers (name, version, events); whoever builds it passes them in, usually
:func:`docledger.pipeline.open_ledger`, which discovers the installed stage plugins.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

from docledger.blobs import BlobStore, blob_cipher
from docledger.exceptions import ConfigurationError, DuplicateKey, InvalidRequest, NotFound
from docledger.ids import iso, now
from docledger.ledger import lineage as lineage_mod
from docledger.ledger.events import emit, sync_subscriptions
from docledger.ledger.operations import add_timeline, set_status
from docledger.ledger.ownership import change_ownership
from docledger.ledger.registry import Arrival, register, stage_in, validate_classification
from docledger.media.declared_type import declared_type
from docledger.models import Artifact, Document, Registration, StagePlugin, Status
from docledger.scrub import hide_paths
from docledger.services import access
from docledger.settings import Settings, get_settings
from docledger.store import Store, open_store

Stages = Mapping[str, StagePlugin]


class Ledger:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: Store | None = None,
        stages: Stages | Callable[[], Stages] | None = None,
    ) -> None:
        """``stages``: the installed stages, or a function that returns them when first needed (discovery
        imports every plugin, which commands that only read need not pay for). ``None``: this ledger
        only reads and records; anything that announces an event refuses to run without subscribers."""
        self.settings = settings or get_settings()
        private_home(self.settings.home)
        self.store = store or open_store(self.settings.resolved_database_url)
        self.blobs = BlobStore(
            self.settings.blob_dir, fsync_derived=self.settings.fsync_artifacts, cipher=blob_cipher(self.settings)
        )
        self._stages: Stages | None = None
        self._find_stages: Callable[[], Stages] | None = None
        if callable(stages):
            self._find_stages = stages
        elif stages is not None:
            self.use_stages(stages)

    @property
    def stages(self) -> Stages:
        if self._stages is None:
            if self._find_stages is None:
                raise ConfigurationError(
                    "this ledger was opened without its stages, so no stage would receive the event",
                    hint="Open it with docledger.pipeline.open_ledger(settings), or pass stages= to Ledger.",
                )
            self.use_stages(self._find_stages())
        return cast(Stages, self._stages)

    def use_stages(self, stages: Stages) -> None:
        """Install these stages as the subscribers (and record their subscriptions)."""
        self._stages = stages
        self.sync_subscriptions()

    def sync_subscriptions(self) -> None:
        with self.store.transaction() as tx:
            sync_subscriptions(tx, self._stages or {})

    def close(self) -> None:
        self.store.close()

    # ---- Document Registry -----------------------------------------------------------------
    def ingest_path(
        self,
        path: Path,
        *,
        owner: str | None = None,
        tenant: str | None = None,
        classification: str | None = None,
        source: str = "cli",
        name: str | None = None,
    ) -> Registration:
        _ = self.stages  # subscriptions must exist before the first event is fanned out
        path = Path(path)
        if not path.is_file():
            raise InvalidRequest(f"{path} is not a file")
        sha, size, stored = stage_in(self.blobs, path, self.settings)
        arrival = Arrival(
            name=name or path.name,
            sha256=sha,
            size=size,
            stored=stored,
            owner=owner or self.settings.default_owner,
            tenant=tenant or self.settings.default_tenant,
            classification=validate_classification(classification or self.settings.default_classification),
            source=f"{source}:{path}" if source == "cli" else source,
            declared_media_type=declared_type(name or path.name),
        )
        return self._register(arrival)

    def ingest_many(
        self,
        paths: list[Path],
        *,
        owner: str | None = None,
        tenant: str | None = None,
        classification: str | None = None,
        source: str = "cli",
    ) -> list[Registration]:
        """Register a batch: bytes written without per-file fsync, then ONE sync (group commit), then
        all registrations in one transaction. Same result as ingest_path for each, much faster."""
        _ = self.stages
        cls = validate_classification(classification or self.settings.default_classification)
        arrivals = []
        for path in map(Path, paths):
            if not path.is_file():
                raise InvalidRequest(f"{path} is not a file")
            sha, size, stored = stage_in(self.blobs, path, self.settings, durable=False)
            arrivals.append(
                Arrival(
                    name=path.name,
                    sha256=sha,
                    size=size,
                    stored=stored,
                    owner=owner or self.settings.default_owner,
                    tenant=tenant or self.settings.default_tenant,
                    classification=cls,
                    source=f"{source}:{path}" if source == "cli" else source,
                    declared_media_type=declared_type(path.name),
                )
            )
        if not arrivals:
            return []
        self.blobs.flush_all()
        for attempt in range(3):
            try:
                with self.store.transaction() as tx, tx.pipelined():
                    regs = [register(tx, a, self.settings) for a in arrivals]
                    tx.after_commit(self.store.notify_work)
                return regs
            except DuplicateKey:  # a concurrent batch registered the same bytes first: retry sees it
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def ingest_bytes(
        self,
        data: bytes,
        name: str,
        *,
        owner: str | None = None,
        tenant: str | None = None,
        classification: str | None = None,
        source: str = "api",
    ) -> Registration:
        _ = self.stages
        sha = self.blobs.put_bytes(data, durable=True)
        arrival = Arrival(
            name=name,
            sha256=sha,
            size=len(data),
            stored=True,
            owner=owner or self.settings.default_owner,
            tenant=tenant or self.settings.default_tenant,
            classification=validate_classification(classification or self.settings.default_classification),
            source=source,
            declared_media_type=declared_type(name),
        )
        return self._register(arrival)

    def _register(self, arrival: Arrival) -> Registration:
        for attempt in range(3):
            try:
                with self.store.transaction() as tx:
                    reg = register(tx, arrival, self.settings)
                    tx.after_commit(self.store.notify_work)
                    return reg
            except DuplicateKey:  # a concurrent registration of the same bytes won the unique key
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get_document(self, document_id: str, *, tenants: list[str] | None = None) -> Document:
        with self.store.read() as tx:
            doc = tx.fetchone("get_document", id=document_id)
        if doc is None or access.view(doc, tenants) is None:  # the access policy: one answer for both
            raise NotFound(f"no document {document_id}", hint="`docledger list` shows the registered documents.")
        return document_json(doc)

    def list_documents(
        self,
        *,
        status: str | None = None,
        tenant: str | None = None,
        owner: str | None = None,
        media_type: str | None = None,
        since: float | None = None,
        until: float | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> list[Document]:
        if status is not None and status.upper() not in Status.__members__:
            raise InvalidRequest(f"unknown status {status!r}", hint=f"Use one of {', '.join(Status)}.")
        with self.store.read() as tx:
            rows = tx.fetchall(
                "list_documents",
                status=status.upper() if status else None,
                tenant=tenant,
                owner=owner,
                media_type=media_type,
                since=since,
                until=until,
                after=after,
                limit=limit,
            )
        return [document_json(r) for r in rows]

    # ---- Pipeline Operations ---------------------------------------------------------------
    def status(self, document_id: str, *, tenants: list[str] | None = None) -> dict[str, Any]:
        doc = self.get_document(document_id, tenants=tenants)
        with self.store.read() as tx:
            timeline = tx.fetchall("timeline_for_document", document_id=document_id)
            problems = tx.fetchall("problems_for_document", document_id=document_id)
        return {
            "document_id": document_id,
            "name": doc["name"],
            "status": doc["status"],
            "stage": doc["stage"],
            "reason": doc["reason"],
            "message": doc["message"],
            "problems": [
                {
                    "stage": p["stage"],
                    "page": p["page"],
                    "code": p["code"],
                    "message": hide_paths(p["message"]),
                    "terminal": bool(p["terminal"]),
                }
                for p in problems
            ],
            "timeline": [
                {
                    "time": iso(t["time"]),
                    "stage": t["stage"],
                    "status": t["status"],
                    "message": hide_paths(t["message"]),
                    "attempt": t["attempt"],
                    "worker": t["worker"],
                }
                for t in timeline
            ],
        }

    def summary(self, *, tenant: str | None = None) -> dict[str, Any]:
        with self.store.read() as tx:
            by_status = {r["status"]: int(r["n"]) for r in tx.fetchall("count_by_status", tenant=tenant)}
            by_stage = [
                {"stage": r["stage"], "status": r["status"], "count": int(r["n"])}
                for r in tx.fetchall("count_by_stage", tenant=tenant)
            ]
            reasons = {r["reason"] or "unknown": int(r["n"]) for r in tx.fetchall("failures_by_reason", tenant=tenant)}
            queue = {r["status"]: int(r["n"]) for r in tx.fetchall("queue_depth", tenant=tenant)}
            durations = [
                {
                    "stage": r["stage"],
                    "runs": int(r["n"]),
                    "total_ms": float(r["total_ms"] or 0),
                    "max_ms": float(r["max_ms"] or 0),
                }
                for r in tx.fetchall("stage_durations", tenant=tenant)
            ]
        return {
            "documents_by_status": by_status,
            "by_stage": by_stage,
            "failures_by_reason": reasons,
            "queue": queue,
            "dlq_size": queue.get("dead", 0),
            "stage_durations": durations,
        }

    # ---- Lineage ---------------------------------------------------------------------------
    def lineage(self, document_id: str, *, tenants: list[str] | None = None) -> dict[str, Any]:
        self.get_document(document_id, tenants=tenants)
        with self.store.read() as tx:
            return lineage_mod.document_lineage(tx, document_id)

    def artifact_lineage(self, artifact_id: str, *, tenants: list[str] | None = None) -> dict[str, Any]:
        self.artifact(artifact_id, tenants=tenants)  # one 404 for missing, foreign and withheld artifacts
        with self.store.read() as tx:
            return lineage_mod.artifact_lineage(tx, artifact_id)

    def artifacts(self, document_id: str, *, tenants: list[str] | None = None) -> list[Artifact]:
        """The document's artifacts that ``tenants`` may read (only redacted ones in a redacted view)."""
        doc_view = self.document_view(document_id, tenants=tenants)
        with self.store.read() as tx:
            rows = tx.fetchall("artifacts_for_document", document_id=document_id)
        return [artifact_json(r) for r in rows if access.artifact_visible(r, doc_view)]

    def artifact(self, artifact_id: str, *, tenants: list[str] | None = None) -> Artifact:
        with self.store.read() as tx:
            row = tx.fetchone("artifact_by_id", id=artifact_id)
        missing = NotFound(f"no artifact {artifact_id}", hint="List a document's artifacts to find their ids.")
        if row is None:
            raise missing
        try:
            doc_view = self.document_view(row["document_id"], tenants=tenants)
        except NotFound:
            raise missing from None  # another tenant's artifact answers exactly like a missing one
        if not access.artifact_visible(row, doc_view):
            raise missing
        return artifact_json(row)

    def document_view(self, document_id: str, *, tenants: list[str] | None = None) -> access.View:
        """``"full"`` or ``"redacted"``: what ``tenants`` may see of the document (NotFound if nothing)."""
        with self.store.read() as tx:
            doc = tx.fetchone("get_document", id=document_id)
        found = access.view(doc, tenants) if doc is not None else None
        if found is None:
            raise NotFound(f"no document {document_id}", hint="`docledger list` shows the registered documents.")
        return found

    # ---- Ownership -------------------------------------------------------------------------
    def update_ownership(
        self,
        document_id: str,
        *,
        actor: str,
        tenants: list[str] | None = None,
        owner: str | None = None,
        classification: str | None = None,
        retention_until: float | None = None,
        legal_hold: bool | None = None,
        readers: list[str] | None = None,
    ) -> Document:
        self.get_document(document_id, tenants=tenants)
        with self.store.transaction() as tx:
            change_ownership(
                tx,
                document_id,
                actor=actor,
                redact_policy=self.settings.redact_policy_classifications,
                owner=owner,
                classification=classification,
                retention_until=retention_until,
                legal_hold=legal_hold,
                readers=readers,
            )
            tx.after_commit(self.store.notify_work)
        return self.get_document(document_id)

    # ---- Requests ------------------------------------------------------------------------------
    def request_processing(
        self,
        document_id: str,
        *,
        event_type: str,
        payload: dict[str, Any],
        stage: str,
        actor: str,
        status_message: str,
        timeline_message: str,
        ordering_key: str | None = None,
    ) -> int:
        """Ask a stage to (re)process a document: the event, the PROCESSING status and who asked (on the
        timeline), in one transaction. Returns the event id."""
        _ = self.stages  # the subscriptions must exist before the event is fanned out
        with self.store.transaction() as tx:
            tx.lock_document(document_id)
            event_id = emit(tx, event_type, document_id, payload, ordering_key=ordering_key)
            set_status(tx, document_id, Status.PROCESSING.value, stage=stage, message=status_message)
            add_timeline(tx, document_id, stage, "requested", timeline_message, worker=actor)
            tx.after_commit(self.store.notify_work)
        return event_id

    # ---- Backfill --------------------------------------------------------------------------
    def backfill(self, stage: str, *, tenant: str | None = None, actor: str = "cli") -> int:
        """Deliver every past event a (newly installed) stage subscribes to; returns deliveries created.

        Events it already received are skipped (one delivery per event and subscriber).
        """
        if stage not in self.stages:
            raise NotFound(f"no installed stage {stage!r}", hint="`docledger stages` lists the installed ones.")
        with self.store.transaction() as tx:
            created = tx.execute("backfill_subscriber", subscriber=stage, tenant=tenant, now=now())
            tx.after_commit(self.store.notify_work)
        return created

    # ---- Dead letters ----------------------------------------------------------------------
    def dead_letters(self, *, tenant: str | None = None) -> list[dict[str, Any]]:
        with self.store.read() as tx:
            rows = tx.fetchall("list_dead", tenant=tenant)
        return [
            {
                "delivery_id": r["id"],
                "event_id": r["event_id"],
                "event_type": r["event_type"],
                "subscriber": r["subscriber"],
                "document_id": r["document_id"],
                "attempts": r["attempts"],
                "error": hide_paths(r["last_error"]),
                "dead_since": iso(r["updated_at"]),
            }
            for r in rows
        ]

    def replay(self, delivery_id: int | None = None, *, actor: str = "cli", tenant: str | None = None) -> list[int]:
        """Put dead deliveries back in the queue (all of them, or one)."""
        dead = self.dead_letters(tenant=tenant)
        targets = [d for d in dead if delivery_id is None or d["delivery_id"] == delivery_id]
        if delivery_id is not None and not targets:
            raise NotFound(f"no dead-lettered delivery {delivery_id}", hint="`docledger dlq list` shows them.")
        with self.store.transaction() as tx:
            for d in targets:
                tx.execute("replay_dead", id=d["delivery_id"], now=now())
                if d["document_id"]:
                    tx.lock_document(d["document_id"])
                    tx.execute("clear_problems", document_id=d["document_id"], stage=d["subscriber"])
                    set_status(
                        tx,
                        d["document_id"],
                        Status.PROCESSING.value,
                        stage=d["subscriber"],
                        message=f"Replayed from the dead-letter queue by {actor}.",
                    )
                    add_timeline(
                        tx,
                        d["document_id"],
                        d["subscriber"],
                        "replayed",
                        f"{actor} replayed delivery {d['delivery_id']} from the dead-letter queue",
                    )
            tx.after_commit(self.store.notify_work)
        return [d["delivery_id"] for d in targets]


def private_home(home: Path) -> None:
    """The ledger home holds every document: readable by its owner only (0700), whatever the umask."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = home.stat()
    if st.st_mode & 0o077 and st.st_uid == os.getuid():
        home.chmod(0o700)


def document_json(r: dict[str, Any]) -> Document:
    out: Document = {
        "document_id": r["id"],
        "name": r["name"],
        "tenant": r["tenant"],
        "version": r.get("version"),
        "status": r["status"],
        "stage": r.get("stage"),
        "reason": r.get("reason"),
        "message": hide_paths(r.get("message")),
        "media_type": r.get("media_type"),
        "size": r.get("size"),
        "pages": r.get("pages"),
        "arrived_at": iso(r.get("arrived_at")),
        "updated_at": iso(r.get("updated_at")),
        "owner": r.get("owner"),
        "classification": r.get("classification"),
    }
    if "sha256" in r:
        out.update(
            {
                "sha256": r["sha256"],
                "source": r["source"],
                "declared_media_type": r["declared_media_type"],
                "series_id": r["series_id"],
                "retention_until": iso(r["retention_until"]),
                "legal_hold": bool(r["legal_hold"]),
                "readers": json.loads(r["readers"] or "[]"),
                "meta": json.loads(r["meta"] or "{}"),
            }
        )
    return out


def artifact_json(r: dict[str, Any]) -> Artifact:
    return {
        "artifact_id": r["id"],
        "document_id": r["document_id"],
        "key": r["key"],
        "kind": r["kind"],
        "sha256": r["sha256"],
        "size": r["size"],
        "media_type": r["media_type"],
        "page": r["page"],
        "stage": r["stage"],
        "stage_version": r["stage_version"],
        "run_id": r["run_id"],
        "meta": json.loads(r["meta"] or "{}"),
    }


__all__ = ["Ledger", "artifact_json", "document_json"]
