"""Searchable PDF: the page images with OUR engine's words as an invisible text layer.

Why our own layer and not ``ocrmypdf`` on an image PDF: ocrmypdf would OCR the page again with
tesseract, so the searchable text could differ from the words docledger extracted, indexed and
cited in the lineage (and RapidOCR's words would never reach the PDF). Here each word is drawn
with reportlab in text render mode 3 (invisible), horizontally scaled to its OCR box, so search
hits and copy-paste land exactly on the words in the JSON output.

PDF/A-2b: the layer uses the embedded DejaVuSans font (Unicode, embeddable; reportlab's default
Helvetica is not embedded) and the file is then passed through ocrmypdf with ``skip_text`` and
its ``internal`` PDF/A backend, which adds the XMP/OutputIntent and validates the result without
running OCR (~0.2 s). Ghostscript 10.0.0 (Debian 12) corrupts PDFs that already have text, so it
is never used here. If the conversion is refused, the plain PDF is kept and the result says so.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from docledger.exceptions import DocledgerError
from docledger.ocr.types import Line, PageOcr

log = logging.getLogger(__name__)
FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_NAME = "DejaVuSans"
DEFAULT_DPI = 200.0


@dataclass
class SearchablePdf:
    path: Path
    pages: int
    pdfa: bool
    note: str = ""


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    if not FONT_PATH.exists():
        raise DocledgerError(
            f"Font {FONT_PATH} is missing; it is needed for the invisible text layer.",
            code="font_missing",
            hint="Install the Debian package fonts-dejavu-core.",
        )
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    return FONT_NAME


def _dpi(image: Image.Image) -> float:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else DEFAULT_DPI
    except (TypeError, ValueError, IndexError):
        value = DEFAULT_DPI
    return value if 30 <= value <= 1200 else DEFAULT_DPI


def _draw_line(canvas: object, line: Line, k: float, sx: float, sy: float, page_h: float, font: str) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    words = sorted(line.words, key=lambda w: w.bbox[0])
    if not words:
        return
    heights = sorted((w.bbox[3] - w.bbox[1]) * sy for w in words)
    height_pt = heights[len(heights) // 2] * k
    size = max(1.0, height_pt * 0.85)
    text = canvas.beginText()  # type: ignore[attr-defined]
    text.setTextRenderMode(3)
    text.setFont(font, size)
    for i, word in enumerate(words):
        last = i == len(words) - 1
        chunk = word.text if last else word.text + " "
        x0 = word.bbox[0] * sx * k
        x_end = (word.bbox[2] if last else words[i + 1].bbox[0]) * sx * k
        baseline = page_h - (word.bbox[3] * sy * k) + 0.18 * height_pt
        natural = stringWidth(chunk, font, size)
        text.setTextOrigin(x0, baseline)
        text.setHorizScale(max(1.0, 100.0 * (x_end - x0) / natural) if natural > 0 else 100.0)
        text.textOut(chunk)
    canvas.drawText(text)  # type: ignore[attr-defined]


def _write_plain(images: Sequence[Image.Image], pages: Sequence[PageOcr], out: Path) -> None:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    font = _font()
    canvas = Canvas(str(out), invariant=1, initialFontName=font, pageCompression=1)
    canvas.setCreator("docledger")
    for image, page in zip(images, pages, strict=True):
        k = 72.0 / _dpi(image)
        width_pt, height_pt = image.width * k, image.height * k
        canvas.setPageSize((width_pt, height_pt))
        rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
        canvas.drawImage(ImageReader(rgb), 0, 0, width_pt, height_pt)
        sx = image.width / page.width if page.width else 1.0
        sy = image.height / page.height if page.height else 1.0
        for line in page.lines:
            _draw_line(canvas, line, k, sx, sy, height_pt, font)
        canvas.showPage()
    canvas.save()


def _to_pdfa(src: Path, out: Path) -> str:
    import ocrmypdf
    import pikepdf

    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:  # reportlab writes /Trans, which the PDF/A validator does not check
            if "/Trans" in page.obj:
                del page.obj["/Trans"]
        pdf.save(src)
    try:
        ocrmypdf.ocr(src, out, skip_text=True, output_type="pdfa-2", pdfa_backend="internal", progress_bar=False)
    except ocrmypdf.exceptions.ExitCodeException as exc:
        return f"PDF/A conversion refused ({type(exc).__name__}: {exc}); plain PDF kept"
    return ""


def make_searchable_pdf(
    images: Sequence[Image.Image], pages: Sequence[PageOcr], out: Path, *, pdfa: bool = True
) -> SearchablePdf:
    """Write ``out``: one PDF page per image, with the OCR words of ``pages`` invisible on top.

    Each PageOcr must be in the coordinates of its image (or of a resized copy: boxes are scaled
    by image size / page size). Page size follows the image DPI (``info['dpi']``, else 200).
    """
    if len(images) != len(pages):
        raise ValueError(f"{len(images)} images but {len(pages)} OCR pages")
    out = Path(out)
    if not pdfa:
        _write_plain(images, pages, out)
        return SearchablePdf(out, len(images), pdfa=False)
    with tempfile.TemporaryDirectory(prefix="docledger-pdf-") as tmp:
        plain = Path(tmp) / "plain.pdf"
        _write_plain(images, pages, plain)
        converted = Path(tmp) / "pdfa.pdf"
        note = _to_pdfa(plain, converted)
        if note:
            log.warning("searchable PDF %s: %s", out.name, note)
            shutil.copyfile(plain, out)
            return SearchablePdf(out, len(images), pdfa=False, note=note)
        shutil.copyfile(converted, out)
    return SearchablePdf(out, len(images), pdfa=True)
