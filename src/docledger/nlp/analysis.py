"""Entities, key phrases and PII of many pages from one batched spaCy run.

The ``nlp`` stage calls :func:`analyze_pages` with every page of a document: spaCy parses
them in one ``nlp.pipe`` stream, and each page's parse is shared by the entity list, the key
phrases and the Presidio analyzer (which takes the parse instead of parsing again). The
result per page is the same as :func:`docledger.nlp.pii.analyze_text` on that page.
"""

from __future__ import annotations

from typing import Any

from docledger.nlp._spacy import parse_many

__all__ = ["analyze_pages", "EMPTY"]

EMPTY: dict[str, list[Any]] = {"entities": [], "key_phrases": [], "pii": []}


def analyze_pages(
    texts: list[str], types: list[str] | None = None, top_phrases: int = 10, *, restricted: bool = False
) -> list[dict[str, list[Any]]]:
    """``{"entities", "key_phrases", "pii"}`` for each text, in order; blank texts get empty lists.

    ``restricted``: low-confidence PII candidates are included, marked ``needs_review`` (as
    :func:`docledger.nlp.pii.analyze_text`).
    """
    from docledger.nlp.entities import entities_from_docs
    from docledger.nlp.keyphrases import key_phrases_from_docs
    from docledger.nlp.pii import REVIEW_FLOOR, findings_from_docs

    floor = REVIEW_FLOOR if restricted else None

    todo = [i for i, t in enumerate(texts) if t.strip()]
    parsed = parse_many([texts[i] for i in todo])
    out: list[dict[str, list[Any]]] = [{k: [] for k in EMPTY} for _ in texts]
    for i, docs in zip(todo, parsed, strict=True):
        text = texts[i]
        out[i] = {
            "entities": list(entities_from_docs(docs)),
            "key_phrases": list(key_phrases_from_docs(text, docs, top_phrases)),
            "pii": list(findings_from_docs(text, docs, types, review_floor=floor)),
        }
    return out
