"""One document model: the published schema is generated from it, and each artifact kind has one writer."""

from __future__ import annotations

import csv
import io
import json

import pytest
from pydantic import ValidationError

from conftest import REPO
from docledger.document import DocumentModel, FormField, Page, Table
from docledger.document.schema import render, schema_path
from docledger.document.writers import FORM_COLUMNS, TABLE_COLUMNS, document_json, forms_csv, tables_csv
from docledger.ocr.forms import FormField as OcrFormField
from docledger.ocr.tables import Table as OcrTable
from docledger.ocr.tables import TableCell as OcrCell
from document_schema import assert_valid_document


def test_the_published_schema_is_generated_from_the_model() -> None:
    path = schema_path(REPO)
    assert path.read_text() == render(), "run: python -m docledger.document.schema --write"
    assert json.loads(path.read_text())["version"].startswith("1.")


def test_a_pdf_table_and_an_ocr_table_write_the_same_columns() -> None:
    from docledger.ocr.analyze import tables_csv as ocr_tables_csv

    pdf = tables_csv([Table(rows=[["Year", "Salary"], ["2024", "85,000"]], page=1)], page=1)
    ocr = ocr_tables_csv(
        [
            OcrTable(
                bbox=(0, 0, 200, 40),
                rows=[["Year", "Salary"], ["2024", "85,000"]],
                cells=[
                    OcrCell(r, c, 1, 1, t, (100 * c, 20 * r, 100 * c + 99, 20 * r + 19))
                    for r, row in enumerate([["Year", "Salary"], ["2024", "85,000"]])
                    for c, t in enumerate(row)
                ],
                method="ruled",
            )
        ],
        page=1,
    )
    pdf_rows, ocr_rows = (list(csv.reader(io.StringIO(t))) for t in (pdf, ocr))
    assert pdf_rows[0] == ocr_rows[0] == TABLE_COLUMNS
    # the same cells, only the OCR cell knows its box
    assert [r[:7] for r in pdf_rows[1:]] == [r[:7] for r in ocr_rows[1:]]
    assert [r[7] for r in pdf_rows[1:]] == [""] * 4 and ocr_rows[2][7] == "100 0 199 19"


def test_pdf_form_fields_and_ocr_form_pairs_write_the_same_columns() -> None:
    from docledger.ocr.analyze import forms_csv as ocr_forms_csv

    pdf = forms_csv(
        [
            FormField(
                page=1,
                key="borrower_name",
                value="Jane Doe",
                confidence=1.0,
                type="text",
                value_bbox=(72.0, 700.0, 300.0, 718.5),
            )
        ]
    )
    ocr = ocr_forms_csv([OcrFormField("Name", "Jane Doe", 0.93, (10, 10, 60, 30), (70, 10, 160, 30))], page=2)
    pdf_rows, ocr_rows = (list(csv.DictReader(io.StringIO(t))) for t in (pdf, ocr))
    assert list(pdf_rows[0]) == list(ocr_rows[0]) == FORM_COLUMNS
    assert pdf_rows[0]["value_bbox"] == "72 700 300 718.5" and pdf_rows[0]["type"] == "text"
    assert (ocr_rows[0]["page"], ocr_rows[0]["key"], ocr_rows[0]["confidence"]) == ("2", "Name", "0.93")


def test_document_json_follows_the_schema_and_keeps_added_fields() -> None:
    model = DocumentModel(
        document_id="doc_1", pages=[Page(page=1, text="Hello", source_run="run_1")], fields={"total": "12.50"}
    )
    data = json.loads(document_json(model))
    assert_valid_document(data)
    assert data["schema_version"] == "1.0" and data["pages"][0]["source_run"] == "run_1"
    # a field another version adds (e.g. a document type) passes and survives a round trip
    data["document_type"] = "receipt"
    data["pages"][0]["forms"] = [{"key": "Total", "value": "12.50", "label": "total_amount"}]
    assert_valid_document(data)
    assert DocumentModel.model_validate(data).model_dump()["document_type"] == "receipt"


def test_a_malformed_item_is_rejected() -> None:
    with pytest.raises(ValidationError):
        FormField(key="Name", value="x", confidence=1.7)
    bad = json.loads(document_json(DocumentModel(document_id="doc_1", pages=[Page(page=1)])))
    bad["pages"][0]["lines"] = [{"text": "x", "bbox": [1, 2, 3]}]
    with pytest.raises(AssertionError, match="bbox"):
        assert_valid_document(bad)
