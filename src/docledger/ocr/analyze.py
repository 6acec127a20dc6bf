"""One call per page for the pipeline stage: normalise, OCR, then read the page's structure.

Everything is computed on the normalised image (upright, deskewed, resized) and every box is
mapped back to the ORIGINAL page image before it leaves this module, so the JSON, the CSVs and
the lineage spans all refer to the pixels of the page image the stage stored. ``width`` and
``height`` in the JSON are the original image's. For the searchable PDF, use
:meth:`PageAnalysis.upright` (the page turned upright with boxes in that frame).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from PIL import Image

from docledger.ocr.checkboxes import Checkbox, detect_checkboxes
from docledger.ocr.engines import OcrEngine
from docledger.ocr.forms import FormField, extract_forms
from docledger.ocr.layout import reading_order
from docledger.ocr.preprocess import Normalization, _rotation_matrix_90, normalize, rotate_upright
from docledger.ocr.signatures import Signature, detect_signatures
from docledger.ocr.tables import Table, extract_tables
from docledger.ocr.types import BBox, Line, PageOcr, Word


@dataclass
class PageAnalysis:
    page: int
    width: int
    height: int
    engine: str
    engine_version: str
    normalization: Normalization
    ocr: PageOcr  # original-image coordinates, lines in reading order
    forms: list[FormField] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    checkboxes: list[Checkbox] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.ocr.lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "width": self.width,
            "height": self.height,
            "engine": self.engine,
            "engine_version": self.engine_version,
            "rotation": self.normalization.rotation,
            "skew": round(self.normalization.skew, 2),
            "scale": round(self.normalization.scale, 4),
            "lines": [line.to_dict() for line in self.ocr.lines],
            "words": [word.to_dict() for word in self.ocr.words],
            "text": self.text,
            "mean_confidence": round(self.ocr.mean_confidence, 4),
            "forms": [f.to_dict() for f in self.forms],
            "tables": [t.to_dict() for t in self.tables],
            "checkboxes": [c.to_dict() for c in self.checkboxes],
            "signatures": [s.to_dict() for s in self.signatures],
        }

    def upright(self, image: Image.Image) -> tuple[Image.Image, PageOcr]:
        """The original ``image`` turned upright and the OCR with boxes in that frame (for PDFs)."""
        rot = self.normalization.rotation
        m = _rotation_matrix_90(rot, self.width, self.height)
        size = (self.height, self.width) if rot in (90, 270) else (self.width, self.height)

        def fwd(box: BBox) -> BBox:
            return _apply(m, box)

        return rotate_upright(image, rot), _map_page(self.ocr, fwd, size)


def _apply(matrix: np.ndarray, box: BBox) -> BBox:
    x0, y0, x1, y1 = box
    pts = matrix @ np.array([[x0, x1, x1, x0], [y0, y0, y1, y1], [1, 1, 1, 1]], dtype=float)
    return (float(pts[0].min()), float(pts[1].min()), float(pts[0].max()), float(pts[1].max()))


def _map_page(page: PageOcr, fn: Any, size: tuple[int, int]) -> PageOcr:
    mapped: dict[int, Word] = {}

    def word(w: Word) -> Word:
        if id(w) not in mapped:
            mapped[id(w)] = Word(w.text, fn(w.bbox), w.confidence)
        return mapped[id(w)]

    lines = [Line(ln.text, fn(ln.bbox), ln.confidence, [word(w) for w in ln.words]) for ln in page.lines]
    return PageOcr(width=size[0], height=size[1], words=[word(w) for w in page.words], lines=lines)


def analyze_page(
    image: Image.Image,
    engine: OcrEngine,
    *,
    page_number: int,
    preprocess: bool = True,
    structure: bool = True,
) -> PageAnalysis:
    """OCR one page image and extract forms, tables, checkboxes and signatures from it.

    ``preprocess=False`` skips orientation/deskew/resize (for images known to be clean and
    upright); ``structure=False`` stops after OCR (words, lines, text only).
    """
    started = time.perf_counter()
    if preprocess:
        work, norm = normalize(image)
    else:
        work = image.convert("L")
        norm = Normalization(original_size=image.size, size=image.size)
    raw = engine.recognize(work)
    ordered = PageOcr(raw.width, raw.height, raw.words, reading_order(raw))
    back = norm.to_original
    forms: list[FormField] = []
    tables: list[Table] = []
    boxes: list[Checkbox] = []
    signatures: list[Signature] = []
    if structure and raw.words:
        forms = extract_forms(ordered, work)
        tables = extract_tables(ordered, work)
        boxes = detect_checkboxes(work, ordered)
        signatures = detect_signatures(work, ordered, exclude=[t.bbox for t in tables if t.method == "ruled"])
    elif structure:
        boxes = detect_checkboxes(work, None)
    return PageAnalysis(
        page=page_number,
        width=image.width,
        height=image.height,
        engine=raw.engine or engine.name,
        engine_version=raw.engine_version or engine.version,
        normalization=norm,
        ocr=_map_page(ordered, back, image.size),
        forms=[
            replace(f, key_bbox=back(f.key_bbox), value_bbox=back(f.value_bbox) if f.value_bbox else None)
            for f in forms
        ],
        tables=[replace(t, bbox=back(t.bbox), cells=[replace(c, bbox=back(c.bbox)) for c in t.cells]) for t in tables],
        checkboxes=[
            replace(c, bbox=back(c.bbox), label_bbox=back(c.label_bbox) if c.label_bbox else None) for c in boxes
        ],
        signatures=[replace(s, bbox=back(s.bbox)) for s in signatures],
        seconds=time.perf_counter() - started,
    )


def forms_csv(forms: Sequence[FormField], *, page: int | None = None) -> str:
    """CSV of key-value pairs, written by the one forms.csv writer (docledger.document.writers)."""
    from docledger.document import FormField as FormModel
    from docledger.document.writers import forms_csv as write

    return write(
        [FormModel.model_validate({**f.to_dict(), "page": page, "bbox": f.to_dict()["value_bbox"]}) for f in forms]
    )


def tables_csv(tables: Sequence[Table], *, page: int | None = None) -> str:
    """CSV with one row per cell, written by the one tables.csv writer (docledger.document.writers)."""
    from docledger.document import Table as TableModel
    from docledger.document.writers import tables_csv as write

    return write([TableModel.model_validate({**t.to_dict(), "page": page}) for t in tables], page=page)
