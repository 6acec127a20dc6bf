"""Every demo document, and every real PDF of the shared corpus, ends in the right terminal state."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from docledger.demo.samples import generate_samples
from docledger.models import TERMINAL
from docledger.pipeline import open_ledger
from docledger.services.export import document_export
from docledger.services.review import list_tasks
from docledger.settings import Settings
from docledger.worker import Worker

CORPUS = Path(os.environ.get("DOCLEDGER_CORPUS", Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"))
KNOWN_REASONS = {
    "encrypted_pdf",
    "corrupt_file",
    "page_too_small",
    "too_many_pages",
    "image_too_large",
    "corrupt_image",
    "empty_file",
    "unsupported_media_type",
    "review_pending",
}


def test_demo_documents_end_as_expected(tmp_path: Path) -> None:
    samples = generate_samples(tmp_path / "in")
    assert len(samples) >= 18
    ledger = open_ledger(Settings(home=tmp_path / "home"))
    regs = [ledger.ingest_path(s.path, tenant="demo") for s in samples]
    Worker(ledger).run(until_idle=True)
    for sample, reg in zip(samples, regs, strict=True):
        doc = ledger.get_document(reg.document_id)
        status = doc["status"]
        if status == "NEEDS_REVIEW":  # processed; some extracted values wait for a person (review tasks)
            assert list_tasks(ledger, tenants=None, document_id=reg.document_id), (sample.path.name, doc)
            status = "SUCCEEDED"
        assert status == sample.expected_status, (sample.path.name, doc)
        if sample.expected_reason:
            assert doc["reason"] == sample.expected_reason, (sample.path.name, doc)
        if sample.kind == "receipt":
            fields = document_export(ledger, reg.document_id)["fields"]
            assert fields["document_type"] == "receipt"
            assert (fields["company"], fields["date"], fields["total"]) == (
                "SPRINGFIELD PHARMACY",
                "2024-03-05",
                "47.85",
            )
        if sample.kind == "scanned_form":
            forms = {
                f["key"]: f["value"] for p in document_export(ledger, reg.document_id)["pages"] for f in p["forms"]
            }
            assert forms.get("Employee name") == "Maria Gonzalez" and forms.get("Position") == "Logistics Analyst"
        if status == "SUCCEEDED":
            text = " ".join(p["text"] for p in document_export(ledger, reg.document_id)["pages"])
            flat = " ".join(text.split()).lower()
            for expected in sample.contains:
                assert " ".join(expected.split()).lower() in flat, (sample.path.name, expected)
    assert ledger.dead_letters() == []
    ledger.close()


@pytest.mark.slow
def test_every_corpus_pdf_ends_terminal_with_a_sensible_status(tmp_path: Path) -> None:
    root = CORPUS / "pdfs"
    if not root.is_dir():
        pytest.skip("shared corpus not present")
    pdfs = sorted(root.rglob("*.pdf"))
    # tesseract (1.2 s/page) keeps this test short; rapidocr is exercised by the other tests.
    ledger = open_ledger(Settings(home=tmp_path / "home", ocr_dpi=150, ocr_engine="tesseract"))
    regs = {p: ledger.ingest_path(p, tenant="corpus") for p in pdfs}
    Worker(ledger).run(until_idle=True)
    statuses = {}
    for path, reg in regs.items():
        doc = ledger.get_document(reg.document_id)
        statuses[path.name] = (doc["status"], doc["reason"])
        assert doc["status"] in TERMINAL, (path, doc)
        if doc["status"] != "SUCCEEDED":
            assert doc["reason"] in KNOWN_REASONS, (path, doc)
        graph = ledger.lineage(reg.document_id)
        assert any(n["kind"] == "original" for n in graph["nodes"])
    assert statuses["password-example.pdf"] == ("FAILED", "encrypted_pdf")
    assert statuses["libreoffice-writer-password.pdf"] == ("FAILED", "encrypted_pdf")
    assert statuses["tracemonkey.pdf"] == ("SUCCEEDED", None)
    assert statuses["imagemagick-lzw.pdf"] == ("FAILED", "page_too_small")
    assert ledger.dead_letters() == []
    ledger.close()
