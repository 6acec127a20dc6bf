"""The demo's loan file end to end on both stores: the package is split and typed, the scanned pay
stub is read by OCR, and the planted inconsistencies come out as risk flags with evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import drain
from docledger.demo.loanfile import LOAN_ID, generate_loan_file
from docledger.ledger import Ledger
from docledger.services import loans
from docledger.stages.classify import ClassifyStage
from docledger.stages.extract_text import ExtractTextStage
from docledger.stages.fields import FieldsStage
from docledger.stages.ocr import OcrStage


def test_demo_loan_file_is_split_typed_and_flagged(make_ledger: Any, make_settings: Any, tmp_path: Path) -> None:
    s = make_settings()
    ledger: Ledger = make_ledger(
        {st.name: st for st in (ClassifyStage(s), ExtractTextStage(s), OcrStage(s), FieldsStage(s))}
    )
    for p in generate_loan_file(tmp_path / "loan"):
        doc = ledger.ingest_path(p, tenant="demo").document_id
        loans.assign(ledger, doc, LOAN_ID, actor="tester")
    drain(ledger, timeout=400)
    shown = loans.show(ledger, LOAN_ID, tenant="demo")
    types = sorted(d["doc_type"] for d in shown["documents"])
    assert types == ["bank-statement", "id-document", "package", "pay-stub", "pay-stub", "urla-1003", "w2"], types
    assert shown["checklist"]["complete"], shown["checklist"]
    rules = {f["rule"] for f in shown["flags"]}
    assert rules == {"income-mismatch", "name-mismatch", "large-deposit"}, shown["flags"]
    scanned = next(d for d in shown["documents"] if d["name"] == "pay_stub_scan.png")
    assert scanned["fields"]["gross_pay"]["normalized"] == 3000.0
    assert all(f["bbox"] for f in scanned["fields"].values() if f["value"] is not None)
    # at least one field of the loan file waits for a person (low confidence or invalid)
    body = [
        json.loads(ledger.blobs.read(a["sha256"]))
        for d in shown["documents"]
        for a in ledger.artifacts(d["document_id"])
        if a["kind"] == "fields"
    ]
    assert any(f["confidence"] < f["review_threshold"] or not f["valid"] for b in body for f in b["fields"])
