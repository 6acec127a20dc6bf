"""One batched spaCy run per document, the YAKE statistic on the parse, and the embedding cache."""

from __future__ import annotations

import numpy as np

from docledger.nlp._spacy import DISABLED, get_nlp, parse, parse_many
from docledger.nlp.analysis import analyze_pages
from docledger.nlp.embeddings import get_embedder
from docledger.nlp.keyphrases import _pos_chunks
from docledger.nlp.pii import analyze_text
from docledger.nlp.yake_lite import yake_keywords

PAGES = [
    "Patient John Smith, SSN 219-09-9999, was seen by Dr. Alice Wong in Boston for chest pain. "
    "Chest pain began two days ago. Metoprolol was started and chest pain resolved.",
    "   ",
    "The borrower Maria Garcia requested a thirty-year fixed mortgage. The flood insurance policy "
    "names the lender. Flood insurance is required because the lot lies in a flood zone.",
]


def test_batched_pages_equal_one_page_at_a_time() -> None:
    batched = analyze_pages(PAGES)
    assert len(batched) == 3
    assert batched[1] == {"entities": [], "key_phrases": [], "pii": []}
    for text, got in zip(PAGES, batched, strict=True):
        assert got == analyze_text(text)
    assert {"PERSON", "US_SSN"} <= {f["type"] for f in batched[0]["pii"]}
    assert any(p["text"].lower() == "chest pain" for p in batched[0]["key_phrases"])
    assert analyze_pages([]) == []
    restricted = analyze_pages(PAGES, restricted=True)  # low-confidence candidates, as for one page
    assert restricted == [analyze_text(t, restricted=True) for t in PAGES]


def test_pipeline_skips_the_parser_but_keeps_sentences_and_offsets() -> None:
    nlp = get_nlp()
    assert "parser" in DISABLED and "parser" not in nlp.pipe_names and "ner" in nlp.pipe_names
    ((off, doc),) = parse(PAGES[0])
    assert off == 0 and len(list(doc.sents)) == 3
    assert [t.lemma_ for t in doc if t.text == "began"] == ["begin"]  # Presidio's context words need lemmas
    many = parse_many([PAGES[0], "", PAGES[2]])
    assert [len(d) for d in many] == [1, 0, 1] and many[2][0][1].text == PAGES[2]


def test_pos_noun_chunks_end_in_a_noun() -> None:
    ((_, doc),) = parse("The flood insurance policy was signed by the lender. A well-healed incision was seen.")
    chunks = [" ".join(t.text for t in c) for c in _pos_chunks(doc)]
    assert "flood insurance policy" in chunks and "lender" in chunks
    assert any("incision" in c for c in chunks)
    assert all(c[-1].pos_ in ("NOUN", "PROPN") for c in _pos_chunks(doc))


def test_yake_statistic_prefers_repeated_specific_phrases() -> None:
    text = PAGES[2] + " The flood zone map was attached. Flood insurance costs 1,200 dollars a year."
    got = yake_keywords(parse(text), 10)
    assert got and [s for _, s in got] == sorted(s for _, s in got) and all(s > 0 for _, s in got)
    top = [p.lower() for p, _ in got]
    assert "flood insurance" in top and "thirty-year fixed mortgage" in top  # in-word hyphens join
    assert all(not any(c.isdigit() for c in p) for p, _ in got)  # numbers never start or join a phrase
    assert all(len(p.split()) <= 3 for p, _ in got)
    assert yake_keywords(parse("...")) == []


def test_embedding_cache_returns_the_same_vectors() -> None:
    emb = get_embedder()
    texts = ["Metoprolol was started.", "The lender was named.", "Metoprolol was started."]
    first = emb.encode(texts)
    again = emb.encode(list(reversed(texts)))
    assert np.allclose(first, again[::-1], atol=1e-6)
    assert np.allclose(first[0], first[2])
    fresh = emb._encode_batch(["The lender was named."])[0]  # bypasses the cache
    assert np.allclose(first[1], fresh, atol=1e-5)
    assert emb.version.endswith(":max128")
