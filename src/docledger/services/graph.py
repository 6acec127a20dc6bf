"""The relationship graph: an entity and its neighbours, a document and the documents that
share its entities, or the most connected entities. Tenant-scoped."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from docledger.exceptions import NotFound

if TYPE_CHECKING:
    from docledger.ledger import Ledger


def _tenants(ledger: Ledger, tenants: list[str] | None) -> str:
    if tenants is None:
        with ledger.store.read() as tx:
            tenants = [r["tenant"] for r in tx.fetchall("all_tenants")]
    return json.dumps(tenants)


def graph(ledger: Ledger, *, tenants: list[str] | None = None, entity: str | None = None,
          document_id: str | None = None, limit: int = 50) -> dict[str, Any]:
    tj = _tenants(ledger, tenants)
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    with ledger.store.read() as tx:
        if document_id is not None:
            doc = ledger.get_document(document_id, tenants=tenants)
            nodes[document_id] = {"id": document_id, "type": "document", "label": doc["name"]}
            for r in tx.fetchall("document_entity_rows", document_id=document_id):
                nodes[r["entity_key"]] = {"id": r["entity_key"], "type": "entity", "label": r["display"],
                                          "entity_type": r["label"]}
                edges.append({"source": document_id, "target": r["entity_key"], "type": "mentions",
                              "weight": int(r["mentions"]), "pages": json.loads(r["pages"])})
            for r in tx.fetchall("document_edges", document_id=document_id):
                edges.append({"source": r["a"], "target": r["b"], "type": "co_occurs", "weight": int(r["weight"])})
            related = [{"document_id": r["document_id"], "name": r["name"], "shared_entities": int(r["shared"])}
                       for r in tx.fetchall("documents_sharing_entities", document_id=document_id)
                       if tenants is None or ledger.get_document(r["document_id"])["tenant"] in tenants]
            return {"nodes": list(nodes.values()), "edges": edges, "related_documents": related}
        if entity is not None:
            from docledger.nlp.graph import normalize_entity

            found = tx.fetchall("find_entities", tenants=tj, key=entity, name=entity)
            if not found:
                for label in ("PERSON", "ORG", "GPE"):
                    key, _ = normalize_entity(entity, label)
                    found = tx.fetchall("find_entities", tenants=tj, key=key, name=entity)
                    if found:
                        break
            if not found:
                raise NotFound(f"no entity named {entity!r}", hint="`docledger graph` lists the known entities.")
            for e in found:
                nodes[e["key"]] = {"id": e["key"], "type": "entity", "label": e["display"], "entity_type": e["label"],
                                   "documents": int(e["documents"])}
                for d in tx.fetchall("entity_documents", tenants=tj, key=e["key"]):
                    nodes[d["document_id"]] = {"id": d["document_id"], "type": "document", "label": d["name"]}
                    edges.append({"source": d["document_id"], "target": e["key"], "type": "mentions",
                                  "weight": int(d["mentions"])})
                neighbours = tx.fetchall("entity_neighbours", tenants=tj, key=e["key"], limit=limit)
                info = {r["key"]: r for r in tx.fetchall("entity_rows", tenants=tj,
                                                          keys=json.dumps([n["other"] for n in neighbours]))}
                for n in neighbours:
                    meta = info.get(n["other"], {})
                    nodes.setdefault(n["other"], {"id": n["other"], "type": "entity",
                                                  "label": meta.get("display", n["other"]),
                                                  "entity_type": meta.get("label")})
                    edges.append({"source": e["key"], "target": n["other"], "type": "co_occurs",
                                  "weight": int(n["weight"]), "documents": int(n["documents"])})
            return {"nodes": list(nodes.values()), "edges": edges}
        top = tx.fetchall("top_entities", tenants=tj, limit=limit)
        return {"nodes": [{"id": e["key"], "type": "entity", "label": e["display"], "entity_type": e["label"],
                           "documents": int(e["documents"])} for e in top], "edges": []}


def to_graphml(g: dict[str, Any]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
           '<key id="label" for="node" attr.name="label" attr.type="string"/>',
           '<key id="type" for="all" attr.name="type" attr.type="string"/>',
           '<key id="weight" for="edge" attr.name="weight" attr.type="int"/>',
           '<graph id="docledger" edgedefault="undirected">']
    for n in g["nodes"]:
        out.append(f'<node id="{escape(n["id"], {chr(34): "&quot;"})}"><data key="label">{escape(str(n["label"]))}'
                   f'</data><data key="type">{escape(n["type"])}</data></node>')
    for i, e in enumerate(g["edges"]):
        out.append(f'<edge id="e{i}" source="{escape(e["source"], {chr(34): "&quot;"})}" '
                   f'target="{escape(e["target"], {chr(34): "&quot;"})}"><data key="type">{e["type"]}</data>'
                   f'<data key="weight">{e["weight"]}</data></edge>')
    out.append("</graph></graphml>")
    return "\n".join(out) + "\n"
