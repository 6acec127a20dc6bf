"""Pipeline operations as a caller may see them: the summary and the dead-letter queue of their tenants."""

from __future__ import annotations

from typing import Any

from docledger.auth.tokens import Principal
from docledger.ledger import Ledger


def visible_summary(ledger: Ledger, principal: Principal) -> dict[str, Any]:
    """Ledger.summary over the caller's tenants only (documents, queue, stage durations, failures)."""
    if principal.scope is None:
        return ledger.summary()
    parts = [ledger.summary(tenant=t) for t in principal.scope]
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
        queue=queue,
        stage_durations=list(durations.values()),
        documents_by_status=by_status,
        failures_by_reason=reasons,
        by_stage=[
            {"stage": k[0], "status": k[1], "count": v}
            for k, v in sorted(by_stage.items(), key=lambda i: str(i[0]))
        ],
    )
    out["dlq_size"] = len(visible_dead_letters(ledger, principal))
    return out


def visible_dead_letters(ledger: Ledger, principal: Principal) -> list[dict[str, Any]]:
    if principal.scope is None:
        return ledger.dead_letters()
    rows = [d for t in principal.scope for d in ledger.dead_letters(tenant=t)]
    return sorted(rows, key=lambda d: d["delivery_id"])
