"""Reading order: multi-column pages are read column by column, everything else row by row.

:func:`reading_order` now delegates to :mod:`docledger.ocr.reading_order` (banded XY-cut); the
gutter finder below is the earlier method, kept for callers that only want gutters.

Why not plain top-to-bottom sorting: on a two-column page it interleaves the columns line by
line. Why not classic XY-cut: a full-width title or footer crossing the gutter stops the
vertical cut, and cutting horizontally first splits the columns at every paragraph gap.

The method here: find gutters (vertical bands of white space crossed by no "narrow" line) and
accept them only when every column is wide, holds several lines that fill most of its width and
carry running text (3+ words a line) — that keeps label/value rows of forms and tables in row
order. Lines crossing a gutter (titles,
full-width paragraphs) split the page into sections; within a section the columns are read
left to right, each top to bottom.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

import numpy as np

from docledger.ocr.types import Line, PageOcr, line_from_words, v_overlap

MIN_COLUMN_LINES = 3
MIN_FILL = 0.4  # median line width / column width for a real text column
MIN_COLUMN_SHARE = 0.2  # a text column is at least a fifth of the text width
MIN_WORDS_PER_LINE = 3


def _row_order(lines: Sequence[Line]) -> list[Line]:
    """Top to bottom; lines sharing a row (vertical overlap >= 50 %) left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[1] + ln.bbox[3]) / 2):
        if rows and v_overlap(rows[-1][0].bbox, line.bbox) >= 0.5:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [ln for row in rows for ln in sorted(row, key=lambda ln: ln.bbox[0])]


def find_gutters(lines: Sequence[Line], page_width: int) -> list[tuple[float, float]]:
    """Vertical white bands that separate text columns, as (x_start, x_end) pairs.

    A band may be crossed by a few lines (a caption or a line the engine merged across the
    gutter): up to 5 % of the narrow lines, so one stray box does not hide a column break.
    """
    if len(lines) < 2 * MIN_COLUMN_LINES:
        return []
    left = int(min(ln.bbox[0] for ln in lines))
    right = int(max(ln.bbox[2] for ln in lines))
    span = right - left
    if span <= 0:
        return []
    narrow = [ln for ln in lines if (ln.bbox[2] - ln.bbox[0]) < 0.6 * span]
    if len(narrow) < 2 * MIN_COLUMN_LINES:
        return []
    height = median(ln.bbox[3] - ln.bbox[1] for ln in narrow)
    min_gap = max(0.8 * height, 0.008 * page_width)
    counts = np.zeros(span + 2, dtype=np.int32)
    for ln in narrow:
        counts[int(ln.bbox[0]) - left : int(ln.bbox[2]) - left + 1] += 1
    allowed = max(0, int(0.05 * len(narrow)))
    free = counts <= allowed
    gaps: list[tuple[float, float]] = []
    x = 0
    while x < len(free):
        if free[x]:
            start = x
            while x < len(free) and free[x]:
                x += 1
            if start > 0 and x < len(free) - 1 and x - start >= min_gap:
                gaps.append((float(left + start), float(left + x)))
        x += 1
    return [g for g in gaps if _is_text_column_split(narrow, g, gaps, left, right)]


def split_at_wide_gaps(lines: Sequence[Line]) -> list[Line]:
    """Split lines whose words jump a gap wider than ~0.8 line heights (merged across a gutter)."""
    out: list[Line] = []
    for line in lines:
        words = sorted(line.words, key=lambda w: w.bbox[0])
        if len(words) < 2:
            out.append(line)
            continue
        limit = 0.8 * (line.bbox[3] - line.bbox[1])
        piece = [words[0]]
        for prev, word in zip(words, words[1:], strict=False):
            if word.bbox[0] - prev.bbox[2] > limit:
                out.append(line_from_words(piece))
                piece = []
            piece.append(word)
        out.append(line if len(piece) == len(words) else line_from_words(piece))
    return out


def _is_text_column_split(
    lines: Sequence[Line],
    gap: tuple[float, float],
    gaps: list[tuple[float, float]],
    left: float,
    right: float,
) -> bool:
    """A gutter counts only if the columns on both sides are real text (full, several lines)."""
    before_start = max([g[1] for g in gaps if g[1] <= gap[0]], default=left)
    after_end = min([g[0] for g in gaps if g[0] >= gap[1]], default=right)
    for lo, hi in ((before_start, gap[0]), (gap[1], after_end)):
        column = [ln for ln in lines if ln.bbox[0] >= lo - 1 and ln.bbox[2] <= hi + 1]
        if len(column) < MIN_COLUMN_LINES:
            return False
        width = hi - lo
        if width < MIN_COLUMN_SHARE * (right - left):
            return False
        if median(ln.bbox[2] - ln.bbox[0] for ln in column) < MIN_FILL * width:
            return False
        if median(len(ln.text.split()) for ln in column) < MIN_WORDS_PER_LINE:
            return False  # label/value cells, not running text
    return True


def reading_order(page: PageOcr) -> list[Line]:
    """The page's lines in reading order (banded XY-cut, see :mod:`docledger.ocr.reading_order`)."""
    from docledger.ocr.reading_order import order_lines

    return order_lines(page.lines)


def page_text(page: PageOcr) -> str:
    """Text of the page in reading order, one line per OCR line."""
    return "\n".join(line.text for line in reading_order(page))
