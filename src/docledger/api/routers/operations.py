"""Pipeline Operations: timelines, the summary, the dead-letter queue, health and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from docledger.api.deps import get_ledger, get_principal, requires
from docledger.auth.tokens import Principal
from docledger.exceptions import NotFound
from docledger.ledger import Ledger
from docledger.models import Status
from docledger.services import access

router = APIRouter(tags=["operations"])


@router.get("/v1/documents/{document_id}/operations")
def operations(
    document_id: str, principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    """Status, current stage, problems and the append-only timeline of one document."""
    return ledger.status(document_id, tenants=principal.scope)


def visible_summary(ledger: Ledger, principal: Principal) -> dict[str, Any]:
    """Ledger.summary over the caller's tenants only (documents, queue, stage durations, failures)."""
    if principal.scope is None:
        return ledger.summary()
    parts = [ledger.summary(tenant=t) for t in principal.scope]
    parts.append(_hidden_share(ledger, principal))
    out = dict(parts[0])
    by_status: dict[str, int] = {}
    reasons: dict[str, int] = {}
    by_stage: dict[tuple[str, str], int] = {}
    for p in parts:
        for k, v in p["documents_by_status"].items():
            by_status[k] = by_status.get(k, 0) + v
        for k, v in p["failures_by_reason"].items():
            reasons[k] = reasons.get(k, 0) + v
        for s in p["by_stage"]:
            by_stage[(s["stage"], s["status"])] = by_stage.get((s["stage"], s["status"]), 0) + s["count"]
    queue: dict[str, int] = {}
    durations: dict[str, dict[str, Any]] = {}
    for p in parts:
        for k, v in p["queue"].items():
            queue[k] = queue.get(k, 0) + v
        for d in p["stage_durations"]:
            cur = durations.setdefault(d["stage"], {"stage": d["stage"], "runs": 0, "total_ms": 0.0, "max_ms": 0.0})
            cur["runs"] += d["runs"]
            cur["total_ms"] += d["total_ms"]
            cur["max_ms"] = max(cur["max_ms"], d["max_ms"])
    out.update(
        queue={k: v for k, v in queue.items() if v > 0},
        stage_durations=[d for d in durations.values() if d["runs"] > 0],
        documents_by_status={k: v for k, v in by_status.items() if v > 0},
        failures_by_reason={k: v for k, v in reasons.items() if v > 0},
        by_stage=[
            {"stage": k[0], "status": k[1], "count": v}
            for k, v in sorted(by_stage.items(), key=lambda i: str(i[0]))
            if v > 0
        ],
    )
    out["dlq_size"] = len(visible_dead_letters(ledger, principal))
    return out


def _hidden_share(ledger: Ledger, principal: Principal) -> dict[str, Any]:
    """The part of the tenants' summary that comes from documents hidden from the caller, negated,
    so that adding it to the per-tenant parts leaves only what the caller may know about."""
    hidden = access.hidden_documents(ledger, principal.scope)
    by_status: dict[str, int] = {}
    reasons: dict[str, int] = {}
    by_stage: dict[tuple[str, str], int] = {}
    queue: dict[str, int] = {}
    durations: list[dict[str, Any]] = []
    with ledger.store.read() as tx:
        for doc_id, d in hidden.items():
            by_status[d["status"]] = by_status.get(d["status"], 0) - 1
            key = (d["stage"], d["status"])
            by_stage[key] = by_stage.get(key, 0) - 1
            if d["status"] in ("FAILED", "PARTIAL"):
                reason = d["reason"] or "unknown"
                reasons[reason] = reasons.get(reason, 0) - 1
            for r in tx.fetchall("access_queue_for_document", document_id=doc_id):
                queue[r["status"]] = queue.get(r["status"], 0) - int(r["n"])
            for r in tx.fetchall("access_durations_for_document", document_id=doc_id):
                durations.append(
                    {"stage": r["stage"], "runs": -int(r["n"]), "total_ms": -float(r["total_ms"] or 0), "max_ms": 0.0}
                )
    return {
        "documents_by_status": by_status,
        "failures_by_reason": reasons,
        "by_stage": [{"stage": k[0], "status": k[1], "count": v} for k, v in by_stage.items()],
        "queue": queue,
        "stage_durations": durations,
    }


def visible_dead_letters(ledger: Ledger, principal: Principal) -> list[dict[str, Any]]:
    """Dead letters of the caller's tenants, without those of documents hidden from it."""
    if principal.scope is None:
        return ledger.dead_letters()
    hidden = access.hidden_documents(ledger, principal.scope)
    rows = [d for t in principal.scope for d in ledger.dead_letters(tenant=t) if d["document_id"] not in hidden]
    return sorted(rows, key=lambda d: d["delivery_id"])


@router.get("/v1/operations/summary")
def summary(
    principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    """Documents by status and stage, failures by reason, queue depth, DLQ size, stage durations."""
    return visible_summary(ledger, principal)


@router.get("/v1/dlq", tags=["dead letters"])
def dead_letters(
    principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    return {"dead_letters": visible_dead_letters(ledger, principal)}


@router.post("/v1/dlq/{delivery_id}/replay", tags=["dead letters"])
def replay(
    delivery_id: int,
    principal: Principal = Depends(requires("operator", "replay dead letters")),
    ledger: Ledger = Depends(get_ledger),
) -> dict[str, Any]:
    """Put one dead-lettered delivery back in the queue (only one of the caller's tenants)."""
    if not any(d["delivery_id"] == delivery_id for d in visible_dead_letters(ledger, principal)):
        raise NotFound(f"no dead-lettered delivery {delivery_id}", hint="GET /v1/dlq lists them.")
    return {"replayed": ledger.replay(delivery_id, actor=principal.principal)}


@router.get("/healthz", tags=["health"])
def healthz(ledger: Ledger = Depends(get_ledger)) -> dict[str, Any]:
    """Liveness and store reachability (no authentication, no tenant data)."""
    with ledger.store.read() as tx:
        tx.raw("SELECT 1")
    return {"status": "ok", "store": ledger.store.dialect}


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


@router.get("/metrics", response_class=PlainTextResponse, tags=["health"])
def metrics(principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)) -> str:
    """Prometheus text format: documents by status, stage durations, queue depth, DLQ size."""
    s = visible_summary(ledger, principal)
    lines = ["# HELP docledger_documents Documents by pipeline status.", "# TYPE docledger_documents gauge"]
    for status in Status:
        lines.append(
            f'docledger_documents{{status="{status.value}"}} {s["documents_by_status"].get(status.value, 0)}'
        )
    lines += [
        "# HELP docledger_failures Failed or partial documents by reason code.",
        "# TYPE docledger_failures gauge",
    ]
    lines += [
        f'docledger_failures{{reason="{_label(k)}"}} {v}' for k, v in sorted(s["failures_by_reason"].items())
    ]
    lines += [
        "# HELP docledger_queue_deliveries Deliveries in the queue by state.",
        "# TYPE docledger_queue_deliveries gauge",
    ]
    lines += [f'docledger_queue_deliveries{{state="{_label(k)}"}} {v}' for k, v in sorted(s["queue"].items())]
    lines += [
        "# HELP docledger_dlq_size Dead-lettered deliveries.",
        "# TYPE docledger_dlq_size gauge",
        f"docledger_dlq_size {s['dlq_size']}",
        "# HELP docledger_stage_duration_seconds Time spent in stage runs.",
        "# TYPE docledger_stage_duration_seconds summary",
    ]
    for d in s["stage_durations"]:
        st = _label(d["stage"])
        lines.append(f'docledger_stage_duration_seconds_sum{{stage="{st}"}} {d["total_ms"] / 1000:.6f}')
        lines.append(f'docledger_stage_duration_seconds_count{{stage="{st}"}} {d["runs"]}')
    lines += [
        "# HELP docledger_stage_duration_max_seconds Longest stage run.",
        "# TYPE docledger_stage_duration_max_seconds gauge",
    ]
    lines += [
        f'docledger_stage_duration_max_seconds{{stage="{_label(d["stage"])}"}} {d["max_ms"] / 1000:.6f}'
        for d in s["stage_durations"]
    ]
    return "\n".join(lines) + "\n"
