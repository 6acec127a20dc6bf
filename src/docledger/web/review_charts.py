"""Server-rendered SVG charts of the review accuracy report (no script, readable without colour)."""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

COLOURS = {"straight_through": "#16a34a", "accepted": "#2563eb", "corrected": "#dc2626", "open": "#94a3b8"}
LABELS = {
    "straight_through": "straight through",
    "accepted": "accepted unchanged",
    "corrected": "corrected",
    "open": "waiting",
}


def _svg(width: int, height: int, label: str, body: list[str], cls: str) -> Markup:
    return Markup(
        f'<svg class="chart {cls}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">' + "".join(body) + "</svg>"
    )


def legend(x: int, y: int, keys: list[str]) -> list[str]:
    out = []
    for i, k in enumerate(keys):
        lx = x + i * 150
        out.append(
            f'<rect x="{lx}" y="{y - 9}" width="10" height="10" fill="{COLOURS[k]}"/>'
            f'<text x="{lx + 14}" y="{y}" font-size="11" fill="#334155">{LABELS[k]}</text>'
        )
    return out


def outcome_bars(rows: list[dict[str, Any]], *, name: str) -> Markup:
    """One stacked bar per row (field or model version): shares of straight-through, accepted, corrected, open."""
    keys = ["straight_through", "accepted", "corrected", "open"]
    bar_h, gap, left, width = 18, 8, 210, 380
    height = 30 + len(rows) * (bar_h + gap) + 10
    body = legend(left, 14, keys)
    for i, r in enumerate(rows):
        y = 26 + i * (bar_h + gap)
        total = r["fields"] or 1
        label = r.get("field") and f"{r['doc_type']} · {r['field']}" or str(r.get("model_version", ""))
        body.append(
            f'<text x="{left - 6}" y="{y + 13}" font-size="11" text-anchor="end" fill="#0f172a">{escape(label)}</text>'
        )
        x = float(left)
        for k in keys:
            w = width * r[k] / total
            if w <= 0:
                continue
            body.append(
                f'<rect class="seg-{k}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{COLOURS[k]}"><title>{escape(label)}: {r[k]} {LABELS[k]} of {r["fields"]}'
                f"</title></rect>"
            )
            x += w
        body.append(f'<text x="{left + width + 6}" y="{y + 13}" font-size="11" fill="#334155">{r["fields"]}</text>')
    cls = "outcomes outcomes-" + name.replace(" ", "-")
    return _svg(left + width + 50, height, f"Outcome of extracted fields per {name}", body, cls)


def reliability(cal: dict[str, Any]) -> Markup:
    """Reliability diagram: observed accuracy per confidence bin against the diagonal of perfect calibration."""
    size, pad = 260, 36
    body = [
        f'<rect x="{pad}" y="10" width="{size}" height="{size}" fill="none" stroke="#cbd5e1"/>',
        f'<line x1="{pad}" y1="{10 + size}" x2="{pad + size}" y2="10" stroke="#94a3b8" stroke-dasharray="4 3"/>',
    ]
    for t in (0, 0.5, 1):
        body.append(
            f'<text x="{pad + t * size}" y="{size + 24}" font-size="10" text-anchor="middle" '
            f'fill="#475569">{t:g}</text><text x="{pad - 4}" y="{10 + size - t * size + 3}" '
            f'font-size="10" text-anchor="end" fill="#475569">{t:g}</text>'
        )
    body.append(
        f'<text x="{pad + size / 2}" y="{size + 38}" font-size="11" text-anchor="middle" '
        f'fill="#334155">predicted confidence</text>'
    )
    body.append(
        f'<text x="10" y="{10 + size / 2}" font-size="11" text-anchor="middle" fill="#334155" '
        f'transform="rotate(-90 10 {10 + size / 2})">observed accuracy</text>'
    )
    n = len(cal["bins"]) or 1
    for b in cal["bins"]:
        if not b["count"]:
            continue
        x = pad + b["lo"] * size
        h = b["observed_accuracy"] * size
        body.append(
            f'<rect class="bin" x="{x + 2:.1f}" y="{10 + size - h:.1f}" width="{size / n - 4:.1f}" '
            f'height="{h:.1f}" fill="#2563eb" fill-opacity="0.7"><title>confidence {b["lo"]:.1f}–'
            f"{b['hi']:.1f}: {b['count']} reviewed, mean confidence {b['mean_confidence']:.2f}, "
            f"observed accuracy {b['observed_accuracy']:.2f}</title></rect>"
        )
        cx = pad + b["mean_confidence"] * size
        body.append(f'<circle cx="{cx:.1f}" cy="{10 + size - h:.1f}" r="3" fill="#0f172a"/>')
    label = f"Reliability diagram of {cal['observed']} reviewed fields, expected calibration error {cal['ece']}"
    return _svg(size + pad + 10, size + 46, label, body, "reliability")


def trend(points: list[dict[str, Any]]) -> Markup:
    """Straight-through rate and corrected share per day."""
    width, height, pad = 560, 180, 36
    body = [f'<line x1="{pad}" y1="{height - 24}" x2="{width - 10}" y2="{height - 24}" stroke="#94a3b8"/>']
    body += legend(pad, 12, ["straight_through", "corrected"])
    n = len(points)
    span = height - 50

    def xy(i: int, v: float) -> tuple[float, float]:
        x = pad + (i + 0.5) * (width - pad - 10) / max(1, n)
        return x, height - 24 - v * span

    for key, field in (("straight_through", "straight_through_rate"), ("corrected", "corrected_share")):
        pts = [xy(i, p[field]) for i, p in enumerate(points) if p[field] is not None]
        if len(pts) > 1:
            body.append(
                f'<polyline fill="none" stroke="{COLOURS[key]}" stroke-width="2" points="'
                + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                + '"/>'
            )
        for (x, y), p in zip(pts, [p for p in points if p[field] is not None], strict=True):
            body.append(
                f'<circle class="pt-{key}" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{COLOURS[key]}">'
                f"<title>{p['day']}: {LABELS[key]} {100 * p[field]:.0f} %</title></circle>"
            )
    for i, p in enumerate(points):
        x, _ = xy(i, 0)
        body.append(
            f'<text x="{x:.1f}" y="{height - 8}" font-size="10" text-anchor="middle" fill="#475569">'
            f"{p['day'][5:]}</text>"
        )
    return _svg(width, height, f"Straight-through rate and corrected share over {n} day(s)", body, "trend")
