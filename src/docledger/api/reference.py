"""The API reference at /docs, rendered on the server from the OpenAPI document: no CDN, no
JavaScript, so it works offline and under the UI's Content-Security-Policy. Also /favicon.ico.

Swagger UI would need its JavaScript bundle, which FastAPI loads from a CDN; shipping it means
a further third-party package of minified code. This page lists what a client needs (paths,
parameters, bodies, responses) and links the raw /openapi.json for tools.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

# A 16x16 "dl" mark as SVG; browsers accept an SVG body for /favicon.ico with its media type.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" '
    'fill="#1f4e79"/><text x="8" y="12" font-family="sans-serif" font-size="9" text-anchor="middle" '
    'fill="#fff">dl</text></svg>'
)
_STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;color:#1b1b1b}"
    "h2{margin-top:2rem;border-bottom:1px solid #ccc}code,pre{font:13px ui-monospace,monospace}"
    "pre{background:#f4f4f4;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}"
    ".op{border:1px solid #ddd;border-radius:4px;margin:.6rem 0;padding:.4rem .8rem}"
    ".m{display:inline-block;min-width:4.2rem;font-weight:700}.GET{color:#0b6e4f}.POST{color:#1f4e79}"
    ".PATCH{color:#8a5a00}.DELETE{color:#a11}table{border-collapse:collapse}"
    "td,th{border-bottom:1px solid #eee;padding:.15rem .6rem;text-align:left;vertical-align:top}"
    "td{overflow-wrap:anywhere}"
)


def _schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"array of {_schema_name(schema.get('items'))}"
    if "anyOf" in schema:
        return " | ".join(_schema_name(s) for s in schema["anyOf"])
    bits = [str(schema.get("type", "object"))]
    if "enum" in schema:
        bits.append("one of " + ", ".join(map(str, schema["enum"])))
    if "pattern" in schema:
        bits.append(f"pattern {schema['pattern']}")
    for k in ("minimum", "maximum", "minLength", "maxLength"):
        if k in schema:
            bits.append(f"{k} {schema[k]}")
    return "; ".join(bits)


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    out = [
        f'<div class="op"><span class="m {method.upper()}">{method.upper()}</span> <code>{escape(path)}</code>'
        f" — {escape(op.get('summary', ''))}"
    ]
    if op.get("description"):
        out.append(f"<p>{escape(op['description'])}</p>")
    params = op.get("parameters", [])
    if params:
        out.append("<table><tr><th>parameter</th><th>in</th><th>schema</th><th>required</th></tr>")
        for p in params:
            out.append(
                f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
                f"<td>{escape(_schema_name(p.get('schema')))}</td><td>{'yes' if p.get('required') else ''}"
                "</td></tr>"
            )
        out.append("</table>")
    body = op.get("requestBody", {}).get("content", {})
    for media, spec in body.items():
        out.append(f"<p>body <code>{escape(media)}</code>: {escape(_schema_name(spec.get('schema')))}</p>")
    codes = ", ".join(f"{escape(c)} {escape(r.get('description', ''))}" for c, r in op.get("responses", {}).items())
    out.append(f"<p>responses: {codes}</p></div>")
    return "".join(out)


def render_reference(spec: dict[str, Any]) -> str:
    info = spec.get("info", {})
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(info.get('title', 'API'))} API reference</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(info.get('title', 'API'))} {escape(info.get('version', ''))} — API reference</h1>",
        f"<pre>{escape(info.get('description', ''))}</pre>",
        '<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI '
        f"{escape(spec.get('openapi', ''))}). Errors are <code>application/problem+json</code>.</p>",
    ]
    by_tag: dict[str, list[str]] = {}
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            by_tag.setdefault((op.get("tags") or ["other"])[0], []).append(_operation(path, method, op))
    for tag, ops in by_tag.items():
        parts.append(f"<h2>{escape(tag)}</h2>" + "".join(ops))
    parts.append("</body></html>")
    return "".join(parts)


@router.get("/docs")
def reference(request: Request) -> HTMLResponse:
    return HTMLResponse(
        render_reference(request.app.openapi()),
        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
    )


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
