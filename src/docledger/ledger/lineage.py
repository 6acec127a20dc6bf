"""Document Lineage: artifacts as a DAG through stage runs, exported as JSON, DOT or OpenLineage."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from docledger.exceptions import NotFound
from docledger.ids import iso
from docledger.scrub import hide_paths
from docledger.store.base import Tx


def document_lineage(tx: Tx, document_id: str) -> dict[str, Any]:
    arts = tx.fetchall("artifacts_for_document", document_id=document_id)
    if not arts and tx.fetchone("get_document", id=document_id) is None:
        raise NotFound(f"no document {document_id}")
    inputs: dict[str, list[str]] = defaultdict(list)
    for row in tx.fetchall("run_inputs_for_document", document_id=document_id):
        inputs[row["run_id"]].append(row["artifact_id"])
    nodes = [
        {
            "id": a["id"],
            "kind": a["kind"],
            "key": a["key"],
            "sha256": a["sha256"],
            "size": a["size"],
            "page": a["page"],
            "stage": a["stage"],
            "stage_version": a["stage_version"],
            "run_id": a["run_id"],
            "media_type": a["media_type"],
        }
        for a in arts
    ]
    edges = [{"from": src, "to": a["id"], "run_id": a["run_id"]} for a in arts for src in inputs.get(a["run_id"], [])]
    runs = [_run_json(r) for r in tx.fetchall("runs_for_document", document_id=document_id)]
    return {"document_id": document_id, "nodes": nodes, "edges": edges, "runs": runs}


def _run_json(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"],
        "stage": r["stage"],
        "stage_version": r["stage_version"],
        "config_hash": r["config_hash"],
        "page": r["page"],
        "status": r["status"],
        "attempt": r["attempt"],
        "worker": r["worker"],
        "started_at": iso(r["started_at"]),
        "ended_at": iso(r["ended_at"]),
        "duration_ms": r["duration_ms"],
        "error_code": r["error_code"],
        "error": hide_paths(r["error"]),
        "meta": json.loads(r["meta"] or "{}"),
    }


def artifact_lineage(tx: Tx, artifact_id: str) -> dict[str, Any]:
    """Upstream (what it came from) and downstream (what was derived from it) of one artifact."""
    art = tx.fetchone("artifact_by_id", id=artifact_id)
    if art is None:
        raise NotFound(f"no artifact {artifact_id}")
    graph = document_lineage(tx, art["document_id"])
    parents: dict[str, list[str]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    for e in graph["edges"]:
        parents[e["to"]].append(e["from"])
        children[e["from"]].append(e["to"])
    by_id = {n["id"]: n for n in graph["nodes"]}
    return {
        "artifact": by_id.get(artifact_id),
        "document_id": art["document_id"],
        "upstream": [by_id[i] for i in _walk(artifact_id, parents)],
        "downstream": [by_id[i] for i in _walk(artifact_id, children)],
    }


def _walk(start: str, nxt: dict[str, list[str]]) -> list[str]:
    seen: list[str] = []
    stack = list(nxt.get(start, []))
    while stack:
        cur = stack.pop()
        if cur in seen:
            continue
        seen.append(cur)
        stack.extend(nxt.get(cur, []))
    return seen


def to_dot(graph: dict[str, Any]) -> str:
    lines = ["digraph lineage {", '  rankdir=LR; node [shape=box, fontname="Helvetica", fontsize=10];']
    for n in graph["nodes"]:
        page = f" p{n['page']}" if n["page"] is not None else ""
        label = f"{n['key']}{page}\\n{n['stage']}@{n['stage_version']}\\n{n['sha256'][:12]}"
        lines.append(f'  "{n["id"]}" [label="{label}"];')
    for e in graph["edges"]:
        lines.append(f'  "{e["from"]}" -> "{e["to"]}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_openlineage(graph: dict[str, Any], *, namespace: str = "docledger") -> list[dict[str, Any]]:
    """One OpenLineage RunEvent (COMPLETE/FAIL) per stage run; datasets are artifacts.

    Events are built with the openlineage-python client (so they follow the spec it ships) and
    carry a ``docledger`` facet with the run's attempt, worker, config hash and page, and the
    artifact's sha256, kind and page.
    """
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
    from openlineage.client.serde import Serde

    by_run: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n in graph["nodes"]:
        by_run[n["run_id"]].append(n)
    inputs: dict[str, set[str]] = defaultdict(set)
    for e in graph["edges"]:
        inputs[e["run_id"]].add(e["from"])
    ids = {n["id"]: n for n in graph["nodes"]}

    def name(n: dict[str, Any]) -> str:
        return f"{graph['document_id']}/{n['key']}"

    def facet(extra: dict[str, Any]) -> dict[str, Any]:
        return {"docledger": {"_producer": PRODUCER, "_schemaURL": f"{PRODUCER}/facets/docledger.json", **extra}}

    events = []
    for run in graph["runs"]:
        ins = [ids[i] for i in sorted(inputs.get(run["id"], set())) if i in ids]
        outs = by_run.get(run["id"], [])
        event = RunEvent(
            eventType=RunState.COMPLETE if run["status"] == "succeeded" else RunState.FAIL,
            eventTime=run["ended_at"] or run["started_at"],
            run=Run(runId=_uuid_from(run["id"])),
            job=Job(namespace=namespace, name=f"{run['stage']}@{run['stage_version']}"),
            producer=PRODUCER,
            inputs=[InputDataset(namespace=namespace, name=name(n)) for n in ins],
            outputs=[OutputDataset(namespace=namespace, name=name(n)) for n in outs],
        )
        data = Serde.to_dict(event)
        data["run"]["facets"].update(
            facet(
                {
                    "run_id": run["id"],
                    "attempt": run["attempt"],
                    "worker": run["worker"],
                    "config_hash": run["config_hash"],
                    "page": run["page"],
                    "error": run["error"],
                }
            )
        )
        for ds, n in zip(data["inputs"] + data["outputs"], ins + outs, strict=True):
            ds["facets"].update(
                facet({"artifact_id": n["id"], "sha256": n["sha256"], "kind": n["kind"], "page": n["page"]})
            )
        events.append(data)
    return events


PRODUCER = "https://github.com/docledger/docledger"


def _uuid_from(run_id: str) -> str:
    import hashlib
    import uuid

    return str(uuid.UUID(bytes=hashlib.sha256(run_id.encode()).digest()[:16], version=4))
