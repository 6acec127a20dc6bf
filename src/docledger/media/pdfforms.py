"""AcroForm field values of a filled-in PDF form.

A filled form's values live in the field dictionaries, not (reliably) in the page text:
the appearance streams may be missing or stale. Reading ``/V`` through qpdf's form
helper gives the values the person actually entered, with inherited attributes resolved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pikepdf

from docledger.media import errors
from docledger.media.pdfopen import open_pikepdf


def acroform_fields(path: Path, *, password: str | None = None) -> list[dict[str, Any]]:
    """One dict per terminal form field, in document order.

    Keys: ``name`` (fully qualified, e.g. ``borrower.name``), ``value`` (str; ``""`` when
    unfilled; the export value such as ``Yes``/``Off`` for buttons), ``page`` (1-based, or
    ``None`` when no widget is placed on a page), ``bbox`` (the first widget's rectangle as
    ``[x0, y0, x1, y1]`` in points, origin top-left like word boxes, or ``None``), ``type``
    (``text``, ``checkbox``, ``radio``, ``choice``, ``signature``, ``pushbutton`` or
    ``unknown``) and ``checked`` (bool for checkboxes and radio groups, else ``None``).
    Radio widgets sharing a name are reported once. A PDF without a form gives ``[]``.
    """
    pdf, reason = open_pikepdf(Path(path), password)
    if pdf is None:
        raise errors.corrupt_file("PDF", reason)
    with pdf:
        try:
            form = pdf.acroform
            if not form.exists:
                return []
            fields = list(form.fields)
            places = _widget_places(pdf, form)
        except pikepdf.PdfError as exc:
            raise errors.corrupt_file("PDF", f"form fields unreadable: {exc}") from None
        seen: set[str] = set()
        out: list[dict[str, Any]] = []
        for fld in fields:
            name = _safe(lambda f=fld: f.fully_qualified_name) or f"field_{fld.obj.objgen[0]}"
            if name in seen:
                continue
            seen.add(name)
            kind = _kind(fld)
            value = _value(fld)
            checked = value not in ("", "Off") if kind in ("checkbox", "radio") else None
            page, bbox = places.get(name, (None, None))
            out.append({"name": name, "value": value, "page": page, "bbox": bbox, "type": kind, "checked": checked})
        return out


def _widget_places(pdf: pikepdf.Pdf, form: Any) -> dict[str, tuple[int, list[float] | None]]:
    """Map field name -> (first page holding one of its widgets, that widget's top-left box)."""
    places: dict[str, tuple[int, list[float] | None]] = {}
    for number, page in enumerate(pdf.pages, start=1):
        helper = pikepdf.Page(page)
        top = _safe(lambda h=helper: float(h.mediabox[3]))
        for annot in _safe(lambda h=helper: form.get_widget_annotations_for_page(h)) or []:
            name = _safe(lambda a=annot: form.get_field_for_annotation(a).fully_qualified_name)
            if not name or name in places:
                continue
            places[name] = (number, _top_left_box(_safe(lambda a=annot: a.obj.get("/Rect")), top))
    return places


def _top_left_box(rect: Any, top: float | None) -> list[float] | None:
    try:
        x0, y0, x1, y1 = (float(v) for v in rect)
    except (TypeError, ValueError):
        return None
    if top is None:
        return None
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    return [round(x0, 2), round(top - y1, 2), round(x1, 2), round(top - y0, 2)]


def _kind(fld: Any) -> str:
    if _safe(lambda: fld.is_checkbox):
        return "checkbox"
    if _safe(lambda: fld.is_radio_button):
        return "radio"
    if _safe(lambda: fld.is_pushbutton):
        return "pushbutton"
    if _safe(lambda: fld.is_text):
        return "text"
    if _safe(lambda: fld.is_choice):
        return "choice"
    if str(_safe(lambda: fld.field_type) or "") == "/Sig":
        return "signature"
    return "unknown"


def _value(fld: Any) -> str:
    """The field's value as text: strings as entered, names without the slash, arrays joined."""
    raw = _safe(lambda: fld.value)
    if raw is None:
        return ""
    if isinstance(raw, pikepdf.Name):
        return str(raw)[1:]
    if isinstance(raw, pikepdf.Array):
        return "; ".join(str(item)[1:] if isinstance(item, pikepdf.Name) else str(item) for item in raw)
    if isinstance(raw, pikepdf.String):
        return str(raw)
    if isinstance(raw, pikepdf.Dictionary | pikepdf.Stream):
        return ""  # e.g. a signature dictionary: its presence, not its bytes, is the value
    text = _safe(lambda: fld.value_as_string)
    return "" if text is None else str(text)


def _safe(getter: Any) -> Any:
    """Damaged field dictionaries are common in the wild; one bad field must not lose the rest."""
    try:
        return getter()
    except (pikepdf.PdfError, ValueError, TypeError, AttributeError, RuntimeError):
        return None
