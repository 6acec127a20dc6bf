"""Redaction that removes PII instead of covering it.

A black rectangle drawn over a PDF leaves the text underneath extractable (the classic
redaction leak), so :func:`redact_pdf` rebuilds the document: every page is rasterised,
the boxes of the PII strings are burnt into the pixels, and the new PDF holds only those
images plus an invisible text layer made of the page's words with every word that touches
PII replaced by ``[REDACTED]``. The output stays searchable, keeps no original content
streams, fonts, metadata, annotations or form fields, and loses vector quality (150 dpi
by default).

Box sources: digital pages (and OCR'd pages that carry a text layer) are searched through
pdfium's character boxes; for image-only pages the caller passes the boxes found by OCR.
A string that cannot be located is reported with ``"bbox": None`` so the caller can hold
the document for review: silently skipping it would leak it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from docledger.exceptions import UnprocessableDocument

__all__ = ["REDACTED", "redact_text", "redact_image", "redact_pdf", "Box"]

REDACTED = "[REDACTED]"
Box = tuple[float, float, float, float]  # x0, y0, x1, y1
_PAD_PT = 2.0  # grow each tight glyph box: anti-aliased edges and accents must not survive
_WS = re.compile(r"\s+")


def person_emails(
    page_findings: Iterable[Mapping[str, Any]], all_findings: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The EMAIL_ADDRESS findings of a page whose local part spells a name part of any PERSON found
    in the document (``Zhang.Wei@example.com`` for "Wei Zhang"): redacting PERSON must cover them."""
    names = {
        w.lower()
        for f in all_findings
        if f.get("type") == "PERSON"
        for w in re.split(r"[\s.,'-]+", str(f.get("text", "")))
        if len(w) >= 2
    }
    out = []
    for f in page_findings:
        if f.get("type") != "EMAIL_ADDRESS":
            continue
        local = str(f.get("text", "")).split("@", 1)[0].lower()
        if names & {p for p in re.split(r"[._+\-0-9]+", local) if p}:
            out.append({**f, "reason": "e-mail address containing a redacted PERSON name"})
    return out


def redact_text(text: str, findings: Iterable[Mapping[str, Any]]) -> str:
    """``text`` with each finding's ``[start, end)`` span replaced by ``[TYPE]``.

    Overlapping findings are merged into one span labelled with the first finding's type.
    """
    spans = sorted(
        ((int(f["start"]), int(f["end"]), str(f.get("type", "REDACTED"))) for f in findings),
        key=lambda s: (s[0], -s[1]),
    )
    merged: list[list[Any]] = []
    for start, end, kind in spans:
        if start >= end or start < 0 or end > len(text):
            continue
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, kind])
    out = text
    for start, end, kind in reversed(merged):
        out = out[:start] + f"[{kind}]" + out[end:]
    return out


def redact_image(image: Image.Image, boxes: Iterable[Sequence[float]], *, pad: int = 2) -> Image.Image:
    """A copy of ``image`` with each pixel box ``(x0, y0, x1, y1)`` (top-left origin) filled black."""
    out = image.convert("RGB") if image.mode not in ("RGB", "L") else image.copy()
    draw = ImageDraw.Draw(out)
    fill = 0 if out.mode == "L" else (0, 0, 0)
    w, h = out.size
    for x0, y0, x1, y1 in boxes:
        draw.rectangle(
            [
                max(0, int(x0) - pad),
                max(0, int(y0) - pad),
                min(w, int(x1 + 0.999) + pad),
                min(h, int(y1 + 0.999) + pad),
            ],
            fill=fill,
        )
    return out


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` with whitespace runs collapsed to one space, and each char's original index."""
    chars: list[str] = []
    index: list[int] = []
    for i, c in enumerate(text):
        if c.isspace():
            if chars and chars[-1] == " ":
                continue
            c = " "
        chars.append(c)
        index.append(i)
    return "".join(chars), index


def _char_ranges(page_text: str, needle: str) -> list[tuple[int, int]]:
    """Char index ranges of every occurrence of ``needle`` (whitespace-insensitive)."""
    hay, index = _normalised(page_text)
    pattern = _WS.sub(" ", needle.strip())
    if not pattern:
        return []
    out = []
    for m in re.finditer(re.escape(pattern).replace(r"\ ", r"\s?"), hay):
        if m.end() > m.start():
            out.append((index[m.start()], index[m.end() - 1] + 1))
    return out


def _line_boxes(textpage: Any, start: int, end: int, page_h: float) -> list[Box]:
    """Boxes (points, top-left origin) covering chars ``[start, end)``, one per text line."""
    boxes: list[list[float]] = []
    for i in range(start, end):
        left, bottom, right, top = textpage.get_charbox(i, loose=False)
        if right <= left or top <= bottom:
            continue  # generated chars (line breaks) have no extent
        y0, y1 = page_h - top, page_h - bottom
        cy = (y0 + y1) / 2
        if boxes and boxes[-1][1] - 1 <= cy <= boxes[-1][3] + 1 and left >= boxes[-1][0] - 1:
            b = boxes[-1]
            b[0], b[1], b[2], b[3] = min(b[0], left), min(b[1], y0), max(b[2], right), max(b[3], y1)
        else:
            boxes.append([left, y0, right, y1])
    return [(b[0] - _PAD_PT, b[1] - _PAD_PT, b[2] + _PAD_PT, b[3] + _PAD_PT) for b in boxes]


def _words(textpage: Any, page_h: float) -> list[tuple[str, Box, int, int]]:
    """(word, box in points top-left origin, first char, end char) of the page's text layer."""
    text = textpage.get_text_range()
    words = []
    for m in re.finditer(r"\S+", text):
        boxes = _line_boxes(textpage, m.start(), m.end(), page_h)
        if boxes:
            x0 = min(b[0] for b in boxes)
            y0 = min(b[1] for b in boxes)
            x1 = max(b[2] for b in boxes)
            y1 = max(b[3] for b in boxes)
            words.append((m.group(), (x0 + _PAD_PT, y0 + _PAD_PT, x1 - _PAD_PT, y1 - _PAD_PT), m.start(), m.end()))
    return words


def _draw_text_layer(canvas: Any, words: Sequence[tuple[str, Box]], page_h: float) -> None:
    """Invisible (render mode 3) words at their positions, so the raster page stays searchable."""
    for word, (x0, y0, x1, y1) in words:
        size = max(1.0, (y1 - y0) * 0.9)
        safe = word.encode("latin-1", "replace").decode("latin-1")
        width = canvas.stringWidth(safe, "Helvetica", size) or 1.0
        t = canvas.beginText()
        t.setTextRenderMode(3)
        t.setFont("Helvetica", size)
        t.setHorizScale(max(10.0, min(400.0, 100.0 * (x1 - x0) / width)))
        t.setTextOrigin(x0, page_h - y1 + 0.2 * (y1 - y0))
        t.textOut(safe)
        canvas.drawText(t)


def redact_pdf(
    src: Path,
    dst: Path,
    findings_by_page: Mapping[int, Sequence[str | Mapping[str, Any]]],
    *,
    boxes_by_page: Mapping[int, Sequence[tuple[str, Box]]] | None = None,
    dpi: int = 150,
    password: str | None = None,
) -> list[dict[str, Any]]:
    """Write a redacted copy of ``src`` to ``dst``; return one record per box drawn.

    ``findings_by_page`` maps a 1-based page number to the PII strings to remove from it
    (or to :func:`~docledger.nlp.pii.detect_pii` findings, whose ``text`` is used).
    ``boxes_by_page`` adds boxes found elsewhere (OCR of image-only pages) as
    ``(string, (x0, y0, x1, y1))`` in page fractions 0..1 with a top-left origin.
    Each record: ``{"page", "text", "bbox": [x0, y0, x1, y1] in PDF points (top-left
    origin) or None when the string was not found, "source": "text-layer" | "supplied"}``.
    """
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    try:
        pdf = pdfium.PdfDocument(str(src), password=password)
    except pdfium.PdfiumError as exc:
        raise UnprocessableDocument(
            f"Cannot open {Path(src).name} for redaction: {exc}.",
            code="encrypted_pdf" if "password" in str(exc).lower() else "corrupt_file",
            hint="Pass the document password, or repair the file, then redact again.",
        ) from exc
    records: list[dict[str, Any]] = []
    scale = dpi / 72.0
    canvas = Canvas(str(dst), pageCompression=1, invariant=1)
    canvas.setCreator("docledger redact")
    rotations: list[int] = []
    try:
        for idx in range(len(pdf)):
            n = idx + 1
            page = pdf[idx]
            rotations.append(page.get_rotation())
            page.set_rotation(0)  # boxes and pixels in one (unrotated) frame; /Rotate restored below
            page_w, page_h = page.get_size()
            textpage = page.get_textpage()
            page_text = textpage.get_text_range()
            pt_boxes: list[Box] = []
            supplied: list[Box] = []
            redacted_chars: set[int] = set()
            for item in findings_by_page.get(n, ()):
                needle = str(item["text"]) if isinstance(item, Mapping) else str(item)
                ranges = _char_ranges(page_text, needle)
                if not ranges:
                    records.append({"page": n, "text": needle, "bbox": None, "source": "text-layer"})
                for a, b in ranges:
                    redacted_chars.update(range(a, b))
                    for box in _line_boxes(textpage, a, b, page_h):
                        pt_boxes.append(box)
                        records.append({"page": n, "text": needle, "bbox": [round(v, 2) for v in box],
                                        "source": "text-layer"})  # fmt: skip
            for needle, (fx0, fy0, fx1, fy1) in (boxes_by_page or {}).get(n, ()):
                box = (fx0 * page_w, fy0 * page_h, fx1 * page_w, fy1 * page_h)
                supplied.append(box)
                records.append({"page": n, "text": needle, "bbox": [round(v, 2) for v in box], "source": "supplied"})
            image = page.render(scale=scale).to_pil()
            pixel_boxes = [(b[0] * scale, b[1] * scale, b[2] * scale, b[3] * scale) for b in pt_boxes + supplied]
            image = redact_image(image, pixel_boxes, pad=1)
            words = []
            for word, box, a, b in _words(textpage, page_h):
                hidden = any(i in redacted_chars for i in range(a, b)) or any(_overlaps(box, r) for r in supplied)
                words.append((REDACTED if hidden else word, box))
            canvas.setPageSize((page_w, page_h))
            buf = io.BytesIO()
            image.convert("RGB").save(buf, format="JPEG", quality=85)
            buf.seek(0)
            canvas.drawImage(ImageReader(buf), 0, 0, width=page_w, height=page_h)
            _draw_text_layer(canvas, words, page_h)
            canvas.showPage()
            textpage.close()
            page.close()
        canvas.save()
    finally:
        pdf.close()
    if any(rotations):
        _restore_rotation(Path(dst), rotations)
    return records


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _restore_rotation(path: Path, rotations: list[int]) -> None:
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page, rot in zip(pdf.pages, rotations, strict=True):
            if rot:
                page.Rotate = rot
        pdf.save(path)
