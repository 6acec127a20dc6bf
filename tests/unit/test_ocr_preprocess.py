"""Input limits, PDF rendering, orientation, deskew and mapping boxes back to the original."""

from __future__ import annotations

import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from docledger.exceptions import UnprocessableDocument
from docledger.ocr import analyze_page, get_engine, load_image_pages, render_pdf_page
from docledger.ocr.preprocess import estimate_skew, normalize

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TEXT = ["The quarterly statement lists", "every payment received by the", "bank during March and April."]


def _page() -> Image.Image:
    font = ImageFont.truetype(FONT, 26)
    image = Image.new("L", (620, 230), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(TEXT):
        draw.text((30, 30 + 60 * i), line, font=font, fill=0)
    return image


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_huge_png_header_is_refused_without_allocating(tmp_path: Path) -> None:
    path = tmp_path / "poster.png"
    path.write_bytes(_png_header(30000, 30000))
    tracemalloc.start()
    with pytest.raises(UnprocessableDocument) as info:
        next(load_image_pages(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert info.value.code == "image_too_large"
    assert "30000 x 30000" in info.value.message or "too large" in info.value.message
    assert info.value.hint and "resolution" in info.value.hint
    assert peak < 5_000_000  # decoding would need 900 MB


def test_multipage_tiff_yields_frames_one_by_one_and_frame_limit(tmp_path: Path) -> None:
    path = tmp_path / "scan.tif"
    frames = [Image.new("L", (50, 40), 255 - 60 * i) for i in range(3)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    pages = load_image_pages(path)
    first = next(pages)
    assert first.size == (50, 40) and first.getpixel((0, 0)) == 255
    assert [p.getpixel((0, 0)) for p in pages] == [195, 135]
    with pytest.raises(UnprocessableDocument) as info:
        list(load_image_pages(path, max_frames=2))
    assert info.value.code == "too_many_frames"


def test_corrupt_image_has_a_reason_code(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(UnprocessableDocument) as info:
        list(load_image_pages(path))
    assert info.value.code == "corrupt_image"


def test_render_pdf_page_and_tiny_page_refused(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "two.pdf"
    canvas = Canvas(str(path), pagesize=(144, 72))
    canvas.drawString(10, 30, "Hello")
    canvas.showPage()
    canvas.setPageSize((5, 5))
    canvas.showPage()
    canvas.save()
    image = render_pdf_page(path, 0, dpi=100)
    assert image.size == (200, 100) and image.mode == "RGB"
    capped = render_pdf_page(path, 0, dpi=300, max_side=150)
    assert max(capped.size) == 150
    with pytest.raises(UnprocessableDocument) as info:
        render_pdf_page(path, 1)
    assert info.value.code == "page_too_small"


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_rotated_page_comes_back_upright_with_original_boxes(turn: int) -> None:
    upright = _page()
    rotated = upright.rotate(turn, expand=True, fillcolor=255)  # counter-clockwise
    analysis = analyze_page(rotated, get_engine("tesseract"), page_number=1, structure=False)
    assert analysis.normalization.rotation == turn
    assert analysis.text.split("\n") == TEXT
    assert (analysis.width, analysis.height) == rotated.size
    # Every word box lies on ink of the ORIGINAL (rotated) image.
    word = next(w for w in analysis.ocr.words if w.text == "quarterly")
    crop = rotated.crop(tuple(int(v) for v in word.bbox))
    assert min(crop.getdata()) < 100
    if turn in (90, 270):
        assert word.bbox[3] - word.bbox[1] > word.bbox[2] - word.bbox[0]  # vertical text stays vertical


def test_deskew_finds_the_angle_and_boxes_map_back() -> None:
    skewed = _page().rotate(3, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    assert estimate_skew(skewed) == pytest.approx(-3.0, abs=0.35)
    image, norm = normalize(skewed)
    assert norm.rotation == 0 and norm.skew == pytest.approx(-3.0, abs=0.35)
    box = (10.0, 10.0, 50.0, 30.0)
    back = norm.to_original(box)
    assert 0 <= back[0] < back[2] <= skewed.width and 0 <= back[1] < back[3] <= skewed.height


def test_small_text_is_upscaled() -> None:
    font = ImageFont.truetype(FONT, 9)
    image = Image.new("L", (300, 60), 255)
    ImageDraw.Draw(image).text((10, 20), "tiny text printed at nine pixels", font=font, fill=0)
    _, norm = normalize(image, detect_orientation=False, deskew=False)
    assert norm.scale > 1.5
