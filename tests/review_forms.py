"""Test-only field extractors and generated forms for the review feature.

- ``SpecFields``: the document's bytes ARE a fields.json (plus optional page words); it writes them
  as the ``fields`` stage would (``fields.json`` + ``fields.extracted``), with no OCR involved.
- ``make_payroll_pdf``: one printed layout ("Northwind payroll statement") with varying values;
  ``NaiveFields`` reads "Label value" pairs on one line from the text layer's words, so it misses
  the employee number, printed in a box *under* its label: that field goes to review until the
  review stage has learned where it sits.
"""

from __future__ import annotations

import io
import json
import random
from typing import Any

from docledger.stages.base import Stage, StageContext


class SpecFields(Stage):
    name = "fields"
    version = "0.test"
    subscribes = ("document.registered",)

    def process(self, ctx: StageContext) -> None:
        spec = json.loads(ctx.read(ctx.original()))
        if "page" in spec:
            ctx.add_json("page-1/page.json", "page-json", spec["page"], page=1)
        art = ctx.add_json("fields.json", "fields-json", spec["fields"])
        ctx.emit("fields.extracted", {"artifact_id": art, "document_id": ctx.document_id})


def field(
    name: str,
    value: str | None,
    confidence: float,
    *,
    valid: bool = True,
    threshold: float = 0.8,
    page: int | None = 1,
    bbox: list[float] | None = None,
    errors: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "field": name,
        "value": value,
        "normalized": value,
        "confidence": confidence,
        "page": page,
        "bbox": bbox or [10.0, 20.0, 110.0, 34.0],
        "source": "form",
        "valid": valid,
        "errors": errors or [],
        "review_threshold": threshold,
    }


def spec_bytes(
    doc_type: str, fields: list[dict[str, Any]], *, tag: str = "", page: dict[str, Any] | None = None
) -> bytes:
    body: dict[str, Any] = {"fields": {"doc_type": doc_type, "schema_version": "t1", "fields": fields}, "tag": tag}
    if page is not None:
        body["page"] = page
    return json.dumps(body).encode()


# ---- a printed form layout ----------------------------------------------------------------------
FIRST = ["Maria", "John", "Aiko", "Lars", "Fatima", "Pedro", "Grace", "Omar", "Lena", "Victor", "Chen", "Ana"]
LAST = ["Okafor", "Smith", "Tanaka", "Berg", "Haddad", "Alvarez", "Kim", "Nasser", "Novak", "Dubois", "Li"]
EMPLOYERS = ["Northwind Traders", "Contoso Ltd", "Fabrikam Inc", "Tailspin Toys", "Litware Group"]
LABELS = {"employee_name": "Employee", "employer": "Employer", "pay_date": "Pay date", "net_pay": "Net pay"}


def payroll_values(rng: random.Random) -> dict[str, str]:
    return {
        "employee_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "employer": rng.choice(EMPLOYERS),
        "pay_date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "net_pay": f"{rng.randint(900, 9000)}.{rng.randint(0, 99):02d}",
        "employee_number": f"EMP-{rng.randint(10000, 99999)}",
    }


def make_payroll_pdf(values: dict[str, str], *, shift: float = 0.0, other_layout: bool = False) -> bytes:
    """One page of the Northwind payroll layout; ``shift`` moves everything down (points).

    ``other_layout`` prints the same values on a different form (another issuer's pay advice), on
    which nothing learned from the Northwind layout may be applied."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    top = 790 - shift
    if other_layout:
        c.setFont("Helvetica-Bold", 14)
        c.drawString(300, top, "Contoso monthly pay advice")
        c.setFont("Helvetica", 10)
        y = top - 60
        for label, key in (
            ("Staff member", "employee_name"),
            ("Issued by", "employer"),
            ("Paid on", "pay_date"),
            ("Amount paid", "net_pay"),
            ("Staff number", "employee_number"),
        ):
            c.drawString(300, y, label)
            c.drawString(420, y, values[key])
            y -= 20
        c.drawString(72, y - 40, "Keep this advice for your records. Contact human resources with questions.")
        c.showPage()
        c.save()
        return buf.getvalue()
    c.setFont("Helvetica-Bold", 15)
    c.drawString(72, top, "Northwind payroll statement")
    c.setFont("Helvetica", 11)
    c.drawString(72, top - 22, "Statement of earnings and deductions for the period shown below")
    y = top - 70
    for key in ("employee_name", "employer", "pay_date", "net_pay"):
        c.drawString(72, y, LABELS[key])
        c.drawString(200, y, values[key])
        y -= 24
    c.drawString(360, top - 70, "Personnel reference")
    c.rect(356, top - 104, 150, 24)
    c.drawString(364, top - 96, values["employee_number"])
    c.drawString(72, y - 30, "Questions about this statement go to your payroll office.")
    c.showPage()
    c.save()
    return buf.getvalue()


class NaiveFields(Stage):
    """Reads 'Label value' pairs on one line of the text layer; the boxed employee number is missed."""

    name = "fields"
    version = "0.naive"
    subscribes = ("text.extracted",)
    unsure: tuple[str, ...] = ()  # fields read with a low confidence (0.6), so a reviewer checks them

    def process(self, ctx: StageContext) -> None:
        pages = [a for a in ctx.artifacts() if a["kind"] in ("page-json", "ocr-json") and a["page"] == 1]
        data = json.loads(ctx.read(pages[-1]))
        words = data.get("words", [])
        out = []
        for key, label in [*LABELS.items(), ("employee_number", "Employee number")]:
            value, bbox = _right_of(words, label, float(data.get("width") or 595.0) / 595.0)
            conf = (0.6 if key in self.unsure else 0.97) if value else 0.0
            out.append(
                {
                    "field": key,
                    "value": value,
                    "normalized": value,
                    "confidence": conf,
                    "page": 1,
                    "bbox": bbox,
                    "source": "text",
                    "valid": value is not None,
                    "errors": [] if value else ["missing"],
                    "review_threshold": 0.8,
                }
            )
        art = ctx.add_json(
            "fields.json", "fields-json", {"doc_type": "pay-stub", "schema_version": "naive-1", "fields": out}
        )
        ctx.emit("fields.extracted", {"artifact_id": art, "document_id": ctx.document_id})


def _right_of(words: list[dict[str, Any]], label: str, scale: float) -> tuple[str | None, list[float] | None]:
    """The words right of ``label`` on its line (distances in points of an A4 page, times ``scale``)."""
    parts = label.split()
    for i in range(len(words) - len(parts) + 1):
        if [w["text"] for w in words[i : i + len(parts)]] != parts:
            continue
        last = words[i + len(parts) - 1]
        y = (last["bbox"][1] + last["bbox"][3]) / 2
        after = [
            w
            for w in words
            if w["bbox"][0] > last["bbox"][2]
            and w["bbox"][1] <= y <= w["bbox"][3]
            and w["bbox"][0] - last["bbox"][2] < 160 * scale
        ]
        after.sort(key=lambda w: w["bbox"][0])
        picked: list[dict[str, Any]] = []
        for w in after:
            if picked and w["bbox"][0] - picked[-1]["bbox"][2] > 30 * scale:
                break
            picked.append(w)
        if picked:
            bbox = [
                picked[0]["bbox"][0],
                min(w["bbox"][1] for w in picked),
                picked[-1]["bbox"][2],
                max(w["bbox"][3] for w in picked),
            ]
            return " ".join(w["text"] for w in picked), bbox
    return None, None
