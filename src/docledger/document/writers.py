"""The one writer of each artifact kind built from the document model: ``document.json``,
``tables.csv`` and ``forms.csv`` have the same shape and columns whichever stage wrote them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from docledger.document.model import SCHEMA_VERSION, BBox, DocumentModel, FormField, Table, TableCell

TABLE_COLUMNS = ["page", "table", "row", "col", "row_span", "col_span", "text", "bbox"]
FORM_COLUMNS = ["page", "key", "value", "confidence", "key_bbox", "value_bbox", "type"]


def _bbox(b: BBox | Sequence[float] | None) -> str:
    if not b:
        return ""
    return " ".join(str(int(v)) if float(v).is_integer() else str(round(float(v), 1)) for v in b)


def _blank(v: Any) -> Any:
    return "" if v is None else v


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_blank(c) for c in row] for row in rows])
    return buf.getvalue()


def cells_of(table: Table) -> list[TableCell]:
    """The table's cells; a table known only by its rows (a PDF table) gets one cell per row and column."""
    if table.cells:
        return table.cells
    return [TableCell(row=r, col=c, text=text or "") for r, row in enumerate(table.rows) for c, text in enumerate(row)]


def tables_csv(tables: Sequence[Table], *, page: int | None = None) -> str:
    """One row per cell: page, table index, row, column, spans, text and the cell's box."""
    return _csv(
        TABLE_COLUMNS,
        (
            [page, index, c.row, c.col, c.row_span, c.col_span, c.text, _bbox(c.bbox)]
            for index, table in enumerate(tables)
            for c in cells_of(table)
        ),
    )


def forms_csv(forms: Sequence[FormField]) -> str:
    """One row per key-value pair: page, key, value, confidence, both boxes and the field type."""
    return _csv(
        FORM_COLUMNS,
        ([f.page, f.key, f.value, f.confidence, _bbox(f.key_bbox), _bbox(f.value_bbox), f.type] for f in forms),
    )


def document_json(document: DocumentModel) -> str:
    """``document.json``: the checked model with every field (unknown ones as null or empty), so the file
    has one shape whichever stage wrote it."""
    data = document.model_dump(mode="json")
    data["schema_version"] = SCHEMA_VERSION
    return json.dumps(data, ensure_ascii=False, indent=1)
