"""Stage ``ocr``: images and scanned PDF pages -> words, lines, forms, tables, checkboxes,
signatures, per page and for the whole document, plus a searchable PDF.

Single-page documents are read in one run. Multi-page documents fan out: one
``ocr.page.requested`` delivery per page (ordering key per page, so several workers share a
document); the commit of the last page emits ``ocr.completed``, whose run assembles the
whole-document outputs. Pages of a mixed PDF that have a usable text layer take their text
from it instead of OCR. A page that cannot be read is recorded (the document ends PARTIAL).
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

from docledger.document import Checkbox, DocumentField, DocumentModel, FormField, Line, Page, Signature, Table
from docledger.document.writers import document_json
from docledger.exceptions import UnprocessableDocument
from docledger.models import Events
from docledger.stages._outputs import source_artifact
from docledger.stages.base import Stage, StageContext
from docledger.store.base import Tx

PAGE_DONE_KINDS = ("ocr-json", "page-json")


class OcrStage(Stage):
    name = "ocr"
    version = "1.0.0"
    subscribes = (Events.CLASSIFIED, Events.OCR_PAGE, Events.OCR_COMPLETED)
    produces = (
        "page-image",
        "ocr-json",
        "text",
        "forms-json",
        "forms-csv",
        "tables-csv",
        "fields-json",
        "document-json",
        "searchable-pdf",
    )
    description = "OCR of images and scanned pages (rapidocr or tesseract), forms, tables, searchable PDF."

    def config(self) -> dict[str, Any]:
        return {"engine": self.settings.ocr_engine, "dpi": self.settings.ocr_dpi}

    def engine_info(self) -> dict[str, Any]:
        from docledger.ocr.engines import get_engine
        from docledger.ocr.linker import model_version
        from docledger.ocr.receipt_lines import load_model

        eng = get_engine(self.settings.ocr_engine)
        linker = model_version()  # name@version of the shipped key-value linker model
        return {
            "ocr": {"name": eng.name, "version": eng.version},
            "receipt-lines": load_model().info(),
            "forms-linker": {"name": linker.split("@")[0], "version": linker.split("@")[-1]},
        }

    def accepts(self, event: Any) -> bool:
        if event.type == Events.CLASSIFIED:
            return event.payload.get("route") == "ocr"
        return True

    def process(self, ctx: StageContext) -> None:
        p = ctx.event.payload
        if ctx.event.type == Events.OCR_COMPLETED:
            self._assemble(ctx)
            return
        if ctx.event.type == Events.OCR_PAGE:
            self._page(ctx, int(p["page"]), p)
            ctx.in_transaction(lambda tx: _complete_if_last(tx, ctx, int(p["pages"])))
            return
        pages = int(p.get("pages") or 1)
        plan = {
            "page": 1,
            "pages": pages,
            "family": p.get("family"),
            "ocr_pages": p.get("ocr_pages") or [],
            "source_artifact": p.get("source_artifact"),
        }
        if pages == 1:
            self._page(ctx, 1, plan)
            self._assemble(ctx)
            return
        for n in range(1, pages + 1):
            ctx.emit(
                Events.OCR_PAGE,
                {**plan, "page": n},
                ordering_key=f"{ctx.document_id}:page:{n}",
                only_subscriber=self.name,
            )
        ctx.log(f"{pages} pages fanned out for OCR")

    # ---- one page -------------------------------------------------------------------------
    def _page(self, ctx: StageContext, n: int, plan: dict[str, Any]) -> None:
        src = source_artifact(ctx, plan.get("source_artifact"))
        path = ctx.path_of(src)
        try:
            if plan.get("family") == "pdf" and n not in plan.get("ocr_pages", []):
                self._text_layer_page(ctx, path, n)
                return
            image = self._load_page(path, n, plan.get("family"))
            self._ocr_page(ctx, image, n)
        except UnprocessableDocument as exc:
            if plan.get("pages", 1) == 1:
                raise  # the only page: the document fails with this reason
            ctx.fail_page(n, exc.code, str(exc))
            ctx.log(f"page {n} could not be read: {exc}", "page_failed")

    def _load_page(self, path: Path, n: int, family: str | None) -> Image.Image:
        if family == "pdf":
            from docledger.ocr.preprocess import render_pdf_page

            return render_pdf_page(path, n - 1, dpi=self.settings.ocr_dpi)
        return load_frame(path, n, max_pixels=self.settings.max_image_pixels)

    def _ocr_page(self, ctx: StageContext, image: Image.Image, n: int) -> None:
        from docledger.ocr.analyze import analyze_page, forms_csv, tables_csv
        from docledger.ocr.engines import get_engine

        engine = get_engine(self.settings.ocr_engine)
        analysis = analyze_page(image, engine, page_number=n)
        data = analysis.to_json()
        buf = io.BytesIO()
        image.save(buf, format="PNG", optimize=False)
        img_id = ctx.add_artifact(
            f"page-{n}/image.png",
            "page-image",
            buf.getvalue(),
            page=n,
            media_type="image/png",
            meta={"width": image.width, "height": image.height, "dpi": image.info.get("dpi")},
        )
        span = {"page": n, "engine": analysis.engine, "engine_version": analysis.engine_version, "source_image": img_id}
        # which engine read the page (an "auto" engine chooses per page): part of the run's lineage
        ctx.run_meta.setdefault("engine_choice", {})[str(n)] = {"configured": engine.name, "chosen": analysis.engine}
        ctx.add_json(f"page-{n}/ocr.json", "ocr-json", data, page=n, meta=span)
        ctx.add_artifact(f"page-{n}/text.txt", "text", analysis.text, page=n, media_type="text/plain", meta=span)
        if analysis.forms:
            ctx.add_json(f"page-{n}/forms.json", "forms-json", data["forms"], page=n, meta=span)
            ctx.add_artifact(
                f"page-{n}/forms.csv",
                "forms-csv",
                forms_csv(analysis.forms, page=n),
                page=n,
                media_type="text/csv",
                meta=span,
            )
        if analysis.tables:
            ctx.add_artifact(
                f"page-{n}/tables.csv",
                "tables-csv",
                tables_csv(analysis.tables, page=n),
                page=n,
                media_type="text/csv",
                meta=span,
            )
        ctx.log(
            f"page {n}: {len(analysis.ocr.words)} words, {len(analysis.forms)} fields, "
            f"{len(analysis.tables)} tables, {len(analysis.checkboxes)} checkboxes by {analysis.engine} "
            f"in {analysis.seconds:.1f}s"
        )

    def _text_layer_page(self, ctx: StageContext, path: Path, n: int) -> None:
        from docledger.media.pdf import extract_pdf_text

        content = extract_pdf_text(path, [n])[0]
        ctx.add_artifact(
            f"page-{n}/text.txt",
            "text",
            content.text,
            page=n,
            media_type="text/plain",
            meta={"page": n, "source": "pdf-text-layer"},
        )
        ctx.add_json(
            f"page-{n}/page.json",
            "page-json",
            {
                "page": n,
                "width": content.width,
                "height": content.height,
                "text": content.text,
                "tables": [{"rows": t} for t in content.tables],
                "words": content.words,
            },
            page=n,
        )

    # ---- whole document ---------------------------------------------------------------------
    def _assemble(self, ctx: StageContext) -> None:
        from docledger.ocr.receipts import is_receipt

        arts = ctx.artifacts(stage=self.name) + [a for a in ctx.artifacts_out]
        by_page: dict[int, dict[str, Any]] = {}
        runs: dict[int, str] = {}
        images: dict[int, Any] = {}
        for a in arts:
            kind = a["kind"] if isinstance(a, dict) else a.kind
            page = a["page"] if isinstance(a, dict) else a.page
            sha = a["sha256"] if isinstance(a, dict) else a.sha256
            # Only artifacts of earlier runs are inputs: this run's own outputs would make a self-edge
            # (ocr.json -> ocr.json) and relate outputs of one run to each other (ocr.json -> image.png).
            earlier = a["id"] if isinstance(a, dict) else None
            if page is None:
                continue
            if kind in PAGE_DONE_KINDS:
                if earlier:
                    ctx.use(earlier)
                by_page[page] = json.loads(ctx.blobs.read(sha))
                runs[page] = a["run_id"] if isinstance(a, dict) else ctx.run_id
            elif kind == "page-image":
                if earlier:
                    ctx.use(earlier)  # the searchable PDF is made of it
                images[page] = sha
        pages = [by_page[n] for n in sorted(by_page)]
        lines = [ln["text"] for p in pages for ln in p.get("lines", [])] or [
            t for p in pages for t in p.get("text", "").splitlines()
        ]
        fields: dict[str, Any] = {}
        if lines and is_receipt(lines):
            fields = self._receipt(ctx, pages, images, lines)
        for p in pages:
            for f in p.get("forms", []):
                if f.get("key") and f["key"] not in fields:
                    fields[f["key"]] = f.get("value")
        if fields:
            ctx.add_json("fields.json", "fields-json", fields)
        ctx.add_artifact(
            "document.json",
            "document-json",
            document_json(_document(ctx, pages, runs, fields)),
            media_type="application/json",
        )
        if images:
            self._searchable(ctx, pages, images)
        ctx.emit(Events.TEXT_EXTRACTED, {"pages": sorted(by_page), "source": "ocr"})

    def _receipt(
        self, ctx: StageContext, pages: list[dict[str, Any]], images: dict[int, str], lines: list[str]
    ) -> dict[str, Any]:
        """Receipt fields: boxed lines of a one-page receipt, a second engine's reading voting on total/date."""
        from docledger.ocr.receipt_read import read_receipt

        boxed: list[Any] = lines
        alternatives: list[list[Any]] = []
        if len(pages) == 1 and pages[0].get("lines"):
            page = pages[0]
            boxed = _upright_lines(page)
            if page["page"] in images:
                alternatives = self._second_reading(ctx, page, images[page["page"]])
        reading = read_receipt(boxed, alternatives=alternatives)
        ctx.run_meta["receipt"] = {
            "model": reading.model,
            "source": reading.source,
            "checks": reading.checks,
            "voting_engines": 1 + len(alternatives),
        }
        return {"document_type": "receipt", **reading.values(), "field_confidence": reading.confidence}

    def _second_reading(self, ctx: StageContext, page: dict[str, Any], image_sha: str) -> list[list[Any]]:
        """The page read again by the other engine (upright as the first saw it), for the total/date vote."""
        from docledger.exceptions import DocledgerError
        from docledger.ocr.engines import get_engine
        from docledger.ocr.preprocess import rotate_upright

        name = "rapidocr" if page.get("engine") == "tesseract" else "tesseract"
        try:
            engine = get_engine(name)
            with Image.open(ctx.blobs.path(image_sha)) as img:
                upright = rotate_upright(img.convert("L"), int(page.get("rotation") or 0))
                return [engine.recognize(upright).lines]
        except (DocledgerError, OSError, RuntimeError) as exc:
            ctx.log(f"second reading of the receipt by {name} skipped: {exc}")
            return []

    def _searchable(self, ctx: StageContext, pages: list[dict[str, Any]], images: dict[int, str]) -> None:
        from docledger.ocr.searchable import make_searchable_pdf

        imgs, ocrs = [], []
        for p in pages:
            n = p["page"]
            if n in images and "lines" in p:
                img = Image.open(ctx.blobs.path(images[n]))
                imgs.append(img)
                ocrs.append(page_from_json(p, img.width, img.height))
        if not imgs:
            return
        with tempfile.TemporaryDirectory(prefix="docledger-ocr-") as tmp:
            out = Path(tmp) / "searchable.pdf"
            result = make_searchable_pdf(imgs, ocrs, out, pdfa=True)
            ctx.add_artifact(
                "searchable.pdf",
                "searchable-pdf",
                out.read_bytes(),
                media_type="application/pdf",
                meta={"pdfa": getattr(result, "pdfa", None)},
            )
        for img in imgs:
            img.close()


def _complete_if_last(tx: Tx, ctx: StageContext, pages: int) -> None:
    """Inside the page's commit (document row locked): emit ocr.completed once all pages are in."""
    done: set[int] = set()
    for a in tx.fetchall("artifacts_for_document", document_id=ctx.document_id):
        if a["stage"] == ctx.stage.name and a["kind"] in PAGE_DONE_KINDS and a["page"] is not None:
            done.add(int(a["page"]))
    for p in tx.fetchall("problems_for_document", document_id=ctx.document_id):
        if p["stage"] == ctx.stage.name and p["page"] is not None:
            done.add(int(p["page"]))
    if len(done) >= pages:
        ctx.emit(
            Events.OCR_COMPLETED,
            {"pages": pages},
            ordering_key=f"{ctx.document_id}:ocr-complete",
            only_subscriber=ctx.stage.name,
        )


def _document(
    ctx: StageContext, pages: list[dict[str, Any]], runs: dict[int, str], fields: dict[str, Any]
) -> DocumentModel:
    """The document model of an OCR'd document: every page from its own run, every form pair also a field."""
    model_pages = []
    details: list[DocumentField] = []
    for p in pages:
        n = p["page"]
        forms = [FormField.model_validate({**f, "page": n, "bbox": f.get("value_bbox")}) for f in p.get("forms", [])]
        model_pages.append(
            Page(
                page=n,
                width=p.get("width"),
                height=p.get("height"),
                text=p.get("text", ""),
                source_run=runs.get(n),
                lines=[Line.model_validate({**ln, "page": n}) for ln in p.get("lines", [])],
                forms=forms,
                tables=[Table.model_validate({**t, "page": n}) for t in p.get("tables", [])],
                checkboxes=[Checkbox.model_validate({**c, "page": n}) for c in p.get("checkboxes", [])],
                signatures=[Signature.model_validate({**g, "page": n}) for g in p.get("signatures", [])],
            )
        )
        details.extend(
            DocumentField(
                name=f.key, value=f.value, page=n, bbox=f.value_bbox, confidence=f.confidence, source_run=runs.get(n)
            )
            for f in forms
            if f.key
        )
    named = {d.name for d in details}
    confidence = fields.get("field_confidence") or {}  # receipt fields: a probability-like score per field
    details.extend(
        DocumentField(name=k, value=v, confidence=confidence.get(k), source_run=ctx.run_id)
        for k, v in fields.items()
        if k not in named and k != "field_confidence"
    )
    return DocumentModel(document_id=ctx.document_id, pages=model_pages, fields=fields, field_details=details)


def _upright_lines(page: dict[str, Any]) -> list[Any]:
    """A page's lines with boxes turned into the upright frame the engine read (rows stay rows)."""
    from docledger.ocr.analyze import _apply
    from docledger.ocr.preprocess import _rotation_matrix_90
    from docledger.ocr.types import Line

    width, height = int(page.get("width") or 0), int(page.get("height") or 0)
    m = _rotation_matrix_90(int(page.get("rotation") or 0), width, height)
    return [Line(ln["text"], _apply(m, tuple(ln["bbox"])), float(ln["confidence"]), []) for ln in page.get("lines", [])]


def load_frame(path: Path, n: int, *, max_pixels: int) -> Image.Image:
    """Frame ``n`` (1-based) of an image file, decoded alone, with the pixel limit enforced first."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(path)
            if n > 1:
                img.seek(n - 1)
            if img.width * img.height > max_pixels:
                raise UnprocessableDocument(
                    f"Page {n} is {img.width} x {img.height} pixels, above the {max_pixels // 1_000_000} MP limit.",
                    code="image_too_large",
                    hint="Scan at 200-300 dpi, or raise DOCLEDGER_MAX_IMAGE_PIXELS.",
                )
            img.load()
            dpi = img.info.get("dpi")
            out = img.convert("L" if img.mode in ("1", "L", "I;16", "I", "F") else "RGB")
            if dpi:
                out.info["dpi"] = dpi
            return out
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UnprocessableDocument(
            f"Page {n} of the image cannot be decoded: {exc}",
            code="corrupt_image",
            hint="Re-export or re-scan the image and submit it again.",
        ) from exc


def page_from_json(p: dict[str, Any], width: int, height: int) -> Any:
    """Rebuild a PageOcr (lines with their words) from a page's ocr.json."""
    from docledger.ocr.types import Line, PageOcr, Word

    words = [Word(w["text"], tuple(w["bbox"]), float(w["confidence"])) for w in p.get("words", [])]
    lines = []
    for ln in p.get("lines", []):
        x0, y0, x1, y1 = ln["bbox"]
        inside = [
            w
            for w in words
            if x0 - 2 <= (w.bbox[0] + w.bbox[2]) / 2 <= x1 + 2 and y0 - 2 <= (w.bbox[1] + w.bbox[3]) / 2 <= y1 + 2
        ]
        lines.append(Line(ln["text"], tuple(ln["bbox"]), float(ln["confidence"]), inside))
    return PageOcr(width=int(p.get("width") or width), height=int(p.get("height") or height), words=words, lines=lines)
