"""Normalisers and format checks per field type: each takes the raw text found for a field and
returns (value as found, normalised value, errors). An empty error list means the value passed."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

_MONEY = re.compile(r"\(?-?\$?\s?(?:\d{1,3}(?:[,\s]\d{3})+|\d+)(?:\.\d{2})?\)?")
_SSN = re.compile(r"(?<![\dX*])([\dX*]{3})[-\s]?([\dX*]{2})[-\s]?(\d{4})(?!\d)")
_EIN = re.compile(r"(?<!\d)(\d{2})[-\s]?(\d{7})(?!\d)")
_ACCOUNT = re.compile(r"(?<![\w])([X*x\d][X*x\d\s-]{3,24}\d{4})(?!\d)")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_NUMERIC_FIX = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "S": "5"})
_MONTHS = "january february march april may june july august september october november december".split()
_DATE_PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b"), "mdy"),
    (re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})\b"), "mdy2"),
    (re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b"), "Mdy"),
    (re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b"), "dMy"),
]
_BAD_EIN_PREFIX = {"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89", "96", "97"}

Normalised = tuple[str | None, Any, list[str]]


def _fix_digits(s: str) -> str:
    """OCR reads 0 as O and 1 as l inside numbers; fix those only in digit-dominated tokens."""
    return " ".join(
        t.translate(_NUMERIC_FIX) if sum(c.isdigit() for c in t) >= max(1, len(t) // 2) else t for t in s.split(" ")
    )


def money(raw: str) -> Normalised:
    m = _MONEY.search(_fix_digits(raw))
    if not m or not re.search(r"\d", m.group(0)):
        return None, None, ["no amount found"]
    found = m.group(0).strip()
    neg = found.startswith("(") or "-" in found
    digits = re.sub(r"[^\d.]", "", found)
    try:
        value = round(float(digits), 2)
    except ValueError:
        return found, None, [f"{found!r} is not an amount"]
    return found, -value if neg else value, []


def _month(name: str) -> int | None:
    n = name.lower()
    for i, m in enumerate(_MONTHS, start=1):
        if n[:3] == m[:3]:
            return i
    return None


def parse_date(raw: str) -> Normalised:
    best: tuple[int, str, str] | None = None
    for rx, kind in _DATE_PATTERNS:
        m = rx.search(raw)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind, m.group(0))
    if best is None:
        return None, None, ["no date found"]
    _, kind, found = best
    m = next(rx for rx, k in _DATE_PATTERNS if k == kind).search(found)
    assert m is not None
    g = m.groups()
    try:
        if kind == "ymd":
            d = date(int(g[0]), int(g[1]), int(g[2]))
        elif kind == "mdy":
            d = date(int(g[2]), int(g[0]), int(g[1]))
        elif kind == "mdy2":
            y = int(g[2])
            d = date(2000 + y if y < 70 else 1900 + y, int(g[0]), int(g[1]))
        else:
            mon = _month(g[0] if kind == "Mdy" else g[1])
            day = int(g[1] if kind == "Mdy" else g[0])
            if mon is None:
                return found, None, [f"{found!r} is not a date"]
            d = date(int(g[2]), mon, day)
    except ValueError:
        return found, None, [f"{found!r} is not a valid date"]
    errors = [] if 1900 <= d.year <= 2100 else [f"year {d.year} is out of range"]
    return found, d.isoformat(), errors


def ssn(raw: str) -> Normalised:
    m = _SSN.search(_fix_digits(raw))
    if not m:
        return None, None, ["no social security number found"]
    area, group, serial = m.groups()
    found = m.group(0)
    if not area.isdigit() or not group.isdigit():
        return found, f"***-**-{serial}", []  # masked on the document: only the last four are known
    errors = []
    if area in ("000", "666") or area.startswith("9"):
        errors.append(f"SSN area {area} is never issued")
    if group == "00" or serial == "0000":
        errors.append("SSN group 00 / serial 0000 is never issued")
    return found, f"{area}-{group}-{serial}", errors


def ein(raw: str) -> Normalised:
    m = _EIN.search(_fix_digits(raw))
    if not m:
        return None, None, ["no employer identification number found"]
    prefix, rest = m.groups()
    errors = [f"EIN prefix {prefix} is not assigned by the IRS"] if prefix in _BAD_EIN_PREFIX else []
    return m.group(0), f"{prefix}-{rest}", errors


def account(raw: str) -> Normalised:
    m = _ACCOUNT.search(raw)
    if not m:
        return None, None, ["no account number found"]
    found = m.group(1).strip()
    digits = re.sub(r"\D", "", found)
    return found, f"****{digits[-4:]}", []


def year(raw: str) -> Normalised:
    m = _YEAR.search(raw)
    if not m:
        return None, None, ["no year found"]
    return m.group(0), int(m.group(0)), []


def name(raw: str) -> Normalised:
    cleaned = re.split(r"\s{2,}|\t|\|", raw.strip())[0]
    cleaned = re.sub(r"[^A-Za-z .,'\-]", "", cleaned).strip(" ,.-")
    words = cleaned.split()
    if not words:
        return None, None, ["no name found"]
    words = words[:5]
    found = " ".join(words)
    errors = [] if len(found) >= 3 and any(len(w) > 1 for w in words) else [f"{found!r} does not look like a name"]
    norm = " ".join(w if any(c.islower() for c in w) else w.capitalize() for w in words)
    return found, norm, errors


def text(raw: str) -> Normalised:
    cleaned = re.split(r"\s{2,}|\t|\|", raw.strip())[0].strip(" :")
    if not cleaned:
        return None, None, ["empty"]
    cleaned = cleaned[:120]
    return cleaned, re.sub(r"\s+", " ", cleaned), []


def address(raw: str) -> Normalised:
    cleaned = re.split(r"\s{3,}|\t|\|", raw.strip())[0].strip(" :")
    if not cleaned:
        return None, None, ["empty"]
    errors = (
        []
        if re.search(r"\d", cleaned) and re.search(r"[A-Za-z]{2}", cleaned)
        else [f"{cleaned!r} does not look like an address"]
    )
    return cleaned, re.sub(r"\s+", " ", cleaned), errors


NORMALISERS = {
    "money": money,
    "date": parse_date,
    "ssn": ssn,
    "ein": ein,
    "account": account,
    "year": year,
    "name": name,
    "text": text,
    "address": address,
}


def comparable(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return datetime.fromisoformat(v).date()
        except ValueError:
            return None
    return v
