"""Features a document type can be told from: the text (word and character n-grams), the
layout of its lines (how long, how numeric, how form-like), and its meaning (MiniLM
sentence embeddings of its opening chunks).

Layout features are computed from the text's lines so they work the same for a digital
PDF, an OCR'd scan and a plain-text file; page word boxes add the vertical spread of text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

_DIGIT = re.compile(r"\d")
_UPPER = re.compile(r"[A-Z]")
_ALPHA = re.compile(r"[A-Za-z]")
_MONEY = re.compile(r"\$\s?\d|\d,\d{3}|\d\.\d{2}\b")
_DATE = re.compile(
    r"\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? "
    r"\d{1,2}\b",
    re.I,
)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_LABEL = re.compile(r"^[^:]{1,40}:\s*\S")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
_WS = re.compile(r"\s+")

LAYOUT_NAMES = (
    "log_chars",
    "log_lines",
    "mean_line",
    "std_line",
    "short_lines",
    "long_lines",
    "digit_ratio",
    "upper_ratio",
    "money_per_line",
    "dates_per_line",
    "email",
    "label_lines",
    "bullet_lines",
    "blank_ratio",
    "caps_lines",
    "words_per_line",
    "punct_ratio",
    "sentence_ratio",
)


def normalise(text: str) -> str:
    """Text as the n-gram models see it: lower case, digits folded to 0, whitespace collapsed."""
    return _WS.sub(" ", re.sub(r"\d", "0", text.lower())).strip()


def layout_features(text: str) -> list[float]:
    lines_all = text.splitlines() or [""]
    lines = [ln.strip() for ln in lines_all if ln.strip()]
    n = max(1, len(lines))
    lengths = np.array([len(ln) for ln in lines] or [0], dtype=float)
    chars = max(1, len(text))
    alpha = max(1, len(_ALPHA.findall(text)))
    words = len(text.split())
    return [
        math.log1p(len(text)),
        math.log1p(len(lines)),
        float(lengths.mean()) / 80.0,
        float(lengths.std()) / 80.0,
        sum(1 for x in lengths if x < 25) / n,
        sum(1 for x in lengths if x > 70) / n,
        len(_DIGIT.findall(text)) / chars,
        len(_UPPER.findall(text)) / alpha,
        len(_MONEY.findall(text)) / n,
        len(_DATE.findall(text)) / n,
        1.0 if _EMAIL.search(text) else 0.0,
        sum(1 for ln in lines if _LABEL.match(ln)) / n,
        sum(1 for ln in lines if _BULLET.match(ln)) / n,
        (len(lines_all) - len(lines)) / max(1, len(lines_all)),
        sum(1 for ln in lines if ln.isupper() and len(ln) > 3) / n,
        words / n / 12.0,
        sum(1 for c in text if c in ",;:()[]#%") / chars,
        text.count(". ") / max(1, words) * 10,
    ]


def chunks(text: str, *, words_per_chunk: int = 150, max_chunks: int = 2) -> list[str]:
    """The opening chunks of a document (the header and first paragraphs say most about its type)."""
    words = text.split()
    if not words:
        return [""]
    out = [" ".join(words[i : i + words_per_chunk]) for i in range(0, len(words), words_per_chunk)]
    return out[:max_chunks]


def embed_documents(texts: Sequence[str]) -> np.ndarray:
    """One unit vector per document: the mean of its opening chunks' MiniLM embeddings."""
    from docledger.nlp.embeddings import get_embedder

    pieces: list[str] = []
    owners: list[int] = []
    for i, t in enumerate(texts):
        for c in chunks(t):
            pieces.append(c)
            owners.append(i)
    vecs = get_embedder().encode(pieces)
    out = np.zeros((len(texts), vecs.shape[1] if len(vecs) else 384), dtype=np.float32)
    counts = np.zeros(len(texts), dtype=np.float32)
    for v, i in zip(vecs, owners, strict=True):
        out[i] += v
        counts[i] += 1
    out /= np.clip(counts[:, None], 1, None)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.clip(norms, 1e-9, None)
