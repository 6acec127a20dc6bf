"""Package splitting on page texts: page-number cues decide continuation against a repeated title."""

from __future__ import annotations

from docledger.doctypes import rule_type
from docledger.doctypes.split import boundaries, segment

W2 = "Form W-2 Wage and Tax Statement 2025\nEmployee's social security number 219-09-9999\nWages, tips 84,000.00"
F1040_P1 = "Form 1040 U.S. Individual Income Tax Return 2025\nFiling status Single\nYour first name Maria"
F1040_P2 = "Form 1040 (2025) Page 2\nTax and Credits\n38 Amount from line 37 (adjusted gross income)"


def test_a_bare_page_2_header_continues_the_form_its_title_repeats() -> None:
    assert boundaries(segment([F1040_P1, F1040_P2])) == {1}


def test_a_new_title_after_a_complete_form_starts_a_document() -> None:
    assert boundaries(segment([F1040_P1, F1040_P2, W2])) == {1, 3}


def test_one_weak_cue_types_a_document_other_but_a_page_keeps_its_guess() -> None:
    note = "Underwriter note. Income verified by Dr. Lee on 3 March 2024."
    assert rule_type(note, min_evidence=2.0)[0] == "other"
    assert rule_type(W2, min_evidence=2.0)[0] == "w2"
    assert rule_type(note)[0] != "other"  # within a package the weak guess still helps place boundaries
