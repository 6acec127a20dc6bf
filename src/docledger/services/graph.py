"""The relationship graph: an entity and its neighbours, a document and the documents that
share its entities, or the most connected entities. Tenant-scoped."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from docledger.exceptions import NotFound
from docledger.services import access

if TYPE_CHECKING:
    from docledger.ledger import Ledger


def _tenants(ledger: Ledger, tenants: list[str] | None) -> str:
    if tenants is None:
        with ledger.store.read() as tx:
            tenants = [r["tenant"] for r in tx.fetchall("all_tenants")]
    return json.dumps(tenants)


def graph(
    ledger: Ledger,
    *,
    tenants: list[str] | None = None,
    entity: str | None = None,
    document_id: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """The graph around a document, around an entity, or its most connected entities.

    Documents whose text the caller may not read (see :mod:`docledger.services.access`) add no
    entity, edge or count: entity names are often the very PII a redaction removes."""
    if document_id is not None:
        return _document_graph(ledger, document_id, tenants)
    withheld = access.content_withheld(ledger, tenants)
    tj = _tenants(ledger, tenants)
    with ledger.store.read() as tx:
        if entity is not None:
            from docledger.nlp.graph import normalize_entity

            found = tx.fetchall("find_entities", tenants=tj, key=entity, name=entity)
            if not found:
                for label in ("PERSON", "ORG", "GPE"):
                    key, _ = normalize_entity(entity, label)
                    found = tx.fetchall("find_entities", tenants=tj, key=key, name=entity)
                    if found:
                        break
            return _entity_graph(tx, tj, found, entity, withheld, limit)
        if withheld:
            return {"nodes": _top_visible(tx, json.loads(tj), withheld, limit), "edges": []}
        top = tx.fetchall("top_entities", tenants=tj, limit=limit)
        return {
            "nodes": [
                {
                    "id": e["key"],
                    "type": "entity",
                    "label": e["display"],
                    "entity_type": e["label"],
                    "documents": int(e["documents"]),
                }
                for e in top
            ],
            "edges": [],
        }


def _document_graph(ledger: Any, document_id: str, tenants: list[str] | None) -> dict[str, Any]:
    # Policy and tenant checks first: they open their own read transaction (never nest them).
    doc = ledger.get_document(document_id, tenants=tenants)
    full = ledger.document_view(document_id, tenants=tenants) == access.FULL
    withheld = access.content_withheld(ledger, tenants)
    nodes: dict[str, dict[str, Any]] = {document_id: {"id": document_id, "type": "document", "label": doc["name"]}}
    edges: list[dict[str, Any]] = []
    with ledger.store.read() as tx:
        entity_rows = tx.fetchall("document_entity_rows", document_id=document_id) if full else []
        edge_rows = tx.fetchall("document_edges", document_id=document_id) if full else []
        sharing = tx.fetchall("documents_sharing_entities", document_id=document_id) if full else []
    for r in entity_rows:
        nodes[r["entity_key"]] = {
            "id": r["entity_key"],
            "type": "entity",
            "label": r["display"],
            "entity_type": r["label"],
        }
        edges.append(
            {
                "source": document_id,
                "target": r["entity_key"],
                "type": "mentions",
                "weight": int(r["mentions"]),
                "pages": json.loads(r["pages"]),
            }
        )
    for r in edge_rows:
        edges.append({"source": r["a"], "target": r["b"], "type": "co_occurs", "weight": int(r["weight"])})
    # Entities are per tenant, so documents sharing them are in the document's own tenant.
    related = [
        {"document_id": r["document_id"], "name": r["name"], "shared_entities": int(r["shared"])}
        for r in sharing
        if r["document_id"] not in withheld
    ]
    return {"nodes": list(nodes.values()), "edges": edges, "related_documents": related}


def _entity_graph(
    tx: Any, tj: str, found: list[dict[str, Any]], entity: str, withheld: set[str], limit: int
) -> dict[str, Any]:
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    for e in found:
        docs = [
            d for d in tx.fetchall("entity_documents", tenants=tj, key=e["key"]) if d["document_id"] not in withheld
        ]
        if not docs:
            continue
        nodes[e["key"]] = {
            "id": e["key"],
            "type": "entity",
            "label": e["display"],
            "entity_type": e["label"],
            "documents": len({d["document_id"] for d in docs}) if withheld else int(e["documents"]),
        }
        for d in docs:
            nodes[d["document_id"]] = {"id": d["document_id"], "type": "document", "label": d["name"]}
            edges.append(
                {"source": d["document_id"], "target": e["key"], "type": "mentions", "weight": int(d["mentions"])}
            )
        if withheld:
            neighbours = _visible_neighbours(tx, json.loads(tj), e["key"], withheld, limit)
        else:
            neighbours = tx.fetchall("entity_neighbours", tenants=tj, key=e["key"], limit=limit)
        info = {
            r["key"]: r
            for r in tx.fetchall("entity_rows", tenants=tj, keys=json.dumps([n["other"] for n in neighbours]))
        }
        for n in neighbours:
            meta = info.get(n["other"], {})
            nodes.setdefault(
                n["other"],
                {
                    "id": n["other"],
                    "type": "entity",
                    "label": meta.get("display", n["other"]),
                    "entity_type": meta.get("label"),
                },
            )
            edges.append(
                {
                    "source": e["key"],
                    "target": n["other"],
                    "type": "co_occurs",
                    "weight": int(n["weight"]),
                    "documents": int(n["documents"]),
                }
            )
    if not nodes:
        raise NotFound(f"no entity named {entity!r}", hint="`docledger graph` lists the known entities.")
    return {"nodes": list(nodes.values()), "edges": edges}


def _visible_neighbours(tx: Any, tenants: list[str], key: str, withheld: set[str], limit: int) -> list[dict[str, Any]]:
    weight: dict[str, int] = {}
    docs: dict[str, set[str]] = {}
    for t in tenants:
        for r in tx.fetchall("access_entity_edges", tenant=t, key=key):
            if r["document_id"] in withheld:
                continue
            other = r["b"] if r["a"] == key else r["a"]
            weight[other] = weight.get(other, 0) + int(r["weight"])
            docs.setdefault(other, set()).add(r["document_id"])
    ranked = sorted(weight, key=lambda o: (-weight[o], o))[:limit]
    return [{"other": o, "weight": weight[o], "documents": len(docs[o])} for o in ranked]


def _top_visible(tx: Any, tenants: list[str], withheld: set[str], limit: int) -> list[dict[str, Any]]:
    docs: dict[str, set[str]] = {}
    meta: dict[str, dict[str, Any]] = {}
    for t in tenants:
        for r in tx.fetchall("access_entity_pairs", tenant=t):
            if r["document_id"] not in withheld:
                docs.setdefault(r["entity_key"], set()).add(r["document_id"])
                meta[r["entity_key"]] = r
    ranked = sorted(docs, key=lambda k: (-len(docs[k]), k))[:limit]
    return [
        {
            "id": k,
            "type": "entity",
            "label": meta[k]["display"],
            "entity_type": meta[k]["label"],
            "documents": len(docs[k]),
        }
        for k in ranked
    ]


def to_graphml(g: dict[str, Any]) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '<key id="label" for="node" attr.name="label" attr.type="string"/>',
        '<key id="type" for="all" attr.name="type" attr.type="string"/>',
        '<key id="weight" for="edge" attr.name="weight" attr.type="int"/>',
        '<graph id="docledger" edgedefault="undirected">',
    ]
    for n in g["nodes"]:
        out.append(
            f'<node id="{escape(n["id"], {chr(34): "&quot;"})}"><data key="label">{escape(str(n["label"]))}'
            f'</data><data key="type">{escape(n["type"])}</data></node>'
        )
    for i, e in enumerate(g["edges"]):
        out.append(
            f'<edge id="e{i}" source="{escape(e["source"], {chr(34): "&quot;"})}" '
            f'target="{escape(e["target"], {chr(34): "&quot;"})}"><data key="type">{e["type"]}</data>'
            f'<data key="weight">{e["weight"]}</data></edge>'
        )
    out.append("</graph></graphml>")
    return "\n".join(out) + "\n"
