"""OCR library: pure functions over page images (PIL) that the ``ocr`` pipeline stage calls.

Entry point for a stage: :func:`analyze_page` (normalise -> OCR -> forms/tables/checkboxes/
signatures, boxes in original image coordinates), then :func:`forms_csv`, :func:`tables_csv` and
:func:`make_searchable_pdf`. Engines come from :func:`get_engine` ("auto", "rapidocr", "tesseract", "null").
"""

from docledger.ocr.analyze import PageAnalysis, analyze_page, forms_csv, tables_csv
from docledger.ocr.checkboxes import Checkbox, detect_checkboxes
from docledger.ocr.engines import (
    NullEngine,
    OcrEngine,
    RapidOcrEngine,
    TesseractEngine,
    create_engine,
    get_engine,
)
from docledger.ocr.forms import FormField, extract_forms, extract_forms_from_words
from docledger.ocr.layout import page_text, reading_order
from docledger.ocr.preprocess import load_image_pages, normalize, render_pdf_page
from docledger.ocr.receipts import is_receipt, receipt_fields
from docledger.ocr.searchable import SearchablePdf, make_searchable_pdf
from docledger.ocr.signatures import Signature, detect_signatures
from docledger.ocr.tables import Table, TableCell, extract_tables
from docledger.ocr.types import BBox, Line, PageOcr, Word

__all__ = [
    "BBox",
    "Checkbox",
    "FormField",
    "Line",
    "NullEngine",
    "OcrEngine",
    "PageAnalysis",
    "PageOcr",
    "RapidOcrEngine",
    "SearchablePdf",
    "Signature",
    "Table",
    "TableCell",
    "TesseractEngine",
    "Word",
    "analyze_page",
    "create_engine",
    "detect_checkboxes",
    "detect_signatures",
    "extract_forms",
    "extract_forms_from_words",
    "extract_tables",
    "forms_csv",
    "get_engine",
    "is_receipt",
    "load_image_pages",
    "make_searchable_pdf",
    "normalize",
    "page_text",
    "reading_order",
    "receipt_fields",
    "render_pdf_page",
    "tables_csv",
]
