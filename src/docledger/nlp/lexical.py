"""The lexical side of sentence matching: BM25 over stems, with clinical synonyms as shared terms.

Why stems and not spaCy lemmas: matching runs on a pasted paragraph at request time
(``/invocations``), where a spaCy parse of 100 sentences would cost more than the whole dense
side. A light suffix stripper (:func:`stem`) joins the variants that matter in clinical
restatements ("hypertensive"/"hypertension", "fractured"/"fracture", "diabetic"/"diabetes")
in microseconds and does not change with a model version.

Synonyms: ``data/clinical_synonyms.tsv`` holds groups of words that name one thing - the
medical term, its abbreviations and the lay words for it ("hypertension | htn | high blood
pressure"). Every phrase of a group found in a text (on stems, nested phrases included) adds
the group's concept term ``~N`` to the text's terms, so "high blood pressure" in a
restatement meets "HTN" in a note. The phrase's own words stay, so a partial phrase still
counts; in the restatement they weigh half (:data:`PHRASE_WORD_WEIGHT`), because the concept
speaks for them.

BM25 (k1 = 1.2, b = 0.3) is computed over the sentences being ranked: a term that occurs in
every sentence of the record weighs almost nothing, a rare one a lot. There is no stop-word
list: in a restatement that lost half its words, "was" against "were" can be what tells two
near-identical template sentences apart, and IDF already discounts common words. The length
normalisation is weak (b = 0.3) because a restatement's words are a subset of its long source
sentence's, which full normalisation would penalise. A synonym concept weighs half a word of
the same rarity (:data:`SYNONYM_WEIGHT`): a shared word is firmer evidence, and on the dev split
heavier synonyms pulled restatements towards the wrong sentences.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["stem", "terms", "lexical_scores", "Thesaurus", "get_thesaurus", "SYNONYMS_FILE"]

SYNONYMS_FILE = "clinical_synonyms.tsv"
K1 = 1.2
B = 0.3
#: A synonym concept counts this much of a word of the same rarity (a shared word is firmer evidence).
SYNONYM_WEIGHT = 0.5
PHRASE_WORD_WEIGHT = 0.5
_MAX_PHRASE = 6
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Suffixes stripped once, longest first; the stem keeps at least 4 letters.
_SUFFIXES = (
    "ational", "ations", "ically", "ation", "ities", "ments", "ously", "ness", "ment", "ings", "ions",
    "ical", "ally", "ives", "ies", "ied", "ing", "ion", "ive", "ous", "ity", "ic", "al", "ed", "es", "ly", "s", "e",
)  # fmt: skip
_MAX_STEM = 9


def stem(word: str) -> str:
    """A light, deterministic stem: one suffix off, then at most 9 letters."""
    if len(word) <= 4 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 4:
            word = word[: -len(suf)]
            break
    return word[:_MAX_STEM]


def _stems(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower())]


class Thesaurus:
    """Synonym groups keyed by their phrases' stems (see the module doc)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self._phrases: dict[tuple[str, ...], set[int]] = {}
        self.groups = 0
        for line in lines:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            group = self.groups
            self.groups += 1
            for term in line.split("|"):
                key = tuple(_stems(term))
                if key:
                    self._phrases.setdefault(key, set()).add(group)
        self.size = len(self._phrases)

    def concepts(self, stems: Sequence[str]) -> list[str]:
        """Concept terms (``~N``) of the phrases in ``stems``."""
        return [c for c, _, _ in self.phrases(stems)]

    def phrases(self, stems: Sequence[str]) -> list[tuple[str, int, int]]:
        """(concept term, start, end) of every synonym phrase in ``stems``, nested ones included
        ("dyspnea on exertion" names its own group and also contains "dyspnea")."""
        out: list[tuple[str, int, int]] = []
        n = len(stems)
        for i in range(n):
            for size in range(min(_MAX_PHRASE, n - i), 0, -1):
                groups = self._phrases.get(tuple(stems[i : i + size]))
                if groups:
                    out.extend((f"~{g}", i, i + size) for g in sorted(groups))
        return out

    def linked(self, a: str, b: str) -> bool:
        """Whether phrases ``a`` and ``b`` fall in a common group."""
        ga = self._phrases.get(tuple(_stems(a)), set())
        gb = self._phrases.get(tuple(_stems(b)), set())
        return bool(ga & gb)


_lock = threading.Lock()
_thesaurus: Thesaurus | None = None


def get_thesaurus() -> Thesaurus:
    """The clinical synonym groups shipped with docledger (loaded once)."""
    global _thesaurus
    if _thesaurus is None:
        with _lock:
            if _thesaurus is None:
                data = resources.files("docledger.nlp") / "data" / SYNONYMS_FILE
                _thesaurus = Thesaurus(data.read_text(encoding="utf-8").splitlines())
    return _thesaurus


def terms(text: str, *, synonyms: bool = True) -> list[str]:
    """The BM25 terms of ``text``: stems of its words plus its synonym concepts."""
    return list(_terms(text, synonyms))


@lru_cache(maxsize=65536)
def _terms(text: str, synonyms: bool) -> tuple[str, ...]:
    """Cached: a document's sentences are matched again and again."""
    stems = _stems(text)
    if synonyms:
        stems += get_thesaurus().concepts(stems)
    return tuple(stems)


def _query_weights(query: str, synonyms: bool) -> dict[str, float]:
    """Weight of each query term: 1, a synonym concept :data:`SYNONYM_WEIGHT`, and the words of a
    synonym phrase :data:`PHRASE_WORD_WEIGHT` (the concept speaks for them: "blood in the urine"
    is evidence for hematuria more than for "blood loss")."""
    stems = _stems(query)
    weights = dict.fromkeys(stems, 1.0)
    if not synonyms:
        return weights
    covered: set[str] = set()
    for concept, start, end in get_thesaurus().phrases(stems):
        weights[concept] = SYNONYM_WEIGHT
        covered.update(stems[start:end])
    for word in covered:
        weights[word] = PHRASE_WORD_WEIGHT
    return weights


def lexical_scores(query: str, texts: Sequence[str], *, synonyms: bool = True) -> np.ndarray:
    """BM25 of ``query`` against each of ``texts`` (IDF from ``texts``), float32, higher is closer."""
    docs = [Counter(_terms(t, synonyms)) for t in texts]
    n = len(docs)
    out = np.zeros(n, dtype=np.float32)
    if n == 0:
        return out
    q = _query_weights(query, synonyms)
    lengths = np.array([sum(d.values()) for d in docs], dtype=np.float32)
    avg = float(lengths.mean()) or 1.0
    for term, weight in q.items():
        tf = np.array([d.get(term, 0) for d in docs], dtype=np.float32)
        df = int(np.count_nonzero(tf))
        if df == 0:
            continue
        idf = weight * math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        out += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths / avg))
    return out
