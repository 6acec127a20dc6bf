"""Receipt fields from a rendered receipt (real OCR) and from plain text lines."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from docledger.ocr import get_engine, is_receipt, receipt_fields
from docledger.ocr.receipts import parse_date

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
RECEIPT = [
    ("KEDAI RUNCIT MAJU SDN BHD", None),
    ("NO. 12, JALAN MERANTI 3,", None),
    ("81100 JOHOR BAHRU, JOHOR.", None),
    ("TEL: 07-3551234", None),
    ("DATE: 05/11/2018   10:42", None),
    ("MILO 1KG", "24.90"),
    ("BREAD", "3.40"),
    ("SUBTOTAL", "28.30"),
    ("TOTAL:", "28.30"),
    ("CASH", "50.00"),
    ("CHANGE", "21.70"),
]


def _receipt_image() -> Image.Image:
    font = ImageFont.truetype(FONT, 18)
    image = Image.new("L", (420, 40 + 34 * len(RECEIPT)), 255)
    d = ImageDraw.Draw(image)
    for i, (text, amount) in enumerate(RECEIPT):
        d.text((20, 20 + 34 * i), text, font=font, fill=0)
        if amount:
            d.text((320, 20 + 34 * i), amount, font=font, fill=0)
    return image


def test_rendered_receipt_yields_its_fields() -> None:
    page = get_engine("rapidocr").recognize(_receipt_image())
    assert is_receipt(page.lines)
    fields = receipt_fields(page.lines)
    assert fields == {
        "company": "KEDAI RUNCIT MAJU SDN BHD",
        "date": "2018-11-05",
        "address": "NO. 12, JALAN MERANTI 3, 81100 JOHOR BAHRU, JOHOR.",
        "total": "28.30",
    }


def test_rounded_total_wins_and_plain_strings_work() -> None:
    lines = [
        "ACME TRADING",
        "LOT 5, JALAN KLANG LAMA, 58000 KUALA LUMPUR",
        "INVOICE 0042  Date 2019-01-09",
        "TOTAL (INCL GST) 12.31",
        "ROUNDING ADJ -0.01",
        "ROUNDED TOTAL 12.30",
        "GST INCLUDED IN TOTAL 0.70",
    ]
    fields = receipt_fields(lines)
    assert fields["total"] == "12.30"
    assert fields["date"] == "2019-01-09"
    assert fields["company"] == "ACME TRADING"


def test_dates_in_receipt_formats() -> None:
    assert parse_date("25/12/2018 8:13:39 PM").isoformat() == "2018-12-25"  # type: ignore[union-attr]
    assert parse_date("12-01-19").isoformat() == "2019-01-12"  # type: ignore[union-attr]
    assert parse_date("03 Mar 2024").isoformat() == "2024-03-03"  # type: ignore[union-attr]
    assert parse_date("March 3, 2024").isoformat() == "2024-03-03"  # type: ignore[union-attr]
    assert parse_date("04/05/2020", dayfirst=False).isoformat() == "2020-04-05"  # type: ignore[union-attr]
    assert parse_date("no date here 12.50") is None


def test_a_letter_is_not_a_receipt() -> None:
    letter = [
        "Dear Ms Lopez,",
        "thank you for your letter of 3 March.",
        "Your policy renews in May.",
        "Regards",
    ]
    assert not is_receipt(letter)
    assert receipt_fields(letter)["total"] is None


def test_total_includes_gst_line_and_tax_summary_are_not_the_total() -> None:
    lines = [
        "KEDAI MAJU ENTERPRISE",
        "NO 3, JALAN BUNGA 2, 43000 KAJANG, SELANGOR",
        "QTY ITEM TOTAL",
        "TAKEOUT TOTAL (INCL GST) 26.60",
        "TOTAL ROUNDED 26.60",
        "CASH TENDERED 100.00",
        "CHANGE 73.40",
        "TOTAL INCLUDES 6% GST 1.51",
        "GST SUMMARY AMOUNT TAX",
        "TOTAL 25.09 1.51",
    ]
    assert receipt_fields(lines)["total"] == "26.60"
    plain = [
        "SUB-TOTAL (EX) : 4.60",
        "TOTAL TAX : 0.28",
        "TOTAL : 4.90",
        "CASH : 4.90",
        "GST SUMMARY",
        "TAX CODE AMOUNT TAX",
        "TOTAL : 4.60 0.28",
    ]
    assert receipt_fields(plain)["total"] == "4.90"


def test_rounding_adjustment_after_the_total_is_applied() -> None:
    lines = [
        "TOTAL AMT........ RM 60.31",
        "ROUNDING ADJ...... -0.01",
        "CASH.............. RM 70.30",
        "CHANGE............ RM 10.00",
    ]
    assert receipt_fields(lines)["total"] == "60.30"
    # no total row at all: cash tendered minus change is what was paid
    assert receipt_fields(["ITEM A 3.00", "ITEM B 6.00", "CASH 50.00", "CHANGE 41.00"])["total"] == "9.00"


def test_company_above_registration_number_and_address_past_id_rows() -> None:
    lines = [
        "PERNIAGAAN MAJU JAYA",
        "JM0123456-V",
        "NO.59 JALAN PERMAS 9/5",
        "BANDAR BARU PERMAS JAYA",
        "81750 JOHOR BAHRU",
        "TEL : 07-386 7524",
        "GST NO: 000800589824",
        "OTHER SUPPLIER (M) SDN BHD",
        "DATE: 12/02/2018",
    ]
    fields = receipt_fields(lines)
    assert fields["company"] == "PERNIAGAAN MAJU JAYA"
    assert fields["address"] == "NO.59 JALAN PERMAS 9/5 BANDAR BARU PERMAS JAYA 81750 JOHOR BAHRU"
    lines = [
        "KEDAI BUKU MAJU",
        "RESTAURANT SDN BHD",
        "(CO.REG : 933109-X)",
        "(GST ID NO : 001147416576)",
        "LOT 5, JALAN KPB 6,",
        "43300 SERI KEMBANGAN, SELANGOR",
        "(OUTLET PUTRA)",
        "-INVOICE-",
    ]
    fields = receipt_fields(lines)
    assert fields["company"] == "KEDAI BUKU MAJU RESTAURANT SDN BHD"
    assert fields["address"] == "LOT 5, JALAN KPB 6, 43300 SERI KEMBANGAN, SELANGOR (OUTLET PUTRA)"
    # the registration number printed on the name's row is not part of the name
    assert receipt_fields(["MAJU MART S/B (519537-X)", "LOT 2, JALAN ANGSA, 41150 KLANG"])["company"] == "MAJU MART S/B"


def test_date_next_to_a_time_beats_an_item_code() -> None:
    lines = ["ACME TRADING", "BOARD 15-07-03 1 X 19.00 19.00", "TOTAL 19.00", "12-01-19 21:13 SH01"]
    assert receipt_fields(lines)["date"] == "2019-01-12"


def test_us_receipt_reads_month_first_and_a_date_glued_to_its_time() -> None:
    from docledger.ocr.receipts import receipt_fields

    lines = [
        "SPRINGFIELD PHARMACY",
        "1450 Main Street",
        "Springfield, IL 62701",
        "Date: 03/05/202414:32",
        "TOTAL",
        "$47.85",
    ]
    assert receipt_fields(lines)["date"] == "2024-03-05"
    assert receipt_fields(["KEDAI RUNCIT ABC", "Date: 03/05/2024 14:32", "TOTAL 5.00"])["date"] == "2024-05-03"
