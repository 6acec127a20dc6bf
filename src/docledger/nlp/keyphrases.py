"""Key phrases: YAKE-style statistical keywords merged with noun chunks, from one spaCy parse.

The statistical side is the YAKE algorithm (Campos et al., 2020: term case, position,
frequency, relatedness to context and spread over sentences; a candidate of up to 3 words
scores ``prod(H) / (tf * (1 + sum(H)))``, lower is better) computed on the tokens and
sentences of the spaCy parse the page already has (:func:`yake_keywords`). The ``yake``
package re-tokenises the text and builds a networkx graph in pure Python, which cost more
than the whole spaCy parse of a page; on the same tokens the statistic costs a few ms.

Noun chunks come from the part-of-speech tags (adjectives and nouns ending in a noun), not
from the dependency parser, which the shared pipeline does not run (see ``_spacy``).
YAKE finds phrases that are frequent and well placed for this text, but it also returns
fragments that cross phrase boundaries ("patient was admitted"); noun chunks are
grammatical phrases but carry no notion of importance. A phrase found by both is the most
trustworthy, so it gets a bonus; noun chunks YAKE missed are kept when they repeat.

Scores are 0..1, higher is better: YAKE's score ``s`` (lower is better, unbounded) maps to
``1 / (1 + 10 s)`` so the figure does not depend on the other phrases of the page; a noun
chunk seen ``k`` times alone scores ``min(0.5, 0.15 k)``.
Duplicates (case, plural, one phrase containing the other) keep the best-scored form.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypedDict

from docledger.nlp._spacy import parse
from docledger.nlp.yake_lite import yake_keywords

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["KeyPhrase", "extract_key_phrases", "key_phrases_from_docs"]

_YAKE_NGRAM = 3
_BOTH_BONUS = 0.15
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_LEADING_POS = {"DET", "PRON", "CCONJ", "PUNCT", "ADP", "PART"}
# Section headings ("PREOPERATIVE DIAGNOSIS:") are structure, not content: never key phrases.
_HEADING = re.compile(r"\b([A-Z][A-Z/&\- ]{2,60}[A-Z])\s*:")


class KeyPhrase(TypedDict):
    text: str
    score: float


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def phrase_key(text: str) -> tuple[str, ...]:
    """Case- and plural-insensitive identity of a phrase."""
    return tuple(_singular(w) for w in _WORD.findall(text.lower()))


def _contains(big: tuple[str, ...], small: tuple[str, ...]) -> bool:
    n = len(small)
    return n < len(big) and any(big[i : i + n] == small for i in range(len(big) - n + 1))


def _in_heading(surface: str, key: tuple[str, ...], headings: set[tuple[str, ...]]) -> bool:
    """An ALL-CAPS phrase that is (part of) a section heading."""
    if key in headings:
        return True
    return surface.isupper() and any(_contains(h, key) for h in headings)


_CHUNK_POS = {"ADJ", "NOUN", "PROPN"}
_HEAD_POS = {"NOUN", "PROPN"}


def _pos_chunks(doc: Doc) -> list[list[Token]]:
    """Maximal runs of adjectives/nouns ending in a noun, joined across in-word hyphens."""
    out: list[list[Token]] = []
    run: list[Token] = []
    for tok in doc:
        hyphen = tok.text == "-" and run and not run[-1].whitespace_ and not tok.whitespace_
        if tok.pos_ in _CHUNK_POS or hyphen:
            run.append(tok)
            continue
        out.append(run)
        run = []
    out.append(run)
    chunks = []
    for r in out:
        while r and r[-1].pos_ not in _HEAD_POS:
            r = r[:-1]
        if r:
            chunks.append(r)
    return chunks


def _noun_chunks(docs: list[tuple[int, Doc]]) -> dict[tuple[str, ...], tuple[str, int]]:
    """key -> (surface text of first occurrence, count)."""
    found: dict[tuple[str, ...], tuple[str, int]] = {}
    for _, doc in docs:
        for toks in _pos_chunks(doc):
            while toks and (toks[0].pos_ in _LEADING_POS or toks[0].is_stop):
                toks = toks[1:]
            if not toks or all(t.is_stop or t.like_num or t.is_punct for t in toks):
                continue
            surface = doc.text[toks[0].idx : toks[-1].idx + len(toks[-1])].strip()
            key = phrase_key(surface)
            if not key or len("".join(key)) < 3:
                continue
            prev = found.get(key)
            found[key] = (prev[0], prev[1] + 1) if prev else (surface, 1)
    return found


def key_phrases_from_docs(text: str, docs: list[tuple[int, Doc]], top: int = 10) -> list[KeyPhrase]:
    """Key phrases of ``text`` whose spaCy parse is ``docs``."""
    scored: dict[tuple[str, ...], tuple[str, float]] = {}
    chunks = _noun_chunks(docs)
    headings = {phrase_key(m.group(1)) for m in _HEADING.finditer(text)}
    for key in headings:
        chunks.pop(key, None)
    for phrase, s in yake_keywords(docs, max(top * 3, 20)):
        phrase = phrase.strip(" .,;:")
        key = phrase_key(phrase)
        if not key or all(w.isdigit() for w in key) or _in_heading(phrase, key, headings):
            continue
        score = 1.0 / (1.0 + 10.0 * s)
        if key in chunks:
            score = min(1.0, score + _BOTH_BONUS)
        if key not in scored or scored[key][1] < score:
            scored[key] = (phrase, score)
    for key, (surface, count) in chunks.items():
        if key not in scored and count >= 2:
            scored[key] = (surface, min(0.5, 0.15 * count))
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1][1], kv[0]))
    kept: list[tuple[tuple[str, ...], str, float]] = []
    for key, (surface, score) in ranked:
        if any(key == k or _contains(k, key) or _contains(key, k) for k, _, _ in kept):
            continue
        kept.append((key, surface, score))
        if len(kept) >= top:
            break
    return [KeyPhrase(text=surface, score=round(score, 4)) for _, surface, score in kept]


def extract_key_phrases(text: str, top: int = 10) -> list[KeyPhrase]:
    """The ``top`` key phrases of ``text``, best first."""
    if not text.strip() or top < 1:
        return []
    return key_phrases_from_docs(text, parse(text), top)
