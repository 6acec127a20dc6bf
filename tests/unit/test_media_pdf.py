"""PDF inspection and extraction on real PDFs made here (reportlab, pikepdf, Pillow) and,
when present, on the third-party corpus."""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

from docledger.exceptions import InvalidRequest, UnprocessableDocument
from docledger.media.errors import REASON_CODES
from docledger.media.pdf import acroform_fields, extract_pdf_text, inspect_pdf
from docledger.media.textlayer import assess_text

CORPUS = Path(os.environ.get("DOCLEDGER_CORPUS") or Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus")
PDF_CORPUS = CORPUS / "pdfs"

TRANSACTIONS = [
    ["Date", "Description", "Amount"],
    ["2024-03-01", "Payroll deposit Northwind Logistics", "2,450.00"],
    ["2024-03-03", "Mortgage payment Harbor Point", "-1,210.55"],
    ["2024-03-09", "", "-35.00"],
]


def _statement(path: Path, pages: int = 2) -> Path:
    styles = getSampleStyleSheet()
    story: list = [Paragraph("First Cedar Bank statement", styles["Title"])]
    for n in range(pages):
        if n:
            story.append(PageBreak())
        story.append(
            Paragraph(f"Page {n + 1}: transactions for account 4401 2291 8830 in March 2024.", styles["Normal"])
        )
        table = Table(TRANSACTIONS)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story.append(table)
    SimpleDocTemplate(str(path), pagesize=letter, invariant=1).build(story)
    return path


def _two_paragraphs(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    c.setFont("Helvetica", 11)
    y = 700
    for paragraph in (
        ["The borrower requests a fixed rate loan", "for the purchase of a primary residence."],
        ["Income is verified by two recent pay slips", "and the bank statement for March."],
    ):
        for line in paragraph:
            c.drawString(72, y, line)
            y -= 14
        y -= 14  # one blank line between paragraphs
    c.showPage()
    c.save()
    return path


def _encrypt(src: Path, dest: Path, *, user: str, owner: str) -> Path:
    with pikepdf.open(src) as pdf:
        pdf.save(dest, encryption=pikepdf.Encryption(user=user, owner=owner, R=6))
    return dest


def _scan_page(path: Path, stamp: str | None = None) -> Path:
    """An image-only page (what a scanner produces), optionally with a tiny text stamp."""
    img = Image.new("L", (850, 1100), 255)
    draw = ImageDraw.Draw(img)
    for n in range(30):
        draw.text((60, 60 + 30 * n), f"Scanned line {n} of the signed loan agreement", fill=0)
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    c.drawImage(ImageReader(img), 0, 0, width=612, height=792)
    if stamp:
        c.setFont("Helvetica", 8)
        c.drawString(500, 20, stamp)
    c.showPage()
    c.save()
    return path


_GARBAGE_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Garbled def /CMapType 2 def
1 begincodespacerange <00> <FF> endcodespacerange
1 beginbfrange <00> <FF> <E000> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""


def _garble(src: Path, dest: Path) -> Path:
    """Give every font a ToUnicode map into the private-use area, as broken producers do."""
    with pikepdf.open(src) as pdf:
        for page in pdf.pages:
            for _, font in page.Resources.Font.items():
                font.ToUnicode = pdf.make_stream(_GARBAGE_CMAP)
        pdf.save(dest)
    return dest


def test_digital_pdf_inspection(tmp_path: Path) -> None:
    info = inspect_pdf(_statement(tmp_path / "statement.pdf", pages=3))
    assert info.pages == 3
    assert info.text_layer == [True, True, True]
    assert info.page_sizes == [(612.0, 792.0)] * 3
    assert all(n > 100 for n in info.chars)
    assert (info.encrypted, info.repaired, info.repaired_path, info.has_acroform) == (
        False,
        False,
        None,
        False,
    )
    assert info.producer is not None and "ReportLab" in info.producer
    assert info.working_path == tmp_path / "statement.pdf"
    assert info.pages_needing_ocr == [] and not info.is_scanned


def test_tables_words_and_text_read_back(tmp_path: Path) -> None:
    pages = extract_pdf_text(_statement(tmp_path / "statement.pdf"))
    assert [p.page for p in pages] == [1, 2]
    first = pages[0]
    assert first.tables == [TRANSACTIONS]  # the empty cell comes back as ""
    assert (first.width, first.height) == (612.0, 792.0)
    assert "\r" not in first.text
    assert "Payroll deposit Northwind Logistics 2,450.00" in first.text
    by_text = {w["text"]: w["bbox"] for w in first.words}
    title, payroll = by_text["Cedar"], by_text["Payroll"]
    # origin top-left: the title is above (smaller y) the table row; boxes are well-formed
    assert title[1] < payroll[1]
    assert all(0 <= b[0] < b[2] <= 612 and 0 <= b[1] < b[3] <= 792 for b in by_text.values())
    assert extract_pdf_text(tmp_path / "statement.pdf", pages=[2])[0].text.startswith("Page 2:")


def test_reading_order_and_paragraphs(tmp_path: Path) -> None:
    (page,) = extract_pdf_text(_two_paragraphs(tmp_path / "letter.pdf"))
    assert page.text == (
        "The borrower requests a fixed rate loan\n"
        "for the purchase of a primary residence.\n"
        "\n"
        "Income is verified by two recent pay slips\n"
        "and the bank statement for March."
    )


def test_page_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest) as err:
        extract_pdf_text(_two_paragraphs(tmp_path / "letter.pdf"), pages=[2])
    assert err.value.code == "page_out_of_range"
    assert "has 1 pages" in str(err.value)


def test_user_password_pdf_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    locked = _encrypt(_statement(tmp_path / "s.pdf"), tmp_path / "locked.pdf", user="s3cret", owner="owner")
    for call in (lambda: inspect_pdf(locked), lambda: extract_pdf_text(locked)):
        with pytest.raises(UnprocessableDocument) as err:
            call()
        assert err.value.code == "encrypted_pdf"
        assert "password-protected" in str(err.value)
        assert "unencrypted copy" in str(err.value)
    info = inspect_pdf(locked, password="s3cret")
    assert (info.encrypted, info.pages) == (True, 2)
    assert extract_pdf_text(locked, password="s3cret")[0].tables == [TRANSACTIONS]


def test_owner_password_only_pdf_opens_and_is_marked_encrypted(tmp_path: Path) -> None:
    restricted = _encrypt(_statement(tmp_path / "s.pdf"), tmp_path / "restricted.pdf", user="", owner="owner")
    info = inspect_pdf(restricted)
    assert info.encrypted is True
    assert info.text_layer == [True, True]
    assert "Payroll deposit" in extract_pdf_text(restricted)[0].text


def test_truncated_pdf_is_repaired_into_a_sibling_copy(tmp_path: Path) -> None:
    good = _statement(tmp_path / "good.pdf")
    damaged = tmp_path / "work" / "damaged.pdf"
    damaged.parent.mkdir()
    damaged.write_bytes(good.read_bytes()[:-300])  # xref table and trailer cut off
    info = inspect_pdf(damaged)
    assert info.repaired is True
    assert info.repaired_path == tmp_path / "work" / "damaged.repaired.pdf"
    assert info.working_path == info.repaired_path
    assert any("damaged" in note for note in info.notes)
    with pikepdf.open(info.repaired_path) as fixed:  # the copy is clean
        assert len(fixed.pages) == 2 and fixed.get_warnings() == []
    assert extract_pdf_text(info.working_path) == extract_pdf_text(good)
    elsewhere = inspect_pdf(damaged, repair_dir=tmp_path)
    assert elsewhere.repaired_path == tmp_path / "damaged.repaired.pdf" and elsewhere.repaired_path.is_file()


@pytest.mark.parametrize(
    "payload",
    [b"%PDF-1.7\n" + bytes(range(256)) * 40, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"],
    ids=["garbage", "no-pages"],
)
def test_unrepairable_pdf_is_corrupt_file(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(payload)
    with pytest.raises(UnprocessableDocument) as err:
        inspect_pdf(path)
    assert err.value.code == "corrupt_file"
    assert "could not be read or repaired" in str(err.value)
    assert not (tmp_path / "broken.repaired.pdf").exists()


def test_too_many_pages(tmp_path: Path) -> None:
    with pytest.raises(UnprocessableDocument) as err:
        inspect_pdf(_statement(tmp_path / "s.pdf", pages=3), max_pages=2)
    assert err.value.code == "too_many_pages"
    assert "3 pages; the limit is 2" in str(err.value)


def test_garbage_text_layer_goes_to_ocr(tmp_path: Path) -> None:
    clean = _statement(tmp_path / "clean.pdf")
    garbled = _garble(clean, tmp_path / "garbled.pdf")
    assert "\ue000" <= extract_pdf_text(garbled)[0].text[0] <= "\uf8ff"  # really private-use now
    info = inspect_pdf(garbled)
    assert info.text_layer == [False, False]
    assert info.pages_needing_ocr == [1, 2] and info.is_scanned
    assert info.text_layer_reasons[0].startswith("garbled text")
    assert inspect_pdf(clean).text_layer == [True, True]


def test_scanned_pages_need_ocr_even_with_a_stamp(tmp_path: Path) -> None:
    for stamp in (None, "Page 1 of 1"):
        info = inspect_pdf(_scan_page(tmp_path / f"scan-{bool(stamp)}.pdf", stamp))
        assert info.text_layer == [False]
        assert info.chars == [0 if stamp is None else 8]  # non-blank characters
    # the same short text with no image behind it is the whole page: no OCR needed
    c = canvas.Canvas(str(tmp_path / "short.pdf"), invariant=1)
    c.drawString(500, 20, "Page 1 of 1")
    c.save()
    assert inspect_pdf(tmp_path / "short.pdf").text_layer == [True]


def test_assess_text_rules() -> None:
    assert assess_text("Net pay for the period ending 31 March 2024").usable
    assert not assess_text("\ufffd" * 40 + "Net pay for the period ending 31 March").usable
    assert not assess_text("!#$%&*()" * 10 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ").usable
    assert not assess_text("").usable and assess_text("").reason == "no text"


def _form(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    form = c.acroForm
    c.drawString(72, 740, "Borrower name")
    form.textfield(name="borrower_name", value="Maria Gonzalez", x=200, y=730, width=200, height=20)
    form.checkbox(name="first_time_buyer", checked=True, x=200, y=690)
    form.checkbox(name="veteran", checked=False, x=240, y=690)
    form.radio(name="rate_type", value="fixed", selected=True, x=200, y=650)
    form.radio(name="rate_type", value="adjustable", selected=False, x=240, y=650)
    form.choice(name="term", value="30 years", options=["15 years", "30 years"], x=200, y=610, width=100, height=20)
    c.showPage()
    form.textfield(name="co_borrower", value="", x=200, y=730, width=200, height=20)
    c.showPage()
    c.save()
    return path


def test_acroform_values_read_back(tmp_path: Path) -> None:
    path = _form(tmp_path / "intake.pdf")
    assert inspect_pdf(path).has_acroform is True
    fields = {f["name"]: f for f in acroform_fields(path)}
    assert list(fields) == [
        "borrower_name",
        "first_time_buyer",
        "veteran",
        "rate_type",
        "term",
        "co_borrower",
    ]
    assert fields["borrower_name"] == {
        "name": "borrower_name",
        "value": "Maria Gonzalez",
        "page": 1,
        "bbox": [200.0, 792 - 750.0, 400.0, 792 - 730.0],  # top-left origin, like word boxes
        "type": "text",
        "checked": None,
    }
    assert (fields["first_time_buyer"]["type"], fields["first_time_buyer"]["checked"]) == ("checkbox", True)
    assert (fields["veteran"]["value"], fields["veteran"]["checked"]) == ("Off", False)
    assert (fields["rate_type"]["type"], fields["rate_type"]["value"]) == ("radio", "fixed")
    assert (fields["term"]["type"], fields["term"]["value"]) == ("choice", "30 years")
    assert (fields["co_borrower"]["page"], fields["co_borrower"]["value"]) == (2, "")
    assert acroform_fields(_two_paragraphs(tmp_path / "plain.pdf")) == []


# --- third-party corpus -------------------------------------------------------------------

needs_corpus = pytest.mark.skipif(not PDF_CORPUS.is_dir(), reason="corpus not present")


def _corpus_rows() -> dict[str, dict[str, str]]:
    with (PDF_CORPUS / "pdfs_index.csv").open(newline="") as fh:
        return {row["path"]: row for row in csv.DictReader(fh)}


@needs_corpus
def test_every_corpus_pdf_is_read_or_refused_with_a_known_code(tmp_path: Path) -> None:
    """Never an unexpected exception, and page counts agree with the index and files.json."""
    rows = _corpus_rows()
    expected_pages = {
        f"py-pdf-sample-files/{d['path']}": d["pages"]
        for d in json.loads((PDF_CORPUS / "py-pdf-sample-files" / "files.json").read_text())["data"]
    }
    outcomes: Counter[str] = Counter()
    for source in sorted(PDF_CORPUS.rglob("*.pdf")):
        rel = source.relative_to(PDF_CORPUS).as_posix()
        work = tmp_path / rel.replace("/", "__")
        shutil.copyfile(source, work)  # a repaired copy is written next to the file, never into the corpus
        try:
            info = inspect_pdf(work)
            pages = extract_pdf_text(info.working_path, pages=list(range(1, min(info.pages, 2) + 1)))
            acroform_fields(info.working_path)
        except UnprocessableDocument as exc:
            assert exc.code in REASON_CODES, (rel, exc.code)
            outcomes[exc.code] += 1
            continue
        outcomes["ok"] += 1
        assert all("\r" not in p.text for p in pages), rel
        row = rows.get(rel)
        if row and row["pypdf_pages"]:
            assert info.pages == int(row["pypdf_pages"]), rel
        if rel in expected_pages:
            assert info.pages == expected_pages[rel], rel
    assert outcomes["ok"] >= 60
    assert outcomes["encrypted_pdf"] == 2  # the two with a real user password


@needs_corpus
def test_corpus_passwords_and_empty_user_password(tmp_path: Path) -> None:
    for rel, row in _corpus_rows().items():
        if row["encrypted"] != "1":
            continue
        password = row["password_that_opens"].strip("'")
        work = tmp_path / Path(rel).name
        shutil.copyfile(PDF_CORPUS / rel, work)
        if password:
            with pytest.raises(UnprocessableDocument, match="password-protected"):
                inspect_pdf(work)
        info = inspect_pdf(work, password=password or None)
        assert info.encrypted is True and info.pages == int(row["pypdf_pages"])


@needs_corpus
def test_corpus_text_is_complete_against_pdfplumber_ground_truth() -> None:
    """scotus-transcript-p1.txt is pdfplumber's expected layout text: same words, same counts."""
    pdf = PDF_CORPUS / "pdfplumber" / "scotus-transcript-p1.pdf"
    truth = (PDF_CORPUS / "pdfplumber" / "comparisons" / "scotus-transcript-p1.txt").read_text()
    (page,) = extract_pdf_text(pdf)
    assert Counter(page.text.split()) == Counter(truth.split())
    assert "The above-entitled matter came on for oral\nargument before the Supreme Court" in page.text


@needs_corpus
def test_corpus_garbled_pages_detected(tmp_path: Path) -> None:
    """TAMReview.pdf: page 1 has real text, later pages use fonts that extract as control codes."""
    info = inspect_pdf(PDF_CORPUS / "pdfjs" / "TAMReview.pdf", repair_dir=tmp_path)
    assert info.text_layer[0] is True
    assert info.text_layer[1] is False and info.text_layer_reasons[1].startswith("garbled text")
