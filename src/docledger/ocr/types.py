"""The nouns of the OCR library: boxes, words, lines and a recognised page.

They are plain frozen-ish dataclasses so that every layer (engines, layout, forms, tables, the
pipeline stage) exchanges the same values and so that a page can be serialised to JSON without
any engine object attached. All coordinates are image pixels, origin top-left, ``x1``/``y1``
exclusive-ish (engines differ by one pixel; nothing here depends on it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

BBox = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in image pixels, origin top-left."""


def bbox_union(boxes: Iterable[BBox]) -> BBox:
    """Smallest box holding every box (raises ValueError on an empty input)."""
    items = list(boxes)
    if not items:
        raise ValueError("bbox_union needs at least one box")
    return (
        min(b[0] for b in items),
        min(b[1] for b in items),
        max(b[2] for b in items),
        max(b[3] for b in items),
    )


def bbox_round(box: BBox) -> list[int]:
    """Integer pixel box for JSON output (sub-pixel precision means nothing after OCR)."""
    return [int(round(v)) for v in box]


def v_overlap(a: BBox, b: BBox) -> float:
    """Vertical overlap of two boxes as a fraction of the shorter box's height."""
    inter = min(a[3], b[3]) - max(a[1], b[1])
    shorter = min(a[3] - a[1], b[3] - b[1])
    return max(0.0, inter) / shorter if shorter > 0 else 0.0


def h_overlap(a: BBox, b: BBox) -> float:
    """Horizontal overlap of two boxes as a fraction of the narrower box's width."""
    inter = min(a[2], b[2]) - max(a[0], b[0])
    narrower = min(a[2] - a[0], b[2] - b[0])
    return max(0.0, inter) / narrower if narrower > 0 else 0.0


@dataclass
class Word:
    text: str
    bbox: BBox
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "bbox": bbox_round(self.bbox), "confidence": round(self.confidence, 4)}


@dataclass
class Line:
    text: str
    bbox: BBox
    confidence: float
    words: list[Word] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "bbox": bbox_round(self.bbox), "confidence": round(self.confidence, 4)}


@dataclass
class PageOcr:
    """What one engine read on one page image (coordinates of the image it was given)."""

    width: int
    height: int
    words: list[Word] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    engine: str = ""  # set by an engine that chooses per page (``auto``): the engine that read it
    engine_version: str = ""

    @property
    def text(self) -> str:
        """Lines in the engine's order; use :func:`docledger.ocr.layout.page_text` for reading order."""
        return "\n".join(line.text for line in self.lines)

    @property
    def mean_confidence(self) -> float:
        """Mean word confidence weighted by characters (0 when nothing was read)."""
        total = sum(len(w.text) for w in self.words)
        if not total:
            return 0.0
        return sum(w.confidence * len(w.text) for w in self.words) / total


def line_from_words(words: Sequence[Word]) -> Line:
    """Build a line from words already in left-to-right order."""
    return Line(
        text=" ".join(w.text for w in words),
        bbox=bbox_union(w.bbox for w in words),
        confidence=sum(w.confidence for w in words) / len(words),
        words=list(words),
    )


def group_words_into_lines(words: Sequence[Word]) -> list[Line]:
    """Group loose words into text lines by vertical overlap (used for ground-truth word input).

    Words are taken top to bottom; a word joins the line whose vertical band it overlaps by at
    least half of the shorter height, so slightly wavy scans still group into one line.
    """
    rows: list[list[Word]] = []
    bands: list[BBox] = []
    for word in sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0])):
        for i, band in enumerate(bands):
            if v_overlap(band, word.bbox) >= 0.5:
                rows[i].append(word)
                bands[i] = bbox_union([band, word.bbox])
                break
        else:
            rows.append([word])
            bands.append(word.bbox)
    lines = [line_from_words(sorted(r, key=lambda w: w.bbox[0])) for r in rows]
    lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    return lines
