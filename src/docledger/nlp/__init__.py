"""docledger's NLP library: pure functions the ``nlp``, ``index``, ``graph`` and ``redact`` stages call.

Models load lazily and once per process (spaCy, Presidio, the MiniLM ONNX session), so
importing :mod:`docledger.nlp` is cheap. Public entry points:

* :func:`split_sentences` - rule-based sentences with offsets (``sentences``)
* :func:`get_embedder` / ``Embedder.encode`` - 384-d unit vectors (``embeddings``)
* :func:`match_sentences`, :func:`match_paragraph` - restatement -> source sentences (``match``),
  hybrid with :func:`lexical_scores` (BM25 over stems + clinical synonyms, ``lexical``)
* :func:`analyze_pages` - entities, key phrases and PII of many pages, one batched parse (``analysis``)
* :func:`extract_entities`, :func:`extract_key_phrases` (``entities``, ``keyphrases``)
* :func:`detect_pii`, :func:`analyze_text` (``pii``)
* :func:`redact_text`, :func:`redact_pdf`, :func:`redact_image` (``redact``)
* :func:`normalize_entity`, :func:`cooccurrences` (``graph``)

Heavy modules are imported on first attribute access.
"""

from __future__ import annotations

import importlib
from typing import Any

from docledger.nlp.sentences import Sentence, split_sentences

_LAZY = {
    "Embedder": "embeddings", "get_embedder": "embeddings", "embed": "embeddings",
    "Match": "match", "match_sentences": "match", "match_paragraph": "match", "lexical_scores": "lexical",
    "analyze_pages": "analysis",
    "extract_entities": "entities", "extract_key_phrases": "keyphrases",
    "detect_pii": "pii", "analyze_text": "pii", "DEFAULT_TYPES": "pii",
    "redact_text": "redact", "redact_pdf": "redact", "redact_image": "redact",
    "normalize_entity": "graph", "cooccurrences": "graph",
    "nlp_versions": "versions",
}  # fmt: skip

__all__ = ["Sentence", "split_sentences", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'docledger.nlp' has no attribute {name!r}")
    return getattr(importlib.import_module(f"docledger.nlp.{module}"), name)
