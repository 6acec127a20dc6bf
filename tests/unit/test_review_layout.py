"""Layout fingerprints, locating a corrected value and reading it back from a learned region."""

from __future__ import annotations

import pytest

from docledger.review.fields import parse_fields
from docledger.review.layout import (
    PageWords,
    Word,
    fingerprint,
    jaccard,
    lesson_for,
    locate,
    match_layout,
    read_learned,
    reading_order,
    stable_labels,
    value_tokens,
)


def form(name: str, number: str, *, dy: float = 0.0, glue: bool = False, misread: bool = False) -> PageWords:
    """A small form in 0..1 coordinates: labels left, values right, a boxed number under its label."""
    h = 0.015
    words = [
        Word("Payroll", 0.1, 0.05 + dy, 0.2, 0.05 + dy + h, 1.0),
        Word("statement", 0.21, 0.05 + dy, 0.33, 0.05 + dy + h, 1.0),
        Word("Employee", 0.1, 0.1 + dy, 0.2, 0.1 + dy + h, 1.0),
    ]
    x = 0.3
    for part in name.split():
        words.append(Word(part, x, 0.1 + dy, x + 0.08, 0.1 + dy + h, 0.98))
        x += 0.09
    if glue:
        words.append(Word("Personnelreference", 0.6, 0.1 + dy, 0.8, 0.1 + dy + h, 1.0))
    else:
        words += [
            Word("Pcrsonnel" if misread else "Personnel", 0.6, 0.1 + dy, 0.7, 0.1 + dy + h, 1.0),
            Word("reference", 0.71, 0.1 + dy, 0.8, 0.1 + dy + h, 1.0),
        ]
    words.append(Word(number, 0.61, 0.13 + dy, 0.72, 0.13 + dy + h, 0.96))
    return PageWords(1, 1000.0, 1400.0, reading_order(words))


def test_fingerprint_ignores_values_and_shifts() -> None:
    a = form("Maria Okafor", "EMP-1")
    b = form("John Smith", "EMP-2", dy=0.04)
    fa = fingerprint(a, value_tokens(["Maria Okafor", "EMP-1"]))
    fb = fingerprint(b, value_tokens(["John Smith", "EMP-2"]))
    assert fa == fb and len(fa) == 5
    # a value the extractor did not report counts as label words, and the layout still matches
    undeclared = fingerprint(form("Ada Smith", "EMP-3"), set())
    assert jaccard(fa, undeclared) == 5 / 7 and match_layout(undeclared, [("lay_a", fa)]) == "lay_a"
    assert match_layout({"other@1:1", "words@2:2"}, [("lay_a", fa)]) is None


def test_locate_spells_values_across_words_and_punctuation() -> None:
    page = form("Maria de la Cruz", "EMP-7")
    assert [w.text for w in locate("maria  de la cruz", page) or []] == ["Maria", "de", "la", "Cruz"]
    assert [w.text for w in locate("EMP 7", page) or []] == ["EMP-7"]
    assert locate("EMP-8", page) is None


def lessons(n: int) -> list[dict]:
    out = []
    for i in range(n):
        page = form(["Ana Li", "Omar Nasser", "Grace Kim", "Lars Berg"][i % 4], f"EMP-{i}", dy=0.01 * i)
        values = value_tokens([f"EMP-{i}"])
        labels = stable_labels(page, values, fingerprint(page, values))
        lesson = lesson_for(f"EMP-{i}", page, labels)
        assert lesson is not None and lesson["anchor"] == "personnel"
        out.append(lesson)
    return out


@pytest.mark.parametrize("glue", [False, True])
def test_three_lessons_read_the_value_even_with_a_glued_anchor(glue: bool) -> None:
    page = form("Victor Haddad", "EMP-99", dy=0.07, glue=glue)
    layout = fingerprint(form("A B", "C"), value_tokens(["A", "B", "C"]))
    labels = stable_labels(page, value_tokens(["Victor Haddad"]), layout)
    assert read_learned(lessons(2), page, labels) is None
    reading = read_learned(lessons(3), page, labels)
    assert reading is not None and reading.value == "EMP-99" and reading.agreement == 1.0
    assert reading.confidence == pytest.approx(0.96)
    assert reading.bbox == [610.0, 280.0, 720.0, 301.0]


def test_a_lesson_anchored_elsewhere_still_counts() -> None:
    """OCR misread the usual anchor on one taught page: its lesson hangs on another label, and agrees."""
    layout = fingerprint(form("A B", "C"), value_tokens(["A", "B", "C"]))
    odd = form("Ana Li", "EMP-42", dy=0.02, misread=True)
    lesson = lesson_for("EMP-42", odd, stable_labels(odd, value_tokens(["Ana Li", "EMP-42"]), layout))
    assert lesson is not None and lesson["anchor"] != "personnel"
    page = form("Lena Novak", "EMP-77", dy=0.05)
    reading = read_learned([*lessons(2), lesson], page, stable_labels(page, value_tokens(["Lena Novak"]), layout))
    assert reading is not None and reading.value == "EMP-77" and reading.agreement == 1.0


def test_disagreeing_lessons_do_not_read() -> None:
    ls = lessons(3)
    ls[1] = {**ls[1], "dy0": ls[1]["dy0"] + 0.2}
    ls[2] = {**ls[2], "dx0": ls[2]["dx0"] - 0.3}
    page = form("A B", "EMP-5")
    assert read_learned(ls, page, stable_labels(page, set(), fingerprint(page, set()))) is None


def test_fields_json_contract_is_checked() -> None:
    doc = parse_fields({"doc_type": "w2", "fields": [{"field": "wages", "value": 5, "confidence": "0.4"}]})
    f = doc.fields[0]
    assert (f.value, f.confidence, f.review_threshold, f.needs_review) == ("5", 0.4, 0.8, True)
    with pytest.raises(ValueError, match="bbox must be"):
        parse_fields({"fields": [{"field": "a", "bbox": [1, 2]}]})
    with pytest.raises(ValueError, match="'fields' list"):
        parse_fields([])
