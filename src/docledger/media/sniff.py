"""Media-type detection from bytes.

A regulated pipeline must not trust a file's name: ``statement.pdf`` may hold PNG bytes,
``report.docx`` may be any zip. :func:`sniff` looks only at the first bytes of the content
(magic numbers), and :func:`media_type_from_name` says what the name *claims*, so the
registry can record a mismatch without acting on it.
"""

from __future__ import annotations

import codecs
import mimetypes
import re
from dataclasses import dataclass
from pathlib import PurePath

#: How many leading bytes :func:`sniff` looks at.
SNIFF_BYTES = 8192
#: Real PDF readers (Acrobat, pdfium) accept junk before the header within the first 1 KiB.
PDF_HEADER_WINDOW = 1024

FAMILIES = ("pdf", "image", "xml", "text", "unknown", "empty")


@dataclass(frozen=True)
class MediaInfo:
    """What the bytes are.

    ``family`` is what routing needs (pdf → text extraction/OCR, image → OCR, xml → XML
    pipeline, text, unknown → unsupported, empty → empty_file). ``charset`` is set for
    text and XML when a byte-order mark or UTF-8 validity tells it.
    """

    media_type: str
    family: str
    charset: str | None = None


_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"II+\x00", "image/tiff"),  # BigTIFF
    (b"MM\x00+", "image/tiff"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)

# Formats we recognise only to name them in an "unsupported" message.
_OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "application/gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # legacy .doc/.xls/.msg
    (b"{\\rtf", "application/rtf"),
    (b"%!PS", "application/postscript"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "image/jp2"),
    (b"\xff\x4f\xff\x51", "image/jp2"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"\x7fELF", "application/x-executable"),
    (b"MZ", "application/x-msdownload"),
)

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OOXML = (
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
# BMP DIB header sizes (core, v2..v5 info headers); "BM" alone matches ordinary text.
_BMP_DIB_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}
_HTML_ROOTS = re.compile(rb"<(!doctype\s+html|html|head|body)[\s>/]", re.I)
_XML_START = re.compile(rb"<(\?xml[\s?]|!--|!doctype\s|[A-Za-z_][\w.\-]*(:[A-Za-z_][\w.\-]*)?[\s>/])", re.I)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def sniff(data: bytes) -> MediaInfo:
    """Detect the media type of ``data`` from its leading bytes only.

    Never raises: bytes we cannot name are ``application/octet-stream`` (family ``unknown``).
    Order matters: binary signatures first, then markup, then plain text, because valid
    UTF-8 is the weakest evidence.
    """
    head = bytes(data[:SNIFF_BYTES])
    if not head:
        return MediaInfo("application/x-empty", "empty")
    pdf_at = head.find(b"%PDF-", 0, PDF_HEADER_WINDOW + 5)
    if pdf_at != -1:
        return MediaInfo("application/pdf", "pdf")
    for magic, media_type in _IMAGE_MAGIC:
        if head.startswith(magic):
            return MediaInfo(media_type, "image")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaInfo("image/webp", "image")
    if _is_bmp(head):
        return MediaInfo("image/bmp", "image")
    if head[4:8] == b"ftyp":  # ISO media: phone photos (HEIC/AVIF) are common uploads we cannot decode
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"mif1", b"msf1"):
            return MediaInfo("image/heic", "unknown")
        return MediaInfo("image/avif" if brand in (b"avif", b"avis") else "video/mp4", "unknown")
    if head.startswith(_ZIP_MAGIC):
        return MediaInfo(_zip_flavour(head), "unknown")
    for magic, media_type in _OTHER_MAGIC:
        if head.startswith(magic):
            return MediaInfo(media_type, "unknown")
    return _sniff_text(head, truncated=len(data) > SNIFF_BYTES)


def _is_bmp(head: bytes) -> bool:
    if len(head) < 18 or not head.startswith(b"BM"):
        return False
    return int.from_bytes(head[14:18], "little") in _BMP_DIB_SIZES


def _zip_flavour(head: bytes) -> str:
    """Name common zip-based office formats from the member names near the start."""
    if head[30:38] == b"mimetype":
        odf = re.match(rb"application/vnd\.oasis\.opendocument\.[a-z.\-]+", head[38:120])
        if odf:
            return odf.group(0).decode("ascii")
    if b"[Content_Types].xml" in head or any(marker in head for marker, _ in _OOXML):
        for marker, media_type in _OOXML:
            if marker in head:
                return media_type
    return "application/zip"


def _decode_head(head: bytes, truncated: bool) -> tuple[str, str] | None:
    """Decode the sniffed prefix as text, or ``None`` when it is not text."""
    charset = "utf-8"
    body = head
    for bom, name in _BOMS:
        if head.startswith(bom):
            charset, body = name, head[len(bom) :]
            break
    else:
        # UTF-16 XML without a BOM still starts with "<" and a NUL byte.
        if head.startswith(b"<\x00") and b"\x00\x00" not in head[:8]:
            charset = "utf-16-le"
        elif head.startswith(b"\x00<") and b"\x00\x00" not in head[:8]:
            charset = "utf-16-be"
    decoder = codecs.getincrementaldecoder(charset)("strict")
    try:
        # final=False: a multi-byte character cut at the sniff boundary is not an error.
        text = decoder.decode(body, final=not truncated)
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b")
    if text and controls / len(text) > 0.01:
        return None
    return text, ("utf-8" if charset == "utf-8" else charset)


def _sniff_text(head: bytes, *, truncated: bool) -> MediaInfo:
    decoded = _decode_head(head, truncated)
    if decoded is None:
        return MediaInfo("application/octet-stream", "unknown")
    text, charset = decoded
    stripped = text.lstrip("\ufeff \t\r\n").encode("utf-8")
    if stripped.startswith(b"<"):
        if _HTML_ROOTS.match(_skip_prolog(stripped)):
            return MediaInfo("text/html", "unknown", charset)
        if _XML_START.match(stripped):
            if re.match(rb"<svg[\s>]", _skip_prolog(stripped)):
                return MediaInfo("image/svg+xml", "xml", charset)
            return MediaInfo("application/xml", "xml", charset)
    return MediaInfo("text/plain", "text", charset)


def _skip_prolog(doc: bytes) -> bytes:
    """Skip the XML declaration, comments and processing instructions to reach the first tag."""
    rest = doc
    while True:
        rest = rest.lstrip()
        if rest.startswith(b"<?"):
            end = rest.find(b"?>")
        elif rest.startswith(b"<!--"):
            end = rest.find(b"-->")
        else:
            return rest
        if end == -1:
            return rest
        rest = rest[end + 2 :].lstrip(b">")


_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".jfif": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".bmp": "image/bmp",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".htm": "text/html",
    ".html": "text/html",
    ".json": "application/json",
    ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".rtf": "application/rtf",
    ".gz": "application/gzip",
}


def media_type_from_name(name: str) -> str | None:
    """The media type a file name's extension claims, or ``None`` when it claims nothing.

    Used only to record a name/content mismatch; routing always follows :func:`sniff`.
    A fixed table keeps the answer the same on every machine (``mimetypes`` reads
    ``/etc/mime.types``); other extensions fall back to ``mimetypes``' built-in table.
    """
    suffix = PurePath(name.replace("\\", "/")).suffix.lower()
    if not suffix:
        return None
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    guessed, _ = mimetypes.MimeTypes().guess_type("x" + suffix, strict=True)
    return guessed
