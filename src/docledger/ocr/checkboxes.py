"""Checkboxes: small square outlines found with OpenCV contours, ticked or not by ink fill.

A box is a 4-cornered, near-square contour about one to three text heights tall. Its interior
(the box shrunk by a fifth on each side, so the outline itself does not count) is measured for
ink: an empty box is ~0 %, a tick or cross 10-40 %, a filled box near 100 %. The label is the
nearest OCR text on the same row to the right (the usual layout), else to the left.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Any

import cv2
import numpy as np
from PIL import Image

from docledger.ocr.forms import segment_lines
from docledger.ocr.types import BBox, PageOcr, bbox_round, v_overlap

FILL_THRESHOLD = 0.07


@dataclass
class Checkbox:
    bbox: BBox
    selected: bool
    confidence: float
    fill_ratio: float
    label: str = ""
    label_bbox: BBox | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "selected": self.selected,
            "confidence": round(self.confidence, 3),
            "bbox": bbox_round(self.bbox),
        }


def _text_height(page: PageOcr | None) -> float | None:
    if page is None or not page.words:
        return None
    return float(median(w.bbox[3] - w.bbox[1] for w in page.words))


def _find_squares(ink: np.ndarray, lo: float, hi: float) -> list[tuple[int, int, int, int]]:
    contours, _ = cv2.findContours(ink, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    boxes: list[tuple[int, int, int, int]] = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if not (lo <= w <= hi and lo <= h <= hi) or not 0.75 <= w / h <= 1.33:
            continue
        peri = cv2.arcLength(c, True)
        approx = cv2.approxPolyDP(c, 0.06 * peri, True)
        if len(approx) != 4 or not cv2.isContourConvex(approx):
            continue
        if cv2.contourArea(c) < 0.6 * w * h:
            continue
        boxes.append((x, y, w, h))
    # Outline strokes give an outer and an inner contour; keep the outer one.
    boxes.sort(key=lambda b: -b[2] * b[3])
    kept: list[tuple[int, int, int, int]] = []
    for b in boxes:
        cx, cy = b[0] + b[2] / 2, b[1] + b[3] / 2
        if not any(k[0] <= cx <= k[0] + k[2] and k[1] <= cy <= k[1] + k[3] for k in kept):
            kept.append(b)
    return kept


def detect_checkboxes(image: Image.Image, page: PageOcr | None = None) -> list[Checkbox]:
    """Checkboxes on the page image, with selection state, confidence and label."""
    gray = np.asarray(image.convert("L"))
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    th = _text_height(page)
    lo, hi = (max(8.0, 0.6 * th), max(24.0, 3.0 * th)) if th else (8.0, 80.0)
    words = page.words if page else []
    result: list[Checkbox] = []
    for x, y, w, h in _find_squares(ink, lo, hi):
        box = (float(x), float(y), float(x + w), float(y + h))
        # A square inside a much wider word is a glyph ("D", "O") of that word, not a box.
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        if any(
            wd.bbox[0] <= cx <= wd.bbox[2] and wd.bbox[1] <= cy <= wd.bbox[3] and (wd.bbox[2] - wd.bbox[0]) > 1.8 * w
            for wd in words
        ):
            continue
        mx, my = max(2, w // 5), max(2, h // 5)
        interior = ink[y + my : y + h - my, x + mx : x + w - mx]
        ratio = float((interior > 0).mean()) if interior.size else 0.0
        selected = ratio >= FILL_THRESHOLD
        margin = abs(ratio - FILL_THRESHOLD) / FILL_THRESHOLD
        confidence = min(0.99, 0.6 + 0.4 * min(1.0, margin))
        result.append(Checkbox(box, selected, confidence, ratio))
    if page is not None:
        _attach_labels(result, page)
    result.sort(key=lambda c: (c.bbox[1], c.bbox[0]))
    return result


def _attach_labels(boxes: list[Checkbox], page: PageOcr) -> None:
    segments = segment_lines([ln for ln in page.lines if ln.words])
    for cb in boxes:
        side = cb.bbox[2] - cb.bbox[0]
        best: tuple[float, str, BBox] | None = None
        for seg in segments:
            words = [w for w in seg.words if not _overlaps(w.bbox, cb.bbox)]
            if not words:
                continue
            sb = (
                min(w.bbox[0] for w in words),
                min(w.bbox[1] for w in words),
                max(w.bbox[2] for w in words),
                max(w.bbox[3] for w in words),
            )
            if v_overlap(sb, cb.bbox) < 0.4:
                continue
            if sb[0] >= cb.bbox[2] - 2:
                dist = sb[0] - cb.bbox[2]
            elif sb[2] <= cb.bbox[0] + 2:
                dist = 1.5 * (cb.bbox[0] - sb[2])  # left labels are less common: weigh them down
            else:
                continue
            if dist < 12 * side and (best is None or dist < best[0]):
                best = (dist, " ".join(w.text for w in words), sb)
        if best:
            cb.label, cb.label_bbox = best[1], best[2]


def _overlaps(a: BBox, b: BBox) -> bool:
    inter_w = min(a[2], b[2]) - max(a[0], b[0])
    inter_h = min(a[3], b[3]) - max(a[1], b[1])
    return inter_w > 0 and inter_h > 0 and inter_w * inter_h > 0.3 * (a[2] - a[0]) * (a[3] - a[1])
