"""Queries: ask a document for a value by its name or its printed question, get the answer and its evidence.

``answer_query(document, "total")`` looks in four places of the whole-document JSON (the same
one ``document_export`` assembles), and returns every candidate, best first, as
``{"query", "value", "confidence", "page", "bbox", "source"}``:

* ``field`` — extracted fields (receipt company / date / address / total, AcroForm and other
  named fields), matched by name or a synonym ("amount due" -> total, "vendor" -> company);
* ``form`` — key-value pairs of forms, matched by the printed key ("Date:", "Name of account");
* ``table`` — a table cell named by its row header (the cell right of it) or its column header
  (the cell under it);
* ``text`` — a text line that holds the question followed by a value ("Total 12.50").

``confidence`` is the probability that the value answers the query: the source's own calibrated
probability (form pairs carry the linker's calibrated confidence; receipt fields the share that
was right on development receipts) times how well the query matches the name (1 for an exact
match after normalisation, down to 0.6 for a fuzzy one); text and table answers get a lower prior.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

# Share of receipt fields that were right on the development receipts through the default OCR
# engine (bench/quality_forms.py, SROIE dev): the prior probability of a field answer.
FIELD_PRIOR = {"company": 0.87, "date": 0.97, "address": 0.73, "total": 0.93}
DEFAULT_FIELD_PRIOR = 0.8
TABLE_PRIOR = 0.6
TEXT_PRIOR = 0.5
MIN_MATCH = 0.6
SOURCE_RANK = {"field": 0, "form": 1, "table": 2, "text": 3}

SYNONYMS = {
    "total": ["total", "amount", "amount due", "total due", "grand total", "balance due", "total amount", "sum"],
    "date": ["date", "invoice date", "receipt date", "transaction date", "issued", "date of purchase"],
    "company": ["company", "vendor", "merchant", "store", "seller", "shop", "business", "supplier", "company name"],
    "address": ["address", "store address", "location", "company address"],
}
_FIELD_SKIP = {"document_type"}


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def match_score(query: str, name: str) -> float:
    """1 for the same words, 0.9 when one holds the other as whole words, else a fuzzy ratio."""
    q, n = normalise(query), normalise(name)
    if not q or not n:
        return 0.0
    if q == n:
        return 1.0
    if f" {q} " in f" {n} " or f" {n} " in f" {q} ":
        shorter, longer = sorted((q, n), key=len)
        return 0.75 + 0.2 * len(shorter) / len(longer)
    return difflib.SequenceMatcher(None, q, n).ratio() * 0.9


def _field_names(name: str) -> list[str]:
    return [name, name.replace("_", " "), *SYNONYMS.get(name, [])]


def _find_evidence(pages: list[dict[str, Any]], value: str) -> tuple[int | None, list[int] | None]:
    """The page and box of the line that holds ``value`` (normalised), for field answers."""
    target = normalise(value)
    if not target:
        return None, None
    iso = re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip())
    best: tuple[float, int | None, list[int] | None] = (0.0, None, None)
    for p in pages:
        for line in p.get("lines") or []:
            raw = str(line.get("text", ""))
            text = normalise(raw)
            if target in text or (iso and _holds_date(raw, value.strip())):
                return p.get("page"), line.get("bbox")
            ratio = difflib.SequenceMatcher(None, target, text).ratio() if text else 0.0
            if ratio > best[0]:
                best = (ratio, p.get("page"), line.get("bbox"))
    if best[0] >= 0.8:
        return best[1], best[2]
    first = pages[0].get("page") if pages else None
    return first, None


def _holds_date(text: str, iso: str) -> bool:
    """The line shows the ISO date ``iso`` in a local form (03/05/2024, 5 Mar 2024, ...)."""
    from docledger.ocr.receipts import parse_date

    return any((d := parse_date(text, dayfirst=first)) is not None and d.isoformat() == iso for first in (True, False))


def _answer(query: str, value: Any, confidence: float, page: Any, bbox: Any, source: str) -> dict[str, Any]:
    return {
        "query": query,
        "value": "" if value is None else str(value),
        "confidence": round(max(0.0, min(1.0, confidence)), 4),
        "page": page,
        "bbox": list(bbox) if bbox else None,
        "source": source,
    }


def _from_fields(query: str, document: dict[str, Any], pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    # the ocr stage also copies form pairs into fields: those are answered as forms, with their evidence
    pairs = {
        (normalise(str(f.get("key") or "")), normalise(str(f.get("value") or "")))
        for p in pages
        for f in p.get("forms") or []
    }
    for name, raw in (document.get("fields") or {}).items():
        if name in _FIELD_SKIP:
            continue
        value = raw.get("value") if isinstance(raw, dict) else raw
        if value in (None, "") or isinstance(value, (dict, list)):
            continue
        if name not in FIELD_PRIOR and (normalise(name), normalise(str(value))) in pairs:
            continue
        score = max(match_score(query, n) for n in _field_names(str(name)))
        if score < MIN_MATCH:
            continue
        prior = FIELD_PRIOR.get(str(name), DEFAULT_FIELD_PRIOR)
        if isinstance(raw, dict) and isinstance(raw.get("confidence"), (int, float)):
            prior = float(raw["confidence"])
        page, bbox = _find_evidence(pages, str(value))
        if isinstance(raw, dict):
            page = raw.get("page", page)
            bbox = raw.get("bbox", bbox)
        answer = _answer(query, value, prior * score, page, bbox, "field")
        # a query naming an extracted field asks for that field ("date" -> the receipt's normalised date)
        answer["_named"] = score >= 0.95
        out.append(answer)
    return out


def _from_forms(query: str, pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for p in pages:
        for f in p.get("forms") or []:
            key = str(f.get("key") or f.get("name") or "")
            value = f.get("value")
            if not key or value in (None, ""):
                continue
            score = match_score(query, key)
            if score < MIN_MATCH:
                continue
            conf = float(f.get("confidence") or 0.0)
            answer = _answer(
                query, value, conf * score, p.get("page"), f.get("value_bbox") or f.get("key_bbox"), "form"
            )
            answer["_exact"] = score >= 0.99  # the printed question itself beats a longer one holding it
            out.append(answer)
    return out


def _from_tables(query: str, pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for p in pages:
        for table in p.get("tables") or []:
            cells = {(int(c.get("row", 0)), int(c.get("col", 0))): c for c in table.get("cells") or []}
            if not cells and table.get("rows"):
                cells = {
                    (r, c): {"text": t, "bbox": None} for r, row in enumerate(table["rows"]) for c, t in enumerate(row)
                }
            for (r, c), cell in cells.items():
                score = match_score(query, str(cell.get("text") or ""))
                if score < MIN_MATCH:
                    continue
                for nxt in ((r, c + 1), (r + 1, c)):
                    answer = cells.get(nxt)
                    if answer and str(answer.get("text") or "").strip():
                        out.append(
                            _answer(
                                query, answer["text"], TABLE_PRIOR * score, p.get("page"), answer.get("bbox"), "table"
                            )
                        )
                        break
    return out


def _from_text(query: str, pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A line starting with the question ("Total: 12.50", "Date 03/05/2024") answers with its rest."""
    out: list[dict[str, Any]] = []
    words = normalise(query).split()
    if not words:
        return out
    pattern = re.compile(r"^\W*" + r"\W+".join(re.escape(w) for w in words) + r"\b\W*(.+)$", re.IGNORECASE)
    for p in pages:
        lines = p.get("lines") or [{"text": t, "bbox": None} for t in str(p.get("text") or "").splitlines()]
        for line in lines:
            m = pattern.match(str(line.get("text") or ""))
            if m and m.group(1).strip():
                conf = TEXT_PRIOR * float(line.get("confidence") or 1.0)
                out.append(_answer(query, m.group(1).strip(), conf, p.get("page"), line.get("bbox"), "text"))
    return out


def answer_query(document: dict[str, Any], query: str, *, limit: int = 10) -> list[dict[str, Any]]:
    """Answers to ``query`` from a whole-document JSON, best first (see the module docstring)."""
    query = query.strip()
    if not query:
        return []
    pages = document.get("pages") or []
    found = (
        _from_fields(query, document, pages)
        + _from_forms(query, pages)
        + _from_tables(query, pages)
        + _from_text(query, pages)
    )
    found.sort(key=lambda a: (not a.get("_named", False), not a.get("_exact", False), -a["confidence"]))
    for a in found:
        a.pop("_named", None)
        a.pop("_exact", None)
    # the same value found twice on a page (a form pair that also sits in a detected table) is one
    # answer: the more specific source speaks for it, with the higher of the two confidences
    unique: list[dict[str, Any]] = []
    by_value: dict[tuple[str, Any], dict[str, Any]] = {}
    for a in found:
        key = (normalise(a["value"]), a["page"])
        first = by_value.get(key)
        if first is None:
            by_value[key] = a
            unique.append(a)
        elif SOURCE_RANK[a["source"]] < SOURCE_RANK[first["source"]]:
            a["confidence"] = max(a["confidence"], first["confidence"])
            unique[unique.index(first)] = a
            by_value[key] = a
    return unique[:limit]


def query_document(
    ledger: Any, document_id: str, query: str, *, tenants: list[str] | None = None, limit: int = 10
) -> list[dict[str, Any]]:
    """Answers from a stored document the caller may read (404 for another tenant's document)."""
    from docledger.exceptions import InvalidRequest
    from docledger.services.export import document_export

    if not query.strip():
        raise InvalidRequest("the query is empty", hint='Ask for a field or a printed question, e.g. "total".')
    if len(query) > 500:
        raise InvalidRequest("the query is longer than 500 characters", hint="Ask for one field or question.")
    return answer_query(document_export(ledger, document_id, tenants=tenants), query, limit=limit)
