"""Fill a type's field schema from one document's pages.

Candidates for each field come from four sources, each with a base confidence:
``form`` (AcroForm fields 0.97; OCR key-value pairs: their confidence), ``table`` (a row whose
header cell names the field), ``text`` (a label on a line and the value after it, or on the
next line), and the schema's ``pattern``. Labels of all fields are matched on a line together,
longest first, so "YTD Gross" is never read as "Gross". The best valid candidate wins; its value
is normalised and checked; then the schema's cross-field checks run (net <= gross ...). Each
field carries its page and the bbox of the words it came from where the page has word boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from docledger.fields import FieldSpec, TypeSchema, schemas
from docledger.fields.normalize import NORMALISERS, comparable

STRICT_TYPES = ("ssn", "ein", "date", "money", "year")
_SPLIT = re.compile(r"\s{2,}|\t|\s\|\s")


@dataclass
class Candidate:
    raw: str
    confidence: float
    source: str
    page: int | None
    bbox: list[float] | None = None
    found: str | None = None
    normalized: Any = None
    errors: list[str] = field(default_factory=list)


def _norm_label(s: str) -> str:
    s = re.sub(r"[_.]+", " ", s.lower())
    s = re.sub(r"([a-z])([A-Z])", r"\1 \2", s)
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9'#,() ]", " ", s)).strip()


def _label_match(key: str, spec: FieldSpec) -> float:
    """How well a form key / table header names this field (0 = not at all)."""
    k = _norm_label(key).strip(" :#")
    best = 0.0
    for lb in spec.labels:
        if k == lb:
            best = max(best, 1.0)
        elif re.search(rf"(?:^|\b){re.escape(lb)}(?:\b|$)", k) and len(lb) >= 0.5 * len(k):
            best = max(best, 0.9)
        elif k.replace(" ", "") == lb.replace(" ", ""):
            best = max(best, 0.95)
    return best


def _label_regex(specs: tuple[FieldSpec, ...]) -> list[tuple[re.Pattern[str], FieldSpec, str]]:
    out = []
    for spec in specs:
        for lb in spec.labels:
            out.append((re.compile(rf"(?<![a-z0-9]){re.escape(lb)}(?![a-z0-9])\s*[:#]?", re.I), spec, lb))
    out.sort(key=lambda t: -len(t[2]))
    return out


def _locate(found: str, page: dict[str, Any]) -> tuple[list[float] | None, float]:
    """Box and min word confidence of ``found`` among the page's words (first consecutive run)."""
    words = page.get("words") or []
    toks = [t for t in re.split(r"\s+", found.strip()) if t]
    if not toks or not words:
        return None, 1.0
    texts = [str(w.get("text", "")) for w in words]
    n = len(toks)
    for i in range(len(words) - n + 1):
        if all(_tok_eq(texts[i + j], toks[j]) for j in range(n)):
            run = words[i : i + n]
            boxes = [w["bbox"] for w in run if w.get("bbox")]
            if not boxes:
                return None, 1.0
            bbox = [
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            ]
            conf = min(float(w.get("confidence", 1.0)) for w in run)
            return [round(float(x), 2) for x in bbox], conf
    return None, 1.0


def _tok_eq(a: str, b: str) -> bool:
    a, b = a.strip(",;:").lower(), b.strip(",;:").lower()
    return a == b or (len(b) > 3 and (a.startswith(b) or b.startswith(a)))


def _evaluate(c: Candidate, spec: FieldSpec) -> Candidate:
    found, normalized, errors = NORMALISERS[spec.type](c.raw)
    c.found, c.normalized, c.errors = found, normalized, list(errors)
    if found is None:
        c.confidence = 0.0
    elif errors:
        c.confidence *= 0.5
    elif spec.type in STRICT_TYPES:  # the value passed a strict format check: more likely right
        c.confidence = min(0.99, c.confidence + 0.05)
    return c


def _field_start(line: str, start: int) -> bool:
    """A label starts a field at the line start (after a box number such as "1" or "e"), after a
    wide gap, or after a separator; not in the middle of a sentence."""
    before = line[:start]
    return (
        not before.strip()
        or bool(re.fullmatch(r"\s*[a-z0-9]{1,2}[.)]?\s+", before, re.I))
        or bool(re.search(r"(\s{2,}|\t|\|)$", before))
    )


def _text_candidates(pages: list[dict[str, Any]], schema: TypeSchema) -> dict[str, list[Candidate]]:
    out: dict[str, list[Candidate]] = {}
    rxs = _label_regex(schema.fields)
    for p in pages:
        lines = str(p.get("text") or "").splitlines()
        for li, line in enumerate(lines):
            taken: list[tuple[int, int, FieldSpec, bool]] = []
            for rx, spec, _lb in rxs:
                for m in rx.finditer(line):
                    if any(m.start() < e and s < m.end() for s, e, _, _ in taken):
                        continue
                    colon = m.group(0).rstrip().endswith((":", "#"))
                    if not (_field_start(line, m.start()) or colon):
                        continue
                    taken.append((m.start(), m.end(), spec, colon))
            taken.sort(key=lambda t: t[0])
            for i, (_s, e, spec, colon) in enumerate(taken):
                end = taken[i + 1][0] if i + 1 < len(taken) else len(line)
                seg = line[e:end].strip()
                rest = _SPLIT.split(seg)[0].strip() if seg else ""
                conf = 0.92 if colon else 0.85
                if rest[:1] == "(":  # a qualifier such as "(EIN):" between label and value
                    rest = re.sub(r"^\([^)]*\)\s*[:#]?\s*", "", rest).strip()
                    colon = colon or ":" in seg[:12]
                if rest[:1] in (",", "(", "&") or (rest and not colon and rest[:1].islower()):
                    rest = ""  # the label goes on ("Employer's name, address, and ZIP code")
                if not rest and li + 1 < len(lines):  # the value is under its label
                    nxt = lines[li + 1].strip()
                    rest = _SPLIT.split(nxt)[0].strip() if nxt else ""
                    conf = 0.84
                if rest:
                    out.setdefault(spec.name, []).append(Candidate(rest, conf, "text", p.get("page")))
    return out


def _form_candidates(
    pages: list[dict[str, Any]], acro: list[dict[str, Any]], schema: TypeSchema
) -> dict[str, list[Candidate]]:
    out: dict[str, list[Candidate]] = {}
    for f in acro:
        value = str(f.get("value") or "").strip()
        if not value or f.get("type") in ("checkbox", "radio", "pushbutton", "signature"):
            continue
        for spec in schema.fields:
            s = _label_match(str(f.get("name") or ""), spec)
            if s:
                out.setdefault(spec.name, []).append(
                    Candidate(
                        value,
                        0.97 * s,
                        "form",
                        f.get("page"),
                        [round(float(x), 2) for x in f["bbox"]] if f.get("bbox") else None,
                    )
                )
    for p in pages:
        for f in p.get("forms") or []:
            value = str(f.get("value") or "").strip()
            if not value or not f.get("key"):
                continue
            for spec in schema.fields:
                s = _label_match(str(f["key"]), spec)
                if s:
                    out.setdefault(spec.name, []).append(
                        Candidate(
                            value,
                            float(f.get("confidence", 0.9)) * 0.95 * s,
                            "form",
                            p.get("page"),
                            f.get("value_bbox"),
                        )
                    )
    return out


def _table_candidates(pages: list[dict[str, Any]], schema: TypeSchema) -> dict[str, list[Candidate]]:
    out: dict[str, list[Candidate]] = {}
    for p in pages:
        for t in p.get("tables") or []:
            for row in t.get("rows") or []:
                cells = [str(c or "").strip() for c in row]
                if len(cells) < 2 or not cells[0]:
                    continue
                for spec in schema.fields:
                    if _label_match(cells[0], spec) < 0.9:
                        continue
                    values = [c for c in cells[1:] if c]
                    head = _label_rest(cells[0], spec)
                    if head and re.search(r"\d", head):  # OCR merged the first value into the header cell
                        values.insert(0, head)
                    if spec.type == "money":
                        values = [c for c in values if re.search(r"\d", c)]
                    if values:
                        pick = values[-1] if spec.column == "last" else values[0]
                        out.setdefault(spec.name, []).append(Candidate(pick, 0.88, "table", p.get("page")))
    return out


def _label_rest(cell: str, spec: FieldSpec) -> str:
    low = cell.lower()
    for lb in sorted(spec.labels, key=len, reverse=True):
        i = low.find(lb)
        if i >= 0:
            return cell[i + len(lb) :].strip(" :#")
    return ""


def _pattern_candidates(pages: list[dict[str, Any]], schema: TypeSchema) -> dict[str, list[Candidate]]:
    out: dict[str, list[Candidate]] = {}
    for spec in schema.fields:
        if not spec.pattern:
            continue
        rx = re.compile(spec.pattern)
        for p in pages:
            m = rx.search(str(p.get("text") or ""))
            if m:
                out.setdefault(spec.name, []).append(
                    Candidate(m.group(1), spec.pattern_confidence, "text", p.get("page"))
                )
                break
    return out


def extract_fields(
    doc_type: str,
    pages: list[dict[str, Any]],
    acro: list[dict[str, Any]] | None = None,
    *,
    learned: dict[str, list[Candidate]] | None = None,
) -> dict[str, Any]:
    """The ``fields.json`` body for a document of ``doc_type`` (no schema: no fields)."""
    sch = schemas()
    schema = sch.types.get(doc_type)
    if schema is None:
        return {"doc_type": doc_type, "schema_version": sch.version, "fields": []}
    by_page = {p.get("page"): p for p in pages}
    pools: dict[str, list[Candidate]] = {}
    for part in (
        _form_candidates(pages, acro or [], schema),
        _table_candidates(pages, schema),
        _text_candidates(pages, schema),
        _pattern_candidates(pages, schema),
        learned or {},
    ):
        for k, v in part.items():
            pools.setdefault(k, []).extend(v)
    fields: list[dict[str, Any]] = []
    for spec in schema.fields:
        cands = [_evaluate(c, spec) for c in pools.get(spec.name, [])]
        cands = [c for c in cands if c.found is not None]
        if not cands:
            fields.append(
                _field(
                    spec,
                    None,
                    None,
                    0.0,
                    None,
                    None,
                    "text",
                    [] if spec.optional else ["not found on the document"],
                    valid=spec.optional,
                )
            )
            continue
        best = max(cands, key=lambda c: (not c.errors, c.confidence))
        bbox, word_conf = best.bbox, 1.0
        page = by_page.get(best.page)
        if bbox is None and page is not None and best.found:
            bbox, word_conf = _locate(best.found, page)
        agree = sum(1 for c in cands if c.normalized == best.normalized and c is not best)
        disagree = sum(1 for c in cands if c.normalized != best.normalized and c.confidence >= best.confidence * 0.9)
        conf = best.confidence * word_conf * (1.0 + 0.03 * min(agree, 2)) * (0.85 if disagree else 1.0)
        fields.append(
            _field(
                spec,
                best.found,
                best.normalized,
                min(conf, 0.99),
                best.page,
                bbox,
                best.source,
                best.errors,
                valid=not best.errors,
            )
        )
    _run_checks(schema, fields)
    return {"doc_type": doc_type, "schema_version": sch.version, "fields": fields}


def _field(
    spec: FieldSpec,
    value: str | None,
    normalized: Any,
    confidence: float,
    page: int | None,
    bbox: list[float] | None,
    source: str,
    errors: list[str],
    *,
    valid: bool,
) -> dict[str, Any]:
    return {
        "field": spec.name,
        "value": value,
        "normalized": normalized,
        "confidence": round(float(confidence), 4),
        "page": page,
        "bbox": bbox,
        "source": source,
        "valid": bool(valid),
        "errors": list(errors),
        "review_threshold": spec.review_threshold,
    }


def _run_checks(schema: TypeSchema, fields: list[dict[str, Any]]) -> None:
    by = {f["field"]: f for f in fields}

    def val(name: str) -> Any:
        f = by.get(name)
        return None if f is None or f["normalized"] is None else comparable(f["normalized"])

    for check in schema.checks:
        if "lte" in check:
            a, b = check["lte"]
            va, vb = val(a), val(b)
            if va is not None and vb is not None and type(va) is type(vb) and va > vb:
                for n in (a, b):
                    by[n]["valid"] = False
                    by[n]["errors"].append(check["message"])
        elif "balance" in check:
            o, d, w, c = (val(n) for n in check["balance"])
            if None not in (o, d, w, c) and abs(o + d - w - c) > float(check.get("tolerance", 0.01)):
                for n in check["balance"]:
                    by[n]["valid"] = False
                    by[n]["errors"].append(check["message"])
