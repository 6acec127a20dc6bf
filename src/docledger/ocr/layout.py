"""Reading order: multi-column pages are read column by column, everything else row by row.

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

from docledger.ocr.types import Line, PageOcr, v_overlap

MIN_COLUMN_LINES = 3
MIN_FILL = 0.55  # median line width / column width for a real text column
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
    """Vertical white bands that separate text columns, as (x_start, x_end) pairs."""
    if len(lines) < 2 * MIN_COLUMN_LINES:
        return []
    left = min(ln.bbox[0] for ln in lines)
    right = max(ln.bbox[2] for ln in lines)
    span = right - left
    if span <= 0:
        return []
    narrow = [ln for ln in lines if (ln.bbox[2] - ln.bbox[0]) < 0.6 * span]
    if len(narrow) < 2 * MIN_COLUMN_LINES:
        return []
    height = median(ln.bbox[3] - ln.bbox[1] for ln in narrow)
    min_gap = max(1.2 * height, 0.015 * page_width)
    covered = sorted((ln.bbox[0], ln.bbox[2]) for ln in narrow)
    gaps: list[tuple[float, float]] = []
    reach = covered[0][1]
    for x0, x1 in covered[1:]:
        if x0 - reach >= min_gap:
            gaps.append((reach, x0))
        reach = max(reach, x1)
    return [g for g in gaps if _is_text_column_split(narrow, g, gaps, left, right)]


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
    """The page's lines in reading order (see the module docstring for the method)."""
    lines = list(page.lines)
    gutters = find_gutters(lines, page.width)
    if not gutters:
        return _row_order(lines)
    cuts = [(g[0] + g[1]) / 2 for g in gutters]

    def crosses(line: Line) -> bool:
        return any(line.bbox[0] < g[0] and line.bbox[2] > g[1] for g in gutters)

    ordered: list[Line] = []
    section: list[Line] = []

    def flush() -> None:
        columns: list[list[Line]] = [[] for _ in range(len(cuts) + 1)]
        for line in section:
            centre = (line.bbox[0] + line.bbox[2]) / 2
            columns[sum(1 for c in cuts if centre > c)].append(line)
        for column in columns:
            ordered.extend(_row_order(column))
        section.clear()

    for line in sorted(lines, key=lambda ln: ln.bbox[1]):
        if crosses(line):
            flush()
            ordered.append(line)
        else:
            section.append(line)
    flush()
    return ordered


def page_text(page: PageOcr) -> str:
    """Text of the page in reading order, one line per OCR line."""
    return "\n".join(line.text for line in reading_order(page))
