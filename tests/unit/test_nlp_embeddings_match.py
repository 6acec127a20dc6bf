"""Real MiniLM ONNX embeddings and sentence matching."""

from __future__ import annotations

import numpy as np
import pytest

from docledger.exceptions import InvalidRequest
from docledger.nlp.embeddings import DIM, Embedder, get_embedder
from docledger.nlp.match import match_paragraph, match_sentences
from docledger.nlp.sentences import split_sentences

DOC = (
    "The borrower requested a thirty-year fixed mortgage for the property. "
    "Annual household income was verified with two years of W-2 forms. "
    "The appraisal valued the house at four hundred thousand dollars. "
    "A flood insurance policy is required because the lot lies in a flood zone. "
    "The underwriter approved the loan with a debt-to-income ratio of 36 percent. "
    "Closing is scheduled for the last week of June at the title company. "
    "The patient was discharged home in good condition after the surgery."
)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder()


def test_vectors_are_unit_norm_384d_float32(embedder: Embedder) -> None:
    v = embedder.encode(["A short sentence.", "Another, somewhat longer sentence about loans and houses.", ""])
    assert v.shape == (3, DIM) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert embedder.encode([]).shape == (0, DIM)
    assert embedder.model_id == "sentence-transformers/all-MiniLM-L6-v2"
    assert embedder.version.startswith("onnx-int8:1.0.0:model-8199be6f699a")
    with pytest.raises(TypeError):
        embedder.encode("not a list")  # type: ignore[arg-type]


def test_similar_sentences_are_closer_than_unrelated(embedder: Embedder) -> None:
    a, b, c = embedder.encode(
        [
            "The patient complains of severe chest pain.",
            "Severe pain in the chest was reported by the patient.",
            "The quarterly invoice was paid by wire transfer.",
        ]
    )
    assert float(a @ b) > 0.7
    assert float(a @ b) > float(a @ c) + 0.4


def test_batching_and_order_do_not_change_vectors(embedder: Embedder) -> None:
    texts = [f"Sentence number {i} mentions {'loans ' * (i % 7)}here." for i in range(40)]
    whole = embedder.encode(texts)
    one_by_one = np.vstack([embedder.encode([t]) for t in texts[:5]])
    assert np.allclose(whole[:5], one_by_one, atol=1e-4)


def test_match_ranks_true_source_first_with_offsets(embedder: Embedder) -> None:
    sents = split_sentences(DOC)
    assert len(sents) == 7
    vectors = embedder.encode([s.text for s in sents])
    matches = match_sentences("flood zone so they need flood insurance", sents, vectors)
    assert len(matches) == 5
    assert [m.rank for m in matches] == [1, 2, 3, 4, 5]
    best = matches[0]
    assert best.sentence.startswith("A flood insurance policy")
    assert DOC[best.start : best.end] == best.sentence
    assert best.p_value == pytest.approx(1 / 7)
    scores = [m.distance for m in matches]
    assert scores[0] == min(scores) and 0.0 <= scores[0] < 0.5
    assert all(0 < m.p_value <= 1 for m in matches)
    assert [m.p_value for m in matches] == sorted(m.p_value for m in matches)


def test_match_paragraph_and_top_k_bounds() -> None:
    matches = match_paragraph("The loan got approved by underwriting.", DOC, top_k=3)
    assert len(matches) == 3 and "underwriter approved" in matches[0].sentence
    two = match_paragraph("house appraisal value", "The appraisal came in high. The cat sat.", top_k=5)
    assert len(two) == 2 and two[0].sentence == "The appraisal came in high."
    assert match_sentences("anything", []) == []


def test_match_errors_are_explicit() -> None:
    sents = split_sentences(DOC)
    with pytest.raises(InvalidRequest) as err:
        match_sentences("  ", sents)
    assert err.value.code == "empty_restatement"
    with pytest.raises(InvalidRequest) as err:
        match_sentences("loan", sents, np.zeros((2, DIM), dtype=np.float32))
    assert err.value.code == "vectors_mismatch" and "one 384-d vector per sentence" in str(err.value)
