"""Forms, ruled tables, checkboxes and signatures on small generated page images, real OCR."""

from __future__ import annotations

import csv
import io
import math

import pytest
from PIL import Image, ImageDraw, ImageFont

from docledger.ocr import analyze_page, extract_forms_from_words, forms_csv, get_engine, tables_csv
from docledger.ocr.types import Word

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _font(size: int = 22) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, size)


@pytest.fixture(scope="module")
def form_analysis():  # type: ignore[no-untyped-def]
    image = Image.new("RGB", (760, 360), "white")
    d = ImageDraw.Draw(image)
    f = _font()
    d.text((30, 30), "Name:", font=f, fill="black")
    d.text((200, 30), "Maria Lopez", font=f, fill="black")
    d.text((30, 90), "Policy No:", font=f, fill="black")
    d.text((200, 90), "PX-77120", font=f, fill="black")
    d.text((30, 150), "Date of birth", font=f, fill="black")  # no colon: underline cue + value on it
    d.text((230, 150), "12/03/1984", font=f, fill="black")
    d.line((220, 178, 420, 178), fill="black", width=2)
    d.text((470, 30), "Claim amount", font=f, fill="black")  # value directly below its label
    d.text((470, 65), "1,250.00", font=f, fill="black")
    return analyze_page(image, get_engine("rapidocr"), page_number=1)


def test_form_yields_key_value_pairs(form_analysis) -> None:  # type: ignore[no-untyped-def]
    pairs = {f.key: f.value for f in form_analysis.forms}
    assert pairs.get("Name") == "Maria Lopez"
    assert pairs.get("Policy No") == "PX-77120"
    assert pairs.get("Date of birth") == "12/03/1984"
    assert pairs.get("Claim amount") == "1,250.00"
    field = next(f for f in form_analysis.forms if f.key == "Name")
    assert field.key_bbox[2] <= field.value_bbox[0] and 0 < field.confidence <= 1
    rows = list(csv.DictReader(io.StringIO(forms_csv(form_analysis.forms, page=1))))
    assert {"key": "Policy No", "value": "PX-77120"}.items() <= rows[
        [r["key"] for r in rows].index("Policy No")
    ].items()


def test_forms_from_ground_truth_words_without_image() -> None:
    words = [
        Word("Account", (10, 10, 80, 25), 1.0),
        Word("holder:", (85, 10, 150, 25), 1.0),
        Word("J.", (160, 10, 175, 25), 1.0),
        Word("Smith", (180, 10, 230, 25), 1.0),
        Word("Sort", (10, 50, 45, 65), 1.0),
        Word("code", (50, 50, 90, 65), 1.0),
        Word("40-11-62", (10, 70, 90, 85), 1.0),
    ]
    fields = {f.key: f.value for f in extract_forms_from_words(words)}
    assert fields["Account holder"] == "J. Smith"
    assert fields["Sort code"] == "40-11-62"


@pytest.fixture(scope="module")
def table_analysis():  # type: ignore[no-untyped-def]
    image = Image.new("RGB", (640, 260), "white")
    d = ImageDraw.Draw(image)
    f = _font(20)
    xs, ys = [20, 220, 380, 600], [20, 70, 120, 170, 220]
    for x in xs:
        d.line((x, ys[0], x, ys[-1]), fill="black", width=2)
    for y in ys:
        d.line((xs[0], y, xs[-1], y), fill="black", width=2)
    d.rectangle((xs[1] + 2, ys[4] - 1, xs[2] - 1, ys[4] + 1), fill="white")  # no rule: unused
    cells = [
        ["Item", "Qty", "Price"],
        ["Paper", "12", "4.50"],
        ["Toner", "2", "89.90"],
        ["Staples", "40", "3.20"],
    ]
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            d.text((xs[c] + 12, ys[r] + 13), text, font=f, fill="black")
    return analyze_page(image, get_engine("rapidocr"), page_number=2), cells


def test_ruled_table_yields_its_cells(table_analysis) -> None:  # type: ignore[no-untyped-def]
    analysis, expected = table_analysis
    ruled = [t for t in analysis.tables if t.method == "ruled"]
    assert len(ruled) == 1
    table = ruled[0]
    assert table.rows == expected
    assert len(table.cells) == 12
    qty = next(c for c in table.cells if c.text == "Qty")
    assert (qty.row, qty.col, qty.row_span, qty.col_span) == (0, 1, 1, 1)
    assert 215 <= qty.bbox[0] <= 225 and 375 <= qty.bbox[2] <= 385
    rows = list(csv.reader(io.StringIO(tables_csv(analysis.tables, page=2))))
    assert rows[0][:3] == ["page", "table", "row"] and ["2", "0", "2", "2", "1", "1", "89.90"] == rows[9][:7]


def test_ruled_table_merged_cell_gets_a_span() -> None:
    image = Image.new("RGB", (420, 160), "white")
    d = ImageDraw.Draw(image)
    xs, ys = [10, 140, 270, 400], [10, 60, 110, 150]
    for y in ys:
        d.line((xs[0], y, xs[-1], y), fill="black", width=2)
    for x in (xs[0], xs[-1]):
        d.line((x, ys[0], x, ys[-1]), fill="black", width=2)
    for x in xs[1:-1]:  # inner rules skip the top row: its first cell spans all columns
        d.line((x, ys[1], x, ys[-1]), fill="black", width=2)
    d.text((20, 22), "Quarterly totals", font=_font(20), fill="black")
    analysis = analyze_page(image, get_engine("tesseract"), page_number=1)
    table = next(t for t in analysis.tables if t.method == "ruled")
    top = next(c for c in table.cells if c.row == 0)
    assert (top.col_span, top.row_span, top.text) == (3, 1, "Quarterly totals")
    assert len(table.cells) == 1 + 2 * 3


def test_ticked_and_empty_checkbox() -> None:
    image = Image.new("RGB", (520, 150), "white")
    d = ImageDraw.Draw(image)
    f = _font()
    for y, label, ticked in ((30, "Smoker", True), (90, "Diabetic", False)):
        d.rectangle((30, y, 54, y + 24), outline="black", width=2)
        if ticked:
            d.line((34, y + 12, 41, y + 20), fill="black", width=3)
            d.line((41, y + 20, 51, y + 4), fill="black", width=3)
        d.text((70, y), label, font=f, fill="black")
    analysis = analyze_page(image, get_engine("tesseract"), page_number=1)
    boxes = {c.label: c for c in analysis.checkboxes}
    assert set(boxes) == {"Smoker", "Diabetic"}
    assert boxes["Smoker"].selected and not boxes["Diabetic"].selected
    assert all(c.confidence >= 0.6 for c in boxes.values())
    assert 28 <= boxes["Smoker"].bbox[0] <= 32 and 52 <= boxes["Smoker"].bbox[2] <= 57


def _scribble(d: ImageDraw.ImageDraw, x: int, y: int) -> None:
    points = [(x + t * 3.0, y + 18 * math.sin(t / 3.0) + 6 * math.sin(t * 1.3)) for t in range(60)]
    d.line(points, fill="black", width=3, joint="curve")
    d.line([(x + 20, y + 20), (x + 50, y - 15), (x + 70, y + 25)], fill="black", width=2)


def test_signature_present_next_to_label_and_absent_when_blank() -> None:
    image = Image.new("RGB", (620, 260), "white")
    d = ImageDraw.Draw(image)
    f = _font()
    d.text((30, 50), "Signature:", font=f, fill="black")
    _scribble(d, 180, 60)
    d.text((30, 180), "Reviewed by the branch office", font=f, fill="black")
    analysis = analyze_page(image, get_engine("tesseract"), page_number=1)
    assert len(analysis.signatures) == 1
    sig = analysis.signatures[0]
    assert sig.bbox[0] >= 170 and sig.bbox[2] <= 380 and sig.bbox[1] < 70 < sig.bbox[3]
    blank = Image.new("RGB", (620, 260), "white")
    ImageDraw.Draw(blank).text((30, 50), "Signature:", font=f, fill="black")
    assert analyze_page(blank, get_engine("tesseract"), page_number=1).signatures == []


def test_page_json_has_the_stage_contract(form_analysis) -> None:  # type: ignore[no-untyped-def]
    data = form_analysis.to_json()
    for key in (
        "page",
        "width",
        "height",
        "engine",
        "engine_version",
        "rotation",
        "lines",
        "words",
        "text",
        "forms",
        "tables",
        "checkboxes",
        "signatures",
    ):
        assert key in data
    assert data["engine"] == "rapidocr" and data["width"] == 760
    # the original contract keys stay; the linker adds how each pair was found and by which model
    assert {"key", "value", "confidence", "key_bbox", "value_bbox", "method"} <= data["forms"][0].keys()
    assert data["forms"][0]["method"] in {"linker", "rules"}
    assert "Maria Lopez" in data["text"]


def test_numeric_column_under_a_header_pairs_each_entry() -> None:
    words = [Word("Weight", (100, 10, 160, 25), 1.0)]
    for k, value in enumerate(["1.089", "0.975", "1.204"]):
        y = 40 + 25 * k
        words.append(Word(value, (105, y, 150, y + 15), 1.0))
    pairs = [(f.key, f.value) for f in extract_forms_from_words(words)]
    assert sorted(pairs) == [("Weight", "0.975"), ("Weight", "1.089"), ("Weight", "1.204")]
