"""Extraction accuracy measured by reviewers: per document type and field, calibration, trends.

Every field the review stage routed is counted once (superseded tasks are not):

- ``straight_through_rate``: share of fields that needed no person (confident and valid, or read
  from a learned region);
- ``accepted_share`` / ``corrected_share``: of the fields a reviewer resolved, the share whose
  extracted value was right (accepted unchanged) or wrong (corrected);
- ``calibration``: resolved fields binned by predicted confidence, each bin's mean confidence next
  to its observed accuracy (accepted / resolved), and the expected calibration error. Only fields
  sent to review are observed, so the bins cover confidences below the review thresholds; a field
  that went straight through is never checked by a person and is not counted as right.
- ``trend`` per UTC day of extraction, and the same figures ``by_model_version`` (the extractor stage
  version and schema version that produced the values).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from docledger.services.access import hidden_documents

BINS = 10


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _stats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = {s: 0 for s in ("auto", "learned", "open", "accepted", "corrected")}
    for r in rows:
        if r["status"] in n:
            n[r["status"]] += 1
    total = sum(n.values())
    straight = n["auto"] + n["learned"]
    resolved = n["accepted"] + n["corrected"]
    return {
        "fields": total,
        "straight_through": straight,
        "learned": n["learned"],
        "open": n["open"],
        "accepted": n["accepted"],
        "corrected": n["corrected"],
        "straight_through_rate": _ratio(straight, total),
        "accepted_share": _ratio(n["accepted"], resolved),
        "corrected_share": _ratio(n["corrected"], resolved),
    }


def calibration(rows: list[dict[str, Any]], bins: int = BINS) -> dict[str, Any]:
    resolved = [r for r in rows if r["status"] in ("accepted", "corrected") and r["confidence"] is not None]
    out = []
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [r for r in resolved if min(bins - 1, int(float(r["confidence"]) * bins)) == b]
        if not inside:
            out.append({"lo": lo, "hi": hi, "count": 0, "mean_confidence": None, "observed_accuracy": None})
            continue
        conf = sum(float(r["confidence"]) for r in inside) / len(inside)
        acc = sum(1 for r in inside if r["status"] == "accepted") / len(inside)
        ece += len(inside) / len(resolved) * abs(acc - conf)
        out.append(
            {
                "lo": lo,
                "hi": hi,
                "count": len(inside),
                "mean_confidence": round(conf, 4),
                "observed_accuracy": round(acc, 4),
            }
        )
    return {"bins": out, "observed": len(resolved), "ece": round(ece, 4) if resolved else None}


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")


def accuracy_report(ledger: Any, *, tenants: list[str] | None) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    with ledger.store.read() as tx:
        for t in [None] if tenants is None else dict.fromkeys(tenants):
            rows.extend(tx.fetchall("review_items_for_accuracy", tenant=t))
    hidden = hidden_documents(ledger, tenants)  # restricted documents the caller may not know about
    rows = [r for r in rows if r["document_id"] not in hidden]
    by_field: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_field[(r["doc_type"], r["field"])].append(r)
        by_type[r["doc_type"]].append(r)
        by_day[_day(float(r["created_at"]))].append(r)
        by_model[r["model_version"]].append(r)
    return {
        "overall": _stats(rows),
        "by_doc_type": [{"doc_type": k, **_stats(v)} for k, v in sorted(by_type.items())],
        "by_field": [
            {"doc_type": k[0], "field": k[1], **_stats(v), "calibration": calibration(v)}
            for k, v in sorted(by_field.items())
        ],
        "calibration": calibration(rows),
        "trend": [{"day": k, **_stats(v)} for k, v in sorted(by_day.items())],
        "by_model_version": [
            {"model_version": k, **_stats(v), "ece": calibration(v)["ece"]} for k, v in sorted(by_model.items())
        ],
    }
