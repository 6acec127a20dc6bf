"""Stage ``extract-text``: digital PDFs (and plain text) -> text per page in reading order,
tables (pdfplumber), AcroForm field values; one artifact per output, each with lineage."""

from __future__ import annotations

from typing import Any

from docledger.document import DocumentField, DocumentModel, FormField, Page, Table
from docledger.document.writers import document_json, forms_csv, tables_csv
from docledger.models import Events
from docledger.stages._outputs import source_artifact
from docledger.stages.base import Stage, StageContext


class ExtractTextStage(Stage):
    name = "extract-text"
    version = "1.0.0"
    subscribes = (Events.CLASSIFIED,)
    produces = ("text", "page-json", "tables-csv", "forms-json", "forms-csv", "document-json")
    description = "Text per page in reading order, tables and AcroForm fields of digital PDFs."

    def accepts(self, event: Any) -> bool:
        return event.payload.get("route") == "text"

    def process(self, ctx: StageContext) -> None:
        src = source_artifact(ctx, ctx.event.payload.get("source_artifact"))
        path = ctx.path_of(src)
        pages: list[dict[str, Any]]
        if ctx.event.payload.get("family") == "text":
            pages = [
                {
                    "page": 1,
                    "text": _decode(path.read_bytes()),
                    "width": None,
                    "height": None,
                    "tables": [],
                    "words": [],
                }
            ]
            fields: list[dict[str, Any]] = []
        else:
            from docledger.media.pdf import acroform_fields, extract_pdf_text

            contents = extract_pdf_text(path)
            pages = [
                {
                    "page": c.page,
                    "text": c.text,
                    "width": c.width,
                    "height": c.height,
                    "tables": c.tables,
                    "words": c.words,
                    "notes": c.notes,
                }
                for c in contents
            ]
            fields = acroform_fields(path)
        for p in pages:
            n = p["page"]
            ctx.add_artifact(f"page-{n}/text.txt", "text", p["text"], page=n, media_type="text/plain")
            ctx.add_json(
                f"page-{n}/page.json",
                "page-json",
                {
                    "page": n,
                    "width": p["width"],
                    "height": p["height"],
                    "text": p["text"],
                    "tables": [{"rows": t} for t in p["tables"]],
                    "words": p["words"],
                    "forms": [_form(f) for f in fields if f.get("page") == n],
                },
                page=n,
            )
            if p["tables"]:
                ctx.add_artifact(
                    f"page-{n}/tables.csv",
                    "tables-csv",
                    tables_csv([Table(rows=t, page=n) for t in p["tables"]], page=n),
                    page=n,
                    media_type="text/csv",
                )
        forms = [_form_field(f) for f in fields]
        if fields:
            ctx.add_json("forms.json", "forms-json", fields)
            ctx.add_artifact("forms.csv", "forms-csv", forms_csv(forms), media_type="text/csv")
        model = DocumentModel(
            document_id=ctx.document_id,
            pages=[
                Page(
                    page=p["page"],
                    width=p["width"],
                    height=p["height"],
                    text=p["text"],
                    source_run=ctx.run_id,
                    tables=[Table(rows=t, page=p["page"]) for t in p["tables"]],
                    forms=[f for f in forms if f.page == p["page"]],
                )
                for p in pages
            ],
            fields={f["name"]: f["value"] for f in fields if f.get("name")},
            field_details=[
                DocumentField(
                    name=f.key, value=f.value, page=f.page, bbox=f.bbox, confidence=1.0, source_run=ctx.run_id
                )
                for f in forms
                if f.key
            ],
        )
        ctx.add_artifact("document.json", "document-json", document_json(model), media_type="application/json")
        chars = sum(len(p["text"]) for p in pages)
        ctx.log(
            f"extracted {chars} characters from {len(pages)} page(s), "
            f"{sum(len(p['tables']) for p in pages)} table(s), {len(fields)} form field(s)"
        )
        ctx.emit(Events.TEXT_EXTRACTED, {"pages": [p["page"] for p in pages], "source": "pdf-text"})


def _form(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": f.get("name"),
        "value": f.get("value"),
        "confidence": 1.0,
        "key_bbox": None,
        "value_bbox": f.get("bbox"),
        "type": f.get("type"),
    }


def _form_field(f: dict[str, Any]) -> FormField:
    """An AcroForm field in the document model: born-digital, so confidence 1.0."""
    value = f.get("value")
    return FormField(
        key=f.get("name"),
        value=None if value is None else str(value),
        page=f.get("page"),
        bbox=f.get("bbox"),
        value_bbox=f.get("bbox"),
        confidence=1.0,
        type=f.get("type"),
    )


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
