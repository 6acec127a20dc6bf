"""Legal holds and provable erasure.

``erase`` removes everything docledger holds about a document's content: the original bytes
(unless another live document shares them), every derived artifact, search rows and embeddings,
graph edges and entities no other document mentions, review data, problems, events and queued
deliveries — every row of every table with a ``document_id`` column, so tables added later are
covered without changing this module. What remains is a tombstone (ids, hashes, who, when, why,
the report) and the document row renamed ``[erased]`` with status ERASED.

Deleted rows must not linger in the database files: SQLite runs with ``secure_delete`` (freed
pages are zeroed), the full-text index is merged and the WAL truncated after the erasure;
PostgreSQL tables that held the document's rows are rewritten (``VACUUM FULL``), so dead tuples
leave the data files. A document under legal hold cannot be erased or disposed of.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from docledger.exceptions import DocledgerError, NotFound
from docledger.ids import iso, new_id, now
from docledger.ledger.operations import add_timeline
from docledger.store.base import Tx

#: rows kept (scrubbed) or written by the erasure itself
KEPT_TABLES = {"documents", "ownership", "tombstones", "legal_holds", "stage_runs", "timeline", "audit_log"}


class LegalHoldActive(DocledgerError):
    code = "legal_hold"
    exit_code = 5
    http_status = 409


@dataclass
class ErasureReport:
    document_id: str
    tenant: str
    sha256: str
    kind: str
    reason: str
    erased_by: str
    erased_at: float
    rows: dict[str, int] = field(default_factory=dict)
    blobs_removed: list[str] = field(default_factory=list)
    blobs_kept_shared: list[str] = field(default_factory=list)
    compacted: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "tenant": self.tenant,
            "status": "ERASED",
            "kind": self.kind,
            "sha256": self.sha256,
            "reason": self.reason,
            "erased_by": self.erased_by,
            "erased_at": iso(self.erased_at),
            "rows_removed": self.rows,
            "blobs_removed": self.blobs_removed,
            "blobs_kept_shared": self.blobs_kept_shared,
            "storage_compacted": self.compacted,
        }


# ---- legal holds --------------------------------------------------------------------------------
def set_hold(ledger: Any, document_id: str, *, reason: str, actor: str, tenants: list[str] | None = None) -> dict:
    if not reason.strip():
        from docledger.exceptions import InvalidRequest

        raise InvalidRequest("a legal hold needs a reason", hint="--reason 'litigation 2026-114'")
    doc = ledger.get_document(document_id, tenants=tenants)
    with ledger.store.transaction() as tx:
        tx.lock_document(document_id)
        tx.execute("hold_insert", id=new_id("hold"), document_id=document_id, reason=reason, set_by=actor, set_at=now())
        tx.execute("set_legal_hold", document_id=document_id, legal_hold=1, updated_at=now())
        add_timeline(tx, document_id, "governance", "HOLD", f"legal hold set by {actor}: {reason}")
    return hold_status(ledger, doc["document_id"])


def release_hold(
    ledger: Any, document_id: str, *, actor: str, reason: str = "", tenants: list[str] | None = None
) -> dict:
    ledger.get_document(document_id, tenants=tenants)
    with ledger.store.transaction() as tx:
        tx.lock_document(document_id)
        released = tx.execute(
            "hold_release", document_id=document_id, released_by=actor, released_at=now(), release_reason=reason or None
        )
        if not released:
            raise NotFound(f"{document_id} is not under legal hold", hint="`docledger hold show DOC` lists its holds.")
        tx.execute("set_legal_hold", document_id=document_id, legal_hold=0, updated_at=now())
        add_timeline(tx, document_id, "governance", "HOLD_RELEASED", f"legal hold released by {actor}")
    return hold_status(ledger, document_id)


def hold_status(ledger: Any, document_id: str) -> dict:
    with ledger.store.read() as tx:
        holds = tx.fetchall("holds_for_document", document_id=document_id)
    return {
        "document_id": document_id,
        "legal_hold": any(h["released_at"] is None for h in holds),
        "holds": [
            {**h, "set_at": iso(h["set_at"]), "released_at": iso(h["released_at"]) if h["released_at"] else None}
            for h in holds
        ],
    }


# ---- erasure ------------------------------------------------------------------------------------
def erase(
    ledger: Any, document_id: str, *, reason: str, actor: str, tenants: list[str] | None = None, kind: str = "erasure"
) -> ErasureReport:
    """Remove a document's content everywhere; refuse (changing nothing) when it is under legal hold."""
    from docledger.exceptions import InvalidRequest

    if not reason.strip():
        raise InvalidRequest("an erasure needs a reason", hint="--reason 'GDPR art. 17 request 2026-0042'")
    doc = ledger.get_document(document_id, tenants=tenants)
    if doc["status"] == "ERASED":
        raise InvalidRequest(f"{document_id} was already erased", hint="`docledger status DOC` shows the tombstone.")
    with ledger.store.transaction() as tx:
        tx.lock_document(document_id)
        row = tx.fetchone("get_document", id=document_id)
        assert row is not None
        if int(row["legal_hold"] or 0):
            raise LegalHoldActive(
                f"{document_id} is under legal hold and cannot be erased or disposed of",
                hint="Release the hold first: `docledger hold release DOC` (by its owner).",
            )
        report = ErasureReport(
            document_id=document_id,
            tenant=row["tenant"],
            sha256=row["sha256"],
            kind=kind,
            reason=reason,
            erased_by=actor,
            erased_at=now(),
        )
        blobs = {row["sha256"]} | {
            a["sha256"] for a in tx.fetchall("artifact_blobs_for_document", document_id=document_id)
        }
        shared = {
            sha
            for sha in blobs
            if int((tx.fetchone("blob_users_elsewhere", sha256=sha, document_id=document_id) or {"n": 0})["n"])
        }
        _delete_rows(tx, document_id, report)
        tx.execute("orphan_entities", tenant=row["tenant"])
        tx.execute(
            "erase_document_row",
            id=document_id,
            name="[erased]",
            sha256=f"erased:{document_id}",
            message=f"erased by {actor}: {reason}",
            now=report.erased_at,
        )
        add_timeline(tx, document_id, "governance", "ERASED", f"{kind} by {actor}: {reason}")
        report.blobs_removed = sorted(blobs - shared)
        report.blobs_kept_shared = sorted(shared)
        tx.execute(
            "tombstone_insert",
            document_id=document_id,
            tenant=row["tenant"],
            sha256=row["sha256"],
            name_sha256=hashlib.sha256(row["name"].encode()).hexdigest(),
            kind=kind,
            reason=reason,
            erased_by=actor,
            erased_at=report.erased_at,
            report=json.dumps(report.to_json()),
        )
    for sha in report.blobs_removed:
        ledger.blobs.delete(sha)
    report.compacted = ledger.store.scrub([t for t, n in report.rows.items() if n] + ["documents", "timeline"])
    from docledger.services import _vectors

    _vectors.forget(document_id, blobs)
    return report


def _delete_rows(tx: Tx, document_id: str, report: ErasureReport) -> None:
    """Every row of every table with a document_id column (except the kept ones), children first.

    Foreign keys decide the order; rather than hard-code it, retry the tables a constraint held back
    (each attempt inside a savepoint, so a refused DELETE does not abort the transaction)."""
    runs = [r["id"] for r in tx.raw("SELECT id FROM stage_runs WHERE document_id = :d", {"d": document_id})]
    removed = 0
    for run_id in runs:
        removed += len(tx.raw("DELETE FROM run_inputs WHERE run_id = :r RETURNING run_id", {"r": run_id}))
    report.rows["run_inputs"] = removed
    tables = sorted({r["table_name"] for r in tx.fetchall("tables_with_document_id")} - KEPT_TABLES)
    pending = tables
    for _ in range(len(tables) + 1):
        held_back = []
        for table in pending:
            tx.raw("SAVEPOINT erase_table")
            try:
                n = len(
                    tx.raw(
                        f"DELETE FROM {table} WHERE document_id = :d RETURNING document_id",  # noqa: S608
                        {"d": document_id},
                    )
                )
            except Exception:  # a foreign key from a table not yet emptied: try again after it
                tx.raw("ROLLBACK TO SAVEPOINT erase_table")
                held_back.append(table)
                continue
            tx.raw("RELEASE SAVEPOINT erase_table")
            report.rows[table] = n
        if not held_back:
            break
        pending = held_back
    else:
        raise RuntimeError(f"could not erase rows of {pending}: circular foreign keys")
    # runs stay (which stage version ran, when) but keep no text: errors and meta go
    tx.raw("UPDATE stage_runs SET error = NULL, meta = '{}' WHERE document_id = :d", {"d": document_id})
    report.rows["timeline"] = len(
        tx.raw("DELETE FROM timeline WHERE document_id = :d RETURNING document_id", {"d": document_id})
    )
    report.rows["stage_runs"] = len(runs)  # kept, scrubbed of errors and meta


def tombstone(ledger: Any, document_id: str, *, tenants: list[str] | None = None) -> dict[str, Any]:
    """What remains of an erased document: ids, hashes, who, when, why and the erasure report."""
    ledger.get_document(document_id, tenants=tenants)
    with ledger.store.read() as tx:
        row = tx.fetchone("tombstone_get", document_id=document_id)
    if row is None:
        raise NotFound(f"{document_id} has not been erased", hint="Only erased documents have a tombstone.")
    return {**row, "erased_at": iso(row["erased_at"]), "report": json.loads(row["report"])}
