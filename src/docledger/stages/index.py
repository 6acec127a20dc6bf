"""Stage ``index``: full-text rows per page (FTS5 / tsvector) and sentence embeddings
(all-MiniLM-L6-v2, ONNX int8) with page and offsets, for search, ask and sentence matching."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np

from docledger.models import Events
from docledger.stages._text import page_texts
from docledger.stages.base import Stage, StageContext
from docledger.store.base import Tx


class IndexStage(Stage):
    name = "index"
    version = "1.0.0"
    subscribes = (Events.TEXT_EXTRACTED,)
    produces = ("sentences-json", "embeddings")
    description = "Full-text index per page and sentence embeddings for hybrid search and matching."

    def engine_info(self) -> dict[str, Any]:
        from docledger.nlp.embeddings import get_embedder

        emb = get_embedder()
        return {"embeddings": {"model": getattr(emb, "model_id", "all-MiniLM-L6-v2"), "version": emb.version}}

    def process(self, ctx: StageContext) -> None:
        from docledger.nlp.embeddings import get_embedder
        from docledger.nlp.sentences import split_sentences

        pages = page_texts(ctx)
        sentences: list[dict[str, Any]] = []
        for page, text, _art in pages:
            for s in split_sentences(text):
                sentences.append({"page": page, "start": s.start, "end": s.end, "text": s.text, "section": s.section})
        vectors = get_embedder().encode([s["text"] for s in sentences]) if sentences else np.zeros((0, 384), "f4")
        vectors = np.asarray(vectors, dtype=np.float32)
        ctx.add_json("sentences.json", "sentences-json", sentences)
        buf = io.BytesIO()
        np.save(buf, vectors)
        ctx.add_artifact(
            "embeddings.npy",
            "embeddings",
            buf.getvalue(),
            media_type="application/x-npy",
            meta={"count": len(sentences), "dim": int(vectors.shape[1]) if vectors.size else 384},
        )
        page_vecs: dict[int, bytes | None] = {}
        for page, _text, _art in pages:
            rows = [i for i, s in enumerate(sentences) if s["page"] == page]
            if rows:
                v = vectors[rows].mean(axis=0)
                v = v / (np.linalg.norm(v) or 1.0)
                page_vecs[page] = v.astype(np.float32).tobytes()
            else:
                page_vecs[page] = None
        doc = ctx.document

        def write(tx: Tx) -> None:
            tx.execute("delete_search_pages", document_id=ctx.document_id)
            for page, text, _art in pages:
                tx.execute(
                    "insert_search_page",
                    document_id=ctx.document_id,
                    tenant=doc["tenant"],
                    page=page,
                    text=text,
                    vector=page_vecs[page],
                )

        ctx.in_transaction(write)
        ctx.log(f"indexed {len(pages)} page(s), {len(sentences)} sentence embeddings")
        ctx.emit(Events.INDEXED, {"sentences": len(sentences)})


def load_sentences(blobs: Any, artifacts: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], np.ndarray] | None:
    """The newest sentences + embeddings of a document from its artifacts (None if not indexed)."""
    sents = [a for a in artifacts if a["kind"] == "sentences-json"]
    embs = [a for a in artifacts if a["kind"] == "embeddings"]
    if not sents or not embs:
        return None
    s = max(sents, key=lambda a: a.get("created_at") or 0)
    e = max(embs, key=lambda a: a.get("created_at") or 0)
    sentences = json.loads(blobs.read(s["sha256"]))
    vectors = np.load(io.BytesIO(blobs.read(e["sha256"])))
    return sentences, vectors
