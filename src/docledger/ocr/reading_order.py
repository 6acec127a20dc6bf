"""Reading order by banded XY-cut: follow columns, keep full-width blocks and form rows in place.

Classic XY-cut fails in two known ways: a full-width title or footer that crosses the gutter
stops the vertical cut, and cutting horizontally first splits the columns at every paragraph
gap that happens to line up. The method here avoids both:

1. cut the page into horizontal *bands* at every vertical gap no line crosses;
2. join neighbouring bands while the union of their lines still leaves a vertical gutter (a
   band holding one short line inside a column joins; a full-width title or a footer does not);
3. a joined group with a gutter is read column by column, left to right — but only when its
   columns are running text (several lines, filling most of the column width, three or more
   words a line). Label/value rows of forms and tables fail that test and stay in row order;
4. each column is read recursively (a column may itself hold a table or sub-columns).

Lines an engine merged across a gutter are split at wide word gaps first. Works on any engine's
lines (rapidocr text boxes, tesseract lines), and on ground-truth words grouped into lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

from docledger.ocr.types import Line, line_from_words, v_overlap

MIN_COLUMN_LINES = 3
MIN_FILL = 0.4  # median line width / column width for a real text column
MIN_COLUMN_SHARE = 0.12  # a text column is at least this share of the group's width
MIN_WORDS_PER_LINE = 3
MAX_DEPTH = 8


def split_at_wide_gaps(lines: Sequence[Line], parents: dict[int, Line] | None = None) -> list[Line]:
    """Split lines whose words jump a gap wider than ~1.5 line heights (merged across a gutter).

    ``parents`` (optional) receives id(piece) -> original line for every piece."""
    out: list[Line] = []
    for line in lines:
        start = len(out)
        _split_line(line, out)
        if parents is not None:
            for piece in out[start:]:
                parents[id(piece)] = line
    return out


def _split_line(line: Line, out: list[Line]) -> None:
    words = sorted(line.words, key=lambda w: w.bbox[0])
    if len(words) < 2:
        out.append(line)
        return
    limit = 1.5 * (line.bbox[3] - line.bbox[1])
    piece = [words[0]]
    for prev, word in zip(words, words[1:], strict=False):
        if word.bbox[0] - prev.bbox[2] > limit:
            out.append(line_from_words(piece))
            piece = []
        piece.append(word)
    out.append(line if len(piece) == len(words) else line_from_words(piece))


def row_order(lines: Sequence[Line]) -> list[Line]:
    """Top to bottom; lines sharing a row (vertical overlap >= 50 %, similar height) left to right.

    A line much taller than the others (a drop capital merged with its line, a heading) is placed
    by its first text line's height, not its centre, and never pulls the lines beside it into its row.
    """
    if not lines:
        return []
    unit = median(ln.bbox[3] - ln.bbox[1] for ln in lines)

    def tall(line: Line) -> bool:
        return line.bbox[3] - line.bbox[1] > 1.6 * unit

    def centre(line: Line) -> float:
        return line.bbox[1] + unit / 2 if tall(line) else (line.bbox[1] + line.bbox[3]) / 2

    rows: list[list[Line]] = []
    for line in sorted(lines, key=centre):
        if (
            rows
            and not tall(line)
            and any(not tall(other) and v_overlap(other.bbox, line.bbox) >= 0.5 for other in rows[-1])
        ):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [ln for row in rows for ln in sorted(row, key=lambda ln: ln.bbox[0])]


def _bands(lines: Sequence[Line]) -> list[list[Line]]:
    """Lines grouped into horizontal bands separated by gaps that no line crosses."""
    out: list[list[Line]] = []
    bottom = float("-inf")
    for line in sorted(lines, key=lambda ln: ln.bbox[1]):
        # a line overlapping the band by less than a quarter of its height still starts a new band
        slack = 0.25 * (line.bbox[3] - line.bbox[1])
        if out and line.bbox[1] < bottom - slack:
            out[-1].append(line)
            bottom = max(bottom, line.bbox[3])
        else:
            out.append([line])
            bottom = line.bbox[3]
    return out


def _min_gap(lines: Sequence[Line]) -> float:
    return max(3.0, 0.15 * median(ln.bbox[3] - ln.bbox[1] for ln in lines))


def _speck(line: Line) -> bool:
    """A stray mark read as one or two characters: it must not hide a gutter."""
    return len(line.text.strip()) <= 2 and line.bbox[2] - line.bbox[0] < 2 * (line.bbox[3] - line.bbox[1])


def _trim(line: Line) -> float:
    return min(0.15 * (line.bbox[3] - line.bbox[1]), 0.25 * (line.bbox[2] - line.bbox[0]))


def gutters(lines: Sequence[Line], min_gap: float) -> list[tuple[float, float]]:
    """Vertical white bands (x0, x1) between the lines' horizontal extents, at least ``min_gap`` wide."""
    # box edges are padded by some engines (rapidocr): trim them so a gutter of a few pixels shows
    spans = sorted((ln.bbox[0] + _trim(ln), ln.bbox[2] - _trim(ln)) for ln in lines if not _speck(ln)) or [(0.0, 0.0)]
    out: list[tuple[float, float]] = []
    right = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - right >= min_gap:
            out.append((right, x0))
        right = max(right, x1)
    return out


def _is_text_columns(columns: Sequence[Sequence[Line]], left: float, right: float) -> bool:
    for column in columns:
        if len(column) < MIN_COLUMN_LINES:
            return False
        lo = min(ln.bbox[0] for ln in column)
        hi = max(ln.bbox[2] for ln in column)
        width = hi - lo
        if width < MIN_COLUMN_SHARE * (right - left):
            return False
        if median(ln.bbox[2] - ln.bbox[0] for ln in column) < MIN_FILL * width:
            return False
        if median(len(ln.text.split()) for ln in column) < MIN_WORDS_PER_LINE:
            return False
    return True


def _columns(lines: Sequence[Line], cuts: Sequence[tuple[float, float]]) -> list[list[Line]]:
    mids = [(g[0] + g[1]) / 2 for g in cuts]
    cols: list[list[Line]] = [[] for _ in range(len(mids) + 1)]
    for ln in lines:
        centre = (ln.bbox[0] + ln.bbox[2]) / 2
        cols[sum(1 for m in mids if centre > m)].append(ln)
    return [c for c in cols if c]


def _order(lines: Sequence[Line], depth: int) -> list[Line]:
    if len(lines) < 2 * MIN_COLUMN_LINES or depth > MAX_DEPTH:
        return row_order(lines)
    out: list[Line] = []
    if _read_columns(lines, out, depth):
        return out
    left = min(ln.bbox[0] for ln in lines)
    right = max(ln.bbox[2] for ln in lines)
    span = right - left
    # gutters of the narrow lines; wider lines crossing them (titles, footers, full-width
    # paragraphs) separate groups that are read on their own
    narrow = [ln for ln in lines if ln.bbox[2] - ln.bbox[0] < 0.55 * span]
    cuts = gutters(narrow, _min_gap(lines)) if len(narrow) >= 2 * MIN_COLUMN_LINES else []
    if not cuts:
        return row_order(lines)

    def separates(line: Line) -> bool:
        return line.bbox[2] - line.bbox[0] >= 0.35 * span and any(
            line.bbox[0] < g[0] and line.bbox[2] > g[1] for g in cuts
        )

    group: list[Line] = []
    found = False
    for band in _bands(lines):
        if any(separates(ln) for ln in band):
            found = True
            out.extend(_order(group, depth + 1) if group else [])
            out.extend(row_order(band))
            group = []
        else:
            group.extend(band)
    if not found:
        return row_order(lines)
    out.extend(_order(group, depth + 1) if group else [])
    return out


def _read_columns(lines: Sequence[Line], out: list[Line], depth: int) -> bool:
    """Read ``lines`` column by column when a gutter runs through all of them (a few short lines —
    captions, page numbers — may cross it; they are read after the columns)."""
    min_gap = _min_gap(lines)
    span = max(ln.bbox[2] for ln in lines) - min(ln.bbox[0] for ln in lines)
    cuts = gutters(lines, min_gap)
    crossing: list[Line] = []
    if not cuts:
        short = [ln for ln in lines if ln.bbox[2] - ln.bbox[0] < 0.35 * span]
        longer = [ln for ln in lines if ln.bbox[2] - ln.bbox[0] >= 0.35 * span]
        cuts = gutters(longer, min_gap) if longer else []
        crossing = [ln for ln in short if any(ln.bbox[0] < g[0] and ln.bbox[2] > g[1] for g in cuts)]
        if len(crossing) > max(2, 0.1 * len(lines)):
            return False
    if not cuts:
        return False
    rest = [ln for ln in lines if ln not in crossing]
    cols = _columns(rest, cuts)
    left = min(ln.bbox[0] for ln in rest)
    right = max(ln.bbox[2] for ln in rest)
    if len(cols) > 1 and _is_text_columns(cols, left, right):
        for col in cols:
            out.extend(_order(col, depth + 1))
    elif len(cols) > 2 and _text_runs(cols, left, right, out, depth):
        pass
    else:
        return False
    out.extend(row_order(crossing))
    return True


def _text_runs(cols: list[list[Line]], left: float, right: float, out: list[Line], depth: int) -> bool:
    """Several columns where some are text and some are not (a narrow caption column): read the
    text columns as columns only if at least two qualify, else give up (row order)."""
    good = [c for c in cols if _is_text_columns([c], left, right)]
    if len(good) < 2:
        return False
    for col in cols:
        out.extend(_order(col, depth + 1) if col in good else row_order(col))
    return True


def order_lines(lines: Sequence[Line]) -> list[Line]:
    """``lines`` in reading order (see the module docstring)."""
    usable = [ln for ln in lines if ln.bbox[2] > ln.bbox[0] and ln.bbox[3] > ln.bbox[1]]
    if not usable:
        return list(lines)
    parents: dict[int, Line] = {}
    pieces = split_at_wide_gaps(usable, parents)
    counts: dict[int, int] = {}
    for piece in pieces:
        counts[id(parents[id(piece)])] = counts.get(id(parents[id(piece)]), 0) + 1
    ordered = _order(pieces, 0)
    # a line split only to find columns, whose pieces stayed together, is given back whole
    out: list[Line] = []
    i = 0
    while i < len(ordered):
        parent = parents[id(ordered[i])]
        j = i
        while j < len(ordered) and parents[id(ordered[j])] is parent:
            j += 1
        out.extend([parent] if j - i == counts[id(parent)] else ordered[i:j])
        i = j
    return out + [ln for ln in lines if ln not in usable]
