"""Stage ``redact``: a redacted text per page and a redacted PDF in which PII is removed,
not covered: digital pages are rebuilt from burned images plus the redacted text layer;
scanned pages get the boxes burned into the page image. Runs on request
(``redaction.requested``) and by policy (every document whose classification is listed in
DOCLEDGER_REDACT_POLICY_CLASSIFICATIONS, after NLP). Lineage links the outputs to the NLP
findings that caused each box (the nlp-json artifacts are the run's inputs, and every box
records its finding)."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

from docledger.models import Events
from docledger.stages.base import Stage, StageContext


class RedactStage(Stage):
    name = "redact"
    version = "1.0.0"
    subscribes = (Events.NLP_COMPLETED, Events.REDACT_REQUESTED)
    produces = ("redacted-text", "redacted-pdf")
    description = "PII removed from text and PDF (burned, not covered), on request or by policy."

    def config(self) -> dict[str, Any]:
        return {"policy": self.settings.redact_policy_classifications}

    def process(self, ctx: StageContext) -> None:
        types = None
        if ctx.event.type == Events.NLP_COMPLETED:
            policy = {c.strip() for c in self.settings.redact_policy_classifications.split(",") if c.strip()}
            if ctx.document.get("classification") not in policy:
                ctx.skip()
                return
            ctx.log(f"redacting by policy ({ctx.document['classification']} documents are always redacted)")
        else:
            types = ctx.event.payload.get("types") or None
            if not ctx.artifacts(kind="nlp-json", stage="nlp"):
                # NLP has not finished yet: a retryable error (backoff), never an empty redaction.
                raise RuntimeError("PII detection (stage nlp) has not finished for this document yet")
        findings = self._findings(ctx, types)
        from docledger.nlp.redact import redact_text
        from docledger.stages._text import page_texts

        # Each redaction (by policy or on request) is its own set of artifacts, keyed by the event that
        # asked for it, so a document can be redacted again (other types, a new classification).
        prefix = f"redaction-{ctx.event.id}/"
        for page, text, _art in page_texts(ctx):
            ctx.add_artifact(
                f"{prefix}page-{page}/redacted.txt",
                "redacted-text",
                redact_text(text, findings.get(page, [])),
                page=page,
                media_type="text/plain",
                meta={"findings": [_brief(f) for f in findings.get(page, [])]},
            )
        boxes = self._pdf(ctx, findings, prefix)
        n = sum(len(v) for v in findings.values())
        ctx.log(f"redacted {n} PII findings ({len(boxes)} boxes burned)" + (f" of types {types}" if types else ""))

    def _findings(self, ctx: StageContext, types: list[str] | None) -> dict[int, list[dict[str, Any]]]:
        from docledger.nlp.redact import person_emails

        pages = {
            int(d["page"]): d.get("pii", [])
            for d in (json.loads(ctx.read(art)) for art in ctx.artifacts(kind="nlp-json", stage="nlp"))
        }
        every = [f for fs in pages.values() for f in fs]
        out: dict[int, list[dict[str, Any]]] = {}
        for page, found in pages.items():
            chosen = [f for f in found if types is None or f["type"] in types]
            if types is not None and "PERSON" in types:
                chosen += person_emails(found, every)  # an e-mail address spelling a redacted name
            out[page] = chosen
        return out

    def _pdf(self, ctx: StageContext, findings: dict[int, list[dict[str, Any]]], prefix: str) -> list[dict[str, Any]]:
        images = {a["page"]: a for a in ctx.artifacts(kind="page-image", stage="ocr")}
        ocr = {a["page"]: a for a in ctx.artifacts(kind="ocr-json", stage="ocr")}
        original = ctx.original()
        media = ctx.document.get("media_type")
        with tempfile.TemporaryDirectory(prefix="docledger-redact-") as tmp:
            out = Path(tmp) / "redacted.pdf"
            if images:  # scanned: burn boxes located through the OCR words
                boxes = self._burn_scans(ctx, images, ocr, findings, out)
            elif media == "application/pdf":
                from docledger.nlp.redact import redact_pdf

                src = Path(tmp) / "in.pdf"
                src.write_bytes(ctx.read(original))
                records = redact_pdf(src, out, {p: [f["text"] for f in fs] for p, fs in findings.items()})
                boxes = [{**{k: v for k, v in r.items() if k != "text"}, "text_sha": _sha(r["text"])} for r in records]
                missed = sorted({r["page"] for r in records if r.get("bbox") is None})
                for page in missed:
                    n = sum(1 for r in records if r["page"] == page and r.get("bbox") is None)
                    ctx.fail_page(
                        page,
                        "redaction_incomplete",
                        f"{n} PII string(s) found in the text could not be located on the page image "
                        "(e.g. hyphenated across lines); review the redacted PDF before releasing it.",
                    )
            else:
                return []
            ctx.add_artifact(
                f"{prefix}redacted.pdf",
                "redacted-pdf",
                out.read_bytes(),
                media_type="application/pdf",
                meta={"boxes": boxes[:2000]},
            )
        return boxes

    def _burn_scans(
        self,
        ctx: StageContext,
        images: dict[int, dict[str, Any]],
        ocr: dict[int, dict[str, Any]],
        findings: dict[int, list[dict[str, Any]]],
        out: Path,
    ) -> list[dict[str, Any]]:
        from docledger.nlp.redact import redact_image

        pages: list[Image.Image] = []
        drawn: list[dict[str, Any]] = []
        for n in sorted(images):
            img = Image.open(io.BytesIO(ctx.read(images[n]))).convert("RGB")
            page_boxes = []
            if n in ocr:
                data = json.loads(ctx.read(ocr[n]))
                for f in findings.get(n, []):
                    for box in span_boxes(data, f["start"], f["end"]):
                        page_boxes.append(box)
                        drawn.append(
                            {
                                "page": n,
                                "bbox": box,
                                "type": f["type"],
                                "text_sha": _sha(f["text"]),
                                "recognizer": f.get("recognizer"),
                            }
                        )
            pages.append(redact_image(img, page_boxes))
        pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=200.0)
        return drawn


def span_boxes(ocr_page: dict[str, Any], start: int, end: int) -> list[list[float]]:
    """Boxes of the OCR words covering characters [start, end) of the page text (lines joined by \\n)."""
    words = ocr_page.get("words", [])
    boxes: list[list[float]] = []
    offset = 0
    for line in ocr_page.get("lines", []):
        text = line["text"]
        x0, y0, x1, y1 = line["bbox"]
        inside = sorted(
            (
                w
                for w in words
                if x0 - 2 <= (w["bbox"][0] + w["bbox"][2]) / 2 <= x1 + 2
                and y0 - 2 <= (w["bbox"][1] + w["bbox"][3]) / 2 <= y1 + 2
            ),
            key=lambda w: w["bbox"][0],
        )
        cursor = 0
        line_hit = offset < end and offset + len(text) > start
        for w in inside:
            pos = text.find(w["text"], cursor)
            if pos < 0:
                continue
            cursor = pos + len(w["text"])
            ws, we = offset + pos, offset + cursor
            if ws < end and we > start:
                boxes.append(list(w["bbox"]))
        if line_hit and not any(True for _ in inside):
            boxes.append(list(line["bbox"]))  # no word boxes: burn the whole line
        offset += len(text) + 1
    return boxes


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _brief(f: dict[str, Any]) -> dict[str, Any]:
    """A finding without its clear text (lineage metadata must not re-leak the PII)."""
    return {
        "type": f["type"],
        "start": f["start"],
        "end": f["end"],
        "score": f.get("score"),
        "recognizer": f.get("recognizer"),
        "sha": _sha(f["text"]),
    }
