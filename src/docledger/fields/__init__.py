"""Per-type field schemas (declarative, versioned: ``fields/data/schemas.yaml``) and the
extractor that fills them from AcroForm fields, OCR key-value pairs, tables and text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    labels: tuple[str, ...]
    pattern: str | None
    column: str
    review_threshold: float
    optional: bool
    pattern_confidence: float = 0.8


@dataclass(frozen=True)
class TypeSchema:
    doc_type: str
    fields: tuple[FieldSpec, ...]
    checks: tuple[dict[str, Any], ...]
    review_threshold: float


@dataclass(frozen=True)
class Schemas:
    version: str
    types: dict[str, TypeSchema]


@cache
def schemas() -> Schemas:
    raw: dict[str, Any] = yaml.safe_load((resources.files("docledger.fields") / "data" / "schemas.yaml").read_text())
    default = float(raw.get("default_review_threshold", 0.75))
    types = {}
    for doc_type, spec in raw["types"].items():
        thr = float(spec.get("review_threshold", default))
        fields = tuple(
            FieldSpec(
                name=n,
                type=f["type"],
                labels=tuple(s.lower() for s in f.get("labels", [])),
                pattern=f.get("pattern"),
                column=f.get("column", "first"),
                review_threshold=float(f.get("review_threshold", thr)),
                optional=bool(f.get("optional", False)),
                pattern_confidence=float(f.get("pattern_confidence", 0.8)),
            )
            for n, f in spec["fields"].items()
        )
        types[doc_type] = TypeSchema(doc_type, fields, tuple(spec.get("checks") or []), thr)
    return Schemas(version=str(raw["version"]), types=types)
