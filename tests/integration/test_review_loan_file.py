"""Review on the real lending pipeline, on both stores: the demo loan file's documents are typed and
their fields extracted by the `fields` stage; uncertain values wait in NEEDS_REVIEW, and resolving
them (accepting some, correcting one) ends every document SUCCEEDED with the correction in lineage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import drain
from docledger.demo.loanfile import generate_loan_file
from docledger.ledger import Ledger
from docledger.services.export import document_export
from docledger.services.review import list_tasks, resolve_task
from docledger.stages.classify import ClassifyStage
from docledger.stages.extract_text import ExtractTextStage
from docledger.stages.fields import FieldsStage
from docledger.stages.review import ReviewStage


def test_loan_file_fields_are_reviewed_and_corrected(make_ledger: Any, make_settings: Any, tmp_path: Path) -> None:
    s = make_settings()
    ledger: Ledger = make_ledger(
        {st.name: st for st in (ClassifyStage(s), ExtractTextStage(s), FieldsStage(s), ReviewStage(s))}
    )
    docs = [
        ledger.ingest_path(p, tenant="demo").document_id
        for p in generate_loan_file(tmp_path / "loan")
        if p.suffix == ".pdf"
    ]  # the scan needs OCR: skipped
    drain(ledger, timeout=300)
    tasks = list_tasks(ledger, tenants=["demo"], detail=True)
    assert tasks, "the demo loan file plants low-confidence or invalid values"
    waiting = {t["document_id"] for t in tasks}
    assert {ledger.get_document(d)["status"] for d in waiting} == {"NEEDS_REVIEW"}
    assert all(t["reason"] for t in tasks) and all(t["doc_type"] != "other" for t in tasks)

    first, *rest = tasks
    fixed = f"{first['value'] or ''} (checked)".strip()
    out = resolve_task(ledger, first["task_id"], actor="uw", tenants=["demo"], value=fixed)
    for t in rest:
        resolve_task(ledger, t["task_id"], actor="uw", tenants=["demo"], accept=True)
    assert {ledger.get_document(d)["status"] for d in waiting} == {"SUCCEEDED"}

    exported = document_export(ledger, first["document_id"])
    detail = next(
        d for d in exported["field_details"] if d["name"] == first["field"] and d.get("review") == "corrected"
    )
    assert detail["value"] == fixed and detail["extracted_value"] == first["value"] and detail["corrected_by"] == "uw"
    graph = ledger.lineage(first["document_id"])
    fields_art = next(n for n in graph["nodes"] if n["key"] == "fields.json")
    edges = {(e["from"], e["to"]) for e in graph["edges"]}
    assert (fields_art["id"], out["correction_artifact_id"]) in edges
    assert len(ledger.list_documents(tenant="demo")) > len(docs)  # the package was split into its documents
