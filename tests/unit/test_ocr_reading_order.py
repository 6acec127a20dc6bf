"""Reading order (banded XY-cut) on generated two-column pages: boxes alone, and a rendered page through OCR."""

from __future__ import annotations

import random

from PIL import Image, ImageDraw, ImageFont

from docledger.ocr.analyze import analyze_page
from docledger.ocr.engines import get_engine
from docledger.ocr.reading_order import order_lines
from docledger.ocr.types import Line, Word

WORDS = "the loan file holds every statement signed by the borrower and the lender on the closing day".split()


def _line(text: str, x0: float, y0: float, char: float = 9.0, height: float = 18.0) -> Line:
    words, x = [], x0
    for token in text.split():
        words.append(Word(token, (x, y0, x + char * len(token), y0 + height), 1.0))
        x += char * (len(token) + 1)
    return Line(text, (x0, y0, words[-1].bbox[2], y0 + height), 1.0, words)


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def test_columns_with_aligned_paragraph_gaps_a_caption_and_a_footer() -> None:
    rng = random.Random(7)
    lines = [_line("QUARTERLY REVIEW OF THE MORTGAGE BOOK AND ITS RISKS", 60, 20)]
    left, right = [], []
    y = 80.0
    for row in range(24):
        if row in (8, 16):  # paragraph gaps at the same height in both columns: the XY-cut trap
            y += 30
        left.append(_line(f"L{row:02d} " + _sentence(rng, 5), 60, y))
        right.append(_line(f"R{row:02d} " + _sentence(rng, 5), 480, y))
        y += 24
    caption = _line("Figure 1", 400, 300)  # crosses the gutter between the columns
    footer = _line("Page 4 of 12 printed for the credit committee of the bank", 60, y + 40)
    page = lines + left[::-1] + right + [caption, footer]  # engine order is not reading order
    ordered = [ln.text for ln in order_lines(page)]
    expected_body = [ln.text for ln in left] + [ln.text for ln in right]
    assert ordered[0] == lines[0].text
    assert [t for t in ordered if t[:1] in "LR" and t[1:3].isdigit()] == expected_body
    assert ordered[-1] == footer.text
    assert "Figure 1" in ordered


def test_form_rows_stay_in_row_order() -> None:
    rows = [("Name:", "Maria Lopez"), ("Policy number:", "PX-1"), ("Date:", "1 May 2024"), ("City:", "Leeds")]
    lines = []
    for i, (k, v) in enumerate(rows):
        lines.append(_line(k, 50, 20 + 30 * i))
        lines.append(_line(v, 400, 20 + 30 * i))
    assert [ln.text for ln in order_lines(lines)] == [t for kv in rows for t in kv]


def test_rendered_two_column_page_reads_column_by_column() -> None:
    rng = random.Random(3)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 24)
    img = Image.new("L", (1275, 1100), 250)
    draw = ImageDraw.Draw(img)
    draw.text((80, 50), "ANNUAL LETTER TO SHAREHOLDERS", fill=10, font=font)
    left = [f"left {i} " + _sentence(rng, 4) for i in range(12)]
    right = [f"right {i} " + _sentence(rng, 4) for i in range(12)]
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        y = 130 + 36 * i + (30 if i >= 6 else 0)
        draw.text((80, y), a, fill=10, font=font)
        draw.text((680, y), b, fill=10, font=font)
    analysis = analyze_page(img, get_engine("rapidocr"), page_number=1, structure=False)
    text = analysis.text.split("\n")
    starts = [t.split()[0] + t.split()[1] for t in text if t.startswith(("left ", "right "))]
    assert starts == [f"left{i}" for i in range(12)] + [f"right{i}" for i in range(12)]
    assert text[0] == "ANNUAL LETTER TO SHAREHOLDERS"
