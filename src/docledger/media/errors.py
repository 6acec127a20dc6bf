"""The terminal failures the media layer reports, with one wording per reason code.

Each reason code is stable: the ledger stores it, the API returns it and the UI filters
on it. The message says what is wrong with the document; the hint says what the person
who submitted it can do about it.
"""

from __future__ import annotations

from docledger.exceptions import UnprocessableDocument

ENCRYPTED_PDF = "encrypted_pdf"
CORRUPT_FILE = "corrupt_file"
TOO_MANY_PAGES = "too_many_pages"
IMAGE_TOO_LARGE = "image_too_large"

#: Every code the media layer raises (see also ``empty_file`` / ``unsupported_media_type``,
#: which the classify stage derives from :func:`docledger.media.sniff.sniff`).
REASON_CODES = frozenset({ENCRYPTED_PDF, CORRUPT_FILE, TOO_MANY_PAGES, IMAGE_TOO_LARGE})


def encrypted_pdf() -> UnprocessableDocument:
    return UnprocessableDocument(
        "The PDF is password-protected, so its pages cannot be read.",
        code=ENCRYPTED_PDF,
        hint="Re-submit an unencrypted copy or supply the password.",
    )


def corrupt_file(what: str, detail: str) -> UnprocessableDocument:
    """``what`` names the format ("PDF", "image", "XML"); ``detail`` is the parser's complaint."""
    detail = " ".join(detail.split())[:300]
    return UnprocessableDocument(
        f"The {what} is damaged and could not be read or repaired ({detail}).",
        code=CORRUPT_FILE,
        hint="Export or scan the document again from its source and re-submit it.",
    )


def too_many_pages(count: int, limit: int, unit: str = "pages") -> UnprocessableDocument:
    return UnprocessableDocument(
        f"The document has {count} {unit}; the limit is {limit}.",
        code=TOO_MANY_PAGES,
        hint=f"Split it into parts of at most {limit} {unit}, or ask an administrator to raise the limit.",
    )


def image_too_large(pixels: int, limit: int, size: tuple[int, int] | None = None) -> UnprocessableDocument:
    shape = f"{size[0]}x{size[1]} pixels, " if size else ""
    return UnprocessableDocument(
        f"The image is too large to process safely ({shape}{pixels:,} pixels; the limit is {limit:,}).",
        code=IMAGE_TOO_LARGE,
        hint="Re-scan at a lower resolution (300 dpi is enough for OCR) and re-submit it.",
    )
