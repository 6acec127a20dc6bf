"""In-process caches for vector search: page vectors per store, sentence embeddings per document."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from docledger.ledger import Ledger

_lock = threading.Lock()


@dataclass
class PageVectors:
    max_id: int = 0
    ids: list[int] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    tenants: list[str] = field(default_factory=list)
    chunks: list[np.ndarray] = field(default_factory=list)
    matrix: np.ndarray | None = None


_pages: dict[str, PageVectors] = {}
_sentences: OrderedDict[str, tuple[list[dict[str, Any]], np.ndarray]] = OrderedDict()


def page_vectors(ledger: Ledger) -> PageVectors:
    """All page vectors of the store, refreshed incrementally (new rows only)."""
    with _lock:
        pv = _pages.setdefault(ledger.store.url, PageVectors())
        with ledger.store.read() as tx:
            rows = tx.fetchall("page_vectors", after_id=pv.max_id)
        if rows:
            for r in rows:
                pv.ids.append(int(r["id"]))
                pv.docs.append(r["document_id"])
                pv.pages.append(int(r["page"]))
                pv.tenants.append(r["tenant"])
                pv.chunks.append(np.frombuffer(bytes(r["vector"]), dtype=np.float32))
            pv.max_id = max(pv.ids)
            pv.matrix = np.vstack(pv.chunks)
        return pv


def document_sentences(ledger: Ledger, document_id: str) -> tuple[list[dict[str, Any]], np.ndarray] | None:
    """Sentences + embeddings of one document (LRU-cached by the embeddings' content hash)."""
    from docledger.stages.index import load_sentences

    with ledger.store.read() as tx:
        arts = tx.fetchall("artifacts_for_document", document_id=document_id)
    embs = [a for a in arts if a["kind"] == "embeddings"]
    if not embs:
        return None
    key = max(embs, key=lambda a: a["created_at"])["sha256"]
    with _lock:
        if key in _sentences:
            _sentences.move_to_end(key)
            return _sentences[key]
    loaded = load_sentences(ledger.blobs, arts)
    if loaded is None:
        return None
    with _lock:
        _sentences[key] = loaded
        while len(_sentences) > 256:
            _sentences.popitem(last=False)
    return loaded


def forget(document_id: str, blob_shas: set[str] | frozenset[str] = frozenset()) -> None:
    """Drop an erased document from this process's caches (its page vectors and sentences)."""
    with _lock:
        for pv in _pages.values():
            keep = [i for i, d in enumerate(pv.docs) if d != document_id]
            if len(keep) == len(pv.docs):
                continue
            pv.ids = [pv.ids[i] for i in keep]
            pv.docs = [pv.docs[i] for i in keep]
            pv.pages = [pv.pages[i] for i in keep]
            pv.tenants = [pv.tenants[i] for i in keep]
            pv.chunks = [pv.chunks[i] for i in keep]
            pv.matrix = np.vstack(pv.chunks) if pv.chunks else None
        for key in blob_shas & set(_sentences):  # sentences are cached by their embeddings artifact
            del _sentences[key]
