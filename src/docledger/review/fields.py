"""The ``fields.json`` contract written by field extractors and read by the review stage.

``{"doc_type": str, "schema_version": str, "fields": [{"field", "value", "normalized", "confidence",
"page", "bbox", "source", "valid", "errors", "review_threshold"}]}``. Missing optional keys get
safe defaults; a document that is not of this shape raises ``ValueError`` with what is wrong.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

DEFAULT_THRESHOLD = 0.8


@dataclass
class Field:
    field: str
    value: str | None
    normalized: Any
    confidence: float
    page: int | None
    bbox: list[float] | None
    source: str
    valid: bool
    errors: list[str]
    review_threshold: float
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def needs_review(self) -> bool:
        return self.confidence < self.review_threshold or not self.valid

    @property
    def reason(self) -> str | None:
        if not self.valid:
            return "invalid: " + ("; ".join(self.errors) if self.errors else "failed validation")
        if self.confidence < self.review_threshold:
            return f"low confidence {self.confidence:.2f} < {self.review_threshold:.2f}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.extra,
            "field": self.field,
            "value": self.value,
            "normalized": self.normalized,
            "confidence": self.confidence,
            "page": self.page,
            "bbox": self.bbox,
            "source": self.source,
            "valid": self.valid,
            "errors": self.errors,
            "review_threshold": self.review_threshold,
        }


@dataclass
class FieldsDoc:
    doc_type: str
    schema_version: str
    fields: list[Field]


def _num(value: Any, name: str, where: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {name} {value!r} is not a number") from exc
    if out != out:  # NaN
        raise ValueError(f"{where}: {name} is NaN")
    return out


def parse_fields(data: Any) -> FieldsDoc:
    """Validate and normalise a fields.json document (raises ValueError naming the problem)."""
    if not isinstance(data, dict) or not isinstance(data.get("fields"), list):
        raise ValueError("fields.json must be an object with a 'fields' list")
    out: list[Field] = []
    for i, f in enumerate(data["fields"]):
        where = f"fields[{i}]"
        if not isinstance(f, dict) or not isinstance(f.get("field"), str) or not f["field"]:
            raise ValueError(f"{where} needs a non-empty 'field' name")
        value = f.get("value")
        bbox = f.get("bbox")
        if bbox is not None:
            if not isinstance(bbox, list | tuple) or len(bbox) != 4:
                raise ValueError(f"{where}: bbox must be [x0, y0, x1, y1] or null")
            bbox = [_num(v, "bbox", where) for v in bbox]
        page = f.get("page")
        known = {
            "field",
            "value",
            "normalized",
            "confidence",
            "page",
            "bbox",
            "source",
            "valid",
            "errors",
            "review_threshold",
        }
        out.append(
            Field(
                field=f["field"],
                value=None if value is None else str(value),
                normalized=f.get("normalized"),
                confidence=min(1.0, max(0.0, _num(f.get("confidence", 0.0), "confidence", where))),
                page=int(page) if page is not None else None,
                bbox=bbox,
                source=str(f.get("source") or "text"),
                valid=bool(f.get("valid", True)),
                errors=[str(e) for e in f.get("errors") or []],
                review_threshold=_num(f.get("review_threshold", DEFAULT_THRESHOLD), "review_threshold", where),
                extra={k: v for k, v in f.items() if k not in known},
            )
        )
    return FieldsDoc(
        doc_type=str(data.get("doc_type") or "other"), schema_version=str(data.get("schema_version") or ""), fields=out
    )
