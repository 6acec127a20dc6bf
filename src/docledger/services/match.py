"""Sentence matching: the sentences of a document (or a pasted paragraph) that support a
restatement, ranked by MiniLM similarity fused with BM25 over stems and clinical synonyms
(see :mod:`docledger.nlp.match`); each result keeps its cosine distance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docledger.exceptions import InvalidRequest
from docledger.services import access
from docledger.services._vectors import document_sentences

if TYPE_CHECKING:
    from docledger.ledger import Ledger


def match(
    ledger: Ledger,
    restatement: str,
    *,
    document_id: str | None = None,
    paragraph: str | None = None,
    tenants: list[str] | None = None,
    top_k: int = 5,
) -> list[dict[str, Any]]:
    from docledger.nlp.match import match_paragraph, match_sentences
    from docledger.nlp.sentences import Sentence

    if not restatement or not restatement.strip():
        raise InvalidRequest("the restatement is empty", hint="Paste the summary or statement to check.")
    if (document_id is None) == (paragraph is None):
        raise InvalidRequest(
            "give exactly one of a document id or a paragraph", hint="Use --doc DOC, or --paragraph TEXT."
        )
    top_k = max(1, min(int(top_k), 50))
    if paragraph is not None:
        if not paragraph.strip():
            raise InvalidRequest("the paragraph is empty", hint="Paste the text to match against.")
        return [{**m.to_dict(), "page": None} for m in match_paragraph(restatement, paragraph, top_k=top_k)]
    assert document_id is not None
    ledger.get_document(document_id, tenants=tenants)
    if ledger.document_view(document_id, tenants=tenants) == access.REDACTED:
        return _match_redacted(ledger, restatement, document_id, tenants, top_k)
    loaded = document_sentences(ledger, document_id)
    if loaded is None:
        raise InvalidRequest(
            f"document {document_id} has no sentence index yet",
            code="not_indexed",
            hint="Wait until it is processed (`docledger status DOC`); only documents with text are indexed.",
        )
    sentences, vectors = loaded
    if not sentences:
        return []
    objs = [Sentence(s["text"], s["start"], s["end"], s.get("section")) for s in sentences]
    used: set[int] = set()
    out = []
    for m in match_sentences(restatement, objs, vectors, top_k=top_k):
        idx = next(
            i
            for i, s in enumerate(sentences)
            if i not in used and s["start"] == m.start and s["end"] == m.end and s["text"] == m.sentence
        )
        used.add(idx)
        out.append({**m.to_dict(), "page": sentences[idx]["page"]})
    return out


def _match_redacted(
    ledger: Any, restatement: str, document_id: str, tenants: list[str] | None, top_k: int
) -> list[dict[str, Any]]:
    """A caller who may read only the redacted text is matched against that text, never the clear one."""
    from docledger.nlp.match import match_paragraph
    from docledger.services.export import redacted_pages

    pages = redacted_pages(ledger, document_id)
    if not any(t.strip() for t in pages.values()):
        raise InvalidRequest(
            f"document {document_id} has no redacted text yet",
            code="not_indexed",
            hint="Wait until it is processed (`docledger status DOC`).",
        )
    found: list[dict[str, Any]] = []
    for page, text in pages.items():
        if text.strip():
            found.extend({**m.to_dict(), "page": page} for m in match_paragraph(restatement, text, top_k=top_k))
    found.sort(key=lambda m: m["distance"])
    return [{**m, "rank": i} for i, m in enumerate(found[:top_k], start=1)]
