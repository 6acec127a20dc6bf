"""PDF inspection: pages, encryption, damage, and which pages carry a usable text layer.

The classify stage calls :func:`inspect_pdf` to route each page either to text
extraction (:func:`extract_pdf_text`) or to OCR, and to fail a document early with a
clear reason (``encrypted_pdf``, ``corrupt_file``, ``too_many_pages``) instead of
leaving it stuck in progress.

Encryption decision: a PDF that opens *without* a password (an empty user password,
with an owner password that only restricts printing/copying) is not an error. Its pages
are readable, every mainstream viewer shows them, and the restriction flags protect the
author's layout, not the reader's access. Such a file is processed normally and
``PdfInfo.encrypted`` is recorded as True so the ledger can show it. Only a PDF that
needs a user password we were not given fails with ``encrypted_pdf``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from docledger.exceptions import UnprocessableDocument
from docledger.media import errors
from docledger.media.pdfforms import acroform_fields
from docledger.media.pdfopen import open_pdfium, open_pikepdf, rebuild_with_pdfium, repaired_sibling
from docledger.media.pdftext import PageContent, extract_pdf_text
from docledger.media.textlayer import MIN_TEXT_CHARS, assess_text

__all__ = ["PdfInfo", "PageContent", "inspect_pdf", "extract_pdf_text", "acroform_fields"]

log = logging.getLogger(__name__)

DEFAULT_MAX_PAGES = 2000


@dataclass
class PdfInfo:
    """What :func:`inspect_pdf` found. Lists are indexed by page (0-based; page n is ``[n-1]``).

    ``chars`` counts the visible (non-blank) characters of each page's text layer.
    ``working_path`` is the file later stages should read: the repaired copy when there is
    one, else the original. ``notes`` holds qpdf's repair messages and per-page failures,
    for the document's timeline.
    """

    pages: int
    encrypted: bool
    repaired: bool
    repaired_path: Path | None
    text_layer: list[bool]
    chars: list[int]
    page_sizes: list[tuple[float, float]]
    has_acroform: bool
    producer: str | None
    working_path: Path
    text_layer_reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def pages_needing_ocr(self) -> list[int]:
        """1-based numbers of the pages without a usable text layer."""
        return [n for n, ok in enumerate(self.text_layer, start=1) if not ok]

    @property
    def is_scanned(self) -> bool:
        """True when no page has a usable text layer (the whole document goes to OCR)."""
        return not any(self.text_layer)


def inspect_pdf(
    path: Path,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    password: str | None = None,
    min_chars: int = MIN_TEXT_CHARS,
    repair_dir: Path | None = None,
) -> PdfInfo:
    """Inspect a PDF; when qpdf had to fix it, write the repaired copy for later stages.

    The copy goes to ``repair_dir`` (default: the input's own directory, i.e. the stage's
    working directory) as ``<stem>.repaired.pdf``. Pass a scratch directory when the input
    lives somewhere that must not be written to.

    Raises ``UnprocessableDocument`` with code ``encrypted_pdf`` (user password needed),
    ``corrupt_file`` (neither qpdf nor pdfium can parse it, or it has no pages) or
    ``too_many_pages`` (more than ``max_pages``).
    """
    path = Path(path)
    notes: list[str] = []
    repaired_path: Path | None = None
    repair_target = repaired_sibling(path, repair_dir)
    pdf, qpdf_error = open_pikepdf(path, password)
    if pdf is None:
        repaired_path = repair_target
        pdfium_error = rebuild_with_pdfium(path, password, repaired_path)
        if pdfium_error:
            repaired_path.unlink(missing_ok=True)
            raise errors.corrupt_file("PDF", f"qpdf: {qpdf_error}; pdfium: {pdfium_error}")
        notes.append(f"qpdf could not parse the file ({qpdf_error}); rebuilt with pdfium")
        pdf, qpdf_error = open_pikepdf(repaired_path, password)
        if pdf is None:
            repaired_path.unlink(missing_ok=True)
            raise errors.corrupt_file("PDF", f"qpdf: {qpdf_error}")
    with pdf:
        encrypted, producer, has_acroform = _describe(pdf)
        qpdf_warnings = [str(w) for w in pdf.get_warnings()]
        if qpdf_warnings and repaired_path is None:
            repaired_path = repair_target
            try:
                if "/Size" not in pdf.trailer:
                    # A trailer rebuilt by recovery can lack /Size, and qpdf then writes a file
                    # that is itself "damaged"; with the key present qpdf computes the value.
                    pdf.trailer.Size = len(pdf.objects) + 1
                pdf.save(repaired_path)
            except Exception as exc:  # qpdf may find more damage while writing; or no disk space
                if isinstance(exc, MemoryError):
                    raise
                repaired_path.unlink(missing_ok=True)
                repaired_path = None
                notes.append(f"could not write a repaired copy: {exc}")
        notes.extend(qpdf_warnings[:20])
    working = repaired_path or path
    info = PdfInfo(
        pages=0,
        encrypted=encrypted,
        repaired=repaired_path is not None,
        repaired_path=repaired_path,
        text_layer=[],
        chars=[],
        page_sizes=[],
        has_acroform=has_acroform,
        producer=producer,
        working_path=working,
        notes=notes,
    )
    try:
        _read_pages(info, password, max_pages=max_pages, min_chars=min_chars)
    except UnprocessableDocument:
        if repaired_path is not None:
            repaired_path.unlink(missing_ok=True)  # a refused document leaves nothing behind
        raise
    return info


def _describe(pdf: pikepdf.Pdf) -> tuple[bool, str | None, bool]:
    """Encryption flag, producer and whether there are AcroForm fields; never raises."""
    encrypted = bool(pdf.is_encrypted)
    producer: str | None = None
    try:
        info = pdf.trailer.get("/Info")  # not pdf.docinfo, which creates a missing /Info
        raw = info.get("/Producer") if isinstance(info, pikepdf.Dictionary) else None
        if raw is not None:
            producer = " ".join(str(raw).split())[:200] or None
    except Exception:  # a damaged Info dictionary must not fail the document
        producer = None
    try:
        acroform = pdf.Root.get("/AcroForm")
        fields = acroform.get("/Fields") if isinstance(acroform, pikepdf.Dictionary) else None
        has_acroform = isinstance(fields, pikepdf.Array) and len(fields) > 0
    except Exception:
        has_acroform = False
    return encrypted, producer, has_acroform


def _read_pages(info: PdfInfo, password: str | None, *, max_pages: int, min_chars: int) -> None:
    """Fill the per-page lists from pdfium (fast, and tolerant of odd fonts)."""
    doc = open_pdfium(info.working_path, password)
    try:
        count = len(doc)
        if count == 0:
            raise errors.corrupt_file("PDF", "the document has no pages")
        if count > max_pages:
            raise errors.too_many_pages(count, max_pages)
        info.pages = count
        for index in range(count):
            size, text, coverage = _page_text(doc, index, info.notes)
            quality = assess_text(text, min_chars=min_chars, image_coverage=coverage)
            info.page_sizes.append(size)
            info.chars.append(quality.chars)
            info.text_layer.append(quality.usable)
            info.text_layer_reasons.append(quality.reason)
    finally:
        doc.close()


def _page_text(doc: pdfium.PdfDocument, index: int, notes: list[str]) -> tuple[tuple[float, float], str, float]:
    """Size, raw text and image coverage of one page; a broken page is noted, not raised."""
    try:
        page = doc[index]
    except pdfium.PdfiumError as exc:
        notes.append(f"page {index + 1}: could not be loaded ({exc})")
        return (0.0, 0.0), "", 1.0
    try:
        width, height = page.get_size()
        size = (round(float(width), 2), round(float(height), 2))
        coverage = _image_coverage(page, width * height)
        try:
            textpage = page.get_textpage()
        except pdfium.PdfiumError as exc:
            notes.append(f"page {index + 1}: text could not be read ({exc})")
            return size, "", coverage
        try:
            return size, textpage.get_text_range(), coverage
        finally:
            textpage.close()
    finally:
        page.close()


def _image_coverage(page: pdfium.PdfPage, area: float, limit: int = 500) -> float:
    """Share of the page covered by image objects (summed, capped at 1; 1 when unknown)."""
    if area <= 0:
        return 1.0
    covered = 0.0
    try:
        for count, obj in enumerate(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3)):
            if count >= limit:
                return 1.0
            left, bottom, right, top = obj.get_bounds()
            covered += max(0.0, right - left) * max(0.0, top - bottom)
    except pdfium.PdfiumError:
        return 1.0
    return min(1.0, covered / area)
