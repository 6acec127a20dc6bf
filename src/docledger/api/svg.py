"""Lineage DAG as SVG, laid out in Python (no graphviz needed).

Columns follow the pipeline's stage order (register, classify, extract-text, ocr, nlp,
index, graph, redact, then any plugin stage), nodes stack within their column, and edges
are curves from an input artifact to the artifacts its run produced. Every node is a link
(``href`` built from ``link``), so a click or Enter on a focused node opens that artifact.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

STAGE_ORDER = ["register", "classify", "extract-text", "ocr", "nlp", "index", "graph", "redact"]
NODE_W, NODE_H, COL_GAP, ROW_GAP, PAD = 190, 54, 70, 16, 16
_COLORS = {
    "register": "#dbeafe",
    "classify": "#e0e7ff",
    "extract-text": "#dcfce7",
    "ocr": "#fef9c3",
    "nlp": "#fce7f3",
    "index": "#ede9fe",
    "graph": "#cffafe",
    "redact": "#fee2e2",
}


def _columns(nodes: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    stages = sorted(
        {n["stage"] for n in nodes},
        key=lambda s: (STAGE_ORDER.index(s) if s in STAGE_ORDER else len(STAGE_ORDER), s),
    )
    cols: list[list[dict[str, Any]]] = [[] for _ in stages]
    for n in sorted(nodes, key=lambda n: (n["page"] if n["page"] is not None else -1, n["key"])):
        cols[stages.index(n["stage"])].append(n)
    return cols


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def lineage_svg(
    graph: dict[str, Any], *, link: Callable[[dict[str, Any]], str] | None = None, selected: str | None = None
) -> str:
    """An SVG document for the ``Ledger.lineage`` graph; ``link(node)`` gives each node's href."""
    link = link or (lambda n: f"/v1/artifacts/{n['id']}/content")
    cols = _columns(graph["nodes"])
    pos: dict[str, tuple[float, float]] = {}
    for ci, col in enumerate(cols):
        for ri, n in enumerate(col):
            pos[n["id"]] = (PAD + ci * (NODE_W + COL_GAP), PAD + ri * (NODE_H + ROW_GAP))
    width = PAD * 2 + max(1, len(cols)) * (NODE_W + COL_GAP) - COL_GAP
    height = PAD * 2 + max([len(c) for c in cols] or [1]) * (NODE_H + ROW_GAP) - ROW_GAP
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-label="Lineage of document {escape(graph["document_id"])}">',
        "<title>Lineage graph: artifacts by stage; select a node to open the artifact</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker></defs>',
    ]
    for e in graph["edges"]:
        if e["from"] not in pos or e["to"] not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e["from"]], pos[e["to"]]
        sx, sy, tx, ty = x1 + NODE_W, y1 + NODE_H / 2, x2, y2 + NODE_H / 2
        if tx <= sx:  # same column (a stage consuming its own output): route around the left side
            sx, tx = x1, x2
        mid = (sx + tx) / 2
        out.append(
            f'<path class="edge" d="M{sx:.0f},{sy:.0f} C{mid:.0f},{sy:.0f} {mid:.0f},{ty:.0f} '
            f'{tx:.0f},{ty:.0f}" fill="none" stroke="#64748b" stroke-width="1.3" marker-end="url(#arrow)"/>'
        )
    for n in graph["nodes"]:
        x, y = pos[n["id"]]
        page = f" · p{n['page']}" if n["page"] is not None else ""
        fill = _COLORS.get(n["stage"], "#f1f5f9")
        stroke = "#b91c1c" if n["id"] == selected else "#334155"
        label = f"{n['kind']} {n['key']}{page}, made by {n['stage']} {n['stage_version']}"
        out.append(
            f'<a class="node" href="{escape(link(n))}" data-artifact-id="{escape(n["id"])}" '
            f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="{fill}" '
            f'stroke="{stroke}" '
            f'stroke-width="{3 if n["id"] == selected else 1.2}"/>'
            f'<text x="{x + 8}" y="{y + 20}" font-family="sans-serif" font-size="13" font-weight="600" '
            f'fill="#0f172a">{escape(_short(n["key"] + page, 26))}</text>'
            f'<text x="{x + 8}" y="{y + 40}" font-family="sans-serif" font-size="11" fill="#334155">'
            f"{escape(_short(n['stage'] + '@' + str(n['stage_version']) + ' · ' + n['kind'], 32))}</text></a>"
        )
    out.append("</svg>")
    return "\n".join(out)
