# ruff: noqa: E501
"""PII of international, casual short texts, with the real spaCy model, Presidio and word lists.

Small hand-written cases, one class of PII each (not the benchmark's data).
"""

from __future__ import annotations

import pytest

from docledger.nlp.entities import extract_entities
from docledger.nlp.pii import REVIEW_FLOOR, analyze_text, detect_pii, get_analyzer
from docledger.nlp.pii_intl import iban_ok, luhn_ok


@pytest.fixture(scope="module", autouse=True)
def analyzer() -> object:
    return get_analyzer()


def found(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in detect_pii(text):
        assert text[f["start"] : f["end"]] == f["text"]
        assert f["score"] >= 0.4 and f["recognizer"] and "needs_review" not in f
        out.setdefault(f["type"], []).append(f["text"])
    return out


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Why is Marguerite always late?", "Marguerite"),
        ("Call me tonight, Tobias!", "Tobias"),
        ("My name is Ilkka", "Ilkka"),
        ("Thanks Łukasz, see you on Monday", "Łukasz"),
        ("Can you ask Élisabeth to send the invoice?", "Élisabeth"),
    ],
)
def test_lone_first_names_in_casual_text(text: str, name: str) -> None:
    assert found(text).get("PERSON") == [name]


def test_names_with_diacritics_headers_and_signatures() -> None:
    got = found("From: Ingrid Bjørnstad <ib@example.no>\nSubject: rent\n\nPaid.\n\nBest regards,\nJosé Ramírez")
    assert got["PERSON"] == ["Ingrid Bjørnstad", "José Ramírez"]
    assert found("Dear Mr. Kowalczyk, your appointment is confirmed.")["PERSON"] == ["Kowalczyk"]


def test_ordinary_capitalised_words_are_not_names() -> None:
    for text in (
        "Salary Deposit received on the 15th.",
        "Patient reports no chest pain today.",
        "ANESTHESIA: General with endotracheal intubation.",
        "Closed over a Blake drain.",
    ):
        assert "PERSON" not in found(text), text


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "Ship to Mannerheimintie 14 B 22, 00100 Helsinki, Finland.",
            "Mannerheimintie 14 B 22, 00100 Helsinki, Finland",
        ),
        ("Return address:\nSieringstraße 17\n90743 Hersbruck", "Sieringstraße 17\n90743 Hersbruck"),
        ("Send it to Via Roma 12, 00184 Roma.", "Via Roma 12, 00184 Roma"),
        ("Write to 46, avenue Leroy\n49543 Angers", "46, avenue Leroy\n49543 Angers"),
        ("PSC 1234, Box 5678\nAPO AE 09876", "PSC 1234, Box 5678\nAPO AE 09876"),
        ("USS Nimitz\nFPO AP 96601", "USS Nimitz\nFPO AP 96601"),
        ("Meet me at the corner of Elm Street and Oak Road at noon.", "Elm Street and Oak Road"),
        ("We moved to 52 Kelsey Greens Suite 6\nNew Paul, RI 06688.", "52 Kelsey Greens Suite 6\nNew Paul, RI 06688"),
    ],
)
def test_international_street_addresses(text: str, address: str) -> None:
    assert found(text).get("US_ADDRESS") == [address]


def test_phone_numbers_with_country_codes_and_national_form() -> None:
    got = found("Call me on +358 40 123 4567 or +44 20 7946 0958. Mobile 0612 34 56 78.")
    assert got["PHONE_NUMBER"] == ["+358 40 123 4567", "+44 20 7946 0958", "0612 34 56 78"]


def test_card_numbers_with_and_without_valid_checksum() -> None:
    assert luhn_ok("2223000048400011") and not luhn_ok("2223000048400012")
    assert found("Card: 2223 0000 4840 0011 CVV on the back")["CREDIT_CARD"] == ["2223 0000 4840 0011"]
    assert found("the credit card 4111111111111112 was declined")["CREDIT_CARD"] == ["4111111111111112"]
    assert "CREDIT_CARD" not in found("Order 4111111111111112 shipped.")  # no checksum, no card word


def test_lower_case_iban() -> None:
    assert iban_ok("de89 3704 0044 0532 0130 00") and not iban_ok("DE89370400440532013001")
    assert found("my iban is de89370400440532013000 thanks")["IBAN_CODE"] == ["de89370400440532013000"]


def test_ip_addresses_in_logs_and_urls() -> None:
    got = found("sshd[221]: Accepted key from 203.0.113.7 port 22; open http://198.51.100.20:8080/admin")
    assert got["IP_ADDRESS"] == ["203.0.113.7", "198.51.100.20"]
    assert "PHONE_NUMBER" not in got
    assert "IP_ADDRESS" not in found("Version 10.2.3 fixed the login bug.")


def test_email_ssn_dob_mrn() -> None:
    got = found("Email ana@example.org. SSN 483-71-5490. Date of birth: 14.03.1987. Chart # 12-34567.")
    assert got["EMAIL_ADDRESS"] == ["ana@example.org"]
    assert got["US_SSN"] == ["483-71-5490"]
    assert got["DATE_OF_BIRTH"] == ["14.03.1987"]
    assert got["MEDICAL_RECORD_NUMBER"] == ["12-34567"]


def test_restricted_documents_get_low_confidence_candidates_marked_for_review() -> None:
    text = "Mark the box. lol Grace"
    assert "PERSON" not in found(text)
    candidates = detect_pii(text, review_floor=REVIEW_FLOOR)
    assert any(f["type"] == "PERSON" and f.get("needs_review") is True and f["score"] < 0.4 for f in candidates)
    assert analyze_text(text, restricted=True)["pii"] == candidates
    assert all("needs_review" not in f for f in analyze_text(text)["pii"])


def test_detect_pii_reuses_an_existing_parse() -> None:
    from docledger.nlp._spacy import parse

    text = "Call me tonight, Tobias! My card is 4111 1111 1111 1111."
    assert detect_pii(text, docs=parse(text)) == detect_pii(text)


def test_ner_noise_numbers_are_not_dates_and_labels_are_not_people() -> None:
    ents = extract_entities("Routing number 021000021, account 12345678901. Salary Deposit 2,500.00. Patient")
    labels = {e["text"]: e["label"] for e in ents}
    assert all(label != "DATE" for label in labels.values()), labels
    assert all(label != "PERSON" for label in labels.values()), labels
    dates = extract_entities("The loan closed on March 3, 2024.")
    assert [e["label"] for e in dates if e["text"] == "March 3, 2024"] == ["DATE"]
