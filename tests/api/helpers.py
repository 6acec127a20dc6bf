"""Real documents for the API and browser tests: small PDFs (reportlab) and PNGs (Pillow)."""

from __future__ import annotations

import io
import os

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from importlib.metadata import entry_points  # noqa: E402
from typing import Any  # noqa: E402

from docledger.settings import Settings  # noqa: E402
from docledger.stages import GROUP, Stage  # noqa: E402

PARAGRAPH = (
    "The patient was admitted with chest pain on 3 March 2024. An electrocardiogram showed no acute "
    "changes. Troponin levels were within the normal range. The patient was discharged the next day "
    "with aspirin. A follow-up visit with cardiology was scheduled in two weeks."
)


def make_pdf(lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 800
    for line in lines:
        c.setFont("Helvetica", 12)
        c.drawString(60, y, line)
        y -= 22
    c.showPage()
    c.save()
    return buf.getvalue()


def make_png(lines: list[str], *, size: tuple[int, int] = (900, 240)) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    try:
        font: Any = ImageFont.truetype("DejaVuSans.ttf", 30)
    except OSError:
        font = ImageFont.load_default(size=30)
    for i, line in enumerate(lines):
        draw.text((30, 30 + i * 50), line, fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(200, 200))
    return buf.getvalue()


def installed_stages(settings: Settings) -> dict[str, Stage]:
    """Every stage installed under the docledger.stages entry points that imports in this build."""
    stages: dict[str, Stage] = {}
    for ep in entry_points(group=GROUP):
        try:
            cls = ep.load()
        except ImportError:  # a stage module not present in this checkout
            continue
        stages[cls.name] = cls(settings)
    return stages
