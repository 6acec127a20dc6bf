"""Entity normalisation and co-occurrence for the cross-document graph.

"Dr. John Smith", "JOHN SMITH" and "John Smith's" must be one node, and "Acme Inc.",
"Acme Incorporated" and "ACME, Inc" another, or the graph fragments into aliases.
A key is ``GROUP:normalised text``: labels of different taggers (spaCy's GPE/LOC/FAC,
Presidio's LOCATION) fall into one group so the same place from two recognisers merges.

Normalisation is deliberately conservative: it removes what never distinguishes two
entities (case, spacing, punctuation, possessives, honorifics, credentials, corporate
form) and nothing else - "John Smith Jr." stays apart from "John Smith".
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

from docledger.nlp.sentences import Sentence

__all__ = ["normalize_entity", "entity_group", "cooccurrences"]

_GROUPS = {
    "PERSON": "PERSON", "PER": "PERSON",
    "ORG": "ORG", "ORGANIZATION": "ORG",
    "GPE": "PLACE", "LOC": "PLACE", "LOCATION": "PLACE", "FAC": "PLACE", "US_ADDRESS": "PLACE",
    "NORP": "GROUP", "NRP": "GROUP",
}  # fmt: skip
_TITLES = frozenset(
    "mr mrs ms miss mx dr doctor prof professor sir madam dame rev hon judge atty sen rep gov capt".split()
)
_CREDENTIALS = frozenset("md m.d do phd ph.d rn np pa dds dmd esq cpa mba jd facs facp".split())
_CORP_SUFFIXES = frozenset(
    "inc incorporated corp corporation co company llc l.l.c ltd limited plc lp llp na n.a gmbh ag sa bv".split()  # noqa: E501
)
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$", re.IGNORECASE)
_TOKEN = re.compile(r"[\w.&]+")


def entity_group(label: str) -> str:
    """The merged type of a tagger label (PERSON, ORG, PLACE, GROUP, or the label itself)."""
    return _GROUPS.get(label.upper(), label.upper())


def _clean_tokens(text: str, group: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).strip()
    words = [_POSSESSIVE.sub("", w) for w in text.replace(",", " ").split()]
    words = [w for w in words if w]
    if group == "PERSON":
        while words and words[0].lower().rstrip(".") in _TITLES:
            words = words[1:]
        while words and words[-1].lower().rstrip(".") in _CREDENTIALS:
            words = words[:-1]
    if group in ("ORG", "PLACE", "GROUP") and words and words[0].lower() == "the":
        words = words[1:]
    if group == "ORG":
        while len(words) > 1 and words[-1].lower().rstrip(".") in _CORP_SUFFIXES:
            words = words[:-1]
    return words


def normalize_entity(text: str, label: str) -> tuple[str, str]:
    """``(key, display)`` of an entity mention: equal keys are the same node of the graph.

    The key is ``""`` when nothing nameable is left after normalisation (skip the mention).
    """
    group = entity_group(label)
    words = _clean_tokens(text, group)
    if not words:
        words = text.split() or [text]
    key_words = []
    for w in words:
        w = w.casefold().replace("&", " and ")
        w = re.sub(r"[^\w\s]", "", w).strip()
        if w:
            key_words.extend(w.split())
    if not key_words:
        return "", text.strip()  # nothing nameable left ("...", "'s"): not a graph node
    key = f"{group}:{' '.join(key_words)}"
    display = " ".join(words).strip(" .,;:")
    if display.isupper() and len(display) > 4 and group in ("PERSON", "PLACE"):
        display = display.title()
    return key, display


def _field(e: Any, *names: str) -> Any:
    if isinstance(e, Mapping):
        for n in names:
            if n in e:
                return e[n]
        return None
    for n in names:
        if hasattr(e, n):
            return getattr(e, n)
    return None


def cooccurrences(
    sentences: Sequence[Sentence], entities: Iterable[Mapping[str, Any] | Any]
) -> list[tuple[str, str, int]]:
    """Pairs of entity keys found in the same sentence, weighted by the number of sentences.

    ``entities`` carry ``text``, ``label`` (or ``type``) and ``start`` offsets in the same
    text as ``sentences``. Pairs are ``(key_a, key_b)`` with ``key_a < key_b``, heaviest first.
    """
    spans = sorted((s.start, s.end) for s in sentences)
    starts = [s for s, _ in spans]
    per_sentence: dict[int, set[str]] = {}
    for e in entities:
        start = _field(e, "start")
        text = _field(e, "text")
        label = _field(e, "label", "type")
        if start is None or not text or not label:
            continue
        i = bisect.bisect_right(starts, int(start)) - 1
        if i < 0 or int(start) >= spans[i][1]:
            continue
        key, _ = normalize_entity(str(text), str(label))
        if key:
            per_sentence.setdefault(i, set()).add(key)
    weights: Counter[tuple[str, str]] = Counter()
    for keys in per_sentence.values():
        for a, b in combinations(sorted(keys), 2):
            weights[(a, b)] += 1
    return [(a, b, w) for (a, b), w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]
