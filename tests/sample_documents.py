"""Small real documents generated for tests (reportlab, Pillow, pikepdf)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def text_pdf(path: Path, pages: list[list[str]], *, table: list[list[str]] | None = None) -> Path:
    c = canvas.Canvas(str(path), pagesize=letter)
    for lines in pages:
        y = 740
        for line in lines:
            c.drawString(72, y, line)
            y -= 18
        if table:
            x0, y0, w, h = 72, y - 20, 140, 18
            for r, row in enumerate(table):
                for col, cell in enumerate(row):
                    c.rect(x0 + col * w, y0 - r * h, w, h)
                    c.drawString(x0 + col * w + 4, y0 - r * h + 5, cell)
            table = None
        c.showPage()
    c.save()
    return path


def form_pdf(path: Path, fields: dict[str, str]) -> Path:
    c = canvas.Canvas(str(path), pagesize=letter)
    c.drawString(72, 740, "Uniform Residential Loan Application")
    y = 700
    for name, value in fields.items():
        c.drawString(72, y + 4, name.replace("_", " ").title() + ":")
        c.acroForm.textfield(name=name, value=value, x=220, y=y, width=250, height=18)
        y -= 30
    c.save()
    return path


def encrypted_pdf(path: Path) -> Path:
    import pikepdf

    tmp = io.BytesIO()
    c = canvas.Canvas(tmp, pagesize=letter)
    c.drawString(72, 740, "Confidential statement")
    c.save()
    tmp.seek(0)
    with pikepdf.open(tmp) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="secret", owner="owner-secret"))
    return path


def text_image(lines: list[str], *, size: tuple[int, int] = (1240, 760), font_size: int = 30) -> Image.Image:
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, font_size)
    for i, line in enumerate(lines):
        draw.text((60, 50 + i * int(font_size * 1.8)), line, font=font, fill=0)
    return img


def scanned_pdf(path: Path, pages: list[list[str]], *, tiny_page: bool = False) -> Path:
    """An image-only PDF (no text layer); with tiny_page, one extra 1x1 pt page that cannot be read."""
    import pikepdf

    images = [text_image(lines).convert("RGB") for lines in pages]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=150.0)
    buf.seek(0)
    with pikepdf.open(buf) as pdf:
        if tiny_page:
            page = pdf.add_blank_page(page_size=(3, 3))
            page.obj.MediaBox = pikepdf.Array([0, 0, 1, 1])
        pdf.save(path)
    return path
