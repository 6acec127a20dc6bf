"""Receipt fields (company, date, address, total) from OCR lines.

Works on rows: OCR lines that share a baseline are joined left to right first, because engines
often return "TOTAL:" and "9.00" as two boxes far apart on one printed row. Output is normalised:
``date`` as ISO ``YYYY-MM-DD`` (day-first for ambiguous numeric dates, as on most receipts outside
North America; pass ``dayfirst=False`` for US receipts) and ``total`` as a plain decimal string
("12.30"). Missing fields are ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from docledger.ocr.types import Line, v_overlap

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,4})\s?([./-])\s?(\d{1,2})\s?\2\s?(\d{2,4})(?!\d)")
_TEXT_DATE = re.compile(r"(?<!\d)(\d{1,2})[\s\-./]*([A-Za-z]{3,9})[\s\-./,]*(\d{2,4})(?!\d)")
_TEXT_DATE_US = re.compile(r"\b([A-Za-z]{3,9})[\s\-./]*(\d{1,2})(?:st|nd|rd|th)?[,\s\-./]+(\d{4})(?!\d)")
_AMOUNT = re.compile(r"(?<![\d.])-?\d{1,3}(?:[,\s]\d{3})*[.,]\d{2}(?![\d])|(?<![\d.])-?\d+[.,]\d{2}(?![\d])")
_TOTAL_WORDS = re.compile(r"t\s?o\s?t\s?a\s?l|amount\s+due|balance\s+due|grand|nett|jumlah|amt\s+due", re.I)
_NOT_TOTAL = re.compile(
    r"sub\s*-?\s*total|total\s*(qty|quantity|item|items|disc|discount|savings?|tax|gst|vat|excl|exclusive|"
    r"sales\s*\(?excl|number|no\.?\s*of|pcs|units)|qty|rounding\s*adj|item\s*count|includ|tax\s*total|gst\s*total",
    re.I,
)
_STRONG_TOTAL = re.compile(
    r"round(ed|ing)?\s*d?\s*total|total\s*round|grand\s*total|total\s*(amount|payable|due|rm|\(rm\)|inclusive|incl)|"
    r"nett?\s*total|total\s*sales\s*\(incl|amount\s+due|balance\s+due",
    re.I,
)
_COMPANY = re.compile(
    r"\b(sdn\.?\s*bhd|bhd|berhad|s/b|enterprise|enterprises|trading|restaurant|restoran|store|stores|mart|"
    r"supermarket|hardware|bakery|cafe|kedai|company|co\.|ltd|limited|llc|inc|plc|gmbh|corp|corporation|"
    r"stationery|pharmacy|book|holdings|industries|services|marketing|sdn)\b",
    re.I,
)
_NOT_ADDRESS = re.compile(
    r"\b(tel|telefon|phone|fax|gst|sst|email|e-mail|www|http|invoice|receipt|date|cashier|document|"
    r"reg\b|reg\.|registration|co\.?\s*no|company\s*no|roc|business|tax|bill|counter|table|member|"
    r"server|order|slip|no\.?\s*:\s*\d{6,})",
    re.I,
)
_ADDRESS_HINT = re.compile(
    r"\b(jalan|jln|lot|no\.?|taman|tmn|street|st\.|road|rd\.?|avenue|ave|blok|block|lorong|kampung|bandar|"
    r"persiaran|plaza|floor|level|suite|unit|johor|selangor|kuala|lumpur|malaysia|\d{5})\b",
    re.I,
)
_REG_NO = re.compile(r"^\(?\s*(co\.?\s*)?(reg\.?\s*)?(no\.?\s*:?\s*)?\d{4,}-?[a-z]?\s*\)?$|^\(\s*\d+", re.I)
_RECEIPT_CUES = re.compile(
    r"\b(receipt|invoice|cash|change|tender|total|subtotal|gst|tax|qty|cashier|thank you|rm|usd|eur|\$)", re.I
)


def _rows(lines: Sequence[Line | str]) -> list[str]:
    """Join lines sharing a printed row (vertical overlap >= 50 %), left to right."""
    if all(isinstance(ln, str) for ln in lines):
        return [str(ln).strip() for ln in lines if str(ln).strip()]
    boxed = [ln for ln in lines if isinstance(ln, Line) and ln.text.strip()]
    rows: list[list[Line]] = []
    for line in sorted(boxed, key=lambda ln: ((ln.bbox[1] + ln.bbox[3]) / 2, ln.bbox[0])):
        for row in rows[-3:]:
            if v_overlap(row[0].bbox, line.bbox) >= 0.5:
                row.append(line)
                break
        else:
            rows.append([line])
    return [" ".join(ln.text.strip() for ln in sorted(r, key=lambda ln: ln.bbox[0])) for r in rows]


def parse_date(text: str, *, dayfirst: bool = True) -> date | None:
    """The first plausible calendar date in ``text`` (numeric or with month names), else None."""
    for m in _NUMERIC_DATE.finditer(text):
        a, _, b, c = m.groups()
        try:
            if len(a) == 4:
                y, mo, d = int(a), int(b), int(c)
            else:
                d, mo = (int(a), int(b)) if dayfirst else (int(b), int(a))
                if mo > 12 and d <= 12:
                    d, mo = mo, d
                y = int(c)
                y = y + 2000 if y < 100 and len(c) == 2 else y
            if 1900 <= y <= 2100:
                return date(y, mo, d)
        except ValueError:
            continue
    for m in _TEXT_DATE.finditer(text):
        d, mon, y = m.groups()
        month = _MONTHS.get(mon.lower()) or _MONTHS.get(mon.lower()[:3])
        if month:
            try:
                year = int(y) + 2000 if len(y) == 2 else int(y)
                return date(year, month, int(d))
            except ValueError:
                continue
    for m in _TEXT_DATE_US.finditer(text):
        mon, d, y = m.groups()
        month = _MONTHS.get(mon.lower()) or _MONTHS.get(mon.lower()[:3])
        if month:
            try:
                return date(int(y), month, int(d))
            except ValueError:
                continue
    return None


def _amounts(text: str) -> list[Decimal]:
    out: list[Decimal] = []
    for raw in _AMOUNT.findall(text):
        cleaned = raw.replace(" ", "")
        if "," in cleaned and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        cleaned = cleaned.replace(",", "")
        try:
            out.append(Decimal(cleaned))
        except InvalidOperation:
            continue
    return out


def _total(rows: list[str]) -> str | None:
    candidates: list[tuple[int, int, Decimal]] = []
    for i, row in enumerate(rows):
        if not _TOTAL_WORDS.search(row) or _NOT_TOTAL.search(row) and not _STRONG_TOTAL.search(row):
            continue
        amounts = _amounts(row)
        if not amounts and i + 1 < len(rows) and not re.search(r"[A-Za-z]{3,}", rows[i + 1]):
            amounts = _amounts(rows[i + 1])
        if not amounts:
            continue
        strength = 2 if _STRONG_TOTAL.search(row) else 1
        candidates.append((strength, i, amounts[-1]))
    positive = [c for c in candidates if c[2] > 0]
    if positive:
        best = max(positive, key=lambda c: (c[0], c[1]))
        return f"{best[2]:.2f}"
    every = [a for row in rows if not re.search(r"change|cash|tender|paid", row, re.I) for a in _amounts(row)]
    return f"{max(every):.2f}" if every else None


def _date(rows: list[str], dayfirst: bool) -> str | None:
    ranked = sorted(range(len(rows)), key=lambda i: (0 if re.search(r"date|tarikh", rows[i], re.I) else 1, i))
    for i in ranked:
        found = parse_date(rows[i], dayfirst=dayfirst)
        if found:
            return found.isoformat()
    return None


_STRONG_COMPANY = re.compile(
    r"\b(sdn\.?\s*bhd|bhd|berhad|s/b|enterprise|enterprises|trading|ltd|limited|llc|inc|plc|gmbh|corp|"
    r"corporation|restaurants?|restoran|holdings|industries|company|co)\b\.?",
    re.I,
)
_PHONE = re.compile(r"\b\d{2,3}[- ]\d{3,4}[- ]?\d{3,4}\b")


def _is_reg_no(row: str) -> bool:
    return bool(_REG_NO.match(row) or re.fullmatch(r"\(?\s*[A-Z]{0,3}\d{4,}[-\s]?[A-Z]?\s*\)?\.?", row, re.I))


def _continues(prev: str, row: str) -> bool:
    """Whether ``row`` continues the name on ``prev`` (open bracket, trailing '&', bare suffix)."""
    if prev.rstrip().endswith(("&", "-", ",", "(")) or prev.count("(") > prev.count(")"):
        return True
    first = row.split()[0] if row.split() else ""
    return bool(re.fullmatch(r"(sdn\.?|bhd\.?|enterprise|trading|\(m\)|co\.?|ltd\.?)", first, re.I))


def _company(rows: list[str]) -> tuple[str | None, int]:
    """The company name rows at the top and the index of its last row (-1 if none)."""
    head = rows[:10]
    for i, row in enumerate(head):
        if _STRONG_COMPANY.search(row) and not _NOT_ADDRESS.search(row) and not _is_reg_no(row):
            start = i
            while start > 0 and _continues(head[start - 1], head[start]) and not _is_reg_no(head[start - 1]):
                start -= 1
            end = i
            while end + 1 < len(head) and _continues(head[end], head[end + 1]):
                end += 1
            return " ".join(head[start : end + 1]), end
    address_at = next(
        (
            i
            for i, r in enumerate(head)
            if _ADDRESS_HINT.search(r) and re.search(r"\d", r) and not _is_reg_no(r)
        ),
        len(head),
    )
    for i in range(address_at - 1, -1, -1):
        row = head[i]
        letters = sum(c.isalpha() for c in row)
        if letters >= 3 and letters >= 0.5 * len(row.replace(" ", "")) and not _RECEIPT_CUES.search(row):
            start = i
            while start > 0 and _continues(head[start - 1], head[start]):
                start -= 1
            return " ".join(head[start : i + 1]), i
    return None, -1


def _address(rows: list[str], company_index: int) -> str | None:
    parts: list[str] = []
    for row in rows[company_index + 1 : company_index + 10]:
        stripped = row.strip()
        if not parts and _is_reg_no(stripped):
            continue
        if _NOT_ADDRESS.search(stripped) or _PHONE.search(stripped) or _is_reg_no(stripped):
            break
        if not parts and not (_ADDRESS_HINT.search(stripped) and re.search(r"\d", stripped)):
            continue
        parts.append(stripped)
    return " ".join(parts) if parts else None


def receipt_fields(lines: Sequence[Line | str], *, dayfirst: bool = True) -> dict[str, str | None]:
    """{"company", "date" (ISO), "address", "total" (decimal string)}; None where not found."""
    rows = _rows(lines)
    company, index = _company(rows)
    return {
        "company": company,
        "date": _date(rows, dayfirst),
        "address": _address(rows, index) if index >= 0 else None,
        "total": _total(rows),
    }


def is_receipt(lines: Sequence[Line | str]) -> bool:
    """True when the text looks like a till receipt: a total with an amount, and several amounts/cues."""
    rows = _rows(lines)
    if not rows:
        return False
    text = "\n".join(rows)
    has_total = any(_TOTAL_WORDS.search(r) and _amounts(r) for r in rows) or any(
        _TOTAL_WORDS.search(rows[i]) and _amounts(rows[i + 1]) for i in range(len(rows) - 1)
    )
    n_amounts = sum(len(_amounts(r)) for r in rows)
    cues = len(set(m.lower() for m in _RECEIPT_CUES.findall(text)))
    return bool(has_total and n_amounts >= 2 and cues >= 3)
