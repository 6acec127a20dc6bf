"""Stage ``graph``: entities normalised (case, whitespace, titles, corporate suffixes) into a
cross-document graph: document-entity edges and entity-entity co-occurrence (same sentence)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from docledger.models import Events
from docledger.stages.base import Stage, StageContext
from docledger.store.base import Tx

GRAPH_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT"}


class GraphStage(Stage):
    name = "graph"
    version = "1.0.0"
    subscribes = (Events.NLP_COMPLETED,)
    produces = ("graph-json",)
    description = "Cross-document entity graph: document-entity and entity-entity co-occurrence edges."

    def process(self, ctx: StageContext) -> None:
        from docledger.nlp.graph import cooccurrences, normalize_entity
        from docledger.nlp.sentences import split_sentences
        from docledger.stages._text import page_texts

        texts = {page: text for page, text, _a in page_texts(ctx)}
        mentions: Counter[str] = Counter()
        pages_of: dict[str, set[int]] = defaultdict(set)
        names: dict[str, tuple[str, str]] = {}
        edges: Counter[tuple[str, str]] = Counter()
        for art in ctx.artifacts(kind="nlp-json", stage="nlp"):
            data = json.loads(ctx.read(art))
            page = int(data["page"])
            ents = [e for e in data.get("entities", []) if e["label"] in GRAPH_LABELS]
            keyed = []
            for e in ents:
                key, display = normalize_entity(e["text"], e["label"])
                if not key:
                    continue
                mentions[key] += 1
                pages_of[key].add(page)
                names.setdefault(key, (e["label"], display))
                keyed.append({**e, "key": key})
            sentences = split_sentences(texts.get(page, ""))
            for a, b, w in cooccurrences(sentences, keyed):
                edges[(a, b) if a < b else (b, a)] += w
        doc = ctx.document
        graph: dict[str, Any] = {
            "document_id": ctx.document_id,
            "entities": [
                {"key": k, "label": names[k][0], "display": names[k][1], "mentions": n, "pages": sorted(pages_of[k])}
                for k, n in mentions.most_common()
            ],
            "edges": [{"a": a, "b": b, "weight": w} for (a, b), w in edges.most_common()],
        }
        ctx.add_json("graph.json", "graph-json", graph)

        def write(tx: Tx) -> None:
            tx.execute("delete_document_entities", document_id=ctx.document_id)
            tx.execute("delete_document_edges", document_id=ctx.document_id)
            for e in graph["entities"]:
                tx.execute("upsert_entity", key=e["key"], tenant=doc["tenant"], label=e["label"], display=e["display"])
                tx.execute(
                    "insert_document_entity",
                    document_id=ctx.document_id,
                    tenant=doc["tenant"],
                    entity_key=e["key"],
                    mentions=e["mentions"],
                    pages=json.dumps(e["pages"]),
                )
            for ed in graph["edges"]:
                tx.execute(
                    "insert_entity_edge",
                    document_id=ctx.document_id,
                    tenant=doc["tenant"],
                    a=ed["a"],
                    b=ed["b"],
                    weight=ed["weight"],
                )

        ctx.in_transaction(write)
        ctx.log(f"{len(graph['entities'])} entities, {len(graph['edges'])} co-occurrence edges")
