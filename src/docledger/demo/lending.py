"""Generated lending documents with known types, fields and package boundaries.

A :class:`Borrower` profile drives every document of a loan file (W-2, pay stubs, bank
statements, URLA/1003, 1008, 1040, ID, letters, invoices ...). Each type has a few layouts
(label wording, order, "Label: value" or label above value, tables) chosen by a seeded RNG, so
tests, benches and the demo get varied but reproducible documents, and the truth is known:
``LendingDoc.fields`` holds the values written, ``pages`` the text lines of each page.
``write_pdf`` renders one document, ``write_package`` several into one PDF and returns the
first page of each document (the boundaries a splitter must find).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

FIRST = ["Maria", "James", "Aisha", "Wei", "Daniel", "Sofia", "Kwame", "Elena", "Robert", "Priya", "Lucas", "Hannah"]
LAST = ["Gonzalez", "Okafor", "Chen", "Novak", "Smith", "Patel", "Johansson", "Rossi", "Brown", "Haddad", "Kim"]
EMPLOYERS = [
    "Northwind Logistics Inc.",
    "Bluebird Health Partners",
    "Summit Ridge Engineering LLC",
    "Cedar Valley Schools",
    "Orion Retail Group",
    "Atlas Freight Co.",
]
BANKS = ["First Cedar Bank", "Harborview Credit Union", "Prairie National Bank", "Lakeshore Savings"]
STREETS = ["Elm Street", "Lakeview Road", "Maple Avenue", "Oak Lane", "Birch Court", "Hillcrest Drive"]
EIN_PREFIXES = ("12", "20", "26", "36", "41", "52", "61", "74", "83", "94")
CITIES = [
    ("Springfield", "IL", "62704"),
    ("Madison", "WI", "53703"),
    ("Columbus", "OH", "43215"),
    ("Boise", "ID", "83702"),
]


@dataclass
class Borrower:
    name: str
    ssn: str
    dob: date
    address: str
    employer: str
    ein: str
    annual_salary: float
    bank: str
    account: str
    property_address: str
    loan_amount: float

    @classmethod
    def random(cls, rng: random.Random) -> Borrower:
        city, st, zip_ = rng.choice(CITIES)
        salary = float(rng.randrange(52, 180) * 1000)
        return cls(
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            ssn=f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
            dob=date(rng.randint(1960, 1998), rng.randint(1, 12), rng.randint(1, 28)),
            address=f"{rng.randint(10, 999)} {rng.choice(STREETS)}, {city}, {st} {zip_}",
            employer=rng.choice(EMPLOYERS),
            ein=f"{rng.choice(EIN_PREFIXES)}-{rng.randint(1000000, 9999999)}",
            annual_salary=salary,
            bank=rng.choice(BANKS),
            account=str(rng.randint(10**9, 10**10 - 1)),
            property_address=f"{rng.randint(10, 999)} {rng.choice(STREETS)}, {city}, {st} {zip_}",
            loan_amount=float(rng.randrange(150, 650) * 1000),
        )


@dataclass
class LendingDoc:
    doc_type: str
    pages: list[list[str]]
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\f\n".join("\n".join(p) for p in self.pages)


def _m(x: float) -> str:
    return f"{x:,.2f}"


def _d(d: date, style: int) -> str:
    return d.strftime(["%m/%d/%Y", "%B %d, %Y", "%Y-%m-%d"][style % 3])


def _kv(rng: random.Random, pairs: list[tuple[str, str]], *, columns: bool = True) -> list[str]:
    """Label/value lines in one of three styles: 'Label: value', two per line, or label above value."""
    style = rng.randrange(3) if columns else rng.choice([0, 2])
    lines: list[str] = []
    if style == 0:
        lines = [f"{k}: {v}" for k, v in pairs]
    elif style == 1:
        for i in range(0, len(pairs), 2):
            chunk = pairs[i : i + 2]
            lines.append("      ".join(f"{k}: {v}" for k, v in chunk))
    else:
        for k, v in pairs:
            lines += [k, f"  {v}"]
    return lines


def w2(b: Borrower, rng: random.Random, year: int) -> LendingDoc:
    wages = round(b.annual_salary * rng.uniform(0.97, 1.03), 2)
    fed = round(wages * rng.uniform(0.12, 0.2), 2)
    lines = [
        rng.choice(["Form W-2 Wage and Tax Statement", "W-2 Wage and Tax Statement " + str(year)]),
        f"Tax year {year}  OMB No. 1545-0008",
        "Copy B - To Be Filed With Employee's FEDERAL Tax Return",
        "",
    ]
    pairs = [
        ("a Employee's social security number", b.ssn),
        ("b Employer identification number (EIN)", b.ein),
        ("c Employer's name, address, and ZIP code", b.employer),
        ("e Employee's name", b.name),
        ("1 Wages, tips, other compensation", _m(wages)),
        ("2 Federal income tax withheld", _m(fed)),
        ("3 Social security wages", _m(min(wages, 168600))),
        ("5 Medicare wages and tips", _m(wages)),
    ]
    if rng.random() < 0.5:
        pairs = pairs[2:4] + pairs[:2] + pairs[4:]
    lines += _kv(rng, pairs, columns=False)
    lines += ["", "Department of the Treasury - Internal Revenue Service"]
    return LendingDoc(
        "w2",
        [lines],
        {
            "employee_name": b.name,
            "employee_ssn": b.ssn,
            "employer_name": b.employer,
            "employer_ein": b.ein,
            "wages": wages,
            "federal_tax": fed,
            "tax_year": year,
        },
    )


def pay_stub(b: Borrower, rng: random.Random, pay_date: date, *, gross_override: float | None = None) -> LendingDoc:
    gross = gross_override or round(b.annual_salary / 26, 2)
    net = round(gross * rng.uniform(0.68, 0.8), 2)
    periods = max(1, (pay_date - date(pay_date.year, 1, 1)).days // 14 + 1)
    ytd = round(gross * periods, 2)
    start, end = pay_date - timedelta(days=17), pay_date - timedelta(days=4)
    ds = rng.randrange(3)
    title = rng.choice(["EARNINGS STATEMENT", "Pay Stub", "Employee Pay Statement"])
    lines = [b.employer, title, ""]
    lines += _kv(
        rng,
        [
            ("Employee Name", b.name),
            ("Pay Period Start", _d(start, ds)),
            ("Pay Period End", _d(end, ds)),
            ("Pay Date", _d(pay_date, ds)),
        ],
    )
    lines += [
        "",
        "Earnings            Current          YTD",
        f"Gross Pay           {_m(gross)}        {_m(ytd)}",
        f"Federal Tax         {_m(gross * 0.12)}        {_m(gross * 0.12 * periods)}",
        f"Net Pay             {_m(net)}        {_m(net * periods)}",
        "",
        f"YTD Gross: {_m(ytd)}",
        "Hours 80.00   Rate " + _m(gross / 80),
    ]
    return LendingDoc(
        "pay-stub",
        [lines],
        {
            "employer_name": b.employer,
            "employee_name": b.name,
            "pay_period_start": start.isoformat(),
            "pay_period_end": end.isoformat(),
            "pay_date": pay_date.isoformat(),
            "gross_pay": gross,
            "net_pay": net,
            "ytd_gross": ytd,
        },
    )


def bank_statement(
    b: Borrower,
    rng: random.Random,
    end: date,
    *,
    pages: int = 2,
    large_deposit: float | None = None,
    holder: str | None = None,
) -> LendingDoc:
    start = end - timedelta(days=30)
    opening = round(rng.uniform(2000, 25000), 2)
    tx: list[tuple[date, str, float]] = []
    for i in range(6 * pages):
        d = start + timedelta(days=int(i * 30 / (6 * pages)) + 1)
        if i % 5 == 0:
            tx.append((d, f"PAYROLL DEPOSIT {b.employer[:18].upper()}", round(b.annual_salary / 26, 2)))
        else:
            tx.append(
                (
                    d,
                    rng.choice(
                        [
                            "CARD PURCHASE GROCERY",
                            "UTILITY PAYMENT",
                            "ATM WITHDRAWAL",
                            "ONLINE TRANSFER OUT",
                            "INSURANCE PREMIUM",
                        ]
                    ),
                    -round(rng.uniform(20, 900), 2),
                )
            )
    if large_deposit:
        tx.insert(len(tx) // 2, (start + timedelta(days=12), "DEPOSIT WIRE IN", large_deposit))
    deposits = round(sum(a for _, _, a in tx if a > 0), 2)
    withdrawals = round(-sum(a for _, _, a in tx if a < 0), 2)
    closing = round(opening + deposits - withdrawals, 2)
    ds = rng.randrange(3)
    name = holder or b.name
    per = max(1, len(tx) // pages + 1)
    out_pages = []
    for p in range(pages):
        lines = [b.bank, "Account Statement", f"Page {p + 1} of {pages}", ""]
        if p == 0:
            lines += _kv(
                rng,
                [
                    ("Account Holder", name),
                    ("Account Number", "XXXXXX" + b.account[-4:]),
                    ("Statement Period Start", _d(start, ds)),
                    ("Statement Period End", _d(end, ds)),
                ],
            )
            lines += [
                "",
                "Account Summary",
                f"Beginning Balance   {_m(opening)}",
                f"Total Deposits   {_m(deposits)}",
                f"Total Withdrawals   {_m(withdrawals)}",
                f"Ending Balance   {_m(closing)}",
                "",
            ]
        lines.append("Date        Description                          Amount")
        for d, desc, amt in tx[p * per : (p + 1) * per]:
            lines.append(f"{d.strftime('%m/%d')}       {desc:<36} {_m(amt)}")
        out_pages.append(lines)
    return LendingDoc(
        "bank-statement",
        out_pages,
        {
            "account_holder": name,
            "account_number": "****" + b.account[-4:],
            "bank_name": b.bank,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "opening_balance": opening,
            "closing_balance": closing,
            "total_deposits": deposits,
            "total_withdrawals": withdrawals,
        },
    )


def urla(
    b: Borrower, rng: random.Random, *, monthly_income: float | None = None, name: str | None = None
) -> LendingDoc:
    income = monthly_income or round(b.annual_salary / 12, 2)
    who = name or b.name
    p1 = [
        "Uniform Residential Loan Application",
        "Freddie Mac Form 65 - Fannie Mae Form 1003",
        "Page 1 of 2",
        "",
        "Section 1: Borrower Information",
    ]
    p1 += _kv(
        rng,
        [
            ("Borrower Name", who),
            ("Social Security Number", b.ssn),
            ("Date of Birth", _d(b.dob, 0)),
            ("Current Address", b.address),
        ],
    )
    p1 += ["", "Employment and Income"]
    p1 += _kv(rng, [("Employer Name", b.employer), ("Gross Monthly Income", "$" + _m(income))])
    p2 = ["Uniform Residential Loan Application", "Page 2 of 2", "", "Section 4: Loan and Property Information"]
    p2 += _kv(
        rng,
        [
            ("Loan Amount", "$" + _m(b.loan_amount)),
            ("Property Address", b.property_address),
            ("Loan Purpose", "Purchase"),
        ],
    )
    p2 += ["", "Declarations", "Will you occupy the property as your primary residence? Yes"]
    return LendingDoc(
        "urla-1003",
        [p1, p2],
        {
            "borrower_name": who,
            "borrower_ssn": b.ssn,
            "date_of_birth": b.dob.isoformat(),
            "loan_amount": b.loan_amount,
            "property_address": b.property_address,
            "employer_name": b.employer,
            "monthly_income": income,
        },
    )


def transmittal(b: Borrower, rng: random.Random) -> LendingDoc:
    lines = ["Uniform Underwriting and Transmittal Summary", "Fannie Mae Form 1008", ""]
    lines += _kv(
        rng,
        [("Borrower Name", b.name), ("Property Address", b.property_address), ("Loan Amount", "$" + _m(b.loan_amount))],
    )
    lines += [
        "",
        "Underwriting Information",
        f"Qualifying Ratios  Housing {rng.randint(18, 30)}%  Total {rng.randint(28, 43)}%",
        "Loan-to-Value 80.000%",
        "Underwriter's Name: J. Alvarez",
    ]
    return LendingDoc("transmittal-1008", [lines], {"borrower_name": b.name, "loan_amount": b.loan_amount})


def tax_return(b: Borrower, rng: random.Random, year: int) -> LendingDoc:
    total = round(b.annual_salary * rng.uniform(1.0, 1.08), 2)
    agi = round(total * rng.uniform(0.93, 0.99), 2)
    p1 = [
        f"Form 1040 U.S. Individual Income Tax Return {year}",
        "Department of the Treasury - Internal Revenue Service",
        "Page 1 of 2",
        "Filing Status: Single",
    ]
    p1 += _kv(rng, [("Your first name and middle initial", b.name), ("Your social security number", b.ssn)])
    p1 += [
        "",
        f"1a Wages  {_m(b.annual_salary)}",
        f"9 Total income: {_m(total)}",
        f"11 Adjusted gross income: {_m(agi)}",
    ]
    p2 = [
        f"Form 1040 ({year})",
        "Page 2 of 2",
        f"15 Taxable income  {_m(agi * 0.85)}",
        "Sign Here",
        "Under penalties of perjury, I declare that I have examined this return.",
    ]
    return LendingDoc(
        "tax-return-1040",
        [p1, p2],
        {
            "taxpayer_name": b.name,
            "taxpayer_ssn": b.ssn,
            "tax_year": year,
            "total_income": total,
            "adjusted_gross_income": agi,
        },
    )


def id_card(b: Borrower, rng: random.Random) -> LendingDoc:
    st = b.address.split(",")[-1].split()[0]
    lines = [
        f"{st} DRIVER LICENSE",
        "",
        f"DL No: D{rng.randint(1000000, 9999999)}",
        f"Name: {b.name}",
        f"DOB: {b.dob.strftime('%m/%d/%Y')}",
        f"Expires: {date(2030, b.dob.month, b.dob.day).strftime('%m/%d/%Y')}",
        f"Address: {b.address}",
        "Class D   Sex F   Eyes BRN",
    ]
    return LendingDoc("id-document", [lines], {"full_name": b.name, "date_of_birth": b.dob.isoformat()})


def letter_doc(b: Borrower, rng: random.Random, when: date, *, topic: str = "employment") -> LendingDoc:
    body = {
        "employment": [
            f"This letter confirms that {b.name} has been employed full time by {b.employer}",
            f"since {when.year - rng.randint(2, 9)} with an annual base salary of ${_m(b.annual_salary)}.",
            "Please contact our HR office with any questions.",
        ],
        "gift": [
            f"I intend to give {b.name} a gift of funds toward the purchase of the property at",
            f"{b.property_address}. No repayment is expected or implied.",
            "The funds were deposited into the borrower's account.",
        ],
    }[topic]
    lines = (
        [
            b.employer if topic == "employment" else "Gift Letter",
            _d(when, 1),
            "",
            "To whom it may concern,",
            "Dear Underwriter,",
            "",
        ]
        + body
        + ["", "Sincerely,", "", "Human Resources" if topic == "employment" else "Donor"]
    )
    return LendingDoc("letter", [lines[:4] + lines[5:] if rng.random() < 0.5 else lines[:3] + lines[4:]], {})


def invoice(b: Borrower, rng: random.Random, when: date) -> LendingDoc:
    n = rng.randint(1000, 9999)
    amt = round(rng.uniform(300, 900), 2)
    lines = [
        rng.choice(["Cornerstone Appraisal Services", "Keystone Home Inspections"]),
        "INVOICE",
        f"Invoice Number: INV-{n}",
        f"Invoice Date: {_d(when, 0)}",
        f"Bill To: {b.name}",
        "",
        "Description                 Amount",
        f"Residential appraisal       {_m(amt)}",
        "",
        f"Amount Due: ${_m(amt)}",
        f"Due Date: {_d(when + timedelta(days=30), 0)}",
    ]
    return LendingDoc("invoice", [lines], {})


def closing_disclosure(b: Borrower, rng: random.Random, when: date) -> LendingDoc:
    p1 = [
        "Closing Disclosure",
        "Page 1 of 2",
        "Closing Information",
        f"Date Issued {_d(when, 0)}",
        f"Property {b.property_address}",
        f"Loan Amount ${_m(b.loan_amount)}",
        "Projected Payments",
    ]
    p2 = [
        "Closing Disclosure",
        "Page 2 of 2",
        "Closing Cost Details",
        "Loan Costs",
        "Other Costs",
        f"Cash to Close ${_m(b.loan_amount * 0.2)}",
    ]
    return LendingDoc("closing-disclosure", [p1, p2], {})


def loan_estimate(b: Borrower, rng: random.Random, when: date) -> LendingDoc:
    lines = [
        "Loan Estimate",
        f"Date Issued {_d(when, 0)}",
        f"Applicants {b.name}",
        f"Property {b.property_address}",
        f"Loan Amount ${_m(b.loan_amount)}",
        "Projected Payments",
        "Estimated Closing Costs $8,450",
        "Estimated Cash to Close $" + _m(b.loan_amount * 0.21),
        "Comparisons",
    ]
    return LendingDoc("loan-estimate", [lines], {})


def random_doc(doc_type: str, b: Borrower, rng: random.Random, today: date) -> LendingDoc:
    """One document of ``doc_type`` for the borrower (dates before ``today``)."""
    if doc_type == "w2":
        return w2(b, rng, today.year - 1)
    if doc_type == "pay-stub":
        return pay_stub(b, rng, today - timedelta(days=rng.randint(3, 20)))
    if doc_type == "bank-statement":
        return bank_statement(b, rng, today - timedelta(days=rng.randint(5, 25)), pages=rng.randint(1, 3))
    if doc_type == "urla-1003":
        return urla(b, rng)
    if doc_type == "transmittal-1008":
        return transmittal(b, rng)
    if doc_type == "tax-return-1040":
        return tax_return(b, rng, today.year - 1)
    if doc_type == "id-document":
        return id_card(b, rng)
    if doc_type == "letter":
        return letter_doc(b, rng, today, topic=rng.choice(["employment", "gift"]))
    if doc_type == "invoice":
        return invoice(b, rng, today)
    if doc_type == "closing-disclosure":
        return closing_disclosure(b, rng, today)
    if doc_type == "loan-estimate":
        return loan_estimate(b, rng, today)
    raise ValueError(f"no generator for {doc_type}")


GENERATED_TYPES = (
    "w2",
    "pay-stub",
    "bank-statement",
    "urla-1003",
    "transmittal-1008",
    "tax-return-1040",
    "id-document",
    "letter",
    "invoice",
    "closing-disclosure",
    "loan-estimate",
)


def _draw_page(c: canvas.Canvas, lines: list[str]) -> None:
    c.setFont("Helvetica", 10)
    y = 740.0
    for i, line in enumerate(lines):
        if i == 0:
            c.setFont("Helvetica-Bold", 13)
        c.drawString(54, y, line)
        if i == 0:
            c.setFont("Helvetica", 10)
        y -= 16
        if y < 50:
            break
    c.showPage()


def write_pdf(path: Path, docs: list[LendingDoc]) -> list[int]:
    """Render documents into one PDF (text layer); returns the 1-based first page of each."""
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    firsts, n = [], 1
    for doc in docs:
        firsts.append(n)
        for page in doc.pages:
            _draw_page(c, page)
            n += 1
    c.save()
    return firsts


def write_package(path: Path, docs: list[LendingDoc]) -> list[int]:
    return write_pdf(path, docs)
