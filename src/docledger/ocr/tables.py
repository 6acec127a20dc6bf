"""Tables on page images: ruled grids first, whitespace-aligned columns as the fallback.

Ruled tables: horizontal and vertical rules are isolated with OpenCV morphological opening
(long thin kernels), their crossings give the grid, and a missing rule segment between two grid
cells merges them (row/column spans). Words are put into the cell holding their centre.

Unruled tables: runs of at least three rows that each split into two or more segments at wide
gaps, whose segments fall into shared columns (white vertical bands across the whole run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import Any

import cv2
import numpy as np
from PIL import Image

from docledger.ocr.forms import Segment, segment_lines
from docledger.ocr.types import BBox, PageOcr, Word, bbox_round, bbox_union, v_overlap

MIN_ROWS = 2
MIN_COLS = 2


@dataclass
class TableCell:
    row: int
    col: int
    row_span: int
    col_span: int
    text: str
    bbox: BBox

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "col": self.col,
            "row_span": self.row_span,
            "col_span": self.col_span,
            "text": self.text,
            "bbox": bbox_round(self.bbox),
        }


@dataclass
class Table:
    bbox: BBox
    rows: list[list[str]]
    cells: list[TableCell] = field(default_factory=list)
    method: str = "ruled"

    def to_dict(self) -> dict[str, Any]:
        return {
            "bbox": bbox_round(self.bbox),
            "rows": self.rows,
            "cells": [c.to_dict() for c in self.cells],
            "method": self.method,
        }


def _text_in(words: list[Word], box: BBox) -> str:
    inside = [
        w
        for w in words
        if box[0] <= (w.bbox[0] + w.bbox[2]) / 2 <= box[2] and box[1] <= (w.bbox[1] + w.bbox[3]) / 2 <= box[3]
    ]
    inside.sort(key=lambda w: (round(((w.bbox[1] + w.bbox[3]) / 2) / max(1.0, w.bbox[3] - w.bbox[1])), w.bbox[0]))
    return " ".join(w.text for w in inside)


def _positions(profile: np.ndarray, min_count: float) -> list[int]:
    """Centres of runs where a 1-D profile reaches ``min_count`` (one position per drawn rule)."""
    hits = np.flatnonzero(profile >= min_count)
    if hits.size == 0:
        return []
    groups = np.split(hits, np.flatnonzero(np.diff(hits) > 2) + 1)
    return [int(g.mean()) for g in groups]


def _rule_masks(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    gray = np.asarray(image.convert("L"))
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    h, w = ink.shape
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 30), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, h // 50))))
    kernel = np.ones((3, 3), np.uint8)
    return cv2.dilate(horiz, kernel), cv2.dilate(vert, kernel)


def _ruled_tables(image: Image.Image, words: list[Word]) -> list[Table]:
    horiz, vert = _rule_masks(image)
    grid = cv2.bitwise_or(horiz, vert)
    contours, _ = cv2.findContours(grid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    tables: list[Table] = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if w < 40 or h < 20:
            continue
        hs, vs = horiz[y : y + h, x : x + w] > 0, vert[y : y + h, x : x + w] > 0
        ys = _positions(hs.sum(axis=1), max(15, 0.1 * w))
        xs = _positions(vs.sum(axis=0), max(10, 0.1 * h))
        if len(ys) < MIN_ROWS + 1 or len(xs) < MIN_COLS + 1:
            continue
        tables.append(_grid_table(hs, vs, xs, ys, x, y, words))
    return tables


def _grid_table(
    hs: np.ndarray, vs: np.ndarray, xs: list[int], ys: list[int], ox: int, oy: int, words: list[Word]
) -> Table:
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def covered(mask: np.ndarray) -> bool:
        return mask.size > 0 and float(mask.mean()) >= 0.5

    for r in range(n_rows):
        y0, y1 = ys[r], ys[r + 1]
        pad = max(2, (y1 - y0) // 5)
        for c in range(n_cols):
            x0, x1 = xs[c], xs[c + 1]
            padx = max(2, (x1 - x0) // 5)
            if c + 1 < n_cols and not covered(vs[y0 + pad : y1 - pad, x1].astype(float)):
                parent[find(r * n_cols + c + 1)] = find(r * n_cols + c)
            if r + 1 < n_rows and not covered(hs[y1, x0 + padx : x1 - padx].astype(float)):
                parent[find((r + 1) * n_cols + c)] = find(r * n_cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))
    cells: list[TableCell] = []
    rows = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    for members in groups.values():
        r0, c0 = min(m[0] for m in members), min(m[1] for m in members)
        r1, c1 = max(m[0] for m in members), max(m[1] for m in members)
        box = (float(ox + xs[c0]), float(oy + ys[r0]), float(ox + xs[c1 + 1]), float(oy + ys[r1 + 1]))
        text = _text_in(words, box)
        cells.append(TableCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, text, box))
        rows[r0][c0] = text
    cells.sort(key=lambda c: (c.row, c.col))
    bbox = (float(ox + xs[0]), float(oy + ys[0]), float(ox + xs[-1]), float(oy + ys[-1]))
    return Table(bbox=bbox, rows=rows, cells=cells, method="ruled")


def _group_rows(segments: list[Segment]) -> list[list[Segment]]:
    rows: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: (s.bbox[1] + s.bbox[3]) / 2):
        if rows and v_overlap(bbox_union(s.bbox for s in rows[-1]), seg.bbox) >= 0.5:
            rows[-1].append(seg)
        else:
            rows.append([seg])
    return [sorted(r, key=lambda s: s.bbox[0]) for r in rows]


def _whitespace_tables(page: PageOcr, exclude: list[BBox]) -> list[Table]:
    def outside(seg: Segment) -> bool:
        cx, cy = (seg.bbox[0] + seg.bbox[2]) / 2, (seg.bbox[1] + seg.bbox[3]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in exclude)

    segments = [s for s in segment_lines([ln for ln in page.lines if ln.words]) if outside(s)]
    if not segments:
        return []
    unit = median(s.height for s in segments)
    rows = _group_rows(segments)
    tables: list[Table] = []
    run: list[list[Segment]] = []
    for row in rows + [[]]:
        contiguous = run and row and row[0].bbox[1] - max(s.bbox[3] for s in run[-1]) < 2.5 * unit
        if len(row) >= 2 and (not run or contiguous):
            run.append(row)
            continue
        if len(run) >= 3:
            table = _columns_table(run, unit)
            if table:
                tables.append(table)
        run = [row] if len(row) >= 2 else []
    return tables


def _columns_table(run: list[list[Segment]], unit: float) -> Table | None:
    spans = sorted((s.bbox[0], s.bbox[2]) for row in run for s in row)
    columns: list[list[float]] = [[spans[0][0], spans[0][1]]]
    for x0, x1 in spans[1:]:
        if x0 - columns[-1][1] >= 0.8 * unit:
            columns.append([x0, x1])
        else:
            columns[-1][1] = max(columns[-1][1], x1)
    if len(columns) < MIN_COLS:
        return None
    full_rows = sum(1 for row in run if len({_column_of(s, columns) for s in row}) >= 2)
    if full_rows < 0.6 * len(run):
        return None
    rows_text: list[list[str]] = []
    cells: list[TableCell] = []
    for r, row in enumerate(run):
        texts = ["" for _ in columns]
        boxes: list[list[BBox]] = [[] for _ in columns]
        for seg in row:
            c = _column_of(seg, columns)
            texts[c] = f"{texts[c]} {seg.text}".strip()
            boxes[c].append(seg.bbox)
        rows_text.append(texts)
        for c, text in enumerate(texts):
            if text:
                cells.append(TableCell(r, c, 1, 1, text, bbox_union(boxes[c])))
    bbox = bbox_union(s.bbox for row in run for s in row)
    return Table(bbox=bbox, rows=rows_text, cells=cells, method="whitespace")


def _column_of(seg: Segment, columns: list[list[float]]) -> int:
    cx = (seg.bbox[0] + seg.bbox[2]) / 2
    for i, (x0, x1) in enumerate(columns):
        if x0 - 1 <= cx <= x1 + 1:
            return i
    return min(range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - cx))


def extract_tables(page: PageOcr, image: Image.Image | None = None, *, whitespace: bool = True) -> list[Table]:
    """Tables of a page: ruled grids from the image (when given), then unruled column blocks."""
    tables = _ruled_tables(image, page.words) if image is not None else []
    if whitespace:
        tables.extend(_whitespace_tables(page, [t.bbox for t in tables]))
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return tables
