"""Reading order: two-column text is read column by column; forms stay in row order."""

from __future__ import annotations

from docledger.ocr.layout import find_gutters, page_text
from docledger.ocr.types import Line, PageOcr, Word


def _line(text: str, x0: float, y0: float, width: float) -> Line:
    tokens = text.split()
    step = width / len(tokens)
    words = [Word(t, (x0 + i * step, y0, x0 + (i + 1) * step - 4, y0 + 20), 1.0) for i, t in enumerate(tokens)]
    return Line(text, (x0, y0, x0 + width, y0 + 20), 1.0, words)


def test_two_columns_are_read_column_by_column_under_a_title() -> None:
    lines = [_line("Annual report", 50, 10, 700)]
    for i in range(4):
        lines.append(_line(f"left column line {i}", 50, 60 + 30 * i, 320))
        lines.append(_line(f"right column line {i}", 430, 60 + 30 * i, 320))
    lines.append(_line("Footer across the page", 50, 200, 700))
    page = PageOcr(800, 300, [w for ln in lines for w in ln.words], lines)
    assert len(find_gutters(lines, 800)) == 1
    assert page_text(page).split("\n") == (
        ["Annual report"]
        + [f"left column line {i}" for i in range(4)]
        + [f"right column line {i}" for i in range(4)]
        + ["Footer across the page"]
    )


def test_label_value_rows_are_not_columns() -> None:
    lines = []
    for i, (k, v) in enumerate([("Name:", "Maria Lopez"), ("Policy:", "PX-1"), ("Date:", "1 May"), ("City:", "Leeds")]):
        lines.append(_line(k, 50, 20 + 30 * i, 60))
        lines.append(_line(v, 400, 20 + 30 * i, 120))
    page = PageOcr(800, 200, [w for ln in lines for w in ln.words], lines)
    assert page_text(page).split("\n")[:2] == ["Name:", "Maria Lopez"]
