"""The built-in pipeline end to end, in process, on real generated documents (SQLite)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from docledger.document.writers import FORM_COLUMNS, TABLE_COLUMNS
from docledger.models import TERMINAL
from docledger.pipeline import open_ledger
from docledger.services.export import document_export, export_document
from docledger.settings import Settings
from docledger.worker import Worker
from document_schema import assert_valid_document
from sample_documents import encrypted_pdf, form_pdf, scanned_pdf, text_image, text_pdf

NOTE = [
    "Discharge summary for John Smith, prepared by Dr. Emily Carter at Mercy General Hospital.",
    "HISTORY OF PRESENT ILLNESS: The patient reports chest pain for two days.",
    "He takes metoprolol 25 mg b.i.d. and aspirin daily.",
    "His SSN is 219-09-9999 and his phone number is (212) 555-0147.",
]
LETTER = [
    "Acme Corporation confirms the employment of John Smith since 2015.",
    "John Smith earns an annual salary of 85,000 dollars at Acme Corporation.",
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("pipeline")
    src = root / "in"
    src.mkdir()
    files = {
        "note": text_pdf(src / "discharge.pdf", [NOTE, ["MEDICATIONS: metoprolol, aspirin."]]),
        "letter": text_pdf(
            src / "employment.pdf", [LETTER], table=[["Year", "Salary"], ["2023", "80,000"], ["2024", "85,000"]]
        ),
        "form": form_pdf(
            src / "application.pdf",
            {"borrower_name": "Jane Doe", "loan_amount": "250000", "borrower_ssn": "219-09-9999"},
        ),
        "encrypted": encrypted_pdf(src / "statement.pdf"),
        "empty": src / "empty.pdf",
        "corrupt": src / "broken.pdf",
        "zip": src / "report.docx",
        "mislabelled": src / "paystub.pdf",
        "scan": scanned_pdf(
            src / "scan.pdf",
            [["Page one of the bank statement", "Account holder Jane Doe"], ["Page two closing balance 1,250.00"]],
            tiny_page=True,
        ),
        "image": src / "form.png",
        "xml": src / "invoice.xml",
    }
    files["empty"].write_bytes(b"")
    files["corrupt"].write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    with zipfile.ZipFile(files["zip"], "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    text_image(["Pay statement", "Employee: Jane Doe", "Net pay: 2,310.55"]).save(files["mislabelled"], "PNG")
    text_image(["Name: Robert Brown", "Date of birth: 04/12/1975", "Phone: (415) 555-0199"]).save(
        files["image"], "PNG", dpi=(150, 150)
    )
    files["xml"].write_text(
        "<?xml version='1.0'?><invoice><buyer>Acme Corporation</buyer><total currency='USD'>1200.50</total></invoice>"
    )
    settings = Settings(home=root / "home", backoff_base_seconds=0.05, max_attempts=2)
    ledger = open_ledger(settings)
    ids = {k: ledger.ingest_path(p, owner="loan-ops", tenant="bank-a").document_id for k, p in files.items()}
    Worker(ledger).run(until_idle=True)
    yield {"ledger": ledger, "ids": ids, "files": files, "root": root}
    ledger.close()


def doc(world: dict[str, Any], key: str) -> dict[str, Any]:
    return world["ledger"].get_document(world["ids"][key])


def test_every_document_is_terminal_and_dlq_empty(world: dict[str, Any]) -> None:
    for key in world["ids"]:
        assert doc(world, key)["status"] in TERMINAL, (key, doc(world, key))
    assert world["ledger"].dead_letters() == []


@pytest.mark.parametrize(
    "key,reason",
    [
        ("encrypted", "encrypted_pdf"),
        ("empty", "empty_file"),
        ("corrupt", "corrupt_file"),
        ("zip", "unsupported_media_type"),
    ],
)
def test_bad_input_fails_with_reason_and_advice(world: dict[str, Any], key: str, reason: str) -> None:
    d = doc(world, key)
    assert (d["status"], d["reason"]) == ("FAILED", reason)
    assert len(d["message"]) > 30  # says what happened and what to do


def test_mislabelled_file_is_processed_as_what_it_is(world: dict[str, Any]) -> None:
    d = doc(world, "mislabelled")
    # a pay statement is typed pay-stub: its fields may wait for a person (NEEDS_REVIEW), never fail
    assert d["status"] in ("SUCCEEDED", "NEEDS_REVIEW") and d["media_type"] == "image/png"
    timeline = world["ledger"].status(d["document_id"])["timeline"]
    assert any(t["status"] == "media_type_mismatch" for t in timeline)
    text = document_export(world["ledger"], d["document_id"])["pages"][0]["text"]
    assert "Jane Doe" in text


def test_digital_pdf_text_tables_and_forms(world: dict[str, Any]) -> None:
    led = world["ledger"]
    letter = document_export(led, world["ids"]["letter"])
    assert "annual salary" in letter["pages"][0]["text"]
    rows = letter["pages"][0]["tables"][0]["rows"]
    assert ["Year", "Salary"] in rows and ["2024", "85,000"] in rows
    form = document_export(led, world["ids"]["form"])
    assert form["fields"]["borrower_name"] == "Jane Doe"
    assert form["fields"]["loan_amount"] == "250000"
    # form values are not in the page text, yet their PII is found and names its field
    ssn = next(p for p in form["pii"] if p["type"] == "US_SSN")
    assert (ssn["field"], ssn["text"], ssn["source"]) == ("borrower_ssn", "219-09-9999", "form-field")
    out = export_document(led, world["ids"]["letter"], "csv", world["root"] / "csv")
    assert "85,000" in out[0].read_text()


def test_lineage_leads_every_artifact_back_to_the_original(world: dict[str, Any]) -> None:
    for key in ("note", "scan", "image", "xml"):
        g = world["ledger"].lineage(world["ids"][key])
        parents: dict[str, set[str]] = {}
        for e in g["edges"]:
            parents.setdefault(e["to"], set()).add(e["from"])
        original = next(n["id"] for n in g["nodes"] if n["kind"] == "original")
        for n in g["nodes"]:
            seen, stack = set(), [n["id"]]
            while stack:
                cur = stack.pop()
                seen.add(cur)
                stack.extend(parents.get(cur, set()) - seen)
            assert original in seen, (key, n["key"])
        keys = {(n["key"], n["stage"]) for n in g["nodes"]}
        assert len(keys) == len(g["nodes"])  # one artifact per (stage, key)


def test_lineage_is_acyclic_and_every_edge_crosses_runs(world: dict[str, Any]) -> None:
    """OCR'd documents too: no artifact is an input of the run that made it, no cycle."""
    for key in ("note", "scan", "image", "xml"):
        g = world["ledger"].lineage(world["ids"][key])
        run_of = {n["id"]: n["run_id"] for n in g["nodes"]}
        for e in g["edges"]:
            assert run_of[e["from"]] != run_of[e["to"]], (key, e)
        # Kahn's algorithm: every node can be removed in topological order only if there is no cycle.
        indegree = {n["id"]: 0 for n in g["nodes"]}
        for e in g["edges"]:
            indegree[e["to"]] += 1
        ready = [n for n, d in indegree.items() if d == 0]
        removed = 0
        while ready:
            cur = ready.pop()
            removed += 1
            for e in g["edges"]:
                if e["from"] == cur:
                    indegree[e["to"]] -= 1
                    if indegree[e["to"]] == 0:
                        ready.append(e["to"])
        assert removed == len(indegree), (key, "the lineage has a cycle")


def test_scan_fans_out_per_page_and_names_the_failed_page(world: dict[str, Any]) -> None:
    led = world["ledger"]
    d = doc(world, "scan")
    assert d["status"] == "PARTIAL" and d["reason"] == "page_too_small"
    assert "page 3" in d["message"]
    g = led.lineage(d["document_id"])
    ocr_runs = [r for r in g["runs"] if r["stage"] == "ocr"]
    assert {r["page"] for r in ocr_runs} >= {1, 2, 3}
    engines = {json.dumps(r["meta"].get("engines")) for r in ocr_runs}
    assert any("rapidocr" in e for e in engines)
    ex = document_export(led, d["document_id"])
    assert "bank statement" in ex["pages"][0]["text"]
    assert ex["pages"][0]["lines"][0]["bbox"] and ex["pages"][0]["lines"][0]["confidence"] > 0.5
    pdf_path = export_document(led, d["document_id"], "searchable-pdf", world["root"] / "sp")[0]
    pdf = pdfium.PdfDocument(str(pdf_path))
    assert "Account holder" in pdf[0].get_textpage().get_text_range()
    pdf.close()


def test_image_form_values_pii_and_provenance(world: dict[str, Any]) -> None:
    led = world["ledger"]
    did = world["ids"]["image"]
    ex = document_export(led, did)
    forms = {f["key"]: f for f in ex["pages"][0]["forms"]}
    assert forms["Name"]["value"] == "Robert Brown"
    assert forms["Name"]["value_bbox"] and forms["Name"]["key_bbox"]
    assert {"DATE_OF_BIRTH", "PHONE_NUMBER"} <= {p["type"] for p in ex["pii"]}
    ocr_json = next(a for a in led.artifacts(did) if a["kind"] == "ocr-json")
    ocr_run = next(r for r in led.lineage(did)["runs"] if r["id"] == ocr_json["run_id"])
    assert ocr_json["page"] == 1 and ocr_json["meta"]["engine"] in ("rapidocr", "tesseract")
    assert ocr_run["meta"]["engine_choice"]["1"] == {"configured": "auto", "chosen": ocr_json["meta"]["engine"]}


def test_nlp_search_match_and_graph(world: dict[str, Any]) -> None:
    from docledger.services.graph import graph
    from docledger.services.match import match
    from docledger.services.search import search

    led = world["ledger"]
    note = document_export(led, world["ids"]["note"])
    assert any(e["label"] == "PERSON" and "John Smith" in e["text"] for e in note["entities"])
    assert {"US_SSN", "PHONE_NUMBER"} <= {p["type"] for p in note["pii"]}
    assert note["key_phrases"]
    hits = search(led, "chest pain metoprolol", tenants=["bank-a"])
    assert hits and hits[0]["document_id"] == world["ids"]["note"]
    assert search(led, "chest pain metoprolol", tenants=["other-bank"]) == []
    results = match(led, "The patient has had pain in the chest for 2 days", document_id=world["ids"]["note"])
    assert len(results) == 5 and results[0]["rank"] == 1
    assert "chest pain" in results[0]["sentence"] and results[0]["page"] == 1
    # ranks follow the hybrid score; distance is the cosine distance alone (docs/api.md)
    assert [r["rank"] for r in results] == [1, 2, 3, 4, 5] and all(0.0 <= r["distance"] <= 2.0 for r in results)
    g = graph(led, entity="John Smith", tenants=["bank-a"])
    docs = {n["id"] for n in g["nodes"] if n["type"] == "document"}
    assert {world["ids"]["note"], world["ids"]["letter"]} <= docs


def test_redaction_removes_pii_from_the_pdf(world: dict[str, Any]) -> None:
    from docledger.services.redact import request_redaction

    led = world["ledger"]
    did = world["ids"]["note"]
    request_redaction(led, did, actor="reviewer@bank-a")
    Worker(led).run(until_idle=True)
    assert led.get_document(did)["status"] == "SUCCEEDED"
    pdf_path = export_document(led, did, "redacted-pdf", world["root"] / "red")[0]
    pdf = pdfium.PdfDocument(str(pdf_path))
    text = "".join(p.get_textpage().get_text_range() for p in pdf)
    pdf.close()
    assert "219-09-9999" not in text and "555-0147" not in text
    red = next(a for a in led.artifacts(did) if a["kind"] == "redacted-text" and a["page"] == 1)
    body = led.blobs.read(red["sha256"]).decode()
    assert "219-09-9999" not in body and "metoprolol" in body
    # the lineage metadata of the redaction names what was removed without re-leaking it
    red_pdf = next(a for a in led.artifacts(did) if a["kind"] == "redacted-pdf")
    assert red_pdf["meta"]["boxes"] and "219-09-9999" not in json.dumps(led.artifacts(did))


def test_xml_is_handled_by_its_own_pipeline(world: dict[str, Any]) -> None:
    led = world["ledger"]
    did = world["ids"]["xml"]
    assert doc(world, "xml")["status"] == "SUCCEEDED"
    stages = {n["stage"] for n in led.lineage(did)["nodes"]}
    assert {"register", "classify", "xml"} <= stages and "extract-text" not in stages
    paths = next(a for a in led.artifacts(did) if a["kind"] == "xml-paths-json")
    data = json.loads(led.blobs.read(paths["sha256"]))
    assert any(e["text"] == "1200.50" for e in data["elements"])


def test_duplicate_and_new_version(world: dict[str, Any]) -> None:
    led = world["ledger"]
    again = led.ingest_path(world["files"]["letter"], tenant="bank-a")
    assert again.duplicate_of == world["ids"]["letter"]
    other_tenant = led.ingest_path(world["files"]["letter"], tenant="bank-b")
    assert other_tenant.duplicate_of is None
    v2 = text_pdf(world["root"] / "employment.pdf", [["Amended letter"]])
    reg = led.ingest_path(Path(v2), tenant="bank-a")
    assert reg.version == 2 and reg.duplicate_of is None
    timeline = led.status(world["ids"]["letter"])["timeline"]
    assert any(t["status"] == "duplicate" for t in timeline)


def test_phone_photo_of_a_form(tmp_path: Path) -> None:
    """Skewed, unevenly lit, slightly blurred JPEG: still read, with form values and their boxes."""
    import numpy as np
    from PIL import Image, ImageFilter

    page = text_image(
        ["Borrower: Alan Turner", "Loan number: 7781-2290", "Property: 19 Harbor Way"], size=(1300, 700), font_size=34
    )
    photo = page.rotate(3.5, expand=True, fillcolor=235, resample=Image.BICUBIC)
    shade = np.linspace(0.75, 1.0, photo.width)[None, :]  # light falls off across the sheet
    photo = Image.fromarray((np.asarray(photo, dtype=np.float32) * shade).astype("uint8"))
    photo = photo.filter(ImageFilter.GaussianBlur(0.8)).convert("RGB")
    photo.save(tmp_path / "IMG_2041.jpg", "JPEG", quality=80)
    ledger = open_ledger(Settings(home=tmp_path / "home"))
    did = ledger.ingest_path(tmp_path / "IMG_2041.jpg").document_id
    Worker(ledger).run(until_idle=True)
    assert ledger.get_document(did)["status"] == "SUCCEEDED"
    forms = {f["key"]: f for f in document_export(ledger, did)["pages"][0]["forms"]}
    assert forms["Borrower"]["value"] == "Alan Turner"
    assert forms["Loan number"]["value"] == "7781-2290"
    x0, y0, x1, y1 = forms["Borrower"]["value_bbox"]
    assert 0 <= x0 < x1 <= photo.width and 0 <= y0 < y1 <= photo.height
    ledger.close()


def test_summary_is_scoped_to_a_tenant(world: dict[str, Any]) -> None:
    led = world["ledger"]
    mine = led.summary(tenant="bank-a")
    assert mine["documents_by_status"]["FAILED"] >= 4 and mine["queue"]["done"] > 0
    assert {d["stage"] for d in mine["stage_durations"]} >= {"classify", "ocr", "nlp"}
    theirs = led.summary(tenant="bank-z")
    assert theirs["documents_by_status"] == {} and theirs["queue"] == {} and theirs["stage_durations"] == []


# ---- one document model ---------------------------------------------------------------------
def _artifacts_of(world: dict[str, Any], key: str, kind: str) -> list[tuple[str, bytes]]:
    led = world["ledger"]
    return [(a["stage"], led.blobs.read(a["sha256"])) for a in led.artifacts(world["ids"][key]) if a["kind"] == kind]


def test_every_export_and_document_json_follows_the_published_schema(world: dict[str, Any]) -> None:
    shapes: dict[str, tuple[set[str], set[str]]] = {}
    for key in ("note", "letter", "form", "scan", "image", "xml", "mislabelled"):
        export = document_export(world["ledger"], world["ids"][key])
        assert_valid_document(export)
        assert all(p["source_run"] for p in export["pages"]), key  # every page names the run that read it
        for stage, raw in _artifacts_of(world, key, "document-json"):
            data = json.loads(raw)
            assert_valid_document(data)
            shapes[stage] = (set(data), {k for p in data["pages"] for k in p})
    # document.json has one shape whichever stage wrote it
    assert shapes["extract-text"] == shapes["ocr"] == shapes["xml"]
    # a born-digital form field carries its page, full confidence and the run that read it
    (raw,) = [raw for stage, raw in _artifacts_of(world, "form", "document-json") if stage == "extract-text"]
    ssn = next(f for f in json.loads(raw)["field_details"] if f["name"] == "borrower_ssn")
    assert ssn["page"] == 1 and ssn["confidence"] == 1.0 and ssn["source_run"].startswith("run_")
    form = document_export(world["ledger"], world["ids"]["form"])
    assert any(f["name"] == "borrower_ssn" and f["page"] == 1 for f in form["field_details"])


def test_forms_and_tables_csv_have_one_set_of_columns(world: dict[str, Any]) -> None:
    headers: dict[str, set[tuple[str, str]]] = {}
    for key in ("letter", "form", "image", "scan"):
        for kind in ("tables-csv", "forms-csv"):
            for stage, raw in _artifacts_of(world, key, kind):
                headers.setdefault(kind, set()).add((stage, raw.decode().splitlines()[0]))
    assert {h for _, h in headers["forms-csv"]} == {",".join(FORM_COLUMNS)}
    assert {s for s, _ in headers["forms-csv"]} == {"extract-text", "ocr"}  # both producers, one header
    assert {h for _, h in headers["tables-csv"]} == {",".join(TABLE_COLUMNS)}
