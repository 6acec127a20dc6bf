"""Opening PDFs with each library, with their failures mapped to our reason codes.

pikepdf (qpdf), pypdfium2 and pdfplumber (pdfminer) each signal "wrong password" and
"unparseable" differently; callers of the media layer only ever see
``UnprocessableDocument`` with ``encrypted_pdf`` or ``corrupt_file``.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdfium2 as pdfium

from docledger.media import errors


def open_pikepdf(path: Path, password: str | None = None) -> tuple[pikepdf.Pdf | None, str]:
    """Open with qpdf (which repairs broken xref tables on open).

    Returns ``(pdf, "")`` or ``(None, reason)`` when qpdf cannot parse the file at all;
    raises ``encrypted_pdf`` when a user password is needed and not (correctly) given.
    """
    try:
        return pikepdf.open(path, password=password or ""), ""
    except pikepdf.PasswordError:
        raise errors.encrypted_pdf() from None
    except MemoryError:
        raise
    except Exception as exc:  # hostile input: any parser failure means "cannot parse"
        return None, str(exc) or type(exc).__name__


def open_pdfium(path: Path, password: str | None = None) -> pdfium.PdfDocument:
    """Open with pdfium, mapping its errors (it reports a wrong password as a load error)."""
    try:
        return pdfium.PdfDocument(path, password=password)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise errors.encrypted_pdf() from None
        raise errors.corrupt_file("PDF", str(exc)) from None


def repaired_sibling(path: Path, directory: Path | None = None) -> Path:
    """Where a repaired copy of ``path`` goes: ``directory`` or next to the original."""
    return (directory or path.parent) / f"{path.stem}.repaired.pdf"


def rebuild_with_pdfium(path: Path, password: str | None, dest: Path) -> str:
    """Last resort when qpdf cannot parse: pdfium's own recovery, saved as a new file.

    Returns pdfium's complaint, or ``""`` when ``dest`` was written, so that a final
    ``corrupt_file`` can quote what both parsers said.
    """
    try:
        doc = pdfium.PdfDocument(path, password=password)
    except pdfium.PdfiumError as exc:
        return str(exc)
    try:
        if len(doc) == 0:
            return "no pages"
        with dest.open("wb") as out:
            doc.save(out)
        return ""
    except (pdfium.PdfiumError, OSError) as exc:
        return str(exc)
    finally:
        doc.close()
