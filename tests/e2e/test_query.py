"""Queries end to end: generated scans -> pipeline (OCR, receipt fields, learned form linker) -> CLI, API, web page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFont

from docledger.api import create_app
from docledger.ledger import Ledger
from docledger.pipeline import open_ledger
from docledger.settings import Settings
from docledger.worker import Worker

BIN = Path(sys.executable).parent / "docledger"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

RECEIPT = """SPRINGFIELD PHARMACY
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

Thank you for your visit"""

FORM = [  # (x, text) per row; keys and values placed like a printed form
    [(90, "VERIFICATION OF EMPLOYMENT")],
    [],
    [(90, "Employee name:"), (420, "Maria Gonzalez")],
    [(90, "Position:"), (420, "Logistics Analyst")],
    [(90, "Start date:"), (420, "04/03/2017")],
    [],
    [(90, "Requested by:"), (420, "First Prairie Bank")],
    [(90, "Date:"), (420, "03/15/2024")],
]


def _page(rows: list[list[tuple[int, str]]], size: tuple[int, int] = (1275, 1650), px: int = 30) -> Image.Image:
    img = Image.new("L", size, 248)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, px)
    y = 90
    for row in rows:
        for x, text in row:
            draw.text((x, y), text, fill=20, font=font)
        y += px + 22
    return img


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("query")
    receipt, form = root / "receipt.png", root / "form.png"
    _page([[(90, line)] if line else [] for line in RECEIPT.split("\n")]).save(receipt)
    _page(FORM).save(form)
    home = root / "home"
    ledger = open_ledger(Settings(home=home))
    ids = {p.stem: ledger.ingest_path(p, tenant="bank-a").document_id for p in (receipt, form)}
    Worker(ledger).run(until_idle=True)
    for doc_id in ids.values():
        assert ledger.get_document(doc_id)["status"] == "SUCCEEDED"
    ledger.close()
    return {"home": home, "ids": ids}


def _cli(home: Path, *args: str) -> list[dict]:
    env = {**os.environ, "DOCLEDGER_HOME": str(home)}
    env.pop("DOCLEDGER_DATABASE_URL", None)
    proc = subprocess.run([str(BIN), "query", *args, "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _check(answers: list[dict], query: str, value: str, source: str) -> None:
    assert answers, f"no answer to {query!r}"
    best = answers[0]
    assert set(best) == {"query", "value", "confidence", "page", "bbox", "source"}
    assert (best["query"], best["value"], best["source"], best["page"]) == (query, value, source, 1)
    assert 0.0 < best["confidence"] <= 1.0
    assert best["bbox"] is not None and len(best["bbox"]) == 4
    assert all(0.0 <= a["confidence"] <= 1.0 and a["source"] in {"form", "table", "text", "field"} for a in answers)


def test_cli_answers_total_date_and_company_on_a_receipt(processed: dict) -> None:
    doc = processed["ids"]["receipt"]
    _check(_cli(processed["home"], doc, "total"), "total", "47.85", "field")
    _check(_cli(processed["home"], doc, "date"), "date", "2024-03-05", "field")
    _check(_cli(processed["home"], doc, "company"), "company", "SPRINGFIELD PHARMACY", "field")


def test_cli_answers_a_printed_question_with_its_linked_answer(processed: dict) -> None:
    doc = processed["ids"]["form"]
    _check(_cli(processed["home"], doc, "Date:"), "Date:", "03/15/2024", "form")
    _check(_cli(processed["home"], doc, "Position"), "Position", "Logistics Analyst", "form")


def test_api_and_web_page_give_the_same_answers(processed: dict) -> None:
    ledger = Ledger(Settings(home=processed["home"]))
    try:
        client = TestClient(create_app(ledger, auth_required=False))
        doc = processed["ids"]["receipt"]
        got = client.get(f"/v1/documents/{doc}/query", params={"q": "total"})
        assert got.status_code == 200
        _check(got.json(), "total", "47.85", "field")
        posted = client.post(f"/v1/documents/{processed['ids']['form']}/query", json={"query": "Date:"})
        _check(posted.json(), "Date:", "03/15/2024", "form")
        assert client.get("/v1/documents/01NOPE/query", params={"q": "total"}).status_code == 404
        assert client.post(f"/v1/documents/{doc}/query", json={"query": ""}).status_code == 422
        page = client.get(f"/ui/documents/{doc}/query", params={"q": "total"})
        assert page.status_code == 200 and "47.85" in page.text and "field" in page.text
        assert f'action="/ui/documents/{doc}/query"' in client.get(f"/ui/documents/{doc}").text
    finally:
        ledger.close()
