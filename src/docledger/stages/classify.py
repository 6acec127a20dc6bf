"""Stage ``classify``: what are these bytes, and where do they go next.

The media type is sniffed from the bytes (never the name; a mismatch is recorded). PDFs
are inspected (pages, text layer per page, encryption, damage — repaired via qpdf when
possible); images are inspected from their headers (format, size, DPI, frames) without
decoding bombs. The route is published in ``document.classified``:

- ``text``: a digital PDF (every page has a usable text layer) or plain text -> extract-text
- ``ocr``: images, scans and PDFs with at least one page without a usable text layer -> ocr
- ``xml``: XML documents -> the xml pipeline (which listens to document.registered itself)
- anything else ends here with an explained, terminal failure.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from docledger.exceptions import UnprocessableDocument
from docledger.media.sniff import sniff
from docledger.models import Events
from docledger.stages.base import Stage, StageContext


class ClassifyStage(Stage):
    name = "classify"
    version = "1.0.0"
    subscribes = (Events.REGISTERED,)
    produces = ("classification", "repaired-pdf")
    description = "Sniff the media type from the bytes, inspect PDFs/images, route to a pipeline."

    def config(self) -> dict[str, Any]:
        return {"max_pages": self.settings.max_pages, "max_image_pixels": self.settings.max_image_pixels}

    def process(self, ctx: StageContext) -> None:
        original = ctx.original()
        path = ctx.path_of(original)
        with open(path, "rb") as f:
            head = f.read(64 * 1024)
        if not head:
            raise UnprocessableDocument(
                "The file is empty (0 bytes).",
                code="empty_file",
                hint="Check the upload or scanner export and submit the file again.",
            )
        info = sniff(head)
        ctx.set_facts(media_type=info.media_type)
        declared = ctx.document.get("declared_media_type")
        facts: dict[str, Any] = {"media_type": info.media_type, "family": info.family, "declared": declared}
        if declared and declared != info.media_type:
            facts["mismatch"] = True
            ctx.log(
                f"The name says {declared} but the bytes are {info.media_type}; processing as {info.media_type}.",
                status="media_type_mismatch",
            )
        route, details = self._route(ctx, info.family, info.media_type, path)
        facts.update(details)
        facts["route"] = route
        ctx.set_facts(media_type=info.media_type, pages=details.get("pages"), classification=facts)
        ctx.add_json("classification.json", "classification", facts)
        ctx.log(f"{info.media_type}, route {route}" + (f", {details['pages']} page(s)" if details.get("pages") else ""))
        ctx.emit(
            Events.CLASSIFIED,
            {
                "route": route,
                "media_type": info.media_type,
                "family": info.family,
                "pages": details.get("pages"),
                "ocr_pages": details.get("ocr_pages", []),
                "source_artifact": details.get("source_artifact", original["id"]),
            },
        )

    def _route(self, ctx: StageContext, family: str, media_type: str, path: Path) -> tuple[str, dict[str, Any]]:
        if family == "pdf":
            return self._pdf(ctx, path)
        if family == "image":
            from docledger.media.image import inspect_image

            img = inspect_image(path, max_pixels=self.settings.max_image_pixels, max_frames=self.settings.max_pages)
            return "ocr", {
                "pages": img.frames,
                "image": {
                    "format": img.format,
                    "width": img.width,
                    "height": img.height,
                    "dpi": img.dpi,
                    "mode": img.mode,
                },
                "ocr_pages": list(range(1, img.frames + 1)),
            }
        if family == "xml":
            return "xml", {"pages": 1}
        if family == "text":
            return "text", {"pages": 1}
        raise UnprocessableDocument(
            f"docledger cannot process {media_type} files.",
            code="unsupported_media_type",
            hint="Supported: PDF, PNG, JPEG, TIFF, BMP, WebP, GIF, XML and plain text. Convert the file "
            "(e.g. export Word documents to PDF) and submit it again.",
        )

    def _pdf(self, ctx: StageContext, path: Path) -> tuple[str, dict[str, Any]]:
        from docledger.media.pdf import inspect_pdf

        with tempfile.TemporaryDirectory(prefix="docledger-classify-") as tmp:
            work = Path(tmp) / "document.pdf"
            shutil.copyfile(path, work)  # repairs are written beside the input: never beside the blob
            info = inspect_pdf(work, max_pages=self.settings.max_pages)
            details: dict[str, Any] = {
                "pages": info.pages,
                "encrypted": info.encrypted,
                "repaired": info.repaired,
                "text_layer": info.text_layer,
                "chars": info.chars,
                "page_sizes": info.page_sizes,
                "has_acroform": info.has_acroform,
                "producer": info.producer,
                "notes": info.notes[:20],
                "ocr_pages": info.pages_needing_ocr,
            }
            if info.repaired and info.repaired_path is not None:
                art = ctx.add_artifact(
                    "repaired.pdf",
                    "repaired-pdf",
                    info.repaired_path.read_bytes(),
                    media_type="application/pdf",
                    meta={"notes": info.notes[:20]},
                )
                details["source_artifact"] = art
                ctx.log("The PDF was damaged and has been repaired: " + "; ".join(info.notes[:3]), "repaired")
        for n, reason in enumerate(info.text_layer_reasons, start=1):
            if reason and not info.text_layer[n - 1]:
                details.setdefault("text_layer_reasons", {})[n] = reason
        return ("ocr" if info.pages_needing_ocr else "text"), details
