"""The demo documents are what they claim: every expectation is checked with the real readers
(sniff, pdf, image, xml) and the scanned ones with real OCR (tesseract)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from docledger.demo.samples import APPLICANT, SSN, SampleDoc, generate_samples
from docledger.exceptions import UnprocessableDocument
from docledger.media.image import inspect_image
from docledger.media.pdf import acroform_fields, extract_pdf_text, inspect_pdf
from docledger.media.sniff import media_type_from_name, sniff
from docledger.media.xmldoc import read_xml

TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata")


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[SampleDoc]:
    return generate_samples(tmp_path_factory.mktemp("demo") / "inbox")


def _by_kind(samples: list[SampleDoc]) -> dict[str, SampleDoc]:
    return {s.kind: s for s in samples}


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_set_shape(samples: list[SampleDoc]) -> None:
    assert 18 <= len(samples) <= 24
    assert len({s.path.name for s in samples}) == len(samples)
    assert all(s.path.is_file() for s in samples)
    assert {s.expected_status for s in samples} <= {"SUCCEEDED", "PARTIAL", "FAILED"}
    failed = {s.kind: s.expected_reason for s in samples if s.expected_status == "FAILED"}
    assert failed == {
        "encrypted": "encrypted_pdf",
        "corrupt": "corrupt_file",
        "empty": "empty_file",
        "unsupported": "unsupported_media_type",
    }
    assert all(s.expected_reason is None for s in samples if s.expected_status != "FAILED")
    assert samples[0].to_dict()["path"] == str(samples[0].path)


def test_generation_is_deterministic(samples: list[SampleDoc], tmp_path: Path) -> None:
    again = generate_samples(tmp_path)
    assert [s.path.name for s in again] == [s.path.name for s in samples]
    for first, second in zip(samples, again, strict=True):
        assert first.path.read_bytes() == second.path.read_bytes(), first.path.name


def test_media_types_come_from_bytes(samples: list[SampleDoc]) -> None:
    families = {s.kind: sniff(s.path.read_bytes()).family for s in samples}
    assert families["empty"] == "empty"
    assert families["unsupported"] == "unknown"
    assert families["xml"] == families["clinical_xml"] == "xml"
    assert families["scanned_form"] == families["receipt"] == "image"
    mislabelled = _by_kind(samples)["mislabelled"]
    assert media_type_from_name(mislabelled.path.name) == "application/pdf"
    assert sniff(mislabelled.path.read_bytes()).media_type == "image/png"
    assert sniff(_by_kind(samples)["unsupported"].path.read_bytes()).media_type.endswith("wordprocessingml.document")


def test_failures_fail_with_the_expected_reason(samples: list[SampleDoc]) -> None:
    for kind in ("encrypted", "corrupt"):
        sample = _by_kind(samples)[kind]
        with pytest.raises(UnprocessableDocument) as err:
            inspect_pdf(sample.path)
        assert err.value.code == sample.expected_reason


def test_duplicate_is_byte_identical(samples: list[SampleDoc]) -> None:
    dup = _by_kind(samples)["duplicate"]
    assert dup.duplicate_of is not None
    assert dup.path.read_bytes() == (dup.path.parent / dup.duplicate_of).read_bytes()


def test_pdfs_route_as_described(samples: list[SampleDoc]) -> None:
    layers = {}
    for sample in samples:
        if sample.path.suffix == ".pdf" and sample.expected_status == "SUCCEEDED" and sample.kind != "mislabelled":
            info = inspect_pdf(sample.path)
            assert not info.repaired, sample.path.name
            layers[sample.kind] = info.text_layer
            assert info.encrypted is (sample.kind == "restricted_pdf"), sample.path.name
    assert layers["scanned_pdf"] == [False]
    assert layers["mixed_pdf"] == [True, False]
    assert len(layers["clinical_note"]) >= 2
    digital = {k: v for k, v in layers.items() if k not in ("scanned_pdf", "mixed_pdf")}
    assert len(digital) >= 9 and all(all(v) for v in digital.values())


def test_digital_text_contains_what_the_sample_promises(samples: list[SampleDoc]) -> None:
    texts: dict[str, str] = {}
    for sample in samples:
        if sample.path.suffix == ".pdf" and sample.kind not in (
            "mislabelled",
            "encrypted",
            "corrupt",
            "empty",
        ):
            pages = extract_pdf_text(sample.path)
            texts[sample.kind] = _flat(" ".join(p.text for p in pages))
            if sample.kind not in ("scanned_pdf", "mixed_pdf", "acroform"):  # OCR or form values
                for expected in sample.contains:
                    assert expected in texts[sample.kind], (sample.path.name, expected)
    assert texts["scanned_pdf"] == "" and texts["mixed_pdf"].startswith("Closing Disclosure Lender:")
    note = texts["clinical_note"]
    for section in ("HISTORY OF PRESENT ILLNESS:", "MEDICATIONS:", "b.i.d.", "Dr. Smith", "mg."):
        assert section in note
    assert "021000021" in texts["bank_statement"] and "Routing number" in texts["bank_statement"]
    assert re.search(r"\b\d{3}-\d{2}-\d{4}\b", texts["cover_letter"]) and SSN != "078-05-1120"
    # the cast connects the documents: the applicant appears across most of them
    assert sum(APPLICANT in t for t in texts.values()) >= 8


def test_tables_and_form_fields_read_back(samples: list[SampleDoc]) -> None:
    kinds = _by_kind(samples)
    pay = extract_pdf_text(kinds["pay_slip"].path)[0].tables
    assert pay[0][0] == ["Earnings", "Hours", "Rate", "Current", "Year to date"]
    assert ["Gross pay", "", "", "3,243.92", "19,002.08"] in pay[0]
    statement = extract_pdf_text(kinds["bank_statement"].path)[0].tables[0]
    assert statement[0] == ["Date", "Description", "Withdrawals", "Deposits", "Balance"] and len(statement) == 10
    fields = {f["name"]: f for f in acroform_fields(kinds["acroform"].path)}
    assert fields["borrower_name"]["value"] == APPLICANT and fields["ssn"]["value"] == SSN
    assert fields["first_time_buyer"]["checked"] is True and fields["veteran"]["checked"] is False
    assert (fields["rate_type"]["value"], fields["loan_term"]["value"]) == ("fixed", "30 years")


def test_xml_samples(samples: list[SampleDoc]) -> None:
    for kind, root in (("xml", "Invoice"), ("clinical_xml", "ClinicalDocument")):
        sample = _by_kind(samples)[kind]
        doc = read_xml(sample.path.read_bytes())
        assert doc.root_tag == root
        assert all(expected in doc.text for expected in sample.contains)


def test_images_inspect(samples: list[SampleDoc]) -> None:
    kinds = _by_kind(samples)
    form = inspect_image(kinds["scanned_form"].path)
    assert (form.format, form.width, form.height, form.dpi) == ("PNG", 1275, 1650, (150.0, 150.0))
    assert inspect_image(kinds["receipt"].path).format == "JPEG"
    assert inspect_image(kinds["mislabelled"].path).format == "PNG"


def _page_image(path: Path, page: int) -> Image.Image:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        return doc[page - 1].render(scale=150 / 72).to_pil()
    finally:
        doc.close()


@pytest.mark.skipif(not TESSDATA.is_dir(), reason="tesseract language data not installed")
def test_scanned_documents_are_readable_by_ocr(samples: list[SampleDoc]) -> None:
    tesserocr = pytest.importorskip("tesserocr")
    kinds = _by_kind(samples)
    images = {kind: Image.open(kinds[kind].path) for kind in ("scanned_form", "receipt", "mislabelled")}
    images["scanned_pdf"] = _page_image(kinds["scanned_pdf"].path, 1)
    images["mixed_pdf"] = _page_image(kinds["mixed_pdf"].path, 2)
    with tesserocr.PyTessBaseAPI(path=str(TESSDATA) + "/", lang="eng") as api:
        for kind, img in images.items():
            with img:
                api.SetImage(img)
                text = _flat(api.GetUTF8Text())
            promised = kinds[kind].contains[1:] if kind == "mixed_pdf" else kinds[kind].contains
            for expected in promised:
                assert expected in text, (kind, expected, text[:200])
