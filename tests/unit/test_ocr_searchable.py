"""The searchable PDF carries OUR engine's words, aligned to their boxes, as PDF/A-2b."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont

from docledger.ocr import analyze_page, get_engine, make_searchable_pdf

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _scan(lines: list[str]) -> Image.Image:
    font = ImageFont.truetype(FONT, 24)
    image = Image.new("RGB", (640, 60 + 50 * len(lines)), "white")
    d = ImageDraw.Draw(image)
    for i, text in enumerate(lines):
        d.text((30, 30 + 50 * i), text, font=font, fill="black")
    image.info["dpi"] = (150, 150)
    return image


def test_searchable_pdf_text_matches_ocr_and_is_pdfa(tmp_path: Path) -> None:
    scans = [
        _scan(["Loan agreement number 88213", "between Acme Bank and J. Smith"]),
        _scan(["Page two of the file"]),
    ]
    analyses = [
        analyze_page(s, get_engine("rapidocr"), page_number=i + 1, structure=False) for i, s in enumerate(scans)
    ]
    result = make_searchable_pdf(scans, [a.ocr for a in analyses], tmp_path / "out.pdf")
    assert result.pdfa and result.pages == 2, result.note
    pdf = pdfium.PdfDocument(str(tmp_path / "out.pdf"))
    for page, analysis, scan in zip(pdf, analyses, scans, strict=True):
        assert page.get_size() == pytest.approx((scan.width * 72 / 150, scan.height * 72 / 150), abs=0.01)
        textpage = page.get_textpage()
        text = textpage.get_text_range().replace("\r\n", "\n").strip()
        assert text.split() == analysis.text.split()
        # The word "88213" is selectable where the OCR found it.
        for word in analysis.ocr.words:
            if word.text == "88213":
                searcher = textpage.search("88213")
                start, _ = searcher.get_next()
                left, bottom, right, top = textpage.get_charbox(start)
                assert abs(left - word.bbox[0] * 72 / 150) < 3
                assert abs((scan.height - word.bbox[3]) * 72 / 150 - bottom) < 6
    with pikepdf.open(tmp_path / "out.pdf") as doc:
        meta = doc.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")


def test_plain_pdf_for_a_rotated_scan_uses_the_upright_frame(tmp_path: Path) -> None:
    scan = _scan(["Statement of account"]).rotate(90, expand=True, fillcolor="white")
    analysis = analyze_page(scan, get_engine("tesseract"), page_number=1, structure=False)
    upright_image, upright_ocr = analysis.upright(scan)
    assert upright_image.width > upright_image.height
    make_searchable_pdf([upright_image], [upright_ocr], tmp_path / "r.pdf", pdfa=False)
    text = pdfium.PdfDocument(str(tmp_path / "r.pdf"))[0].get_textpage().get_text_range()
    assert text.split() == ["Statement", "of", "account"]
