"""Media-type sniffing from real file bytes (made here with Pillow, reportlab and zipfile)."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from docledger.media.sniff import FAMILIES, SNIFF_BYTES, MediaInfo, media_type_from_name, sniff


def _image_bytes(fmt: str, **save: object) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buf, format=fmt, **save)
    return buf.getvalue()


def _pdf_bytes() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, "Hello")
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("PNG", "image/png"),
        ("JPEG", "image/jpeg"),
        ("TIFF", "image/tiff"),
        ("BMP", "image/bmp"),
        ("WEBP", "image/webp"),
        ("GIF", "image/gif"),
    ],
)
def test_real_images_are_sniffed_by_their_bytes(fmt: str, media_type: str) -> None:
    assert sniff(_image_bytes(fmt)) == MediaInfo(media_type, "image")


def test_big_endian_tiff() -> None:
    data = _image_bytes("TIFF")
    assert data[:2] == b"II"
    assert sniff(b"MM\x00*" + data[4:]).media_type == "image/tiff"


def test_pdf_including_junk_before_the_header() -> None:
    pdf = _pdf_bytes()
    assert sniff(pdf) == MediaInfo("application/pdf", "pdf")
    # Mail gateways and old scanners prepend bytes; readers accept a header within 1 KiB.
    assert sniff(b"X-Junk: 1\r\n" * 50 + pdf).family == "pdf"
    assert sniff(b"\x00" * 2000 + pdf).family != "pdf"


def test_empty_and_binary() -> None:
    assert sniff(b"").family == "empty"
    assert sniff(bytes(range(256)) * 4) == MediaInfo("application/octet-stream", "unknown")


@pytest.mark.parametrize(
    "doc",
    [
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Invoice><ID>1</ID></Invoice>',
        b"\n\n   <ClinicalDocument xmlns='urn:hl7-org:v3'/>",
        b"<!-- exported --><hl7:Message xmlns:hl7='urn:hl7-org:v3'/>",
        "\ufeff<root>caf\u00e9</root>".encode(),
    ],
)
def test_xml_documents(doc: bytes) -> None:
    info = sniff(doc)
    assert (info.media_type, info.family, info.charset) == ("application/xml", "xml", "utf-8")


def test_utf16_xml_with_and_without_bom() -> None:
    doc = '<?xml version="1.0" encoding="UTF-16"?><r>x</r>'
    assert sniff(doc.encode("utf-16")) == MediaInfo("application/xml", "xml", "utf-16-le")
    assert sniff(doc.encode("utf-16-be")) == MediaInfo("application/xml", "xml", "utf-16-be")


@pytest.mark.parametrize(
    "doc",
    [
        b"<!DOCTYPE html>\n<html><body>Statement</body></html>",
        b"<html lang='en'><head><title>x</title></head></html>",
        b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x"><html/>',
    ],
)
def test_html_is_not_xml(doc: bytes) -> None:
    assert sniff(doc) == MediaInfo("text/html", "unknown", "utf-8")


def test_plain_text_but_not_binary_lookalikes() -> None:
    assert sniff("Patient: Jos\u00e9 N\u00fa\u00f1ez\n< 5 mg b.i.d.\n".encode()) == MediaInfo(
        "text/plain", "text", "utf-8"
    )
    assert sniff(b"BMW lease agreement\n").family == "text"  # "BM" is not a bitmap by itself
    assert sniff(b"a < b and c > d").family == "text"  # a "<" that opens no tag
    assert sniff(b"text with a NUL \x00 inside").family == "unknown"
    assert sniff("caf\u00e9".encode("latin-1")).family == "unknown"  # not UTF-8


def test_multibyte_character_cut_at_the_sniff_boundary_is_still_text() -> None:
    data = b"a" * (SNIFF_BYTES - 1) + "\u00e9 and more".encode()
    assert data[SNIFF_BYTES - 1 : SNIFF_BYTES] == b"\xc3"
    assert sniff(data).family == "text"


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), "x")
    return buf.getvalue()


def test_zip_and_office_containers() -> None:
    assert sniff(_zip("data.csv")) == MediaInfo("application/zip", "unknown")
    docx = sniff(_zip("[Content_Types].xml", "word/document.xml"))
    assert docx.media_type.endswith("wordprocessingml.document")
    assert docx.family == "unknown"
    assert sniff(_zip("[Content_Types].xml", "xl/workbook.xml")).media_type.endswith("spreadsheetml.sheet")


def test_phone_photo_containers_are_named_but_unsupported() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    assert sniff(heic) == MediaInfo("image/heic", "unknown")
    assert sniff(b"\x00\x00\x00\x1cftypavif" + b"\x00" * 16).media_type == "image/avif"


def test_families_are_a_closed_set() -> None:
    samples = [b"", _pdf_bytes(), _image_bytes("PNG"), b"<a/>", b"hi", _zip("a"), b"\x7fELF\x02"]
    assert {sniff(s).family for s in samples} == set(FAMILIES)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("statement.PDF", "application/pdf"),
        ("C:\\scans\\receipt.jpeg", "image/jpeg"),
        ("fax.tif", "image/tiff"),
        ("report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("claim.xml", "application/xml"),
        ("README", None),
        (".bashrc", None),
    ],
)
def test_media_type_from_name(name: str, expected: str | None) -> None:
    assert media_type_from_name(name) == expected


def test_name_never_changes_what_the_bytes_say() -> None:
    png = _image_bytes("PNG")
    assert media_type_from_name("statement.pdf") == "application/pdf"
    assert sniff(png).media_type == "image/png"
