"""Pipeline operations as a caller may see them: the summary and the dead-letter queue of their tenants."""

from __future__ import annotations

from typing import Any

from docledger.auth.tokens import Principal
from docledger.ledger import Ledger
from docledger.services import access


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
    for d in hidden.values():
        by_status[d["status"]] = by_status.get(d["status"], 0) - 1
        key = (d["stage"], d["status"])
        by_stage[key] = by_stage.get(key, 0) - 1
        if d["status"] in ("FAILED", "PARTIAL"):
            reason = d["reason"] or "unknown"
            reasons[reason] = reasons.get(reason, 0) - 1
    with ledger.store.read() as tx:
        for tenant in {d["tenant"] for d in hidden.values()}:
            for r in tx.fetchall("access_restricted_queue", tenant=tenant):
                if r["document_id"] in hidden:
                    queue[r["status"]] = queue.get(r["status"], 0) - int(r["n"])
            for r in tx.fetchall("access_restricted_durations", tenant=tenant):
                if r["document_id"] in hidden:
                    durations.append(
                        {
                            "stage": r["stage"],
                            "runs": -int(r["n"]),
                            "total_ms": -float(r["total_ms"] or 0),
                            "max_ms": 0.0,
                        }
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
