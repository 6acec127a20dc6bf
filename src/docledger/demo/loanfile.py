"""The demo's loan file: Maria Gonzalez's application as a lender receives it.

- ``loan_package.pdf``: one scanned-together package (URLA/1003, W-2, a two-page bank statement,
  driver licence) that the pipeline splits into four typed documents;
- ``pay_stub_scan.png``: a pay stub photographed at an angle-free but small scale, read by OCR
  (its fields come with OCR confidences, some below the review threshold);
- ``pay_stub_march.pdf``: a later pay stub whose employee name is spelled differently.

Inconsistencies a reviewer should see at once: the application states a monthly income about
25 % above the W-2 and the pay stubs (income-mismatch), the name differs on one pay stub
(name-mismatch), a large deposit on the bank statement has no letter of explanation
(large-deposit), and the checklist shows nothing missing only once the package is split.
Dates are relative to ``today`` so the recency rules hold whenever the demo runs.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from docledger.demo.lending import Borrower, bank_statement, id_card, pay_stub, urla, w2, write_package, write_pdf

LOAN_ID = "LN-DEMO-001"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def demo_borrower() -> Borrower:
    return Borrower(
        name="Maria Gonzalez",
        ssn="512-44-3187",
        dob=date(1986, 7, 14),
        address="412 Elm Street, Springfield, IL 62704",
        employer="Northwind Logistics Inc.",
        ein="36-4172093",
        annual_salary=78000.0,
        bank="First Cedar Bank",
        account="4401229188",
        property_address="88 Lakeview Road, Springfield, IL 62711",
        loan_amount=320000.0,
    )


def _image(lines: list[str], path: Path) -> None:
    img = Image.new("L", (1275, 1650), 255)
    draw = ImageDraw.Draw(img)
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype(str(FONT), 26)
    except OSError:
        font = ImageFont.load_default()
    y = 90
    for line in lines:
        draw.text((80, y), line, fill=20, font=font)
        y += 44
    img.save(path, dpi=(150, 150))


def generate_loan_file(out_dir: Path, today: date | None = None) -> list[Path]:
    """Write the loan file's documents into ``out_dir``; returns their paths (ingest order)."""
    day = today or date.today()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20240314)
    b = demo_borrower()
    application = urla(b, rng, monthly_income=round(b.annual_salary / 12 * 1.25, 2))
    statement = bank_statement(b, rng, day - timedelta(days=12), pages=2, large_deposit=18500.0)
    write_package(out / "loan_package.pdf", [application, w2(b, rng, day.year - 1), statement, id_card(b, rng)])
    stub = pay_stub(b, rng, day - timedelta(days=18))
    _image(stub.pages[0], out / "pay_stub_scan.png")
    later = pay_stub(replace(b, name="Maria L. Gonzales"), rng, day - timedelta(days=4))
    write_pdf(out / "pay_stub_march.pdf", [later])
    return [out / "loan_package.pdf", out / "pay_stub_scan.png", out / "pay_stub_march.pdf"]
