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
# the year may run straight into a time when OCR drops the space ("03/05/202414:32")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,4})\s?([./-])\s?(\d{1,2})\s?\2\s?(\d{2,4})(?:(?!\d)|(?=\d{1,2}:\d{2}))")
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
    r"grand\s*total|total\s*(amount|amt|payable|due|rm|\(rm\)|inclusive|incl\b|\(incl)|"
    r"nett?\s*total|total\s*sales\s*\(?incl|amount\s+due|balance\s+due|total\s*to\s*pay",
    re.I,
)
# The figure after rounding: what was actually paid (beats the unrounded total above it).
_ROUNDED_TOTAL = re.compile(
    r"round(ed|ing)?\s*d?\s*total|total\s*(after\s*(adj|round)|round)|total\s*amt\s*payable|adjusted\s*total", re.I
)
_ROUNDING_ADJ = re.compile(r"round(ing)?\s*(adj|adjustment)?\b(?!.*total)", re.I)
# A tax summary table (per tax code) under the totals: its "TOTAL" row is net + tax, not the total.
_TAX_SUMMARY = re.compile(r"(gst|tax|vat|sst)\s*(summary|analysis)|tax\s*code|gst\s*rate|summary", re.I)
_PAID = re.compile(r"\b(cash|paid|tender(ed)?|payment)\b", re.I)
_CHANGE = re.compile(r"\b(change|baki)\b", re.I)
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
    r"persiaran|plaza|floor|flr|level|suite|unit|seksyen|section|desa|kawasan|mall|"
    r"johor|selangor|kuala|lumpur|kl|malaysia|pahang|perak|kedah|penang|pulau|pinang|melaka|malacca|sabah|sarawak|"
    r"kelantan|terengganu|negeri|sembilan|perlis|putrajaya|labuan|darul|singapore|\d{5})\b",
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
        day, mon, yr = m.groups()
        month = _MONTHS.get(mon.lower()) or _MONTHS.get(mon.lower()[:3])
        if month:
            try:
                year = int(yr) + 2000 if len(yr) == 2 else int(yr)
                return date(year, month, int(day))
            except ValueError:
                continue
    for m in _TEXT_DATE_US.finditer(text):
        mon, day, yr = m.groups()
        month = _MONTHS.get(mon.lower()) or _MONTHS.get(mon.lower()[:3])
        if month:
            try:
                return date(int(yr), month, int(day))
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


def _paid_minus_change(rows: list[str]) -> Decimal | None:
    """Cash tendered minus change, when both are printed: the amount the customer really paid."""
    paid = next((_amounts(r)[-1] for r in rows if _PAID.search(r) and not _CHANGE.search(r) and _amounts(r)), None)
    change = next((_amounts(r)[-1] for r in rows if _CHANGE.search(r) and _amounts(r)), None)
    if paid is None or change is None or change >= paid:
        return None
    return paid - change


def _total(rows: list[str]) -> str | None:
    """The amount on the TOTAL row: rounded total > named total (grand/nett/amount due) > plain TOTAL.

    Rows under a tax-summary header are ignored (their TOTAL is the tax table's), so are
    subtotals, tax, item counts and "TOTAL INCLUDES GST" lines. An unrounded total followed by a
    rounding adjustment is corrected by it; cash tendered minus change breaks remaining doubts.
    """
    first_total = next((i for i, r in enumerate(rows) if _TOTAL_WORDS.search(r)), len(rows))
    cut = next(
        (i for i, r in enumerate(rows) if i > first_total and _TAX_SUMMARY.search(r) and not _amounts(r)), len(rows)
    )
    body = rows[:cut]
    candidates: list[tuple[int, int, Decimal]] = []
    for i, row in enumerate(body):
        rounded = bool(_ROUNDED_TOTAL.search(row))
        strong = rounded or bool(_STRONG_TOTAL.search(row))
        if not (_TOTAL_WORDS.search(row) or rounded) or _NOT_TOTAL.search(row) and not strong:
            continue
        amounts = _amounts(row)
        if not amounts and i + 1 < len(body) and not re.search(r"[A-Za-z]{3,}", body[i + 1]):
            amounts = _amounts(body[i + 1])
        if not amounts:
            continue
        candidates.append((3 if rounded else 2 if strong else 1, i, amounts[-1]))
    positive = [c for c in candidates if c[2] > 0]
    paid = _paid_minus_change(body)
    if positive:
        if paid is not None and any(c[2] == paid for c in positive):
            return f"{paid:.2f}"
        strength, index, amount = max(positive, key=lambda c: (c[0], c[1]))
        if strength < 3:
            for row in body[index + 1 : index + 3]:
                adj = _amounts(row)
                if _ROUNDING_ADJ.search(row) and adj and abs(adj[-1]) < 1:
                    amount += adj[-1]
                    break
        return f"{amount:.2f}"
    if paid is not None:
        return f"{paid:.2f}"
    every = [a for row in body if not re.search(r"change|cash|tender|paid", row, re.I) for a in _amounts(row)]
    return f"{max(every):.2f}" if every else None


def _date(rows: list[str], dayfirst: bool) -> str | None:
    # A labelled date first, then a date printed next to a time of day (item codes like 15-07-03 never are).
    ranked = sorted(
        range(len(rows)),
        key=lambda i: (
            0 if re.search(r"date|tarikh", rows[i], re.I) else 1 if re.search(r"\b\d{1,2}:\d{2}\b", rows[i]) else 2,
            i,
        ),
    )
    for i in ranked:
        found = parse_date(rows[i], dayfirst=dayfirst)
        if found:
            return found.isoformat()
    return None


_STRONG_COMPANY = re.compile(
    r"\b(sdn\.?\s*bhd|sdn|bhd|berhad|s/b|enterprise|enterprises|trading|ltd|limited|llc|inc|plc|gmbh|corp|"
    r"corporation|restaurants?|restoran|holdings|industries|company|co)\b\.?",
    re.I,
)
_PHONE = re.compile(r"\b\d{2,3}[- ]\d{3,4}[- ]?\d{3,4}\b")


def _is_reg_no(row: str) -> bool:
    return bool(_REG_NO.match(row) or re.fullmatch(r"\(?\s*[A-Z]{0,3}\d{4,}[-\s]?[A-Z]?\s*\)?\.?", row, re.I))


# "(CO.REG : 933109-X)", "COMPANY NO: 20965-W", "BR NO.: 0195932-X", "(GST ID NO: 000504664064)": an
# identifier row between the name and the address; never part of either.
_ID_ROW = re.compile(
    r"^\(?\s*(co\.?\s*-?\s*reg|company\s*(reg\.?\s*)?no|reg(istration)?\.?\s*no|br\.?\s*no|roc|co\.?\s*no|"
    r"business\s*(reg|no)|gst|sst|tax\s*(reg|id)|site\b)",
    re.I,
)
# A trailing registration number printed on the name's own row: "99 SPEED MART S/B (519537-X)".
_TRAILING_REG = re.compile(
    r"\s*\(?\s*(co\.?\s*(reg\.?)?\s*(no\.?)?\s*:?\s*)?[A-Z]{0,3}\d{5,}\s*-?\s*[A-Z]\s*\)?\.?\s*$", re.I
)
# Rows where the header ends and the receipt body starts (the name never comes after them).
_BODY_ROW = re.compile(
    r"\b(tel|telefon|telephone|phone|h/p|fax|invoice|receipt|cashier|table|date|email|e-mail|www|http)\b", re.I
)
_GREETING = re.compile(r"\b(thank|thanks|tq|welcome|selamat|\.com)\b", re.I)
_LABEL_ROW = re.compile(r"^(?!(no|lot|unit)\b)[A-Za-z][A-Za-z .#/&-]{1,24}\s*:", re.I)


def _has_reg(row: str) -> bool:
    short_id = len(row) < 40 and re.search(r"\d{5,}\s*-\s*[A-Z]\b", row) and not _STRONG_COMPANY.search(row)
    return _is_reg_no(row) or bool(_ID_ROW.match(row)) or bool(short_id)


def _continues(prev: str, row: str) -> bool:
    """Whether ``row`` continues the name on ``prev`` (open bracket, trailing '&', bare suffix)."""
    if prev.rstrip().endswith(("&", "-", ",", "(")) or prev.count("(") > prev.count(")"):
        return True
    first = row.split()[0] if row.split() else ""
    return bool(re.fullmatch(r"(sdn\.?|bhd\.?|enterprise|trading|\(m\)|co\.?|ltd\.?)", first, re.I))


def _bare_suffix(row: str) -> bool:
    """A row that is only a legal suffix or a generic trade word plus suffix ("RESTAURANT SDN BHD"):
    the distinctive part of the name is on the row above."""
    m = _STRONG_COMPANY.search(row)
    before = re.sub(r"\([^)]*\)", " ", row[: m.start()] if m else row)
    words = [w for w in before.split() if re.search(r"[A-Za-z0-9]", w)]
    return not words or (len(words) == 1 and bool(_COMPANY.fullmatch(words[0])))


def _clean_company(text: str) -> str:
    text = _TRAILING_REG.sub("", text).strip()
    label = re.match(r"^[A-Za-z][A-Za-z ]{2,15}:\s*(.+)$", text)
    if label and _STRONG_COMPANY.search(label.group(1)):
        text = label.group(1)  # "OWNED BY: X SDN BHD" -> the owner's legal name
    return text.strip()


def _plausible_name(row: str) -> bool:
    letters = sum(c.isalpha() for c in row)
    return (
        letters >= 3
        and letters >= 0.5 * len(row.replace(" ", ""))
        and not _RECEIPT_CUES.search(row)
        and not _GREETING.search(row)
        and not _has_reg(row)
    )


def _starts_address(row: str) -> bool:
    """A street line: a house number first ("12, JALAN", "NO 8", "LOT 50"), or digits with a street word."""
    if _STRONG_COMPANY.search(row) or parse_date(row) or sum(c.isalpha() for c in row) < 3:
        return False
    numbered = re.match(r"^([A-Z]{0,2}\d+[A-Z0-9/-]*\b|(no|lot|unit|blok|block)\b\.?\s*:?\s*[A-Z]?\d)", row, re.I)
    return bool(numbered or (re.search(r"\d", row) and _ADDRESS_HINT.search(row)))


def _company(rows: list[str]) -> tuple[str | None, int]:
    """The company name rows at the top and the index of its last row (-1 if none).

    The name is looked for only in the header: above the first body row (phone, invoice, date...)
    and the first address row. A row with a legal suffix (SDN BHD, ENTERPRISE...) wins; short
    suffix rows ("RESTAURANT SDN BHD") take the row above as the start of the name. Without a
    suffix, the rows above a registration number, else the first plausible row, are the name.
    """
    head = rows[:12]
    limit = next((i for i, r in enumerate(head) if _BODY_ROW.search(r) or _starts_address(r)), len(head))
    for i, row in enumerate(head[:limit]):
        if _STRONG_COMPANY.search(row) and not _NOT_ADDRESS.search(_TRAILING_REG.sub("", row)) and not _has_reg(row):
            start = i
            while (
                start > 0
                and not _has_reg(head[start - 1])
                and _plausible_name(head[start - 1])
                and (_continues(head[start - 1], head[start]) or _bare_suffix(head[start]))
            ):
                start -= 1
                if _STRONG_COMPANY.search(head[start]):
                    break
            end = i
            while end + 1 < limit and _continues(head[end], head[end + 1]):
                end += 1
            return _clean_company(" ".join(head[start : end + 1])), end
    reg_at = next((i for i, r in enumerate(head[: limit + 1]) if _has_reg(r)), None)
    first = next((i for i, r in enumerate(head[:limit]) if _plausible_name(r)), None)
    if first is None:
        return None, -1
    if reg_at is not None and reg_at > first and all(_plausible_name(r) for r in head[first:reg_at]):
        return _clean_company(" ".join(head[first:reg_at])), reg_at - 1
    end = first
    while end + 1 < limit and _continues(head[end], head[end + 1]):
        end += 1
    return _clean_company(" ".join(head[first : end + 1])), end


def _ends_after_postcode(row: str) -> bool:
    """A postcode followed by the town: the address is complete (a bare trailing postcode is not)."""
    return bool(re.search(r"(?<!\d)\d{5}(?!\d)\s*,?\s*[A-Za-z]", row))


def _address(rows: list[str], company_index: int) -> str | None:
    """The rows after the name, past identifier rows, up to the phone/tax/date rows, joined.

    After the postcode row only bracketed rows ("(TESCO PUTRA NILAI)") and place names continue
    the address; a branch or outlet name on its own does not.
    """
    parts: list[str] = []
    postcode = False
    for row in rows[company_index + 1 : company_index + 12]:
        stripped = row.strip()
        if not parts:
            if _has_reg(stripped) or _ID_ROW.match(stripped) or parse_date(stripped):
                continue
            if _BODY_ROW.search(stripped) or _PHONE.search(stripped):
                return None
            if _starts_address(stripped) and not _LABEL_ROW.match(stripped):
                parts.append(stripped)
                postcode = _ends_after_postcode(stripped)
            continue
        if postcode and not (stripped.startswith("(") or _ADDRESS_HINT.search(stripped)):
            break
        if (
            _NOT_ADDRESS.search(stripped)
            or _PHONE.search(stripped)
            or _has_reg(stripped)
            or _LABEL_ROW.match(stripped)
            or "@" in stripped
            or parse_date(stripped)
        ):
            break
        parts.append(stripped)
        postcode = postcode or _ends_after_postcode(stripped)
    return " ".join(parts) if parts else None


_US_CUES = re.compile(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\$\s?\d")


def receipt_fields(lines: Sequence[Line | str], *, dayfirst: bool | None = None) -> dict[str, str | None]:
    """{"company", "date" (ISO), "address", "total" (decimal string)}; None where not found.

    Company and address come from the learned row model where it is sure (see
    :mod:`docledger.ocr.receipt_read`, which also gives a confidence per field), else from the
    rules below. ``dayfirst=None`` decides from the receipt: a US state + ZIP code or dollar
    amounts mean month-first dates (03/05/2024 is 5 March in the US, 3 May elsewhere).
    """
    from docledger.ocr.receipt_read import read_receipt

    return read_receipt(lines, dayfirst=dayfirst).values()


def guess_dayfirst(rows: Sequence[str]) -> bool:
    return not _US_CUES.search("\n".join(rows))


def rule_fields(lines: Sequence[Line | str], *, dayfirst: bool | None = None) -> dict[str, str | None]:
    """The hand-written rules alone (the reference the learned model is measured against)."""
    rows = _rows(lines)
    if dayfirst is None:
        dayfirst = guess_dayfirst(rows)
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
