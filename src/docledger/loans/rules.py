"""Evaluate a loan file: checklist (what is required, what is present, what is missing) and the
cross-document risk rules. Every flag explains itself and carries its evidence: the document,
page, bbox, field and value (and the fields.json artifact it was read from, for lineage)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from docledger.fields.normalize import money
from docledger.loans import checklists, risk_rules

_DEPOSIT = re.compile(r"\b(deposit|transfer in|wire in|incoming wire|credit)\b", re.I)


def checklist(product: str, docs: list[dict[str, Any]]) -> dict[str, Any]:
    spec = checklists()
    prod = spec["products"].get(product)
    if prod is None:
        return {
            "product": product,
            "version": spec["version"],
            "items": [],
            "missing": [],
            "complete": False,
            "error": f"unknown loan product {product!r}",
        }
    items, missing = [], []
    for req in prod["required"]:
        have = [d["document_id"] for d in docs if d.get("doc_type") == req["doc_type"]]
        need = int(req.get("min", 1))
        ok = len(have) >= need
        items.append(
            {"doc_type": req["doc_type"], "required": need, "present": len(have), "documents": have, "satisfied": ok}
        )
        if not ok:
            missing.append(req["doc_type"])
    return {
        "product": product,
        "label": prod.get("label", product),
        "version": spec["version"],
        "items": items,
        "missing": missing,
        "complete": not missing,
    }


def _evidence(doc: dict[str, Any], f: dict[str, Any]) -> dict[str, Any]:
    return {
        "document_id": doc["document_id"],
        "document_name": doc.get("name"),
        "doc_type": doc["doc_type"],
        "field": f["field"],
        "value": f.get("value"),
        "normalized": f.get("normalized"),
        "page": f.get("page"),
        "bbox": f.get("bbox"),
        "confidence": f.get("confidence"),
        "artifact_id": doc.get("fields_artifact"),
    }


def _values(docs: list[dict[str, Any]], pairs: list[list[str]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    for doc in docs:
        for doc_type, field in pairs:
            if doc.get("doc_type") != doc_type:
                continue
            f = doc["fields"].get(field)
            if f is not None and f.get("normalized") not in (None, ""):
                out.append((doc, f))
    return out


def _name_key(v: Any) -> str:
    toks = sorted(t for t in re.sub(r"[^a-z ]", " ", str(v).lower()).split() if len(t) > 1)
    return " ".join(toks)


def _ssn_key(v: Any) -> str:
    return re.sub(r"\D", "", str(v))[-4:] if "*" in str(v) else re.sub(r"\D", "", str(v))


def _same_value(rule: dict[str, Any], docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    vals = _values(docs, rule["fields"])
    key = _ssn_key if rule.get("compare") == "ssn" else _name_key
    groups: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for doc, f in vals:
        groups.setdefault(key(f["normalized"]), []).append((doc, f))
    if rule.get("compare") == "ssn":  # a masked SSN agrees with any full one ending in the same four digits
        full = {k for k in groups if len(k) == 9}
        for k in [k for k in groups if len(k) == 4]:
            match = [f for f in full if f.endswith(k)]
            if len(match) == 1:
                groups[match[0]].extend(groups.pop(k))
    if len(groups) < 2:
        return []
    shown = "; ".join(f"{f['normalized']} on {d['doc_type']} {d['document_id']} p{f.get('page')}" for d, f in vals)
    return [{"explanation": f"{len(groups)} different values: {shown}", "evidence": [_evidence(d, f) for d, f in vals]}]


def _income(rule: dict[str, Any], docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    annual: list[tuple[float, dict[str, Any], dict[str, Any], str]] = []
    for src in rule["sources"]:
        found = _values(docs, [[src["doc_type"], src["field"]]])
        if not found:
            continue
        doc, f = max(found, key=lambda t: t[0].get("arrived_at") or "")
        try:
            annual.append((float(f["normalized"]) * float(src["per_year"]), doc, f, src["label"]))
        except (TypeError, ValueError):
            continue
    if len(annual) < 2:
        return []
    lo, hi = min(a[0] for a in annual), max(a[0] for a in annual)
    if hi <= 0 or (hi - lo) / hi <= float(rule["tolerance"]):
        return []
    shown = "; ".join(f"{label}: {amount:,.2f}/year" for amount, _, _, label in annual)
    return [
        {
            "explanation": f"annual income differs by {(hi - lo) / hi:.0%} (tolerance "
            f"{float(rule['tolerance']):.0%}): {shown}",
            "evidence": [_evidence(d, f) for _, d, f, _ in annual],
        }
    ]


def _recent(rule: dict[str, Any], docs: list[dict[str, Any]], as_of: date) -> list[dict[str, Any]]:
    found = _values(docs, [[rule["doc_type"], rule["field"]]])
    dated = []
    for doc, f in found:
        try:
            dated.append((date.fromisoformat(str(f["normalized"])), doc, f))
        except ValueError:
            continue
    if not dated:
        return []
    latest, doc, f = max(dated, key=lambda t: t[0])
    age = (as_of - latest).days
    if age <= int(rule["max_age_days"]):
        return []
    return [
        {
            "explanation": f"the latest {rule['doc_type']} {rule['field']} is {latest.isoformat()}, {age} days "
            f"before {as_of.isoformat()} (allowed {rule['max_age_days']})",
            "evidence": [_evidence(doc, f)],
        }
    ]


def _large_deposits(rule: dict[str, Any], docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if any(d.get("doc_type") == rule.get("explained_by") for d in docs):
        return []
    monthly = None
    for _doc, f in _values(docs, [["urla-1003", "monthly_income"]]):
        monthly = float(f["normalized"])
    limit = max(float(rule["min_amount"]), (monthly or 0) * float(rule["share_of_income"]))
    out = []
    for doc in docs:
        if doc.get("doc_type") != "bank-statement":
            continue
        for page, text in doc.get("page_texts", []):
            for line in text.splitlines():
                if not _DEPOSIT.search(line) or re.search(r"total|deposits and|balance", line, re.I):
                    continue
                amounts = [
                    m for m in (money(tok)[1] for tok in re.findall(r"\$?\d[\d,]*\.\d{2}", line)) if m is not None
                ]
                if amounts and amounts[0] >= limit:
                    out.append(
                        {
                            "explanation": f"deposit of {amounts[0]:,.2f} (limit {limit:,.2f}) on page {page}: "
                            f"{line.strip()[:120]!r}, no letter of explanation in the file",
                            "evidence": [
                                {
                                    "document_id": doc["document_id"],
                                    "document_name": doc.get("name"),
                                    "doc_type": "bank-statement",
                                    "field": "deposit",
                                    "value": line.strip(),
                                    "normalized": amounts[0],
                                    "page": page,
                                    "bbox": None,
                                    "confidence": None,
                                    "artifact_id": None,
                                }
                            ],
                        }
                    )
    return out


def evaluate(docs: list[dict[str, Any]], *, as_of: date) -> list[dict[str, Any]]:
    spec = risk_rules()
    flags = []
    for rule in spec["rules"]:
        kind = rule["kind"]
        if kind == "same_value":
            found = _same_value(rule, docs)
        elif kind == "income":
            found = _income(rule, docs)
        elif kind == "recent":
            found = _recent(rule, docs, as_of)
        elif kind == "large_deposit":
            found = _large_deposits(rule, docs)
        else:
            continue
        for f in found:
            flags.append(
                {
                    "rule": rule["id"],
                    "rules_version": spec["version"],
                    "severity": rule["severity"],
                    "message": rule["message"],
                    **f,
                }
            )
    return flags
