"""Hybrid search: BM25 full text (FTS5 / tsvector) + semantic page vectors, fused by
reciprocal rank; extractive answers from the best-matching sentences. Always tenant-scoped."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from docledger.exceptions import InvalidRequest
from docledger.services import access
from docledger.services._vectors import document_sentences, page_vectors

if TYPE_CHECKING:
    from docledger.ledger import Ledger

RRF_K = 60
_WORD = re.compile(r"[\w][\w'-]*", re.UNICODE)


def _fts_query(query: str, dialect: str) -> str:
    words = [w for w in _WORD.findall(query) if len(w) > 1][:32]
    if not words:
        raise InvalidRequest("the search query has no words", hint="Type at least one word to search for.")
    if dialect == "sqlite":
        return " OR ".join('"' + w.replace('"', "") + '"' for w in words)
    return " or ".join(words)


def search(
    ledger: Ledger, query: str, *, tenants: list[str] | None = None, owner: str | None = None, limit: int = 10
) -> list[dict[str, Any]]:
    if not query or not query.strip():
        raise InvalidRequest("empty search query", hint="Type at least one word to search for.")
    fts = _fts_query(query, ledger.store.dialect)
    tenant_json = json.dumps(tenants) if tenants is not None else None
    pool = max(limit * 5, 50)
    with ledger.store.read() as tx:
        text_hits = tx.fetchall(
            "search_fulltext", fts_query=fts, text_query=fts, tenants=tenant_json, owner=owner, limit=pool
        )
    fused: dict[int, float] = {}
    snippets: dict[int, str] = {}
    where: dict[int, tuple[str, int]] = {}
    for rank, h in enumerate(text_hits):
        rid = int(h["id"])
        fused[rid] = fused.get(rid, 0.0) + 1.0 / (RRF_K + rank + 1)
        snippets[rid] = h["snippet"]
        where[rid] = (h["document_id"], int(h["page"]))
    for rank, (rid, doc, page) in enumerate(_semantic(ledger, query, tenants, owner, pool)):
        fused[rid] = fused.get(rid, 0.0) + 1.0 / (RRF_K + rank + 1)
        where.setdefault(rid, (doc, page))
    best = sorted(fused.items(), key=lambda kv: -kv[1])[: limit * 4]
    missing = [rid for rid, _ in best if rid not in snippets]
    if missing or best:
        with ledger.store.read() as tx:
            alive = {int(r["id"]): r for r in tx.fetchall("search_page_rows", ids=json.dumps([r for r, _ in best]))}
    withheld = access.content_withheld(ledger, tenants)
    results = []
    for rid, score in best:
        if rid not in alive:  # re-indexed since the vector cache was built
            continue
        if alive[rid]["document_id"] in withheld:  # the access policy: no hit, no snippet
            continue
        row = alive[rid]
        snippet = snippets.get(rid) or _excerpt(row["text"], query)
        results.append(
            {"document_id": row["document_id"], "page": int(row["page"]), "snippet": snippet, "score": round(score, 6)}
        )
        if len(results) >= limit:
            break
    return results


def _semantic(
    ledger: Ledger, query: str, tenants: list[str] | None, owner: str | None, k: int
) -> list[tuple[int, str, int]]:
    from docledger.nlp.embeddings import get_embedder

    pv = page_vectors(ledger)
    if pv.matrix is None or not len(pv.ids):
        return []
    q = get_embedder().encode([query])[0]
    sims = pv.matrix @ q
    allowed = np.ones(len(pv.ids), dtype=bool)
    if tenants is not None:
        allowed &= np.isin(np.array(pv.tenants), tenants)
    if owner is not None:
        with ledger.store.read() as tx:
            owned = [r["document_id"] for r in tx.fetchall("documents_of_owner", owner=owner)]
        allowed &= np.isin(np.array(pv.docs), owned)
    sims = np.where(allowed, sims, -np.inf)
    order = np.argsort(-sims)[:k]
    return [(pv.ids[i], pv.docs[i], pv.pages[i]) for i in order if np.isfinite(sims[i]) and sims[i] > 0.2]


def _excerpt(text: str, query: str, width: int = 160) -> str:
    words = [w.lower() for w in _WORD.findall(query)]
    low = text.lower()
    pos = min((p for p in (low.find(w) for w in words) if p >= 0), default=0)
    start = max(0, pos - width // 3)
    return ("…" if start else "") + " ".join(text[start : start + width].split()) + "…"


def ask(ledger: Ledger, question: str, *, tenants: list[str] | None = None, limit: int = 5) -> list[dict[str, Any]]:
    """The sentences that best answer a question, from the best pages of a hybrid search."""
    from docledger.nlp.embeddings import get_embedder

    hits = search(ledger, question, tenants=tenants, limit=8)
    q = get_embedder().encode([question])[0]
    scored: list[dict[str, Any]] = []
    for doc_id in dict.fromkeys(h["document_id"] for h in hits):
        pages = {h["page"] for h in hits if h["document_id"] == doc_id}
        loaded = document_sentences(ledger, doc_id)
        if loaded is None:
            continue
        sentences, vectors = loaded
        if not len(sentences):
            continue
        sims = vectors @ q
        for i, s in enumerate(sentences):
            if s["page"] in pages:
                scored.append(
                    {
                        "document_id": doc_id,
                        "page": s["page"],
                        "sentence": s["text"],
                        "start": s["start"],
                        "end": s["end"],
                        "score": round(float(sims[i]), 4),
                    }
                )
    scored.sort(key=lambda x: -x["score"])
    return scored[:limit]
