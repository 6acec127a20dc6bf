"""Text, words and tables of digital PDF pages.

Two libraries, each for what it does best: pdfium gives the page text in the order the
producer wrote it (which is the reading order for virtually all generated documents)
and handles odd fonts well; pdfplumber gives word boxes and ruled tables. A page where
pdfplumber fails still gets its text, with a note, so one odd page never loses the
document (partial success rather than an exception).
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium

from docledger.exceptions import InvalidRequest
from docledger.media.pdfopen import open_pdfium

log = logging.getLogger(__name__)

#: A vertical gap between two lines larger than this share of the line height starts a
#: new paragraph (normal leading leaves about 0.2; a blank line about 1.2).
PARAGRAPH_GAP = 0.6


@dataclass
class PageContent:
    """One page's content. Coordinates are PDF points with the origin at the top-left.

    ``words`` items are ``{"text": str, "bbox": [x0, y0, x1, y1]}``; ``tables`` are rows
    of cell strings (empty cells are ``""``). ``notes`` says what could not be extracted.
    """

    page: int
    text: str
    width: float
    height: float
    tables: list[list[list[str]]] = field(default_factory=list)
    words: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def extract_pdf_text(path: Path, pages: list[int] | None = None, *, password: str | None = None) -> list[PageContent]:
    """Extract text (reading order), words with boxes and tables from the given 1-based pages.

    ``pages=None`` means all pages. Raises ``UnprocessableDocument`` (``encrypted_pdf``,
    ``corrupt_file``) when the file cannot be opened, and ``InvalidRequest``
    (``page_out_of_range``) for a page number the document does not have.
    """
    path = Path(path)
    doc = open_pdfium(path, password)
    try:
        count = len(doc)
        wanted = list(range(1, count + 1)) if pages is None else list(pages)
        for number in wanted:
            if not 1 <= number <= count:
                raise InvalidRequest(
                    f"Page {number} does not exist; the PDF has {count} pages.",
                    code="page_out_of_range",
                    hint=f"Ask for pages 1 to {count}.",
                )
        results = [_pdfium_page(doc, number) for number in wanted]
    finally:
        doc.close()
    _add_layout(path, password, results)
    return results


def _pdfium_page(doc: pdfium.PdfDocument, number: int) -> PageContent:
    try:
        page = doc[number - 1]
    except pdfium.PdfiumError as exc:
        return PageContent(number, "", 0.0, 0.0, notes=[f"page could not be loaded: {exc}"])
    try:
        width, height = page.get_size()
        content = PageContent(number, "", round(float(width), 2), round(float(height), 2))
        try:
            textpage = page.get_textpage()
        except pdfium.PdfiumError as exc:
            content.notes.append(f"text could not be read: {exc}")
            return content
        try:
            content.text = page_text(textpage)
        finally:
            textpage.close()
        return content
    finally:
        page.close()


def page_text(textpage: pdfium.PdfTextPage) -> str:
    """The page text with ``\\n`` line breaks and a blank line between paragraphs.

    pdfium separates lines with ``\\r\\n`` but not paragraphs; sentence splitting and
    section detection downstream need the paragraph breaks, so a line that starts well
    below the previous one (or jumps back up, as at a new column) opens a paragraph.
    """
    raw = textpage.get_text_range()
    lines = raw.split("\r\n")
    if len(lines) < 2 or len(raw) != textpage.count_chars():
        # Characters outside the BMP make pdfium's indexes disagree with Python's; keep it simple.
        return _normalise(raw)
    boxes = list(_line_boxes(textpage, lines))
    heights = [top - bottom for top, bottom in boxes if top > bottom]
    if not heights:
        return _normalise(raw)
    typical_height = statistics.median(heights)
    # Double-spaced pages step by a large gap on every line; a paragraph gap is one that is
    # large compared with the page's usual line-to-line gap, not only with the font size.
    steps = [a[1] - b[0] for a, b in pairwise(boxes) if a[0] > a[1] and b[0] > b[1] and a[1] >= b[0]]
    typical_gap = statistics.median(steps) if steps else 0.0
    out: list[str] = []
    previous: tuple[float, float] | None = None
    for line, box in zip(lines, boxes, strict=True):
        if previous is not None and box[0] > box[1]:
            gap = previous[1] - box[0]  # bottom of the line above minus top of this one
            height = max(typical_height, min(previous[0] - previous[1], box[0] - box[1]))
            new_paragraph = gap > max(PARAGRAPH_GAP * height, typical_gap + PARAGRAPH_GAP * height)
            if new_paragraph or gap < -1.5 * height:
                out.append("")
        out.append(line)
        if box[0] > box[1]:
            previous = box
    return _normalise("\n".join(out))


def _line_boxes(textpage: pdfium.PdfTextPage, lines: list[str]) -> Iterable[tuple[float, float]]:
    """(top, bottom) of each line in PDF space (y up), from the loose (font-height) char boxes."""
    index = 0
    for line in lines:
        top, bottom = float("-inf"), float("inf")
        for offset, ch in enumerate(line):
            if ch.isspace():
                continue
            _, y0, _, y1 = textpage.get_charbox(index + offset, loose=True)
            top, bottom = max(top, y1), min(bottom, y0)
        yield (top, bottom) if top > bottom else (0.0, 0.0)
        index += len(line) + 2


def _normalise(text: str) -> str:
    """Unix line breaks, no padding; pdfium's U+FFFE/U+0002 mark a printed end-of-line hyphen."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = text.replace("\ufffe", "-").replace("\x02", "-")
    return "\n".join(line.strip() for line in text.split("\n")).strip("\n")


def _add_layout(path: Path, password: str | None, results: list[PageContent]) -> None:
    """Words and tables from pdfplumber; a failure is noted on the page, never raised."""
    try:
        plumber = pdfplumber.open(path, password=password or "")
    except Exception as exc:  # pdfminer rejects some files pdfium reads; text is still good
        if isinstance(exc, MemoryError):
            raise
        reason = str(exc) or type(exc).__name__
        log.info("pdfplumber could not open %s: %s", path, reason)
        for content in results:
            content.notes.append(f"words and tables unavailable: {reason}")
        return
    with plumber:
        for content in results:
            try:
                page = plumber.pages[content.page - 1]
            except Exception as exc:
                if isinstance(exc, MemoryError):
                    raise
                content.notes.append(f"words and tables unavailable: {exc or type(exc).__name__}")
                continue
            try:
                _plumber_page(page, content)
            finally:
                page.close()


def _plumber_page(page: Any, content: PageContent) -> None:
    if not content.width:
        content.width, content.height = round(float(page.width), 2), round(float(page.height), 2)
    try:
        content.words = [
            {"text": w["text"], "bbox": [round(float(w[k]), 2) for k in ("x0", "top", "x1", "bottom")]}
            for w in page.extract_words()
        ]
    except Exception as exc:
        if isinstance(exc, MemoryError):
            raise
        content.notes.append(f"words unavailable: {exc or type(exc).__name__}")
    try:
        content.tables = [[[_cell(cell) for cell in row] for row in table] for table in page.extract_tables()]
    except Exception as exc:
        if isinstance(exc, MemoryError):
            raise
        content.notes.append(f"tables unavailable: {exc or type(exc).__name__}")


def _cell(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())
