"""Hybrid sentence matching (BM25 over stems + clinical synonyms, fused with MiniLM), real models."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from docledger.nlp.embeddings import get_embedder
from docledger.nlp.lexical import Thesaurus, get_thesaurus, lexical_scores, stem, terms
from docledger.nlp.match import fused_scores, match_paragraph, match_sentences
from docledger.nlp.sentences import split_sentences

# A small record in the style of three clinical notes (written for this test).
RECORD = """HISTORY OF PRESENT ILLNESS: The patient is a 64-year-old man with hypertension and type 2 diabetes mellitus.
He was admitted after a myocardial infarction in March and underwent percutaneous coronary intervention.
He complains of dyspnea on exertion and bilateral lower extremity edema for two weeks.
He denies syncope, hematuria or melena.
Current medications include metoprolol, lisinopril and atorvastatin.
PHYSICAL EXAMINATION: Lungs show bibasilar crackles on auscultation.
The abdomen is soft and nontender without hepatomegaly.

PROCEDURE: Laparoscopic cholecystectomy was performed under general anesthesia.
The gallbladder was dissected free from the liver bed and removed through the umbilical port.
Estimated blood loss was minimal and the patient tolerated the procedure well.
She was discharged home on postoperative day one with acetaminophen for pain.
A follow-up appointment was scheduled in two weeks to check the incision.

ASSESSMENT: Acute otitis media of the right ear in a 4-year-old child.
The tympanic membrane is erythematous and bulging with decreased mobility.
Amoxicillin was prescribed for ten days and the mother was told to return if the fever persists.
There is no evidence of mastoiditis or hearing loss.
"""

# (damaged restatement with lay words, words of its source sentence)
RESTATEMENTS = [
    ("man with high blood pressure sugar diabetes 64-year-old", "64-year-old man with hypertension"),
    ("heart attack in March brought in", "admitted after a myocardial infarction"),
    ("swelling in both legs short of breath when walking", "dyspnea on exertion"),
    ("no fainting or blood in the urine", "denies syncope"),
    ("keyhole gallbladder removal put to sleep", "Laparoscopic cholecystectomy"),
    ("sent home the day after surgery with Tylenol", "discharged home on postoperative day one"),
    ("ear infection right ear child", "Acute otitis media"),
    ("eardrum red and bulging", "tympanic membrane is erythematous"),
]


@pytest.fixture(scope="module")
def record() -> tuple[list, np.ndarray]:
    sents = split_sentences(RECORD)
    return sents, get_embedder().encode([s.text for s in sents])


def test_paraphrased_restatements_find_their_source(record: tuple[list, np.ndarray]) -> None:
    sents, vectors = record
    for query, source in RESTATEMENTS:
        best = match_sentences(query, sents, vectors, top_k=3)[0]
        assert source in best.sentence, (query, best.sentence)
        assert RECORD[best.start : best.end] == best.sentence


def test_generated_damage_still_ranks_the_source_first(record: tuple[list, np.ndarray]) -> None:
    """Clauses shuffled and half the words dropped (seeded), real embeddings."""
    sents, vectors = record
    rng = random.Random(3)
    pool = [i for i, s in enumerate(sents) if len(s.text.split()) >= 8]
    hybrid = overlap = 0
    for src in pool:
        clauses = [c for c in re.split(r",| and | with ", sents[src].text.split(":", 1)[-1]) if c.strip()]
        rng.shuffle(clauses)
        words = " ".join(clauses).split()
        query = " ".join(w for w in words if rng.random() >= 0.5) or words[0]
        got = match_sentences(query, sents, vectors, top_k=1)[0]
        hybrid += got.start == sents[src].start
        q = set(re.findall(r"[a-z0-9]+", query.lower()))
        share = [len(q & set(re.findall(r"[a-z0-9]+", s.text.lower()))) / len(q) for s in sents]
        overlap += int(np.argmax(share)) == src
    assert hybrid >= len(pool) - 1 and hybrid >= overlap


def test_synonyms_link_lay_words_to_medical_terms() -> None:
    texts = ["The patient had an MI last year.", "The patient has a chronic cough.", "Knee pain."]
    with_syn = lexical_scores("heart attack", texts)
    without = lexical_scores("heart attack", texts, synonyms=False)
    assert with_syn[0] > 0 and with_syn[1] == 0 and with_syn[2] == 0
    assert not without.any()  # no shared word: only the synonym file links them
    th = get_thesaurus()
    assert th.linked("high blood pressure", "HTN") and th.linked("sugar", "diabetes mellitus")
    assert not th.linked("heart attack", "knee pain")
    assert th.groups > 300 and th.size > 1000


def test_stems_and_terms() -> None:
    assert stem("hypertensive") == stem("hypertension")
    assert stem("fractured") == stem("fracture") and stem("diabetic") == stem("diabetes")
    assert stem("ab") == "ab" and stem("3-0") == "3-0"
    got = terms("Hypertensive, with HTN.")
    assert got.count(next(t for t in got if t.startswith("~"))) == 2  # both name one concept
    assert all(not t.startswith("~") for t in terms("Hypertensive, with HTN.", synonyms=False))


def test_thesaurus_parses_groups_and_finds_nested_phrases() -> None:
    th = Thesaurus(["# comment", "", "chest pain | cp", "pain | ache  # trailing comment", "chest | thorax"])
    assert th.groups == 3
    assert th.phrases(["chest", "pain"]) == [("~0", 0, 2), ("~2", 0, 1), ("~1", 1, 2)]
    assert th.concepts(["thorax"]) == ["~2"] and th.concepts(["knee"]) == []


def test_bm25_weighs_rare_words_and_handles_edges() -> None:
    texts = ["the cat sat", "the dog sat", "the dog ran"]
    s = lexical_scores("cat", texts)
    assert s[0] > 0 and s[1] == s[2] == 0
    assert lexical_scores("cat", []).shape == (0,)
    fused = fused_scores("cat", texts, np.array([0.1, 0.1, 0.1], dtype=np.float32))
    assert int(np.argmax(fused)) == 0 and fused.dtype == np.float32


def test_distance_stays_the_cosine_distance(record: tuple[list, np.ndarray]) -> None:
    sents, vectors = record
    query = "keyhole gallbladder removal"
    matches = match_sentences(query, sents, vectors, top_k=len(sents))
    q = get_embedder().encode([query])[0]
    for m in matches:
        i = next(i for i, s in enumerate(sents) if s.start == m.start)
        assert m.distance == pytest.approx(1.0 - float(vectors[i] @ q), abs=1e-5)
    assert [m.rank for m in matches] == list(range(1, len(sents) + 1))
    assert matches[-1].p_value == 1.0


def test_paragraph_path_uses_the_same_ranking() -> None:
    got = match_paragraph("high blood pressure", "She has HTN. The knee was scoped. He had a cough.", top_k=5)
    assert len(got) == 3 and got[0].sentence == "She has HTN."
