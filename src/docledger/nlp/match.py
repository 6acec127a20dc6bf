"""Sentence matching: which sentences of a document does a restatement come from?

A reviewer pastes a restatement ("the patient was given Zyrtec instead of Allegra") and
docledger returns the document sentences closest to it, each with its offsets, so the UI
can highlight the source and the lineage can point at page + character span.

Ranking is hybrid (see docs/decisions.md, "Sentence matching: hybrid retrieval"): a dense
score, the cosine similarity of MiniLM embeddings, is fused with a lexical score, BM25 over
word stems with clinical synonyms and abbreviations as shared terms (:mod:`.lexical`). Each
score is scaled to 0..1 over the sentences being ranked (the best sentence 1), and
``fused = DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lexical``. ``Match.distance`` is
always the pure cosine distance; ranks and p-values follow the fused score. Ties keep
document order.

``p_value`` is an empirical, per-document figure: the fraction of the document's sentences
whose score is less than or equal to the match's score (the match itself included). The best
match of a 200-sentence document has ``p_value = 1/200 = 0.005``; a match whose p_value is
close to 1 is no closer than a typical sentence of the document. It says how exceptional
the match is within this document, not whether the restatement is true; with few sentences
it cannot be small (its floor is ``1/n``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from docledger.exceptions import InvalidRequest
from docledger.nlp.embeddings import DIM, get_embedder
from docledger.nlp.lexical import lexical_scores
from docledger.nlp.sentences import Sentence, split_sentences

__all__ = ["Match", "match_sentences", "match_paragraph", "lexical_scores", "fused_scores", "DENSE_WEIGHT"]

#: Weight of the dense (embedding) side in the fused score; the lexical side has the rest.
#: Tuned on the dev split of bench/quality_match.py (see docs/benchmarks.md).
DENSE_WEIGHT = 0.4
#: Set DOCLEDGER_MATCH_SYNONYMS=0 to rank without the clinical synonym file (for comparison).
SYNONYMS = os.environ.get("DOCLEDGER_MATCH_SYNONYMS", "1") != "0"


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked candidate source sentence of a restatement."""

    rank: int  # 1 = closest
    sentence: str
    distance: float  # 1 - cosine similarity, in [0, 2]
    start: int  # offsets of the sentence in the matched text
    end: int
    p_value: float  # fraction of the document's sentences at least as close (see module doc)

    def to_dict(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "sentence": self.sentence,
            "distance": self.distance,
            "start": self.start,
            "end": self.end,
            "p_value": self.p_value,
        }


def _unit(scores: np.ndarray) -> np.ndarray:
    """Scores scaled to 0..1 over the sentences (min -> 0, max -> 1; all equal -> 0)."""
    lo = float(scores.min())
    span = float(scores.max()) - lo
    if span <= 1e-9:
        return np.zeros_like(scores)
    return (scores - lo) / span


def fused_scores(
    restatement: str,
    texts: Sequence[str],
    similarity: np.ndarray,
    *,
    dense_weight: float | None = None,
    synonyms: bool | None = None,
) -> np.ndarray:
    """The hybrid closeness of each sentence (higher is closer), from its dense ``similarity``."""
    w = DENSE_WEIGHT if dense_weight is None else dense_weight
    lex = lexical_scores(restatement, texts, synonyms=SYNONYMS if synonyms is None else synonyms)
    return (w * _unit(similarity) + (1.0 - w) * _unit(lex)).astype(np.float32)


def match_sentences(
    restatement: str,
    sentences: Sequence[Sentence],
    vectors: np.ndarray | None = None,
    top_k: int = 5,
) -> list[Match]:
    """Rank ``sentences`` by closeness to ``restatement``; return the best ``min(top_k, n)``.

    ``vectors`` are the sentences' stored embeddings (``(n, 384)``, unit rows, same model
    version) so a match costs one encoding of the restatement; without them the sentences
    are encoded now.
    """
    if not restatement or not restatement.strip():
        raise InvalidRequest(
            "The restatement to match is empty.",
            code="empty_restatement",
            hint="Pass a sentence to look for.",
        )
    if top_k < 1:
        raise InvalidRequest(f"top_k must be at least 1, got {top_k}.", code="invalid_top_k")
    n = len(sentences)
    if n == 0:
        return []
    emb = get_embedder()
    if vectors is None:
        vectors = emb.encode([s.text for s in sentences])
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.shape != (n, DIM):
        raise InvalidRequest(
            f"Got vectors of shape {vectors.shape} for {n} sentences.",
            code="vectors_mismatch",
            hint="Pass one 384-d vector per sentence (recompute the document's embeddings).",
        )
    similarity = vectors @ emb.encode([restatement])[0]
    distance = 1.0 - similarity
    score = -fused_scores(restatement, [s.text for s in sentences], similarity)
    k = min(top_k, n)
    # Stable sort keeps document order for equal scores (deterministic output).
    order = np.argsort(score, kind="stable")[:k]
    sorted_scores = np.sort(score)
    out: list[Match] = []
    for rank, i in enumerate(order, start=1):
        at_least_as_close = int(np.searchsorted(sorted_scores, score[i], side="right"))
        s = sentences[int(i)]
        out.append(
            Match(
                rank=rank,
                sentence=s.text,
                distance=float(distance[i]),
                start=s.start,
                end=s.end,
                p_value=at_least_as_close / n,
            )
        )
    return out


def match_paragraph(restatement: str, paragraph: str, top_k: int = 5) -> list[Match]:
    """Split ``paragraph`` into sentences and match ``restatement`` against them."""
    return match_sentences(restatement, split_sentences(paragraph), top_k=top_k)
