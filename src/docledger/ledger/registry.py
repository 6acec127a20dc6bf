"""Document Registry + Ownership at arrival: store bytes once, dedupe per tenant, version by name."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from docledger.blobs import BlobStore
from docledger.exceptions import InvalidRequest
from docledger.ids import new_id, now
from docledger.ledger.events import emit
from docledger.ledger.operations import add_timeline, record_problem, set_status
from docledger.ledger.runs import record_run
from docledger.models import Arrival, Classification, Events, NewArtifact, Registration, Run, Status
from docledger.settings import Settings
from docledger.store.base import Tx

REGISTER_STAGE = "register"
REGISTER_VERSION = "1.0.0"


def validate_classification(value: str) -> str:
    try:
        return Classification(value.lower()).value
    except ValueError as exc:
        allowed = ", ".join(c.value for c in Classification)
        raise InvalidRequest(f"unknown classification {value!r}", hint=f"Use one of: {allowed}.") from exc


def stage_in(blobs: BlobStore, path: Path, settings: Settings, *, durable: bool = True) -> tuple[str, int, bool]:
    """Put a file's bytes in the blob store; files over the limit are only hashed (never stored)."""
    size = path.stat().st_size
    if size > settings.max_file_bytes:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest(), size, False
    sha, size = blobs.put_file(path, durable=durable)
    return sha, size, True


def register(tx: Tx, arrival: Arrival, settings: Settings, *, worker: str = "registrar") -> Registration:
    """Write registry, ownership, lineage (original), operations and the event in one transaction."""
    t = now()
    existing = tx.fetchone("document_by_sha", tenant=arrival.tenant, sha256=arrival.sha256)
    if existing is not None:
        add_timeline(
            tx,
            existing["id"],
            REGISTER_STAGE,
            "duplicate",
            f"Duplicate arrival of the same bytes as {arrival.name!r} from {arrival.source}; "
            f"kept the existing document.",
            worker=worker,
        )
        return Registration(
            existing["id"], arrival.name, existing["status"], existing["id"], int(existing["version"]), arrival.sha256
        )
    doc_id = new_id("doc_")
    previous = tx.fetchone("latest_version_by_name", tenant=arrival.tenant, name=arrival.name)
    series_id = previous["series_id"] if previous else doc_id
    version = int(previous["version"]) + 1 if previous else 1
    tx.execute(
        "insert_document",
        id=doc_id,
        tenant=arrival.tenant,
        series_id=series_id,
        version=version,
        name=arrival.name,
        sha256=arrival.sha256,
        size=arrival.size,
        media_type=None,
        declared_media_type=arrival.declared_media_type,
        source=arrival.source,
        arrived_at=t,
        status=Status.PROCESSING.value,
        stage=REGISTER_STAGE,
        message="Registered; waiting for classify.",
        meta=json.dumps({"previous_version": previous is not None}),
    )
    tx.execute(
        "insert_ownership",
        document_id=doc_id,
        owner=arrival.owner,
        tenant=arrival.tenant,
        classification=validate_classification(arrival.classification),
        retention_until=arrival.retention_until,
        legal_hold=1 if arrival.legal_hold else 0,
        readers="[]",
        updated_at=t,
    )
    run = Run(
        id=new_id("run_"),
        document_id=doc_id,
        stage=REGISTER_STAGE,
        stage_version=REGISTER_VERSION,
        status="succeeded",
        started_at=t,
        ended_at=t,
        worker=worker,
        meta={"source": arrival.source},
    )
    add_timeline(
        tx,
        doc_id,
        REGISTER_STAGE,
        "registered",
        f"Registered {arrival.name!r} ({arrival.size} bytes, version {version}) from {arrival.source} "
        f"for owner {arrival.owner} in tenant {arrival.tenant}.",
        worker=worker,
    )
    if not arrival.stored:
        msg = (
            f"The file is {arrival.size} bytes, over the {settings.max_file_bytes}-byte limit; its bytes were "
            "not stored. Split it or raise DOCLEDGER_MAX_FILE_BYTES, then submit it again."
        )
        record_run(tx, run)
        record_problem(tx, doc_id, REGISTER_STAGE, None, "too_large", msg, terminal=True, run_id=run.id)
        set_status(tx, doc_id, Status.FAILED.value, stage=REGISTER_STAGE, reason="too_large", message=msg)
        add_timeline(tx, doc_id, "pipeline", Status.FAILED.value, msg)
        return Registration(doc_id, arrival.name, Status.FAILED.value, None, version, arrival.sha256)
    original = NewArtifact(
        id=new_id("art_"),
        key="original",
        kind="original",
        sha256=arrival.sha256,
        size=arrival.size,
        page=None,
        media_type=arrival.declared_media_type,
        meta={"name": arrival.name},
    )
    record_run(tx, run, outputs=[original])
    payload: dict[str, Any] = {
        "name": arrival.name,
        "version": version,
        "sha256": arrival.sha256,
        "size": arrival.size,
        "tenant": arrival.tenant,
        "series_id": series_id,
    }
    emit(tx, Events.REGISTERED, doc_id, payload)
    return Registration(doc_id, arrival.name, Status.PROCESSING.value, None, version, arrival.sha256)
