"""Entities, key phrases and PII with the real spaCy model and Presidio."""

from __future__ import annotations

import pytest

from docledger.exceptions import InvalidRequest
from docledger.nlp.entities import extract_entities
from docledger.nlp.keyphrases import extract_key_phrases
from docledger.nlp.pii import analyze_text, detect_pii, get_analyzer
from docledger.nlp.pii_recognizers import aba_checksum_ok, itin_ok


@pytest.fixture(scope="module", autouse=True)
def analyzer() -> object:
    return get_analyzer()  # loads spaCy + Presidio once for the module


def found(text: str, types: list[str] | None = None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in detect_pii(text, types):
        assert text[f["start"] : f["end"]] == f["text"]
        out.setdefault(f["type"], []).append(f["text"])
    return out


def test_entities_with_offsets() -> None:
    text = "John Smith paid $45.50 to Jane Doe in London on 3 March 2024."
    ents = extract_entities(text)
    labels = {(e["text"], e["label"]) for e in ents}
    assert ("John Smith", "PERSON") in labels and ("London", "GPE") in labels
    assert all(text[e["start"] : e["end"]] == e["text"] and e["score"] == 1.0 for e in ents)
    assert extract_entities("   ") == []


def test_key_phrases_merged_scored_and_deduplicated() -> None:
    text = (
        "The mortgage application lists two mortgage applications from earlier years. "
        "Flood insurance is required for the property. The flood insurance policy must name the lender. "
        "HISTORY: The property lies in a flood zone near the river."
    )
    phrases = extract_key_phrases(text, top=6)
    assert 0 < len(phrases) <= 6
    scores = [p["score"] for p in phrases]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    lowered = [p["text"].lower() for p in phrases]
    assert any("flood insurance" in p for p in lowered)
    # plural / case / containment duplicates collapse to one entry
    assert sum("mortgage application" in p for p in lowered) <= 1
    assert sum(p in ("flood insurance", "flood insurance policy") for p in lowered) <= 1
    assert "history" not in lowered  # section headings are not key phrases


def test_core_types_person_ssn_phone_email_card() -> None:
    text = (
        "Applicant Maria Garcia, SSN 219-09-9999, phone (212) 555-0187, email maria.garcia@example.com, "
        "paid with card 4111 1111 1111 1111."
    )
    got = found(text)
    assert got["PERSON"] == ["Maria Garcia"]
    assert got["US_SSN"] == ["219-09-9999"]
    assert got["PHONE_NUMBER"] == ["(212) 555-0187"]
    assert got["EMAIL_ADDRESS"] == ["maria.garcia@example.com"]
    assert got["CREDIT_CARD"] == ["4111 1111 1111 1111"]
    assert "ORGANIZATION" not in got and "DATE_TIME" not in got


def test_us_address_recognizer() -> None:
    got = found("The borrower lives at 1420 North Maple Avenue, Apt 4B, Springfield, IL 62704 since 2010.")
    assert got["US_ADDRESS"] == ["1420 North Maple Avenue, Apt 4B, Springfield, IL 62704"]
    assert "US_ADDRESS" not in found("Give 5 mg daily for 10 days with meals.")


def test_aba_routing_checksum_and_label_boost() -> None:
    assert aba_checksum_ok("021000021") and aba_checksum_ok("011000015")
    assert not aba_checksum_ok("021000022") and not aba_checksum_ok("123456789")
    assert found("Wire to routing number 021000021 today.").get("ABA_ROUTING") == ["021000021"]
    assert "ABA_ROUTING" not in found("Wire to routing number 021000022 today.")  # bad checksum
    results = detect_pii("Reference 021000021 was printed.", ["ABA_ROUTING"], min_score=0.0)
    assert results and results[0]["score"] < 0.4  # valid but unlabelled: below the default threshold
    assert "ABA_ROUTING" not in found("Reference 021000021 was printed.")


def test_bank_account_needs_its_label() -> None:
    got = found("Please debit checking account number 4839201177 monthly.")
    assert got["BANK_ACCOUNT"] == ["4839201177"]
    assert "BANK_ACCOUNT" not in found("The invoice total 4839201177 was disputed.")


def test_itin_group_rules() -> None:
    assert itin_ok("912-78-4567") and itin_ok("900-94-1234")
    assert not itin_ok("912-45-4567") and not itin_ok("812-78-4567")
    got = found("Her ITIN: 912-78-4567 was verified; 912-45-4567 is not one.")
    assert got["US_ITIN"] == ["912-78-4567"]
    assert "912-45-4567" not in sum(got.values(), [])


def test_date_of_birth_only_near_its_label() -> None:
    got = found("DOB: 04/12/1961. Seen on 05/06/2023 and born on March 3, 1975 per the chart.")
    assert got["DATE_OF_BIRTH"] == ["04/12/1961", "March 3, 1975"]
    assert "05/06/2023" not in sum(got.values(), [])


def test_medical_record_number() -> None:
    got = found("Patient seen today, MRN: 00482913, medical record # AB-448812 on file.")
    assert got["MEDICAL_RECORD_NUMBER"] == ["00482913", "AB-448812"]
    assert "MEDICAL_RECORD_NUMBER" not in found("Room 00482913 was cleaned.")


def test_types_filter_recognizer_name_and_unknown_type() -> None:
    text = "Maria Garcia, SSN 219-09-9999. Her old number was 219-09-9998."
    only = detect_pii(text, ["US_SSN"])
    assert [f["type"] for f in only] == ["US_SSN", "US_SSN"]
    assert [f["recognizer"] for f in only] == ["LabelledSsnRecognizer", "UsSsnRecognizer"]
    with pytest.raises(InvalidRequest) as err:
        detect_pii(text, ["SHOE_SIZE"])
    assert err.value.code == "unknown_pii_type" and "Use some of" in str(err.value)


def test_analyze_text_shares_one_parse() -> None:
    out = analyze_text("Dr. Alice Wong reviewed MRN 00482913 for Maria Garcia in Boston.")
    assert set(out) == {"entities", "key_phrases", "pii"}
    assert {"PERSON", "MEDICAL_RECORD_NUMBER"} <= {f["type"] for f in out["pii"]}
    assert any(e["label"] == "PERSON" for e in out["entities"])


def test_clinical_terms_are_not_names_or_addresses() -> None:
    text = "She tried Claritin, then a Foley catheter under Anesthesia in Seattle. Closed with 4-0 Vicryl loop."
    got = found(text)
    assert "PERSON" not in got
    assert got.get("LOCATION") == ["Seattle"]
    assert "US_ADDRESS" not in got
    # one-word names stay when supported by a title or a full name on the page
    assert found("Maria Garcia called. Later Maria signed. Dr. Wong agreed.")["PERSON"] == [
        "Maria Garcia",
        "Maria",
        "Wong",
    ]


def test_form_layout_names_addresses_and_label_noise() -> None:
    text = (
        "Buyer: Alejandro Rosalez\nMarital Status: Married\n"
        "Property Address: 28777 Amos Lock, Markfurt, HI 71418\n"
        "Programs: Temporary Assistance\n• Alimony\n• Automobile Allowance\n"
    )
    got = found(text)
    assert got["PERSON"] == ["Alejandro Rosalez"]
    assert got["US_ADDRESS"] == ["28777 Amos Lock, Markfurt, HI 71418"]
    assert set(got) == {"PERSON", "US_ADDRESS"}


def test_labelled_ssn_without_separators_and_invalid_areas() -> None:
    assert found("SSN:483715490")["US_SSN"] == ["483715490"]
    assert found("Social Security No. 483 71 5490 on file")["US_SSN"] == ["483 71 5490"]
    assert "US_SSN" not in found("SSN: 666-12-3456 and SSN 000123456 are never issued.")
