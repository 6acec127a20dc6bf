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
from docledger.services.operations import visible_dead_letters, visible_summary

router = APIRouter(tags=["operations"])


@router.get("/v1/documents/{document_id}/operations")
def operations(
    document_id: str, principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)
) -> dict[str, Any]:
    """Status, current stage, problems and the append-only timeline of one document."""
    return ledger.status(document_id, tenants=principal.scope)


@router.get("/v1/operations/summary")
def summary(principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)) -> dict[str, Any]:
    """Documents by status and stage, failures by reason, queue depth, DLQ size, stage durations."""
    return visible_summary(ledger, principal)


@router.get("/v1/dlq", tags=["dead letters"])
def dead_letters(principal: Principal = Depends(get_principal), ledger: Ledger = Depends(get_ledger)) -> dict[str, Any]:
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
        lines.append(f'docledger_documents{{status="{status.value}"}} {s["documents_by_status"].get(status.value, 0)}')
    lines += [
        "# HELP docledger_failures Failed or partial documents by reason code.",
        "# TYPE docledger_failures gauge",
    ]
    lines += [f'docledger_failures{{reason="{_label(k)}"}} {v}' for k, v in sorted(s["failures_by_reason"].items())]
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
