"""Signatures: handwriting-like ink near a "signature"/"signed" label or on a signature line.

The OCR engines read printed text well and handwriting badly, so a signature shows up as ink
that no confident OCR word explains. Search regions are taken next to signature labels (right of
the label, above it, below it) and above long drawn rules; in each, printed words and the rules
themselves are masked out and the remaining ink is measured. Enough ink, spread wider than tall,
is reported as a signature with a confidence that grows with the amount of unexplained ink.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median
from typing import Any

import cv2
import numpy as np
from PIL import Image

from docledger.ocr.forms import find_underlines
from docledger.ocr.types import BBox, PageOcr, bbox_round

_LABEL = re.compile(r"^(signature|signed|sign|signatory|signed:|signature:|sign:|autograph|x)$", re.I)
TEXT_CONFIDENCE = 0.8  # words above this are printed text, not handwriting


@dataclass
class Signature:
    bbox: BBox
    confidence: float
    anchor: str

    def to_dict(self) -> dict[str, Any]:
        return {"bbox": bbox_round(self.bbox), "confidence": round(self.confidence, 3), "anchor": self.anchor}


def _regions(page: PageOcr, rules: list[BBox], unit: float) -> list[tuple[BBox, str]]:
    w = page.width
    regions: list[tuple[BBox, str]] = []
    for word in page.words:
        if not _LABEL.match(word.text.strip(".:;,").lower()) or word.text.strip(".:").lower() == "x":
            continue
        b = word.bbox
        span = max(0.35 * w, 12 * unit)
        regions.append(((b[2], b[1] - 1.5 * unit, min(w, b[2] + span), b[3] + 1.0 * unit), "label-right"))
        regions.append(((max(0, b[0] - unit), max(0, b[1] - 4 * unit), min(w, b[0] + span), b[1]), "label-above"))
    for r in rules:
        if r[2] - r[0] >= max(0.12 * w, 8 * unit):
            regions.append(((r[0], max(0, r[1] - 4 * unit), r[2], r[1] + 0.5 * unit), "line"))
    return [
        ((float(box[0]), float(box[1]), float(box[2]), float(box[3])), why)
        for box, why in regions
        if box[2] > box[0] and box[3] > box[1]
    ]


def detect_signatures(image: Image.Image, page: PageOcr, *, exclude: list[BBox] | None = None) -> list[Signature]:
    """Signature-like ink regions (present + bbox + confidence) on a page image.

    ``exclude`` holds areas (e.g. ruled tables) whose rules are not signature lines.
    """
    gray = np.asarray(image.convert("L"))
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    unit = float(median(wd.bbox[3] - wd.bbox[1] for wd in page.words)) if page.words else 20.0
    rules = [
        r
        for r in find_underlines(image)
        if not any(e[0] - 3 <= r[0] and r[2] <= e[2] + 3 and e[1] - 3 <= r[1] <= e[3] + 3 for e in exclude or [])
    ]
    residue = ink.copy()
    for wd in page.words:
        if wd.confidence >= TEXT_CONFIDENCE and re.search(r"[A-Za-z0-9]{2,}", wd.text):
            wx0, wy0, wx1, wy1 = (int(v) for v in wd.bbox)
            residue[max(0, wy0 - 2) : wy1 + 2, max(0, wx0 - 2) : wx1 + 2] = 0
    for r in rules:
        rx0, ry0, rx1, ry1 = (int(v) for v in r)
        residue[max(0, ry0 - 1) : ry1 + 1, rx0:rx1] = 0
    found: list[Signature] = []
    for (x0, y0, x1, y1), why in _regions(page, rules, unit):
        crop = residue[int(y0) : int(y1), int(x0) : int(x1)]
        ys, xs = np.nonzero(crop)
        if xs.size < 4 * unit:
            continue
        bx0, bx1, by0, by1 = xs.min(), xs.max(), ys.min(), ys.max()
        bw, bh = bx1 - bx0 + 1, by1 - by0 + 1
        if bw < 2 * unit or bh < 0.6 * unit:
            continue
        density = xs.size / float(bw * bh)
        if not 0.02 <= density <= 0.6:
            continue
        box = (float(x0 + bx0), float(y0 + by0), float(x0 + bx1 + 1), float(y0 + by1 + 1))
        amount = xs.size / (unit * unit)
        confidence = min(0.95, 0.5 + 0.1 * amount) * (1.0 if why != "line" else 0.85)
        if any(_iou(box, s.bbox) > 0.3 for s in found):
            continue
        found.append(Signature(box, confidence, why))
    return found


def _iou(a: BBox, b: BBox) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
