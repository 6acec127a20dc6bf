"""Pure helpers for the UI pages: highlighting, page overlays, throughput and the entity graph SVG."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import quote

from markupsafe import Markup


def highlight(text: str, start: int, end: int, *, context: int = 220) -> Markup:
    """``text`` around [start, end) with the span in <mark>, trimmed to ``context`` chars each side."""
    start, end = max(0, start), min(len(text), end)
    lo, hi = max(0, start - context), min(len(text), end + context)
    pre = ("…" if lo > 0 else "") + text[lo:start]
    post = text[end:hi] + ("…" if hi < len(text) else "")
    return Markup(f"{escape(pre)}<mark>{escape(text[start:end])}</mark>{escape(post)}")


def locate(text: str, sentence: str, start: int | None, end: int | None) -> tuple[int, int] | None:
    """Where ``sentence`` sits in ``text``: the given offsets when they agree, else the first match."""
    if start is not None and end is not None and text[start:end] == sentence:
        return start, end
    i = text.find(sentence)
    return (i, i + len(sentence)) if i >= 0 else None


def boxes(page: dict[str, Any]) -> list[dict[str, Any]]:
    """OCR lines and form fields of a page as percentage boxes over its image."""
    w, h = page.get("width"), page.get("height")
    if not w or not h:
        return []
    out = []
    for kind, items in (("line", page.get("lines") or []), ("field", page.get("forms") or [])):
        for it in items:
            bb = it.get("bbox") or it.get("value_bbox") or it.get("box")
            if not bb or len(bb) != 4:
                continue
            x0, y0, x1, y1 = (float(v) for v in bb)
            label = it.get("text") or f"{it.get('key', it.get('name', ''))}: {it.get('value', '')}"
            out.append(
                {
                    "kind": kind,
                    "label": str(label),
                    "left": 100 * x0 / w,
                    "top": 100 * y0 / h,
                    "width": 100 * (x1 - x0) / w,
                    "height": 100 * (y1 - y0) / h,
                }
            )
    return out


def throughput(docs: Sequence[Mapping[str, Any]], *, hours: int = 24) -> list[dict[str, Any]]:
    """Documents that finished in each of the last ``hours`` hours (from their last update time)."""
    from datetime import datetime

    now = time.time()
    buckets = [0] * hours
    for d in docs:
        if d["status"] not in ("SUCCEEDED", "PARTIAL", "FAILED") or not d.get("updated_at"):
            continue
        t = datetime.fromisoformat(d["updated_at"].replace("Z", "+00:00")).timestamp()
        age = int((now - t) // 3600)
        if 0 <= age < hours:
            buckets[hours - 1 - age] += 1
    return [{"hours_ago": hours - 1 - i, "count": c} for i, c in enumerate(buckets)]


def graph_svg(g: dict[str, Any], center: str | None) -> Markup:
    """A radial picture: the chosen node in the middle, its neighbours on a circle, each a link."""
    nodes = g.get("nodes", [])
    if not nodes:
        return Markup("")
    mid = next((n for n in nodes if n["id"] == center), nodes[0])
    others = [n for n in nodes if n is not mid][:24]
    size, r = 560, 210
    pos = {mid["id"]: (size / 2, size / 2)}
    for i, n in enumerate(others):
        a = 2 * math.pi * i / max(1, len(others)) - math.pi / 2
        pos[n["id"]] = (size / 2 + r * math.cos(a), size / 2 + r * math.sin(a))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="0 0 {size} {size}" role="img" '
        f'aria-label="{escape(str(mid.get("label")))} and its neighbours">'
    ]
    for e in g.get("edges", []):
        if e["source"] in pos and e["target"] in pos:
            (x1, y1), (x2, y2) = pos[e["source"]], pos[e["target"]]
            w = min(6.0, 1 + math.log1p(float(e.get("weight", 1))))
            parts.append(
                f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#94a3b8" '
                f'stroke-width="{w:.1f}"/>'
            )
    for n in [mid, *others]:
        x, y = pos[n["id"]]
        doc = n.get("type") == "document"
        href = f"/ui/documents/{quote(n['id'])}" if doc else f"/ui/graph?entity={quote(str(n['label']))}"
        label = str(n.get("label") or n["id"])
        kind = "document" if doc else (n.get("entity_type") or "entity")
        fill = "#dbeafe" if doc else ("#fde68a" if n is mid else "#dcfce7")
        parts.append(
            f'<a href="{escape(href)}" aria-label="{escape(kind)} {escape(label)}"><title>{escape(kind)}: '
            f'{escape(label)}</title><circle cx="{x:.0f}" cy="{y:.0f}" r="{26 if n is mid else 18}" '
            f'fill="{fill}" stroke="#334155"/><text x="{x:.0f}" y="{y + (40 if n is mid else 32):.0f}" '
            f'text-anchor="middle" font-size="12" font-family="sans-serif" fill="#0f172a">'
            f"{escape(label[:28])}</text></a>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
