"""Human review of extracted fields on both stores: tasks, NEEDS_REVIEW, corrections with lineage,
exports with corrected values, and learning a field's place on a repeated layout."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from conftest import drain
from docledger.exceptions import InvalidRequest, NotFound
from docledger.ledger import Ledger
from docledger.ledger.erasure import erase
from docledger.ledger.review import AlreadyResolved
from docledger.services.export import document_export
from docledger.services.review import list_tasks, resolve_task, reviewed_fields
from docledger.stages import discover
from docledger.stages.review import ReviewStage
from review_forms import NaiveFields, SpecFields, field, make_payroll_pdf, payroll_values, spec_bytes


@pytest.fixture
def review_ledger(make_ledger: Callable[..., Ledger], make_settings: Callable[..., Any]) -> Ledger:
    s = make_settings()
    return make_ledger({"fields": SpecFields(s), "review": ReviewStage(s)})


def ingest(ledger: Ledger, data: bytes, name: str, tenant: str = "acme") -> str:
    return ledger.ingest_bytes(data, name, tenant=tenant).document_id


def test_uncertain_fields_wait_for_review_and_corrections_keep_lineage(review_ledger: Ledger) -> None:
    ledger = review_ledger
    doc = ingest(
        ledger,
        spec_bytes(
            "w2",
            [
                field("employer", "Contoso Ltd", 0.95),
                field("wages", "5O,000.00", 0.42, bbox=[300.0, 200.0, 380.0, 214.0]),
                field("ssn", "123-45-678", 0.99, valid=False, errors=["SSN needs 9 digits"]),
            ],
        ),
        "w2.json",
    )
    drain(ledger)
    st = ledger.get_document(doc)
    assert st["status"] == "NEEDS_REVIEW", st
    assert st["reason"] == "review_pending" and "2 extracted values wait for review" in st["message"]

    tasks = list_tasks(ledger, tenants=["acme"])
    assert [t["field"] for t in tasks] == ["wages", "ssn"]
    assert set(tasks[0]) == {"task_id", "document_id", "field", "value", "confidence", "page", "bbox"}
    assert tasks[0]["value"] == "5O,000.00" and tasks[0]["confidence"] == 0.42
    assert tasks[0]["bbox"] == [300.0, 200.0, 380.0, 214.0] and tasks[0]["page"] == 1
    assert list_tasks(ledger, tenants=["globex"]) == []
    with pytest.raises(NotFound):
        resolve_task(ledger, tasks[0]["task_id"], actor="gina", tenants=["globex"], accept=True)
    with pytest.raises(InvalidRequest, match="either accept or a value"):
        resolve_task(ledger, tasks[0]["task_id"], actor="rev", tenants=["acme"])

    out = resolve_task(ledger, tasks[1]["task_id"], actor="rev", tenants=["acme"], accept=True)
    assert out["status"] == "accepted" and out["open_tasks_left"] == 1
    assert ledger.get_document(doc)["status"] == "NEEDS_REVIEW"
    out = resolve_task(ledger, tasks[0]["task_id"], actor="rev", tenants=["acme"], value="50,000.00")
    assert out["status"] == "corrected" and out["corrected_value"] == "50,000.00"
    assert ledger.get_document(doc)["status"] == "SUCCEEDED"
    with pytest.raises(AlreadyResolved, match="already corrected by rev"):
        resolve_task(ledger, tasks[0]["task_id"], actor="rev", tenants=["acme"], value="1")

    # the correction is a new version, made by a review run of the reviewer from the extractor's fields.json
    graph = ledger.lineage(doc)
    by_id = {n["id"]: n for n in graph["nodes"]}
    corr = by_id[out["correction_artifact_id"]]
    assert corr["kind"] == "reviewed-fields" and corr["key"].endswith("fields.v1.json")
    run = next(r for r in graph["runs"] if r["id"] == corr["run_id"])
    assert run["stage"] == "review" and run["worker"] == "rev"
    assert run["meta"]["old_value"] == "5O,000.00" and run["meta"]["new_value"] == "50,000.00"
    inputs = {by_id[e["from"]]["key"] for e in graph["edges"] if e["to"] == corr["id"]}
    assert inputs == {"fields.json", corr["key"].replace("v1", "v0")}
    assert run["meta"]["corrects_run"] == next(n["run_id"] for n in graph["nodes"] if n["key"] == "fields.json")

    exported = document_export(ledger, doc)
    assert exported["status"] == "SUCCEEDED"
    assert exported["fields"]["wages"] == "50,000.00" and exported["fields"]["ssn"] == "123-45-678"
    wages = next(f for f in exported["extracted_fields"]["fields"] if f["field"] == "wages")
    assert wages["value"] == "50,000.00" and wages["extracted_value"] == "5O,000.00"
    assert wages["corrected_by"] == "rev" and wages["review"] == "corrected" and wages["corrected_at"]
    detail = next(d for d in exported["field_details"] if d["name"] == "wages")
    assert (detail["value"], detail["extracted_value"], detail["corrected_by"]) == ("50,000.00", "5O,000.00", "rev")
    assert detail["source_run"] == run["id"] and detail["bbox"] == [300.0, 200.0, 380.0, 214.0]
    ssn = next(f for f in exported["extracted_fields"]["fields"] if f["field"] == "ssn")
    assert ssn["review"] == "accepted" and ssn["reviewed_by"] == "rev"
    timeline = [t["message"] for t in ledger.status(doc)["timeline"]]
    assert any("rev corrected wages: '5O,000.00' -> '50,000.00'" in m for m in timeline)


def test_confident_valid_fields_go_straight_through(review_ledger: Ledger) -> None:
    fields = [field("total", "12.30", 0.9), field("date", "2026-01-02", 0.81)]
    doc = ingest(review_ledger, spec_bytes("invoice", fields), "inv.json")
    drain(review_ledger)
    assert review_ledger.get_document(doc)["status"] == "SUCCEEDED"
    assert list_tasks(review_ledger, tenants=None) == []
    reviewed = reviewed_fields(review_ledger, doc)
    assert reviewed is not None and [f["review"] for f in reviewed["fields"]] == ["auto", "auto"]


def test_unreadable_fields_json_is_partial_not_stuck(review_ledger: Ledger) -> None:
    doc = ingest(
        review_ledger, json.dumps({"fields": {"doc_type": "w2", "fields": [{"value": "x"}]}}).encode(), "bad.json"
    )
    drain(review_ledger)
    st = review_ledger.status(doc)
    assert st["status"] == "PARTIAL" and st["reason"] == "fields_invalid"
    assert "needs a non-empty 'field' name" in st["message"]


def test_a_newer_extraction_supersedes_open_tasks(review_ledger: Ledger) -> None:
    ledger = review_ledger
    doc = ingest(ledger, spec_bytes("w2", [field("wages", "1", 0.1)]), "a.json")
    drain(ledger)
    (task,) = list_tasks(ledger, tenants=None)
    # the extractor runs again (a new version of it, a replay): the old task is replaced, not duplicated
    ledger.backfill("fields")
    with ledger.store.transaction() as tx:
        tx.raw("UPDATE deliveries SET status = 'pending' WHERE subscriber = 'fields'")
    SpecFields.version = "0.test2"
    try:
        drain(ledger)
    finally:
        SpecFields.version = "0.test"
    tasks = list_tasks(ledger, tenants=None)
    assert len(tasks) == 1 and tasks[0]["task_id"] != task["task_id"]
    with pytest.raises(AlreadyResolved, match="superseded"):
        resolve_task(ledger, task["task_id"], actor="rev", tenants=None, accept=True)
    resolve_task(ledger, tasks[0]["task_id"], actor="rev", tenants=None, accept=True)
    assert ledger.get_document(doc)["status"] == "SUCCEEDED"


def pipeline(make_ledger: Callable[..., Ledger], make_settings: Callable[..., Any]) -> Ledger:
    s = make_settings()
    stages = discover(s, only=["classify", "extract-text"])
    stages.update({"fields": NaiveFields(s), "review": ReviewStage(s)})
    return make_ledger(stages)


def test_three_corrections_teach_the_layout(
    make_ledger: Callable[..., Ledger], make_settings: Callable[..., Any]
) -> None:
    ledger = pipeline(make_ledger, make_settings)
    rng = random.Random(7)
    truths = []
    for i in range(3):
        values = payroll_values(rng)
        truths.append(values)
        doc = ingest(ledger, make_payroll_pdf(values), f"stub-{i}.pdf")
        drain(ledger)
        assert ledger.get_document(doc)["status"] == "NEEDS_REVIEW"
        (task,) = list_tasks(ledger, tenants=None, document_id=doc)
        assert task["field"] == "employee_number" and task["value"] is None
        resolve_task(ledger, task["task_id"], actor="rev", tenants=None, value=values["employee_number"])
        assert ledger.get_document(doc)["status"] == "SUCCEEDED"

    # the fourth statement of that layout (other values, printed 14 pt lower) needs no review
    values = payroll_values(rng)
    doc = ingest(ledger, make_payroll_pdf(values, shift=14), "stub-next.pdf")
    drain(ledger)
    assert ledger.get_document(doc)["status"] == "SUCCEEDED", ledger.status(doc)["message"]
    assert list_tasks(ledger, tenants=None) == []
    emp = next(f for f in reviewed_fields(ledger, doc)["fields"] if f["field"] == "employee_number")  # type: ignore[index]
    assert emp["value"] == values["employee_number"] and emp["source"] == "learned"
    assert emp["confidence"] >= emp["review_threshold"] and emp["review"] == "learned"
    assert emp["extracted_value"] is None and emp["learned_from"] == 3
    assert document_export(ledger, doc)["fields"]["employee_number"] == values["employee_number"]

    # another issuer's form is another layout: nothing learned above applies to it
    other = ingest(ledger, make_payroll_pdf(payroll_values(rng), other_layout=True), "advice.pdf")
    drain(ledger)
    assert ledger.get_document(other)["status"] == "NEEDS_REVIEW"
    assert [f["review"] for f in reviewed_fields(ledger, other)["fields"]].count("learned") == 0  # type: ignore[index]

    # erasing a taught document removes its review data and what was learned from it
    taught = ledger.list_documents()[-1]["document_id"]
    erase(ledger, taught, reason="erasure request 42", actor="dpo")
    with ledger.store.read() as tx:
        assert tx.raw("SELECT COUNT(*) AS n FROM review_items WHERE document_id = :d", {"d": taught})[0]["n"] == 0
        assert tx.raw("SELECT COUNT(*) AS n FROM review_lessons")[0]["n"] == 2
    assert truths[0]["employee_number"] not in json.dumps(ledger.lineage(taught))


def test_two_corrections_are_not_enough(make_ledger: Callable[..., Ledger], make_settings: Callable[..., Any]) -> None:
    ledger = pipeline(make_ledger, make_settings)
    rng = random.Random(11)
    for i in range(2):
        values = payroll_values(rng)
        ingest(ledger, make_payroll_pdf(values), f"s{i}.pdf")
        drain(ledger)
        (task,) = list_tasks(ledger, tenants=None)
        resolve_task(ledger, task["task_id"], actor="rev", tenants=None, value=values["employee_number"])
    doc = ingest(ledger, make_payroll_pdf(payroll_values(rng)), "s-next.pdf")
    drain(ledger)
    assert ledger.get_document(doc)["status"] == "NEEDS_REVIEW"


def test_a_sample_of_confident_fields_is_checked_too(
    make_ledger: Callable[..., Ledger], make_settings: Callable[..., Any]
) -> None:
    s = make_settings(review_sample_rate=0.5)
    ledger = make_ledger({"fields": SpecFields(s), "review": ReviewStage(s)})
    for i in range(6):
        ingest(ledger, spec_bytes("invoice", [field(f"f{k}", str(k), 0.99) for k in range(5)], tag=str(i)), f"{i}.json")
    drain(ledger)
    tasks = list_tasks(ledger, tenants=None, detail=True)
    assert 5 <= len(tasks) <= 25 and {t["reason"] for t in tasks} == {"sampled for quality control"}
    for t in tasks:
        resolve_task(ledger, t["task_id"], actor="qc", tenants=None, accept=True)
    from docledger.services.review_accuracy import accuracy_report

    cal = accuracy_report(ledger, tenants=None)["calibration"]
    (top,) = [b for b in cal["bins"] if b["count"]]
    assert top["lo"] == 0.9 and top["observed_accuracy"] == 1.0 and top["count"] == len(tasks)
