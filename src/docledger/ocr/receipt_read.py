"""Receipt fields with a confidence each: learned rows for company/address, votes and sums for total/date.

* company / address: the row model of :mod:`docledger.ocr.receipt_lines` scores every row; the
  block it is surest of is compared with the rows the rules of :mod:`docledger.ocr.receipts`
  chose, and the rows with the higher mean model probability win (when both agree, so much the
  better). The confidence is the block's mean probability mapped through the isotonic table
  fitted on cross-validated development receipts.
* total: candidates from every engine that read the page (the rules' total of each), checked
  against the receipt's own arithmetic — subtotal + tax (+ rounding) and cash − change — as far
  as those rows are printed. A candidate gets one vote per engine that read it and one per sum
  it satisfies; the most votes win, the primary engine breaks ties.
* date: the primary engine's date, unless it found none or the other engines agree on another.

Confidences are probabilities-to-be-right estimates (0..1); for total and date they are the
share of evidence behind the value, not yet fitted on data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from docledger.ocr import receipt_lines as rl
from docledger.ocr import receipts as rules
from docledger.ocr.types import Line

FIELDS = ("company", "date", "address", "total")
_SUBTOTAL = re.compile(r"sub\s*-?\s*total|total\s*(excl|exclusive|before)|total\s*sales\s*\(?excl", re.I)
_TAX_ROW = re.compile(r"\b(gst|sst|tax|vat|service\s*(charge|tax)|svc)\b", re.I)
_TAX_EXCLUDE = re.compile(r"incl|summary|code|rate|id|reg|no\b|@\s*0|amount\s*\(|total", re.I)


@dataclass
class ReceiptReading:
    fields: dict[str, str | None]
    confidence: dict[str, float]
    source: dict[str, str]
    model: dict[str, str] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)

    def values(self) -> dict[str, str | None]:
        return {name: self.fields.get(name) for name in FIELDS}


def _norm(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def _rows_mean(probs: np.ndarray, lo: int, hi: int) -> float:
    return float(np.mean(probs[lo : hi + 1])) if hi >= lo else 0.0


def _rule_block(rows: list[rl.Row], text: str | None, after: int, limit: int) -> tuple[int, int] | None:
    """The rows the rules' value was built from (contiguous rows whose text lies inside it)."""
    target = _norm(text)
    if not target:
        return None
    hits = [
        i
        for i in range(after + 1, min(limit, len(rows)))
        if len(_norm(rows[i].text)) >= 2 and _norm(rows[i].text) in target
    ]
    if not hits:
        return None
    lo = hi = hits[0]
    while hi + 1 in hits:
        hi += 1
    return lo, hi


def _header(rows: list[rl.Row], rule: dict[str, str | None]) -> tuple[dict[str, Any], dict[str, str]]:
    model = rl.load_model()
    out: dict[str, Any] = {}
    texts = [r.text for r in rows]
    if not rows:
        return {"company": (None, 0.0, "rules"), "address": (None, 0.0, "rules")}, model.info()
    probs = model.predict_proba(rl.row_features(rows))
    after = -1
    for name, k, limit in (
        ("company", model.classes.index("company"), 20),
        ("address", model.classes.index("address"), 25),
    ):
        p = probs[:, k]
        learned = rl._block(p, min(limit, len(rows)), model.thresholds.get(name, 0.5), after)
        ruled = _rule_block(rows, rule[name], after, limit)
        table = model.calibration.get(name)
        choice: tuple[str | None, float, str]
        if learned and (not ruled or learned[2] >= _rows_mean(p, *ruled)):
            value = " ".join(texts[learned[0] : learned[1] + 1])
            if name == "company":
                value = rules._clean_company(value)
            agree = _norm(value) == _norm(rule[name])
            choice = (value or None, rl.calibrate(learned[2], table), "model+rules" if agree else "model")
            after = learned[1]
        elif ruled:
            choice = (rule[name], rl.calibrate(_rows_mean(p, *ruled), table), "rules")
            after = ruled[1]
        else:
            choice = (rule[name], 0.1 if rule[name] else 0.0, "rules")
        out[name] = choice
    return out, model.info()


def _first_amount(rows: list[str], pattern: re.Pattern[str], exclude: re.Pattern[str] | None = None) -> Decimal | None:
    for row in rows:
        if pattern.search(row) and not (exclude and exclude.search(row)):
            amounts = rules._amounts(row)
            if amounts:
                return amounts[-1]
    return None


def arithmetic_totals(rows: list[str]) -> dict[str, Decimal]:
    """Totals the receipt's own sums imply: subtotal + tax (+ rounding), and cash − change."""
    found: dict[str, Decimal] = {}
    paid = rules._paid_minus_change(rows)
    if paid is not None:
        found["cash-change"] = paid
    subtotal = _first_amount(rows, _SUBTOTAL)
    if subtotal is not None:
        taxes = [
            a
            for r in rows
            if _TAX_ROW.search(r) and not _TAX_EXCLUDE.search(r) and not _SUBTOTAL.search(r)
            for a in rules._amounts(r)[-1:]
        ]
        rounding = _first_amount(rows, rules._ROUNDING_ADJ)
        net = subtotal + sum(taxes, Decimal(0))
        found["subtotal+tax"] = net
        if rounding is not None and abs(rounding) < 1:
            found["subtotal+tax+rounding"] = net + rounding
    return found


def _vote_total(primary: list[str], others: list[list[str]]) -> tuple[str | None, float, str, dict[str, Any]]:
    votes: dict[Decimal, float] = {}
    reasons: dict[Decimal, list[str]] = {}
    first = rules._total(primary)
    for i, rows in enumerate([primary, *others]):
        value = first if i == 0 else rules._total(rows)
        if value is not None:
            d = Decimal(value)
            votes[d] = votes.get(d, 0.0) + (1.05 if i == 0 else 1.0)
            reasons.setdefault(d, []).append("primary engine" if i == 0 else f"engine {i + 1}")
    sums = arithmetic_totals(primary)
    for rows in others:
        for k, v in arithmetic_totals(rows).items():
            sums.setdefault(k, v)
    for name, implied in sums.items():
        if implied in votes:
            votes[implied] += 1.0
            reasons[implied].append(name)
    if not votes:
        return None, 0.0, "none", {"sums": {k: f"{v:.2f}" for k, v in sums.items()}}
    best = max(votes, key=lambda d: votes[d])
    evidence = votes[best]
    possible = 1.05 + len(others) + min(1, len(sums))
    confidence = round(min(0.99, 0.55 + 0.44 * evidence / max(possible, 1.05)), 4)
    source = ", ".join(reasons[best])
    return (
        f"{best:.2f}",
        confidence,
        source,
        {"sums": {k: f"{v:.2f}" for k, v in sums.items()}, "candidates": {f"{k:.2f}": v for k, v in votes.items()}},
    )


def _vote_date(primary: list[str], others: list[list[str]], dayfirst: bool) -> tuple[str | None, float, str]:
    first = rules._date(primary, dayfirst)
    seen = [rules._date(rows, dayfirst) for rows in others]
    agree = sum(1 for d in seen if d and d == first)
    if first is None:
        alt = next((d for d in seen if d), None)
        return alt, (0.6 if alt else 0.0), ("other engine" if alt else "none")
    labelled = any(re.search(r"date|tarikh", r, re.I) and rules.parse_date(r, dayfirst=dayfirst) for r in primary)
    if others and not agree:
        counts: dict[str, int] = {}
        for d in seen:
            if d:
                counts[d] = counts.get(d, 0) + 1
        top = max(counts, key=lambda d: counts[d], default=None)
        if top and counts[top] >= 2:
            return top, 0.7, "other engines"
    base = 0.9 if labelled else 0.8
    return first, round(min(0.99, base + 0.08 * agree), 4), "primary engine" + (" + agreement" if agree else "")


def read_receipt(
    lines: Sequence[Line | str],
    *,
    dayfirst: bool | None = None,
    alternatives: Sequence[Sequence[Line | str]] = (),
) -> ReceiptReading:
    """Company, date, address and total with a confidence and a source each.

    ``alternatives`` are the same page read by other engines; they vote on total and date.
    """
    boxed = rl.rows_with_boxes(lines)
    texts = [r.text for r in boxed]
    if dayfirst is None:
        dayfirst = rules.guess_dayfirst(texts)
    rule = rules.rule_fields(texts, dayfirst=dayfirst)
    header, model_info = _header(boxed, rule)
    others = [[r.text for r in rl.rows_with_boxes(alt)] for alt in alternatives]
    total, total_conf, total_src, checks = _vote_total(texts, others)
    when, date_conf, date_src = _vote_date(texts, others, dayfirst)
    return ReceiptReading(
        fields={"company": header["company"][0], "date": when, "address": header["address"][0], "total": total},
        confidence={
            "company": round(header["company"][1], 4),
            "date": date_conf,
            "address": round(header["address"][1], 4),
            "total": total_conf,
        },
        source={"company": header["company"][2], "date": date_src, "address": header["address"][2], "total": total_src},
        model=model_info,
        checks=checks,
    )
