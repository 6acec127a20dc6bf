"""Document types, package splitting, per-type fields and loan-file risk flags through the real
pipeline (classify -> extract-text -> fields) on both stores, with generated lending documents."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import drain
from docledger.demo.lending import (
    Borrower,
    bank_statement,
    id_card,
    pay_stub,
    urla,
    w2,
    write_package,
    write_pdf,
)
from docledger.ledger import Ledger
from docledger.services import doctypes, loans
from docledger.stages.classify import ClassifyStage
from docledger.stages.extract_text import ExtractTextStage
from docledger.stages.fields import FieldsStage

TODAY = date(2026, 11, 1)


@pytest.fixture
def pipeline(make_ledger: Any, make_settings: Any) -> Ledger:
    s = make_settings()
    stages = {st.name: st for st in (ClassifyStage(s), ExtractTextStage(s), FieldsStage(s))}
    ledger: Ledger = make_ledger(stages)
    return ledger


def _fields(ledger: Ledger, document_id: str) -> dict[str, Any]:
    arts = [a for a in ledger.artifacts(document_id) if a["key"] == "fields.json" and a["stage"] == "fields"]
    assert len(arts) == 1, arts
    return json.loads(ledger.blobs.read(arts[0]["sha256"]))


def _ingest(ledger: Ledger, path: Path, **kw: Any) -> str:
    return ledger.ingest_path(path, **kw).document_id


def test_fields_of_a_generated_w2_and_pay_stub(pipeline: Ledger, tmp_path: Path) -> None:
    rng = random.Random(5)
    b = Borrower.random(rng)
    docs = {"w2": w2(b, rng, 2025), "pay-stub": pay_stub(b, rng, TODAY - timedelta(days=6))}
    ids = {}
    for t, d in docs.items():
        write_pdf(tmp_path / f"{t}.pdf", [d])
        ids[t] = _ingest(pipeline, tmp_path / f"{t}.pdf")
    drain(pipeline, timeout=120)
    for t, d in docs.items():
        assert pipeline.get_document(ids[t])["status"] == "SUCCEEDED"
        body = _fields(pipeline, ids[t])
        assert body["doc_type"] == t and body["schema_version"]
        got = {f["field"]: f for f in body["fields"]}
        for name, truth in d.fields.items():
            f = got[name]
            assert f["normalized"] == truth or str(f["normalized"]) == str(truth), (name, f, truth)
            assert 0 < f["confidence"] <= 1 and f["page"] == 1 and f["valid"]
            assert f["bbox"] is not None and len(f["bbox"]) == 4, (name, f)
            assert f["source"] in ("form", "table", "text") and f["review_threshold"] > 0
        typed = doctypes.doc_type_of(pipeline, ids[t])
        assert typed is not None and typed["doc_type"] == t and typed["doc_type_source"] == "rule"
    # the event the review queue listens to names the artifact
    with pipeline.store.read() as tx:
        events = tx.raw("SELECT payload FROM events WHERE type = 'fields.extracted'")
    payloads = [json.loads(e["payload"]) for e in events]
    assert {p["doc_type"] for p in payloads} == {"w2", "pay-stub"}
    assert all(pipeline.artifact(p["artifact_id"])["key"] == "fields.json" for p in payloads)


def test_net_larger_than_gross_is_invalid(pipeline: Ledger, tmp_path: Path) -> None:
    rng = random.Random(9)
    b = Borrower.random(rng)
    stub = pay_stub(b, rng, TODAY)
    page = [
        ln.replace(f"Net Pay             {stub.fields['net_pay']:,.2f}", "Net Pay             99,999.00")
        for ln in stub.pages[0]
    ]
    stub.pages[0] = page
    write_pdf(tmp_path / "stub.pdf", [stub])
    doc = _ingest(pipeline, tmp_path / "stub.pdf")
    drain(pipeline, timeout=120)
    got = {f["field"]: f for f in _fields(pipeline, doc)["fields"]}
    assert got["net_pay"]["normalized"] == 99999.0
    assert not got["net_pay"]["valid"] and not got["gross_pay"]["valid"]
    assert "net pay is larger than gross pay" in got["net_pay"]["errors"]


def test_a_generated_package_is_split_typed_and_extracted(pipeline: Ledger, tmp_path: Path) -> None:
    rng = random.Random(11)
    b = Borrower.random(rng)
    parts = [
        urla(b, rng),
        w2(b, rng, 2025),
        pay_stub(b, rng, TODAY - timedelta(days=3)),
        bank_statement(b, rng, TODAY - timedelta(days=10), pages=2),
        id_card(b, rng),
    ]
    firsts = write_package(tmp_path / "package.pdf", parts)
    parent = _ingest(pipeline, tmp_path / "package.pdf", tenant="lender-a")
    loans.assign(pipeline, parent, "LN-1", actor="tester")
    drain(pipeline, timeout=240)
    assert doctypes.doc_type_of(pipeline, parent)["doc_type"] == "package"  # type: ignore[index]
    with pipeline.store.read() as tx:
        splits = tx.fetchall("splits_for_parent", parent_id=parent)
    assert [s["first_page"] for s in splits] == firsts
    assert [s["doc_type"] for s in splits] == [p.doc_type for p in parts]
    for s, part in zip(splits, parts, strict=True):
        child = pipeline.get_document(s["child_id"])
        assert child["status"] == "SUCCEEDED" and child["pages"] == len(part.pages)
        assert child["tenant"] == "lender-a"
        assert doctypes.doc_type_of(pipeline, s["child_id"])["doc_type"] == part.doc_type  # type: ignore[index]
        if part.doc_type in ("w2", "pay-stub", "bank-statement", "urla-1003"):
            got = {f["field"]: f["normalized"] for f in _fields(pipeline, s["child_id"])["fields"]}
            wrong = {k: (got.get(k), v) for k, v in part.fields.items() if str(got.get(k)) != str(v)}
            assert not wrong, wrong
    shown = loans.show(pipeline, "LN-1", tenant="lender-a", as_of=TODAY)
    assert shown["checklist"]["complete"], shown["checklist"]
    assert len(shown["documents"]) == len(parts) + 1


def test_flags_on_an_inconsistent_loan_file(pipeline: Ledger, tmp_path: Path) -> None:
    rng = random.Random(21)
    b = Borrower.random(rng)
    app = urla(b, rng, monthly_income=round(b.annual_salary / 12 * 1.4, 2))  # overstated income
    stmt = bank_statement(
        b, rng, TODAY - timedelta(days=95), pages=1, large_deposit=25000.0, holder=b.name.split()[0] + " Q. Doe"
    )
    docs = [app, w2(b, rng, 2025), pay_stub(b, rng, TODAY - timedelta(days=5)), stmt]
    for i, d in enumerate(docs):
        write_pdf(tmp_path / f"d{i}.pdf", [d])
        doc = _ingest(pipeline, tmp_path / f"d{i}.pdf")
        doctypes.after_ingest(pipeline, [doc], doc_type=None, loan_file="LN-7")
    drain(pipeline, timeout=180)
    shown = loans.show(pipeline, "LN-7", as_of=TODAY)
    assert shown["checklist"]["missing"] == ["id-document"]
    flags = {f["rule"]: f for f in shown["flags"]}
    assert set(flags) == {"income-mismatch", "name-mismatch", "stale-bank-statement", "large-deposit"}, flags
    income = flags["income-mismatch"]
    assert {e["doc_type"] for e in income["evidence"]} == {"urla-1003", "w2", "pay-stub"}
    assert all(e["page"] and e["artifact_id"] and e["bbox"] for e in income["evidence"])
    assert f"{app.fields['monthly_income'] * 12:,.2f}/year" in income["explanation"]
    assert "tolerance 10%" in income["explanation"]
    stale = flags["stale-bank-statement"]["evidence"][0]
    assert stale["field"] == "period_end" and stale["normalized"] == (TODAY - timedelta(days=95)).isoformat()
    assert flags["large-deposit"]["evidence"][0]["normalized"] == 25000.0
    names = {e["normalized"] for e in flags["name-mismatch"]["evidence"]}
    assert names == {b.name, stmt.fields["account_holder"]}
