"""Realistic sample documents for the demo and the end-to-end tests.

One small world: Maria Gonzalez applies to Harbor Point Mortgage for a loan on 88 Lakeview
Road; her employer, bank, hospital, physician and insurer appear across the documents, so
the relationship graph connects them. Besides the happy paths the set holds every failure
a real inbox sees (encrypted, corrupt, empty, mislabelled, unsupported, duplicate), each
with the status and reason code the pipeline should end with.

Everything is generated (reportlab, Pillow, zipfile) with a fixed seed and reportlab's
invariant mode, so two runs give byte-identical files. Document bodies are written in a
tiny markup (see :func:`_story`) to keep the content readable.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

SEED = 20240314
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# The shared cast (fictional). The SSN is in a valid range but is not the famous test number.
APPLICANT = "Maria Gonzalez"
ADDRESS = "412 Elm Street, Springfield, IL 62704"
PHONE = "(217) 555-0142"
EMAIL = "maria.gonzalez@example.com"
SSN = "512-44-3187"
EMPLOYER = "Northwind Logistics Inc."
LENDER = "Harbor Point Mortgage LLC"
BANK = "First Cedar Bank"
ROUTING = "021000021"
ACCOUNT = "4401229188"
HOSPITAL = "St. Anne's Medical Center"
DOCTOR = "Dr. Alan Smith"
INSURER = "Bluewater Mutual Insurance"
PROPERTY = "88 Lakeview Road, Springfield, IL 62711"
SELLER = "Robert Chen"
# Every upper-case string above, for "{APPLICANT}"-style placeholders in the bodies below.
CAST = {name: value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)}


@dataclass(frozen=True)
class SampleDoc:
    """One generated document and what processing it should end with.

    ``contains`` lists strings that appear in the document's text (for images: printed
    large enough for OCR), so end-to-end tests can check extraction and search.
    ``duplicate_of`` names the sample this one is a byte-identical copy of.
    """

    path: Path
    kind: str
    expected_status: str  # SUCCEEDED | PARTIAL | FAILED
    expected_reason: str | None
    description: str
    contains: tuple[str, ...] = ()
    duplicate_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(path=str(self.path), contains=list(self.contains))
        return data


@dataclass
class _Writer:
    out: Path
    docs: list[SampleDoc] = field(default_factory=list)

    def add(
        self,
        name: str,
        kind: str,
        description: str,
        *contains: str,
        status: str = "SUCCEEDED",
        reason: str | None = None,
        duplicate_of: str | None = None,
    ) -> Path:
        self.docs.append(SampleDoc(self.out / name, kind, status, reason, description, contains, duplicate_of))
        return self.out / name


def generate_samples(out_dir: Path) -> list[SampleDoc]:
    """Write about 20 sample documents into ``out_dir`` (created if needed); return them in order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    w = _Writer(out)
    rng = random.Random(SEED)
    for body in _DIGITAL:
        path, text = _headed(w, body)
        _build(path, text, title=w.docs[-1].description)
    _w2(w.add("w2_2023.pdf", "tax_form", "W-2-like wage and tax statement in boxes.", "Wage and Tax", SSN))
    _acroform(w.add("loan_intake_form.pdf", "acroform", "Fillable loan intake form, filled in.", "Loan Intake"))
    _build(
        w.add(
            "rate_lock_confirmation.pdf",
            "restricted_pdf",
            "Owner-password PDF (printing restricted; opens without a password): processed normally.",
            "Rate Lock Confirmation",
            "6.125%",
        ),
        _RATE_LOCK.format(**CAST),
        title="Rate lock confirmation",
        encrypt=StandardEncryption("", "harbor-owner", canPrint=0, canModify=0, strength=128),
    )
    _images(w, rng)
    for body in (_INVOICE_XML, _LABS_XML):
        path, text = _headed(w, body)
        path.write_text(text + "\n", encoding="utf-8")
    _failures(w, rng)
    return w.docs


def _headed(w: _Writer, body: str) -> tuple[Path, str]:
    """Register a body headed by ``@ file | kind | description | strings; in; the; text``."""
    header, _, text = body.format(**CAST).strip("\n").partition("\n")
    name, kind, description, contains = (part.strip() for part in header.lstrip("@").split("|"))
    return w.add(name, kind, description, *contains.split("; ")), text


# ---- digital PDFs -----------------------------------------------------------------------------

_STYLES = getSampleStyleSheet()


def _story(body: str) -> list[Any]:
    """Markup: ``# `` title, ``## `` heading, ``|``-rows a table, ``===`` page break,
    a blank line a small space, any other line a paragraph (reportlab inline tags allowed)."""
    story: list[Any] = []
    rows: list[list[str]] = []
    for raw in body.strip("\n").split("\n") + [""]:
        line = raw.strip()
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        if rows:
            story.append(_table(rows))
            rows = []
        if line == "===":
            story.append(PageBreak())
        elif line.startswith("## "):
            story.append(Paragraph(line[3:], _STYLES["Heading3"]))
        elif line.startswith("# "):
            story.append(Paragraph(line[2:], _STYLES["Title"]))
        elif line:
            story.append(Paragraph(line, _STYLES["Normal"]))
        else:
            story.append(Spacer(1, 8))
    return story


def _table(rows: list[list[str]]) -> Table:
    table = Table(rows)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ]
        )
    )
    return table


def _build(path: Path, body: str, *, title: str, encrypt: StandardEncryption | None = None) -> None:
    doc = SimpleDocTemplate(
        str(path), pagesize=letter, invariant=1, title=title, author="docledger demo", encrypt=encrypt
    )
    doc.build(_story(body))


_COVER_LETTER = """
@ loan_application_cover_letter.pdf | cover_letter | Mortgage application cover letter with PII. | {APPLICANT}; {LENDER}; {SSN}; {EMAIL}
{APPLICANT}<br/>{ADDRESS}<br/>Phone: {PHONE}<br/>Email: {EMAIL}

March 18, 2024

James Carter, Loan Officer<br/>{LENDER}<br/>1200 Harbor Avenue, Chicago, IL 60601

## Re: Application for a 30-year fixed rate mortgage
Dear Mr. Carter,

I am applying for a mortgage of $308,000 to purchase the property at {PROPERTY}. I have worked for {EMPLOYER} as a Logistics Analyst since April 2017, and my pay slips and my {BANK} statement for March are enclosed.

For the credit check, my Social Security number is {SSN} and my date of birth is July 14, 1986. Please contact me by phone or email if anything else is needed.

Sincerely,<br/>{APPLICANT}
"""  # noqa: E501

_PAY_SLIP = """
@ pay_slip_2024_03.pdf | pay_slip | Semi-monthly pay slip with earnings and deductions tables. | {EMPLOYER}; {APPLICANT}; Net pay
# {EMPLOYER} - Earnings Statement
900 Commerce Drive, Springfield, IL 62701. EIN 36-4412987
Employee: {APPLICANT}. Employee ID: NW-20417. SSN: XXX-XX-3187
Pay period: 03/01/2024 - 03/15/2024. Pay date: 03/20/2024

| Earnings | Hours | Rate | Current | Year to date |
| Regular | 80.00 | 37.72 | 3,017.60 | 16,596.80 |
| Overtime | 4.00 | 56.58 | 226.32 | 905.28 |
| Bonus | | | 0.00 | 1,500.00 |
| Gross pay | | | 3,243.92 | 19,002.08 |

| Deductions | Current | Year to date |
| Federal income tax | 408.73 | 2,394.26 |
| Social Security | 201.12 | 1,178.13 |
| Medicare | 47.04 | 275.53 |
| {INSURER} health plan | 112.50 | 618.75 |

<b>Net pay: $2,474.53</b> deposited to {BANK} account ending 9188.
"""  # noqa: E501

_BANK_STATEMENT = """
@ bank_statement_2024_03.pdf | bank_statement | Two-page checking statement with a transactions table. | {BANK}; {ROUTING}; {ACCOUNT}; Northwind Logistics payroll
# {BANK} - Account Statement
Account holder: {APPLICANT}, {ADDRESS}
Checking account number: {ACCOUNT}. Routing number: {ROUTING}
Statement period: March 1, 2024 to March 31, 2024

| Date | Description | Withdrawals | Deposits | Balance |
| 03/01 | Opening balance | | | 8,412.07 |
| 03/05 | Springfield Pharmacy card purchase | 47.85 | | 8,364.22 |
| 03/06 | Northwind Logistics payroll | | 2,474.53 | 10,838.75 |
| 03/08 | Lakeview Apartments rent | 1,650.00 | | 9,188.75 |
| 03/12 | St. Anne's Medical Center copay | 150.00 | | 9,038.75 |
| 03/14 | Bluewater Mutual claim refund | | 312.40 | 9,351.15 |
| 03/20 | Northwind Logistics payroll | | 2,474.53 | 11,825.68 |
| 03/22 | Harbor Point Mortgage application fee | 495.00 | | 11,330.68 |
| 03/27 | Springfield Power & Light | 96.18 | | 11,234.50 |
===
## Account summary
| Opening balance | Total withdrawals | Total deposits | Closing balance |
| 8,412.07 | 2,439.03 | 5,261.46 | 11,234.50 |

Questions? Call {BANK} at (217) 555-0100. Deposits are FDIC insured.
"""  # noqa: E501

_DISCHARGE = """
@ discharge_summary.pdf | clinical_note | Three-page hospital discharge summary. | HISTORY OF PRESENT ILLNESS:; MEDICATIONS:; {DOCTOR}; b.i.d.
# {HOSPITAL} - Discharge Summary
PATIENT: {APPLICANT}. DOB: 07/14/1986. MRN: SA-7734120
ADMITTED: 03/02/2024. DISCHARGED: 03/05/2024. ATTENDING: {DOCTOR}, MD
## HISTORY OF PRESENT ILLNESS:
The patient is a 37-year-old woman with type 2 diabetes mellitus who presented with three days of polyuria, polydipsia and fatigue. She reports missing doses of metformin during a busy month at work. She denies chest pain, fever or abdominal pain.
## PAST MEDICAL HISTORY:
Type 2 diabetes mellitus since 2019. Hypertension.
## HOSPITAL COURSE:
The patient was admitted for hyperglycemia and dehydration. Intravenous fluids were given and blood glucose was brought under control with insulin, then with oral therapy. She tolerated a diabetic diet and ambulated without difficulty. Diabetes education was provided by nursing staff. Dr. Smith reviewed the plan with the patient, and metformin was restarted at 1000 mg.
===
## LABORATORY DATA:
| Test | Admission | Discharge | Reference |
| Glucose (mg/dL) | 412 | 138 | 70-99 |
| HbA1c (%) | 9.1 | | < 5.7 |
| Creatinine (mg/dL) | 1.3 | 0.9 | 0.6-1.1 |
## MEDICATIONS:
1. Metformin 1000 mg by mouth b.i.d. with meals.<br/>2. Lisinopril 10 mg by mouth daily.<br/>3. Atorvastatin 20 mg by mouth at bedtime.
## DISCHARGE DIAGNOSES:
1. Hyperglycemia due to medication nonadherence. 2. Dehydration.
===
## FOLLOW-UP:
Follow up with {DOCTOR} in the diabetes clinic in two weeks. Claims are billed to {INSURER}, policy BW-55320981.
Electronically signed by {DOCTOR}, MD on 03/05/2024.
"""  # noqa: E501

_CLAIM = """
@ insurance_claim.pdf | insurance_claim | Health insurance claim with a services table. | {INSURER}; {HOSPITAL}; BW-55320981
# {INSURER} - Claim for Hospital Services
Claim number: CLM-2024-031877. Policy number: BW-55320981
Policy holder: {APPLICANT}, {ADDRESS}
Provider: {HOSPITAL}, 700 Mercy Lane, Springfield, IL 62702. Attending: {DOCTOR}

| Date | Code | Service | Charge |
| 03/02/2024 | 99223 | Initial hospital care | 1,240.00 |
| 03/03/2024 | 99232 | Subsequent hospital care | 410.00 |
| 03/04/2024 | 82947 | Glucose, quantitative | 38.00 |
| 03/05/2024 | 99238 | Hospital discharge day | 395.00 |
| | | Total | 2,083.00 |

I certify that the information above is true and complete. Signed: {APPLICANT}, 03/11/2024.
"""  # noqa: E501

_CONTRACT = """
@ purchase_contract.pdf | contract | Two-page residential purchase agreement. | {SELLER}; {APPLICANT}; {LENDER}
# Residential Purchase Agreement
<b>1. Parties.</b> This Residential Purchase Agreement is made on March 10, 2024 between {SELLER} (the Seller) and {APPLICANT} (the Buyer).

<b>2. Property.</b> The Seller agrees to sell and the Buyer agrees to buy the real property at {PROPERTY}.

<b>3. Price.</b> The purchase price is $385,000, of which $77,000 is paid at closing from the Buyer's funds.

<b>4. Financing.</b> This agreement is contingent on the Buyer obtaining a loan of $308,000 from {LENDER} within 30 days.

<b>5. Escrow.</b> Prairie Title Company shall act as escrow agent and hold the earnest money of $5,000.
===
<b>6. Inspection.</b> The Buyer may have the property inspected within 10 days and may cancel if defects costing more than $5,000 to repair are found.

<b>7. Closing.</b> Closing shall take place on or before April 30, 2024 at the offices of Prairie Title Company, Springfield.


Seller: {SELLER} ____________________ Buyer: {APPLICANT} ____________________
"""  # noqa: E501

_RATE_LOCK = """
# {LENDER} - Rate Lock Confirmation
Borrower: {APPLICANT}. Loan officer: James Carter. Property: {PROPERTY}.
Your interest rate of 6.125% for a 30-year fixed loan of $308,000 is locked until April 30, 2024.
"""

_DIGITAL = (_COVER_LETTER, _PAY_SLIP, _BANK_STATEMENT, _DISCHARGE, _CLAIM, _CONTRACT)


def _w2(path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    c.setTitle("Form W-2 Wage and Tax Statement 2023")
    c.setFont("Helvetica-Bold", 14)
    c.drawString(54, 740, "Form W-2 Wage and Tax Statement 2023")
    boxes = [
        ("a Employee's social security number", SSN),
        ("b Employer identification number (EIN)", "36-4412987"),
        ("c Employer's name and address", f"{EMPLOYER}, 900 Commerce Drive, Springfield, IL 62701"),
        ("e Employee's name", APPLICANT),
        ("f Employee's address", ADDRESS),
        ("1 Wages, tips, other compensation", "78,450.00"),
        ("2 Federal income tax withheld", "9,870.00"),
        ("3 Social security wages", "78,450.00"),
        ("4 Social security tax withheld", "4,863.90"),
        ("5 Medicare wages and tips", "78,450.00"),
        ("6 Medicare tax withheld", "1,137.53"),
    ]
    y = 700
    for label, value in boxes:
        c.rect(54, y - 30, 504, 34)
        c.setFont("Helvetica", 7)
        c.drawString(58, y - 6, label)
        c.setFont("Helvetica", 11)
        c.drawString(66, y - 22, value)
        y -= 38
    c.setFont("Helvetica", 8)
    c.drawString(54, y - 10, "Copy C - For EMPLOYEE'S RECORDS. This information is being furnished to the IRS.")
    c.showPage()
    c.save()


def _acroform(path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, 730, f"{LENDER} - Loan Intake Form")
    c.setFont("Helvetica", 10)
    form = c.acroForm
    fields = [
        ("borrower_name", "Borrower name", APPLICANT),
        ("ssn", "Social Security number", SSN),
        ("phone", "Phone", PHONE),
        ("email", "Email", EMAIL),
        ("property_address", "Property address", PROPERTY),
        ("loan_amount", "Loan amount", "308,000.00"),
        ("employer", "Employer", EMPLOYER),
    ]
    y = 690
    for name, label, value in fields:
        c.drawString(72, y + 6, label)
        form.textfield(name=name, value=value, x=220, y=y, width=300, height=20, fontSize=10)
        y -= 32
    c.drawString(72, y + 6, "Loan term")
    form.choice(
        name="loan_term",
        value="30 years",
        options=["15 years", "20 years", "30 years"],
        x=220,
        y=y,
        width=120,
        height=20,
    )
    y -= 32
    c.drawString(72, y + 6, "Rate type: fixed / adjustable")
    form.radio(name="rate_type", value="fixed", selected=True, x=250, y=y, size=14)
    form.radio(name="rate_type", value="adjustable", selected=False, x=300, y=y, size=14)
    y -= 32
    c.drawString(72, y + 6, "First-time home buyer")
    form.checkbox(name="first_time_buyer", checked=True, x=250, y=y, size=14)
    c.drawString(290, y + 6, "Veteran")
    form.checkbox(name="veteran", checked=False, x=340, y=y, size=14)
    c.showPage()
    c.save()


# ---- images and scans --------------------------------------------------------------------------


def _font(size: int, mono: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = FONT_DIR / ("DejaVuSansMono.ttf" if mono else "DejaVuSans.ttf")
    return ImageFont.truetype(str(path), size) if path.is_file() else ImageFont.load_default(size=size)


def _scan(
    rng: random.Random,
    body: str,
    *,
    size: tuple[int, int] = (1275, 1650),
    mono: bool = False,
    text_px: int = 26,
) -> Image.Image:
    """A scanned-looking page: off-white paper, sparse specks, dark text.

    Lines starting with ``# `` are headings; a blank line adds space. The default size is
    US Letter at 150 dpi with 26 px text (about 12.5 pt), comfortable for OCR."""
    img = Image.new("L", size, 246)
    specks = Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).point(lambda v: 0 if v > 254 else 255)
    img = Image.composite(img, Image.new("L", size, 150), specks)
    draw = ImageDraw.Draw(img)
    x, y = (40, 60) if mono else (90, 80)
    for line in body.format(**CAST).strip("\n").split("\n"):
        px = text_px + 12 if line.startswith("# ") else text_px
        draw.text((x, y), line.removeprefix("# "), fill=20, font=_font(px, mono))
        y += px + (28 if line.startswith("# ") or not line else 16)
    return img


_EMPLOYMENT = """
# VERIFICATION OF EMPLOYMENT
Employer: {EMPLOYER}
900 Commerce Drive, Springfield, IL 62701

Employee name: {APPLICANT}
Position: Logistics Analyst
Start date: 04/03/2017
Annual base salary: $78,450.00
Employment status: Full time, permanent

Requested by: {LENDER}
Completed by: Karen Walsh, HR Manager
Date: 03/15/2024

Signature: ______________________
"""

_RECEIPT = """
# SPRINGFIELD PHARMACY
1450 Main Street
Springfield, IL 62701
Tel (217) 555-0199

Date: 03/05/2024  14:32
Receipt no: 004417

Metformin 1000mg x60    18.40
Lisinopril 10mg x30      9.95
Glucose test strips     19.50

TOTAL                   47.85
VISA ****8841           47.85

Thank you for your visit
"""

_APPRAISAL = """
# PROPERTY APPRAISAL SUMMARY
Lakeside Appraisal Group
Appraiser: Thomas Reed, license 556.001234

Subject: 88 Lakeview Road
Springfield, IL 62711
Borrower: {APPLICANT}
Lender: {LENDER}

Appraised value: $392,000
Effective date: 03/25/2024
"""

_SIGNATURES = """
# BORROWER SIGNATURES
By signing, you confirm receipt of this Closing Disclosure.

Borrower: {APPLICANT}
Signature: ______________________
Date: 04/26/2024

Settlement agent: Prairie Title Company
"""

_CLOSING = (
    "Closing Disclosure",
    f"Lender: {LENDER}",
    f"Borrower: {APPLICANT}",
    f"Property: {PROPERTY}",
    "Loan amount: $308,000   Term: 30 years   Interest rate: 6.125% fixed",
    "Estimated monthly payment: $1,871.42",
)


def _image_pdf(path: Path, pages: list[Image.Image | tuple[str, ...]]) -> None:
    """Pages are either page images (a scan: no text layer) or lines of real text."""
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    for page in pages:
        if isinstance(page, Image.Image):
            c.drawImage(ImageReader(page), 0, 0, width=letter[0], height=letter[1])
        else:
            text = c.beginText(72, 720)
            text.setFont("Helvetica", 11)
            for line in page:
                text.textLine(line)
            c.drawText(text)
        c.showPage()
    c.save()


def _images(w: _Writer, rng: random.Random) -> None:
    png = w.add(
        "employment_verification_scan.png",
        "scanned_form",
        "Scanned employment verification (PNG).",
        "VERIFICATION OF EMPLOYMENT",
        APPLICANT,
        "Logistics Analyst",
    )
    _scan(rng, _EMPLOYMENT).save(png, dpi=(150, 150))
    jpg = w.add(
        "pharmacy_receipt.jpg",
        "receipt",
        "Pharmacy receipt photo (company, date, address, total).",
        "SPRINGFIELD PHARMACY",
        "TOTAL",
        "47.85",
    )
    receipt = _scan(rng, _RECEIPT, size=(640, 1000), mono=True, text_px=24)
    receipt.convert("RGB").save(jpg, quality=88, dpi=(150, 150))
    scanned = w.add(
        "appraisal_scan.pdf",
        "scanned_pdf",
        "Image-only scanned appraisal (no text layer).",
        "APPRAISAL",
        "88 Lakeview Road",
        "392,000",
    )
    _image_pdf(scanned, [_scan(rng, _APPRAISAL)])
    mixed = w.add(
        "closing_disclosure_signed.pdf",
        "mixed_pdf",
        "Page 1 digital text, page 2 a scanned signature page: only page 2 needs OCR.",
        "Closing Disclosure",
        "BORROWER SIGNATURES",
    )
    _image_pdf(mixed, [_CLOSING, _scan(rng, _SIGNATURES)])


_INVOICE_XML = """
@ hospital_invoice.xml | xml | Hospital invoice to the insurer (UBL-like XML). | {HOSPITAL}; {INSURER}; 2083.00
<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">
  <ID>INV-SA-2024-0412</ID>
  <IssueDate>2024-03-06</IssueDate>
  <Supplier><Name>{HOSPITAL}</Name><Address>700 Mercy Lane, Springfield, IL 62702</Address></Supplier>
  <Customer><Name>{INSURER}</Name><PolicyNumber>BW-55320981</PolicyNumber></Customer>
  <Patient><Name>{APPLICANT}</Name><MRN>SA-7734120</MRN></Patient>
  <InvoiceLine><Code>99223</Code><Description>Initial hospital care</Description><Amount>1240.00</Amount></InvoiceLine>
  <InvoiceLine><Code>99232</Code><Description>Subsequent hospital care</Description><Amount>410.00</Amount></InvoiceLine>
  <InvoiceLine><Code>82947</Code><Description>Glucose, quantitative</Description><Amount>38.00</Amount></InvoiceLine>
  <InvoiceLine><Code>99238</Code><Description>Hospital discharge day</Description><Amount>395.00</Amount></InvoiceLine>
  <TotalAmount currency="USD">2083.00</TotalAmount>
</Invoice>
"""  # noqa: E501

_LABS_XML = """
@ lab_results.xml | clinical_xml | HL7 CDA-like laboratory results. | Gonzalez; Hemoglobin A1c; {DOCTOR}
<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <title>Laboratory Results</title>
  <effectiveTime value="20240302"/>
  <recordTarget><patientRole><id extension="SA-7734120"/>
    <patient><name><given>Maria</given><family>Gonzalez</family></name><birthTime value="19860714"/></patient>
  </patientRole></recordTarget>
  <author><assignedAuthor><name>{DOCTOR}</name><organization>{HOSPITAL}</organization></assignedAuthor></author>
  <component><section><title>Results</title>
    <entry><observation><code>Hemoglobin A1c</code><value unit="%">9.1</value></observation></entry>
    <entry><observation><code>Glucose</code><value unit="mg/dL">412</value></observation></entry>
  </section></component>
</ClinicalDocument>
"""


# ---- failures and edge cases -------------------------------------------------------------------


def _failures(w: _Writer, rng: random.Random) -> None:
    locked = w.add(
        "tax_return_2023_protected.pdf",
        "encrypted",
        "Tax return protected by a user password.",
        status="FAILED",
        reason="encrypted_pdf",
    )
    _build(
        locked,
        f"# Form 1040 U.S. Individual Income Tax Return 2023\nTaxpayer: {APPLICANT}, SSN {SSN}",
        title="Tax return 2023",
        encrypt=StandardEncryption("maria1986", "owner-secret", strength=128),
    )

    corrupt = w.add(
        "corrupt_upload.pdf",
        "corrupt",
        "A PDF header followed by garbage: not repairable.",
        status="FAILED",
        reason="corrupt_file",
    )
    corrupt.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(4096))

    mislabelled = w.add(
        "statement.pdf",
        "mislabelled",
        "PNG bytes under a .pdf name: sniffed as an image and OCR'd; the name/content mismatch is recorded.",
        "ACCOUNT SUMMARY",
        BANK,
    )
    buf = io.BytesIO()
    _scan(
        rng,
        "# ACCOUNT SUMMARY\n{BANK}\nAccount holder: {APPLICANT}\nStatement period: 02/01/2024 - "
        "02/29/2024\nOpening balance: $7,904.22\nClosing balance: $8,412.07",
    ).save(buf, format="PNG")
    mislabelled.write_bytes(buf.getvalue())

    w.add("blank_upload.pdf", "empty", "A zero-byte upload.", status="FAILED", reason="empty_file").write_bytes(b"")

    docx = w.add(
        "report.docx",
        "unsupported",
        "A Word document (zip container): not a supported type.",
        status="FAILED",
        reason="unsupported_media_type",
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (
            ("[Content_Types].xml", '<?xml version="1.0"?><Types/>'),
            ("word/document.xml", f"<document><body>Quarterly report, {LENDER}</body></document>"),
        ):
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 3, 1, 9, 0, 0)), text)
    docx.write_bytes(buf.getvalue())

    payslip = w.out / "pay_slip_2024_03.pdf"
    copy = w.add(
        "pay_slip_copy.pdf",
        "duplicate",
        "Byte-identical copy of the pay slip under another name.",
        EMPLOYER,
        duplicate_of=payslip.name,
    )
    copy.write_bytes(payslip.read_bytes())
