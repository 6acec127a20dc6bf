"""Both engines read rendered text back; the null engine reads nothing; bad names fail clearly."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from docledger.exceptions import ConfigurationError
from docledger.ocr import get_engine, page_text
from docledger.ocr.engines import NullEngine, OcrEngine

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = ["Invoice number 2024-0042", "Total due 123.45 EUR"]


@pytest.fixture(scope="module")
def text_image() -> Image.Image:
    font = ImageFont.truetype(FONT, 28)
    image = Image.new("RGB", (620, 160), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(LINES):
        draw.text((20, 25 + 60 * i), line, font=font, fill="black")
    return image


@pytest.mark.parametrize("name", ["rapidocr", "tesseract"])
def test_engine_reads_rendered_text_with_word_boxes(name: str, text_image: Image.Image) -> None:
    engine = get_engine(name)
    assert isinstance(engine, OcrEngine)
    assert engine.version
    page = engine.recognize(text_image)
    assert (page.width, page.height) == text_image.size
    assert [ln.text for ln in page.lines] == LINES
    words = {w.text: w for w in page.words}
    assert set(words) == {w for line in LINES for w in line.split()}
    total = words["123.45"].bbox
    # "123.45" is drawn on the second line, right of "Total due": its box must say so.
    assert 140 < total[0] < total[2] < 300 and 80 < total[1] < total[3] < 130
    assert all(0.5 < w.confidence <= 1.0 for w in page.words)
    assert page_text(page) == "\n".join(LINES)


def test_get_engine_is_cached_per_process() -> None:
    assert get_engine("tesseract") is get_engine("tesseract")


def test_null_engine_reads_nothing(text_image: Image.Image) -> None:
    page = NullEngine().recognize(text_image)
    assert page.words == [] and page.lines == [] and page.width == 620


def test_unknown_engine_names_the_choices() -> None:
    with pytest.raises(ConfigurationError) as info:
        get_engine("abbyy")
    assert info.value.code == "unknown_ocr_engine"
    assert "rapidocr" in str(info.value)
